import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EXIT, main } from "../../src/validate/cli";
import { exampleConfigInput, ROOT } from "../helpers";
import { captureIo } from "../support/cli-io";

const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "trailwatch-validate-cli-"));
  mkdirSync(path.join(root, "empty-mirror"));
  writeFileSync(path.join(root, "example.json"), JSON.stringify(exampleConfigInput()));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[]) {
  const io = captureIo(root, process.env);
  const code = await main(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** trailwatch-validate-* directories in the system temp directory (other runs may add some). */
const tempDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith("trailwatch-validate-"));

describe("npm run validate: what it refuses to call a pass", () => {
  test("no provider in any mirror searched: says so, where it looked, and exits 1", async () => {
    const before = new Set(tempDirs());
    const r = await run(["--config", "example.json", "--plugin-dir", "empty-mirror"]);
    expect(r.code).toBe(EXIT.failed);
    expect(r.stderr).toContain(
      `validate: NOT VALIDATED: no hashicorp/aws provider for this platform in any filesystem mirror; searched:\n  ${path.join(root, "empty-mirror")} (--plugin-dir)\n`,
    );
    expect(r.stderr).toContain("terraform providers mirror");
    expect(r.stdout).toBe("");
    expect(tempDirs().filter((d) => !before.has(d))).toEqual([]);
  }, 60_000);

  test("--allow-missing-provider: the same message, exit 0, and it says nothing was validated", async () => {
    const r = await run([
      "--config",
      "example.json",
      "--plugin-dir",
      "empty-mirror",
      "--allow-missing-provider",
    ]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toContain("validate: NOT VALIDATED: no hashicorp/aws provider");
    expect(r.stderr).toContain(
      "--allow-missing-provider: exiting 0, but no stack was validated or planned.",
    );
  }, 60_000);

  test("an invalid configuration is reported with every problem and fails the run, even with --allow-missing-provider", async () => {
    const bad = exampleConfigInput() as any;
    bad.homeRegion = "mars-north-1";
    bad.alerts.emails = ["nobody"];
    writeFileSync(path.join(root, "bad.json"), JSON.stringify(bad));
    const r = await run([
      "--config",
      "bad.json",
      "--plugin-dir",
      "empty-mirror",
      "--allow-missing-provider",
    ]);
    expect(r.code).toBe(EXIT.failed);
    expect(r.stderr).toContain("bad.json: 2 problems in the configuration:");
    expect(r.stderr).toContain("homeRegion: not an AWS region code");
    expect(r.stderr).toContain("alerts.emails[0]: not an e-mail address");
  }, 60_000);

  test.each([
    [["--jobs", "0"], '--jobs: must be a whole number of at least 1 (got "0")'],
    [["--colour"], "Unknown option '--colour'"],
    [["stray"], "Unexpected argument 'stray'"],
  ])("usage error %j exits 2 with the usage", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain("usage: npm run validate -- [options]");
  });
});

test("scripts/validate.ts (npm run validate) exits non-zero when it cannot validate", () => {
  const r = spawnSync(
    process.execPath,
    [
      TSX,
      path.join(ROOT, "scripts", "validate.ts"),
      "--config",
      "example.json",
      "--plugin-dir",
      "empty-mirror",
    ],
    { cwd: root, encoding: "utf8" },
  );
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("validate: NOT VALIDATED: no hashicorp/aws provider");
}, 60_000);
