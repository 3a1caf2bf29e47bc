import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { alarmTransitions, type AlarmModel } from "../src/backtest/alarm";
import { EXIT, main } from "../src/backtest/cli";
import { planDetections } from "../src/backtest/engine";
import { runBacktest } from "../src/backtest/pool";
import { listInputs } from "../src/backtest/readers";
import { formatHuman } from "../src/backtest/report";
import { catalog } from "../src/detections/catalog";
import { ROOT } from "./helpers";
import { REAL_RECORDS, WATCHED } from "./support/records";
import { captureIo } from "./support/cli-io";

// Backtests read files, compile the catalog and start worker threads: seconds of work, more than
// jest's default 5 s on a loaded machine.
jest.setTimeout(60_000);

const model = (over: Partial<AlarmModel> = {}): AlarmModel => ({
  periodSeconds: 60,
  threshold: 1,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  ...over,
});
/** `HH:MM:SS` on 2024-03-01, or a full ISO 8601 time. */
const ms = (t: string) => Date.parse(t.includes("T") ? t : `2024-03-01T${t}Z`);
const minuteOf = (t: string) => Math.floor(ms(t) / 60_000);
const iso = (seconds: number[]) =>
  seconds.map((s) => new Date(s * 1000).toISOString().replace(".000Z", "Z"));
/** Transition times for one match at each of `times`. */
const alarmsAt = (times: string[], over: Partial<AlarmModel> = {}): string[] =>
  iso(
    alarmTransitions(
      times.map((t) => [minuteOf(t), 1] as const),
      model(over),
    ),
  );
const day = (t: string) => `2024-03-01T${t}Z`;

/** The burst of issue 10: five AccessDenied calls within 2 min 40 s, over three clock minutes. */
const BURST = ["10:03:10", "10:03:40", "10:04:20", "10:05:05", "10:05:50"];

describe("CloudWatch alarm model", () => {
  test("the issue's burst alarms on a sliding 5-minute window; clock-aligned periods would hold 3 and 2", () => {
    expect(alarmsAt(BURST, { periodSeconds: 300, threshold: 5 })).toEqual([day("10:06:00")]);
    // Three 5-minute data points must breach: one burst cannot make 15 minutes of them.
    expect(
      alarmsAt(BURST, {
        periodSeconds: 300,
        threshold: 5,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
      }),
    ).toEqual([]);
  });

  test.each([
    // [what, times, model, transitions]
    ["two matches in one minute", ["10:00:00", "10:00:59"], { threshold: 2 }, ["10:01:00"]],
    ["a second apart across a minute boundary", ["10:00:59", "10:01:00"], { threshold: 2 }, []],
    [
      "across a minute boundary, 2-minute period",
      ["10:00:59", "10:01:00"],
      { periodSeconds: 120, threshold: 2 },
      ["10:02:00"],
    ],
    [
      "first and last minute of a 5-minute window",
      ["10:00:00", "10:04:59"],
      { periodSeconds: 300, threshold: 2 },
      ["10:05:00"],
    ],
    [
      "exactly one period apart",
      ["10:00:00", "10:05:00"],
      { periodSeconds: 300, threshold: 2 },
      [],
    ],
    [
      "stays in ALARM while a window holds a match",
      ["10:00:00", "10:05:00"],
      { periodSeconds: 300 },
      ["10:01:00"],
    ],
    [
      "a minute without one in between: two alarms",
      ["10:00:00", "10:06:00"],
      { periodSeconds: 300 },
      ["10:01:00", "10:07:00"],
    ],
  ])("window boundaries: %s", (_what, times, over, want) => {
    expect(alarmsAt(times, over)).toEqual(want.map(day));
  });

  test("evaluationPeriods > 1: every one of N consecutive data points must breach", () => {
    const n3 = { evaluationPeriods: 3, datapointsToAlarm: 3 };
    expect(alarmsAt(["10:00:10", "10:01:10", "10:02:10"], n3)).toEqual([day("10:03:00")]);
    expect(alarmsAt(["10:00:10", "10:02:10", "10:03:10"], n3)).toEqual([]);
    // Sliding: the three 5-minute windows ending at 10:15 hold 10:00-10:15, whatever the clock.
    const burst15 = Array.from({ length: 15 }, (_, i) => `10:${String(i).padStart(2, "0")}:30`);
    expect(alarmsAt(burst15, { ...n3, periodSeconds: 300, threshold: 5 })).toEqual([
      day("10:15:00"),
    ]);
    expect(alarmsAt(burst15.slice(1), { ...n3, periodSeconds: 300, threshold: 5 })).toEqual([]);
  });

  test("datapointsToAlarm < evaluationPeriods: M breaching data points anywhere among the last N", () => {
    const twoOfThree = { evaluationPeriods: 3, datapointsToAlarm: 2 };
    expect(alarmsAt(["10:00:10", "10:02:10"], twoOfThree)).toEqual([day("10:03:00")]);
    expect(alarmsAt(["10:00:10", "10:03:10"], twoOfThree)).toEqual([]);
    // 1 of 3 on 5-minute periods: the burst's window comes back as the 2nd and 3rd data point.
    expect(
      alarmsAt(BURST, {
        periodSeconds: 300,
        threshold: 5,
        evaluationPeriods: 3,
        datapointsToAlarm: 1,
      }),
    ).toEqual([day("10:06:00"), day("10:11:00"), day("10:16:00")]);
  });

  test("periods of an hour or a day", () => {
    const hour = { periodSeconds: 3600, threshold: 3 };
    expect(alarmsAt(["10:00:00", "10:30:00", "10:59:59"], hour)).toEqual([day("11:00:00")]);
    expect(alarmsAt(["10:00:00", "10:30:00", "11:00:00"], hour)).toEqual([]);
    const oneDay = { periodSeconds: 86400, threshold: 2 };
    expect(alarmsAt(["2024-03-01T00:00:30Z", "2024-03-01T23:59:30Z"], oneDay)).toEqual([
      "2024-03-02T00:00:00Z",
    ]);
    expect(alarmsAt(["2024-03-01T00:00:30Z", "2024-03-02T00:00:30Z"], oneDay)).toEqual([]);
    // A week of hourly data points, 2 of 168: two matches six days apart.
    const week = { periodSeconds: 3600, evaluationPeriods: 168, datapointsToAlarm: 2 };
    expect(alarmsAt(["2024-03-01T10:00:00Z", "2024-03-07T10:00:00Z"], week)).toEqual([
      "2024-03-07T10:01:00Z",
    ]);
  });

  test("10 and 30 s periods (high-resolution alarms) see one-minute data once per minute", () => {
    expect(
      alarmsAt(["10:00:05", "10:00:55", "10:01:30"], { periodSeconds: 10, threshold: 2 }),
    ).toEqual([day("10:00:10")]);
    // The 30 s windows ending 10:00:10, :20 and :30 hold the minute's start: ALARM, then OK.
    expect(alarmsAt(["10:00:05", "10:01:05"], { periodSeconds: 30 })).toEqual([
      day("10:00:10"),
      day("10:01:10"),
    ]);
    // Two breaching 10 s data points need the window to span two minute starts: 7 periods.
    const minutes = ["10:00:05", "10:01:05"];
    expect(
      alarmsAt(minutes, { periodSeconds: 10, evaluationPeriods: 6, datapointsToAlarm: 2 }),
    ).toEqual([]);
    expect(
      alarmsAt(minutes, { periodSeconds: 10, evaluationPeriods: 7, datapointsToAlarm: 2 }),
    ).toEqual([day("10:01:10")]);
  });

  test("an evaluation range beyond N keeps evaluating the most recent existing data points", () => {
    const times = ["10:00:30", "10:03:30"];
    expect(alarmsAt(times)).toEqual([day("10:01:00"), day("10:04:00")]);
    // The 10:00 data point stays the most recent existing one until 10:03's arrives.
    expect(alarmsAt(times, { evaluationRange: 5 })).toEqual([day("10:01:00")]);
    expect(alarmsAt(["10:00:30", "10:06:30"], { evaluationRange: 5 })).toEqual([
      day("10:01:00"),
      day("10:07:00"),
    ]);
  });

  // The CloudWatch User Guide's tables ("Alarm evaluation", how alarm state is evaluated when data
  // is missing): 5-minute period, the 5 most recent data points retrieved, oldest first; 0 is a
  // data point below the threshold, X a breaching one, - a missing one; column NOT BREACHING.
  test.each([
    [3, "0 - X - X", "OK"],
    [3, "0 - - - -", "OK"],
    [3, "- - - - -", "OK"],
    [3, "0 X X - X", "ALARM"],
    [3, "- - - - X", "OK"],
    [3, "X - - - -", "OK"],
    [2, "0 - X - X", "ALARM"],
    [2, "0 0 X 0 X", "ALARM"],
    [2, "0 - X - -", "OK"],
    [2, "- - - - 0", "OK"],
    [2, "- - - - X", "OK"],
  ])("the User Guide's %s-of-3 alarm on %s: %s", (m, points, state) => {
    const start = minuteOf("10:00:00");
    // Each data point's matches sit on its period's first minute: every 5-minute window then holds
    // exactly one, so the evaluations between period boundaries see the same data points.
    const minutes = points
      .split(" ")
      .flatMap((p, i) => (p === "-" ? [] : [[start + 5 * i, p === "X" ? 2 : 1] as const]));
    const got = iso(
      alarmTransitions(minutes, {
        periodSeconds: 300,
        threshold: 2,
        evaluationPeriods: 3,
        datapointsToAlarm: m,
        evaluationRange: 5,
      }),
    );
    // The table's evaluation is the first whose newest data point is the 5th period.
    expect(got).toEqual(state === "ALARM" ? [day("10:21:00")] : []);
  });

  test("order, duplicates and splitting of the minute counts do not matter", () => {
    const counts: [number, number][] = BURST.map((t) => [minuteOf(t), 1]);
    const one = alarmTransitions(counts, model({ periodSeconds: 300, threshold: 5 }));
    const shuffled = [...counts].reverse();
    const merged: [number, number][] = [
      [minuteOf("10:03:00"), 2],
      [minuteOf("10:05:00"), 2],
      [minuteOf("10:04:00"), 1],
      [minuteOf("10:04:00"), 0],
    ];
    for (const variant of [shuffled, merged])
      expect(alarmTransitions(variant, model({ periodSeconds: 300, threshold: 5 }))).toEqual(one);
  });

  test("agrees with a naive replay of every evaluation on random series", () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const periodSeconds = [10, 30, 60, 120, 300, 600, 3600][random(7)];
      const evaluationPeriods = 1 + random(4);
      const m: AlarmModel = {
        periodSeconds,
        threshold: 1 + random(4),
        evaluationPeriods,
        datapointsToAlarm: 1 + random(evaluationPeriods),
        evaluationRange: evaluationPeriods + random(3),
      };
      const span = periodSeconds >= 600 ? 600 : 60;
      const minutes: [number, number][] = Array.from({ length: 1 + random(25) }, () => [
        28_000_000 + random(span),
        1 + random(4),
      ]);
      expect(alarmTransitions(minutes, m)).toEqual(naiveTransitions(minutes, m));
    }
  });

  test("models CloudWatch refuses are errors naming the field", () => {
    expect(() => alarmsAt(BURST, { periodSeconds: 45 })).toThrow(
      "alarm model: periodSeconds 45 is not 10, 30 or a multiple of 60",
    );
    expect(() => alarmsAt(BURST, { evaluationPeriods: 2, datapointsToAlarm: 3 })).toThrow(
      "datapointsToAlarm 3 is not a whole number from 1 to evaluationPeriods (2)",
    );
    expect(() =>
      alarmsAt(BURST, { evaluationPeriods: 3, datapointsToAlarm: 1, evaluationRange: 2 }),
    ).toThrow("evaluationRange 2 is not a whole number >= evaluationPeriods (3)");
  });
});

/**
 * The model replayed the slow way: every evaluation time from before the first match to after the
 * last one's reach, each data point summed from the minutes directly.
 */
function naiveTransitions(
  minutes: readonly (readonly [number, number])[],
  m: AlarmModel,
): number[] {
  const step = m.periodSeconds >= 60 ? 60 : 10;
  const range = m.evaluationRange ?? m.evaluationPeriods;
  const seconds = minutes.map(([minute]) => minute * 60);
  const from = Math.min(...seconds);
  const to = Math.max(...seconds) + range * m.periodSeconds + step;
  const value = (start: number, end: number) =>
    minutes.reduce((n, [minute, c]) => (minute * 60 >= start && minute * 60 < end ? n + c : n), 0);
  const out: number[] = [];
  let alarm = false;
  for (let t = from - (from % step); t <= to; t += step) {
    const existing: number[] = [];
    for (let k = 1; k <= range; k++) {
      const v = value(t - k * m.periodSeconds, t - (k - 1) * m.periodSeconds);
      if (v > 0) existing.push(v);
    }
    const evaluated = existing.slice(0, m.evaluationPeriods);
    const now = evaluated.filter((v) => v >= m.threshold).length >= m.datapointsToAlarm;
    if (now && !alarm) out.push(t);
    alarm = now;
  }
  return out;
}

describe("alarms through the backtest", () => {
  const detections = catalog(WATCHED).filter((d) => d.id === "cis-unauthorized-api-calls");
  const accessDenied = REAL_RECORDS.find(
    (r) => r.errorCode === "AccessDenied" && r.eventType === "AwsApiCall",
  )!;
  /** The real AccessDenied record at another time, with its own eventID. */
  const denied = (time: string, i: number): Record<string, unknown> => {
    const r: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(accessDenied)) if (!k.startsWith("_")) r[k] = v;
    return {
      ...r,
      eventTime: day(time),
      eventID: `9d0c54d6-0000-4000-8000-${String(i).padStart(12, "0")}`,
    };
  };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "trailwatch-backtest-alarm-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function alarmsOf(files: string[], tuning: object, jobs = 1) {
    const plan = planDetections(detections, { "cis-unauthorized-api-calls": tuning });
    const { files: inputs } = await listInputs(files);
    const r = await runBacktest(inputs, plan, { jobs });
    return { result: r, alarms: r.detections[0].filter.alarms };
  }

  test("the issue's burst: one alarm at 10:06, none with three evaluation periods", async () => {
    expect(denied("10:00:00", 0).errorCode).toBe("AccessDenied");
    const file = path.join(dir, "burst.jsonl");
    writeFileSync(file, BURST.map((t, i) => JSON.stringify(denied(t, i))).join("\n") + "\n");
    const { result, alarms } = await alarmsOf([file], { periodSeconds: 300, threshold: 5 });
    expect(result.detections[0].filter.matches).toBe(5);
    expect(alarms).toEqual({ count: 1, times: ["2024-03-01T10:06:00Z"] });
    const human = formatHuman(result, { seconds: 1 });
    expect(human).toMatch(
      /\ncis-unauthorized-api-calls {2}medium +5 +5 +1 {2}2024-03-01T10:03:10Z {2}2024-03-01T10:05:50Z +1\n/,
    );
    expect(human).toContain(
      "Alarms (evaluation time of each OK -> ALARM transition, UTC):\n" +
        "  cis-unauthorized-api-calls: 1 (period 300 s, threshold 5, 1 of 1 data point)\n" +
        "    2024-03-01T10:06:00Z\n",
    );
    const three = await alarmsOf([file], {
      periodSeconds: 300,
      threshold: 5,
      evaluationPeriods: 3,
    });
    expect(three.alarms).toEqual({ count: 0, times: [] });
  });

  test("records out of order and spread over many files and formats give the same alarms", async () => {
    // Two bursts an hour apart and noise between, in time order in one file...
    const times = [...BURST, "10:30:00", ...BURST.map((t) => `11${t.slice(2)}`), "11:20:00"];
    const records = times.map((t, i) => denied(t, i));
    const sorted = path.join(dir, "sorted.jsonl");
    writeFileSync(sorted, records.map((r) => JSON.stringify(r)).join("\n"));
    // ...and shuffled over five files: S3 objects, JSON Lines and lookup-events output.
    const tree = path.join(dir, "tree");
    const shuffled = [...records].reverse();
    const parts = [0, 1, 2, 3, 4].map((k) => shuffled.filter((_, i) => i % 5 === k));
    mkdirSync(tree);
    writeFileSync(path.join(tree, "a.json.gz"), gzipSync(JSON.stringify({ Records: parts[0] })));
    writeFileSync(path.join(tree, "b.json"), JSON.stringify({ Records: parts[1] }));
    writeFileSync(path.join(tree, "c.jsonl"), parts[2].map((r) => JSON.stringify(r)).join("\n"));
    writeFileSync(
      path.join(tree, "d.json"),
      JSON.stringify({ Events: parts[3].map((r) => ({ CloudTrailEvent: JSON.stringify(r) })) }),
    );
    writeFileSync(
      path.join(tree, "e.jsonl.gz"),
      gzipSync(parts[4].map((r) => JSON.stringify(r)).join("\n")),
    );
    const tuning = { periodSeconds: 300, threshold: 5 };
    const want = { count: 2, times: ["2024-03-01T10:06:00Z", "2024-03-01T11:06:00Z"] };
    expect((await alarmsOf([sorted], tuning)).alarms).toEqual(want);
    expect((await alarmsOf([tree], tuning)).alarms).toEqual(want);
    expect((await alarmsOf([tree], tuning, 2)).alarms).toEqual(want);
  });

  test("tuning: evaluationPeriods and datapointsToAlarm from the configuration, --period and --evaluation-range override", () => {
    const id = "cis-unauthorized-api-calls";
    expect(planDetections(detections)[0].alarm).toEqual({
      periodSeconds: 60,
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      evaluationRange: 1,
    });
    const tuned = {
      [id]: { periodSeconds: 300, threshold: 2, evaluationPeriods: 5, datapointsToAlarm: 3 },
    };
    expect(planDetections(detections, tuned)[0].alarm).toEqual({
      periodSeconds: 300,
      threshold: 2,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      evaluationRange: 5,
    });
    // datapointsToAlarm defaults to evaluationPeriods, as the rendered alarm sets it.
    expect(
      planDetections(detections, { [id]: { evaluationPeriods: 4 } })[0].alarm?.datapointsToAlarm,
    ).toBe(4);
    expect(
      planDetections(detections, tuned, { periodSeconds: 60, evaluationRange: 7 })[0].alarm,
    ).toMatchObject({ periodSeconds: 60, evaluationPeriods: 5, evaluationRange: 7 });
    // A range below N means no extra data points.
    expect(
      planDetections(detections, tuned, { evaluationRange: 2 })[0].alarm?.evaluationRange,
    ).toBe(5);
    const eventOnly = catalog(WATCHED).filter((d) => d.id === "iam-access-key-created");
    expect(planDetections(eventOnly)[0].alarm).toBeUndefined();
  });

  test("npm run backtest --json: the configured tuning, the alarm times; --period takes what the configuration takes", async () => {
    const file = path.join(dir, "cli-burst.jsonl");
    writeFileSync(file, BURST.map((t, i) => JSON.stringify(denied(t, i))).join("\n"));
    const config = JSON.parse(readFileSync(path.join(ROOT, "trailwatch.config.json"), "utf8"));
    config.detections = {
      alarms: { "cis-unauthorized-api-calls": { periodSeconds: 300, threshold: 5 } },
    };
    const configFile = path.join(dir, "config.json");
    writeFileSync(configFile, JSON.stringify(config));
    const io = capture();
    const args = [file, "--json", "--config", configFile, "--only", "cis-unauthorized-api-calls"];
    expect(await main(args, io)).toBe(EXIT.ok);
    const [d] = JSON.parse(io.out()).detections;
    expect(d.alarm).toEqual({
      periodSeconds: 300,
      threshold: 5,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      evaluationRange: 1,
    });
    expect(d.filter.alarms).toEqual({ count: 1, times: ["2024-03-01T10:06:00Z"] });
    expect(d.event.alarms).toBeNull();

    const minute = capture();
    expect(await main([...args, "--period", "60"], minute)).toBe(EXIT.ok);
    expect(JSON.parse(minute.out()).detections[0].filter.alarms.count).toBe(0);

    const bad = capture();
    expect(await main([file, "--period", "90"], bad)).toBe(EXIT.usage);
    const sub = capture();
    expect(await main([file, "--period", "30"], sub)).toBe(EXIT.usage);
    expect(bad.err()).toMatch(
      /^backtest: --period must be a multiple of 60 from 60 to 86400 seconds \(CloudWatch alarm periods; 10, 20 and 30 s need high-resolution metrics, which metric filters do not publish\) \(got 90\)\n/,
    );
  });

  const capture = () => ({ ...captureIo(ROOT), progress: false });
});
