/**
 * Pull-request summary of `terraform plan` across trailwatch's stacks: parses the JSON plan
 * representation (`terraform show -json tfplan`, Terraform's "JSON Output Format"), counts what
 * `terraform plan` prints as "Plan: X to add, Y to change, Z to destroy", and renders one markdown
 * comment. Pure functions: the CLI in scripts/plan-summary.ts does the file reading.
 */

/** First line of the comment: the workflow finds its own comment by it and updates it in place. */
export const PLAN_COMMENT_MARKER = "<!-- trailwatch-plan -->";

/** GitHub refuses issue and pull-request comment bodies longer than this (characters). */
export const GITHUB_COMMENT_LIMIT = 65536;

/** Resource types whose destruction loses audit data or makes it unreadable. */
export const STATEFUL_TYPES: readonly string[] = [
  "aws_s3_bucket",
  "aws_kms_key",
  "aws_cloudwatch_log_group",
  "aws_cloudtrail",
];

/** The parts of a plan's `resource_changes[]` entry that the summary reads. */
export interface ResourceChange {
  address: string;
  mode?: "managed" | "data";
  type: string;
  name?: string;
  /** Set when the change is to a deposed object left by a failed create_before_destroy. */
  deposed?: string;
  action_reason?: string;
  change: { actions: string[]; before?: unknown; after?: unknown; replace_paths?: unknown };
}

/** The parts of the JSON plan representation that the summary reads. */
export interface PlanJson {
  format_version: string;
  terraform_version?: string;
  resource_changes?: ResourceChange[];
  /** Terraform ≥ 1.8: false when some changes were deferred to a later plan. */
  complete?: boolean;
  errored?: boolean;
}

export class PlanFormatError extends Error {}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Parses and checks `terraform show -json` output. The format promises backward-compatible minor
 * versions and asks consumers to reject an unknown major version, so only "1.x" is accepted.
 */
export function parsePlanJson(text: string): PlanJson {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PlanFormatError(`not JSON: ${(e as Error).message}`);
  }
  if (!isRecord(doc) || typeof doc.format_version !== "string") {
    throw new PlanFormatError("no format_version: not the output of `terraform show -json`");
  }
  if (doc.format_version.split(".")[0] !== "1") {
    throw new PlanFormatError(`unsupported plan format_version ${doc.format_version} (need 1.x)`);
  }
  if (isRecord(doc.values) && doc.resource_changes === undefined) {
    throw new PlanFormatError("this is a state, not a plan (run `terraform show -json tfplan`)");
  }
  const changes = doc.resource_changes ?? [];
  if (!Array.isArray(changes)) throw new PlanFormatError("resource_changes is not an array");
  changes.forEach((rc: unknown, i) => {
    const ok =
      isRecord(rc) &&
      typeof rc.address === "string" &&
      typeof rc.type === "string" &&
      isRecord(rc.change) &&
      Array.isArray(rc.change.actions) &&
      rc.change.actions.every((a) => typeof a === "string");
    if (!ok) throw new PlanFormatError(`resource_changes[${i}] lacks address, type or actions`);
  });
  return doc as unknown as PlanJson;
}

export type ChangeKind =
  | "no-op"
  | "create"
  | "read"
  | "update"
  | "replace"
  | "replace-create-first"
  | "delete"
  | "forget"
  | "other";

/** The documented action lists ("no-op", "create", ["delete","create"], ...) as one kind. */
export function changeKind(actions: readonly string[]): ChangeKind {
  switch (actions.join(",")) {
    case "no-op":
    case "create":
    case "read":
    case "update":
    case "delete":
    case "forget":
      return actions[0] as ChangeKind;
    case "delete,create":
      return "replace";
    case "create,delete":
      return "replace-create-first";
    case "create,forget":
      return "create";
    default:
      return "other";
  }
}

export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
}

export interface RemovedResource {
  address: string;
  type: string;
  kind: "delete" | "replace" | "replace-create-first";
  reason?: string;
  /** Attribute paths that force a replacement (`replace_paths`), e.g. "bucket". */
  forcedBy?: string[];
  deposed?: string;
}

export interface PlanSummary {
  terraformVersion?: string;
  counts: PlanCounts;
  /** Every deleted or replaced object, in plan order. */
  removed: RemovedResource[];
  /** The subset of `removed` whose type is in STATEFUL_TYPES. */
  stateful: RemovedResource[];
  /** False when Terraform deferred some changes (the plan is partial). */
  complete: boolean;
}

/** `replace_paths` ([["bucket"], ["rule", 0, "id"]]) as attribute paths ("bucket", "rule[0].id"). */
function replacePaths(paths: unknown): { forcedBy?: string[] } {
  if (!Array.isArray(paths) || !paths.length) return {};
  const render = (p: unknown) =>
    Array.isArray(p)
      ? p
          .map((step, i) => (typeof step === "number" ? `[${step}]` : i ? `.${step}` : step))
          .join("")
      : String(p);
  return { forcedBy: paths.map(render) };
}

/**
 * Counts like Terraform's own renderer: a create (also of a replacement, or create-then-forget)
 * adds, an update changes, a delete (also of the replaced object) destroys; reads, no-ops and
 * forgets count nothing. Keying on "create"/"delete" membership, as the format documentation
 * suggests, also counts any action combination a later Terraform adds.
 */
export function summarizePlan(plan: PlanJson): PlanSummary {
  const counts: PlanCounts = { add: 0, change: 0, destroy: 0 };
  const removed: RemovedResource[] = [];
  for (const rc of plan.resource_changes ?? []) {
    // Terraform never shows data-source deletes (state clean-up); only managed objects count.
    if (rc.mode === "data") continue;
    const actions = rc.change.actions;
    if (actions.includes("create")) counts.add++;
    if (actions.includes("delete")) counts.destroy++;
    if (actions.length === 1 && actions[0] === "update") counts.change++;
    if (actions.includes("delete")) {
      const kind = changeKind(actions);
      removed.push({
        address: rc.address,
        type: rc.type,
        kind: kind === "replace" || kind === "replace-create-first" ? kind : "delete",
        ...(rc.action_reason ? { reason: rc.action_reason } : {}),
        ...replacePaths(rc.change.replace_paths),
        ...(rc.deposed ? { deposed: rc.deposed } : {}),
      });
    }
  }
  return {
    ...(plan.terraform_version ? { terraformVersion: plan.terraform_version } : {}),
    counts,
    removed,
    stateful: removed.filter((r) => STATEFUL_TYPES.includes(r.type)),
    complete: plan.complete !== false,
  };
}

/** One stack's outcome, as the CLI collected it. */
export type StackResult =
  | { stack: string; status: "planned"; summary: PlanSummary; planText: string }
  | { stack: string; status: "failed"; reason: string; log?: string };

export interface CommentOptions {
  /** Link to the workflow run, where the full logs are. */
  runUrl?: string;
  /** The commit that was planned. */
  commit?: string;
  /** Maximum comment length; GITHUB_COMMENT_LIMIT by default. */
  limit?: number;
}

const FAILED_LOG_LINES = 40;
const LIST_LIMIT = 50;

const KIND_LABEL: Record<RemovedResource["kind"], string> = {
  delete: "destroyed",
  replace: "replaced (destroy, then create)",
  "replace-create-first": "replaced (create, then destroy)",
};

/** Terraform's `action_reason` codes, as `terraform plan` words them. */
const REASONS: Record<string, string> = {
  replace_because_cannot_update: "cannot be updated in place",
  replace_because_tainted: "tainted",
  replace_by_request: "replacement requested with -replace",
  replace_by_triggers: "replace_triggered_by",
  delete_because_no_resource_config: "not in configuration",
  delete_because_wrong_repetition: "count/for_each changed",
  delete_because_count_index: "count index out of range",
  delete_because_each_key: "for_each key no longer exists",
  delete_because_no_module: "its module is not in configuration",
  delete_because_no_move_target: "moved target is not in configuration",
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const countsLine = (c: PlanCounts) =>
  `${c.add} to add, ${c.change} to change, ${c.destroy} to destroy`;
const hasChanges = (c: PlanCounts) => c.add + c.change + c.destroy > 0;

function describeRemoved(r: RemovedResource): string {
  const why = [
    r.deposed ? `deposed object ${r.deposed}` : "",
    r.forcedBy ? `${r.forcedBy.map((p) => `\`${p}\``).join(", ")} forces replacement` : "",
    r.reason && !(r.forcedBy && r.reason === "replace_because_cannot_update")
      ? (REASONS[r.reason] ?? r.reason)
      : "",
  ].filter(Boolean);
  return `\`${r.address}\` ${KIND_LABEL[r.kind]}${why.length ? `: ${why.join("; ")}` : ""}`;
}

/** Terraform's output starts and ends with blank lines that only pad the fold. */
const trimBlankLines = (text: string) => text.replace(/^\n+|\n+$/g, "");

/** A code fence longer than any backtick run in the text, so the text cannot close it. */
function fenced(text: string, info = ""): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${info}\n${trimBlankLines(text)}\n${fence}`;
}

function details(summary: string, body: string): string {
  // The blank line after </summary> makes GitHub render the body as markdown.
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

function bulletList(items: string[]): string {
  const shown = items.slice(0, LIST_LIMIT).map((i) => `- ${i}`);
  if (items.length > LIST_LIMIT) shown.push(`- … and ${items.length - LIST_LIMIT} more`);
  return shown.join("\n");
}

/** Keeps whole leading lines of `text` within `budget` characters. */
export function truncateText(text: string, budget: number): { text: string; truncated: boolean } {
  if (text.length <= budget) return { text, truncated: false };
  const cut = text.lastIndexOf("\n", Math.max(0, budget));
  const kept = cut > 0 ? text.slice(0, cut) : "";
  return { text: kept, truncated: true };
}

function header(stacks: StackResult[], options: CommentOptions): string[] {
  const out = [PLAN_COMMENT_MARKER, "## Terraform plan", ""];
  const meta = [
    options.commit ? `Commit \`${options.commit.slice(0, 12)}\`` : "",
    options.runUrl ? `[workflow run](${options.runUrl})` : "",
  ].filter(Boolean);
  if (meta.length) out.push(meta.join(" · "), "");

  const stateful = stacks.flatMap((s) =>
    s.status === "planned" ? s.summary.stateful.map((r) => ({ stack: s.stack, r })) : [],
  );
  if (stateful.length) {
    out.push(
      "> [!CAUTION]",
      "> **This plan destroys or replaces stateful resources.** Their data (log archive, encryption",
      "> keys, log events, the trail) does not come back with a replacement. Check that this is",
      "> intended before merging:",
      ...stateful.map(({ stack, r }) => `> - \`${stack}\`: ${describeRemoved(r)}`),
      "",
    );
  }
  const failed = stacks.filter((s) => s.status === "failed").map((s) => `\`${s.stack}\``);
  if (failed.length) {
    out.push(
      "> [!WARNING]",
      `> **${plural(failed.length, "stack")} failed to plan:** ${failed.join(", ")}. ${failed.length === 1 ? "Its" : "Their"} changes are unknown.`,
      "",
    );
  }
  if (!stacks.length) out.push("No stacks were found to plan.");
  else out.push(...table(stacks));
  return out;
}

function table(stacks: StackResult[]): string[] {
  const rows = stacks.map((s) => {
    if (s.status === "failed") return `| \`${s.stack}\` | – | – | – | ❌ plan failed |`;
    const c = s.summary.counts;
    const note = s.summary.stateful.length
      ? "⚠️ destroys stateful resources"
      : hasChanges(c)
        ? "changes"
        : "no changes";
    return `| \`${s.stack}\` | ${c.add} | ${c.change} | ${c.destroy} | ${note} |`;
  });
  return ["| Stack | Add | Change | Destroy | |", "| --- | ---: | ---: | ---: | --- |", ...rows];
}

/** A stack's section, with its long text (plan or error log) left as a slot to size later. */
interface Section {
  head: string;
  text: string;
  render: (text: string, truncated: boolean) => string;
}

function section(s: StackResult): Section {
  if (s.status === "failed") {
    const lines = (s.log ?? "").replace(/\n+$/, "").split("\n");
    const tail = lines.slice(-FAILED_LOG_LINES).join("\n");
    const head = [`### ❌ \`${s.stack}\`: plan failed`, "", s.reason].join("\n");
    return {
      head,
      text: s.log ? tail : "",
      render: (text, truncated) =>
        s.log
          ? details(
              lines.length > FAILED_LOG_LINES ? `Last ${FAILED_LOG_LINES} lines of the log` : "Log",
              fenced(text, "text") + (truncated ? "\n\n_Log truncated._" : ""),
            )
          : "",
    };
  }
  const { counts, removed, complete } = s.summary;
  const title = hasChanges(counts) ? countsLine(counts) : "no changes";
  const parts = [`### \`${s.stack}\`: ${title}`];
  if (!complete)
    parts.push("", "This is a partial plan: some changes are deferred to a later run.");
  const replaced = removed.filter((r) => r.kind !== "delete");
  const destroyed = removed.filter((r) => r.kind === "delete");
  if (replaced.length) parts.push("", "**Replaced:**", bulletList(replaced.map(describeRemoved)));
  if (destroyed.length)
    parts.push("", "**Destroyed:**", bulletList(destroyed.map(describeRemoved)));
  const planText = trimBlankLines(s.planText);
  const lineCount = planText.split("\n").length;
  return {
    head: parts.join("\n"),
    text: planText,
    render: (text, truncated) =>
      details(
        `Plan output (${plural(lineCount, "line")})`,
        fenced(text, "text") +
          (truncated
            ? `\n\n_Plan output truncated to fit GitHub's comment limit: ${text.length} of ${planText.length} characters shown. The full plan is in the workflow run's log._`
            : ""),
      ),
  };
}

/**
 * Shares `budget` characters among texts: short texts keep all they need and what they leave
 * goes to the longer ones (each of which gets an equal share of the rest).
 */
function allocate(lengths: number[], budget: number): number[] {
  const order = lengths.map((len, i) => ({ len, i })).sort((a, b) => a.len - b.len);
  const out = new Array<number>(lengths.length).fill(0);
  let left = Math.max(0, budget);
  order.forEach(({ len, i }, k) => {
    const share = Math.floor(left / (order.length - k));
    out[i] = Math.min(len, share);
    left -= out[i];
  });
  return out;
}

/**
 * The pull-request comment: marker, warnings (stateful resources destroyed or replaced, failed
 * stacks), a table of counts, then per stack the replaced/destroyed addresses and the folded plan
 * text. When that exceeds `options.limit`, the longest texts are cut (whole lines, with a note)
 * until it fits.
 */
export function renderComment(stacks: StackResult[], options: CommentOptions = {}): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const top = header(stacks, options).join("\n");
  const sections = stacks.map(section);
  const assemble = (texts: string[], truncated: boolean[]) =>
    // Blank lines between blocks: a line right after </details> would still be HTML to GitHub.
    [top, ...sections.map((s, i) => [s.head, s.render(texts[i], truncated[i])].join("\n\n"))]
      .join("\n\n")
      .replace(/\n*$/, "\n");

  const full = assemble(
    sections.map((s) => s.text),
    sections.map(() => false),
  );
  if (full.length <= limit) return full;

  // Size everything but the texts with the truncation notes in place, then share what is left.
  const frame = assemble(
    sections.map(() => ""),
    sections.map((s) => s.text.length > 0),
  ).length;
  // The notes quote character counts: leave room for their digits.
  const slack = 16 * sections.length;
  const budgets = allocate(
    sections.map((s) => s.text.length),
    limit - frame - slack,
  );
  const cut = sections.map((s, i) => truncateText(s.text, budgets[i]));
  const out = assemble(
    cut.map((c) => c.text),
    cut.map((c) => c.truncated),
  );
  if (out.length <= limit) return out;
  // Only reachable with so many stacks that the frame alone is too long.
  const note = "\n\n_Comment truncated to fit GitHub's comment limit._\n";
  return out.slice(0, limit - note.length) + note;
}
