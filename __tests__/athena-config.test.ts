import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseConfig } from "../src/config/load";
import { MIN_BYTES_SCANNED_CUTOFF, timeZoneProblem } from "../src/config/fields";
import { configProblems as problems, exampleConfigInput, ROOT } from "./helpers";

/** The example with `athena` (and optionally more) set. */
function withAthena(athena: Record<string, unknown>, more: Record<string, unknown> = {}) {
  return { ...exampleConfigInput(), ...more, athena };
}

describe("athena configuration", () => {
  test("the issue's example is accepted as written", () => {
    const c = parseConfig(
      withAthena({
        enabled: true,
        timeZone: "Asia/Tokyo",
        projectionStartDate: "2024/01/01",
        bytesScannedCutoffPerQuery: 10737418240,
        resultsRetentionDays: 30,
      }),
    );
    expect(c.athena).toEqual({
      enabled: true,
      timeZone: "Asia/Tokyo",
      projectionStartDate: "2024/01/01",
      bytesScannedCutoffPerQuery: 10737418240,
      resultsRetentionDays: 30,
    });
  });

  test("off unless enabled; the defaults are documented values", () => {
    const { athena: _omitted, ...withoutAthena } = exampleConfigInput();
    expect(parseConfig(withoutAthena).athena).toEqual({
      enabled: false,
      timeZone: "UTC",
      projectionStartDate: "2020/01/01",
      bytesScannedCutoffPerQuery: 10737418240,
      resultsRetentionDays: 30,
    });
  });

  test("time zones must be IANA Area/Location names (or UTC); abbreviations get a suggestion", () => {
    expect(problems(withAthena({ enabled: true, timeZone: "Mars/Olympus_Mons" }))).toEqual([
      'athena.timeZone: not an IANA time zone name such as "Asia/Tokyo" or "UTC" (got "Mars/Olympus_Mons")',
    ]);
    expect(problems(withAthena({ enabled: true, timeZone: "JST" }))).toEqual([
      'athena.timeZone: not an IANA time zone name such as "Asia/Tokyo" or "UTC" (did you mean "Asia/Tokyo"?) (got "JST")',
    ]);
    expect(problems(withAthena({ enabled: true, timeZone: "asia/tokyo" }))[0]).toContain(
      '(did you mean "Asia/Tokyo"?)',
    );
    expect(problems(withAthena({ enabled: true, timeZone: "+09:00" }))[0]).toMatch(
      /^athena\.timeZone: not an IANA time zone name/,
    );
    for (const ok of [
      "UTC",
      "Asia/Tokyo",
      "Asia/Kolkata",
      "Europe/Berlin",
      "America/Argentina/Buenos_Aires",
      "Etc/GMT-9",
    ])
      expect(timeZoneProblem(ok)).toBeUndefined();
  });

  test("the projection start date is yyyy/MM/dd, a calendar date, not in the future", () => {
    expect(problems(withAthena({ enabled: true, projectionStartDate: "2024-01-01" }))).toEqual([
      'athena.projectionStartDate: must be a date written yyyy/MM/dd, e.g. "2024/01/01" (got "2024-01-01")',
    ]);
    expect(problems(withAthena({ enabled: true, projectionStartDate: "2024/02/30" }))).toEqual([
      'athena.projectionStartDate: is not a calendar date (got "2024/02/30")',
    ]);
    expect(problems(withAthena({ enabled: true, projectionStartDate: "2999/01/01" }))).toEqual([
      'athena.projectionStartDate: is in the future; partition projection starts there and would find no logs (got "2999/01/01")',
    ]);
    expect(
      parseConfig(withAthena({ projectionStartDate: "2013/11/13" })).athena.projectionStartDate,
    ).toBe("2013/11/13");
  });

  test("the bytes-scanned cutoff is a whole number of at least 10 MB (Athena's minimum)", () => {
    expect(MIN_BYTES_SCANNED_CUTOFF).toBe(10 * 1024 * 1024);
    expect(problems(withAthena({ enabled: true, bytesScannedCutoffPerQuery: 10485759 }))).toEqual([
      "athena.bytesScannedCutoffPerQuery: must be at least 10485760 bytes (10 MB, Athena's minimum) (got 10485759)",
    ]);
    expect(problems(withAthena({ enabled: true, bytesScannedCutoffPerQuery: 12345678.5 }))).toEqual(
      ["athena.bytesScannedCutoffPerQuery: must be a whole number of bytes (got 12345678.5)"],
    );
    expect(
      parseConfig(withAthena({ enabled: true, bytesScannedCutoffPerQuery: 10485760 })).athena
        .bytesScannedCutoffPerQuery,
    ).toBe(10485760);
  });

  test("results retention is a positive number of days", () => {
    expect(problems(withAthena({ enabled: true, resultsRetentionDays: 0 }))).toEqual([
      "athena.resultsRetentionDays: must be at least 1 day (got 0)",
    ]);
  });

  test("unknown fields are named", () => {
    expect(problems(withAthena({ enabled: true, timezone: "UTC" }))).toEqual([
      'athena: unknown field "timezone"; see trailwatch.schema.json for the allowed fields',
    ]);
  });

  test("the results bucket: a derived name that breaks S3's rules, or one that is already taken", () => {
    const longName = "a-very-long-deployment-name-x1";
    const p = problems(withAthena({ enabled: true }, { name: longName }));
    expect(p).toContainEqual(
      `athena.resultsBucketName: the default name "${longName}-athena-111122223333-ap-northeast-1" (from name, accountId and homeRegion) must be 3 to 63 characters long; set athena.resultsBucketName explicitly`,
    );
    // Only checked when Athena is on.
    expect(problems(withAthena({ enabled: false }, { name: longName }))).not.toContainEqual(
      expect.stringMatching(/^athena\./),
    );
    const state = exampleConfigInput().state.bucket;
    expect(problems(withAthena({ enabled: true, resultsBucketName: state }))).toEqual([
      `athena.resultsBucketName: must differ from state.bucket ("${state}"): each trailwatch bucket has its own stack, policy and lifecycle (got "${state}")`,
    ]);
    expect(problems(withAthena({ enabled: true, resultsBucketName: "Bad_Name" }))[0]).toMatch(
      /^athena\.resultsBucketName: not a valid S3 bucket name/,
    );
  });

  test("S3 data events for all buckets: read/write is one of All, ReadOnly, WriteOnly", () => {
    const input = exampleConfigInput();
    const c = parseConfig({
      ...input,
      trail: { ...input.trail, s3DataEventsAllBuckets: { readWrite: "WriteOnly" } },
    });
    expect(c.trail.s3DataEventsAllBuckets).toEqual({ readWrite: "WriteOnly" });
    expect(parseConfig(input).trail.s3DataEventsAllBuckets).toBeUndefined();
    const p = problems({
      ...input,
      trail: { ...input.trail, s3DataEventsAllBuckets: { readWrite: "Write" } },
    });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(
      /^trail\.s3DataEventsAllBuckets\.readWrite: .*"All".*"ReadOnly".*"WriteOnly"/,
    );
  });

  test("the committed JSON Schema describes the athena block", () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, "trailwatch.schema.json"), "utf8"));
    const athena = schema.properties.athena;
    expect(Object.keys(athena.properties).sort()).toEqual(
      [
        "bytesScannedCutoffPerQuery",
        "enabled",
        "projectionStartDate",
        "resultsBucketName",
        "resultsRetentionDays",
        "timeZone",
      ].sort(),
    );
    expect(athena.properties.enabled.default).toBe(false);
    expect(athena.properties.bytesScannedCutoffPerQuery.minimum).toBe(10485760);
    expect(schema.properties.trail.properties.s3DataEventsAllBuckets).toBeDefined();
  });
});
