/** Worker thread of the backtest pool (pool.ts): scans the files it is sent, one at a time. */
import { parentPort } from "node:worker_threads";
import { compilePlan, scanFile } from "./engine";
import type { FromWorker, ToWorker, WorkerOptions } from "./pool";
import { InputError } from "./readers";

const port = parentPort;
if (!port) throw new Error("backtest worker: not started as a worker thread");

let compiled: ReturnType<typeof compilePlan> | undefined;
let options: WorkerOptions = {};
const send = (m: FromWorker) => port.postMessage(m);
// Progress is batched: one message per 16k records keeps messaging off the hot path.
const progress = (records: number) => send({ type: "progress", records });

port.on("message", (m: ToWorker) => {
  if (m.type === "init") {
    options = m.options;
    compiled = compilePlan(m.plan, options);
    return;
  }
  const ready = compiled!;
  scanFile(ready, m.file, options, progress).then(
    (tally) => send({ type: "done", index: m.index, tally }),
    (e: unknown) =>
      e instanceof InputError
        ? send({ type: "skipped", index: m.index, error: e.message })
        : send({ type: "crash", message: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
