/**
 * Runs the backtest over files, in this thread or on a pool of worker threads (one file at a time
 * per worker). Parsing JSON is most of the cost and is per file, so files spread well over cores;
 * results come back as plain tallies and are merged in input order.
 */
import { availableParallelism } from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { compilePlan, scanFile, type EngineOptions, type PlannedDetection } from "./engine";
import { InputError, openInput, type ReadOptions, type Skipped } from "./readers";
import { SentByThread, Totals, type DetectionTotals, type FileTally } from "./tally";

export interface RunOptions extends EngineOptions, ReadOptions {
  /** Worker threads; 1 runs in this thread. */
  readonly jobs: number;
  /** Called with records read since the last call, and when a file is done. */
  readonly onProgress?: (records: number, fileDone: boolean) => void;
}

export interface BacktestResult {
  /** Records read from the files that were not skipped. */
  readonly records: number;
  /** Files read (not skipped). */
  readonly files: number;
  readonly skipped: Skipped[];
  readonly detections: DetectionTotals[];
  /** Records read from each input file, in input order (0 for a skipped file). */
  readonly fileRecords: number[];
}

/** Messages between the pool and its workers. */
export type ToWorker =
  | {
      readonly type: "init";
      readonly plan: readonly PlannedDetection[];
      readonly options: WorkerOptions;
    }
  | { readonly type: "file"; readonly index: number; readonly file: string };
export type FromWorker =
  | { readonly type: "progress"; readonly records: number }
  | { readonly type: "done"; readonly index: number; readonly tally: FileTally }
  | { readonly type: "skipped"; readonly index: number; readonly error: string }
  | { readonly type: "crash"; readonly message: string };
export type WorkerOptions = EngineOptions & ReadOptions;

/**
 * Worker threads pay off once there is enough to parse: each one starts its own runtime and
 * compiles the matchers (about 0.1 s under tsx). Below this much input one thread is faster.
 */
export const WORKER_MIN_BYTES = 8 * 1024 * 1024;

export function autoJobs(files: number, totalBytes: number): number {
  if (files < 2 || totalBytes < WORKER_MIN_BYTES) return 1;
  return Math.max(1, Math.min(files, availableParallelism()));
}

export async function runBacktest(
  files: readonly string[],
  plan: readonly PlannedDetection[],
  options: RunOptions,
): Promise<BacktestResult> {
  const results: (FileTally | Skipped | undefined)[] = new Array(files.length);
  const totals = new Totals(plan);
  const skipped: Skipped[] = [];
  const fileRecords = new Array<number>(files.length).fill(0);
  let next = 0;
  // Merge each file as soon as every file before it is merged: input order, bounded buffering.
  const settle = (index: number, r: FileTally | Skipped) => {
    results[index] = r;
    for (; next < files.length && results[next] !== undefined; next++) {
      const done = results[next]!;
      if ("error" in done) skipped.push(done);
      else {
        totals.add(done);
        fileRecords[next] = done.records;
      }
      results[next] = undefined;
    }
  };
  const workerOptions: WorkerOptions = {
    eventIds: options.eventIds,
    exhaustive: options.exhaustive,
    wholeFileLimit: options.wholeFileLimit,
  };
  if (options.jobs <= 1 || files.length < 2)
    await runHere(files, plan, workerOptions, settle, options.onProgress);
  else await runOnWorkers(files, plan, workerOptions, settle, options);
  return {
    records: totals.records,
    files: totals.files,
    skipped,
    detections: totals.result(),
    fileRecords,
  };
}

async function runHere(
  files: readonly string[],
  plan: readonly PlannedDetection[],
  options: WorkerOptions,
  settle: (index: number, r: FileTally | Skipped) => void,
  onProgress: RunOptions["onProgress"],
): Promise<void> {
  const compiled = compilePlan(plan, options);
  const sent = new SentByThread(plan.length);
  const progress = onProgress && ((n: number) => onProgress(n, false));
  let next = files.length > 0 ? openInput(files[0]) : undefined;
  for (let i = 0; i < files.length; i++) {
    const input = next!;
    next = i + 1 < files.length ? openInput(files[i + 1]) : undefined;
    try {
      settle(i, await scanFile(compiled, files[i], options, progress, input, sent));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      settle(i, { file: files[i], error: e.message });
    }
    onProgress?.(0, true);
  }
}

function runOnWorkers(
  files: readonly string[],
  plan: readonly PlannedDetection[],
  options: WorkerOptions,
  settle: (index: number, r: FileTally | Skipped) => void,
  run: RunOptions,
): Promise<void> {
  const count = Math.min(run.jobs, files.length);
  const workers: Worker[] = [];
  let next = 0;
  let pending = files.length;
  return new Promise<void>((resolve, reject) => {
    const fail = (e: Error) => {
      for (const w of workers) void w.terminate();
      reject(e);
    };
    const feed = (w: Worker) => {
      if (next < files.length) {
        const index = next++;
        w.postMessage({ type: "file", index, file: files[index] } satisfies ToWorker);
      }
    };
    for (let k = 0; k < count; k++) {
      const w = startWorker();
      workers.push(w);
      w.on("error", fail);
      w.on("message", (m: FromWorker) => {
        if (m.type === "progress") return run.onProgress?.(m.records, false);
        if (m.type === "crash") return fail(new Error(`backtest worker failed: ${m.message}`));
        settle(m.index, m.type === "done" ? m.tally : { file: files[m.index], error: m.error });
        run.onProgress?.(0, true);
        if (--pending === 0) {
          Promise.all(workers.map((x) => x.terminate())).then(() => resolve(), reject);
          return;
        }
        feed(w);
      });
      w.postMessage({ type: "init", plan, options } satisfies ToWorker);
      // Two files in flight per worker: it opens the second while scanning the first.
      feed(w);
      feed(w);
    }
  });
}

/**
 * Starts `worker.ts` beside this module. Run from TypeScript source (tsx, jest), the worker
 * registers tsx's require hook itself: worker threads do not inherit the parent's loaders.
 */
function startWorker(): Worker {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `worker${ext}`);
  if (ext !== ".ts") return new Worker(file);
  const tsx = require.resolve("tsx/cjs");
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, {
    eval: true,
  });
}
