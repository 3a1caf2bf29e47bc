/**
 * The home stack with alarm enrichment: rule -> function -> topic, dead-letter queue and its alarm,
 * the function's log group; the raw alarm notification kept (add) or dropped (replace); the
 * packaged catalog; configuration errors.
 */
import { readFileSync } from "node:fs";
import { unzipSync } from "fflate";
import type { AlarmCatalog } from "../../src/alerts/catalog";
import { alarmStateChangePattern } from "../../src/constructs/alarm-enrichment";
import { resolveNames } from "../../src/names";
import {
  build,
  config,
  configProblems,
  exampleConfigInput,
  resourcesOf,
  synthJson,
} from "../helpers";

const n = resolveNames(config());
const FN = "trailwatch-alert-enrichment";

function enrichmentConfig(enrichment: Record<string, unknown>) {
  const input = exampleConfigInput();
  return { alerts: { ...input.alerts, enrichment } } as Parameters<typeof build>[0];
}

describe("default configuration (enrichment on, raw alarm notifications kept)", () => {
  const app = build();
  const json = synthJson(app.home);
  const [fn] = resourcesOf(json, "aws_lambda_function");
  const refOf = (type: string, pick: (r: any) => boolean) => {
    const [id] = Object.entries(json.resource[type]).find(([, r]) => pick(r))!;
    return `${type}.${id}`;
  };

  test("an EventBridge rule for trailwatch's alarms entering ALARM targets the function", () => {
    const [rule] = resourcesOf(json, "aws_cloudwatch_event_rule").filter((r) => r.name === FN);
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.cloudwatch"],
      "detail-type": ["CloudWatch Alarm State Change"],
      detail: { alarmName: [{ prefix: "trailwatch-" }], state: { value: ["ALARM"] } },
    });
    const target = resourcesOf(json, "aws_cloudwatch_event_target").find(
      (t) => t.target_id === "alert-enrichment",
    )!;
    const fnRef = refOf("aws_lambda_function", (r) => r.function_name === FN);
    const dlqRef = refOf("aws_sqs_queue", (r) => r.name === `${FN}-dlq`);
    expect(target.arn).toBe(`\${${fnRef}.arn}`);
    expect(target.dead_letter_config).toEqual({ arn: `\${${dlqRef}.arn}` });
    const [permission] = resourcesOf(json, "aws_lambda_permission");
    expect(permission).toMatchObject({
      principal: "events.amazonaws.com",
      action: "lambda:InvokeFunction",
      source_arn: `arn:aws:events:ap-northeast-1:111122223333:rule/${FN}`,
      source_account: "111122223333",
    });
  });

  test("the function: arm64 Node.js 22, reserved concurrency 1, timeout, DLQ, topic routes", () => {
    expect(fn).toMatchObject({
      function_name: FN,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      reserved_concurrent_executions: 1,
      timeout: 60,
      dead_letter_config: { target_arn: `arn:aws:sqs:ap-northeast-1:111122223333:${FN}-dlq` },
    });
    const env = fn.environment.variables;
    expect(env.LOG_GROUP_NAME).toBe(n.logGroupName);
    expect(env.MAX_EVENTS).toBe("10");
    expect(JSON.parse(env.ROUTES)).toEqual({
      critical: { topicArn: n.alertTopicArn },
      high: { topicArn: n.alertTopicArn },
      medium: { topicArn: n.alertTopicArn },
      low: { topicArn: n.alertTopicArn },
    });
    expect(Buffer.byteLength(JSON.stringify(env))).toBeLessThan(4096);
  });

  test("its own log group: KMS-encrypted with the trail key, one year, created before it", () => {
    const lg = resourcesOf(json, "aws_cloudwatch_log_group").find(
      (g) => g.name === `/aws/lambda/${FN}`,
    )!;
    expect(lg.retention_in_days).toBe(365);
    expect(lg.kms_key_id).toMatch(/^\$\{aws_kms_key\..+\.arn\}$/);
    expect(fn.depends_on).toContain(refOf("aws_cloudwatch_log_group", (g) => g.name === lg.name));
    expect(fn.logging_config.log_group).toBe(lg.name);
  });

  test("the dead-letter queue is encrypted and its alarm notifies the topic without the function", () => {
    const [q] = resourcesOf(json, "aws_sqs_queue");
    expect(q).toMatchObject({ sqs_managed_sse_enabled: true, message_retention_seconds: 1209600 });
    const alarm = resourcesOf(json, "aws_cloudwatch_metric_alarm").find(
      (a) => a.alarm_name === `${FN}-dlq-not-empty`,
    )!;
    expect(alarm).toMatchObject({
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: `${FN}-dlq` },
      alarm_actions: [n.alertTopicArn],
    });
  });

  test("detection alarms keep their own topic action (Security Hub CloudWatch.1-14)", () => {
    const detectionAlarms = resourcesOf(json, "aws_cloudwatch_metric_alarm").filter(
      (a) => a.namespace === "trailwatch",
    );
    expect(detectionAlarms.length).toBeGreaterThan(10);
    for (const a of detectionAlarms)
      expect(a.alarm_actions).toEqual([expect.stringContaining("aws_sns_topic")]);
  });

  test("the package carries the catalog of every detection alarm, by alarm name", () => {
    const pkg = app.home.enrichment!.fn.package;
    const files = unzipSync(readFileSync(pkg.zipPath));
    expect(Object.keys(files).sort()).toEqual(["catalog.json", "index.js"]);
    const catalog = JSON.parse(new TextDecoder().decode(files["catalog.json"])) as AlarmCatalog;
    const alarmNames = resourcesOf(json, "aws_cloudwatch_metric_alarm")
      .filter((a) => a.namespace === "trailwatch")
      .map((a) => a.alarm_name)
      .sort();
    expect(Object.keys(catalog.alarms).sort()).toEqual(alarmNames);
    const filters = new Map(
      resourcesOf(json, "aws_cloudwatch_log_metric_filter").map((f) => [f.name, f.pattern]),
    );
    for (const entry of Object.values(catalog.alarms))
      expect(entry.filterPattern).toBe(filters.get(entry.detectionId));
    // The reason for a packaged file rather than environment variables:
    expect(Buffer.byteLength(JSON.stringify(catalog))).toBeGreaterThan(4096);
    expect(fn.source_code_hash).toBe(pkg.sourceCodeHash);
  });

  test("a re-synth of the same configuration gives the same package hash", () => {
    const again = synthJson(build().home);
    expect(resourcesOf(again, "aws_lambda_function")[0].source_code_hash).toBe(fn.source_code_hash);
  });

  test("tuning an alarm changes the package (the catalog carries the tuning)", () => {
    const tuned = synthJson(
      build({
        detections: {
          ...exampleConfigInput().detections,
          alarms: { "cis-unauthorized-api-calls": { periodSeconds: 300, threshold: 5 } },
        },
      }).home,
    );
    expect(resourcesOf(tuned, "aws_lambda_function")[0].source_code_hash).not.toBe(
      fn.source_code_hash,
    );
  });
});

test("replace: detection alarms notify only through the function; the DLQ alarm still notifies", () => {
  const json = synthJson(build(enrichmentConfig({ alarmNotifications: "replace" })).home);
  const alarms = resourcesOf(json, "aws_cloudwatch_metric_alarm");
  for (const a of alarms.filter((x) => x.namespace === "trailwatch"))
    expect(a.alarm_actions).toEqual([]);
  expect(alarms.find((a) => a.namespace === "AWS/SQS")!.alarm_actions).toEqual([n.alertTopicArn]);
});

test("disabled: no function, rule or queue, and alarms notify the topic", () => {
  const app = build(enrichmentConfig({ enabled: false, alarmNotifications: "replace" }));
  expect(app.home.enrichment).toBeUndefined();
  const json = synthJson(app.home);
  expect(resourcesOf(json, "aws_lambda_function")).toHaveLength(0);
  expect(resourcesOf(json, "aws_sqs_queue")).toHaveLength(0);
  for (const a of resourcesOf(json, "aws_cloudwatch_metric_alarm"))
    expect(a.alarm_actions).toHaveLength(1);
});

test("no alarm-delivered detection: no function", () => {
  const input = exampleConfigInput();
  const app = build({
    detections: { packs: { cis: false, seed: false, watcher: true, threat: false } },
  } as Parameters<typeof build>[0]);
  expect(input.detections).toBeUndefined();
  expect(app.home.enrichment).toBeUndefined();
});

test("reservedConcurrency null leaves the function unreserved", () => {
  const json = synthJson(build(enrichmentConfig({ reservedConcurrency: null })).home);
  expect(
    resourcesOf(json, "aws_lambda_function")[0].reserved_concurrent_executions,
  ).toBeUndefined();
});

test("enrichment configuration errors name the field and the allowed values, all at once", () => {
  const input = exampleConfigInput();
  const problems = configProblems({
    ...input,
    alerts: {
      ...input.alerts,
      enrichment: {
        alarmNotifications: "both",
        maxEvents: 0,
        reservedConcurrency: 20,
        logRetentionDays: 42,
        colour: "red",
      },
    },
  });
  expect(problems).toEqual([
    'alerts.enrichment.alarmNotifications: must be one of: add, replace (got "both")',
    "alerts.enrichment.maxEvents: must be between 1 and 50 (got 0)",
    "alerts.enrichment.reservedConcurrency: must be between 1 and 10, or null for none (got 20)",
    expect.stringMatching(
      /^alerts\.enrichment\.logRetentionDays: not a CloudWatch Logs retention value; allowed: 1, 3, .* \(got 42\)$/,
    ),
    'alerts.enrichment: unknown field "colour"; see trailwatch.schema.json for the allowed fields',
  ]);
});

test("the rule pattern matches the documented alarm event and not another prefix or state", () => {
  // The EventBridge evaluator of src/patterns, on AWS's documented example event shape.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { matchesEventPattern } = require("../../src/patterns/event-pattern");
  const event = (alarmName: string, value: string) => ({
    source: "aws.cloudwatch",
    "detail-type": "CloudWatch Alarm State Change",
    detail: { alarmName, state: { value } },
  });
  const pattern = alarmStateChangePattern("trailwatch-");
  expect(matchesEventPattern(pattern, event("trailwatch-cis-root-usage", "ALARM"))).toBe(true);
  expect(matchesEventPattern(pattern, event("trailwatch-cis-root-usage", "OK"))).toBe(false);
  expect(matchesEventPattern(pattern, event("other-cis-root-usage", "ALARM"))).toBe(false);
});
