import { readFixtureJsonl } from "../support/fixtures";
import {
  absent,
  all,
  any,
  contains,
  eq,
  gt,
  gte,
  lt,
  lte,
  ne,
  notContains,
  notPrefix,
  notSuffix,
  prefix,
  present,
  suffix,
} from "../../src/detections/condition";
import {
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from "../../src/patterns/event-pattern";
import { cloudTrailRecordToEvent, type EventBridgeEvent } from "../../src/patterns/event-envelope";
import { renderConditionToEventPattern } from "../../src/patterns/event-pattern-render";

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Conformance: every case LocalStack checked against AWS's TestEventPattern.

interface Case {
  name: string;
  pattern?: Json;
  event?: Json;
  // Two cases keep raw JSON text: one has a duplicate key, one has escapes.
  pattern_raw?: string;
  event_raw?: string;
  expected: "match" | "no_match" | "invalid_pattern";
}

const CASES = readFixtureJsonl<Case>("conformance", "eventbridge_cases.jsonl");

test("the conformance file holds all 157 cases", () => {
  expect(CASES).toHaveLength(157);
});

describe("EventBridge conformance cases", () => {
  test.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const pattern = c.pattern ?? (JSON.parse(c.pattern_raw!) as Json);
    const event = c.event ?? (JSON.parse(c.event_raw!) as Json);
    if (c.expected === "invalid_pattern") {
      expect(validateEventPattern(pattern)).not.toEqual([]);
      expect(() => matchesEventPattern(pattern, event)).toThrow(InvalidEventPatternError);
      expect(() => compileEventPattern(pattern)).toThrow(InvalidEventPatternError);
    } else {
      expect(validateEventPattern(pattern)).toEqual([]);
      expect(matchesEventPattern(pattern, event)).toBe(c.expected === "match");
      expect(compileEventPattern(pattern)(event)).toBe(c.expected === "match");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Validation beyond the case file (Event Ruler's JsonRuleCompiler rules).

describe("validateEventPattern", () => {
  const invalid = (pattern: unknown) => validateEventPattern(pattern);

  test("each problem names the JSON path", () => {
    expect(invalid({ detail: { state: [{ "anything-but": null }] } })).toEqual([
      expect.stringContaining("$.detail.state[0].anything-but"),
    ]);
    expect(invalid({ detail: { "c-count": [{ numeric: [">", 0, "<"] }] } })[0]).toMatch(
      /^\$\.detail\.c-count\[0\]\.numeric: /,
    );
    expect(invalid({ detail: { "odd key": "x" } })[0]).toMatch(/^\$\.detail\["odd key"\]: /);
  });

  test("reports every problem, not only the first", () => {
    expect(invalid({ a: "x", b: [], c: [{ EXISTS: true }] })).toHaveLength(3);
  });

  test.each<[string, unknown]>([
    ["a non-object pattern", ["source"]],
    ["null", null],
    ["an empty pattern", {}],
    ["an empty nested object", { detail: {} }],
    ["a nested array", { source: [["aws.iam"]] }],
    ["a two-key match expression", { source: [{ prefix: "a", suffix: "b" }] }],
    ["an empty match expression", { source: [{}] }],
    ["$or with one branch", { $or: [{ a: ["x"] }] }],
    ["$or that is not an array", { $or: { a: ["x"] } }],
    ["$or with a non-object", { $or: [{ a: ["x"] }, ["y"]] }],
    ["an operator name as a field inside $or", { $or: [{ prefix: ["x"] }, { b: ["y"] }] }],
    ["numeric with the upper bound first", { n: [{ numeric: ["<", 10, ">=", 0] }] }],
    ["numeric = with a second bound", { n: [{ numeric: ["=", 1, "<", 2] }] }],
    ["numeric with low >= high", { n: [{ numeric: [">", 5, "<", 5] }] }],
    ["numeric with a string operand", { n: [{ numeric: [">", "5"] }] }],
    ["numeric beyond 5e9", { n: [{ numeric: [">", 6e9] }] }],
    ["numeric with 7 decimals", { n: [{ numeric: [">", 0.0000001] }] }],
    ["an empty anything-but list", { s: [{ "anything-but": [] }] }],
    ["a mixed anything-but list", { s: [{ "anything-but": ["a", 1] }] }],
    ["anything-but true", { s: [{ "anything-but": true }] }],
    [
      "anything-but with an unknown nested operator",
      { s: [{ "anything-but": { numeric: [">", 1] } }] },
    ],
    ["an escape other than \\* and \\\\", { s: [{ wildcard: "a\\b" }] }],
    ["a trailing backslash", { s: [{ wildcard: "a\\" }] }],
    ["a wildcard with repeated text after *", { s: [{ wildcard: "*aaaaaaaaaa" }] }],
    [
      "too complex wildcards spread over one field",
      {
        s: [
          { wildcard: "*:a/b/*" },
          { wildcard: "*:c/d/*" },
          { wildcard: "*:e/f/*" },
          { wildcard: "*:g/h/*" },
        ],
      },
    ],
    ["exists with a string", { s: [{ exists: "true" }] }],
    ["prefix with an unknown nested key", { s: [{ prefix: { "equals-ignore-case": "a", x: 1 } }] }],
    ["cidr /32 (Ruler: IPv4 mask bits must be < 32)", { ip: [{ cidr: "10.0.0.1/32" }] }],
    ["cidr with a negative mask", { ip: [{ cidr: "10.0.0.0/-1" }] }],
    ["an IPv4 octet above 255", { ip: [{ cidr: "10.0.0.256/24" }] }],
    ["an undocumented operator", { s: [{ exactly: "x" }] }],
  ])("rejects %s", (_what, pattern) => {
    expect(invalid(pattern)).not.toEqual([]);
  });

  test.each<[string, unknown]>([
    ["a key named $or-like text", { "$or-not": ["x"] }],
    [
      "nested $or inside $or",
      { $or: [{ a: ["x"], $or: [{ b: ["y"] }, { c: ["z"] }] }, { d: ["w"] }] },
    ],
    ["a one-bound numeric", { n: [{ numeric: ["<=", -5e9] }] }],
    ["numeric = with 6 decimals", { n: [{ numeric: ["=", 0.000001] }] }],
    ["exact numbers of any size (account ids)", { account: [123456789012] }],
    ["escaped stars and backslashes in wildcards", { s: [{ wildcard: "a\\*b\\\\c*" }] }],
    ["anything-but wildcard lists", { s: [{ "anything-but": { wildcard: ["*/a/*", "*/b/*"] } }] }],
    ["an empty equals-ignore-case", { s: [{ "equals-ignore-case": "" }] }],
    ["IPv6 cidr /127", { ip: [{ cidr: "2001:db8::/127" }] }],
    [
      "three moderately complex wildcards",
      { s: [{ wildcard: "*:a/b/*" }, { wildcard: "*:c/d/*" }, { wildcard: "*:e/f/*" }] },
    ],
  ])("accepts %s", (_what, pattern) => {
    expect(invalid(pattern)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Matching beyond the case file.

describe("matchesEventPattern", () => {
  test("array consistency: two fields must come from the same array element (Ruler README)", () => {
    const event = {
      employees: [
        { firstName: "John", lastName: "Doe" },
        { firstName: "Anna", lastName: "Smith" },
        { firstName: "Peter", lastName: "Jones" },
      ],
    };
    const rule = (last: string) => ({ employees: { firstName: ["Anna"], lastName: [last] } });
    expect(matchesEventPattern(rule("Smith"), event)).toBe(true);
    expect(matchesEventPattern(rule("Jones"), event)).toBe(false);
    expect(matchesEventPattern({ employees: { firstName: ["Peter"] } }, event)).toBe(true);
  });

  test("nested arrays are searched too", () => {
    const event = { a: [[{ b: 1 }], [{ b: 2, c: [3, 4] }]] };
    expect(matchesEventPattern({ a: { b: [2], c: [4] } }, event)).toBe(true);
    expect(matchesEventPattern({ a: { b: [1], c: [4] } }, event)).toBe(false);
  });

  test("matching is type-strict", () => {
    const event = { t: true, one: 1, s: "1" };
    expect(matchesEventPattern({ t: [1] }, event)).toBe(false);
    expect(matchesEventPattern({ t: ["true"] }, event)).toBe(false);
    expect(matchesEventPattern({ t: [true] }, event)).toBe(true);
    expect(matchesEventPattern({ one: ["1"] }, event)).toBe(false);
    expect(matchesEventPattern({ s: [1] }, event)).toBe(false);
    expect(matchesEventPattern({ one: [{ "anything-but": "1" }] }, event)).toBe(true);
  });

  test("an object or empty array is not a value: exists false holds, exists true does not", () => {
    const event = { o: { x: 1 }, e: [] };
    for (const f of ["o", "e", "missing"]) {
      expect(matchesEventPattern({ [f]: [{ exists: false }] }, event)).toBe(true);
      expect(matchesEventPattern({ [f]: [{ exists: true }] }, event)).toBe(false);
      expect(matchesEventPattern({ [f]: [{ "anything-but": "x" }] }, event)).toBe(false);
    }
  });

  test("wildcards: * matches any run (also empty), escapes are literal", () => {
    const m = (w: string, v: string) => matchesEventPattern({ s: [{ wildcard: w }] }, { s: v });
    expect(m("a*b", "ab")).toBe(true);
    expect(m("a*b", "a\nb")).toBe(true);
    expect(m("a*b", "abc")).toBe(false);
    expect(m("a\\*b", "a*b")).toBe(true);
    expect(m("a\\*b", "axb")).toBe(false);
    expect(m("a\\\\b", "a\\b")).toBe(true);
    expect(m("a.b", "axb")).toBe(false);
  });

  test("numeric ranges are inclusive or exclusive as written and only match numbers", () => {
    const m = (spec: unknown[], v: unknown) =>
      matchesEventPattern({ n: [{ numeric: spec }] }, { n: v });
    expect(m([">=", 0, "<", 10], 0)).toBe(true);
    expect(m([">=", 0, "<", 10], 10)).toBe(false);
    expect(m([">", 0, "<=", 10], 10)).toBe(true);
    expect(m(["=", 301.8], 301.8)).toBe(true);
    expect(m([">", 0], "5")).toBe(false);
    // Ruler cannot compare numbers beyond ±5e9 or with more than 6 decimals.
    expect(m([">", 0], 6e9)).toBe(false);
    expect(m([">", 0], 1.0000001)).toBe(false);
  });

  test("equals-ignore-case, prefix and suffix only match strings", () => {
    const event = { n: 12, s: "EventBridge" };
    expect(matchesEventPattern({ n: [{ prefix: "1" }] }, event)).toBe(false);
    expect(matchesEventPattern({ s: [{ "equals-ignore-case": "eventbridge" }] }, event)).toBe(true);
    expect(
      matchesEventPattern({ s: [{ suffix: { "equals-ignore-case": "BRIDGE" } }] }, event),
    ).toBe(true);
  });

  test("cidr and exact IP values compare addresses, not spellings", () => {
    const event = { v4: "192.168.1.77", v6: "2001:db8:0:0:0:0:0:1" };
    expect(matchesEventPattern({ v4: [{ cidr: "192.168.1.0/24" }] }, event)).toBe(true);
    expect(matchesEventPattern({ v4: [{ cidr: "192.168.2.0/24" }] }, event)).toBe(false);
    expect(matchesEventPattern({ v6: ["2001:db8::1"] }, event)).toBe(true);
    expect(matchesEventPattern({ v6: [{ cidr: "2001:db8::/32" }] }, event)).toBe(true);
    expect(matchesEventPattern({ v6: [{ cidr: "10.0.0.0/8" }] }, event)).toBe(false);
  });

  test("$or branches, nested $or, and a key repeated on one path keeps the last value", () => {
    const p = { a: ["x"], $or: [{ b: ["y"] }, { c: ["z"], $or: [{ d: [1] }, { e: [2] }] }] };
    expect(matchesEventPattern(p, { a: "x", b: "y" })).toBe(true);
    expect(matchesEventPattern(p, { a: "x", c: "z", e: 2 })).toBe(true);
    expect(matchesEventPattern(p, { a: "x", c: "z" })).toBe(false);
    expect(matchesEventPattern(p, { b: "y" })).toBe(false);
    // {"a": {"b": [1]}} and {"a.b": [2]} are the same path; Ruler keeps the later one.
    expect(matchesEventPattern({ a: { b: [1] }, "a.b": [2] }, { a: { b: 2 } })).toBe(true);
    expect(matchesEventPattern({ a: { b: [1] }, "a.b": [2] }, { a: { b: 1 } })).toBe(false);
  });

  test("a compiled pattern is reusable and leaves events untouched", () => {
    const match = compileEventPattern({ detail: { eventName: [{ prefix: "Create" }] } });
    const event = { detail: { eventName: "CreateUser" } };
    const copy = JSON.parse(JSON.stringify(event));
    expect(match(event)).toBe(true);
    expect(match({ detail: { eventName: "DeleteUser" } })).toBe(false);
    expect(match(event)).toBe(true);
    expect(event).toEqual(copy);
  });

  test("InvalidEventPatternError carries the problems", () => {
    try {
      compileEventPattern({ source: "aws.iam" });
      throw new Error("no error");
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidEventPatternError);
      expect((e as InvalidEventPatternError).problems).toEqual([
        "$.source: must be an object or an array",
      ]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// CloudTrail record -> EventBridge event, on real records.

type CloudTrailRecord = Json & { eventName?: string; eventType?: string; eventID?: string };

const RECORDS = readFixtureJsonl<CloudTrailRecord>("records.jsonl");

/** Records EventBridge could deliver, with their events; the rest with the reason they can't be. */
const CONVERTED: { record: CloudTrailRecord; event: EventBridgeEvent }[] = [];
const REJECTED: { record: CloudTrailRecord; reason: string }[] = [];
for (const record of RECORDS) {
  try {
    CONVERTED.push({ record, event: cloudTrailRecordToEvent(record) });
  } catch (e) {
    REJECTED.push({ record, reason: (e as Error).message });
  }
}

const first = (pred: (r: CloudTrailRecord) => boolean) => {
  const found = RECORDS.find(pred);
  if (!found) throw new Error("fixture record not found");
  return found;
};

describe("cloudTrailRecordToEvent", () => {
  test("a ConsoleLogin record becomes an AWS Console Sign In event from aws.signin", () => {
    const record = first(
      (r) => r.eventName === "ConsoleLogin" && r.eventType === "AwsConsoleSignIn",
    );
    const event = cloudTrailRecordToEvent(record);
    expect(event).toMatchObject({
      version: "0",
      "detail-type": "AWS Console Sign In via CloudTrail",
      source: "aws.signin",
      account: record.recipientAccountId,
      time: record.eventTime,
      region: record.awsRegion,
      resources: [],
    });
    expect(event.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(cloudTrailRecordToEvent(record).id).toBe(event.id); // deterministic
    expect(event.detail.eventName).toBe("ConsoleLogin");
    expect(Object.keys(event.detail).filter((k) => k.startsWith("_"))).toEqual([]);
    expect(Object.keys(record).some((k) => k.startsWith("_"))).toBe(true); // input untouched
  });

  test("a CreateAccessKey record becomes an AWS API Call event from aws.iam", () => {
    const record = first((r) => r.eventName === "CreateAccessKey");
    expect(cloudTrailRecordToEvent(record)).toMatchObject({
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.iam",
      region: "us-east-1",
      account: record.recipientAccountId,
    });
  });

  test("service events and console actions get their detail-types", () => {
    const kms = first((r) => r.eventType === "AwsServiceEvent" && r.eventName === "RotateKey");
    expect(cloudTrailRecordToEvent(kms)).toMatchObject({
      "detail-type": "AWS Service Event via CloudTrail",
      source: "aws.kms",
      region: "us-east-2",
    });
    const action = first((r) => r.eventType === "AwsConsoleAction");
    expect(cloudTrailRecordToEvent(action)["detail-type"]).toBe(
      "AWS Console Action via CloudTrail",
    );
  });

  test("account falls back to userIdentity.accountId", () => {
    const record = first((r) => !r.recipientAccountId && r.eventType === "AwsConsoleSignIn");
    const event = cloudTrailRecordToEvent(record);
    expect(event.account).toBe((record.userIdentity as Json).accountId);
    expect(event.region).toBe("us-east-2");
  });

  test("ids differ between records", () => {
    const ids = new Set(CONVERTED.map((c) => c.event.id));
    expect(ids.size).toBe(new Set(CONVERTED.map((c) => c.record.eventID)).size);
  });

  // Constructed: the fixtures hold no CloudWatch or Insights record. Modelled on the CloudTrail
  // record format (eventType/eventSource/recipientAccountId/eventTime/awsRegion/eventID).
  const constructed = (fields: Json): Json => ({
    _source: "constructed",
    eventVersion: "1.09",
    eventTime: "2024-05-01T12:00:00Z",
    awsRegion: "eu-west-1",
    eventID: "5d3c2a1b-0000-4000-8000-000000000001",
    recipientAccountId: "111122223333",
    ...fields,
  });

  test("monitoring.amazonaws.com maps to aws.monitoring (EventBridge events reference)", () => {
    const record = constructed({
      eventType: "AwsApiCall",
      eventSource: "monitoring.amazonaws.com",
      eventName: "PutMetricAlarm",
    });
    expect(cloudTrailRecordToEvent(record).source).toBe("aws.monitoring");
  });

  test("Insights events: AWS Insight via CloudTrail from aws.cloudtrail", () => {
    const record = constructed({
      eventType: "AwsCloudTrailInsight",
      eventCategory: "Insight",
      insightDetails: { eventSource: "ssm.amazonaws.com", eventName: "UpdateInstanceInformation" },
    });
    expect(cloudTrailRecordToEvent(record)).toMatchObject({
      "detail-type": "AWS Insight via CloudTrail",
      source: "aws.cloudtrail",
    });
  });

  test("records EventBridge would not deliver as such are refused with a reason", () => {
    const reasonFor = (pred: (r: CloudTrailRecord) => boolean) =>
      REJECTED.find((x) => pred(x.record))?.reason;
    expect(reasonFor((r) => r.eventType === "AwsVpceEvent")).toMatch(/AwsVpceEvent/);
    expect(reasonFor((r) => r.eventType === undefined)).toMatch(/eventType undefined/);
    expect(reasonFor((r) => r.eventSource === "...")).toMatch(/eventSource/);
    expect(() => cloudTrailRecordToEvent({ ...RECORDS[0], eventType: "constructor" })).toThrow();
    // Every real record either converts or has a reason; most convert.
    expect(CONVERTED.length + REJECTED.length).toBe(RECORDS.length);
    // "..." placeholders, records from before eventType existed, AwsVpceEvent, no account id.
    expect(REJECTED).toHaveLength(28);
    expect(CONVERTED).toHaveLength(706);
  });
});

describe("patterns on real records", () => {
  const matching = (pattern: object) => {
    const match = compileEventPattern(pattern);
    return CONVERTED.filter((c) => match(c.event)).map((c) => c.record);
  };

  test("CreateAccessKey is an API call, not a console sign-in", () => {
    const detail = { eventName: ["CreateAccessKey"] };
    expect(matching({ "detail-type": ["AWS Console Sign In via CloudTrail"], detail })).toEqual([]);
    const hits = matching({ "detail-type": ["AWS API Call via CloudTrail"], detail });
    expect(hits.length).toBeGreaterThanOrEqual(1);
    expect(hits.length).toBe(RECORDS.filter((r) => r.eventName === "CreateAccessKey").length);
  });

  test("source + detail.eventSource select a service", () => {
    const hits = matching({
      source: ["aws.signin"],
      "detail-type": ["AWS Console Sign In via CloudTrail"],
      detail: { eventSource: ["signin.amazonaws.com"], eventName: ["ConsoleLogin"] },
    });
    expect(hits.length).toBeGreaterThan(10);
    expect(hits.every((r) => r.eventName === "ConsoleLogin")).toBe(true);
  });

  test("root console sign-ins (AWS knowledge-center pattern)", () => {
    const hits = matching({
      "detail-type": ["AWS Console Sign In via CloudTrail"],
      detail: { userIdentity: { type: ["Root"] } },
    });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((r) => (r.userIdentity as Json).type === "Root")).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Condition -> event pattern.

const API = "AWS API Call via CloudTrail";

describe("renderConditionToEventPattern", () => {
  const render = renderConditionToEventPattern;

  test("equals -> the value list, fields nested under detail", () => {
    expect(render(eq("eventName", "CreateUser", "DeleteUser"), API)).toEqual({
      "detail-type": [API],
      detail: { eventName: ["CreateUser", "DeleteUser"] },
    });
    expect(
      render(eq("userIdentity.type", "Root"), [API, "AWS Console Sign In via CloudTrail"]),
    ).toEqual({
      "detail-type": [API, "AWS Console Sign In via CloudTrail"],
      detail: { userIdentity: { type: ["Root"] } },
    });
  });

  test("notEquals, prefix, suffix, exists false", () => {
    expect(render(ne("errorCode", "AccessDenied"), API)).toEqual({
      "detail-type": [API],
      detail: { errorCode: [{ "anything-but": "AccessDenied" }] },
    });
    expect(render(prefix("eventName", "Delete"), API)).toMatchObject({
      detail: { eventName: [{ prefix: "Delete" }] },
    });
    expect(render(suffix("eventSource", ".amazonaws.com"), API)).toMatchObject({
      detail: { eventSource: [{ suffix: ".amazonaws.com" }] },
    });
    expect(render(absent("errorCode"), API)).toMatchObject({
      detail: { errorCode: [{ exists: false }] },
    });
  });

  test("contains, the negative text operators, exists true", () => {
    expect(render(contains("requestParameters.policy", '"Principal":"*"'), API)).toMatchObject({
      detail: { requestParameters: { policy: [{ wildcard: '*"Principal":"\\*"*' }] } },
    });
    expect(render(contains("a", "C:\\dir"), API)).toMatchObject({
      detail: { a: [{ wildcard: "*C:\\\\dir*" }] },
    });
    expect(render(notPrefix("principal", "arn:"), API)).toMatchObject({
      detail: { principal: [{ "anything-but": { prefix: "arn:" } }] },
    });
    expect(render(notSuffix("principal", ".amazonaws.com"), API)).toMatchObject({
      detail: { principal: [{ "anything-but": { suffix: ".amazonaws.com" } }] },
    });
    expect(render(notContains("ua", "Terraform"), API)).toMatchObject({
      detail: { ua: [{ "anything-but": { wildcard: "*Terraform*" } }] },
    });
    expect(render(present("requestParameters.userData"), API)).toMatchObject({
      detail: { requestParameters: { userData: [{ exists: true }] } },
    });
  });

  test("a [] path searches the array: the event pattern names the plain path", () => {
    const items = "requestParameters.launchPermission.add.items[]";
    expect(render(any(present(`${items}.userId`), eq(`${items}.group`, "all")), API)).toEqual({
      "detail-type": [API],
      detail: {
        $or: [
          {
            requestParameters: {
              launchPermission: { add: { items: { userId: [{ exists: true }] } } },
            },
          },
          { requestParameters: { launchPermission: { add: { items: { group: ["all"] } } } } },
        ],
      },
    });
    expect(render(present("requestParameters.valuesToAdd[]"), API)).toMatchObject({
      detail: { requestParameters: { valuesToAdd: [{ exists: true }] } },
    });
    // Two fields of one element in one conjunction would need Ruler's same-element rule.
    expect(() => render(all(present(`${items}.userId`), eq(`${items}.group`, "all")), API)).toThrow(
      /same element/,
    );
    expect(() => render(eq("a[0].b", "x"), API)).toThrow(/not a name optionally followed by \[\]/);
  });

  test("numeric comparisons, and ranges when two bound one field", () => {
    expect(render(lte("requestParameters.days", 7), API)).toMatchObject({
      detail: { requestParameters: { days: [{ numeric: ["<=", 7] }] } },
    });
    expect(render(all(gt("n", 0), lte("n", 7), lt("n", 10)), API)).toMatchObject({
      detail: { n: [{ numeric: [">", 0, "<=", 7] }] },
    });
    expect(render(all(gte("n", 7), lte("n", 7)), API)).toMatchObject({
      detail: { n: [{ numeric: ["=", 7] }] },
    });
    expect(render(all(eq("n", 3, 30), lt("n", 10)), API)).toMatchObject({ detail: { n: [3] } });
    expect(() => render(all(gt("n", 7), lt("n", 7)), API)).toThrow(/never match/);
    expect(() => render(lt("n", 6e9), API)).toThrow(InvalidEventPatternError);
  });

  test("same-field combinations with the new operators", () => {
    expect(render(all(present("a"), prefix("a", "x")), API)).toMatchObject({
      detail: { a: [{ prefix: "x" }] },
    });
    expect(render(all(notPrefix("a", "x"), notPrefix("a", "y")), API)).toMatchObject({
      detail: { a: [{ "anything-but": { prefix: ["x", "y"] } }] },
    });
    expect(render(all(notContains("a", "x"), notContains("a", "y")), API)).toMatchObject({
      detail: { a: [{ "anything-but": { wildcard: ["*x*", "*y*"] } }] },
    });
    expect(render(all(contains("a", "bc"), contains("a", "abcd")), API)).toMatchObject({
      detail: { a: [{ wildcard: "*abcd*" }] },
    });
    expect(render(all(prefix("a", "abc"), contains("a", "bc")), API)).toMatchObject({
      detail: { a: [{ prefix: "abc" }] },
    });
    expect(render(all(eq("a", "xyz", "abc"), notContains("a", "y")), API)).toMatchObject({
      detail: { a: ["abc"] },
    });
    expect(() => render(all(present("a"), absent("a")), API)).toThrow(/never match/);
    expect(() => render(all(contains("a", "x"), contains("a", "y")), API)).toThrow(
      /cannot express/,
    );
    expect(() => render(all(prefix("a", "x"), notSuffix("a", "y")), API)).toThrow(/cannot express/);
  });

  test("all -> one object; same-field constraints combine when one list can say it", () => {
    expect(
      render(all(eq("eventSource", "iam.amazonaws.com"), eq("userIdentity.type", "Root")), API),
    ).toEqual({
      "detail-type": [API],
      detail: { eventSource: ["iam.amazonaws.com"], userIdentity: { type: ["Root"] } },
    });
    expect(render(all(eq("a", "x", "y", "z"), eq("a", "y", "z", "w")), API)).toMatchObject({
      detail: { a: ["y", "z"] },
    });
    expect(render(all(ne("a", "x"), ne("a", "y")), API)).toMatchObject({
      detail: { a: [{ "anything-but": ["x", "y"] }] },
    });
    expect(render(all(prefix("a", "Put"), prefix("a", "PutBucket")), API)).toMatchObject({
      detail: { a: [{ prefix: "PutBucket" }] },
    });
    expect(
      render(all(eq("a", "PutBucketAcl", "GetObject"), prefix("a", "Put")), API),
    ).toMatchObject({
      detail: { a: ["PutBucketAcl"] },
    });
  });

  test("all throws when the field constraints cannot share one list or never hold", () => {
    expect(() => render(all(prefix("a", "Put"), ne("a", "PutX")), API)).toThrow(/cannot express/);
    expect(() => render(all(prefix("a", "Put"), suffix("a", "Acl")), API)).toThrow(
      /cannot express/,
    );
    expect(() => render(all(ne("a", "x"), ne("a", 1)), API)).toThrow(/cannot express/);
    expect(() => render(all(eq("a", "x"), eq("a", "y")), API)).toThrow(/never match/);
    expect(() => render(all(eq("a", "x"), absent("a")), API)).toThrow(/never match/);
    expect(() => render(all(eq("a", "x"), eq("a.b", "y")), API)).toThrow(/both as a value/);
  });

  test("any on one field -> one list; on several fields -> $or", () => {
    expect(render(any(eq("a", "x"), prefix("a", "y"), absent("a")), API)).toEqual({
      "detail-type": [API],
      detail: { a: ["x", { prefix: "y" }, { exists: false }] },
    });
    expect(render(any(eq("a", "x"), eq("b", "y")), API)).toEqual({
      "detail-type": [API],
      detail: { $or: [{ a: ["x"] }, { b: ["y"] }] },
    });
  });

  test("all of any: shared fields stay outside $or", () => {
    const c = all(
      eq("eventSource", "iam.amazonaws.com"),
      any(eq("userIdentity.type", "Root"), prefix("eventName", "CreateAccessKey")),
    );
    expect(render(c, API)).toEqual({
      "detail-type": [API],
      detail: {
        eventSource: ["iam.amazonaws.com"],
        $or: [{ userIdentity: { type: ["Root"] } }, { eventName: [{ prefix: "CreateAccessKey" }] }],
      },
    });
    // Two ORs over different fields distribute into one $or.
    const two = render(all(any(eq("a", 1), eq("b", 2)), any(eq("c", 3), eq("d", 4))), API) as Json;
    expect((two.detail as Json).$or).toHaveLength(4);
  });

  test("conditions with no EventBridge form throw clear errors", () => {
    expect(() => render(ne("readOnly", true), API)).toThrow(InvalidEventPatternError);
    expect(() => render(eq("a"), API)).toThrow(/at least one value/);
    expect(() => render(any(), API)).toThrow(/never match/);
    expect(() => render(eq("a", "x"), [])).toThrow(InvalidEventPatternError);
  });

  test("every rendered pattern is valid and matches the records it should", () => {
    const conditions = [
      eq("eventName", "CreateAccessKey"),
      all(eq("eventSource", "iam.amazonaws.com"), ne("userIdentity.type", "AWSService")),
      all(
        eq("eventSource", "signin.amazonaws.com"),
        eq("responseElements.ConsoleLogin", "Failure"),
      ),
      any(prefix("eventName", "Delete"), suffix("eventName", "Policy")),
      all(
        eq("eventName", "ConsoleLogin"),
        any(absent("additionalEventData.MFAUsed"), eq("additionalEventData.MFAUsed", "No")),
      ),
    ];
    for (const c of conditions) {
      const pattern = render(c, [API, "AWS Console Sign In via CloudTrail"]);
      expect(validateEventPattern(pattern)).toEqual([]);
      expect(matching(pattern).length).toBeGreaterThan(0);
    }
  });

  const matching = (pattern: object) => {
    const match = compileEventPattern(pattern);
    return CONVERTED.filter((c) => match(c.event));
  };
});
