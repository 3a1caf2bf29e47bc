import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { alarmCatalog, CATALOG_FILE, type AlarmTuningLike } from "../alerts/catalog";
import type { Route } from "../alerts/handler";
import type { Detection, Severity } from "../detections/types";
import type { PolicyDocument, Statement } from "../policy";
import { BundledFunction } from "./bundled-function";
import { queueNotEmptyAlarm } from "./queue-not-empty-alarm";
import { PrivateQueue } from "./private-queue";

export const ENRICHMENT_ENTRY = "src/alerts/handler.ts";

/** The enrichment function's name (and its role's): `<prefix>alert-enrichment`. */
export function enrichmentFunctionName(resourcePrefix: string): string {
  return `${resourcePrefix}alert-enrichment`;
}

export interface AlarmEnrichmentProps {
  readonly account: string;
  readonly region: string;
  /** Prefix of trailwatch's alarm names: the rule matches alarms starting with it. */
  readonly resourcePrefix: string;
  /** Alarm detections (the catalog packaged with the function). */
  readonly detections: readonly Detection[];
  readonly tuning?: Readonly<Partial<Record<string, AlarmTuningLike>>>;
  /** The trail's log group, which FilterLogEvents reads. */
  readonly logGroupName: string;
  /** Topics by severity; every topic the function may publish to. */
  readonly routes: Readonly<Record<Severity, Route>>;
  /** Topics notified when enrichment fails for good (dead-letter queue not empty). */
  readonly failureTopicArns: readonly string[];
  /** The key encrypting the topics (and the function's log group). */
  readonly kmsKeyArn: string;
  readonly maxEvents: number;
  /** @default none (unreserved) */
  readonly reservedConcurrency?: number;
  readonly logRetentionDays: number;
  /**
   * Containment links under the listed events (src/containment/alarm-links.ts): the settings file
   * and variable packaged with the function, and the statements that let it sign. @default none
   */
  readonly containment?: {
    readonly files: Readonly<Record<string, string>>;
    readonly environment: Readonly<Record<string, string>>;
    readonly statements: readonly Statement[];
  };
}

/**
 * Alarm enrichment: an EventBridge rule for trailwatch's alarms entering ALARM invokes a Lambda
 * function (src/alerts/handler.ts) that lists the CloudTrail events behind the alarm and publishes
 * them to the alert topic. Failed invocations (after Lambda's two retries) and events EventBridge
 * could not deliver land on one encrypted dead-letter queue, whose alarm notifies the failure topic
 * directly through CloudWatch (no Lambda involved).
 */
export class AlarmEnrichment extends Construct {
  readonly fn: BundledFunction;
  readonly rule: CloudwatchEventRule;
  readonly deadLetters: PrivateQueue;
  readonly failureAlarm: CloudwatchMetricAlarm;
  readonly functionName: string;
  readonly ruleArn: string;
  readonly deadLetterQueueArn: string;

  constructor(scope: Construct, id: string, props: AlarmEnrichmentProps) {
    super(scope, id);
    const { account, region } = props;
    this.functionName = enrichmentFunctionName(props.resourcePrefix);
    const ruleName = this.functionName;
    this.ruleArn = `arn:aws:events:${region}:${account}:rule/${ruleName}`;
    const dlqName = `${this.functionName}-dlq`;
    this.deadLetterQueueArn = `arn:aws:sqs:${region}:${account}:${dlqName}`;
    const logGroupArn = `arn:aws:logs:${region}:${account}:log-group:${props.logGroupName}`;

    this.deadLetters = new PrivateQueue(this, "dead-letters", {
      queueName: dlqName,
      queueArn: this.deadLetterQueueArn,
      grants: [
        {
          // EventBridge puts events it could not deliver to the function here (target DLQ).
          Sid: "EventBridgeRuleDeadLetters",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: this.deadLetterQueueArn,
          Condition: { ArnEquals: { "aws:SourceArn": this.ruleArn } },
        },
      ],
    });

    const topics = [
      ...new Set(
        Object.values(props.routes).flatMap((r) => [
          r.topicArn,
          ...(r.chatTopicArn ? [r.chatTopicArn] : []),
        ]),
      ),
    ].sort();
    this.fn = new BundledFunction(this, "function", {
      functionName: this.functionName,
      description:
        "trailwatch: lists the CloudTrail events behind an alarm and publishes them to the alert topic",
      entry: ENRICHMENT_ENTRY,
      files: {
        [CATALOG_FILE]: JSON.stringify(
          alarmCatalog(props.detections, props.resourcePrefix, props.tuning),
        ),
        ...props.containment?.files,
      },
      environment: {
        LOG_GROUP_NAME: props.logGroupName,
        ROUTES: JSON.stringify(props.routes),
        MAX_EVENTS: String(props.maxEvents),
        ...props.containment?.environment,
      },
      permissions: [
        ...enrichmentPermissions({
          account,
          region,
          logGroupArn,
          topicArns: topics,
          deadLetterQueueArn: this.deadLetterQueueArn,
        }).Statement,
        ...(props.containment?.statements ?? []),
      ],
      logKmsKeyArn: props.kmsKeyArn,
      logRetentionDays: props.logRetentionDays,
      // Paging is bounded well inside this (matching-events.ts keeps 10 s in reserve).
      timeoutSeconds: 60,
      reservedConcurrency: props.reservedConcurrency,
      deadLetterQueueArn: this.deadLetterQueueArn,
      account,
      region,
    });

    this.rule = new CloudwatchEventRule(this, "rule", {
      name: ruleName,
      description: "trailwatch: alarms entering ALARM, to the alarm enrichment function",
      eventPattern: JSON.stringify(alarmStateChangePattern(props.resourcePrefix)),
      state: "ENABLED",
    });
    new LambdaPermission(this, "invoke-permission", {
      statementId: "EventBridgeAlarmStateChanges",
      action: "lambda:InvokeFunction",
      functionName: this.fn.function.functionName,
      principal: "events.amazonaws.com",
      // Built from names, like every ARN in a policy here, so the simulator reads the real value.
      sourceArn: this.ruleArn,
      sourceAccount: account,
      dependsOn: [this.rule],
    });
    new CloudwatchEventTarget(this, "target", {
      rule: this.rule.name,
      targetId: "alert-enrichment",
      arn: this.fn.function.arn,
      deadLetterConfig: { arn: this.deadLetters.queue.arn },
      // An alarm an hour old is still worth enriching; EventBridge's default is 24 h and 185 tries.
      retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 },
    });
    this.failureAlarm = queueNotEmptyAlarm(this, "dead-letter-alarm", {
      queueName: dlqName,
      description:
        "trailwatch could not deliver an enriched alarm notification: the event is on the dead-letter queue " +
        `${dlqName}. Read the function's log group /aws/lambda/${this.functionName} for the error; ` +
        "the alarm itself is listed in CloudWatch.",
      alarmActions: props.failureTopicArns,
    });
  }
}

/** EventBridge pattern: CloudWatch alarm state changes into ALARM of alarms named `<prefix>*`. */
export function alarmStateChangePattern(prefix: string): Record<string, unknown> {
  return {
    source: ["aws.cloudwatch"],
    "detail-type": ["CloudWatch Alarm State Change"],
    detail: { alarmName: [{ prefix }], state: { value: ["ALARM"] } },
  };
}

/**
 * The function's permissions beyond its own log group: read the trail's log group with
 * FilterLogEvents, publish to the alert topics, use the topics' KMS key only through SNS for those
 * topics, and put failed events on its dead-letter queue.
 */
export function enrichmentPermissions(p: {
  readonly account: string;
  readonly region: string;
  readonly logGroupArn: string;
  readonly topicArns: readonly string[];
  readonly deadLetterQueueArn: string;
}): PolicyDocument {
  const statements: Statement[] = [
    {
      Sid: "FilterTrailLogGroup",
      Effect: "Allow",
      Action: "logs:FilterLogEvents",
      // CloudWatch Logs authorizes some calls on the group ARN with a ":*" suffix: grant both forms.
      Resource: [p.logGroupArn, `${p.logGroupArn}:*`],
    },
    {
      Sid: "PublishToAlertTopics",
      Effect: "Allow",
      Action: "sns:Publish",
      Resource: [...p.topicArns],
    },
    {
      // SNS encrypts each message under the topic's key with the topic ARN as encryption context
      // (SNS developer guide, "Encryption at rest"); the key's id is known only after apply.
      Sid: "TopicKeyThroughSnsOnly",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      Resource: `arn:aws:kms:${p.region}:${p.account}:key/*`,
      Condition: {
        StringEquals: {
          "kms:ViaService": `sns.${p.region}.amazonaws.com`,
          "kms:EncryptionContext:aws:sns:topicArn": [...p.topicArns],
        },
      },
    },
    {
      Sid: "OwnDeadLetterQueue",
      Effect: "Allow",
      Action: "sqs:SendMessage",
      Resource: p.deadLetterQueueArn,
    },
  ];
  return { Version: "2012-10-17", Statement: statements };
}
