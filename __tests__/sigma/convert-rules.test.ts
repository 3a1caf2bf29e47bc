/**
 * Conversion of Sigma features the SigmaHQ sample does not use, each checked against the direct
 * Sigma evaluation on small records through the filter pattern and the event pattern.
 */
import { customDetectionEntry } from "../../src/config/custom-detections";
import { customDetection } from "../../src/detections/custom";
import { eventPatternOf, filterPatternOf } from "../../src/detections/render";
import { cloudTrailRecordToEvent } from "../../src/patterns/event-envelope";
import { compileEventPattern } from "../../src/patterns/event-pattern";
import { compileFilterPattern } from "../../src/patterns/filter-pattern";
import { convertSigma, type SigmaConversionOptions } from "../../src/sigma/convert";
import { compileSigmaRule } from "../../src/sigma/evaluate";
import { parseSigmaRule } from "../../src/sigma/rule";

const OPTIONS: SigmaConversionOptions = { name: "trailwatch", license: "DRL-1.1" };

function ruleText(detection: string, extra = ""): string {
  return `title: Test rule\nid: 11111111-2222-4333-8444-555555555555\n${extra}logsource:\n    product: aws\n    service: cloudtrail\ndetection:\n${detection
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}\nlevel: high\n`;
}

/** A minimal CloudTrail API call record EventBridge would deliver. */
let n = 0;
function record(fields: Record<string, unknown>): Record<string, unknown> {
  n++;
  return {
    eventVersion: "1.10",
    eventTime: "2026-11-20T10:00:00Z",
    eventSource: "ec2.amazonaws.com",
    eventName: "DescribeInstances",
    awsRegion: "ap-northeast-1",
    eventID: `00000000-0000-0000-0000-${String(n).padStart(12, "0")}`,
    eventType: "AwsApiCall",
    recipientAccountId: "111122223333",
    userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/alice" },
    ...fields,
  };
}

function convertOne(detection: string, extra = "") {
  const text = ruleText(detection, extra);
  const result = convertSigma([{ file: "rules/test_rule.yml", text }], OPTIONS);
  return { result, sigma: compileSigmaRule(parseSigmaRule(text)) };
}

/** Converts the rule and checks every rendering agrees with Sigma on the records. */
function agrees(detection: string, records: Record<string, unknown>[]) {
  const { result, sigma } = convertOne(detection);
  expect(result.refused).toEqual([]);
  const [c] = result.converted;
  const d = customDetection(customDetectionEntry.parse(c.detection));
  const filter = compileFilterPattern(filterPatternOf(d));
  const event = compileEventPattern(eventPatternOf(d));
  const verdicts = records.map((r) => [sigma(r), filter(r), event(cloudTrailRecordToEvent(r))]);
  for (const v of verdicts) expect(new Set(v).size).toBe(1);
  // Each case has records on both sides.
  expect(new Set(verdicts.map((v) => v[0]))).toEqual(new Set([true, false]));
  return c;
}

describe("features beyond the sample, each agreeing with Sigma", () => {
  test("a regular expression that is a wildcard becomes prefix/suffix", () => {
    const c = agrees("s:\n    eventName|re: '^Delete.*'\ncondition: s", [
      record({ eventName: "DeleteBucket" }),
      record({ eventName: "CreateBucket" }),
    ]);
    expect(c.detection.condition).toEqual({ field: "eventName", prefix: "Delete" });
  });

  test("a negated list of values is anything-but, and still holds when the field is absent", () => {
    const c = agrees(
      "s:\n    eventSource: 'ec2.amazonaws.com'\nf:\n    userIdentity.type:\n        - AssumedRole\n        - AWSService\ncondition: s and not f",
      [
        record({}),
        record({ userIdentity: { type: "AssumedRole" } }),
        record({ userIdentity: { type: "AWSService" } }),
        record({ userIdentity: {} }),
      ],
    );
    expect(c.detection.condition).toEqual({
      all: [
        { field: "eventSource", equals: ["ec2.amazonaws.com"] },
        {
          any: [
            { field: "userIdentity.type", exists: false },
            {
              all: [
                { field: "userIdentity.type", notEquals: "AssumedRole" },
                { field: "userIdentity.type", notEquals: "AWSService" },
              ],
            },
          ],
        },
      ],
    });
  });

  test("numbers match the JSON number and its spelling; all of them; |cased keeps one spelling", () => {
    agrees(
      "a:\n    requestParameters.fromPort: 22\nb:\n    eventName: AuthorizeSecurityGroupIngress\ncondition: all of them",
      [
        record({ eventName: "AuthorizeSecurityGroupIngress", requestParameters: { fromPort: 22 } }),
        record({
          eventName: "AuthorizeSecurityGroupIngress",
          requestParameters: { fromPort: "22" },
        }),
        record({ eventName: "AuthorizeSecurityGroupIngress", requestParameters: { fromPort: 23 } }),
        record({ eventName: "RevokeSecurityGroupIngress", requestParameters: { fromPort: 22 } }),
      ],
    );
    const cased = agrees("s:\n    userAgent|cased: 'Boto3'\ncondition: s", [
      record({ userAgent: "Boto3" }),
      record({ userAgent: "boto3" }),
    ]);
    expect(cased.detection.condition).toEqual({ field: "userAgent", equals: ["Boto3"] });
    expect(cased.warnings).toEqual([expect.stringMatching(/^the rule names no eventSource/)]);
  });

  test("numeric modifiers become comparisons, negated ones the opposite comparison or absence", () => {
    const c = agrees(
      "s:\n    eventName: RunInstances\nbig:\n    requestParameters.instancesSet.items.maxCount|lte: 10\ncondition: s and not big",
      [
        record({
          eventName: "RunInstances",
          requestParameters: { instancesSet: { items: { maxCount: 50 } } },
        }),
        record({
          eventName: "RunInstances",
          requestParameters: { instancesSet: { items: { maxCount: 10 } } },
        }),
        record({ eventName: "RunInstances", requestParameters: {} }),
        record({
          eventName: "StopInstances",
          requestParameters: { instancesSet: { items: { maxCount: 50 } } },
        }),
      ],
    );
    expect(c.detection.condition).toEqual({
      all: [
        { field: "eventName", equals: ["RunInstances"] },
        {
          any: [
            { field: "requestParameters.instancesSet.items.maxCount", exists: false },
            { field: "requestParameters.instancesSet.items.maxCount", greaterThan: 10 },
          ],
        },
      ],
    });
    expect(c.warnings.join("\n")).toMatch(/EventBridge compares only JSON numbers/);
  });

  test("base64 and windash values convert to the values they stand for", () => {
    agrees("s:\n    requestParameters.userData|base64: 'curl'\ncondition: s", [
      record({ requestParameters: { userData: "Y3VybA==" } }),
      record({ requestParameters: { userData: "curl" } }),
    ]);
  });
});

describe("refusals and their reasons", () => {
  test("a positive and a negated text on one field cannot be one event pattern", () => {
    const { result } = convertOne(
      "s:\n    userAgent|contains: 'aws-cli'\nf:\n    userAgent|contains: 'jenkins'\ncondition: s and not f",
    );
    expect(result.converted).toEqual([]);
    expect(result.refused[0].reasons.join("\n")).toMatch(/^no EventBridge event pattern: /);
  });

  test("wildcards inside a value, ?, placeholders, other taxonomies", () => {
    const reasons = (d: string) =>
      convertSigma([{ file: "rules/test_rule.yml", text: ruleText(d) }], OPTIONS).refused.flatMap(
        (r) => r.reasons,
      );
    expect(reasons("s:\n    eventName: 'Create*Bucket'\ncondition: s")).toEqual([
      '"eventName: Create*Bucket": a wildcard inside the value; CloudWatch Logs filter patterns take "*" only at the start or end',
    ]);
    expect(reasons("s:\n    eventName: 'Get?'\ncondition: s")[0]).toMatch(
      /single-character wildcard/,
    );
    expect(reasons("s:\n    sourceIPAddress|expand: '%office%'\ncondition: s")[0]).toMatch(
      /needs your environment's values \(\|expand\)/,
    );
    expect(reasons("s:\n    Image: cmd.exe\ncondition: s")[0]).toMatch(
      /field "Image" is not a CloudTrail record field/,
    );
    expect(reasons("s:\n    eventname: ConsoleLogin\ncondition: s")[0]).toBe(
      'field "eventname": CloudTrail spells it "eventName" (field names are case-sensitive)',
    );
  });

  test("a correlation naming a rule that is not converted with it; a range of counts; a timespan CloudWatch cannot evaluate", () => {
    const correlation = (body: string) =>
      convertSigma(
        [
          {
            file: "c.yml",
            text: `title: base\nname: base\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s: {eventName: GetSecretValue}\n  condition: s\n---\ntitle: many\ncorrelation:\n  type: event_count\n${body}`,
          },
        ],
        OPTIONS,
      ).refused.flatMap((r) => r.reasons);
    expect(correlation("  rules: [nothere]\n  timespan: 5m\n  condition: {gte: 3}")).toEqual([
      'correlation event_count: no rule with id or name "nothere" among the files converted together',
    ]);
    expect(correlation("  rules: [base]\n  timespan: 5m\n  condition: {gt: 3, lte: 9}")).toEqual([
      "correlation event_count: a range of counts is not an alarm threshold",
    ]);
    expect(correlation("  rules: [base]\n  timespan: 90s\n  condition: {gte: 3}")[0]).toMatch(
      /timespan of 90 s is not a CloudWatch alarm period/,
    );
    expect(correlation("  rules: [base]\n  timespan: 5m\n  condition: {lt: 3}")[0]).toMatch(
      /only "more than" \/ "at least" counts are alarms/,
    );
  });
});

describe("ids", () => {
  const file = (name: string, id: string) => ({
    file: name,
    text: ruleText("s:\n    eventName: X\ncondition: s").replace(
      "11111111-2222-4333-8444-555555555555",
      id,
    ),
  });

  test("sigma-<file name> without aws/cloudtrail, cut at a word to fit <name>-<id> in 64 characters", () => {
    const r = convertSigma(
      [file("a/aws_cloudtrail_guardduty_detector_deleted_or_updated_everywhere.yml", "x1")],
      { ...OPTIONS, name: "a-rather-long-organization-name" },
    );
    const id = r.converted[0].detection.id;
    expect(id).toBe("sigma-guardduty-detector-deleted");
    expect(`a-rather-long-organization-name-${id}`.length).toBeLessThanOrEqual(64);
  });

  test("two files with one name get distinct stable ids; ids kept from a previous conversion are reused", () => {
    const r = convertSigma(
      [file("a/aws_same.yml", "aaaa1111-0000"), file("b/aws_same.yml", "bbbb2222-0000")],
      {
        ...OPTIONS,
        idsBySigmaId: new Map([["bbbb2222-0000", "my-own-name"]]),
        reservedIds: ["taken"],
      },
    );
    expect(r.converted.map((c) => c.detection.id)).toEqual(["sigma-same", "my-own-name"]);
    const again = convertSigma(
      [file("a/aws_same.yml", "aaaa1111-0000"), file("b/aws_same.yml", "bbbb2222-0000")],
      OPTIONS,
    );
    expect(again.converted.map((c) => c.detection.id)).toEqual(["sigma-same", "sigma-same-bbbb22"]);
    const catalog = convertSigma([file("cis_root_usage.yml", "c0ffee00")], OPTIONS);
    expect(catalog.converted[0].detection.id).toBe("sigma-cis-root-usage");
  });
});
