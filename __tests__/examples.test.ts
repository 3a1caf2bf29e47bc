import { readdirSync } from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { buildApp } from "../src/app";
import { DEFAULT_ENABLED_REGIONS } from "../src/config/regions";
import { loadConfigFile } from "../src/config/load";
import { ROOT } from "./helpers";

/** Every configuration under examples/ is valid and renders; .ci/run plans them with Terraform. */
const EXAMPLES = path.join(ROOT, "examples");
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".json"));

test("examples/ holds the demanding configuration", () => {
  expect(files).toContain("demanding.json");
});

describe.each(files)("examples/%s", (file) => {
  test("is a valid configuration and renders a home stack", () => {
    const c = loadConfigFile(path.join(EXAMPLES, file));
    const { home, regional } = buildApp(c, Testing.app().outdir);
    expect(home.node.id).toBe(`${c.name}-${c.homeRegion}`);
    expect(regional.every((s) => s.node.id.startsWith(`${c.name}-`))).toBe(true);
  });
});

describe("examples/demanding.json asks for everything at once", () => {
  const c = loadConfigFile(path.join(EXAMPLES, "demanding.json"));

  test("all 17 regions AWS enables by default, one stack each", () => {
    expect([...c.regions].sort()).toEqual([...DEFAULT_ENABLED_REGIONS].sort());
    const { regional } = buildApp(c, Testing.app().outdir);
    expect(regional).toHaveLength(16);
  });

  test("cost profile, Insights, Object Lock, all-bucket S3 data events, Athena", () => {
    expect(c.trail.profile).toBe("cost");
    expect(c.trail.insights).toEqual({ apiCallRate: true, apiErrorRate: true });
    expect(c.archive.objectLock).toEqual({ mode: "GOVERNANCE", days: 365 });
    expect(c.trail.s3DataEventsAllBuckets).toBeDefined();
    expect(c.athena.enabled).toBe(true);
  });

  test("several e-mail addresses and tags", () => {
    expect(c.alerts.emails.length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(c.tags).length).toBeGreaterThanOrEqual(3);
  });
});
