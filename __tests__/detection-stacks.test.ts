import { readFileSync } from "node:fs";
import * as path from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { catalog } from "../src/detections/catalog";
import { SECURITY_HUB_PATTERNS } from "../src/detections/cis-patterns";
import { DetectionRules } from "../src/constructs/detection-rules";
import { renderDetectionDocs } from "../src/detections/docs";
import { cloudTrailRecordToEvent } from "../src/patterns/event-envelope";
import { docsInput } from "../scripts/docs-input";
import { build as buildConfig, exampleConfigInput, resourcesOf, ROOT, synthJson } from "./helpers";

/**
 * These tests pin the cis, seed and watcher packs' stacks; the threat pack's rules and alarms are
 * tested in threat.test.ts, threat-replay.test.ts and limits.test.ts.
 */
const build = (o: Parameters<typeof buildConfig>[0] = {}) =>
  buildConfig({
    ...o,
    detections: { packs: { threat: false }, ...((o as any).detections ?? {}) },
  } as any);
import { REAL_RECORDS, WATCHED } from "./support/records";

const ACCOUNT = "111122223333";
const TOPIC_REF = /^\$\{aws_sns_topic\.[\w-]+\.arn\}$/;

/** Names of the detection rules (the alarm enrichment rule is tested in alerts/). */
function ruleNames(json: ReturnType<typeof synthJson>): string[] {
  return resourcesOf(json, "aws_cloudwatch_event_rule")
    .map((r) => r.name)
    .filter((name) => name !== "trailwatch-alert-enrichment")
    .sort();
}

describe("home stack: metric filters and alarms", () => {
  const { home } = build();
  const json = synthJson(home);
  const filters = resourcesOf(json, "aws_cloudwatch_log_metric_filter");
  // Detection alarms (the enrichment dead-letter alarm, namespace AWS/SQS, is tested in alerts/).
  const alarms = resourcesOf(json, "aws_cloudwatch_metric_alarm").filter(
    (a) => a.namespace === "trailwatch",
  );

  test("one filter and one alarm per default alarm detection: CIS 1-14 + Organizations + the seed's two", () => {
    expect(filters).toHaveLength(17);
    expect(alarms).toHaveLength(17);
    expect(filters.map((f) => f.name)).not.toContain("cloudtrail-describe-trails"); // off by default
  });

  test("CIS filters carry Security Hub's text byte for byte, on the trail's log group, namespace trailwatch, value 1", () => {
    for (const [control, text] of Object.entries(SECURITY_HUB_PATTERNS)) {
      const f = filters.find((x) => x.pattern === text)!;
      expect([control, f !== undefined]).toEqual([control, true]);
      expect(f.log_group_name).toMatch(/^\$\{aws_cloudwatch_log_group\.[\w-]+\.name\}$/);
      expect(f.metric_transformation).toEqual({
        name: f.name,
        namespace: "trailwatch",
        value: "1",
      });
    }
    expect(Testing.synth(home)).toHaveResourceWithProperties(CloudwatchLogMetricFilter, {
      name: "s3-bucket-created",
      pattern: '{ ($.eventSource = "s3.amazonaws.com") && ($.eventName = "CreateBucket") }',
    });
  });

  test("alarms: Sum over 60 s, >= 1, 1 of 1, missing data not breaching, to the alert topic, with a description", () => {
    for (const a of alarms) {
      expect(a).toEqual(
        expect.objectContaining({
          namespace: "trailwatch",
          statistic: "Sum",
          period: 60,
          threshold: 1,
          comparison_operator: "GreaterThanOrEqualToThreshold",
          evaluation_periods: 1,
          datapoints_to_alarm: 1,
          treat_missing_data: "notBreaching",
          alarm_actions: [expect.stringMatching(TOPIC_REF)],
        }),
      );
      expect(a.alarm_name).toBe(`trailwatch-${a.metric_name}`);
      expect(a.alarm_description.length).toBeLessThanOrEqual(1024);
      expect(a.alarm_description).toMatch(/Investigate: /);
    }
    expect(Testing.synth(home)).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "trailwatch-cis-root-usage",
      alarm_description: expect.stringMatching(
        /^\[CRITICAL\] Root user activity \(trailwatch detection cis-root-usage; CloudWatch\.1, CIS/,
      ),
    });
  });

  test("tuning changes period and threshold, never the pattern", () => {
    const c = exampleConfigInput();
    const { home: h } = build({
      ...c,
      detections: {
        alarms: {
          "cis-unauthorized-api-calls": { periodSeconds: 300, threshold: 5, evaluationPeriods: 2 },
        },
        enable: ["cloudtrail-describe-trails"],
      },
    });
    const s = Testing.synth(h);
    expect(s).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "trailwatch-cis-unauthorized-api-calls",
      period: 300,
      threshold: 5,
      evaluation_periods: 2,
      datapoints_to_alarm: 2,
    });
    expect(s).toHaveResourceWithProperties(CloudwatchLogMetricFilter, {
      name: "cis-unauthorized-api-calls",
      pattern: SECURITY_HUB_PATTERNS["CloudWatch.2"],
    });
    expect(s).toHaveResourceWithProperties(CloudwatchLogMetricFilter, {
      name: "cloudtrail-describe-trails",
    });
  });

  test("datapointsToAlarm makes an M-out-of-N alarm", () => {
    const { home: h } = build({
      detections: {
        alarms: {
          "cis-root-usage": { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 2 },
        },
      },
    });
    expect(Testing.synth(h)).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "trailwatch-cis-root-usage",
      period: 60,
      evaluation_periods: 5,
      datapoints_to_alarm: 2,
    });
  });
});

describe("EventBridge rules per region", () => {
  const threeRegions = build({ regions: ["ap-northeast-1", "eu-west-1", "us-east-1"] });
  const home = synthJson(threeRegions.home);
  const byRegion = Object.fromEntries(
    threeRegions.regional.map((s) => [s.node.id.replace("trailwatch-", ""), synthJson(s)]),
  );

  test("one stack per monitored region, each with its own state key", () => {
    expect(Object.keys(byRegion).sort()).toEqual(["eu-west-1", "us-east-1"]);
    expect(byRegion["eu-west-1"].terraform.backend.s3.key).toBe(
      "trailwatch/trailwatch-eu-west-1.tfstate",
    );
    expect(byRegion["eu-west-1"].provider.aws[0].region).toBe("eu-west-1");
  });

  test("the home region has every event detection, delivered to the topic as a sentence", () => {
    expect(ruleNames(home)).toEqual(
      [
        "cloudtrail-tampering",
        "iam-access-key-created",
        "iam-policy-changed",
        "nacl-changed",
        "root-console-signin",
        "security-group-rule-changed",
        "watcher-alarms-changed",
        "watcher-alert-topic-changed",
        "watcher-archive-bucket-changed",
        "watcher-log-group-changed",
        "watcher-rules-changed",
        "watcher-trail-changed",
        "watcher-trail-key-changed",
      ].map((id) => `trailwatch-${id}`),
    );
    const detectionTargets = resourcesOf(home, "aws_cloudwatch_event_target").filter(
      (t) => t.target_id !== "alert-enrichment",
    );
    expect(detectionTargets).toHaveLength(13);
    for (const t of detectionTargets) {
      expect(t.arn).toMatch(TOPIC_REF);
      expect(t.role_arn).toBeUndefined();
      expect(t.input_transformer.input_template).toMatch(
        /^"\[(CRITICAL|HIGH|MEDIUM|LOW)\] .*<principal> \(<principalType>\) called <eventSource> <eventName> on .* in <region>, account <account>, from <sourceIp> \(<userAgent>\) at <time>\./,
      );
    }
  });

  test("a regional stack has only regional detections; us-east-1 also the global ones", () => {
    expect(ruleNames(byRegion["eu-west-1"])).toEqual(
      [
        "cloudtrail-tampering",
        "nacl-changed",
        "security-group-rule-changed",
        "watcher-rules-changed",
      ].map((id) => `trailwatch-${id}`),
    );
    expect(ruleNames(byRegion["us-east-1"])).toEqual(
      [
        "cloudtrail-tampering",
        "iam-access-key-created",
        "iam-policy-changed",
        "nacl-changed",
        "root-console-signin",
        "security-group-rule-changed",
        "watcher-rules-changed",
      ].map((id) => `trailwatch-${id}`),
    );
  });

  test("regional rules forward to the home bus through a least-privilege role", () => {
    const us = byRegion["us-east-1"];
    for (const t of resourcesOf(us, "aws_cloudwatch_event_target")) {
      expect(t.arn).toBe(`arn:aws:events:ap-northeast-1:${ACCOUNT}:event-bus/default`);
      expect(t.role_arn).toMatch(/^\$\{aws_iam_role\.[\w-]+\.arn\}$/);
      expect(t.input_transformer).toBeUndefined(); // forwarded unchanged; the home rule formats it
    }
    const [role] = resourcesOf(us, "aws_iam_role");
    expect(role.name).toBe("trailwatch-forward-us-east-1");
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      {
        Sid: "EventBridgeRulesOfThisRegion",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnLike: { "aws:SourceArn": `arn:aws:events:us-east-1:${ACCOUNT}:rule/trailwatch-*` },
        },
      },
    ]);
    const [p] = resourcesOf(us, "aws_iam_role_policy");
    expect(JSON.parse(p.policy).Statement).toEqual([
      {
        Sid: "PutEventsOnHomeBusOnly",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: `arn:aws:events:ap-northeast-1:${ACCOUNT}:event-bus/default`,
      },
    ]);
  });

  test("read-only detections ask for all CloudTrail management events; the others are plainly enabled", () => {
    // The catalog's read-only detection is an alarm; delivered as an event it needs the rule state
    // that receives read-only management events, or it would never fire.
    const describeTrails = catalog(WATCHED).find((d) => d.id === "cloudtrail-describe-trails")!;
    const tampering = catalog(WATCHED).find((d) => d.id === "cloudtrail-tampering")!;
    const stack = new TerraformStack(Testing.app(), "rules");
    new DetectionRules(stack, "rules", {
      detections: [{ ...describeTrails, delivery: "event" }, tampering],
      resourcePrefix: "trailwatch-",
      target: {
        kind: "topic",
        topics: () => ({ topicArn: "arn:aws:sns:ap-northeast-1:111122223333:t" }),
      },
    });
    const s = Testing.synth(stack);
    expect(s).toHaveResourceWithProperties(CloudwatchEventRule, {
      name: "trailwatch-cloudtrail-describe-trails",
      state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
    });
    expect(s).toHaveResourceWithProperties(CloudwatchEventRule, {
      name: "trailwatch-cloudtrail-tampering",
      state: "ENABLED",
    });
    expect(resourcesOf(home, "aws_cloudwatch_event_rule").every((r) => r.state === "ENABLED")).toBe(
      true,
    );
  });

  test("us-east-1 gets a stack for global events even when it is not monitored; none when no global rule is on", () => {
    const withGlobal = build({ regions: ["ap-northeast-1"] });
    expect(withGlobal.regional.map((s) => s.node.id)).toEqual(["trailwatch-us-east-1"]);
    const noGlobal = build({
      regions: ["ap-northeast-1"],
      detections: {
        disable: ["iam-policy-changed", "root-console-signin", "iam-access-key-created"],
      },
    } as any);
    expect(noGlobal.regional).toEqual([]);
  });

  test("with us-east-1 as home, everything is in one stack", () => {
    const { home: h, regional } = build({
      homeRegion: "us-east-1",
      regions: ["us-east-1"],
      state: { bucket: "trailwatch-tfstate-111122223333", region: "us-east-1" },
    });
    expect(regional).toEqual([]);
    expect(ruleNames(synthJson(h))).toContain("trailwatch-iam-access-key-created");
  });

  test("the rule's event pattern is the catalog's, as JSON", () => {
    const rule = resourcesOf(home, "aws_cloudwatch_event_rule").find(
      (r) => r.name === "trailwatch-iam-access-key-created",
    )!;
    expect(JSON.parse(rule.event_pattern)).toEqual({
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventSource: ["iam.amazonaws.com"],
        eventName: ["CreateAccessKey"],
        errorCode: [{ exists: false }],
      },
    });
  });

  test("the watcher rule for the trail key refers to the key resource", () => {
    const rule = resourcesOf(home, "aws_cloudwatch_event_rule").find(
      (r) => r.name === "trailwatch-watcher-trail-key-changed",
    )!;
    expect(rule.event_pattern).toMatch(/\$\{aws_kms_key\.[\w-]+\.key_id\}/);
    expect(rule.event_pattern).toMatch(/\$\{aws_kms_key\.[\w-]+\.arn\}/);
    expect(rule.event_pattern).toContain("alias/trailwatch-cloudtrail");
  });
});

describe("notifications read like a sentence", () => {
  test("the input transformer fills who, what, on what, where, from where and when from a real record", () => {
    const { home } = build();
    const target = resourcesOf(synthJson(home), "aws_cloudwatch_event_target").find((t) =>
      t.rule.includes("iam-access-key-created"),
    );
    const record = REAL_RECORDS.find(
      (r) =>
        r.eventName === "CreateAccessKey" &&
        r.userIdentity?.type === "IAMUser" &&
        r.requestParameters?.userName,
    )!;
    const event = cloudTrailRecordToEvent(record) as any;
    // EventBridge substitutes each <name> with the value at its JSONPath.
    const get = (p: string) =>
      p
        .slice(2)
        .split(".")
        .reduce((o: any, k) => (o == null ? undefined : o[k]), event);
    const { input_paths: paths, input_template: template } = target!.input_transformer;
    const text = JSON.parse(template).replace(/<(\w+)>/g, (_: string, k: string) =>
      String(get(paths[k]) ?? ""),
    );
    expect(text).toContain(
      `${record.userIdentity.arn} (IAMUser) called iam.amazonaws.com CreateAccessKey on ${record.requestParameters.userName}`,
    );
    expect(text).toContain(
      `in ${record.awsRegion}, account ${event.account}, from ${record.sourceIPAddress}`,
    );
    expect(text).toContain(`at ${record.eventTime}`);
    expect(text).toMatch(/^\[HIGH\] IAM access key created: /);
  });
});

describe("docs/detections.md", () => {
  test("is generated from the catalog (run `npm run docs` when this fails)", () => {
    const committed = readFileSync(path.join(ROOT, "docs", "detections.md"), "utf8");
    expect(committed).toBe(renderDetectionDocs(docsInput()));
    expect(committed).toContain(SECURITY_HUB_PATTERNS["CloudWatch.3"]);
  });
});
