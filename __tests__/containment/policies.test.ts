/**
 * Containment's policies proven with the IAM policy simulator (support/simulate.ts): the endpoint
 * role may make exactly the calls of the enabled actions, only on resources of this account,
 * never on trailwatch's own (by name, prefix or tag); the signers may use the signing key; the
 * key's resource policy keeps everyone else out; the endpoint function can only be invoked by
 * its API's routes.
 *
 * The questions run against the role policies as synthesized (Terraform references replaced by
 * the concrete ARNs they resolve to) and, for the actions the example's detections cannot enable
 * yet (login profiles, sharing: threat pack detections), against the policy the construct builds
 * with every action on.
 */
import { build, config, resourcesOf, synthJson } from "../helpers";
import { ACTION_IDS } from "../../src/containment/action";
import {
  containmentHandlerPolicy,
  containmentKeyPolicy,
  signingKeySecretPolicy,
  type ContainmentPolicyInput,
} from "../../src/constructs/containment-policies";
import { ALLOWED, ANONYMOUS, decide, EXPLICIT, IMPLICIT, type Decision } from "../support/simulate";
import { trailKeyPolicy } from "../../src/constructs/trail-key";
import { resolveNames } from "../../src/names";

const ACCOUNT = "111122223333";
const OTHER = "444455556666";
const REGION = "ap-northeast-1";

const HANDLER_ROLE = `arn:aws:iam::${ACCOUNT}:role/trailwatch-containment`;
const NOTIFIER_ROLE = `arn:aws:iam::${ACCOUNT}:role/trailwatch-containment-notifier`;
const ENRICHMENT_ROLE = `arn:aws:iam::${ACCOUNT}:role/trailwatch-alert-enrichment`;
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/admin`;
const TABLE = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/trailwatch-containment-links`;
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:trailwatch-containment-link-key-AbC123`;
const CONTAINMENT_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0000aaaa-11bb-22cc-33dd-444444eeeeee`;
const TRAIL_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:trailwatch-alerts`;
const DLQ = `arn:aws:sqs:${REGION}:${ACCOUNT}:trailwatch-containment-notifier-dlq`;
const API = "a1b2c3d4e5";

/** Concrete values for the Terraform references in the synthesized documents. */
function resolve(doc: string): unknown {
  const refs: [RegExp, string][] = [
    [/\$\{aws_dynamodb_table\.[\w-]+\.arn\}/g, TABLE],
    [/\$\{aws_secretsmanager_secret\.[\w-]+\.arn\}/g, SECRET],
    [/\$\{aws_kms_key\.containment_key_[\w-]+\.arn\}/g, CONTAINMENT_KEY],
    [/\$\{aws_kms_key\.trail-key_[\w-]+\.arn\}/g, TRAIL_KEY],
    [/\$\{aws_sns_topic\.[\w-]+\.arn\}/g, TOPIC],
    [/\$\{aws_sqs_queue\.[\w-]+\.arn\}/g, DLQ],
  ];
  const resolved = refs.reduce((s, [re, v]) => s.replace(re, v), doc);
  if (resolved.includes("${")) throw new Error(`unresolved reference in ${resolved}`);
  return JSON.parse(resolved);
}

const json = synthJson(
  build({
    remediation: {
      enabled: true,
      actions: {
        "s3-bucket-created": "lock-s3-bucket",
        "iam-access-key-created": "deactivate-access-key",
        "security-group-rule-changed": "revoke-public-ingress",
      },
    },
  } as any).home,
);
function rolePolicy(name: string): unknown {
  const [id] = Object.entries(json.resource.aws_iam_role).find(([, r]) => r.name === name)!;
  const p = resourcesOf(json, "aws_iam_role_policy").find(
    (x) => x.role === `\${aws_iam_role.${id}.id}`,
  )!;
  return resolve(p.policy);
}
const HANDLER = rolePolicy("trailwatch-containment");
const ENRICHMENT = rolePolicy("trailwatch-alert-enrichment");
const NOTIFIER = rolePolicy("trailwatch-containment-notifier");
const SECRET_POLICY = resolve(resourcesOf(json, "aws_secretsmanager_secret_policy")[0].policy);

const input: ContainmentPolicyInput = {
  account: ACCOUNT,
  region: REGION,
  actions: [...ACTION_IDS],
  protectedBuckets: ["trailwatch-cloudtrail-111122223333-ap-northeast-1", "my-state-bucket"],
  prefix: "trailwatch-",
  tableArn: TABLE,
  secretArn: SECRET,
  containmentKeyArn: CONTAINMENT_KEY,
  alertTopicArn: TOPIC,
  topicKeyArn: TRAIL_KEY,
};
const EVERY_ACTION = containmentHandlerPolicy(input);
const CONTAINMENT_KEY_POLICY = containmentKeyPolicy(
  ACCOUNT,
  REGION,
  `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/apigateway/trailwatch-containment`,
);
const TRAIL_KEY_POLICY = trailKeyPolicy(resolveNames(config()));

interface Case {
  readonly name: string;
  /** A resource policy (the KMS key policies: KMS needs the key's own policy to delegate to IAM). */
  readonly resourcePolicy?: unknown;
  readonly action: string;
  readonly resource: string;
  readonly expected: Decision;
  readonly context?: Record<string, string>;
  readonly resourceAccount?: string;
}

function check(principal: string, identity: unknown, cases: Case[]) {
  test.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const decision = await decide({
      principal,
      action: c.action,
      resource: c.resource,
      resourceAccount: c.resourceAccount ?? ACCOUNT,
      context: c.context,
      resourcePolicy: c.resourcePolicy,
      identityPolicies: [identity],
    });
    expect(decision).toBe(c.expected);
  });
}

const THIS = { "s3:ResourceAccount": ACCOUNT };
const TAGGED = { "aws:ResourceTag/trailwatch:stack": "trailwatch-ap-northeast-1" };
const bucket = (b: string) => `arn:aws:s3:::${b}`;
const user = (u: string, account = ACCOUNT) => `arn:aws:iam::${account}:user/${u}`;
const sg = (account = ACCOUNT) =>
  `arn:aws:ec2:${REGION}:${account}:security-group/sg-0d921df5d84f7270a`;

describe("the endpoint role, as deployed (lock-s3-bucket, deactivate-access-key, revoke-public-ingress)", () => {
  check(HANDLER_ROLE, HANDLER, [
    ...[
      "s3:GetBucketPolicy",
      "s3:PutBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutEncryptionConfiguration",
      "s3:PutBucketVersioning",
      "s3:PutBucketObjectLockConfiguration",
    ].map((action) => ({
      name: `${action} on a bucket of this account`,
      action,
      resource: bucket("cwe-test"),
      context: THIS,
      expected: ALLOWED,
    })),
    {
      name: "s3:PutBucketPolicy on another account's bucket",
      action: "s3:PutBucketPolicy",
      resource: bucket("cwe-test"),
      context: { "s3:ResourceAccount": OTHER },
      resourceAccount: OTHER,
      expected: IMPLICIT,
    },
    {
      name: "s3:PutBucketPolicy on trailwatch's archive bucket is denied explicitly",
      action: "s3:PutBucketPolicy",
      resource: bucket("trailwatch-cloudtrail-111122223333-ap-northeast-1"),
      context: THIS,
      expected: EXPLICIT,
    },
    {
      name: "s3:PutBucketObjectLockConfiguration on trailwatch's state bucket (no prefix) is denied explicitly",
      action: "s3:PutBucketObjectLockConfiguration",
      resource: bucket("trailwatch-tfstate-111122223333"),
      context: THIS,
      expected: EXPLICIT,
    },
    {
      name: "s3:PutBucketPolicy on any trailwatch- bucket is denied explicitly",
      action: "s3:PutBucketPolicy",
      resource: bucket("trailwatch-anything"),
      context: THIS,
      expected: EXPLICIT,
    },
    {
      name: "s3:DeleteBucket is not among the actions",
      action: "s3:DeleteBucket",
      resource: bucket("cwe-test"),
      context: THIS,
      expected: IMPLICIT,
    },
    {
      name: "s3:DeleteBucketPolicy (loosening) is not among the actions",
      action: "s3:DeleteBucketPolicy",
      resource: bucket("cwe-test"),
      context: THIS,
      expected: IMPLICIT,
    },
    {
      name: "s3:GetObject (reading data) is not among the actions",
      action: "s3:GetObject",
      resource: `${bucket("cwe-test")}/secret.txt`,
      expected: IMPLICIT,
    },
    {
      name: "iam:UpdateAccessKey on a user of this account",
      action: "iam:UpdateAccessKey",
      resource: user("bob"),
      expected: ALLOWED,
    },
    {
      name: "iam:ListAccessKeys on a user of this account",
      action: "iam:ListAccessKeys",
      resource: user("bob"),
      expected: ALLOWED,
    },
    {
      name: "iam:UpdateAccessKey on another account's user",
      action: "iam:UpdateAccessKey",
      resource: user("bob", OTHER),
      resourceAccount: OTHER,
      expected: IMPLICIT,
    },
    {
      name: "iam:UpdateAccessKey on a trailwatch- user is denied explicitly",
      action: "iam:UpdateAccessKey",
      resource: user("trailwatch-deployer"),
      expected: EXPLICIT,
    },
    {
      name: "iam:UpdateAccessKey on a user tagged trailwatch:stack is denied explicitly",
      action: "iam:UpdateAccessKey",
      resource: user("ops"),
      context: TAGGED,
      expected: EXPLICIT,
    },
    {
      name: "iam:DeleteAccessKey (never delete) is not among the actions",
      action: "iam:DeleteAccessKey",
      resource: user("bob"),
      expected: IMPLICIT,
    },
    {
      name: "iam:CreateAccessKey is not among the actions",
      action: "iam:CreateAccessKey",
      resource: user("bob"),
      expected: IMPLICIT,
    },
    {
      name: "iam:DeleteLoginProfile: its action is not enabled in this configuration",
      action: "iam:DeleteLoginProfile",
      resource: user("bob"),
      expected: IMPLICIT,
    },
    {
      name: "ec2:RevokeSecurityGroupIngress on a group of this account",
      action: "ec2:RevokeSecurityGroupIngress",
      resource: sg(),
      expected: ALLOWED,
    },
    {
      name: "ec2:RevokeSecurityGroupIngress on another account's group",
      action: "ec2:RevokeSecurityGroupIngress",
      resource: sg(OTHER),
      resourceAccount: OTHER,
      expected: IMPLICIT,
    },
    {
      name: "ec2:RevokeSecurityGroupIngress on a group tagged trailwatch:stack is denied explicitly",
      action: "ec2:RevokeSecurityGroupIngress",
      resource: sg(),
      context: TAGGED,
      expected: EXPLICIT,
    },
    {
      name: "ec2:AuthorizeSecurityGroupIngress (opening) is not among the actions",
      action: "ec2:AuthorizeSecurityGroupIngress",
      resource: sg(),
      expected: IMPLICIT,
    },
    {
      name: "ec2:DescribeSecurityGroupRules (read-only, no resource-level permission)",
      action: "ec2:DescribeSecurityGroupRules",
      resource: "*",
      expected: ALLOWED,
    },
    {
      name: "ec2:ModifyImageAttribute: unshare-ami is not enabled in this configuration",
      action: "ec2:ModifyImageAttribute",
      resource: `arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0`,
      context: { "ec2:Owner": ACCOUNT },
      expected: IMPLICIT,
    },
    {
      name: "dynamodb:PutItem on the used-link table",
      action: "dynamodb:PutItem",
      resource: TABLE,
      expected: ALLOWED,
    },
    {
      name: "dynamodb:DeleteItem is not needed",
      action: "dynamodb:DeleteItem",
      resource: TABLE,
      expected: IMPLICIT,
    },
    {
      name: "dynamodb:PutItem on another table",
      action: "dynamodb:PutItem",
      resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/other`,
      expected: IMPLICIT,
    },
    {
      name: "secretsmanager:GetSecretValue on the signing key",
      action: "secretsmanager:GetSecretValue",
      resource: SECRET,
      expected: ALLOWED,
    },
    {
      name: "secretsmanager:PutSecretValue: the endpoint only verifies",
      action: "secretsmanager:PutSecretValue",
      resource: SECRET,
      expected: IMPLICIT,
    },
    {
      name: "kms:Decrypt of the signing key through Secrets Manager",
      action: "kms:Decrypt",
      resource: CONTAINMENT_KEY,
      resourcePolicy: CONTAINMENT_KEY_POLICY,
      context: {
        "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com`,
        "kms:EncryptionContext:SecretARN": SECRET,
      },
      expected: ALLOWED,
    },
    {
      name: "kms:Decrypt with the containment key outside Secrets Manager",
      action: "kms:Decrypt",
      resource: CONTAINMENT_KEY,
      resourcePolicy: CONTAINMENT_KEY_POLICY,
      context: { "kms:EncryptionContext:SecretARN": SECRET },
      expected: IMPLICIT,
    },
    {
      name: "sns:Publish of the follow-up to the alert topic",
      action: "sns:Publish",
      resource: TOPIC,
      expected: ALLOWED,
    },
    {
      name: "sns:Publish to another topic",
      action: "sns:Publish",
      resource: `arn:aws:sns:${REGION}:${ACCOUNT}:other`,
      expected: IMPLICIT,
    },
    {
      name: "kms:GenerateDataKey of the topic key for the alert topic",
      action: "kms:GenerateDataKey",
      resource: TRAIL_KEY,
      resourcePolicy: TRAIL_KEY_POLICY,
      context: {
        "kms:ViaService": `sns.${REGION}.amazonaws.com`,
        "kms:EncryptionContext:aws:sns:topicArn": TOPIC,
      },
      expected: ALLOWED,
    },
    {
      name: "kms:Decrypt of the topic key for CloudTrail log files",
      action: "kms:Decrypt",
      resource: TRAIL_KEY,
      resourcePolicy: TRAIL_KEY_POLICY,
      context: {
        "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/trailwatch`,
      },
      expected: IMPLICIT,
    },
  ]);
});

describe("the endpoint role with every action enabled (as the construct builds it)", () => {
  const ami = `arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0`;
  const snap = `arn:aws:ec2:${REGION}::snapshot/snap-041993b54a9b3af6f`;
  check(HANDLER_ROLE, EVERY_ACTION, [
    {
      name: "iam:DeleteLoginProfile on a user of this account",
      action: "iam:DeleteLoginProfile",
      resource: user("bob"),
      expected: ALLOWED,
    },
    {
      name: "iam:DeleteLoginProfile on a trailwatch- user is denied explicitly",
      action: "iam:DeleteLoginProfile",
      resource: user("trailwatch-x"),
      expected: EXPLICIT,
    },
    {
      name: "iam:CreateLoginProfile is not among the actions",
      action: "iam:CreateLoginProfile",
      resource: user("bob"),
      expected: IMPLICIT,
    },
    {
      name: "ec2:ModifyImageAttribute on an AMI this account owns",
      action: "ec2:ModifyImageAttribute",
      resource: ami,
      context: { "ec2:Owner": ACCOUNT },
      expected: ALLOWED,
    },
    {
      name: "ec2:ModifyImageAttribute on an AMI another account owns",
      action: "ec2:ModifyImageAttribute",
      resource: ami,
      context: { "ec2:Owner": OTHER },
      expected: IMPLICIT,
    },
    {
      name: "ec2:DescribeImageAttribute on an AMI this account owns",
      action: "ec2:DescribeImageAttribute",
      resource: ami,
      context: { "ec2:Owner": ACCOUNT },
      expected: ALLOWED,
    },
    {
      name: "ec2:ModifySnapshotAttribute on a snapshot this account owns",
      action: "ec2:ModifySnapshotAttribute",
      resource: snap,
      context: { "ec2:Owner": ACCOUNT },
      expected: ALLOWED,
    },
    {
      name: "ec2:ModifySnapshotAttribute on a snapshot tagged trailwatch:stack is denied explicitly",
      action: "ec2:ModifySnapshotAttribute",
      resource: snap,
      context: { "ec2:Owner": ACCOUNT, ...TAGGED },
      expected: EXPLICIT,
    },
    {
      name: "ec2:DeleteSnapshot is not among the actions",
      action: "ec2:DeleteSnapshot",
      resource: snap,
      expected: IMPLICIT,
    },
    {
      name: "rds:ModifyDBSnapshotAttribute on a snapshot of this account",
      action: "rds:ModifyDBSnapshotAttribute",
      resource: `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:exfiltration`,
      expected: ALLOWED,
    },
    {
      name: "rds:ModifyDBClusterSnapshotAttribute on a cluster snapshot of this account",
      action: "rds:ModifyDBClusterSnapshotAttribute",
      resource: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:exfiltration`,
      expected: ALLOWED,
    },
    {
      name: "rds:ModifyDBSnapshotAttribute on another account's snapshot",
      action: "rds:ModifyDBSnapshotAttribute",
      resource: `arn:aws:rds:${REGION}:${OTHER}:snapshot:exfiltration`,
      resourceAccount: OTHER,
      expected: IMPLICIT,
    },
    {
      name: "s3:PutBucketPolicy on the configured state bucket is denied explicitly",
      action: "s3:PutBucketPolicy",
      resource: bucket("my-state-bucket"),
      context: THIS,
      expected: EXPLICIT,
    },
  ]);
});

describe("the notifier role", () => {
  check(NOTIFIER_ROLE, NOTIFIER, [
    {
      name: "secretsmanager:GetSecretValue on the signing key",
      action: "secretsmanager:GetSecretValue",
      resource: SECRET,
      expected: ALLOWED,
    },
    {
      name: "secretsmanager:PutSecretValue: creates the key on first use",
      action: "secretsmanager:PutSecretValue",
      resource: SECRET,
      expected: ALLOWED,
    },
    {
      name: "kms:GenerateDataKey of the containment key for the signing key",
      action: "kms:GenerateDataKey",
      resource: CONTAINMENT_KEY,
      resourcePolicy: CONTAINMENT_KEY_POLICY,
      context: {
        "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com`,
        "kms:EncryptionContext:SecretARN": SECRET,
      },
      expected: ALLOWED,
    },
    {
      name: "sns:Publish to the alert topic",
      action: "sns:Publish",
      resource: TOPIC,
      expected: ALLOWED,
    },
    {
      name: "sqs:SendMessage to its dead-letter queue",
      action: "sqs:SendMessage",
      resource: DLQ,
      expected: ALLOWED,
    },
    {
      name: "no tightening call: iam:UpdateAccessKey",
      action: "iam:UpdateAccessKey",
      resource: user("bob"),
      expected: IMPLICIT,
    },
    {
      name: "no ledger: dynamodb:PutItem",
      action: "dynamodb:PutItem",
      resource: TABLE,
      expected: IMPLICIT,
    },
    {
      name: "no other secret",
      action: "secretsmanager:GetSecretValue",
      resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-password-XyZ123`,
      expected: IMPLICIT,
    },
  ]);
});

describe("the signing key's resource policy", () => {
  const everything = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
  };
  test("it is the construct's document", () => {
    expect(SECRET_POLICY).toEqual(
      signingKeySecretPolicy([HANDLER_ROLE, NOTIFIER_ROLE, ENRICHMENT_ROLE]),
    );
  });
  test.each([
    ["the endpoint reads the key", HANDLER_ROLE, HANDLER, "secretsmanager:GetSecretValue", ALLOWED],
    [
      "the notifier writes the first key",
      NOTIFIER_ROLE,
      NOTIFIER,
      "secretsmanager:PutSecretValue",
      ALLOWED,
    ],
    [
      "the alarm enrichment reads the key",
      ENRICHMENT_ROLE,
      ENRICHMENT,
      "secretsmanager:GetSecretValue",
      ALLOWED,
    ],
    [
      "the alarm enrichment writes the first key",
      ENRICHMENT_ROLE,
      ENRICHMENT,
      "secretsmanager:PutSecretValue",
      ALLOWED,
    ],
    [
      "an administrator allowed everything cannot read it",
      ADMIN,
      everything,
      "secretsmanager:GetSecretValue",
      EXPLICIT,
    ],
    [
      "an administrator cannot replace it",
      ADMIN,
      everything,
      "secretsmanager:PutSecretValue",
      EXPLICIT,
    ],
    [
      "an administrator still manages the secret (describe)",
      ADMIN,
      everything,
      "secretsmanager:DescribeSecret",
      ALLOWED,
    ],
    [
      "an administrator still manages the secret (delete)",
      ADMIN,
      everything,
      "secretsmanager:DeleteSecret",
      ALLOWED,
    ],
  ] as const)("%s", async (_name, principal, identity, action, expected) => {
    expect(
      await decide({
        principal,
        action,
        resource: SECRET,
        resourceAccount: ACCOUNT,
        resourcePolicy: SECRET_POLICY,
        identityPolicies: [identity],
        // AWS sets it on every request; the simulator needs it given.
        context: { "aws:PrincipalArn": principal },
      }),
    ).toBe(expected);
  });
});

describe("who may invoke the endpoint function", () => {
  // The function's resource policy as Lambda stores the aws_lambda_permission (AddPermission).
  const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:trailwatch-containment`;
  const [permission] = resourcesOf(json, "aws_lambda_permission").filter(
    (p) => p.principal === "apigateway.amazonaws.com",
  );
  const sourceArn = String(permission.source_arn).replace(
    /^\$\{aws_apigatewayv2_api\.[\w-]+\.execution_arn\}/,
    `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API}`,
  );
  const functionPolicy = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: permission.statement_id,
        Effect: "Allow",
        Principal: { Service: permission.principal },
        Action: permission.action,
        Resource: fn,
        Condition: { ArnLike: { "AWS:SourceArn": sourceArn } },
      },
    ],
  };
  test.each([
    [
      "API Gateway, for GET /contain of this API",
      "apigateway.amazonaws.com",
      `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API}/$default/GET/contain`,
      ALLOWED,
    ],
    [
      "API Gateway, for POST /contain of this API",
      "apigateway.amazonaws.com",
      `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API}/$default/POST/contain`,
      ALLOWED,
    ],
    [
      "API Gateway, for another route",
      "apigateway.amazonaws.com",
      `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API}/$default/GET/admin`,
      IMPLICIT,
    ],
    [
      "API Gateway, for another API",
      "apigateway.amazonaws.com",
      `arn:aws:execute-api:${REGION}:${ACCOUNT}:zzzzzzzzzz/$default/GET/contain`,
      IMPLICIT,
    ],
    [
      "API Gateway, for another account's API",
      "apigateway.amazonaws.com",
      `arn:aws:execute-api:${REGION}:${OTHER}:${API}/$default/GET/contain`,
      IMPLICIT,
    ],
  ] as const)("%s", async (_name, principal, source, expected) => {
    expect(
      await decide({
        principal,
        action: "lambda:InvokeFunction",
        resource: fn,
        resourceAccount: ACCOUNT,
        resourcePolicy: functionPolicy,
        context: { "aws:SourceArn": source },
      }),
    ).toBe(expected);
  });
  test("nobody invokes it directly, signed or not", async () => {
    for (const principal of [ANONYMOUS, `arn:aws:iam::${OTHER}:root`])
      expect(
        await decide({
          principal,
          action: "lambda:InvokeFunction",
          resource: fn,
          resourceAccount: ACCOUNT,
          resourcePolicy: functionPolicy,
        }),
      ).toBe(IMPLICIT);
  });
});
