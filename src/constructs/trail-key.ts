import { Construct } from "constructs";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import type { Names } from "../names";
import { logsKeyUse, policy, renderPolicy, type PolicyDocument, type Statement } from "../policy";

export interface TrailKeyProps {
  readonly names: Names;
  /**
   * `trail`: encrypts the trail's log files, its log group and the alerts. `alerts`: with an
   * existing trail, trailwatch's own key for the alert topic and Athena results only.
   * @default "trail"
   */
  readonly purpose?: "trail" | "alerts";
  /** Days KMS waits before deleting the key once deletion is scheduled. @default 30 (the maximum) */
  readonly deletionWindowDays?: number;
}

/**
 * The customer managed key that encrypts the trail's log files, its CloudWatch Logs log group
 * and the alert topic. It lives in the home region, next to the trail and the bucket (a trail
 * cannot use a key from another region).
 */
export class TrailKey extends Construct {
  readonly key: KmsKey;
  readonly policyDocument: PolicyDocument;

  constructor(scope: Construct, id: string, props: TrailKeyProps) {
    super(scope, id);
    const n = props.names;
    const alertsOnly = props.purpose === "alerts";
    this.policyDocument = alertsOnly ? alertKeyPolicy(n) : trailKeyPolicy(n);
    this.key = new KmsKey(this, "key", {
      description: alertsOnly
        ? "trailwatch: encrypts the alert topic and Athena query results"
        : `trailwatch: encrypts CloudTrail trail ${n.trailName}, its log group and alerts`,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowDays ?? 30,
      policy: renderPolicy(this.policyDocument),
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, "alias", { name: n.keyAlias, targetKeyId: this.key.keyId });
  }
}

/** Key policy: what each AWS service may do with the key, each limited to our resources. */
export function trailKeyPolicy(n: Names): PolicyDocument {
  const accountRoot = `arn:aws:iam::${n.account}:root`;
  // An organization trail belongs to the management account, whoever deploys it (CloudTrail user
  // guide, "Configure AWS KMS key policies for CloudTrail").
  const ourTrails = `arn:aws:cloudtrail:*:${n.trailAccount}:trail/*`;
  return policy(
    enableIamPolicies(n),
    {
      Sid: "CloudTrailEncryptLogs",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:GenerateDataKey*",
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceArn": n.trailArn },
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": ourTrails },
      },
    },
    {
      Sid: "CloudTrailDescribeKey",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:DescribeKey",
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceArn": n.trailArn } },
    },
    {
      // Delegates to IAM (account root principal): readers still need kms:Decrypt in their own
      // IAM policy, and then only for CloudTrail log files of this account's trails.
      Sid: "AccountDecryptLogFiles",
      Effect: "Allow",
      Principal: { AWS: accountRoot },
      Action: ["kms:Decrypt", "kms:ReEncryptFrom"],
      Resource: "*",
      Condition: {
        StringEquals: { "kms:CallerAccount": n.account },
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": ourTrails },
      },
    },
    logsKeyUse("CloudWatchLogsUseKeyForTrailLogGroup", n.homeRegion, n.logGroupArn),
    ...alertTopicStatements(n),
  );
}

/**
 * Existing mode: the key serves the alert topic, trailwatch's own function log groups and
 * (through IAM) Athena results; never CloudTrail.
 */
export function alertKeyPolicy(n: Names): PolicyDocument {
  return policy(enableIamPolicies(n), ...alertTopicStatements(n));
}

function enableIamPolicies(n: Names): Statement {
  return {
    // Without this the key becomes unmanageable; IAM policies then decide who administers it.
    Sid: "EnableIamPolicies",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${n.account}:root` },
    Action: "kms:*",
    Resource: "*",
  };
}

function alertTopicStatements(n: Names): Statement[] {
  return [
    // The log groups of trailwatch's own Lambda functions (alert enrichment, containment):
    // `/aws/lambda/<prefix>*`, created by Terraform with this key before each function.
    logsKeyUse(
      "CloudWatchLogsUseKeyForTrailwatchFunctionLogs",
      n.homeRegion,
      `arn:aws:logs:${n.homeRegion}:${n.account}:log-group:${functionLogGroupPrefix(n)}*`,
    ),
    {
      // CloudWatch alarms publishing to the encrypted alert topics (confused-deputy conditions are supported here).
      Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        StringEquals: {
          "aws:SourceAccount": n.account,
          "kms:EncryptionContext:aws:sns:topicArn": topicArns(n),
        },
        ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${n.homeRegion}:${n.account}:alarm:*` },
      },
    },
    {
      // EventBridge's KMS requests carry no aws:SourceAccount/SourceArn (AWS SNS docs): such a
      // condition would silently drop every notification. SNS's encryption context names the topic,
      // so the key serves only our alert topics; the topic policies carry the source conditions.
      Sid: "EventBridgePublishToEncryptedTopic",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": topicArns(n) } },
    },
  ];
}

/** Every alert topic (routes and chat): one ARN as a string, several as a list (same meaning). */
function topicArns(n: Names): string | string[] {
  return n.alertTopicArns.length === 1 ? n.alertTopicArns[0] : [...n.alertTopicArns];
}

/** Log groups of trailwatch's Lambda functions start with this (`/aws/lambda/<prefix>`). */
export function functionLogGroupPrefix(n: Names): string {
  return `/aws/lambda/${n.resourcePrefix}`;
}
