/**
 * The security posture of every policy trailwatch deploys, proven with an IAM policy simulator
 * (@cloud-copilot/iam-simulate): each test asks one concrete question (principal, action,
 * resource, context keys) and checks the decision. The questions run against the policies as
 * synthesized into Terraform JSON (what is deployed) and as the constructs build them.
 *
 * Decisions: "Allowed"; "ExplicitlyDenied" (a Deny statement matched); "ImplicitlyDenied" (no
 * Allow applied). Questions are asked without SCPs or RCPs: the account's own guardrails can only
 * take permissions away, never add them.
 *
 * Simulator limits: questions with a kms:EncryptionContext:<key> take a workaround (see
 * support/simulate.ts); the EventBridge cross-region forwarding role: forwarder-policies.test.ts.
 */
import { accessLogBucketPolicy, archiveBucketPolicy } from "../src/constructs/log-archive";
import { alertTopicPolicy } from "../src/constructs/alert-topic";
import { trailKeyPolicy } from "../src/constructs/trail-key";
import { resolveNames } from "../src/names";
import { athenaNames } from "../src/athena/names";
import type { PolicyDocument, Statement } from "../src/policy";
import { build, config, resourcesOf, synthJson } from "./helpers";
import {
  ALLOWED,
  ANONYMOUS,
  decide,
  EXPLICIT,
  IMPLICIT,
  type Decision,
  type Question,
} from "./support/simulate";

const n = resolveNames(config());
const ACCOUNT = n.account;
const REGION = n.homeRegion;
const OTHER_ACCOUNT = "444455556666";

// Principals
const CLOUDTRAIL = "cloudtrail.amazonaws.com";
const S3_LOGGING = "logging.s3.amazonaws.com";
const CLOUDWATCH = "cloudwatch.amazonaws.com";
const EVENTS = "events.amazonaws.com";
const LOGS = `logs.${REGION}.amazonaws.com`;
const OUR_ADMIN = `arn:aws:iam::${ACCOUNT}:role/admin`;
const OUR_READER = `arn:aws:iam::${ACCOUNT}:role/log-reader`;
const THEIR_ADMIN = `arn:aws:iam::${OTHER_ACCOUNT}:role/admin`;
const THEIR_ROOT = `arn:aws:iam::${OTHER_ACCOUNT}:root`;

// Resources and source ARNs
const OTHER_TRAIL = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/someone-elses-trail`;
const THEIR_TRAIL = `arn:aws:cloudtrail:${REGION}:${OTHER_ACCOUNT}:trail/${n.trailName}`;
const LOG_FILE = (account: string) =>
  `${n.archiveBucketArn}/AWSLogs/${account}/CloudTrail/${REGION}/2026/01/31/` +
  `${account}_CloudTrail_${REGION}_20260131T0000Z_a1b2c3d4.json.gz`;
const DIGEST_FILE = `${n.archiveBucketArn}/AWSLogs/${ACCOUNT}/CloudTrail-Digest/${REGION}/2026/01/31/d.json.gz`;
const ACCESS_LOG_FILE = `${n.accessLogBucketArn}/${n.archiveBucket}/2026-01-31-00-00-00-A1B2C3D4E5F60718`;
// The key id is only known after apply; the key policy applies to whichever key it is attached to.
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/someone-else/app`;
const STREAM = `${n.logGroupArn}:log-stream:${ACCOUNT}_CloudTrail_${REGION}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/${n.trailName}-cloudtrail-to-logs`;
const OUR_ALARM = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:trailwatch-root-account-usage`;
const THEIR_ALARM = `arn:aws:cloudwatch:${REGION}:${OTHER_ACCOUNT}:alarm:trailwatch-root-account-usage`;
const OUR_RULE = `arn:aws:events:${REGION}:${ACCOUNT}:rule/trailwatch-console-login`;
const THEIR_RULE = `arn:aws:events:${REGION}:${OTHER_ACCOUNT}:rule/trailwatch-console-login`;

// Context keys
const TLS = { "aws:SecureTransport": "true" };
const NO_TLS = { "aws:SecureTransport": "false" };
const ACL = { "s3:x-amz-acl": "bucket-owner-full-control" };
const fromOurTrail = { "aws:SourceArn": n.trailArn, "aws:SourceAccount": ACCOUNT };
const trailContext = (trailArn: string) => ({
  "kms:EncryptionContext:aws:cloudtrail:arn": trailArn,
});
const logsContext = (logGroupArn: string) => ({
  "kms:EncryptionContext:aws:logs:arn": logGroupArn,
});

/** An identity policy granting `actions` on every resource (an administrator's, say). */
function identityAllowing(...actions: string[]) {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }],
  };
}

// ---------------------------------------------------------------------------------------------
// The policies: as synthesized (parsed from the Terraform JSON) and as the constructs build them.

interface DeployedPolicies {
  readonly archive: PolicyDocument;
  readonly accessLog: PolicyDocument;
  readonly key: PolicyDocument;
  readonly topic: PolicyDocument;
}

const json = synthJson(build().home);

function onlyOne<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected one ${what}, found ${items.length}`);
  return items[0];
}

function bucketPolicyOf(bucketName: string): PolicyDocument {
  const [id] = onlyOne(
    Object.entries(json.resource.aws_s3_bucket).filter(([, b]) => b.bucket === bucketName),
    `bucket ${bucketName}`,
  );
  const ref = `\${aws_s3_bucket.${id}.id}`;
  const p = onlyOne(
    resourcesOf(json, "aws_s3_bucket_policy").filter((r) => r.bucket === ref),
    `policy of ${bucketName}`,
  );
  return JSON.parse(p.policy);
}

const synthesized: DeployedPolicies = {
  archive: bucketPolicyOf(n.archiveBucket),
  accessLog: bucketPolicyOf(n.accessLogBucket),
  key: JSON.parse(onlyOne(resourcesOf(json, "aws_kms_key"), "KMS key").policy),
  topic: JSON.parse(onlyOne(resourcesOf(json, "aws_sns_topic_policy"), "topic policy").policy),
};

const built: DeployedPolicies = {
  archive: archiveBucketPolicy(n),
  // The example turns Athena on: its results bucket logs into the access-log bucket too.
  accessLog: accessLogBucketPolicy(n, [
    { role: "AthenaResults", bucket: athenaNames(config()).resultsBucket },
  ]),
  key: trailKeyPolicy(n),
  topic: alertTopicPolicy(n),
};

// The CloudTrail -> CloudWatch Logs role exists only in the stack: read both of its documents there.
const roleEntry = onlyOne(
  Object.entries(json.resource.aws_iam_role).filter(([, r]) => r.name === ROLE.split("/")[1]),
  "CloudTrail logs role",
);
const trustPolicy = JSON.parse(roleEntry[1].assume_role_policy);
const rolePermissions = JSON.parse(
  onlyOne(
    resourcesOf(json, "aws_iam_role_policy").filter(
      (p) => p.role === `\${aws_iam_role.${roleEntry[0]}.id}`,
    ),
    "policy of the CloudTrail logs role",
  ).policy,
);

test("the names are the example account's", () => {
  expect(ACCOUNT).toBe("111122223333");
  expect(REGION).toBe("ap-northeast-1");
  expect(n.trailArn).toBe("arn:aws:cloudtrail:ap-northeast-1:111122223333:trail/trailwatch");
});

test("the synthesized policies are exactly the documents the constructs build", () => {
  expect(synthesized).toEqual(built);
});

// ---------------------------------------------------------------------------------------------
// The questions, for one set of policies.

interface Case extends Question {
  readonly name: string;
  readonly expected: Decision;
}

type Ask = Omit<Case, "resourceAccount"> & { readonly resourceAccount?: string };
const ask = (c: Ask): Case => ({ resourceAccount: ACCOUNT, ...c });

function archiveCases(p: DeployedPolicies): Case[] {
  const on = (c: Omit<Ask, "resourcePolicy">) => ask({ ...c, resourcePolicy: p.archive });
  const cloudTrailPut = (
    name: string,
    resource: string,
    context: Record<string, string>,
    expected: Decision,
  ) => on({ name, principal: CLOUDTRAIL, action: "s3:PutObject", resource, context, expected });
  const cases: Case[] = [
    cloudTrailPut(
      "CloudTrail delivers this trail's log files under AWSLogs/<account>/",
      LOG_FILE(ACCOUNT),
      { ...fromOurTrail, ...ACL, ...TLS },
      ALLOWED,
    ),
    cloudTrailPut(
      "CloudTrail delivers this trail's digest files under AWSLogs/<account>/",
      DIGEST_FILE,
      { ...fromOurTrail, ...ACL, ...TLS },
      ALLOWED,
    ),
    on({
      name: "CloudTrail checks the bucket ACL for this trail",
      principal: CLOUDTRAIL,
      action: "s3:GetBucketAcl",
      resource: n.archiveBucketArn,
      context: { ...fromOurTrail, ...TLS },
      expected: ALLOWED,
    }),
    cloudTrailPut(
      "CloudTrail acting for another trail of this account may not write",
      LOG_FILE(ACCOUNT),
      {
        "aws:SourceArn": OTHER_TRAIL,
        "aws:SourceAccount": ACCOUNT,
        ...ACL,
        ...TLS,
      },
      IMPLICIT,
    ),
    cloudTrailPut(
      "CloudTrail acting for another account's trail may not write",
      LOG_FILE(OTHER_ACCOUNT),
      {
        "aws:SourceArn": THEIR_TRAIL,
        "aws:SourceAccount": OTHER_ACCOUNT,
        ...ACL,
        ...TLS,
      },
      IMPLICIT,
    ),
    cloudTrailPut(
      "CloudTrail may not write under another account's AWSLogs/ prefix",
      LOG_FILE(OTHER_ACCOUNT),
      { ...fromOurTrail, ...ACL, ...TLS },
      IMPLICIT,
    ),
    cloudTrailPut(
      "CloudTrail may not write outside AWSLogs/<account>/",
      `${n.archiveBucketArn}/elsewhere/file.json.gz`,
      {
        ...fromOurTrail,
        ...ACL,
        ...TLS,
      },
      IMPLICIT,
    ),
    cloudTrailPut(
      "CloudTrail may not write without granting the bucket owner full control",
      LOG_FILE(ACCOUNT),
      { ...fromOurTrail, ...TLS },
      IMPLICIT,
    ),
    cloudTrailPut(
      "CloudTrail may not write a public-read object",
      LOG_FILE(ACCOUNT),
      {
        ...fromOurTrail,
        ...TLS,
        "s3:x-amz-acl": "public-read",
      },
      IMPLICIT,
    ),
    cloudTrailPut(
      "CloudTrail without TLS is denied explicitly",
      LOG_FILE(ACCOUNT),
      { ...fromOurTrail, ...ACL, ...NO_TLS },
      EXPLICIT,
    ),
    on({
      name: "CloudTrail acting for another trail may not check the ACL",
      principal: CLOUDTRAIL,
      action: "s3:GetBucketAcl",
      resource: n.archiveBucketArn,
      context: { "aws:SourceArn": THEIR_TRAIL, "aws:SourceAccount": OTHER_ACCOUNT, ...TLS },
      expected: IMPLICIT,
    }),
    on({
      name: "another service (S3 access logging) may not write log files",
      principal: S3_LOGGING,
      action: "s3:PutObject",
      resource: LOG_FILE(ACCOUNT),
      context: { "aws:SourceArn": n.archiveBucketArn, "aws:SourceAccount": ACCOUNT, ...TLS },
      expected: IMPLICIT,
    }),
    on({
      name: "the account's admin (identity policy s3:*) is denied without TLS: GetObject",
      principal: OUR_ADMIN,
      action: "s3:GetObject",
      resource: LOG_FILE(ACCOUNT),
      context: NO_TLS,
      identityPolicies: [identityAllowing("s3:*")],
      expected: EXPLICIT,
    }),
    on({
      name: "the account's admin (identity policy s3:*) is denied without TLS: ListBucket",
      principal: OUR_ADMIN,
      action: "s3:ListBucket",
      resource: n.archiveBucketArn,
      context: NO_TLS,
      identityPolicies: [identityAllowing("s3:*")],
      expected: EXPLICIT,
    }),
    on({
      name: "the account's admin (identity policy s3:*) is denied without TLS: DeleteObject",
      principal: OUR_ADMIN,
      action: "s3:DeleteObject",
      resource: LOG_FILE(ACCOUNT),
      context: NO_TLS,
      identityPolicies: [identityAllowing("s3:*")],
      expected: EXPLICIT,
    }),
    on({
      name: "the account's admin with TLS reads log files through its identity policy",
      principal: OUR_ADMIN,
      action: "s3:GetObject",
      resource: LOG_FILE(ACCOUNT),
      context: TLS,
      identityPolicies: [identityAllowing("s3:*")],
      expected: ALLOWED,
    }),
    on({
      name: "a principal of the account without an identity policy gets nothing from the bucket policy",
      principal: OUR_READER,
      action: "s3:GetObject",
      resource: LOG_FILE(ACCOUNT),
      context: TLS,
      expected: IMPLICIT,
    }),
    on({
      name: "another account's admin (identity policy s3:*) may not read log files",
      principal: THEIR_ADMIN,
      action: "s3:GetObject",
      resource: LOG_FILE(ACCOUNT),
      context: TLS,
      identityPolicies: [identityAllowing("s3:*")],
      expected: IMPLICIT,
    }),
    on({
      name: "another account's admin may not list the bucket",
      principal: THEIR_ADMIN,
      action: "s3:ListBucket",
      resource: n.archiveBucketArn,
      context: TLS,
      identityPolicies: [identityAllowing("s3:*")],
      expected: IMPLICIT,
    }),
    on({
      name: "an anonymous caller may not read log files",
      principal: ANONYMOUS,
      action: "s3:GetObject",
      resource: LOG_FILE(ACCOUNT),
      context: TLS,
      expected: IMPLICIT,
    }),
    on({
      name: "an anonymous caller may not write under AWSLogs/<account>/",
      principal: ANONYMOUS,
      action: "s3:PutObject",
      resource: LOG_FILE(ACCOUNT),
      context: { ...ACL, ...TLS },
      expected: IMPLICIT,
    }),
    on({
      name: "an anonymous caller may not list the bucket",
      principal: ANONYMOUS,
      action: "s3:ListBucket",
      resource: n.archiveBucketArn,
      context: TLS,
      expected: IMPLICIT,
    }),
    on({
      name: "an anonymous caller without TLS is denied explicitly",
      principal: ANONYMOUS,
      action: "s3:GetObject",
      resource: LOG_FILE(ACCOUNT),
      context: NO_TLS,
      expected: EXPLICIT,
    }),
  ];
  const ourAdmin = (name: string, action: string, resource: string, expected: Decision) =>
    ask({
      name,
      principal: OUR_ADMIN,
      action,
      resource,
      resourcePolicy: p.archive,
      identityPolicies: [identityAllowing("s3:*")],
      context: TLS,
      expected,
    });
  return [
    ...cases,
    // DenyLogDeletion: even the account's own administrators cannot delete log file versions;
    // they must change the bucket policy first, which the watcher detection reports.
    ourAdmin(
      "the account's admin (s3:*) may not delete a log file",
      "s3:DeleteObject",
      LOG_FILE(ACCOUNT),
      EXPLICIT,
    ),
    ourAdmin(
      "the account's admin (s3:*) may not delete a log file version",
      "s3:DeleteObjectVersion",
      LOG_FILE(ACCOUNT),
      EXPLICIT,
    ),
    ourAdmin(
      "the account's admin (s3:*) may not delete a digest file",
      "s3:DeleteObject",
      DIGEST_FILE,
      EXPLICIT,
    ),
    ourAdmin(
      "the account's admin (s3:*) may still manage the bucket policy (Terraform needs it)",
      "s3:PutBucketPolicy",
      n.archiveBucketArn,
      ALLOWED,
    ),
    ...destructiveCases(p.archive, n.archiveBucketArn, LOG_FILE(ACCOUNT), true),
  ];
}

/** Nobody gets a destructive action through a bucket policy: services, anonymous, other accounts. */
function destructiveCases(
  policy: PolicyDocument,
  bucketArn: string,
  objectArn: string,
  deletionDenied = false,
): Case[] {
  const callers: [string, string, Pick<Question, "identityPolicies" | "context">][] = [
    ["CloudTrail for this trail", CLOUDTRAIL, { context: { ...fromOurTrail, ...TLS } }],
    [
      "S3 access logging for the archive",
      S3_LOGGING,
      { context: { "aws:SourceArn": n.archiveBucketArn, "aws:SourceAccount": ACCOUNT, ...TLS } },
    ],
    ["an anonymous caller", ANONYMOUS, { context: TLS }],
    [
      "another account's admin (identity policy s3:*)",
      THEIR_ADMIN,
      { context: TLS, identityPolicies: [identityAllowing("s3:*")] },
    ],
    ["another account's root", THEIR_ROOT, { context: TLS }],
  ];
  const actions: [string, string][] = [
    ["s3:DeleteObject", objectArn],
    ["s3:DeleteObjectVersion", objectArn],
    ["s3:PutBucketPolicy", bucketArn],
    ["s3:DeleteBucketPolicy", bucketArn],
    ["s3:PutLifecycleConfiguration", bucketArn],
    ["s3:DeleteBucket", bucketArn],
  ];
  return callers.flatMap(([who, principal, extra]) =>
    actions.map(([action, resource]) =>
      ask({
        name: `${who}: no ${action} through the bucket policy`,
        principal,
        action,
        resource,
        resourcePolicy: policy,
        ...extra,
        expected: deletionDenied && resource === objectArn ? EXPLICIT : IMPLICIT,
      }),
    ),
  );
}

function accessLogCases(p: DeployedPolicies): Case[] {
  const put = (
    name: string,
    resource: string,
    context: Record<string, string>,
    expected: Decision,
  ) =>
    ask({
      name,
      principal: S3_LOGGING,
      action: "s3:PutObject",
      resource,
      context,
      resourcePolicy: p.accessLog,
      expected,
    });
  const fromArchive = { "aws:SourceArn": n.archiveBucketArn, "aws:SourceAccount": ACCOUNT };
  return [
    put(
      "S3 logging delivers the archive's access logs under its prefix",
      ACCESS_LOG_FILE,
      { ...fromArchive, ...TLS },
      ALLOWED,
    ),
    put(
      "S3 logging for another bucket may not write",
      ACCESS_LOG_FILE,
      { "aws:SourceArn": "arn:aws:s3:::some-other-bucket", "aws:SourceAccount": ACCOUNT, ...TLS },
      IMPLICIT,
    ),
    put(
      "S3 logging for the archive's name in another account may not write",
      ACCESS_LOG_FILE,
      { "aws:SourceArn": n.archiveBucketArn, "aws:SourceAccount": OTHER_ACCOUNT, ...TLS },
      IMPLICIT,
    ),
    put(
      "S3 logging may not write outside the archive's prefix",
      `${n.accessLogBucketArn}/other-prefix/2026-01-31-00-00-00-A1B2C3D4E5F60718`,
      { ...fromArchive, ...TLS },
      IMPLICIT,
    ),
    put(
      "S3 logging without TLS is denied explicitly",
      ACCESS_LOG_FILE,
      { ...fromArchive, ...NO_TLS },
      EXPLICIT,
    ),
    ask({
      name: "CloudTrail may not write into the access-log bucket",
      principal: CLOUDTRAIL,
      action: "s3:PutObject",
      resource: ACCESS_LOG_FILE,
      context: { ...fromOurTrail, ...ACL, ...TLS },
      resourcePolicy: p.accessLog,
      expected: IMPLICIT,
    }),
    ask({
      name: "an anonymous caller may not read access logs",
      principal: ANONYMOUS,
      action: "s3:GetObject",
      resource: ACCESS_LOG_FILE,
      context: TLS,
      resourcePolicy: p.accessLog,
      expected: IMPLICIT,
    }),
    ask({
      name: "the account's admin (identity policy s3:*) is denied without TLS",
      principal: OUR_ADMIN,
      action: "s3:GetObject",
      resource: ACCESS_LOG_FILE,
      context: NO_TLS,
      identityPolicies: [identityAllowing("s3:*")],
      resourcePolicy: p.accessLog,
      expected: EXPLICIT,
    }),
    ...destructiveCases(p.accessLog, n.accessLogBucketArn, ACCESS_LOG_FILE),
  ];
}

function keyCases(p: DeployedPolicies): Case[] {
  const on = (c: Omit<Ask, "resourcePolicy" | "resource">) =>
    ask({ ...c, resource: KEY, resourcePolicy: p.key });
  const cases: Case[] = [
    on({
      name: "CloudTrail generates data keys for this trail's log files",
      principal: CLOUDTRAIL,
      action: "kms:GenerateDataKey",
      context: { ...fromOurTrail, ...trailContext(n.trailArn) },
      expected: ALLOWED,
    }),
    on({
      name: "CloudTrail (this trail) may not generate data keys with another account's trail context",
      principal: CLOUDTRAIL,
      action: "kms:GenerateDataKey",
      context: { ...fromOurTrail, ...trailContext(THEIR_TRAIL) },
      expected: IMPLICIT,
    }),
    on({
      name: "CloudTrail acting for another account's trail may not generate data keys",
      principal: CLOUDTRAIL,
      action: "kms:GenerateDataKey",
      context: {
        "aws:SourceArn": THEIR_TRAIL,
        "aws:SourceAccount": OTHER_ACCOUNT,
        ...trailContext(THEIR_TRAIL),
      },
      expected: IMPLICIT,
    }),
    on({
      name: "CloudTrail acting for another trail of this account may not generate data keys",
      principal: CLOUDTRAIL,
      action: "kms:GenerateDataKey",
      context: {
        "aws:SourceArn": OTHER_TRAIL,
        "aws:SourceAccount": ACCOUNT,
        ...trailContext(OTHER_TRAIL),
      },
      expected: IMPLICIT,
    }),
    on({
      name: "CloudTrail may not generate data keys without an encryption context",
      principal: CLOUDTRAIL,
      action: "kms:GenerateDataKey",
      context: fromOurTrail,
      expected: IMPLICIT,
    }),
    on({
      name: "CloudTrail may describe the key for this trail",
      principal: CLOUDTRAIL,
      action: "kms:DescribeKey",
      context: fromOurTrail,
      expected: ALLOWED,
    }),
    on({
      name: "CloudTrail acting for another account's trail may not describe the key",
      principal: CLOUDTRAIL,
      action: "kms:DescribeKey",
      context: { "aws:SourceArn": THEIR_TRAIL, "aws:SourceAccount": OTHER_ACCOUNT },
      expected: IMPLICIT,
    }),
    on({
      name: "CloudTrail may not decrypt",
      principal: CLOUDTRAIL,
      action: "kms:Decrypt",
      context: { ...fromOurTrail, ...trailContext(n.trailArn) },
      expected: IMPLICIT,
    }),
    on({
      name: "another account's principal (identity policy kms:*) may not decrypt log files",
      principal: THEIR_ADMIN,
      action: "kms:Decrypt",
      context: { ...trailContext(n.trailArn), "kms:CallerAccount": OTHER_ACCOUNT },
      identityPolicies: [identityAllowing("kms:*")],
      expected: IMPLICIT,
    }),
    on({
      name: "another account's root may not decrypt log files",
      principal: THEIR_ROOT,
      action: "kms:Decrypt",
      context: { ...trailContext(n.trailArn), "kms:CallerAccount": OTHER_ACCOUNT },
      expected: IMPLICIT,
    }),
    on({
      name: "another account's principal (identity policy kms:*) may not generate data keys",
      principal: THEIR_ADMIN,
      action: "kms:GenerateDataKey",
      context: { ...trailContext(THEIR_TRAIL), "kms:CallerAccount": OTHER_ACCOUNT },
      identityPolicies: [identityAllowing("kms:*")],
      expected: IMPLICIT,
    }),
    on({
      name: "another account's principal (identity policy kms:*) may not schedule key deletion",
      principal: THEIR_ADMIN,
      action: "kms:ScheduleKeyDeletion",
      context: { "kms:CallerAccount": OTHER_ACCOUNT },
      identityPolicies: [identityAllowing("kms:*")],
      expected: IMPLICIT,
    }),
    // Same account: the key policy lets the account root delegate to IAM (EnableIamPolicies), so
    // the caller's identity policy decides wherever the key policy does not grant by itself.
    on({
      name: "an account principal with kms:Decrypt in its identity policy decrypts trail log files",
      principal: OUR_READER,
      action: "kms:Decrypt",
      context: { ...trailContext(n.trailArn), "kms:CallerAccount": ACCOUNT },
      identityPolicies: [identityAllowing("kms:Decrypt")],
      expected: ALLOWED,
    }),
    on({
      // AccountDecryptLogFiles names Principal AWS "*" (+ kms:CallerAccount): in the same account
      // that statement alone is a grant, so no IAM policy is needed, contrary to its comment in
      // trail-key.ts ("Readers still need kms:Decrypt in their own IAM policy"). Reading a log
      // file still needs s3:GetObject from IAM, which the bucket policy never grants.
      // The key delegates to IAM: without an identity policy nobody in the account decrypts.
      name: "an account principal without an identity policy may not decrypt trail log files",
      principal: OUR_READER,
      action: "kms:Decrypt",
      context: { ...trailContext(n.trailArn), "kms:CallerAccount": ACCOUNT },
      expected: IMPLICIT,
    }),
    on({
      name: "an account principal with kms:Decrypt in its identity policy decrypts trail log files",
      principal: OUR_READER,
      action: "kms:Decrypt",
      context: { ...trailContext(n.trailArn), "kms:CallerAccount": ACCOUNT },
      identityPolicies: [identityAllowing("kms:Decrypt")],
      expected: ALLOWED,
    }),
    on({
      name: "an account principal without an identity policy may not decrypt other data",
      principal: OUR_READER,
      action: "kms:Decrypt",
      context: { ...logsContext(n.logGroupArn), "kms:CallerAccount": ACCOUNT },
      expected: IMPLICIT,
    }),
    on({
      name: "an account principal without an identity policy may not encrypt",
      principal: OUR_READER,
      action: "kms:Encrypt",
      context: { ...trailContext(n.trailArn), "kms:CallerAccount": ACCOUNT },
      expected: IMPLICIT,
    }),
    on({
      name: "an account principal without an identity policy may not schedule key deletion",
      principal: OUR_READER,
      action: "kms:ScheduleKeyDeletion",
      context: { "kms:CallerAccount": ACCOUNT },
      expected: IMPLICIT,
    }),
    on({
      name: "an account admin with kms:* in its identity policy may schedule key deletion (IAM decides)",
      principal: OUR_ADMIN,
      action: "kms:ScheduleKeyDeletion",
      context: { "kms:CallerAccount": ACCOUNT },
      identityPolicies: [identityAllowing("kms:*")],
      expected: ALLOWED,
    }),
    ...(["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"] as const).flatMap((action) => [
      on({
        name: `CloudWatch Logs may ${action} for the trail's log group`,
        principal: LOGS,
        action,
        context: logsContext(n.logGroupArn),
        expected: ALLOWED,
      }),
      on({
        name: `CloudWatch Logs may not ${action} for another log group`,
        principal: LOGS,
        action,
        context: logsContext(OTHER_LOG_GROUP),
        expected: IMPLICIT,
      }),
    ]),
    on({
      name: "CloudWatch Logs may not decrypt without a log-group encryption context",
      principal: LOGS,
      action: "kms:Decrypt",
      context: trailContext(n.trailArn),
      expected: IMPLICIT,
    }),
    on({
      name: "CloudWatch Logs of another region may not use the key",
      principal: "logs.us-east-1.amazonaws.com",
      action: "kms:GenerateDataKey",
      context: logsContext(`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${n.logGroupName}`),
      expected: IMPLICIT,
    }),
    on({
      name: "CloudWatch Logs may generate data keys for a trailwatch function's log group",
      principal: LOGS,
      action: "kms:GenerateDataKey",
      context: logsContext(
        `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${n.resourcePrefix}alert-enrichment`,
      ),
      expected: ALLOWED,
    }),
    on({
      name: "CloudWatch Logs may not use the key for another function's log group",
      principal: LOGS,
      action: "kms:GenerateDataKey",
      context: logsContext(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/other-app`),
      expected: IMPLICIT,
    }),
    on({
      name: "CloudWatch Logs may not use the key for a trailwatch-named log group outside /aws/lambda/",
      principal: LOGS,
      action: "kms:GenerateDataKey",
      context: logsContext(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/${n.resourcePrefix}x`),
      expected: IMPLICIT,
    }),
    on({
      name: "CloudWatch alarms of this account may generate data keys for the encrypted topic",
      principal: CLOUDWATCH,
      action: "kms:GenerateDataKey",
      context: {
        "aws:SourceArn": OUR_ALARM,
        "aws:SourceAccount": ACCOUNT,
        "kms:EncryptionContext:aws:sns:topicArn": n.alertTopicArn,
      },
      expected: ALLOWED,
    }),
    on({
      name: "CloudWatch alarms of another account may not use the key",
      principal: CLOUDWATCH,
      action: "kms:GenerateDataKey",
      context: { "aws:SourceArn": THEIR_ALARM, "aws:SourceAccount": OTHER_ACCOUNT },
      expected: IMPLICIT,
    }),
    on({
      name: "EventBridge may generate data keys for the encrypted alert topic",
      principal: EVENTS,
      action: "kms:GenerateDataKey",
      context: { "kms:EncryptionContext:aws:sns:topicArn": n.alertTopicArn },
      expected: ALLOWED,
    }),
    on({
      // EventBridge's KMS requests carry no source keys; SNS's encryption context pins the topic.
      name: "EventBridge may not use the key for another topic",
      principal: EVENTS,
      action: "kms:GenerateDataKey",
      context: {
        "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:ap-northeast-1:${OTHER_ACCOUNT}:their-topic`,
      },
      expected: IMPLICIT,
    }),
    on({
      name: "EventBridge may not schedule key deletion",
      principal: EVENTS,
      action: "kms:ScheduleKeyDeletion",
      expected: IMPLICIT,
    }),
  ];
  return cases;
}

function topicCases(p: DeployedPolicies): Case[] {
  const publish = (
    name: string,
    principal: string,
    context: Record<string, string>,
    expected: Decision,
    identityPolicies?: unknown[],
  ) =>
    ask({
      name,
      principal,
      action: "sns:Publish",
      resource: n.alertTopicArn,
      context,
      resourcePolicy: p.topic,
      identityPolicies,
      expected,
    });
  return [
    publish(
      "a CloudWatch alarm of this account in the home region may publish",
      CLOUDWATCH,
      { "aws:SourceArn": OUR_ALARM, "aws:SourceAccount": ACCOUNT, ...TLS },
      ALLOWED,
    ),
    publish(
      "a CloudWatch alarm of another account may not publish",
      CLOUDWATCH,
      { "aws:SourceArn": THEIR_ALARM, "aws:SourceAccount": OTHER_ACCOUNT, ...TLS },
      IMPLICIT,
    ),
    publish(
      "an alarm ARN of another account may not publish even with our SourceAccount",
      CLOUDWATCH,
      { "aws:SourceArn": THEIR_ALARM, "aws:SourceAccount": ACCOUNT, ...TLS },
      IMPLICIT,
    ),
    publish(
      "a CloudWatch alarm of this account in another region may not publish",
      CLOUDWATCH,
      {
        "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:x`,
        "aws:SourceAccount": ACCOUNT,
        ...TLS,
      },
      IMPLICIT,
    ),
    publish("CloudWatch without source keys may not publish", CLOUDWATCH, TLS, IMPLICIT),
    publish(
      "an EventBridge rule of this account may publish",
      EVENTS,
      { "aws:SourceArn": OUR_RULE, "aws:SourceAccount": ACCOUNT, ...TLS },
      ALLOWED,
    ),
    publish(
      "an EventBridge rule of another account may not publish",
      EVENTS,
      { "aws:SourceArn": THEIR_RULE, "aws:SourceAccount": OTHER_ACCOUNT, ...TLS },
      IMPLICIT,
    ),
    publish(
      "EventBridge may not publish for a CloudWatch alarm ARN",
      EVENTS,
      { "aws:SourceArn": OUR_ALARM, "aws:SourceAccount": ACCOUNT, ...TLS },
      IMPLICIT,
    ),
    publish(
      "a CloudWatch alarm of this account without TLS is denied explicitly",
      CLOUDWATCH,
      { "aws:SourceArn": OUR_ALARM, "aws:SourceAccount": ACCOUNT, ...NO_TLS },
      EXPLICIT,
    ),
    publish(
      "the account's admin (identity policy sns:*) without TLS is denied explicitly",
      OUR_ADMIN,
      NO_TLS,
      EXPLICIT,
      [identityAllowing("sns:*")],
    ),
    publish(
      "another account's admin (identity policy sns:*) may not publish",
      THEIR_ADMIN,
      TLS,
      IMPLICIT,
      [identityAllowing("sns:*")],
    ),
    publish("an anonymous caller may not publish", ANONYMOUS, TLS, IMPLICIT),
    publish(
      "another service (S3) may not publish",
      "s3.amazonaws.com",
      { "aws:SourceArn": n.archiveBucketArn, "aws:SourceAccount": ACCOUNT, ...TLS },
      IMPLICIT,
    ),
    ask({
      name: "CloudWatch alarms may not change the topic policy",
      principal: CLOUDWATCH,
      action: "sns:SetTopicAttributes",
      resource: n.alertTopicArn,
      context: { "aws:SourceArn": OUR_ALARM, "aws:SourceAccount": ACCOUNT, ...TLS },
      resourcePolicy: p.topic,
      expected: IMPLICIT,
    }),
    ask({
      name: "EventBridge may not subscribe to the topic",
      principal: EVENTS,
      action: "sns:Subscribe",
      resource: n.alertTopicArn,
      context: { "aws:SourceArn": OUR_RULE, "aws:SourceAccount": ACCOUNT, ...TLS },
      resourcePolicy: p.topic,
      expected: IMPLICIT,
    }),
  ];
}

function roleCases(): Case[] {
  const assume = (
    name: string,
    principal: string,
    context: Record<string, string>,
    expected: Decision,
  ) =>
    ask({
      name,
      principal,
      action: "sts:AssumeRole",
      resource: ROLE,
      context,
      resourcePolicy: trustPolicy,
      expected,
    });
  const asRole = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE.split("/")[1]}/CloudTrail`;
  const write = (name: string, action: string, resource: string, expected: Decision) =>
    ask({
      name,
      principal: asRole,
      action,
      resource,
      identityPolicies: [rolePermissions],
      expected,
    });
  return [
    assume("CloudTrail for this trail may assume the role", CLOUDTRAIL, fromOurTrail, ALLOWED),
    assume(
      "CloudTrail for another trail of this account may not assume the role",
      CLOUDTRAIL,
      { "aws:SourceArn": OTHER_TRAIL, "aws:SourceAccount": ACCOUNT },
      IMPLICIT,
    ),
    assume(
      "CloudTrail for another account's trail may not assume the role",
      CLOUDTRAIL,
      { "aws:SourceArn": THEIR_TRAIL, "aws:SourceAccount": OTHER_ACCOUNT },
      IMPLICIT,
    ),
    assume(
      "CloudTrail with this trail's ARN but another SourceAccount may not assume the role",
      CLOUDTRAIL,
      { "aws:SourceArn": n.trailArn, "aws:SourceAccount": OTHER_ACCOUNT },
      IMPLICIT,
    ),
    assume("CloudTrail without source keys may not assume the role", CLOUDTRAIL, {}, IMPLICIT),
    assume("EC2 may not assume the role", "ec2.amazonaws.com", fromOurTrail, IMPLICIT),
    assume("Lambda may not assume the role", "lambda.amazonaws.com", fromOurTrail, IMPLICIT),
    ask({
      name: "the account's admin (identity policy sts:AssumeRole on *) may not assume the role",
      principal: OUR_ADMIN,
      action: "sts:AssumeRole",
      resource: ROLE,
      identityPolicies: [identityAllowing("sts:AssumeRole")],
      resourcePolicy: trustPolicy,
      expected: IMPLICIT,
    }),
    ask({
      name: "another account's admin may not assume the role",
      principal: THEIR_ADMIN,
      action: "sts:AssumeRole",
      resource: ROLE,
      identityPolicies: [identityAllowing("sts:AssumeRole")],
      resourcePolicy: trustPolicy,
      expected: IMPLICIT,
    }),
    write(
      "the role may create log streams in /trailwatch/cloudtrail",
      "logs:CreateLogStream",
      STREAM,
      ALLOWED,
    ),
    write(
      "the role may put log events into /trailwatch/cloudtrail",
      "logs:PutLogEvents",
      STREAM,
      ALLOWED,
    ),
    write(
      "the role may not put log events into another log group",
      "logs:PutLogEvents",
      `${OTHER_LOG_GROUP}:log-stream:x`,
      IMPLICIT,
    ),
    write(
      "the role may not create log streams in another log group",
      "logs:CreateLogStream",
      `${OTHER_LOG_GROUP}:log-stream:x`,
      IMPLICIT,
    ),
    write("the role may not delete the log group", "logs:DeleteLogGroup", n.logGroupArn, IMPLICIT),
    write("the role may not delete log streams", "logs:DeleteLogStream", STREAM, IMPLICIT),
    write("the role may not change retention", "logs:PutRetentionPolicy", n.logGroupArn, IMPLICIT),
    write("the role may not read log events", "logs:GetLogEvents", STREAM, IMPLICIT),
    write("the role may not create log groups", "logs:CreateLogGroup", OTHER_LOG_GROUP, IMPLICIT),
    write("the role may not write to S3", "s3:PutObject", LOG_FILE(ACCOUNT), IMPLICIT),
  ];
}

// ---------------------------------------------------------------------------------------------

const sources: [string, DeployedPolicies][] = [
  ["as synthesized", synthesized],
  ["as built by the constructs", built],
];

describe.each(sources)("policies %s", (_source, p) => {
  describe("log archive bucket", () => {
    test.each(archiveCases(p))("$name", async (c) => {
      expect(await decide(c)).toBe(c.expected);
    });
  });
  describe("access-log bucket", () => {
    test.each(accessLogCases(p))("$name", async (c) => {
      expect(await decide(c)).toBe(c.expected);
    });
  });
  describe("trail KMS key", () => {
    test.each(keyCases(p))("$name", async (c) => {
      expect(await decide(c)).toBe(c.expected);
    });
  });
  describe("alert topic", () => {
    test.each(topicCases(p))("$name", async (c) => {
      expect(await decide(c)).toBe(c.expected);
    });
  });
});

describe("CloudTrail -> CloudWatch Logs role (as synthesized)", () => {
  test.each(roleCases())("$name", async (c) => {
    expect(await decide(c)).toBe(c.expected);
  });
});

// ---------------------------------------------------------------------------------------------
// Regression guard: the same questions against deliberately weakened policies must flip to
// Allowed. If they did not, the questions above could never fail.

function mutate(
  doc: PolicyDocument,
  sid: string,
  change: (s: Statement) => Statement,
): PolicyDocument {
  expect(doc.Statement.map((s) => s.Sid)).toContain(sid);
  return {
    ...doc,
    Statement: doc.Statement.map((s) => (s.Sid === sid ? change(structuredClone(s)) : s)),
  };
}

function withoutCondition(s: Statement, operator: string, key: string): Statement {
  const condition = structuredClone(s.Condition ?? {});
  expect(condition[operator]).toHaveProperty([key]);
  delete condition[operator][key];
  if (Object.keys(condition[operator]).length === 0) delete condition[operator];
  return { ...s, Condition: condition };
}

describe("regression guard: weakened policies let the forbidden requests through", () => {
  const forbiddenPut: Question = {
    principal: CLOUDTRAIL,
    action: "s3:PutObject",
    resource: LOG_FILE(ACCOUNT),
    resourceAccount: ACCOUNT,
    context: { "aws:SourceArn": OTHER_TRAIL, "aws:SourceAccount": ACCOUNT, ...ACL, ...TLS },
  };

  test("archive bucket without aws:SourceArn on CloudTrailWrite: another trail may write", async () => {
    const weakened = mutate(synthesized.archive, "CloudTrailWrite", (s) =>
      withoutCondition(s, "StringEquals", "aws:SourceArn"),
    );
    expect(await decide({ ...forbiddenPut, resourcePolicy: synthesized.archive })).toBe(IMPLICIT);
    expect(await decide({ ...forbiddenPut, resourcePolicy: weakened })).toBe(ALLOWED);
  });

  test('archive bucket with Principal "*" on CloudTrailWrite: an anonymous caller may write', async () => {
    const weakened = mutate(synthesized.archive, "CloudTrailWrite", (s) => ({
      ...withoutCondition(s, "StringEquals", "aws:SourceArn"),
      Principal: "*",
    }));
    const anonymousPut: Question = {
      ...forbiddenPut,
      principal: ANONYMOUS,
      context: { ...ACL, ...TLS },
    };
    expect(await decide({ ...anonymousPut, resourcePolicy: synthesized.archive })).toBe(IMPLICIT);
    expect(await decide({ ...anonymousPut, resourcePolicy: weakened })).toBe(ALLOWED);
  });

  test("archive bucket without DenyInsecureTransport: the admin may read without TLS", async () => {
    const weakened: PolicyDocument = {
      ...synthesized.archive,
      Statement: synthesized.archive.Statement.filter((s) => s.Sid !== "DenyInsecureTransport"),
    };
    const insecureRead: Question = {
      principal: OUR_ADMIN,
      action: "s3:GetObject",
      resource: LOG_FILE(ACCOUNT),
      resourceAccount: ACCOUNT,
      context: NO_TLS,
      identityPolicies: [identityAllowing("s3:*")],
    };
    expect(await decide({ ...insecureRead, resourcePolicy: synthesized.archive })).toBe(EXPLICIT);
    expect(await decide({ ...insecureRead, resourcePolicy: weakened })).toBe(ALLOWED);
  });

  test("archive bucket without DenyLogDeletion (archive.denyLogDeletion: false): the admin may delete", async () => {
    const unguarded = archiveBucketPolicy(n, false);
    expect(unguarded.Statement.map((s) => s.Sid)).not.toContain("DenyLogDeletion");
    const deletion: Question = {
      principal: OUR_ADMIN,
      action: "s3:DeleteObjectVersion",
      resource: LOG_FILE(ACCOUNT),
      resourceAccount: ACCOUNT,
      context: TLS,
      identityPolicies: [identityAllowing("s3:*")],
    };
    expect(await decide({ ...deletion, resourcePolicy: synthesized.archive })).toBe(EXPLICIT);
    expect(await decide({ ...deletion, resourcePolicy: unguarded })).toBe(ALLOWED);
  });

  test("key policy without the log-group context condition: another log group may use the key", async () => {
    const weakened = mutate(synthesized.key, "CloudWatchLogsUseKeyForTrailLogGroup", (s) =>
      withoutCondition(s, "ArnEquals", "kms:EncryptionContext:aws:logs:arn"),
    );
    const q: Question = {
      principal: LOGS,
      action: "kms:Decrypt",
      resource: KEY,
      resourceAccount: ACCOUNT,
      context: logsContext(OTHER_LOG_GROUP),
    };
    expect(await decide({ ...q, resourcePolicy: synthesized.key })).toBe(IMPLICIT);
    expect(await decide({ ...q, resourcePolicy: weakened })).toBe(ALLOWED);
  });

  test("key policy with a wildcard trail context: another account's trail context is accepted", async () => {
    const weakened = mutate(synthesized.key, "CloudTrailEncryptLogs", (s) => ({
      ...s,
      Condition: {
        ...s.Condition,
        StringLike: {
          "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:*:trail/*",
        },
      },
    }));
    const q: Question = {
      principal: CLOUDTRAIL,
      action: "kms:GenerateDataKey",
      resource: KEY,
      resourceAccount: ACCOUNT,
      context: { ...fromOurTrail, ...trailContext(THEIR_TRAIL) },
    };
    expect(await decide({ ...q, resourcePolicy: synthesized.key })).toBe(IMPLICIT);
    expect(await decide({ ...q, resourcePolicy: weakened })).toBe(ALLOWED);
  });

  test("topic policy without aws:SourceAccount/SourceArn: another account's alarm may publish", async () => {
    const weakened = mutate(synthesized.topic, "CloudWatchAlarmsOfThisAccount", (s) => {
      const { Condition: _dropped, ...rest } = s;
      return rest;
    });
    const q: Question = {
      principal: CLOUDWATCH,
      action: "sns:Publish",
      resource: n.alertTopicArn,
      resourceAccount: ACCOUNT,
      context: { "aws:SourceArn": THEIR_ALARM, "aws:SourceAccount": OTHER_ACCOUNT, ...TLS },
    };
    expect(await decide({ ...q, resourcePolicy: synthesized.topic })).toBe(IMPLICIT);
    expect(await decide({ ...q, resourcePolicy: weakened })).toBe(ALLOWED);
  });

  test("trust policy without conditions: CloudTrail for another account's trail may assume", async () => {
    const weakened = {
      ...trustPolicy,
      Statement: trustPolicy.Statement.map(({ Condition: _dropped, ...s }: Statement) => s),
    };
    const q: Question = {
      principal: CLOUDTRAIL,
      action: "sts:AssumeRole",
      resource: ROLE,
      resourceAccount: ACCOUNT,
      context: { "aws:SourceArn": THEIR_TRAIL, "aws:SourceAccount": OTHER_ACCOUNT },
    };
    expect(await decide({ ...q, resourcePolicy: trustPolicy })).toBe(IMPLICIT);
    expect(await decide({ ...q, resourcePolicy: weakened })).toBe(ALLOWED);
  });

  test("role permissions on the whole log group ARN space: another log group accepts events", async () => {
    const weakened = {
      ...rolePermissions,
      Statement: rolePermissions.Statement.map((s: Statement) => ({ ...s, Resource: "*" })),
    };
    const q: Question = {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE.split("/")[1]}/CloudTrail`,
      action: "logs:PutLogEvents",
      resource: `${OTHER_LOG_GROUP}:log-stream:x`,
      resourceAccount: ACCOUNT,
    };
    expect(await decide({ ...q, identityPolicies: [rolePermissions] })).toBe(IMPLICIT);
    expect(await decide({ ...q, identityPolicies: [weakened] })).toBe(ALLOWED);
  });
});

// ---------------------------------------------------------------------------------------------
// The helper refuses questions the simulator would silently answer as a different question.

describe("simulate helper", () => {
  const base: Question = {
    principal: OUR_READER,
    action: "kms:Decrypt",
    resource: KEY,
    resourceAccount: ACCOUNT,
    resourcePolicy: synthesized.key,
    identityPolicies: [identityAllowing("kms:Decrypt")],
  };

  test("a context key the action does not carry is an error, not a dropped condition", async () => {
    await expect(decide({ ...base, context: ACL })).rejects.toThrow(/s3:x-amz-acl/);
  });

  test("an unknown action is an error", async () => {
    await expect(decide({ ...base, action: "kms:Decrpyt" })).rejects.toThrow(/invalid.action/);
  });

  test("an encryption context on an action that takes none is an error", async () => {
    await expect(
      decide({ ...base, action: "kms:ScheduleKeyDeletion", context: trailContext(n.trailArn) }),
    ).rejects.toThrow(/takes no kms:EncryptionContext/);
  });

  test("an encryption-context condition is evaluated (not dropped): the value decides", async () => {
    const cloudTrail: Question = {
      ...base,
      principal: CLOUDTRAIL,
      action: "kms:GenerateDataKey",
      identityPolicies: undefined,
    };
    const source = { "aws:SourceArn": n.trailArn };
    expect(
      await decide({ ...cloudTrail, context: { ...source, ...trailContext(n.trailArn) } }),
    ).toBe(ALLOWED);
    expect(
      await decide({ ...cloudTrail, context: { ...source, ...trailContext(THEIR_TRAIL) } }),
    ).toBe(IMPLICIT);
  });
});
