/**
 * The IAM policies of containment, as data (tested with the IAM policy simulator in
 * __tests__/containment/policies.test.ts):
 *
 * - the endpoint function's role: exactly the calls of the actions the configuration enables,
 *   only on resources of this account, with explicit denies on trailwatch's own resources (by
 *   name prefix, by the protected bucket names, and by the `trailwatch:stack` tag every resource
 *   trailwatch creates carries); its link ledger, the signing key (read only), the alert topic;
 * - the signers' permissions (the notifier, and the alarm enrichment function for
 *   alarm-delivered detections): read, and create on first use, the signing key; publish;
 * - the secret's resource policy: nobody but those roles reads or writes the key.
 *
 * Actions, resource ARN formats and condition keys: Service Authorization Reference (Amazon S3,
 * IAM, Amazon EC2, Amazon RDS, AWS KMS, Secrets Manager, DynamoDB, SNS). `s3:ResourceAccount`
 * stands in for the account S3 ARNs lack; EC2 image and snapshot ARNs lack it too, where
 * `ec2:Owner` carries it.
 */
import type { ActionId } from "../containment/action";
import { logsKeyUse, policy, type PolicyDocument, type Statement } from "../policy";

/** The tag key trailwatch's provider puts on every resource it creates (default_tags). */
export const TRAILWATCH_TAG = "trailwatch:stack";

export interface ContainmentPolicyInput {
  readonly account: string;
  readonly region: string;
  /** Actions the configuration enables (the role gets nothing for the others). */
  readonly actions: readonly ActionId[];
  /** trailwatch's own bucket names (archive, access logs, Athena results, state). */
  readonly protectedBuckets: readonly string[];
  /** Prefix of trailwatch's resource names, e.g. `trailwatch-`. */
  readonly prefix: string;
  readonly tableArn: string;
  readonly secretArn: string;
  /** The key that encrypts the secret and the table. */
  readonly containmentKeyArn: string;
  readonly alertTopicArn: string;
  /** With `alerts.routes`: every route's topic (severities go to their route's). @default none */
  readonly routeTopicArns?: readonly string[];
  /** The key that encrypts the alert topic. */
  readonly topicKeyArn: string;
}

/** The calls each action makes (reads included) and where, for the role's Allow statements. */
function actionStatements(id: ActionId, i: ContainmentPolicyInput): Statement[] {
  const a = i.account;
  switch (id) {
    case "lock-s3-bucket":
      return [
        {
          Sid: "LockS3BucketsOfThisAccount",
          Effect: "Allow",
          Action: [
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:GetBucketPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock",
            "s3:GetEncryptionConfiguration",
            "s3:PutEncryptionConfiguration",
            "s3:GetBucketVersioning",
            "s3:PutBucketVersioning",
            "s3:GetBucketObjectLockConfiguration",
            "s3:PutBucketObjectLockConfiguration",
          ],
          Resource: "arn:aws:s3:::*",
          Condition: { StringEquals: { "s3:ResourceAccount": a } },
        },
      ];
    case "deactivate-access-key":
      return [
        {
          Sid: "DeactivateAccessKeysOfThisAccount",
          Effect: "Allow",
          Action: ["iam:ListAccessKeys", "iam:UpdateAccessKey"],
          Resource: `arn:aws:iam::${a}:user/*`,
        },
      ];
    case "delete-login-profile":
      return [
        {
          Sid: "DeleteLoginProfilesOfThisAccount",
          Effect: "Allow",
          Action: "iam:DeleteLoginProfile",
          Resource: `arn:aws:iam::${a}:user/*`,
        },
      ];
    case "revoke-public-ingress":
      return [
        {
          Sid: "RevokeIngressOfThisAccount",
          Effect: "Allow",
          Action: "ec2:RevokeSecurityGroupIngress",
          Resource: `arn:aws:ec2:*:${a}:security-group/*`,
        },
        {
          // Describe calls support no resource-level permissions (Service Authorization Reference).
          Sid: "ReadSecurityGroupRules",
          Effect: "Allow",
          Action: "ec2:DescribeSecurityGroupRules",
          Resource: "*",
        },
      ];
    case "unshare-ami":
      return [
        {
          Sid: "UnshareAmisOwnedByThisAccount",
          Effect: "Allow",
          Action: ["ec2:DescribeImageAttribute", "ec2:ModifyImageAttribute"],
          Resource: "arn:aws:ec2:*::image/*",
          Condition: { StringEquals: { "ec2:Owner": a } },
        },
      ];
    case "unshare-ebs-snapshot":
      return [
        {
          Sid: "UnshareSnapshotsOwnedByThisAccount",
          Effect: "Allow",
          Action: ["ec2:DescribeSnapshotAttribute", "ec2:ModifySnapshotAttribute"],
          Resource: "arn:aws:ec2:*::snapshot/*",
          Condition: { StringEquals: { "ec2:Owner": a } },
        },
      ];
    case "unshare-rds-snapshot":
      return [
        {
          Sid: "UnshareDbSnapshotsOfThisAccount",
          Effect: "Allow",
          Action: ["rds:DescribeDBSnapshotAttributes", "rds:ModifyDBSnapshotAttribute"],
          Resource: `arn:aws:rds:*:${a}:snapshot:*`,
        },
        {
          Sid: "UnshareDbClusterSnapshotsOfThisAccount",
          Effect: "Allow",
          Action: [
            "rds:DescribeDBClusterSnapshotAttributes",
            "rds:ModifyDBClusterSnapshotAttribute",
          ],
          Resource: `arn:aws:rds:*:${a}:cluster-snapshot:*`,
        },
      ];
  }
}

/** Every write any action makes, for the deny on tagged trailwatch resources. */
const TIGHTENING_WRITES = [
  "s3:PutBucketPolicy",
  "s3:PutBucketPublicAccessBlock",
  "s3:PutEncryptionConfiguration",
  "s3:PutBucketVersioning",
  "s3:PutBucketObjectLockConfiguration",
  "iam:UpdateAccessKey",
  "iam:DeleteLoginProfile",
  "ec2:RevokeSecurityGroupIngress",
  "ec2:ModifyImageAttribute",
  "ec2:ModifySnapshotAttribute",
  "rds:ModifyDBSnapshotAttribute",
  "rds:ModifyDBClusterSnapshotAttribute",
];

function publishStatements(i: ContainmentPolicyInput): Statement[] {
  // With routes, every route's topic (the default route's among them), by its ARN.
  const topics =
    i.routeTopicArns && i.routeTopicArns.length > 0 ? [...i.routeTopicArns] : i.alertTopicArn;
  return [
    {
      Sid: "PublishToTheAlertTopic",
      Effect: "Allow",
      Action: "sns:Publish",
      Resource: topics,
    },
    {
      Sid: "EncryptForTheAlertTopicOnly",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      Resource: i.topicKeyArn,
      Condition: {
        StringEquals: {
          "kms:ViaService": `sns.${i.region}.amazonaws.com`,
          "kms:EncryptionContext:aws:sns:topicArn": topics,
        },
      },
    },
  ];
}

type KeyInput = Pick<ContainmentPolicyInput, "region" | "secretArn" | "containmentKeyArn">;

function keyUse(i: KeyInput, actions: string[], sid: string): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: i.containmentKeyArn,
    Condition: {
      StringEquals: {
        "kms:ViaService": `secretsmanager.${i.region}.amazonaws.com`,
        "kms:EncryptionContext:SecretARN": i.secretArn,
      },
    },
  };
}

/** The endpoint function's permissions (its log group is added by BundledFunction). */
export function containmentHandlerPolicy(i: ContainmentPolicyInput): PolicyDocument {
  const bucketArns = [
    `arn:aws:s3:::${i.prefix}*`,
    ...i.protectedBuckets.filter((b) => !b.startsWith(i.prefix)).map((b) => `arn:aws:s3:::${b}`),
  ];
  return policy(
    ...i.actions.flatMap((id) => actionStatements(id, i)),
    {
      Sid: "RecordUsedLinks",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      Resource: i.tableArn,
    },
    {
      Sid: "ReadTheSigningKey",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: i.secretArn,
    },
    keyUse(i, ["kms:Decrypt"], "DecryptTheSigningKey"),
    ...publishStatements(i),
    {
      Sid: "NeverTrailwatchBuckets",
      Effect: "Deny",
      Action: "s3:*",
      Resource: bucketArns,
    },
    {
      Sid: "NeverTrailwatchUsers",
      Effect: "Deny",
      Action: "iam:*",
      Resource: [
        `arn:aws:iam::${i.account}:user/${i.prefix}*`,
        `arn:aws:iam::${i.account}:user/*/${i.prefix}*`,
      ],
    },
    {
      Sid: "NeverTrailwatchTaggedResources",
      Effect: "Deny",
      Action: TIGHTENING_WRITES,
      Resource: "*",
      Condition: { Null: { [`aws:ResourceTag/${TRAILWATCH_TAG}`]: "false" } },
    },
  );
}

/** What a function that signs links needs: the key (created on first use) and the topic. */
export function signerStatements(i: KeyInput): Statement[] {
  return [
    {
      Sid: "ReadOrCreateTheSigningKey",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
      Resource: i.secretArn,
    },
    keyUse(i, ["kms:Decrypt", "kms:GenerateDataKey"], "UseTheKeyForTheSigningKey"),
  ];
}

/** The notifier's permissions: sign, publish, and dead-letter what it cannot deliver. */
export function notifierPolicy(
  i: ContainmentPolicyInput,
  deadLetterQueueArn: string,
): PolicyDocument {
  return policy(...signerStatements(i), ...publishStatements(i), {
    Sid: "DeadLetterFailedEvents",
    Effect: "Allow",
    Action: "sqs:SendMessage",
    Resource: deadLetterQueueArn,
  });
}

/**
 * The signing key's resource policy: only the functions that sign or verify links may read or
 * write its value. Administrators keep managing the secret (describe, tag, delete, change this
 * policy: each of which CloudTrail records).
 */
export function signingKeySecretPolicy(readers: readonly string[]): PolicyDocument {
  return policy({
    Sid: "OnlyContainmentFunctionsUseTheKey",
    Effect: "Deny",
    Principal: "*",
    Action: ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
    Resource: "*",
    Condition: { ArnNotEquals: { "aws:PrincipalArn": [...readers] } },
  });
}

/**
 * The containment key: administered through IAM (as every trailwatch key), and usable by CloudWatch
 * Logs for the endpoint's access log group only.
 */
export function containmentKeyPolicy(
  account: string,
  region: string,
  accessLogGroupArn: string,
): PolicyDocument {
  return policy(
    {
      Sid: "EnableIamPolicies",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    logsKeyUse("CloudWatchLogsForTheAccessLogGroup", region, accessLogGroupArn),
  );
}
