/**
 * Conformance of the condition language (src/detections/condition.ts): every operator, rendered
 * as a CloudWatch Logs filter pattern, an EventBridge event pattern and Athena SQL, gives the
 * documented answer on edge-case records and on the real fixture records, and each documented
 * difference between the renderings is pinned here, so a change in one of them shows.
 */
import {
  absent,
  all,
  any,
  contains,
  eq,
  isLeaf,
  leafOperator,
  ne,
  notContains,
  notPrefix,
  notSuffix,
  gt,
  lte,
  prefix,
  present,
  suffix,
  type Condition,
} from "../src/detections/condition";
import { ARRAY_ELEMENTS_SEARCHED, parseFieldPath } from "../src/detections/field-path";
import { cloudTrailRecordToEvent } from "../src/patterns/event-envelope";
import { compileEventPattern } from "../src/patterns/event-pattern";
import { renderConditionToEventPattern } from "../src/patterns/event-pattern-render";
import { compileFilterPattern } from "../src/patterns/filter-pattern";
import { renderConditionToFilterPattern } from "../src/patterns/filter-pattern-render";
import { renderConditionToSql } from "../src/patterns/sql-condition";
import { athenaEngine, type AthenaEngine } from "./support/athena-engine";
import { ALL_RECORDS, type CloudTrailRecord } from "./support/records";

const API = "AWS API Call via CloudTrail";
const TABLE = `"trailwatch"."cloudtrail"`;

/**
 * The documented semantics, read directly: values are the string and number leaves the path
 * reaches, a `[]` step searching every element of an array; everything is case-sensitive.
 */
function valuesAt(record: unknown, field: string): unknown[] {
  let nodes: unknown[] = [record];
  for (const step of parseFieldPath(field)) {
    nodes = nodes.flatMap((n) =>
      typeof n === "object" && n !== null && !Array.isArray(n) && Object.hasOwn(n, step.name)
        ? [(n as Record<string, unknown>)[step.name]]
        : [],
    );
    for (let i = 0; i < step.arrays; i++)
      nodes = nodes.flatMap((n) => (Array.isArray(n) ? (n as unknown[]) : []));
  }
  return nodes;
}

function holds(c: Condition, r: unknown): boolean {
  if ("all" in c) return c.all.every((x) => holds(x, r));
  if ("any" in c) return c.any.some((x) => holds(x, r));
  if (!isLeaf(c)) throw new Error("unreachable");
  const found = valuesAt(r, c.field);
  const values = found.filter((v) => typeof v === "string" || typeof v === "number");
  const strings = values.filter((v): v is string => typeof v === "string");
  const o = leafOperator(c);
  switch (o.op) {
    case "equals":
      return values.some((v) => o.values.includes(v as string));
    case "notEquals":
      return values.some((v) => v !== o.value);
    case "exists":
      return o.exists ? values.length > 0 : found.length === 0;
    case "prefix":
      return strings.some((s) => s.startsWith(o.text));
    case "suffix":
      return strings.some((s) => s.endsWith(o.text));
    case "contains":
      return strings.some((s) => s.includes(o.text));
    case "notPrefix":
      return strings.some((s) => !s.startsWith(o.text));
    case "notSuffix":
      return strings.some((s) => !s.endsWith(o.text));
    case "notContains":
      return strings.some((s) => !s.includes(o.text));
    case "numeric": {
      const test = {
        "<": (x: number) => x < o.value,
        "<=": (x: number) => x <= o.value,
        ">": (x: number) => x > o.value,
        ">=": (x: number) => x >= o.value,
      }[o.comparison];
      return values.some((v) => typeof v === "number" && test(v));
    }
  }
}

let serial = 0;
/** A CloudTrail API-call record with the given fields (enough for the EventBridge envelope). */
function record(fields: Record<string, unknown>): CloudTrailRecord {
  serial++;
  return {
    eventVersion: "1.11",
    eventTime: "2026-11-20T10:00:00Z",
    eventSource: "ec2.amazonaws.com",
    eventName: "ModifyImageAttribute",
    awsRegion: "ap-northeast-1",
    eventType: "AwsApiCall",
    recipientAccountId: "111122223333",
    ...fields,
    eventID: `semantics-${serial}`,
    _source: "constructed",
  };
}

const items = "requestParameters.launchPermission.add.items[]";

const EDGE = [
  record({ userAgent: "Terraform/1.11.0 terraform-provider-aws/6.25.0" }),
  record({ userAgent: "aws-cli/2.15.30 Python/3.11.8" }),
  record({ userAgent: "terraform-lowercase" }),
  record({}),
  record({ requestParameters: { principal: "*" } }),
  record({ requestParameters: { principal: "123456789012" } }),
  record({ requestParameters: { principal: "arn:aws:iam::123456789012:root" } }),
  record({ requestParameters: { principal: "events.amazonaws.com" } }),
  record({ requestParameters: { userData: "<sensitiveDataRemoved>" } }),
  record({ requestParameters: { userData: "" } }),
  record({ requestParameters: { valuesToAdd: ["123456789012"] } }),
  record({ requestParameters: { valuesToAdd: [] } }),
  record({ requestParameters: { valuesToAdd: ["all", "123456789012"] } }),
  record({ requestParameters: { launchPermission: { add: { items: [{ userId: "1" }] } } } }),
  record({ requestParameters: { launchPermission: { add: { items: [{ group: "all" }] } } } }),
  record({
    requestParameters: {
      launchPermission: { add: { items: [{ userId: "1" }, { userId: "2" }, { group: "all" }] } },
    },
  }),
  record({ requestParameters: { launchPermission: { add: { items: [] } } } }),
  record({ requestParameters: { launchPermission: { add: { items: [{ group: "none" }] } } } }),
  record({ requestParameters: { launchPermission: { remove: { items: [{ userId: "1" }] } } } }),
  record({ requestParameters: { bucketName: "my_bucket" } }),
  record({ requestParameters: { bucketName: "myxbucket" } }),
  record({ requestParameters: { bucketName: "100%done" } }),
  record({
    requestParameters: {
      policyDocument: '{"Statement":[{"Principal":{"AWS":"arn:aws:iam::999999999999:root"}}]}',
    },
    userAgent: "aws-cli/2.15.30",
  }),
  record({
    requestParameters: {
      policyDocument:
        '{"Statement":[{"Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}',
    },
  }),
  record({ errorCode: "AccessDenied", errorMessage: "not allowed" }),
  record({ requestParameters: { LifecycleConfiguration: { Rule: { Expiration: { Days: 1 } } } } }),
  record({
    requestParameters: {
      LifecycleConfiguration: {
        Rule: [{ Expiration: { Days: 730 } }, { Expiration: { Days: 7 } }],
      },
    },
  }),
  record({ requestParameters: { LifecycleConfiguration: { Rule: { Expiration: { Days: 30 } } } } }),
  record({
    requestParameters: {
      ipPermissions: {
        items: [
          { ipRanges: { items: [{ cidrIp: "10.0.0.0/8" }] } },
          { ipRanges: { items: [{ cidrIp: "10.0.0.0/8" }, { cidrIp: "0.0.0.0/0" }] } },
        ],
      },
    },
  }),
  record({
    requestParameters: {
      ipPermissions: { items: [{ ipRanges: { items: [{ cidrIp: "10.0.0.0/8" }] } }] },
    },
  }),
];

const CONDITIONS: Condition[] = [
  contains("userAgent", "Terraform"),
  notContains("userAgent", "Terraform"),
  any(absent("userAgent"), notContains("userAgent", "Terraform")),
  prefix("userAgent", "aws-cli/"),
  suffix("userAgent", "6.25.0"),
  notPrefix("requestParameters.principal", "arn:aws:iam::"),
  notSuffix("requestParameters.principal", ".amazonaws.com"),
  all(
    present("requestParameters.principal"),
    notSuffix("requestParameters.principal", ".amazonaws.com"),
  ),
  ne("requestParameters.principal", "events.amazonaws.com"),
  present("requestParameters.userData"),
  present("errorCode"),
  absent("errorCode"),
  present("requestParameters.valuesToAdd[]"),
  eq("requestParameters.valuesToAdd[]", "all"),
  prefix("requestParameters.valuesToAdd[]", "1234"),
  eq(`${items}.group`, "all"),
  present(`${items}.userId`),
  absent(`${items}.userId`),
  ne(`${items}.group`, "all"),
  any(present(`${items}.userId`), eq(`${items}.group`, "all")),
  any(
    lte("requestParameters.LifecycleConfiguration.Rule.Expiration.Days", 7),
    lte("requestParameters.LifecycleConfiguration.Rule[].Expiration.Days", 7),
  ),
  // Rule is an object for one rule and an array for several: EventBridge reads both alike.
  any(
    gt("requestParameters.LifecycleConfiguration.Rule.Expiration.Days", 100),
    gt("requestParameters.LifecycleConfiguration.Rule[].Expiration.Days", 100),
  ),
  eq("requestParameters.ipPermissions.items[].ipRanges.items[].cidrIp", "0.0.0.0/0"),
  contains("requestParameters.bucketName", "_b"),
  contains("requestParameters.bucketName", "0%d"),
  notContains("requestParameters.bucketName", "_"),
  all(
    contains("requestParameters.policyDocument", "arn:aws:iam::"),
    notContains("userAgent", "Terraform"),
  ),
];

function evaluators(c: Condition) {
  const filter = compileFilterPattern(renderConditionToFilterPattern(c));
  const event = compileEventPattern(renderConditionToEventPattern(c, API));
  return {
    filter: (r: CloudTrailRecord) => filter(r),
    event: (r: CloudTrailRecord) => {
      if (r.eventType !== "AwsApiCall") return undefined;
      try {
        return event(cloudTrailRecordToEvent(r));
      } catch {
        return undefined; // EventBridge would never deliver it
      }
    },
  };
}

const ids = (rs: readonly CloudTrailRecord[]) => rs.map((r) => r.eventID).sort();

describe("every operator agrees with its documented meaning in all three renderings", () => {
  let engine: AthenaEngine;
  const RECORDS = [...EDGE, ...ALL_RECORDS];
  beforeAll(async () => {
    engine = await athenaEngine(
      "trailwatch",
      "cloudtrail",
      RECORDS.map((r) => ({ record: r })),
    );
  });
  afterAll(() => engine.close());

  test.each(CONDITIONS.map((c) => [JSON.stringify(c), c] as const))("%s", async (_s, c) => {
    const { filter, event } = evaluators(c);
    const expected = ids(RECORDS.filter((r) => holds(c, r)));
    expect(ids(RECORDS.filter(filter))).toEqual(expected);
    const sql = await engine.eventIds(
      `SELECT eventid FROM ${TABLE} WHERE ${renderConditionToSql(c)}`,
    );
    expect(sql).toEqual(expected);
    const disagreements = RECORDS.filter((r) => {
      const e = event(r);
      return e !== undefined && e !== holds(c, r);
    }).map((r) => r.eventID);
    expect(disagreements).toEqual([]);
    // Not vacuous: each condition holds on some edge records and not on others.
    const onEdge = EDGE.filter((r) => holds(c, r)).length;
    expect(onEdge).toBeGreaterThan(0);
    expect(onEdge).toBeLessThan(EDGE.length);
  });
});

/** One record through the three renderings of one condition. */
async function threeWays(c: Condition, r: CloudTrailRecord) {
  const { filter, event } = evaluators(c);
  const engine = await athenaEngine("trailwatch", "cloudtrail", [{ record: r }]);
  try {
    const sql = await engine.eventIds(
      `SELECT eventid FROM ${TABLE} WHERE ${renderConditionToSql(c)}`,
    );
    return { filter: filter(r), event: event(r), sql: sql.length === 1 };
  } finally {
    engine.close();
  }
}

describe("the documented differences between renderings", () => {
  test("a boolean is a value to EventBridge and (as text) to SQL, not to a filter pattern", async () => {
    const r = record({ requestParameters: { flag: true } });
    expect(await threeWays(present("requestParameters.flag"), r)).toEqual({
      filter: false,
      event: true,
      sql: true,
    });
    expect(await threeWays(notContains("requestParameters.flag", "x"), r)).toEqual({
      filter: false,
      event: true,
      sql: true,
    });
  });

  test("JSON null is a value to EventBridge only", async () => {
    const r = record({ requestParameters: { principal: null } });
    expect(await threeWays(present("requestParameters.principal"), r)).toEqual({
      filter: false,
      event: true,
      sql: false,
    });
    expect(await threeWays(notSuffix("requestParameters.principal", ".com"), r)).toEqual({
      filter: false,
      event: true,
      sql: false,
    });
  });

  test("text operators see a number's digits in a filter pattern and SQL, not in EventBridge", async () => {
    const r = record({ requestParameters: { n: 1234 } });
    expect(await threeWays(contains("requestParameters.n", "23"), r)).toEqual({
      filter: true,
      event: false,
      sql: true,
    });
  });

  test(`[] searches ${ARRAY_ELEMENTS_SEARCHED} elements in a filter pattern and SQL, all in EventBridge`, async () => {
    const five = Array.from({ length: ARRAY_ELEMENTS_SEARCHED }, (_, i) => ({ userId: `${i}` }));
    const r = record({
      requestParameters: { launchPermission: { add: { items: [...five, { group: "all" }] } } },
    });
    expect(await threeWays(eq(`${items}.group`, "all"), r)).toEqual({
      filter: false,
      event: true,
      sql: false,
    });
    expect(await threeWays(present(`${items}.userId`), r)).toEqual({
      filter: true,
      event: true,
      sql: true,
    });
  });

  test("an array not marked [] is searched by EventBridge only", async () => {
    const r = record({ requestParameters: { valuesToAdd: ["123456789012"] } });
    expect(await threeWays(eq("requestParameters.valuesToAdd", "123456789012"), r)).toEqual({
      filter: false,
      event: true,
      sql: false,
    });
  });

  test("an object is not absent to a filter pattern or SQL, but has no value for EventBridge", async () => {
    const r = record({ requestParameters: { principal: { AWS: "x" } } });
    expect(await threeWays(absent("requestParameters.principal"), r)).toEqual({
      filter: false,
      event: true,
      sql: false,
    });
  });

  test("matching is case-sensitive everywhere", async () => {
    const r = record({ userAgent: "TERRAFORM/1.11" });
    expect(await threeWays(contains("userAgent", "Terraform"), r)).toEqual({
      filter: false,
      event: false,
      sql: false,
    });
  });
});
