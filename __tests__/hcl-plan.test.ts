/**
 * The plan of the HCL output equals the plan of the JSON output, made the way reviewers get it:
 * the plan-review workflow's own plan step (.github/workflows/plan.yml, run by bash as GitHub
 * runs it: init, plan, show -json, show text per stack) and its comment builder
 * (scripts/plan-summary.ts), with the real Terraform client offline: each rendered stack is put
 * where the workflow finds it as npm run validate's offline copy (src/validate: local state,
 * hashicorp/aws from the filesystem mirror, placeholder credentials), for main.tf as for
 * cdk.tf.json.
 *
 * Planned: both stacks of the committed example and the home stack of the organization example
 * (organization trail, StackSet with its JSON template, bus policy). The adopt example's import
 * blocks need AWS to plan (an import reads the real object), so both of its renderings are
 * validated and stop at the same place.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { parseConfig } from "../src/config/load";
import { synthesize, synthesizeHcl } from "../src/synth";
import { collectStacks } from "../scripts/plan-summary";
import { renderComment } from "../src/plan/summary";
import { ROOT } from "./helpers";
import { writeOfflineCopy } from "../src/validate/offline-copy";
import type { ValidationSession } from "../src/validate/session";
import { terraformEnv } from "../src/validate/terraform";
import { offlineSession, offlineWorkdir } from "./support/terraform";

const workflow = parse(readFileSync(path.join(ROOT, ".github", "workflows", "plan.yml"), "utf8"));
const PLAN_STEP: string = workflow.jobs.plan.steps.find(
  (s: { id?: string }) => s.id === "plan",
).run;

const TEMP: string[] = [];
// One provider choice and plugin cache for the whole file (the mirror's provider suits our pin).
let session: ValidationSession;
beforeAll(() => {
  session = offlineSession("6.25.0");
});
afterAll(() => {
  session?.close();
  TEMP.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const loadExample = (file: string) =>
  parseConfig(JSON.parse(readFileSync(path.join(ROOT, file), "utf8")), file);

/**
 * Renders `file` both ways into <root>/rendered/{json,hcl}, keeping only `keep` stacks, and puts
 * each stack's offline copy where the workflow's plan step finds it: <root>/{json,hcl}/cdktf.out.
 */
async function renderBoth(file: string, keep?: readonly string[]) {
  const root = mkdtempSync(path.join(tmpdir(), "trailwatch-hcl-plan-"));
  TEMP.push(root);
  const rendered = {
    json: path.join(root, "rendered", "json"),
    hcl: path.join(root, "rendered", "hcl"),
  };
  mkdirSync(path.join(root, "rendered"));
  synthesize(loadExample(file), rendered.json);
  await synthesizeHcl(loadExample(file), rendered.hcl);
  const roots = { json: path.join(root, "json"), hcl: path.join(root, "hcl"), rendered };
  for (const format of ["json", "hcl"] as const) {
    const stacks = path.join(rendered[format], "stacks");
    for (const s of readdirSync(stacks)) {
      if (keep && !keep.includes(s)) continue;
      const dest = path.join(roots[format], "cdktf.out", "stacks", s);
      mkdirSync(path.dirname(dest), { recursive: true });
      writeOfflineCopy(path.join(stacks, s), dest, session.provider.version);
    }
  }
  return roots;
}

/** Runs the workflow's plan step in `root` (holding cdktf.out) as GitHub runs it, offline. */
function runPlanStep(root: string): { status: number | null; output: string; failed: string } {
  const githubOutput = path.join(root, "github-output");
  writeFileSync(githubOutput, "");
  const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", PLAN_STEP], {
    cwd: root,
    env: { ...terraformEnv(session.cliConfigFile), GITHUB_OUTPUT: githubOutput },
    encoding: "utf8",
    timeout: 900_000,
  });
  return {
    status: r.status,
    output: `${r.stdout}${r.stderr}`,
    failed: readFileSync(githubOutput, "utf8").trim(),
  };
}

type Plan = Record<string, any>;

const readPlan = (root: string, stack: string): Plan =>
  JSON.parse(readFileSync(path.join(root, "cdktf.out", "stacks", stack, "plan.json"), "utf8"));

/** What a plan decides: everything but the configuration's expressions (which HCL writes differently). */
function decided(p: Plan) {
  return {
    planned_values: p.planned_values,
    resource_changes: p.resource_changes,
    output_changes: p.output_changes,
    relevant_attributes: (p.relevant_attributes ?? [])
      .map((a: unknown) => JSON.stringify(a))
      .sort(),
    errored: p.errored,
  };
}

describe.each([
  ["trailwatch.config.json", undefined],
  ["examples/organization.json", ["trailwatch-ap-northeast-1"]],
] as const)("%s: the workflow plans the HCL exactly as the JSON", (file, keep) => {
  let roots: { json: string; hcl: string };
  let stacks: string[];
  beforeAll(async () => {
    roots = await renderBoth(file, keep);
    stacks = readdirSync(path.join(roots.json, "cdktf.out", "stacks")).sort();
    for (const format of ["json", "hcl"] as const) {
      const r = runPlanStep(roots[format]);
      if (r.status !== 0) throw new Error(`plan step (${format}) exited ${r.status}:\n${r.output}`);
      expect(r.failed).toBe("failed=0");
    }
  }, 1_200_000);

  test("each stack directory holds its format only, and every plan succeeded", () => {
    for (const s of stacks) {
      const files = (f: string) =>
        readdirSync(path.join(roots[f as "json" | "hcl"], "cdktf.out", "stacks", s));
      expect(files("json")).toContain("cdk.tf.json");
      expect(files("json")).not.toContain("main.tf");
      expect(files("hcl")).toContain("main.tf");
      expect(files("hcl")).not.toContain("cdk.tf.json");
      expect(readPlan(roots.hcl, s).errored).toBe(false);
    }
  });

  test("the plans decide the same: planned values, resource changes, outputs", () => {
    for (const s of stacks) {
      const [a, b] = [readPlan(roots.json, s), readPlan(roots.hcl, s)];
      expect(a.resource_changes.length).toBeGreaterThan(10);
      expect(decided(b)).toEqual(decided(a));
    }
  });

  test("the reviewers' plan text and the pull-request comment are the same", () => {
    for (const s of stacks)
      expect(readFileSync(path.join(roots.hcl, "cdktf.out", "stacks", s, "plan.txt"), "utf8")).toBe(
        readFileSync(path.join(roots.json, "cdktf.out", "stacks", s, "plan.txt"), "utf8"),
      );
    const comment = (root: string) =>
      renderComment(collectStacks(path.join(root, "cdktf.out", "stacks")), { commit: "abc1234" });
    expect(comment(roots.hcl)).toBe(comment(roots.json));
    expect(comment(roots.json)).toMatch(/\| `trailwatch-ap-northeast-1` \|\s+\d+ \|/);
  });
});

describe("examples/adopt.json: import blocks in HCL", () => {
  test("both renderings validate, and both plans stop where the imports must read AWS", async () => {
    const roots = await renderBoth("examples/adopt.json", ["trailwatch-ap-northeast-1"]);
    const outputs: string[] = [];
    for (const format of ["json", "hcl"] as const) {
      const tf = offlineWorkdir(
        path.join(roots.rendered[format], "stacks", "trailwatch-ap-northeast-1"),
      );
      try {
        const validate = tf.run("validate");
        expect(validate.output).toContain("Success! The configuration is valid.");
        const plan = tf.run("plan", "-input=false", "-refresh=false");
        expect(plan.status).toBe(1);
        expect(plan.output).toMatch(/Preparing import\.\.\. \[id=/);
        outputs.push(plan.output.replace(/\s+/g, " "));
      } finally {
        tf.dispose();
      }
    }
    // The import block and its address read the same in both.
    const imports = (o: string) =>
      [...o.matchAll(/(\S+): Preparing import\.\.\. \[id=([^\]]+)\]/g)]
        .map((m) => `${m[1]} ${m[2]}`)
        .sort();
    expect(imports(outputs[1])).toEqual(imports(outputs[0]));
    expect(
      readFileSync(
        path.join(roots.rendered.hcl, "stacks", "trailwatch-ap-northeast-1", "main.tf"),
        "utf8",
      ),
    ).toMatch(
      /import \{\n\s+to = aws_cloudtrail\.trail_[0-9A-F]+\n\s+id = "arn:aws:cloudtrail:ap-northeast-1:111122223333:trail\/management-events"\n\}/,
    );
  }, 600_000);
});
