/**
 * A large CloudTrail corpus for the backtest benchmark, built from the real fixture records
 * (__tests__/fixtures/records.jsonl): each generated record is a real one with a fresh eventID,
 * a later eventTime, another sourceIPAddress and a varied principal, written as CloudTrail writes
 * to S3: gzip-compressed `{"Records":[...]}` objects under AWSLogs/<account>/CloudTrail/<region>/
 * YYYY/MM/DD/. The corpus is cached in the temp directory by size, so reruns skip generating it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { gzip as gzipCb } from "node:zlib";

const gzip = promisify(gzipCb);

const FIXTURE = path.join(__dirname, "..", "__tests__", "fixtures", "records.jsonl");
const ACCOUNT = "111122223333";
const REGIONS = ["us-east-1", "eu-west-1", "ap-northeast-1", "us-west-2"];
/** Bumped when the generated content changes, so a stale cache is not reused. */
const VERSION = 1;

export interface Corpus {
  readonly dir: string;
  /** Files in order; the first `filesFor(n)` hold the first n records. */
  readonly files: string[];
  readonly records: number;
  readonly recordsPerFile: number;
}

/**
 * A record template: the fixture record serialized once with markers where the varied fields go,
 * split at the markers. Building a record is then string concatenation, which keeps generating
 * a million records to seconds.
 */
interface Template {
  readonly parts: string[];
  readonly fields: string[];
  readonly arn: string | undefined;
}

const VARIED = ["eventID", "eventTime", "sourceIPAddress"] as const;

function templates(): Template[] {
  const records = readFileSync(FIXTURE, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return records.map((r) => {
    const copy: Record<string, unknown> = {};
    // "_source" notes are fixture provenance, not CloudTrail fields.
    for (const [k, v] of Object.entries(r)) if (!k.startsWith("_")) copy[k] = v;
    for (const f of VARIED) copy[f] = `\u0000${f}\u0000`;
    const identity = copy.userIdentity as Record<string, unknown> | undefined;
    let arn: string | undefined;
    if (identity && typeof identity.arn === "string" && identity.arn.includes("/")) {
      arn = identity.arn;
      copy.userIdentity = { ...identity, arn: "\u0000arn\u0000" };
    }
    // Split at the markers, capturing their names: text, name, text, name, ..., text.
    const pieces = JSON.stringify(copy).split(/"\\u0000([A-Za-z]+)\\u0000"/);
    const parts = pieces.filter((_, i) => i % 2 === 0);
    const fields = pieces.filter((_, i) => i % 2 === 1);
    return { parts, fields, arn };
  });
}

function recordText(t: Template, n: number, timeMs: number): string {
  const values: Record<string, string> = {
    eventID: eventIdOf(n),
    eventTime: new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    sourceIPAddress: `198.51.${(n >> 8) & 255}.${n & 255}`,
    // 300 principals per role or user path: realistic spread, bounded distinct sets.
    arn: t.arn === undefined ? "" : `${t.arn}-${n % 300}`,
  };
  let out = t.parts[0];
  for (let i = 0; i < t.fields.length; i++)
    out += JSON.stringify(values[t.fields[i]]) + t.parts[i + 1];
  return out;
}

function eventIdOf(n: number): string {
  const h = n.toString(16).padStart(12, "0");
  return `b3c7e0a1-5f2d-4c8e-9a1b-${h}`;
}

/** Generates (or reuses) a corpus of `records` records, `recordsPerFile` per gzip object. */
export async function corpus(records: number, recordsPerFile = 2000): Promise<Corpus> {
  const dir = path.join(
    tmpdir(),
    `trailwatch-bench-corpus-v${VERSION}-${records}-${recordsPerFile}`,
  );
  // Hidden, so the backtest's directory walk passes over it instead of reporting it as skipped.
  const manifest = path.join(dir, ".corpus-manifest.json");
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, "utf8")) as Corpus;
  rmSync(dir, { recursive: true, force: true });
  const ts = templates();
  const start = Date.parse("2025-01-01T00:00:00Z");
  // A week of activity: spacing fixed so eventTime grows with n.
  const stepMs = (7 * 24 * 3600 * 1000) / records;
  const files: string[] = [];
  const pending: Promise<void>[] = [];
  for (let first = 0, k = 0; first < records; first += recordsPerFile, k++) {
    const count = Math.min(recordsPerFile, records - first);
    const timeMs = start + first * stepMs;
    const day = new Date(timeMs).toISOString().slice(0, 10).replaceAll("-", "/");
    const region = REGIONS[k % REGIONS.length];
    const stamp = new Date(timeMs).toISOString().replace(/[-:]/g, "").slice(0, 13) + "Z";
    const file = path.join(
      dir,
      "AWSLogs",
      ACCOUNT,
      "CloudTrail",
      region,
      day,
      `${ACCOUNT}_CloudTrail_${region}_${stamp}_${k.toString(36).padStart(6, "0")}.json.gz`,
    );
    files.push(file);
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      const n = first + i;
      lines.push(recordText(ts[n % ts.length], n, start + n * stepMs));
    }
    const text = `{"Records":[${lines.join(",")}]}`;
    mkdirSync(path.dirname(file), { recursive: true });
    // zlib's async gzip runs on the libuv pool: a few in flight use every core.
    pending.push(gzip(text).then((gz) => writeFileSync(file, gz)));
    if (pending.length >= 4) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  const result: Corpus = { dir, files, records, recordsPerFile };
  writeFileSync(manifest, JSON.stringify(result));
  return result;
}

/** Files holding the first `records` records. */
export function filesFor(c: Corpus, records: number): string[] {
  return c.files.slice(0, Math.ceil(records / c.recordsPerFile));
}
