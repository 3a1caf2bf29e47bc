import { Testing } from "cdktf";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { build, exampleConfigInput, resourcesOf, synthJson } from "./helpers";

const ACCOUNT = "111122223333";
const TRAIL_ARN = `arn:aws:cloudtrail:ap-northeast-1:${ACCOUNT}:trail/trailwatch`;
const ARCHIVE = `trailwatch-cloudtrail-${ACCOUNT}-ap-northeast-1`;
const ACCESS_LOGS = `trailwatch-s3-access-${ACCOUNT}-ap-northeast-1`;
const LOG_GROUP_ARN = `arn:aws:logs:ap-northeast-1:${ACCOUNT}:log-group:/trailwatch/cloudtrail`;

const { home } = build();
const synth = Testing.synth(home);
const json = synthJson(home);

function statements(policyJson: string): any[] {
  return JSON.parse(policyJson).Statement;
}
function bucketNamed(name: string) {
  const [id] = Object.entries(json.resource.aws_s3_bucket).find(([, b]) => b.bucket === name)!;
  return `\${aws_s3_bucket.${id}.id}`;
}
function forBucket(type: string, name: string) {
  const ref = bucketNamed(name);
  return resourcesOf(json, type).filter((r) => r.bucket === ref);
}

describe("home stack: provider and state", () => {
  test("AWS provider in the home region, pinned to the account, with default tags", () => {
    expect(json.provider.aws).toEqual([
      {
        region: "ap-northeast-1",
        allowed_account_ids: [ACCOUNT],
        default_tags: [
          {
            tags: {
              project: "trailwatch",
              owner: "security",
              "trailwatch:stack": "trailwatch-ap-northeast-1",
            },
          },
        ],
      },
    ]);
  });

  test("S3 remote state: key per stack, encrypted, native lock file, state bucket's region", () => {
    expect(json.terraform.backend).toEqual({
      s3: {
        bucket: "trailwatch-tfstate-111122223333",
        key: "trailwatch/trailwatch-ap-northeast-1.tfstate",
        region: "ap-northeast-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  test("outputs: trail ARN, bucket, log group, topic (and Athena's, the example turns it on)", () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual(
      [
        "alert_enrichment_function",
        "alert_topic_arn",
        "archive_bucket",
        "athena_database",
        "athena_workgroup",
        "kms_key_arn",
        "log_group_name",
        "trail_arn",
      ].sort(),
    );
    expect(json.output!.trail_arn.value).toMatch(/^\$\{aws_cloudtrail\.[\w-]+\.arn\}$/);
  });
});

describe("home stack: KMS key", () => {
  test("rotation on, 30-day deletion window, prevent_destroy, alias", () => {
    expect(synth).toHaveResourceWithProperties(KmsKey, {
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    expect(synth).toHaveResourceWithProperties(KmsAlias, { name: "alias/trailwatch-cloudtrail" });
  });

  test("key policy: CloudTrail encrypts only for this account's trails and this trail", () => {
    const s = statements(resourcesOf(json, "aws_kms_key")[0].policy);
    expect(s.find((x) => x.Sid === "CloudTrailEncryptLogs")).toEqual({
      Sid: "CloudTrailEncryptLogs",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:GenerateDataKey*",
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceArn": TRAIL_ARN },
        StringLike: {
          "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*`,
        },
      },
    });
    const logs = s.find((x) => x.Sid === "CloudWatchLogsUseKeyForTrailLogGroup");
    expect(logs.Principal).toEqual({ Service: "logs.ap-northeast-1.amazonaws.com" });
    expect(logs.Condition).toEqual({
      ArnEquals: { "kms:EncryptionContext:aws:logs:arn": LOG_GROUP_ARN },
    });
    const decrypt = s.find((x) => x.Sid === "AccountDecryptLogFiles");
    expect(decrypt.Action).toEqual(["kms:Decrypt", "kms:ReEncryptFrom"]);
    expect(decrypt.Condition.StringEquals).toEqual({ "kms:CallerAccount": ACCOUNT });
    // The alert topic is encrypted with this key: CloudWatch and EventBridge must be able to use it.
    const principals = s.map((x) => x.Principal?.Service).filter(Boolean);
    expect(principals).toEqual(
      expect.arrayContaining(["cloudwatch.amazonaws.com", "events.amazonaws.com"]),
    );
  });
});

describe("home stack: log archive bucket", () => {
  test("bucket: never force-destroyed, prevent_destroy", () => {
    expect(synth).toHaveResourceWithProperties(S3Bucket, {
      bucket: ARCHIVE,
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  test("public access block (all four), BucketOwnerEnforced, versioning, SSE-KMS with bucket key", () => {
    expect(forBucket("aws_s3_bucket_public_access_block", ARCHIVE)).toEqual([
      expect.objectContaining({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
    ]);
    expect(forBucket("aws_s3_bucket_ownership_controls", ARCHIVE)[0].rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
    expect(forBucket("aws_s3_bucket_versioning", ARCHIVE)[0].versioning_configuration).toEqual({
      status: "Enabled",
    });
    expect(
      forBucket("aws_s3_bucket_server_side_encryption_configuration", ARCHIVE)[0].rule,
    ).toEqual([
      {
        apply_server_side_encryption_by_default: {
          sse_algorithm: "aws:kms",
          kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/),
        },
        bucket_key_enabled: true,
      },
    ]);
    // The classes exist in the provider with these Terraform types (schema check by type).
    expect(S3BucketPublicAccessBlock.tfResourceType).toBe("aws_s3_bucket_public_access_block");
    expect(S3BucketOwnershipControls.tfResourceType).toBe("aws_s3_bucket_ownership_controls");
    expect(S3BucketVersioningA.tfResourceType).toBe("aws_s3_bucket_versioning");
    expect(S3BucketServerSideEncryptionConfigurationA.tfResourceType).toBe(
      "aws_s3_bucket_server_side_encryption_configuration",
    );
  });

  test("bucket policy: the two CloudTrail statements conditioned on this trail, TLS only, no deletion", () => {
    const [p] = forBucket("aws_s3_bucket_policy", ARCHIVE);
    expect(p.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_public_access_block\./)]);
    expect(statements(p.policy)).toEqual([
      {
        Sid: "CloudTrailAclCheck",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:GetBucketAcl",
        Resource: `arn:aws:s3:::${ARCHIVE}`,
        Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN } },
      },
      {
        Sid: "CloudTrailWrite",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `arn:aws:s3:::${ARCHIVE}/AWSLogs/${ACCOUNT}/*`,
        Condition: {
          StringEquals: { "aws:SourceArn": TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control" },
        },
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${ARCHIVE}`, `arn:aws:s3:::${ARCHIVE}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyLogDeletion",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
        Resource: `arn:aws:s3:::${ARCHIVE}/*`,
      },
    ]);
    // archive.denyLogDeletion: false leaves the deny out (to empty the bucket on purpose).
    const c = exampleConfigInput();
    const { home: h } = build({ archive: { ...c.archive, denyLogDeletion: false } });
    const [unguarded] = resourcesOf(synthJson(h), "aws_s3_bucket_policy").filter(
      (x) => x.bucket === p.bucket,
    );
    expect(statements(unguarded.policy).map((x) => x.Sid)).toEqual([
      "CloudTrailAclCheck",
      "CloudTrailWrite",
      "DenyInsecureTransport",
    ]);
  });

  test("lifecycle: transitions, expiry at retention, noncurrent expiry, delete markers, multipart", () => {
    const [lc] = forBucket("aws_s3_bucket_lifecycle_configuration", ARCHIVE);
    expect(lc.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\./)]);
    expect(lc.rule).toEqual([
      {
        id: "retention",
        status: "Enabled",
        filter: [{ prefix: "" }],
        transition: [
          { days: 90, storage_class: "STANDARD_IA" },
          { days: 365, storage_class: "GLACIER" },
        ],
        expiration: [{ days: 2557 }],
        noncurrent_version_expiration: [{ noncurrent_days: 30 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      },
      {
        id: "remove-expired-delete-markers",
        status: "Enabled",
        filter: [{ prefix: "" }],
        expiration: [{ expired_object_delete_marker: true }],
      },
    ]);
    expect(S3BucketLifecycleConfiguration.tfResourceType).toBe(
      "aws_s3_bucket_lifecycle_configuration",
    );
  });

  test("server access logging into the private access-log bucket", () => {
    expect(synth).toHaveResourceWithProperties(S3BucketLoggingA, {
      bucket: bucketNamed(ARCHIVE),
      target_bucket: bucketNamed(ACCESS_LOGS),
      target_prefix: `${ARCHIVE}/`,
      depends_on: [expect.stringMatching(/^aws_s3_bucket_policy\.log-archive_access-logs_policy/)],
    });
  });

  test("access-log bucket: private, SSE-S3 (the only encryption log delivery supports), versioned, own lifecycle", () => {
    expect(synth).toHaveResourceWithProperties(S3Bucket, {
      bucket: ACCESS_LOGS,
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(forBucket("aws_s3_bucket_public_access_block", ACCESS_LOGS)).toHaveLength(1);
    expect(
      forBucket("aws_s3_bucket_versioning", ACCESS_LOGS)[0].versioning_configuration.status,
    ).toBe("Enabled");
    expect(
      forBucket("aws_s3_bucket_server_side_encryption_configuration", ACCESS_LOGS)[0].rule,
    ).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }]);
    expect(
      forBucket("aws_s3_bucket_lifecycle_configuration", ACCESS_LOGS)[0].rule[0].expiration,
    ).toEqual([{ days: 365 }]);
    const s = statements(forBucket("aws_s3_bucket_policy", ACCESS_LOGS)[0].policy);
    expect(s[0]).toEqual({
      Sid: "S3ServerAccessLogsDelivery",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `arn:aws:s3:::${ACCESS_LOGS}/${ARCHIVE}/*`,
      Condition: {
        ArnLike: { "aws:SourceArn": `arn:aws:s3:::${ARCHIVE}` },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
      },
    });
    // The Athena results bucket delivers under its own prefix only.
    const results = `trailwatch-athena-${ACCOUNT}-ap-northeast-1`;
    expect(s[1]).toEqual({
      ...s[0],
      Sid: "S3ServerAccessLogsDeliveryFromAthenaResults",
      Resource: `arn:aws:s3:::${ACCESS_LOGS}/${results}/*`,
      Condition: {
        ArnLike: { "aws:SourceArn": `arn:aws:s3:::${results}` },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
      },
    });
    expect(s[2].Sid).toBe("DenyInsecureTransport");
    expect(s).toHaveLength(3);
    expect(forBucket("aws_s3_bucket_object_lock_configuration", ACCESS_LOGS)).toHaveLength(0);
  });

  test("access logging can be turned off; Object Lock is opt-in on the archive only", () => {
    const c = exampleConfigInput();
    const { home: h } = build({
      archive: {
        ...c.archive,
        accessLogs: { enabled: false },
        objectLock: { mode: "COMPLIANCE", days: 365 },
      },
    });
    const s = Testing.synth(h);
    expect(s).not.toHaveResource(S3BucketLoggingA);
    expect(s).toHaveResourceWithProperties(S3Bucket, {
      bucket: ARCHIVE,
      object_lock_enabled: true,
    });
    expect(s).toHaveResourceWithProperties(S3BucketObjectLockConfigurationA, {
      rule: { default_retention: { mode: "COMPLIANCE", days: 365 } },
    });
    expect(resourcesOf(synthJson(h), "aws_s3_bucket").map((b) => b.bucket)).not.toContain(
      ACCESS_LOGS,
    );
    expect(resourcesOf(synthJson(h), "aws_s3_bucket_logging")).toEqual([]);
    expect(synth).not.toHaveResource(S3BucketObjectLockConfigurationA);
  });
});

describe("home stack: trail", () => {
  test("multi-region, global service events, validation, KMS, S3 and CloudWatch Logs delivery", () => {
    expect(synth).toHaveResourceWithProperties(Cloudtrail, {
      name: "trailwatch",
      s3_bucket_name: ARCHIVE,
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      enable_logging: true,
      kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/),
      cloud_watch_logs_group_arn: expect.stringMatching(
        /^\$\{aws_cloudwatch_log_group\..+\.arn\}:\*$/,
      ),
      cloud_watch_logs_role_arn: expect.stringMatching(/^\$\{aws_iam_role\..+\.arn\}$/),
      depends_on: [
        expect.stringMatching(/^aws_s3_bucket_policy\./),
        expect.stringMatching(/^aws_iam_role_policy\./),
      ],
    });
  });

  test("compliance profile (default): all management events, nothing excluded, no data events", () => {
    const [trail] = resourcesOf(json, "aws_cloudtrail");
    expect(trail.advanced_event_selector).toEqual([
      {
        name: "Management events (read and write)",
        field_selector: [{ field: "eventCategory", equals: ["Management"] }],
      },
    ]);
    expect(trail.insight_selector).toBeUndefined();
  });

  test("cost profile: write-only, KMS and RDS Data API excluded", () => {
    const { home: h } = build({ trail: { profile: "cost" } });
    const [trail] = resourcesOf(synthJson(h), "aws_cloudtrail");
    expect(trail.advanced_event_selector).toEqual([
      {
        name: "Management events (write-only, excluding kms.amazonaws.com, rdsdata.amazonaws.com)",
        field_selector: [
          { field: "eventCategory", equals: ["Management"] },
          { field: "readOnly", equals: ["false"] },
          { field: "eventSource", not_equals: ["kms.amazonaws.com", "rdsdata.amazonaws.com"] },
        ],
      },
    ]);
  });

  test("profile overrides, S3 data events per read/write type, and Insights", () => {
    const { home: h } = build({
      trail: {
        profile: "cost",
        excludeManagementEventSources: ["rdsdata.amazonaws.com"],
        s3DataEvents: [
          { bucket: "customer-data", readWrite: "WriteOnly" },
          { bucket: "arn:aws:s3:::shared-files/uploads/", readWrite: "WriteOnly" },
          { bucket: "audit-reads", readWrite: "ReadOnly" },
        ],
        insights: { apiCallRate: true, apiErrorRate: true },
      },
    });
    const [trail] = resourcesOf(synthJson(h), "aws_cloudtrail");
    expect(trail.advanced_event_selector).toEqual([
      {
        name: "Management events (write-only, excluding rdsdata.amazonaws.com)",
        field_selector: [
          { field: "eventCategory", equals: ["Management"] },
          { field: "readOnly", equals: ["false"] },
          { field: "eventSource", not_equals: ["rdsdata.amazonaws.com"] },
        ],
      },
      {
        name: "S3 object-level events (ReadOnly) for listed buckets",
        field_selector: [
          { field: "eventCategory", equals: ["Data"] },
          { field: "resources.type", equals: ["AWS::S3::Object"] },
          { field: "readOnly", equals: ["true"] },
          { field: "resources.ARN", starts_with: ["arn:aws:s3:::audit-reads/"] },
        ],
      },
      {
        name: "S3 object-level events (WriteOnly) for listed buckets",
        field_selector: [
          { field: "eventCategory", equals: ["Data"] },
          { field: "resources.type", equals: ["AWS::S3::Object"] },
          { field: "readOnly", equals: ["false"] },
          {
            field: "resources.ARN",
            starts_with: ["arn:aws:s3:::customer-data/", "arn:aws:s3:::shared-files/uploads/"],
          },
        ],
      },
    ]);
    expect(trail.insight_selector).toEqual([
      { insight_type: "ApiCallRateInsight" },
      { insight_type: "ApiErrorRateInsight" },
    ]);
  });
});

describe("home stack: log group and delivery role", () => {
  test("log group: retention from config (365 default), KMS, prevent_destroy", () => {
    expect(synth).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/trailwatch/cloudtrail",
      retention_in_days: 365,
      kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/),
      lifecycle: { prevent_destroy: true },
    });
    const c = exampleConfigInput();
    const { home: h } = build({ logGroup: { retentionDays: 3653 }, archive: c.archive });
    expect(Testing.synth(h)).toHaveResourceWithProperties(CloudwatchLogGroup, {
      retention_in_days: 3653,
    });
  });

  test("role: trusted by CloudTrail for this trail only; may only create streams and put events in this group", () => {
    const [role] = resourcesOf(json, "aws_iam_role").filter((r) =>
      r.name.endsWith("-cloudtrail-to-logs"),
    );
    expect(statements(role.assume_role_policy)).toEqual([
      {
        Sid: "CloudTrailForThisTrailOnly",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": TRAIL_ARN } },
      },
    ]);
    expect(synth).toHaveResourceWithProperties(IamRolePolicy, { name: "cloudtrail-to-logs" });
    const [rp] = resourcesOf(json, "aws_iam_role_policy").filter(
      (p) => p.name === "cloudtrail-to-logs",
    );
    expect(statements(rp.policy)).toEqual([
      {
        Sid: "WriteTrailEventsToThisLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${LOG_GROUP_ARN}:log-stream:*`,
      },
    ]);
    expect(IamRole.tfResourceType).toBe("aws_iam_role");
  });
});

describe("home stack: alert topic", () => {
  test("KMS-encrypted topic with one e-mail subscription per address", () => {
    expect(synth).toHaveResourceWithProperties(SnsTopic, {
      name: "trailwatch-alerts",
      kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/),
    });
    expect(synth).toHaveResourceWithProperties(SnsTopicSubscription, {
      protocol: "email",
      endpoint: "security-alerts@example.com",
    });
    const { home: h } = build({ alerts: { emails: ["a@example.com", "b@example.org"] } });
    const subs = resourcesOf(synthJson(h), "aws_sns_topic_subscription").map((s) => s.endpoint);
    expect(subs).toEqual(["a@example.com", "b@example.org"]);
  });

  test("topic policy: publish only by this account's alarms and rules (source conditions), TLS only", () => {
    expect(synth).toHaveResource(SnsTopicPolicy);
    const s = statements(resourcesOf(json, "aws_sns_topic_policy")[0].policy);
    const topic = `arn:aws:sns:ap-northeast-1:${ACCOUNT}:trailwatch-alerts`;
    expect(s).toEqual([
      {
        Sid: "CloudWatchAlarmsOfThisAccount",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: topic,
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:ap-northeast-1:${ACCOUNT}:alarm:*` },
        },
      },
      {
        Sid: "EventBridgeRulesOfThisAccount",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sns:Publish",
        Resource: topic,
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnLike: { "aws:SourceArn": `arn:aws:events:ap-northeast-1:${ACCOUNT}:rule/*` },
        },
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Publish",
        Resource: [topic],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });
});
