/**
 * Input for the backtest: CloudTrail log files as CloudTrail writes them to S3
 * (`{"Records":[...]}`, usually `.json.gz`), JSON Lines of records (`.jsonl`, `.jsonl.gz`), and
 * `aws cloudtrail lookup-events` output (`{"Events":[{"CloudTrailEvent":"<json>"}]}`).
 *
 * Every file is streamed (gzip through `zlib.createGunzip`). A JSON document up to
 * `wholeFileLimit` bytes (decompressed) is parsed whole with `JSON.parse`, which is about 20%
 * faster per record than splitting it; a larger one is handed, already-read bytes first, to the
 * streaming `TopLevelArrayParser`, so memory is bounded by that limit however big a file is, and
 * nothing of a file is kept once it is done. CloudTrail's own objects are far below the limit.
 */
import { createReadStream, type BigIntStats } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import type { TransformOptions } from "node:stream";
import { createGunzip, type ZlibOptions } from "node:zlib";
import { JsonShapeError, TopLevelArrayParser } from "./json-array";

export type CloudTrailRecord = Readonly<Record<string, unknown>>;

/** Why a file cannot be used; the backtest reports it with the file name and goes on. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** A path named on the command line does not exist: a usage error, not a skipped file. */
export class MissingPathError extends Error {
  constructor(readonly file: string) {
    super(`${file}: no such file or directory`);
    this.name = "MissingPathError";
  }
}

export interface Skipped {
  readonly file: string;
  readonly error: string;
}

export type InputFormat = "records" | "lookup-events" | "jsonl";

export interface ReadOptions {
  /** Decompressed size up to which a JSON document is parsed whole. @default 16 MiB */
  readonly wholeFileLimit?: number;
}

export const DEFAULT_WHOLE_FILE_LIMIT = 16 * 1024 * 1024;

/**
 * CloudTrail data by name, as a directory walk picks it up: what CloudTrail writes to S3
 * (`.json.gz`), JSON documents (`.json`, e.g. `aws cloudtrail lookup-events` output) and JSON
 * Lines (`.jsonl`, `.ndjson`), each optionally gzipped. Files named explicitly are read whatever
 * their name.
 */
const INPUT_NAME = /\.(json|jsonl|ndjson)(\.gz)?$/i;
const LINES_NAME = /\.(jsonl|ndjson)(\.gz)?$/i;
export const INPUT_SUFFIXES = ".json, .json.gz, .jsonl, .jsonl.gz, .ndjson, .ndjson.gz";

/** What `listInputs` found. */
export interface Inputs {
  /** Files to read, in a stable order; each real file once, however many links lead to it. */
  readonly files: string[];
  /** For each of `files`, the index of the command-line path it was found under. */
  readonly roots: number[];
  /** Size of all `files`, bytes. */
  readonly bytes: number;
  /** Entries that are not read, with the reason (`root`: index of the command-line path). */
  readonly skipped: (Skipped & { readonly root: number })[];
  /**
   * Hidden entries (names starting with ".") a walk passed over without reading: OS and tool
   * metadata (.DS_Store, AppleDouble `._*` files, .git), never CloudTrail data.
   */
  readonly hidden: string[];
  /**
   * For each command-line path, whether it leads to a directory or file already listed under an
   * earlier one (`trail trail/2024`, or one path twice): those records are not missing.
   */
  readonly overlaps: boolean[];
}

/**
 * The files to read: explicit files as given, directories walked recursively with entries in name
 * order (so `YYYY/MM/DD` trees come out in time order). Symbolic links are followed, but every
 * real directory is walked and every real file read once (identified by device and inode), so a
 * link loop (`self -> .`, two directories linking to each other) ends. A walk skips, with the
 * reason: files whose name is not CloudTrail data (INPUT_NAME), dangling links, special files and
 * entries it cannot list or stat; it passes over hidden entries (reported in `hidden`). A missing
 * command-line path throws MissingPathError.
 */
export async function listInputs(paths: readonly string[]): Promise<Inputs> {
  const out: Walk = {
    files: [],
    roots: [],
    bytes: 0,
    skipped: [],
    hidden: [],
    overlaps: paths.map(() => false),
    seen: new Map(),
    root: 0,
  };
  for (const [root, p] of paths.entries()) {
    out.root = root;
    let s: BigIntStats;
    try {
      s = await stat(p, { bigint: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new MissingPathError(p);
      out.skipped.push({ file: p, error: describeError(e), root });
      continue;
    }
    if (s.isDirectory()) {
      if (firstVisit(out, s)) await walk(p, out);
    } else if (firstVisit(out, s)) addFile(out, p, s);
  }
  const { files, roots, bytes, skipped, hidden, overlaps } = out;
  return { files, roots, bytes, skipped, hidden, overlaps };
}

interface Walk {
  files: string[];
  roots: number[];
  bytes: number;
  skipped: (Skipped & { readonly root: number })[];
  hidden: string[];
  overlaps: boolean[];
  /** `device:inode` of every directory walked and file listed -> the root it was met under. */
  seen: Map<string, number>;
  /** Index of the command-line path being walked. */
  root: number;
}

function firstVisit(w: Walk, s: BigIntStats): boolean {
  const key = `${s.dev}:${s.ino}`;
  const under = w.seen.get(key);
  if (under === undefined) {
    w.seen.set(key, w.root);
    return true;
  }
  if (under !== w.root) w.overlaps[w.root] = true;
  return false;
}

function addFile(w: Walk, file: string, s: BigIntStats): void {
  w.files.push(file);
  w.roots.push(w.root);
  w.bytes += Number(s.size);
}

async function walk(dir: string, w: Walk): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    w.skipped.push({ file: dir, error: describeError(e), root: w.root });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const visible = entries.filter((entry) => {
    if (!entry.name.startsWith(".")) return true;
    w.hidden.push(path.join(dir, entry.name));
    return false;
  });
  // stat (following links) the directory's entries at once: a day of CloudTrail is hundreds.
  const stats = await Promise.allSettled(
    visible.map((entry) => stat(path.join(dir, entry.name), { bigint: true })),
  );
  for (const [i, entry] of visible.entries()) {
    const full = path.join(dir, entry.name);
    const s = stats[i];
    if (s.status === "rejected") {
      w.skipped.push({
        file: full,
        error: linkError(entry.isSymbolicLink(), s.reason),
        root: w.root,
      });
      continue;
    }
    if (s.value.isDirectory()) {
      if (firstVisit(w, s.value)) await walk(full, w);
    } else if (!s.value.isFile())
      w.skipped.push({ file: full, error: "not a regular file", root: w.root });
    else if (!firstVisit(w, s.value)) continue;
    else if (!INPUT_NAME.test(entry.name))
      w.skipped.push({
        file: full,
        error: `not CloudTrail data by its name (a directory walk reads ${INPUT_SUFFIXES})`,
        root: w.root,
      });
    else addFile(w, full, s.value);
  }
}

function linkError(isLink: boolean, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (isLink && code === "ENOENT") return "dangling symbolic link: its target does not exist";
  if (code === "ELOOP") return "symbolic link loop: the link never reaches a file";
  return describeError(e);
}

/**
 * Reads every record of one file, passing each to `onRecord` as soon as it is parsed. Throws
 * InputError when the file cannot be read, is truncated or corrupt, or is not CloudTrail data;
 * records already passed on belong to a file that failed, so callers keep per-file results apart
 * until the file is done. `input` is the file opened earlier with `openInput` (prefetching).
 */
export async function readRecords(
  file: string,
  onRecord: (r: CloudTrailRecord) => void,
  options: ReadOptions = {},
  input: Promise<AsyncIterable<Buffer>> = openInput(file),
): Promise<InputFormat> {
  try {
    const chunks = await input;
    if (LINES_NAME.test(file)) {
      await readLines(chunks, onRecord);
      return "jsonl";
    }
    return await readDocument(chunks, onRecord, options.wholeFileLimit ?? DEFAULT_WHOLE_FILE_LIMIT);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(describeError(e));
  }
}

/**
 * Decompressed bytes buffered ahead of the reader. Opening the next file while the current one
 * is parsed lets zlib (on libuv's thread pool) inflate it meanwhile; this bounds how far.
 */
export const PREFETCH_BYTES = 8 * 1024 * 1024;

/**
 * Starts reading a file: its bytes, gunzipped when they start with the gzip magic number
 * (whatever the name). Errors surface when the chunks are read, never as an unhandled event.
 */
export function openInput(file: string): Promise<AsyncIterable<Buffer>> {
  const opened = openChunks(file);
  opened.catch(() => undefined); // awaited later by readRecords; not unhandled meanwhile
  return opened;
}

async function openChunks(file: string): Promise<AsyncIterable<Buffer>> {
  const handle = await open(file, "r");
  let gzip: boolean;
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
  const source = createReadStream(file, { highWaterMark: 256 * 1024 });
  // Until the reader iterates, an error is kept by the destroyed stream and rethrown then.
  const keep = () => undefined;
  source.on("error", keep);
  if (!gzip) return source;
  // zlib streams take Transform options too; @types/node's ZlibOptions leaves them out.
  const gunzipOptions: ZlibOptions & TransformOptions = {
    chunkSize: 256 * 1024,
    highWaterMark: PREFETCH_BYTES,
  };
  const gunzip = createGunzip(gunzipOptions);
  gunzip.on("error", keep);
  // pipe() does not forward errors: a read error must end the gunzip stream too.
  source.on("error", (e) => gunzip.destroy(e));
  return source.pipe(gunzip);
}

const RECORD_KEYS = ["Records", "Events"];

async function readDocument(
  chunks: AsyncIterable<Buffer>,
  onRecord: (r: CloudTrailRecord) => void,
  wholeFileLimit: number,
): Promise<InputFormat> {
  const parts: Buffer[] = [];
  let size = 0;
  let parser: TopLevelArrayParser | undefined;
  const toRecord = (key: string, index: number, value: unknown) =>
    onRecord(
      key === "Events" ? lookupEventRecord(value, index) : checkRecord(value, `Records[${index}]`),
    );
  for await (const chunk of chunks) {
    if (parser) {
      parser.push(chunk);
      continue;
    }
    parts.push(chunk);
    size += chunk.length;
    if (size > wholeFileLimit) {
      parser = new TopLevelArrayParser(RECORD_KEYS, (e) => toRecord(e.key, e.index, e.value));
      for (const p of parts) parser.push(p);
      parts.length = 0;
    }
  }
  if (parser) {
    try {
      parser.end();
    } catch (e) {
      throw new InputError(shapeMessage(e));
    }
    return parser.key === "Events" ? "lookup-events" : "records";
  }
  const doc = parseWhole(Buffer.concat(parts, size));
  const key = RECORD_KEYS.find((k) => Array.isArray(doc[k]));
  if (!key) throw new InputError(noRecordsMessage(doc));
  (doc[key] as unknown[]).forEach((value, i) => toRecord(key, i, value));
  return key === "Events" ? "lookup-events" : "records";
}

function parseWhole(bytes: Buffer): Record<string, unknown> {
  if (bytes.length === 0) throw new InputError("the file is empty");
  let text = bytes.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON (truncated?): ${(e as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new InputError("not CloudTrail log data: the JSON is not an object");
  return doc as Record<string, unknown>;
}

function noRecordsMessage(doc: Record<string, unknown>): string {
  // CloudTrail writes digest files beside the logs (CloudTrail-Digest/); say so when it is one.
  const digest = "digestStartTime" in doc ? " (a CloudTrail digest file)" : "";
  return `not CloudTrail log data${digest}: no top-level "Records" or "Events" array`;
}

function shapeMessage(e: unknown): string {
  const m = (e as Error).message;
  return e instanceof JsonShapeError && m.startsWith("no top-level")
    ? `not CloudTrail log data: ${m}`
    : m;
}

async function readLines(
  chunks: AsyncIterable<Buffer>,
  onRecord: (r: CloudTrailRecord) => void,
): Promise<void> {
  let rest: Buffer | undefined;
  let line = 0;
  const take = (buf: Buffer, start: number, end: number) => {
    line++;
    const text = buf.toString("utf8", start, end).trim();
    if (text === "") return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new InputError(`line ${line}: not valid JSON (truncated?): ${(e as Error).message}`);
    }
    onRecord(checkRecord(value, `line ${line}`));
  };
  for await (const chunk of chunks) {
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      take(buf, start, nl);
      start = nl + 1;
    }
    rest = start < buf.length ? buf.subarray(start) : undefined;
  }
  if (rest) take(rest, 0, rest.length);
  if (line === 0) throw new InputError("the file is empty");
}

function lookupEventRecord(value: unknown, index: number): CloudTrailRecord {
  const where = `Events[${index}]`;
  const text = isObject(value) ? value.CloudTrailEvent : undefined;
  if (typeof text !== "string")
    throw new InputError(`not CloudTrail lookup-events output: ${where} has no CloudTrailEvent`);
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${where}.CloudTrailEvent is not valid JSON: ${(e as Error).message}`);
  }
  return checkRecord(record, `${where}.CloudTrailEvent`);
}

/**
 * A CloudTrail record has string `eventTime`, `eventSource` and `eventName`; Insights events
 * carry the last two under `insightDetails` instead.
 */
function checkRecord(value: unknown, where: string): CloudTrailRecord {
  if (!isObject(value)) throw new InputError(`not a CloudTrail record: ${where} is not an object`);
  const required =
    value.eventType === "AwsCloudTrailInsight"
      ? ["eventTime"]
      : ["eventTime", "eventSource", "eventName"];
  for (const field of required)
    if (typeof value[field] !== "string")
      throw new InputError(`not a CloudTrail record: ${where} has no "${field}"`);
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A short reason for a file error: the OS or zlib condition in words, without a stack. */
export function describeError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case "ENOENT":
      return "cannot read: no such file (a dangling link?)";
    case "EACCES":
    case "EPERM":
      return "cannot read: permission denied";
    case "EISDIR":
      return "cannot read: is a directory";
    case "Z_BUF_ERROR":
      return "truncated gzip data (unexpected end of file)";
    case "Z_DATA_ERROR":
      return `corrupt gzip data (${err.message})`;
  }
  return err && typeof err.message === "string" ? err.message : String(e);
}
