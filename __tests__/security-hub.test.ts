import { SECURITY_HUB_PATTERNS } from "../src/detections/cis-patterns";
import { build, resourcesOf, synthJson } from "./helpers";

/**
 * AWS Security Hub controls the default configuration passes by construction: one test per
 * control, asserting the synthesized properties the control checks. The README's table names them.
 */
const { home, regional } = build();
const json = synthJson(home);
const all = (type: string) => resourcesOf(json, type);
const buckets = all("aws_s3_bucket");
const refOf = (b: any) => {
  const [id] = Object.entries(json.resource.aws_s3_bucket).find(([, x]) => x === b)!;
  return `\${aws_s3_bucket.${id}.id}`;
};
const forEachBucket = (type: string) =>
  buckets.map((b) => all(type).filter((r) => r.bucket === refOf(b)));
const statementsOf = (policyJson: string): any[] => JSON.parse(policyJson).Statement;
const [trail] = all("aws_cloudtrail");

describe("CloudTrail", () => {
  test("CloudTrail.1: a multi-region trail with read and write management events, no excluded sources", () => {
    expect(trail.is_multi_region_trail).toBe(true);
    expect(trail.include_global_service_events).toBe(true);
    const management = trail.advanced_event_selector.find((s: any) =>
      s.field_selector.some(
        (f: any) => f.field === "eventCategory" && f.equals[0] === "Management",
      ),
    );
    expect(management.field_selector).toEqual([{ field: "eventCategory", equals: ["Management"] }]);
  });

  test("CloudTrail.1 is given up by the cost profile (write-only, KMS and RDS Data excluded)", () => {
    const cost = synthJson(build({ trail: { profile: "cost" } }).home);
    const [t] = resourcesOf(cost, "aws_cloudtrail");
    const fields = t.advanced_event_selector[0].field_selector.map((f: any) => f.field);
    expect(fields).toEqual(["eventCategory", "readOnly", "eventSource"]);
  });

  test("CloudTrail.2: the trail is encrypted with a KMS key", () => {
    expect(trail.kms_key_id).toMatch(/^\$\{aws_kms_key\.[\w-]+\.arn\}$/);
  });

  test("CloudTrail.3: at least one trail, logging", () => {
    expect(all("aws_cloudtrail")).toHaveLength(1);
    expect(trail.enable_logging).toBe(true);
  });

  test("CloudTrail.4: log file validation", () => {
    expect(trail.enable_log_file_validation).toBe(true);
  });

  test("CloudTrail.5: integrated with CloudWatch Logs", () => {
    expect(trail.cloud_watch_logs_group_arn).toMatch(
      /^\$\{aws_cloudwatch_log_group\..+\.arn\}:\*$/,
    );
    expect(trail.cloud_watch_logs_role_arn).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
  });

  test("CloudTrail.6: the trail's bucket is not publicly accessible", () => {
    const archive = buckets.find((b) => b.bucket === trail.s3_bucket_name);
    const pab = all("aws_s3_bucket_public_access_block").find((p) => p.bucket === refOf(archive));
    expect(pab).toEqual(
      expect.objectContaining({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
    );
    const policy = all("aws_s3_bucket_policy").find((p) => p.bucket === refOf(archive));
    for (const s of statementsOf(policy!.policy).filter((x) => x.Effect === "Allow"))
      expect(s.Principal).toEqual({ Service: "cloudtrail.amazonaws.com" });
  });

  test("CloudTrail.7: access logging on the trail's bucket", () => {
    const archive = buckets.find((b) => b.bucket === trail.s3_bucket_name);
    expect(all("aws_s3_bucket_logging").map((l) => l.bucket)).toContain(refOf(archive));
  });
});

describe("CloudWatch", () => {
  const filters = all("aws_cloudwatch_log_metric_filter");
  const alarms = all("aws_cloudwatch_metric_alarm");

  test.each(Object.entries(SECURITY_HUB_PATTERNS))(
    "%s: the exact metric filter on the trail's log group, with an alarm that notifies the topic",
    (_control, pattern) => {
      const f = filters.find((x) => x.pattern === pattern)!;
      expect(f).toBeDefined();
      expect(f.log_group_name).toBe(
        trail.cloud_watch_logs_group_arn.replace(/\.arn\}:\*$/, ".name}"),
      );
      const a = alarms.find((x) => x.metric_name === f.metric_transformation.name)!;
      expect(a).toEqual(
        expect.objectContaining({
          namespace: f.metric_transformation.namespace,
          statistic: "Sum",
          alarm_actions: [expect.stringMatching(/aws_sns_topic/)],
        }),
      );
      // Security Hub needs a subscriber on the topic (the e-mail must be confirmed after apply).
      expect(all("aws_sns_topic_subscription").length).toBeGreaterThan(0);
    },
  );

  test("CloudWatch.15: every alarm has an action", () => {
    for (const a of alarms) expect(a.alarm_actions.length).toBeGreaterThan(0);
  });

  test("CloudWatch.16: log groups keep data at least 365 days", () => {
    for (const g of all("aws_cloudwatch_log_group"))
      expect(g.retention_in_days).toBeGreaterThanOrEqual(365);
  });

  test("CloudWatch.17: alarm actions are activated", () => {
    for (const a of alarms) expect(a.actions_enabled).toBe(true);
  });
});

describe("S3", () => {
  test("S3.1: account-level Block Public Access, all four settings", () => {
    expect(all("aws_s3_account_public_access_block")).toEqual([
      expect.objectContaining({
        account_id: "111122223333",
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
    ]);
  });

  test("S3.2 / S3.3: no bucket policy grants public read or write", () => {
    for (const p of all("aws_s3_bucket_policy"))
      for (const s of statementsOf(p.policy).filter((x) => x.Effect === "Allow")) {
        expect(s.Principal).not.toBe("*");
        expect(s.Principal.AWS).toBeUndefined();
      }
  });

  test("S3.5: every bucket denies requests without TLS", () => {
    for (const [p] of forEachBucket("aws_s3_bucket_policy"))
      expect(statementsOf(p.policy)).toContainEqual(
        expect.objectContaining({
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      );
  });

  test("S3.6: no bucket policy allows another account", () => {
    for (const p of all("aws_s3_bucket_policy"))
      for (const s of statementsOf(p.policy).filter((x) => x.Effect === "Allow"))
        expect(JSON.stringify(s.Principal)).not.toMatch(/arn:aws:iam::/);
  });

  test("S3.8: every bucket blocks public access", () => {
    for (const pabs of forEachBucket("aws_s3_bucket_public_access_block")) {
      expect(pabs).toHaveLength(1);
      expect(pabs[0].restrict_public_buckets && pabs[0].block_public_policy).toBe(true);
    }
  });

  test("S3.9: server access logging on the archive (the access-log bucket is the logging target itself)", () => {
    const targets = all("aws_s3_bucket_logging").map((l) => l.target_bucket);
    const logged = all("aws_s3_bucket_logging").map((l) => l.bucket);
    expect(buckets.filter((b) => !logged.includes(refOf(b))).map(refOf)).toEqual([
      ...new Set(targets),
    ]);
    expect(logged).toHaveLength(2); // the archive and the Athena results
  });

  test("S3.10 / S3.13: every (versioned) bucket has a lifecycle configuration", () => {
    for (const lcs of forEachBucket("aws_s3_bucket_lifecycle_configuration"))
      expect(lcs).toHaveLength(1);
  });

  test("S3.12: ACLs are disabled (BucketOwnerEnforced)", () => {
    for (const [o] of forEachBucket("aws_s3_bucket_ownership_controls"))
      expect(o.rule.object_ownership).toBe("BucketOwnerEnforced");
  });

  test("S3.14: every bucket is versioned", () => {
    for (const [v] of forEachBucket("aws_s3_bucket_versioning"))
      expect(v.versioning_configuration.status).toBe("Enabled");
  });
});

describe("SNS and KMS", () => {
  test("SNS.1: the alert topic is encrypted with KMS", () => {
    for (const t of all("aws_sns_topic")) expect(t.kms_master_key_id).toMatch(/aws_kms_key/);
  });

  test("KMS.3: the key cannot be deleted unintentionally (prevent_destroy, 30-day window)", () => {
    for (const k of all("aws_kms_key")) {
      expect(k.lifecycle).toEqual({ prevent_destroy: true });
      expect(k.deletion_window_in_days).toBe(30);
    }
  });

  test("KMS.4: key rotation is on", () => {
    for (const k of all("aws_kms_key")) expect(k.enable_key_rotation).toBe(true);
  });

  test("regional stacks create no buckets, keys, topics or log groups that other controls would judge", () => {
    for (const s of regional) {
      const types = Object.keys(synthJson(s).resource);
      expect(types.sort()).toEqual([
        "aws_cloudwatch_event_rule",
        "aws_cloudwatch_event_target",
        "aws_iam_role",
        "aws_iam_role_policy",
      ]);
    }
  });
});
