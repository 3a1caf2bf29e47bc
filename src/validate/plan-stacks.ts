import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import {
  chooseProvider,
  searchAwsProvider,
  type MirrorSearch,
  type ProviderChoice,
  type SearchOptions,
} from "./mirror";
import { stackFileOf, stackPinnedVersion } from "./offline-copy";
import { checkStack, prepareStack, type PreparedStack, type StackPlan } from "./plan-stack";
import { ValidationSession } from "./session";

/** No hashicorp/aws package in any mirror searched; `search` says where it looked. */
export class NoProviderError extends Error {
  constructor(readonly search: MirrorSearch) {
    super(
      `no hashicorp/aws provider for this platform in any filesystem mirror; searched:\n` +
        search.candidates.map((c) => `  ${c.dir} (${c.foundBy})`).join("\n"),
    );
    this.name = "NoProviderError";
  }
}

export interface PlanOptions extends SearchOptions {
  /** The provider to plan with. @default chosen from `searchAwsProvider` */
  readonly provider?: ProviderChoice;
  /** Stacks planned at once. @default 2 */
  readonly jobs?: number;
  /** Terraform binary. @default "terraform" from PATH */
  readonly terraform?: string;
  /** Where the temporary directory is made. @default os.tmpdir() */
  readonly tempParent?: string;
  /** Called as each stack finishes, in completion order. */
  readonly onStack?: (plan: StackPlan) => void;
}

/** Stack directories of a cdktf output directory, in manifest order (else by name). */
export function stackDirs(outdir: string): string[] {
  const stacksDir = path.join(outdir, "stacks");
  const manifest = path.join(outdir, "manifest.json");
  const names = existsSync(manifest)
    ? Object.keys(JSON.parse(readFileSync(manifest, "utf8")).stacks ?? {})
    : existsSync(stacksDir)
      ? readdirSync(stacksDir).sort()
      : [];
  return names.map((n) => path.join(stacksDir, n)).filter((d) => stackFileOf(d) !== undefined);
}

/**
 * The provider to plan `stackDirs` with: searched on this machine and chosen against the version
 * the first stack pins. Throws NoProviderError when there is none.
 */
export async function findProvider(
  dirs: readonly string[],
  opts: SearchOptions = {},
): Promise<ProviderChoice & { readonly search: MirrorSearch }> {
  const search = await searchAwsProvider(opts);
  const pinned = dirs.length ? stackPinnedVersion(dirs[0]) : undefined;
  const choice = chooseProvider(search.packages, pinned);
  if (!choice) throw new NoProviderError(search);
  return { ...choice, search };
}

/**
 * Plans every stack of a cdktf output directory with the real Terraform CLI, offline: each stack
 * is copied to a temporary directory (see `offlineStack`), then `terraform init -backend=false`,
 * `terraform validate`, `terraform plan -refresh=false -lock=false` and `terraform show -json`.
 * At most `jobs` stacks run at once; the first stack's init runs alone so the shared plugin cache
 * is filled once. The temporary directory is removed before this returns (or throws).
 *
 * @returns one StackPlan per stack, in stack order.
 * @throws NoProviderError when no hashicorp/aws package is found (and none was given).
 */
export async function planStacks(outdir: string, opts: PlanOptions = {}): Promise<StackPlan[]> {
  return planStackDirs(stackDirs(outdir), opts);
}

/** `planStacks` for one rendered stack directory (`cdktf.out/stacks/<stack>`). */
export async function planStack(stackDir: string, opts: PlanOptions = {}): Promise<StackPlan> {
  const [plan] = await planStackDirs([stackDir], opts);
  return plan;
}

/** `planStacks` for a list of rendered stack directories. */
export async function planStackDirs(
  dirs: readonly string[],
  opts: PlanOptions = {},
): Promise<StackPlan[]> {
  if (dirs.length === 0) return [];
  const choice = opts.provider ?? (await findProvider(dirs, opts));
  const session = new ValidationSession(choice.provider, opts.tempParent);
  try {
    const tf = { terraform: opts.terraform };
    const results: StackPlan[] = new Array(dirs.length);
    const first = await prepareStack(session, dirs[0], tf);
    const tasks: (() => Promise<void>)[] = dirs.map((dir, i) => async () => {
      const prepared: PreparedStack = i === 0 ? first : await prepareStack(session, dir, tf);
      results[i] = await checkStack(session, prepared, tf);
      opts.onStack?.(results[i]);
    });
    await pool(tasks, Math.max(1, opts.jobs ?? 2));
    return results;
  } finally {
    session.close();
  }
}

/** Runs tasks with at most `size` in flight; rejects with the first failure after all settle. */
async function pool(tasks: readonly (() => Promise<void>)[], size: number): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++];
      try {
        await task();
      } catch (e) {
        failures.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, tasks.length) }, worker));
  if (failures.length) throw failures[0];
}
