import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { EXIT, exitCodeOf, main } from "../src/backtest/cli";
import { planDetections, type PlannedDetection } from "../src/backtest/engine";
import { principalOf } from "../src/backtest/tally";
import { compileGate } from "../src/backtest/gate";
import { TopLevelArrayParser } from "../src/backtest/json-array";
import { runBacktest, type BacktestResult } from "../src/backtest/pool";
import { listInputs, readRecords, type CloudTrailRecord } from "../src/backtest/readers";
import { formatHuman, MAX_ALARM_TIMES, toJson } from "../src/backtest/report";
import { catalog } from "../src/detections/catalog";
import { eventPatternOf, filterPatternOf } from "../src/detections/render";
import { compileEventPattern } from "../src/patterns/event-pattern";
import { cloudTrailRecordToEvent } from "../src/patterns/event-envelope";
import { compileFilterPattern } from "../src/patterns/filter-pattern";
import { ROOT } from "./helpers";
import { CONSTRUCTED_RECORDS, REAL_RECORDS, WATCHED } from "./support/records";
import { captureIo } from "./support/cli-io";

// Backtests read files, compile the catalog and start worker threads: seconds of work, more than
// jest's default 5 s on a loaded machine.
jest.setTimeout(60_000);

const DETECTIONS = catalog(WATCHED);
const PLAN = planDetections(DETECTIONS);
const LOOKUP_RECORDS = REAL_RECORDS.slice(0, 20);
const REGIONS = ["us-east-1", "eu-west-1", "ap-northeast-1"];

let dir: string;
let s3: string;
let bad: string;
const lines = () => path.join(dir, "constructed.jsonl");
const lookup = () => path.join(dir, "lookup-events.json");

/** `{"Records":[...]}` gzip objects under AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/. */
function writeS3Tree(root: string, records: readonly object[], perFile: number): string[] {
  const files: string[] = [];
  for (let i = 0, k = 0; i < records.length; i += perFile, k++) {
    const region = REGIONS[k % REGIONS.length];
    const day = path.join(root, "AWSLogs", "111122223333", "CloudTrail", region, "2024", "01");
    const file = path.join(day, String(10 + k), `111122223333_CloudTrail_${region}_${k}.json.gz`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, gzipSync(JSON.stringify({ Records: records.slice(i, i + perFile) })));
    files.push(file);
  }
  return files;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "trailwatch-backtest-"));
  s3 = path.join(dir, "s3");
  writeS3Tree(s3, REAL_RECORDS, 250);
  writeFileSync(lines(), CONSTRUCTED_RECORDS.map((r) => JSON.stringify(r)).join("\n") + "\n");
  writeFileSync(
    lookup(),
    JSON.stringify({
      Events: LOOKUP_RECORDS.map((r) => ({
        EventId: r.eventID,
        EventName: r.eventName,
        CloudTrailEvent: JSON.stringify(r),
      })),
    }),
  );
  bad = path.join(dir, "bad");
  mkdirSync(bad);
  const gz = gzipSync(JSON.stringify({ Records: REAL_RECORDS.slice(0, 50) }));
  writeFileSync(path.join(bad, "cut.json.gz"), gz.subarray(0, Math.floor(gz.length / 2)));
  writeFileSync(path.join(bad, "config.json"), JSON.stringify({ name: "not a trail" }));
  writeFileSync(
    path.join(bad, "no-source.json"),
    JSON.stringify({ Records: [{ eventTime: "2024-01-01T00:00:00Z", eventName: "X" }] }),
  );
  symlinkSync(path.join(bad, "deleted.json.gz"), path.join(bad, "gone.json.gz"));
  writeFileSync(path.join(bad, "notes.txt"), "not an input: skipped by the directory walk");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALL_INPUT = () => [...REAL_RECORDS, ...CONSTRUCTED_RECORDS, ...LOOKUP_RECORDS];

async function backtest(
  paths: string[],
  plan: readonly PlannedDetection[] = PLAN,
  options: { jobs?: number; exhaustive?: boolean } = {},
): Promise<BacktestResult> {
  const { files, skipped } = await listInputs(paths);
  const r = await runBacktest(files, plan, { jobs: 1, eventIds: true, ...options });
  return { ...r, skipped: [...skipped.map(({ file, error }) => ({ file, error })), ...r.skipped] };
}

function envelope(r: CloudTrailRecord) {
  try {
    return cloudTrailRecordToEvent(r as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

describe("backtest on the real fixtures", () => {
  let result: BacktestResult;
  beforeAll(async () => {
    result = await backtest([s3, lines(), lookup()]);
  });

  test("reads the S3 tree, JSON Lines and lookup-events output", () => {
    expect(result.skipped).toEqual([]);
    expect(result.files).toBe(5);
    expect(result.records).toBe(ALL_INPUT().length);
  });

  test("every count, eventID, principal and time range equals what the evaluators give directly", () => {
    const records = ALL_INPUT();
    for (const d of DETECTIONS) {
      const filter = compileFilterPattern(filterPatternOf(d));
      const event = compileEventPattern(eventPatternOf(d));
      const types: readonly string[] = d.recordTypes ?? ["AwsApiCall"];
      const byFilter = records.filter((r) => filter(r));
      const byEvent = records.filter((r) => {
        const e = envelope(r);
        return e !== undefined && types.includes(r.eventType) && event(e);
      });
      const got = result.detections.find((x) => x.id === d.id)!;
      for (const [tally, want] of [
        [got.filter, byFilter],
        [got.event, byEvent],
      ] as const) {
        expect(tally.matches).toBe(want.length);
        expect([...tally.eventIds].sort()).toEqual(want.map((r) => r.eventID).sort());
        expect(tally.principals).toEqual([...new Set(want.map(principalOf))].sort());
        const times = want.map((r) => r.eventTime as string).filter((t) => !isNaN(Date.parse(t)));
        const ms = times.map((t) => Date.parse(t));
        expect(tally.first).toBe(times.length ? times[ms.indexOf(Math.min(...ms))] : null);
        expect(tally.last).toBe(times.length ? times[ms.indexOf(Math.max(...ms))] : null);
        expect(tally.examples.length).toBe(Math.min(3, want.length));
      }
      expect(got.disagreements).toEqual([]);
    }
    // The fixtures exercise the detections: most fire.
    expect(result.detections.filter((d) => d.filter.matches > 0).length).toBeGreaterThan(25);
  });

  test("the gate skips nothing a rendering matches: gated and exhaustive runs agree exactly", async () => {
    const exhaustive = await backtest([s3, lines(), lookup()], PLAN, { exhaustive: true });
    expect(exhaustive).toEqual(result);
  });

  test("every catalog detection has a gate, and it lets through what it cannot judge", () => {
    for (const p of PLAN) expect(compileGate(p.filterPattern, p.eventPattern)).toBeDefined();
    const keys = PLAN.find((p) => p.id === "iam-access-key-created")!;
    const { gate, index } = compileGate(keys.filterPattern, keys.eventPattern)!;
    expect(index).toEqual({ field: "eventName", values: new Set(["CreateAccessKey"]) });
    const base = { eventSource: "iam.amazonaws.com", eventName: "CreateAccessKey" };
    expect(gate(base)).toBe(true);
    expect(gate({ ...base, eventName: "CreateUser" })).toBe(false);
    expect(gate({ eventSource: "iam.amazonaws.com" })).toBe(false);
    expect(gate({ ...base, eventName: ["CreateUser"] })).toBe(true); // arrays: the matchers decide
    expect(gate({ ...base, eventName: 7 })).toBe(true);
    const root = PLAN.find((p) => p.id === "cis-root-usage")!;
    const rootGate = compileGate(root.filterPattern, root.eventPattern)!;
    expect(rootGate.index).toBeUndefined();
    expect(rootGate.gate({ userIdentity: { type: "Root" } })).toBe(true);
    expect(rootGate.gate({ userIdentity: { type: "IAMUser" } })).toBe(false);
    expect(rootGate.gate({ userIdentity: [{ type: "IAMUser" }] })).toBe(true);
    expect(rootGate.gate({ userIdentity: "Root" })).toBe(false);
  });

  test("worker threads give the same result as one thread", async () => {
    expect(await backtest([s3, lines(), lookup()], PLAN, { jobs: 2 })).toEqual(result);
  });

  test("examples name time, principal, region, service:eventName and the resource", () => {
    const d = result.detections.find((x) => x.id === "watcher-archive-bucket-changed")!;
    expect(d.filter.examples[0]).toEqual({
      time: "2026-11-20T09:16:00Z",
      principal: "arn:aws:iam::111122223333:user/mallory",
      region: "ap-northeast-1",
      call: "s3:PutBucketPolicy",
      resource: "bucketName=trailwatch-cloudtrail-111122223333-ap-northeast-1",
      eventId: expect.any(String),
      file: lines(),
    });
  });

  test("the report lists the first alarm times of each detection and counts the rest", () => {
    const root = result.detections.find((d) => d.id === "cis-root-usage")!;
    const { count, times } = root.filter.alarms!;
    expect(count).toBeGreaterThan(MAX_ALARM_TIMES);
    expect(times).toEqual([...times].sort());
    expect(formatHuman(result, { seconds: 1 })).toContain(
      `\n  cis-root-usage: ${count} (period 60 s, threshold 1, 1 of 1 data point)\n` +
        times
          .slice(0, MAX_ALARM_TIMES)
          .map((t) => `    ${t}\n`)
          .join("") +
        `    ... and ${count - MAX_ALARM_TIMES} more (--json lists every one)\n`,
    );
  });

  test("the JSON document has the documented shape", () => {
    const json = JSON.parse(JSON.stringify(toJson(result)));
    expect(Object.keys(json)).toEqual(["records", "files", "skipped", "hidden", "detections"]);
    const d = json.detections[0];
    expect(Object.keys(d)).toEqual([
      "id",
      "title",
      "severity",
      "delivery",
      "alarm",
      "filter",
      "event",
      "disagreements",
      "disagreementCount",
    ]);
    for (const r of [d.filter, d.event])
      expect(Object.keys(r)).toEqual([
        "matches",
        "eventIds",
        "principals",
        "first",
        "last",
        "examples",
        "alarms",
      ]);
    expect(d.alarm).toEqual({
      periodSeconds: 60,
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      evaluationRange: 1,
    });
    expect(d.event.alarms).toBeNull();
    expect(d.filter.alarms.count).toBe(d.filter.alarms.times.length);
    // Threshold 1: every minute with a match breaches, so a detection that matched has alarmed.
    const root = json.detections.find((x: any) => x.id === "cis-root-usage");
    expect(root.filter.matches).toBeGreaterThan(0);
    expect(root.filter.alarms.count).toBeGreaterThan(0);
  });
});

describe("input formats and bad input", () => {
  test("a huge document takes the streaming path and yields the same records", async () => {
    const file = path.join(s3, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/10");
    const [gz] = (await listInputs([file])).files;
    const whole: CloudTrailRecord[] = [];
    const streamed: CloudTrailRecord[] = [];
    await readRecords(gz, (r) => whole.push(r));
    await readRecords(gz, (r) => streamed.push(r), { wholeFileLimit: 1024 });
    expect(streamed).toEqual(whole);
    expect(whole).toHaveLength(250);
    const events: CloudTrailRecord[] = [];
    expect(await readRecords(lookup(), (r) => events.push(r), { wholeFileLimit: 64 })).toBe(
      "lookup-events",
    );
    expect(events).toEqual(LOOKUP_RECORDS);
  });

  test("the streaming parser splits across any chunk boundary, escapes included", () => {
    const doc = {
      Other: [{ Records: "not this one" }],
      Records: [{ a: 'quote " and \\ backslash \\" ]}', b: [1, { c: "}" }] }, { "é\\": "ü" }],
      After: { x: ["]"] },
    };
    const bytes = Buffer.from(JSON.stringify(doc));
    for (const size of [1, 2, 3, 7, bytes.length]) {
      const got: unknown[] = [];
      const p = new TopLevelArrayParser(["Records"], (e) => got.push(e.value));
      for (let i = 0; i < bytes.length; i += size) p.push(bytes.subarray(i, i + size));
      p.end();
      expect(got).toEqual(doc.Records);
    }
    const cut = new TopLevelArrayParser(["Records"], () => undefined);
    cut.push(bytes.subarray(0, bytes.length - 3));
    expect(() => cut.end()).toThrow(/truncated/);
  });

  test("unreadable, truncated and non-CloudTrail files are skipped with the reason; the rest is read", async () => {
    const r = await backtest([bad, lines()]);
    expect(r.files).toBe(1);
    expect(r.records).toBe(CONSTRUCTED_RECORDS.length);
    const reasons = Object.fromEntries(r.skipped.map((s) => [path.basename(s.file), s.error]));
    expect(Object.keys(reasons).sort()).toEqual([
      "config.json",
      "cut.json.gz",
      "gone.json.gz",
      "no-source.json",
      "notes.txt",
    ]);
    expect(reasons["cut.json.gz"]).toMatch(/truncated gzip/);
    expect(reasons["config.json"]).toMatch(/not CloudTrail log data: no top-level "Records"/);
    expect(reasons["no-source.json"]).toMatch(/Records\[0\] has no "eventSource"/);
    expect(reasons["gone.json.gz"]).toBe("dangling symbolic link: its target does not exist");
    expect(reasons["notes.txt"]).toBe(
      "not CloudTrail data by its name (a directory walk reads .json, .json.gz, .jsonl, .jsonl.gz, .ndjson, .ndjson.gz)",
    );
    expect(exitCodeOf(r)).toBe(EXIT.skipped);
    const human = formatHuman(r, { seconds: 1 });
    expect(human).toContain("Skipped files (5):\n");
    expect(human).toContain(`\n  ${path.join(bad, "cut.json.gz")}: truncated gzip data`);
  });

  test("a file without read permission is skipped", async () => {
    if (process.getuid?.() === 0) return; // root reads anything: the dangling link covers this case
    const file = path.join(dir, "secret.json");
    writeFileSync(file, JSON.stringify({ Records: [] }));
    chmodSync(file, 0);
    const r = await backtest([file]);
    expect(r.skipped).toEqual([{ file, error: "cannot read: permission denied" }]);
  });
});

describe("disagreements", () => {
  test("a detection whose renderings differ is caught on every record they differ on", async () => {
    const d = PLAN.find((p) => p.id === "iam-access-key-created")!;
    // The event rendering also takes CreateUser: a renderer bug the backtest must expose.
    const broken: PlannedDetection = {
      ...d,
      id: "broken",
      eventPattern: {
        ...d.eventPattern,
        detail: {
          eventSource: ["iam.amazonaws.com"],
          eventName: ["CreateAccessKey", "CreateUser"],
          errorCode: [{ exists: false }],
        },
      },
    };
    const r = await backtest([s3, lines()], [d, broken]);
    const [ok, bug] = r.detections;
    expect(ok.disagreementCount).toBe(0);
    const createUser = [...REAL_RECORDS, ...CONSTRUCTED_RECORDS].filter(
      (x) =>
        x.eventName === "CreateUser" &&
        x.eventSource === "iam.amazonaws.com" &&
        x.errorCode === undefined &&
        x.eventType === "AwsApiCall",
    );
    expect(createUser.length).toBeGreaterThan(0);
    expect(bug.disagreementCount).toBe(createUser.length);
    expect(bug.disagreements.map((x) => x.eventId).sort()).toEqual(
      createUser.map((x) => x.eventID).sort(),
    );
    expect(bug.disagreements[0]).toMatchObject({
      eventName: "CreateUser",
      filter: false,
      event: true,
    });
    expect(exitCodeOf(r)).toBe(EXIT.disagreement);
    expect(exitCodeOf({ ...r, skipped: [{ file: "x", error: "y" }] })).toBe(EXIT.disagreement);
    expect(formatHuman(r, { seconds: 1 })).toContain("Disagreements (a rendering bug");
  });
});

describe("command line", () => {
  const capture = () => ({ ...captureIo(ROOT), progress: false });

  test("--only selects detections; an unknown id is a usage error listing the allowed ids", async () => {
    const io = capture();
    expect(
      await main([lines(), "--json", "--only", "cis-root-usage,watcher-trail-changed"], io),
    ).toBe(EXIT.ok);
    const json = JSON.parse(io.out());
    expect(json.detections.map((d: any) => d.id)).toEqual([
      "cis-root-usage",
      "watcher-trail-changed",
    ]);
    expect(json.detections[1].filter.matches).toBeGreaterThan(0);

    const bad = capture();
    expect(await main([lines(), "--only", "cis-root-usage,no-such-thing"], bad)).toBe(EXIT.usage);
    expect(bad.err()).toMatch(
      /unknown detection id no-such-thing; allowed ids:\n {2}cis-root-usage\n/,
    );
    expect(bad.out()).toBe("");
  });

  test("usage errors: exit 2 with a message, no stack", async () => {
    for (const args of [
      [],
      [path.join(dir, "missing")],
      [lines(), "--bogus"],
      [lines(), "--period", "0"],
    ]) {
      const io = capture();
      expect(await main(args, io)).toBe(EXIT.usage);
      expect(io.err()).toMatch(/^backtest: .*\n\nusage: npm run backtest/);
      expect(io.err()).not.toMatch(/\n\s+at /);
    }
    const io = capture();
    expect(await main([lines(), "--config", path.join(dir, "nope.json")], io)).toBe(EXIT.usage);
    expect(io.err()).toMatch(/nope\.json: 1 problem in the configuration/);
  });

  test("npm run backtest -- <dirs> --json: one JSON document on stdout, exit 1 when files were skipped", () => {
    // What npm runs: the cached bundle, here with its worker threads (bundled beside it).
    const run = spawnSync(
      process.execPath,
      [
        path.join(ROOT, "scripts", "run-backtest.js"),
        s3,
        bad,
        "--json",
        "--jobs",
        "2",
        "--only",
        "iam-access-key-created,cis-root-usage",
      ],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, TRAILWATCH_CONFIG: "" } },
    );
    // No progress (stderr is not a terminal); the input that gave no record is named, with why.
    expect(run.stderr).toBe(
      `backtest: ${bad}: no CloudTrail records: 3 files found, all skipped; 2 other entries skipped\n`,
    );
    expect(run.status).toBe(EXIT.skipped);
    const json = JSON.parse(run.stdout);
    expect(json.records).toBe(REAL_RECORDS.length);
    expect(json.files).toBe(3);
    expect(json.skipped.map((s: any) => path.basename(s.file)).sort()).toEqual([
      "config.json",
      "cut.json.gz",
      "gone.json.gz",
      "no-source.json",
      "notes.txt",
    ]);
    const keys = json.detections.find((d: any) => d.id === "iam-access-key-created");
    expect(keys.filter.eventIds.sort()).toEqual(
      REAL_RECORDS.filter(
        (r) =>
          r.eventName === "CreateAccessKey" &&
          r.errorCode === undefined &&
          r.eventSource === "iam.amazonaws.com",
      )
        .map((r) => r.eventID)
        .sort(),
    );
    expect(readFileSync(path.join(ROOT, "package.json"), "utf8")).toContain(
      '"backtest": "node scripts/run-backtest.js"',
    );
  });
});
