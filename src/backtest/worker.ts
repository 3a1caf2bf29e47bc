/**
 * Worker thread of the backtest pool (pool.ts): scans the files it is sent, one at a time, in
 * order. The pool keeps two files queued here, so the next one is opened (and zlib inflates it)
 * while the current one is parsed.
 */
import { parentPort } from "node:worker_threads";
import { compilePlan, scanFile, type CompiledPlan } from "./engine";
import type { FromWorker, ToWorker, WorkerOptions } from "./pool";
import { InputError, openInput } from "./readers";
import { SentByThread } from "./tally";

const port = parentPort;
if (!port) throw new Error("backtest worker: not started as a worker thread");

let compiled: CompiledPlan | undefined;
let sent: SentByThread | undefined;
let options: WorkerOptions = {};
const queue: { index: number; file: string; input?: Promise<AsyncIterable<Buffer>> }[] = [];
let busy = false;
const send = (m: FromWorker) => port.postMessage(m);
const progress = (records: number) => send({ type: "progress", records });

async function drain(): Promise<void> {
  busy = true;
  while (queue.length > 0) {
    const job = queue.shift()!;
    if (queue[0] && !queue[0].input) queue[0].input = openInput(queue[0].file);
    try {
      const tally = await scanFile(compiled!, job.file, options, progress, job.input, sent);
      send({ type: "done", index: job.index, tally });
    } catch (e) {
      if (e instanceof InputError) send({ type: "skipped", index: job.index, error: e.message });
      else
        send({ type: "crash", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  }
  busy = false;
}

port.on("message", (m: ToWorker) => {
  if (m.type === "init") {
    options = m.options;
    compiled = compilePlan(m.plan, options);
    sent = new SentByThread(m.plan.length);
    return;
  }
  queue.push({ index: m.index, file: m.file, input: busy ? openInput(m.file) : undefined });
  if (!busy) void drain();
});
