import { catalog } from "../src/detections/catalog";
import {
  absent,
  all,
  any,
  contains,
  eq,
  gt,
  lte,
  ne,
  notContains,
  notPrefix,
  notSuffix,
  prefix,
  present,
  suffix,
  type Condition,
} from "../src/detections/condition";
import { eventPatternOf, filterPatternOf } from "../src/detections/render";
import type { Detection } from "../src/detections/types";
import { compileEventPattern } from "../src/patterns/event-pattern";
import { cloudTrailRecordToEvent } from "../src/patterns/event-envelope";
import { compileFilterPattern } from "../src/patterns/filter-pattern";
import { renderConditionToFilterPattern } from "../src/patterns/filter-pattern-render";
import {
  CLOUDTRAIL_SQL_COLUMNS,
  escapeLike,
  renderConditionToSql,
  sqlColumns,
  sqlString,
} from "../src/patterns/sql-condition";
import { athenaEngine, type AthenaEngine } from "./support/athena-engine";
import { ALL_RECORDS, WATCHED, type CloudTrailRecord } from "./support/records";

const TABLE = `"trailwatch"."cloudtrail"`;
const where = (c: Condition) => `SELECT eventid FROM ${TABLE} WHERE ${renderConditionToSql(c)}`;

describe("rendering", () => {
  test("top-level fields are lowercase columns; equals is = or IN", () => {
    expect(renderConditionToSql(eq("eventName", "ConsoleLogin"))).toBe(
      "eventname = 'ConsoleLogin'",
    );
    expect(renderConditionToSql(eq("sourceIPAddress", "1.2.3.4", "5.6.7.8"))).toBe(
      "sourceipaddress IN ('1.2.3.4', '5.6.7.8')",
    );
  });

  test("struct paths are struct access, checked against the table's struct fields", () => {
    expect(
      renderConditionToSql(eq("userIdentity.sessionContext.sessionIssuer.userName", "x")),
    ).toBe("useridentity.sessioncontext.sessionissuer.username = 'x'");
    expect(() => renderConditionToSql(eq("userIdentity.nickname", "x"))).toThrow(
      'field "userIdentity.nickname": struct "useridentity" has no field "nickname"',
    );
    expect(() => renderConditionToSql(eq("userIdentity.sessionContext", "x"))).toThrow(
      /is a struct or a whole JSON document/,
    );
    expect(() => renderConditionToSql(eq("resources.arn", "x"))).toThrow(
      '"resources" is a array, not a struct',
    );
    expect(() => renderConditionToSql(eq("eventName.x", "x"))).toThrow(/is a string, not a struct/);
    expect(() => renderConditionToSql(eq("nosuchField", "x"))).toThrow(
      'the table has no column "nosuchfield"',
    );
  });

  test("paths into JSON text columns use json_extract_scalar, absence json_extract", () => {
    expect(renderConditionToSql(eq("requestParameters.bucketName", "b"))).toBe(
      "json_extract_scalar(requestparameters, '$.bucketName') = 'b'",
    );
    expect(renderConditionToSql(eq("responseElements.ConsoleLogin", "Success"))).toBe(
      "json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'",
    );
    expect(renderConditionToSql(absent("additionalEventData.MFAUsed"))).toBe(
      "json_extract(additionaleventdata, '$.MFAUsed') IS NULL",
    );
    expect(renderConditionToSql(absent("requestParameters"))).toBe("requestparameters IS NULL");
    expect(() => renderConditionToSql(eq("requestParameters", "x"))).toThrow(
      /compare one of its fields/,
    );
    // Keys with "-" (S3's x-amz-... headers) in Trino's bracket notation; other characters refused.
    expect(renderConditionToSql(present("requestParameters.x-amz-acl"))).toBe(
      `json_extract_scalar(requestparameters, '$["x-amz-acl"]') IS NOT NULL`,
    );
    expect(() => renderConditionToSql(eq("requestParameters.a b", "x"))).toThrow(/not a name/);
    expect(() => renderConditionToSql(eq("userIdentity.a-b", "x"))).toThrow(/not a plain name/);
  });

  test("notEquals keeps the filter pattern's null semantics; absent is IS NULL", () => {
    expect(renderConditionToSql(ne("eventType", "AwsServiceEvent"))).toBe(
      "(eventtype IS NOT NULL AND eventtype <> 'AwsServiceEvent')",
    );
    expect(renderConditionToSql(absent("errorCode"))).toBe("errorcode IS NULL");
    expect(renderConditionToSql(absent("userIdentity.invokedBy"))).toBe(
      "useridentity.invokedby IS NULL",
    );
  });

  test("prefix and suffix are LIKE with %, _ and \\ escaped; quotes are doubled", () => {
    expect(renderConditionToSql(prefix("errorCode", "AccessDenied"))).toBe(
      "errorcode LIKE 'AccessDenied%' ESCAPE '\\'",
    );
    expect(renderConditionToSql(suffix("errorCode", "100%_done\\"))).toBe(
      "errorcode LIKE '%100\\%\\_done\\\\' ESCAPE '\\'",
    );
    expect(renderConditionToSql(eq("eventName", "O'Brien"))).toBe("eventname = 'O''Brien'");
    expect(escapeLike("a%b_c\\d")).toBe("a\\%b\\_c\\\\d");
    expect(sqlString("it's")).toBe("'it''s'");
    expect(() => renderConditionToSql(prefix("errorCode", ""))).toThrow(/would match any value/);
  });

  test("contains and the negative text operators are LIKE and NOT LIKE; exists true is IS NOT NULL", () => {
    expect(renderConditionToSql(contains("userAgent", "50%_off"))).toBe(
      "useragent LIKE '%50\\%\\_off%' ESCAPE '\\'",
    );
    expect(renderConditionToSql(notSuffix("requestParameters.principal", ".amazonaws.com"))).toBe(
      "(json_extract_scalar(requestparameters, '$.principal') IS NOT NULL AND json_extract_scalar(requestparameters, '$.principal') NOT LIKE '%.amazonaws.com' ESCAPE '\\')",
    );
    expect(renderConditionToSql(notPrefix("userAgent", "aws-cli/"))).toBe(
      "(useragent IS NOT NULL AND useragent NOT LIKE 'aws-cli/%' ESCAPE '\\')",
    );
    expect(renderConditionToSql(notContains("userAgent", "x"))).toBe(
      "(useragent IS NOT NULL AND useragent NOT LIKE '%x%' ESCAPE '\\')",
    );
    expect(renderConditionToSql(present("errorCode"))).toBe("errorcode IS NOT NULL");
    expect(renderConditionToSql(lte("requestParameters.days", 7))).toBe(
      "TRY_CAST(json_extract_scalar(requestparameters, '$.days') AS DOUBLE) <= 7",
    );
    expect(renderConditionToSql(gt("requestParameters.n", -0.5))).toBe(
      "TRY_CAST(json_extract_scalar(requestparameters, '$.n') AS DOUBLE) > -0.5",
    );
    expect(() => renderConditionToSql(notContains("userAgent", ""))).toThrow(
      /would match no value/,
    );
  });

  test("[] in a JSON text column searches the first elements; elsewhere it is refused", () => {
    const paths = [0, 1, 2, 3].map((i) => `'$.items[${i}].userId'`);
    expect(renderConditionToSql(present("requestParameters.items[].userId"))).toBe(
      `(${paths.map((p) => `json_extract_scalar(requestparameters, ${p}) IS NOT NULL`).join(" OR ")})`,
    );
    expect(renderConditionToSql(absent("requestParameters.items[].userId"))).toBe(
      `(${paths.map((p) => `json_extract(requestparameters, ${p}) IS NULL`).join(" AND ")})`,
    );
    expect(() => renderConditionToSql(eq("resources[].ARN", "x"))).toThrow(
      /searches arrays inside the JSON text columns/,
    );
    expect(() => renderConditionToSql(eq("requestParameters[].x", "x"))).toThrow(
      /holds a JSON document, not an array/,
    );
  });

  test("numbers and booleans compare as text (every column is a string)", () => {
    expect(renderConditionToSql(eq("readOnly", true))).toBe("readonly = 'true'");
    expect(renderConditionToSql(eq("requestParameters.maxResults", 50, -0))).toBe(
      "json_extract_scalar(requestparameters, '$.maxResults') IN ('50', '0')",
    );
    expect(() => renderConditionToSql(eq("eventVersion", Infinity))).toThrow(/not a finite/);
  });

  test("all/any: one term unwraps, nested compounds are parenthesised and indented", () => {
    expect(renderConditionToSql(all(any(eq("eventName", "A"))))).toBe("eventname = 'A'");
    expect(
      renderConditionToSql(
        all(
          eq("eventSource", "s"),
          any(eq("eventName", "A"), all(all(eq("eventName", "B"), absent("errorCode")))),
        ),
      ),
    ).toBe(
      [
        "eventsource = 's'",
        "AND (",
        "  eventname = 'A'",
        "  OR (",
        "    eventname = 'B'",
        "    AND errorcode IS NULL",
        "  )",
        ")",
      ].join("\n"),
    );
    expect(() => renderConditionToSql(all())).toThrow('cannot render an empty "all"');
    expect(() => renderConditionToSql(all(eq("eventName", "A"), any()))).toThrow(
      'cannot render an empty "any"',
    );
  });

  test("other tables: columns come from their Hive types", () => {
    const cols = sqlColumns(
      [
        { name: "who", type: "struct<name:string>" },
        { name: "doc", type: "string" },
      ],
      ["doc"],
    );
    expect(renderConditionToSql(all(eq("who.name", "x"), eq("doc.a.b", "y")), cols)).toBe(
      "who.name = 'x'\nAND json_extract_scalar(doc, '$.a.b') = 'y'",
    );
    expect(CLOUDTRAIL_SQL_COLUMNS.get("requestparameters")?.json).toBe(true);
    expect(CLOUDTRAIL_SQL_COLUMNS.get("useridentity")?.type.kind).toBe("struct");
  });
});

// ---------------------------------------------------------------------------------------------
// Semantics: the SQL and the filter pattern agree record by record.

/** Records covering the cases where renderings could part: missing, object, number, specials. */
const SYNTHETIC: CloudTrailRecord[] = [
  { eventName: "GetObject", errorCode: "AccessDenied", userIdentity: { type: "IAMUser" } },
  { eventName: "GetObject", userIdentity: { type: "AssumedRole", invokedBy: "ec2.amazonaws.com" } },
  { eventName: "Get%Object", errorCode: "Client.UnauthorizedOperation" },
  { eventName: "GetXObject", errorCode: "AccessDeniedException", userIdentity: {} },
  { eventName: "Get_Object", requestParameters: { bucketName: "my_bucket", maxKeys: 50 } },
  { eventName: "PutObject", requestParameters: { bucketName: { nested: "my_bucket" } } },
  { eventName: "PutObject", requestParameters: { bucketName: "my-bucket", tags: ["a"] } },
  { eventName: "PutObject", requestParameters: { bucketName: "O'Brien's bucket" } },
  { eventName: "PutObject", requestParameters: { maxKeys: "50" } },
  {
    eventName: "ConsoleLogin",
    additionalEventData: { MFAUsed: "No" },
    eventType: "AwsConsoleSignIn",
  },
  {
    eventName: "ConsoleLogin",
    additionalEventData: { MFAUsed: "Yes" },
    eventType: "AwsConsoleSignIn",
  },
  { eventName: "ConsoleLogin", additionalEventData: {}, eventType: "AwsConsoleSignIn" },
  { eventName: "CreateBucket", eventType: "AwsServiceEvent" },
  { eventName: "CreateBucket" },
].map((r, i) => ({
  eventVersion: "1.08",
  eventTime: "2024-05-01T12:00:00Z",
  awsRegion: "us-east-1",
  eventSource: "s3.amazonaws.com",
  ...r,
  eventID: `synthetic-${i}`,
  _source: "constructed",
}));

const CONDITIONS: Condition[] = [
  eq("eventName", "GetObject"),
  eq("eventName", "Get%Object", "Get_Object"),
  ne("eventType", "AwsServiceEvent"),
  ne("additionalEventData.MFAUsed", "Yes"),
  ne("requestParameters.bucketName", "my-bucket"),
  prefix("eventName", "Get_"),
  prefix("eventName", "Get%"),
  prefix("errorCode", "AccessDenied"),
  suffix("errorCode", "UnauthorizedOperation"),
  suffix("requestParameters.bucketName", "_bucket"),
  suffix("requestParameters.bucketName", "'s bucket"),
  eq("requestParameters.maxKeys", 50),
  eq("requestParameters.bucketName", "my_bucket", "my-bucket"),
  absent("errorCode"),
  absent("userIdentity.invokedBy"),
  absent("additionalEventData.MFAUsed"),
  absent("requestParameters.tags"),
  all(eq("userIdentity.type", "IAMUser"), prefix("errorCode", "Access")),
  any(absent("userIdentity"), eq("userIdentity.type", "AssumedRole")),
];

describe("SQL and filter pattern agree on synthetic edge cases", () => {
  let engine: AthenaEngine;
  beforeAll(async () => {
    engine = await athenaEngine(
      "trailwatch",
      "cloudtrail",
      SYNTHETIC.map((record) => ({ record })),
    );
  });
  afterAll(() => engine.close());

  test.each(CONDITIONS.map((c) => [renderConditionToFilterPattern(c), c] as const))(
    "%s",
    async (pattern, c) => {
      const filter = compileFilterPattern(pattern);
      const expected = SYNTHETIC.filter((r) => filter(r))
        .map((r) => r.eventID)
        .sort();
      expect(await engine.eventIds(where(c))).toEqual(expected);
    },
  );

  test("the conditions above are not vacuous: each matches some records and misses others", async () => {
    for (const c of CONDITIONS) {
      const n = (await engine.eventIds(where(c))).length;
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(SYNTHETIC.length);
    }
  });

  test("a backslash in a prefix is literal", async () => {
    const e = await athenaEngine("trailwatch", "cloudtrail", [
      { record: { ...SYNTHETIC[0], eventID: "a", eventName: "C:\\Windows\\x" } },
      { record: { ...SYNTHETIC[0], eventID: "b", eventName: "C:Windows" } },
    ]);
    try {
      expect(await e.eventIds(where(prefix("eventName", "C:\\Windows\\")))).toEqual(["a"]);
    } finally {
      e.close();
    }
  });

  test("known difference: an explicit JSON null reads as absent (the SerDe gives NULL)", async () => {
    const record = {
      ...SYNTHETIC[0],
      eventID: "null-invokedby",
      userIdentity: { invokedBy: null },
    };
    const e = await athenaEngine("trailwatch", "cloudtrail", [{ record }]);
    try {
      expect(await e.eventIds(where(absent("userIdentity.invokedBy")))).toEqual(["null-invokedby"]);
      expect(
        compileFilterPattern(renderConditionToFilterPattern(absent("userIdentity.invokedBy")))(
          record,
        ),
      ).toBe(false);
    } finally {
      e.close();
    }
  });

  test("the json_extract_scalar stand-in has Trino's semantics: scalars as text, else NULL", async () => {
    const [row] = await engine.rows(
      `SELECT json_extract_scalar('{"s":"x","n":5,"b":true,"o":{"a":1},"a":[1],"z":null}', '$.s') s,
              json_extract_scalar('{"n":5}', '$.n') n, json_extract_scalar('{"b":true}', '$.b') b,
              json_extract_scalar('{"o":{"a":1}}', '$.o') o, json_extract_scalar('{"a":[1]}', '$.a') a,
              json_extract_scalar('{"z":null}', '$.z') z, json_extract_scalar('{}', '$.m') m,
              json_extract_scalar('not json', '$.m') bad, json_extract_scalar(NULL, '$.m') nul`,
    );
    expect(row).toEqual({
      s: "x",
      n: "5",
      b: "true",
      o: null,
      a: null,
      z: null,
      m: null,
      bad: null,
      nul: null,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Every detection: the SQL rendering matches exactly the records its metric filter matches, and
// the records its event pattern matches among those EventBridge delivers.

const DETECTIONS = catalog(WATCHED);

function envelope(r: CloudTrailRecord) {
  try {
    return cloudTrailRecordToEvent(r);
  } catch {
    return undefined;
  }
}

function inEventDomain(d: Detection, r: CloudTrailRecord, e: unknown): boolean {
  const types = (d.recordTypes ?? ["AwsApiCall"]) as readonly string[];
  return e !== undefined && types.includes(r.eventType);
}

describe("every detection's SQL agrees with its metric filter and event pattern on real records", () => {
  let engine: AthenaEngine;
  const sqlMatches = new Map<string, Set<string>>();
  beforeAll(async () => {
    engine = await athenaEngine(
      "trailwatch",
      "cloudtrail",
      ALL_RECORDS.map((record) => ({ record })),
    );
    for (const d of DETECTIONS)
      sqlMatches.set(d.id, new Set(await engine.eventIds(where(d.condition))));
  });
  afterAll(() => engine.close());

  test("record ids are unique (matches are compared by eventID)", () => {
    expect(new Set(ALL_RECORDS.map((r) => r.eventID)).size).toBe(ALL_RECORDS.length);
  });

  test.each(DETECTIONS.map((d) => [d.id, d] as const))("%s", (_id, d) => {
    const filter = compileFilterPattern(filterPatternOf(d));
    const event = compileEventPattern(eventPatternOf(d));
    const sql = sqlMatches.get(d.id)!;
    const byFilter = ALL_RECORDS.filter((r) => filter(r)).map((r) => r.eventID);
    expect([...sql].sort()).toEqual(byFilter.sort());
    expect(sql.size).toBeGreaterThan(0);
    const disagreements = ALL_RECORDS.flatMap((r) => {
      const e = envelope(r);
      if (!inEventDomain(d, r, e)) return [];
      return sql.has(r.eventID) === event(e!) ? [] : [`${r.eventID} ${r.eventName}`];
    });
    expect(disagreements).toEqual([]);
  });
});
