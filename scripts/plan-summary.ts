/**
 * Prints the pull-request comment for the plans under a stacks directory:
 *
 *   npx tsx scripts/plan-summary.ts cdktf.out/stacks > plan-comment.md
 *
 * Reads <dir>/<stack>/plan.json (`terraform show -json tfplan`) and plan.txt
 * (`terraform show -no-color tfplan`) for every stack directory; a stack without plan.json is
 * reported as failed, with the tail of its plan.log if the workflow left one. Links the workflow
 * run from GITHUB_SERVER_URL/GITHUB_REPOSITORY/GITHUB_RUN_ID and names PLAN_COMMIT when set.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import {
  type CommentOptions,
  type StackResult,
  PlanFormatError,
  parsePlanJson,
  renderComment,
  summarizePlan,
} from "../src/plan/summary";

const readIfExists = (file: string): string | undefined =>
  existsSync(file) ? readFileSync(file, "utf8") : undefined;

/** One result per stack directory, sorted by name. */
export function collectStacks(dir: string): StackResult[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((stack) => readStack(stack, path.join(dir, stack)));
}

function readStack(stack: string, dir: string): StackResult {
  const log = readIfExists(path.join(dir, "plan.log"));
  const json = readIfExists(path.join(dir, "plan.json"));
  if (json === undefined) {
    const reason = "No plan.json: `terraform init` or `terraform plan` failed.";
    return { stack, status: "failed", reason, ...(log !== undefined ? { log } : {}) };
  }
  try {
    const summary = summarizePlan(parsePlanJson(json));
    const planText = readIfExists(path.join(dir, "plan.txt")) ?? "(plan.txt is missing)";
    return { stack, status: "planned", summary, planText };
  } catch (e) {
    if (!(e instanceof PlanFormatError)) throw e;
    return { stack, status: "failed", reason: `plan.json is unreadable: ${e.message}.` };
  }
}

/** Comment options from the GitHub Actions environment. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): CommentOptions {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  return {
    ...(server && repo && run ? { runUrl: `${server}/${repo}/actions/runs/${run}` } : {}),
    ...(env.PLAN_COMMIT ? { commit: env.PLAN_COMMIT } : {}),
  };
}

function main(argv: string[]): number {
  const dir = argv[0];
  if (argv.length !== 1 || !dir || !existsSync(dir)) {
    process.stderr.write("usage: plan-summary <stacks-dir>   (e.g. cdktf.out/stacks)\n");
    return 2;
  }
  process.stdout.write(renderComment(collectStacks(dir), optionsFromEnv(process.env)));
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
