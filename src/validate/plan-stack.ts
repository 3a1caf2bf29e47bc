import * as path from "node:path";
import { parsePlanJson, summarizePlan, type PlanCounts } from "../plan/summary";
import { fromJsonDiagnostic, parseHumanDiagnostics, type Diagnostic } from "./diagnostics";
import {
  stackFileOf,
  stackPinnedVersion,
  withoutImports,
  writeOfflineCopy,
  type OfflineChange,
} from "./offline-copy";
import type { PlannedJson } from "./plan-json";
import type { ValidationSession } from "./session";
import { runTerraform, type TerraformRun } from "./terraform";

/** What `npm run validate` learnt about one stack. */
export interface StackPlan {
  readonly stack: string;
  /** The rendered stack directory (never modified; the plan ran on a temporary copy). */
  readonly dir: string;
  /** The hashicorp/aws version the plan used, and the one the stack pins. */
  readonly providerVersion: string;
  readonly pinnedVersion?: string;
  /** What the offline copy changed, and why. */
  readonly changes: readonly OfflineChange[];
  /** `terraform validate`; absent when init failed. */
  readonly validate?: {
    readonly valid: boolean;
    readonly errorCount: number;
    readonly warningCount: number;
  };
  /** "Plan: N to add, N to change, N to destroy"; absent when no plan was made. */
  readonly counts?: PlanCounts;
  /** `terraform show -json` of the saved plan: assert on planned values with `plannedResources`. */
  readonly plan?: PlannedJson;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  /** Wall time of each command, milliseconds. */
  readonly timings: Partial<Record<"init" | "validate" | "plan" | "show", number>> & {
    readonly total: number;
  };
  /** Initialized, valid and planned, with no error. */
  readonly ok: boolean;
}

/** A stack copied and initialized, ready for `checkStack`. */
export interface PreparedStack {
  readonly stack: string;
  readonly dir: string;
  readonly work: string;
  readonly pinnedVersion?: string;
  readonly changes: readonly OfflineChange[];
  readonly init: TerraformRun;
  readonly started: number;
}

/** Copies the stack into the session offline and runs `terraform init -backend=false`. */
export async function prepareStack(
  session: ValidationSession,
  stackDir: string,
  opts: { readonly terraform?: string } = {},
): Promise<PreparedStack> {
  const started = Date.now();
  const stack = path.basename(stackDir);
  if (!stackFileOf(stackDir))
    throw new Error(`${stackDir}: no cdk.tf.json or main.tf: not a rendered stack`);
  const pinnedVersion = stackPinnedVersion(stackDir);
  const work = session.stackDir(stack);
  const changes = writeOfflineCopy(stackDir, work, session.provider.version);
  const init = await run(
    session,
    work,
    ["init", "-backend=false", "-input=false", "-no-color"],
    opts,
  );
  return { stack, dir: stackDir, work, pinnedVersion, changes, init, started };
}

/** `terraform validate`, then `terraform plan` (offline) and `terraform show -json` of the plan. */
export async function checkStack(
  session: ValidationSession,
  p: PreparedStack,
  opts: { readonly terraform?: string } = {},
): Promise<StackPlan> {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const timings: Record<string, number> = { init: p.init.ms };
  const add = (ds: Diagnostic[]) => {
    for (const d of ds) (d.severity === "error" ? errors : warnings).push(d);
  };
  const result = (extra: Partial<StackPlan>): StackPlan => ({
    stack: p.stack,
    dir: p.dir,
    providerVersion: session.provider.version,
    ...(p.pinnedVersion ? { pinnedVersion: p.pinnedVersion } : {}),
    changes: p.changes,
    errors,
    warnings,
    timings: { ...timings, total: Date.now() - p.started },
    ok: false,
    ...extra,
  });

  if (p.init.code !== 0) {
    add(parseHumanDiagnostics("init", p.init.stderr + p.init.stdout));
    if (!errors.length) errors.push(failure("init", p.init));
    return result({});
  }

  const v = await run(session, p.work, ["validate", "-json", "-no-color"], opts);
  timings.validate = v.ms;
  let validate: StackPlan["validate"];
  try {
    const doc = JSON.parse(v.stdout);
    add((doc.diagnostics ?? []).map((d: object) => fromJsonDiagnostic("validate", d)));
    validate = {
      valid: doc.valid === true,
      errorCount: Number(doc.error_count ?? 0),
      warningCount: Number(doc.warning_count ?? 0),
    };
  } catch {
    errors.push(failure("validate", v));
    validate = { valid: false, errorCount: 1, warningCount: 0 };
  }
  if (!validate.valid) return result({ validate });

  withoutImports(p.work);
  const planArgs = [
    "plan",
    "-refresh=false",
    "-lock=false",
    "-input=false",
    "-json",
    "-out=tfplan",
  ];
  const pl = await run(session, p.work, planArgs, opts);
  timings.plan = pl.ms;
  for (const line of pl.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const msg = JSON.parse(line);
      // validate already reported the configuration's warnings; keep the plan's errors and new ones.
      if (msg.type === "diagnostic") {
        const d = fromJsonDiagnostic("plan", msg.diagnostic);
        if (d.severity === "error" || !warnings.some((w) => w.summary === d.summary)) add([d]);
      }
    } catch {
      // a line that is not a JSON message: ignore
    }
  }
  if (pl.code !== 0) {
    if (!errors.length) errors.push(failure("plan", pl));
    return result({ validate });
  }

  const show = await run(session, p.work, ["show", "-json", "-no-color", "tfplan"], opts);
  timings.show = show.ms;
  let plan: PlannedJson;
  try {
    if (show.code !== 0) throw new Error(firstLines(show.stderr));
    plan = parsePlanJson(show.stdout) as PlannedJson;
  } catch (e) {
    errors.push({ step: "show", severity: "error", summary: (e as Error).message });
    return result({ validate });
  }
  const counts = summarizePlan(plan).counts;
  return result({ validate, counts, plan, ok: errors.length === 0 });
}

function run(
  session: ValidationSession,
  cwd: string,
  args: string[],
  opts: { readonly terraform?: string },
): Promise<TerraformRun> {
  return runTerraform(args, { cwd, cliConfigFile: session.cliConfigFile, binary: opts.terraform });
}

function failure(step: Diagnostic["step"], r: TerraformRun): Diagnostic {
  return {
    step,
    severity: "error",
    summary: r.timedOut
      ? `terraform ${r.args[0]} timed out`
      : `terraform ${r.args[0]} failed (exit code ${r.code})`,
    detail: firstLines(r.stderr || r.stdout),
  };
}

const firstLines = (text: string) => text.trim().split("\n").slice(0, 20).join("\n");
