import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { collectStacks, optionsFromEnv } from "../scripts/plan-summary";
import {
  GITHUB_COMMENT_LIMIT,
  PLAN_COMMENT_MARKER,
  type PlanJson,
  type ResourceChange,
  type StackResult,
  changeKind,
  parsePlanJson,
  renderComment,
  summarizePlan,
  truncateText,
} from "../src/plan/summary";
import { ROOT } from "./helpers";

// Recorded plans: `terraform show -json tfplan` (format_version 1.2, Terraform 1.11) and the
// matching `terraform show -no-color tfplan` text for the home stack.
const FIXTURES = path.join(ROOT, "__tests__", "fixtures", "plans");
const fixtureText = (file: string) => readFileSync(path.join(FIXTURES, file), "utf8");
const fixturePlan = (name: string) => parsePlanJson(fixtureText(`${name}.json`));
const planned = (stack: string, name: string): Extract<StackResult, { status: "planned" }> => ({
  stack,
  status: "planned",
  summary: summarizePlan(fixturePlan(name)),
  planText: fixtureText(`${name}.txt`),
});
const failed = (stack: string): StackResult => ({
  stack,
  status: "failed",
  reason: "No plan.json: `terraform init` or `terraform plan` failed.",
  log: fixtureText("state-lock-denied.log"),
});

/** A plan with the given resource changes (the rest of the document does not matter here). */
function planOf(...changes: Partial<ResourceChange>[]): PlanJson {
  return {
    format_version: "1.2",
    resource_changes: changes.map((c, i) => ({
      address: `aws_s3_bucket.b${i}`,
      mode: "managed",
      type: "aws_s3_bucket",
      change: { actions: ["no-op"] },
      ...c,
    })),
  };
}
const act = (...actions: string[]) => ({ change: { actions } });

describe("parsePlanJson", () => {
  test.each(["no-changes", "first-deploy", "retention-update", "replace-bucket"])(
    "reads the recorded %s plan",
    (name) => {
      const plan = fixturePlan(name);
      expect(plan.format_version).toBe("1.2");
      expect(plan.terraform_version).toMatch(/^1\.11\./);
      expect(plan.resource_changes?.length).toBeGreaterThan(0);
    },
  );

  test("rejects another major format version, as the format documentation asks", () => {
    expect(() => parsePlanJson('{"format_version":"2.0","resource_changes":[]}')).toThrow(
      /unsupported plan format_version 2\.0/,
    );
  });

  test("accepts a later minor version and a plan without resource_changes", () => {
    expect(parsePlanJson('{"format_version":"1.9"}').resource_changes).toBeUndefined();
  });

  test.each([
    ["not JSON", "Error: Failed to load plan", /not JSON/],
    ["no format_version", '{"resource_changes":[]}', /no format_version/],
    ["a state", '{"format_version":"1.0","values":{"root_module":{}}}', /state, not a plan/],
    ["bad resource_changes", '{"format_version":"1.2","resource_changes":{}}', /not an array/],
    [
      "a change without actions",
      '{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{}}]}',
      /resource_changes\[0\]/,
    ],
  ])("rejects %s", (_what, text, message) => {
    expect(() => parsePlanJson(text)).toThrow(message);
  });
});

describe("changeKind", () => {
  test.each([
    [["no-op"], "no-op"],
    [["create"], "create"],
    [["read"], "read"],
    [["update"], "update"],
    [["delete"], "delete"],
    [["delete", "create"], "replace"],
    [["create", "delete"], "replace-create-first"],
    [["forget"], "forget"],
    [["create", "forget"], "create"],
    [["frobnicate"], "other"],
  ])("%j is %s", (actions, kind) => {
    expect(changeKind(actions)).toBe(kind);
  });
});

describe("summarizePlan on the recorded plans", () => {
  test("no changes: every resource is a no-op", () => {
    const s = summarizePlan(fixturePlan("no-changes"));
    expect(s.counts).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(s.removed).toEqual([]);
    expect(s.terraformVersion).toBe("1.11.4");
  });

  test("first deploy of the home stack: creates only", () => {
    const s = summarizePlan(fixturePlan("first-deploy"));
    expect(s.counts).toEqual({ add: 12, change: 0, destroy: 0 });
    expect(s.stateful).toEqual([]);
  });

  test("log group retention 365 -> 731: one in-place update", () => {
    const plan = fixturePlan("retention-update");
    const update = plan.resource_changes?.find((rc) => rc.change.actions[0] === "update");
    expect(update?.type).toBe("aws_cloudwatch_log_group");
    expect(update?.change.before).toMatchObject({ retention_in_days: 365 });
    expect(update?.change.after).toMatchObject({ retention_in_days: 731 });
    expect(summarizePlan(plan).counts).toEqual({ add: 0, change: 1, destroy: 0 });
  });

  test("bucket replaced and KMS key destroyed: a replace counts as one add and one destroy", () => {
    const s = summarizePlan(fixturePlan("replace-bucket"));
    expect(s.counts).toEqual({ add: 4, change: 2, destroy: 6 });
    expect(s.stateful).toEqual([
      {
        address: "aws_kms_key.alerts-key_6D1C2E90",
        type: "aws_kms_key",
        kind: "delete",
        reason: "delete_because_no_resource_config",
      },
      {
        address: "aws_s3_bucket.log-archive_bucket_81A1BD4E",
        type: "aws_s3_bucket",
        kind: "replace",
        reason: "replace_because_cannot_update",
        forcedBy: ["bucket"],
      },
    ]);
    expect(s.removed.map((r) => r.address)).toEqual([
      "aws_kms_alias.alerts-key_alias_3B7A9F12",
      "aws_kms_key.alerts-key_6D1C2E90",
      "aws_s3_bucket.log-archive_bucket_81A1BD4E",
      "aws_s3_bucket_policy.log-archive_policy_CBE463FC",
      "aws_s3_bucket_public_access_block.log-archive_public-access-block_B765C05E",
      "aws_s3_bucket_versioning.log-archive_versioning_AF29F324",
    ]);
  });

  test.each(["first-deploy", "retention-update", "replace-bucket"])(
    "%s: the counts match the recorded plan text's 'Plan:' line",
    (name) => {
      const { add, change, destroy } = summarizePlan(fixturePlan(name)).counts;
      expect(fixtureText(`${name}.txt`)).toContain(
        `Plan: ${add} to add, ${change} to change, ${destroy} to destroy.`,
      );
    },
  );
});

describe("summarizePlan counting rules", () => {
  test("create-before-destroy replacement: one add, one destroy, kind kept", () => {
    const s = summarizePlan(planOf(act("create", "delete")));
    expect(s.counts).toEqual({ add: 1, change: 0, destroy: 1 });
    expect(s.removed[0].kind).toBe("replace-create-first");
  });

  test("reads, no-ops and forgets count nothing; create-then-forget counts one add", () => {
    const s = summarizePlan(
      planOf(act("read"), act("no-op"), act("forget"), act("create", "forget")),
    );
    expect(s.counts).toEqual({ add: 1, change: 0, destroy: 0 });
    expect(s.removed).toEqual([]);
  });

  test("data resources never count", () => {
    const s = summarizePlan(planOf({ mode: "data", ...act("delete") }, { mode: "data" }));
    expect(s.counts).toEqual({ add: 0, change: 0, destroy: 0 });
  });

  test("a deposed object's delete is a destroy, and names the deposed key", () => {
    const s = summarizePlan(planOf({ deposed: "00000001", ...act("delete") }));
    expect(s.counts.destroy).toBe(1);
    expect(s.stateful[0]).toMatchObject({ kind: "delete", deposed: "00000001" });
  });

  test("only the four stateful types are flagged", () => {
    const types = ["aws_cloudwatch_log_group", "aws_cloudtrail", "aws_kms_alias", "aws_sns_topic"];
    const s = summarizePlan(planOf(...types.map((type) => ({ type, ...act("delete") }))));
    expect(s.stateful.map((r) => r.type)).toEqual(["aws_cloudwatch_log_group", "aws_cloudtrail"]);
  });

  test("replace_paths become attribute paths", () => {
    const change = {
      actions: ["delete", "create"],
      replace_paths: [["bucket"], ["rule", 0, "id"]],
    };
    expect(summarizePlan(planOf({ change })).removed[0].forcedBy).toEqual(["bucket", "rule[0].id"]);
  });

  test("an incomplete plan (deferred changes) is marked partial", () => {
    expect(summarizePlan({ format_version: "1.2", complete: false }).complete).toBe(false);
    expect(summarizePlan({ format_version: "1.2" }).complete).toBe(true);
  });
});

describe("renderComment", () => {
  test("starts with the marker and shows counts per stack", () => {
    const md = renderComment([
      planned("trailwatch-ap-northeast-1", "retention-update"),
      planned("trailwatch-us-east-1", "no-changes"),
    ]);
    expect(md.startsWith(`${PLAN_COMMENT_MARKER}\n`)).toBe(true);
    expect(md).toContain("| `trailwatch-ap-northeast-1` | 0 | 1 | 0 | changes |");
    expect(md).toContain("| `trailwatch-us-east-1` | 0 | 0 | 0 | no changes |");
    expect(md).toContain("### `trailwatch-ap-northeast-1`: 0 to add, 1 to change, 0 to destroy");
    expect(md).toContain("### `trailwatch-us-east-1`: no changes");
    expect(md).not.toContain("[!CAUTION]");
    expect(md).not.toContain("[!WARNING]");
  });

  test("a destroyed or replaced stateful resource puts a warning at the top, naming it", () => {
    const md = renderComment([
      planned("trailwatch-ap-northeast-1", "replace-bucket"),
      planned("trailwatch-us-east-1", "no-changes"),
    ]);
    const caution = md.indexOf("> [!CAUTION]");
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(md.indexOf("| Stack |"));
    const warning = md.slice(caution, md.indexOf("| Stack |"));
    expect(warning).toContain(
      "> - `trailwatch-ap-northeast-1`: `aws_kms_key.alerts-key_6D1C2E90` destroyed: not in configuration",
    );
    expect(warning).toContain(
      "> - `trailwatch-ap-northeast-1`: `aws_s3_bucket.log-archive_bucket_81A1BD4E` replaced (destroy, then create): `bucket` forces replacement",
    );
    // The non-stateful removals are listed in the stack's section, not in the warning.
    expect(warning).not.toContain("aws_kms_alias");
    expect(md).toContain("**Replaced:**\n- `aws_s3_bucket.log-archive_bucket_81A1BD4E` replaced");
    expect(md).toContain("**Destroyed:**\n- `aws_kms_alias.alerts-key_alias_3B7A9F12` destroyed");
    expect(md).toContain(
      "| `trailwatch-ap-northeast-1` | 4 | 2 | 6 | ⚠️ destroys stateful resources |",
    );
  });

  test("folds each plan text, whole, in <details> inside a code fence", () => {
    const text = fixtureText("first-deploy.txt");
    const md = renderComment([planned("trailwatch-ap-northeast-1", "first-deploy")]);
    const lines = text.trim().split("\n").length;
    expect(md).toContain(
      `<details><summary>Plan output (${lines} lines)</summary>\n\n\`\`\`text\n${text.trim()}\n\`\`\`\n\n</details>`,
    );
    expect(md).not.toContain("truncated");
  });

  test("a plan text containing a code fence cannot close the comment's fence", () => {
    const stack = planned("s", "no-changes");
    const md = renderComment([{ ...stack, planText: "heredoc = <<EOT\n```\nEOT\n" }]);
    expect(md).toContain("````text\nheredoc = <<EOT\n```\nEOT\n````");
  });

  test("a failed stack is reported as failed, with the tail of its log", () => {
    const md = renderComment([
      planned("trailwatch-ap-northeast-1", "retention-update"),
      failed("trailwatch-us-east-1"),
    ]);
    expect(md).toContain(
      "> [!WARNING]\n> **1 stack failed to plan:** `trailwatch-us-east-1`. Its changes are unknown.",
    );
    expect(md).toContain("| `trailwatch-us-east-1` | – | – | – | ❌ plan failed |");
    expect(md).toContain("### ❌ `trailwatch-us-east-1`: plan failed");
    expect(md).toContain("Error: Error acquiring the state lock");
    // Long logs keep their last lines: the error is at the end.
    const long: StackResult = {
      stack: "s",
      status: "failed",
      reason: "r",
      log: `${"noise\n".repeat(500)}Error: boom\n`,
    };
    const tail = renderComment([long]);
    expect(tail).toContain("<summary>Last 40 lines of the log</summary>");
    expect(tail).toContain("Error: boom");
    expect(tail.match(/noise/g)).toHaveLength(39);
  });

  test("names the commit and links the run when given", () => {
    const md = renderComment([planned("s", "no-changes")], {
      commit: "3f2c9e1d7a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9",
      runUrl: "https://github.com/o/r/actions/runs/1",
    });
    expect(md).toContain(
      "Commit `3f2c9e1d7a4b` · [workflow run](https://github.com/o/r/actions/runs/1)",
    );
  });

  test("no stacks at all is said plainly", () => {
    expect(renderComment([])).toContain("No stacks were found to plan.");
  });
});

describe("truncation to GitHub's comment limit", () => {
  const huge = (lines: number, tag: string) =>
    Array.from({ length: lines }, (_, i) => `  # ${tag} line ${i} ${"x".repeat(60)}`).join("\n");

  test("long plan texts are cut on line boundaries with a note; short ones stay whole", () => {
    const short = planned("trailwatch-us-east-1", "retention-update");
    const stacks: StackResult[] = [
      { ...planned("trailwatch-ap-northeast-1", "first-deploy"), planText: huge(3000, "a") },
      short,
      { ...planned("trailwatch-eu-west-1", "first-deploy"), planText: huge(1500, "b") },
    ];
    const md = renderComment(stacks);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT - 1000); // the budget is used
    expect(md.startsWith(PLAN_COMMENT_MARKER)).toBe(true);
    expect(md.match(/_Plan output truncated to fit GitHub's comment limit/g)).toHaveLength(2);
    expect(md).toContain(short.planText.trim());
    // Both long texts keep their beginning, and lines are never cut in the middle.
    expect(md).toContain("  # a line 0 ");
    expect(md).toContain("  # b line 0 ");
    for (const line of md.split("\n").filter((l) => /^ {2}# [ab] line/.test(l))) {
      expect(line).toMatch(/ x{60}$/);
    }
  });

  test("warnings and counts survive truncation", () => {
    const stacks: StackResult[] = [
      { ...planned("trailwatch-ap-northeast-1", "replace-bucket"), planText: huge(5000, "a") },
    ];
    const md = renderComment(stacks, { limit: 10_000 });
    expect(md.length).toBeLessThanOrEqual(10_000);
    expect(md).toContain("> [!CAUTION]");
    expect(md).toContain("| `trailwatch-ap-northeast-1` | 4 | 2 | 6 |");
    expect(md).toContain("characters shown. The full plan is in the workflow run's log._");
  });

  test("a limit below the frame itself still yields a bounded comment", () => {
    const md = renderComment([planned("s", "replace-bucket")], { limit: 500 });
    expect(md.length).toBeLessThanOrEqual(500);
    expect(md.startsWith(PLAN_COMMENT_MARKER)).toBe(true);
    expect(md).toContain("_Comment truncated to fit GitHub's comment limit._");
  });

  test("truncateText keeps whole leading lines", () => {
    expect(truncateText("ab\ncd\nef", 6)).toEqual({ text: "ab\ncd", truncated: true });
    expect(truncateText("ab\ncd", 5)).toEqual({ text: "ab\ncd", truncated: false });
    expect(truncateText("abcdef", 3)).toEqual({ text: "", truncated: true });
  });
});

describe("scripts/plan-summary.ts", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "plan-summary-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Lays out <dir>/<stack>/ as the workflow leaves it. */
  function stackDir(stack: string, files: Record<string, string>) {
    mkdirSync(path.join(dir, stack));
    for (const [name, source] of Object.entries(files)) {
      copyFileSync(path.join(FIXTURES, source), path.join(dir, stack, name));
    }
  }

  test("reads plan.json and plan.txt per stack; a stack without plan.json failed", () => {
    stackDir("trailwatch-us-east-1", { "plan.log": "state-lock-denied.log" });
    stackDir("trailwatch-ap-northeast-1", {
      "plan.json": "replace-bucket.json",
      "plan.txt": "replace-bucket.txt",
      "plan.log": "state-lock-denied.log", // ignored: the plan succeeded
    });
    writeFileSync(path.join(dir, "manifest.json"), "{}"); // not a stack directory
    const stacks = collectStacks(dir);
    expect(stacks.map((s) => [s.stack, s.status])).toEqual([
      ["trailwatch-ap-northeast-1", "planned"],
      ["trailwatch-us-east-1", "failed"],
    ]);
    const [ok, bad] = stacks;
    expect(ok.status === "planned" && ok.summary.counts).toEqual({ add: 4, change: 2, destroy: 6 });
    expect(ok.status === "planned" && ok.planText).toBe(fixtureText("replace-bucket.txt"));
    expect(bad.status === "failed" && bad.log).toContain("Error acquiring the state lock");
  });

  test("an unreadable plan.json and a missing plan.txt are reported, not thrown", () => {
    mkdirSync(path.join(dir, "broken"));
    writeFileSync(path.join(dir, "broken", "plan.json"), "Error: Failed to read the plan");
    stackDir("no-text", { "plan.json": "no-changes.json" });
    const [broken, noText] = collectStacks(dir);
    expect(broken).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/^plan\.json is unreadable: not JSON/),
    });
    expect(noText).toMatchObject({ status: "planned", planText: "(plan.txt is missing)" });
  });

  test("run link and commit come from the Actions environment", () => {
    expect(
      optionsFromEnv({
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_REPOSITORY: "acme/trailwatch",
        GITHUB_RUN_ID: "42",
        PLAN_COMMIT: "abc",
      }),
    ).toEqual({ runUrl: "https://github.com/acme/trailwatch/actions/runs/42", commit: "abc" });
    expect(optionsFromEnv({})).toEqual({});
  });

  // docs/reviewing-changes.md shows the script's real output on these fixtures; this keeps it so.
  test("the sample comment in docs/reviewing-changes.md is the script's current output", () => {
    stackDir("trailwatch-ap-northeast-1", {
      "plan.json": "replace-bucket.json",
      "plan.txt": "replace-bucket.txt",
    });
    stackDir("trailwatch-us-east-1", { "plan.log": "state-lock-denied.log" });
    const sample = renderComment(
      collectStacks(dir),
      optionsFromEnv({
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_REPOSITORY: "example-org/trailwatch",
        GITHUB_RUN_ID: "9876543210",
        PLAN_COMMIT: "3f2c9e1d7a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9",
      }),
    );
    const docPath = path.join(ROOT, "docs", "reviewing-changes.md");
    const doc = readFileSync(docPath, "utf8");
    const block =
      /(<!-- sample-comment:start -->\n<!-- prettier-ignore-start -->\n)(`{3,})markdown\n([\s\S]*?)\n?\2\n(<!-- prettier-ignore-end -->\n<!-- sample-comment:end -->)/;
    const match = block.exec(doc);
    expect(match).not.toBeNull();
    if (process.env.UPDATE_PLAN_SAMPLE === "1") {
      const fence = "`".repeat(Math.max(...sample.match(/`+/g)!.map((r) => r.length)) + 1);
      writeFileSync(docPath, doc.replace(block, `$1${fence}markdown\n${sample}${fence}\n$4`));
    } else {
      // On a mismatch: UPDATE_PLAN_SAMPLE=1 npx jest __tests__/plan-summary.test.ts
      expect(match![3] + "\n").toBe(sample);
    }
  });
});
