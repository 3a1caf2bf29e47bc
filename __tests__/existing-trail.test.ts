/**
 * trail.mode "existing": metric filters, alarms, rules, the alert topic and Athena over someone
 * else's trail (examples/existing-trail.json: a Control Tower organization trail), and nothing of
 * the trail itself.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { buildApp } from "../src/app";
import { parseConfig } from "../src/config/load";
import { catalog, enabledDetections } from "../src/detections/catalog";
import { trailRequirement, describeRequirement } from "../src/trail-source/requirements";
import { configProblems, resourcesOf, ROOT, synthJson } from "./helpers";

const EXAMPLE = path.join(ROOT, "examples", "existing-trail.json");
const raw = () => JSON.parse(readFileSync(EXAMPLE, "utf8"));
const TRAIL_ARN =
  "arn:aws:cloudtrail:ap-northeast-1:111122223333:trail/aws-controltower-BaselineCloudTrail";
const KEY_ARN = "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const BUCKET = "aws-controltower-logs-444455556666-ap-northeast-1";

function homeOf(input: unknown) {
  const { home, regional } = buildApp(parseConfig(input), Testing.app().outdir);
  return { home, regional, synth: Testing.synth(home), json: synthJson(home) };
}

const { synth, json, regional } = homeOf(raw());

describe("existing trail: what trailwatch must not create", () => {
  test("no trail, no log group, no delivery role, no archive or access-log bucket", () => {
    expect(synth).not.toHaveResource(Cloudtrail);
    // The only log group and role are the alarm enrichment function's own.
    expect(resourcesOf(json, "aws_cloudwatch_log_group").map((g) => g.name)).toEqual([
      "/aws/lambda/trailwatch-alert-enrichment",
    ]);
    expect(resourcesOf(json, "aws_iam_role").map((r) => r.name)).toEqual([
      "trailwatch-alert-enrichment",
    ]);
    expect(synth).not.toHaveResource(S3BucketLoggingA);
    // The only bucket is Athena's results bucket: neither the archive nor an access-log bucket.
    expect(resourcesOf(json, "aws_s3_bucket").map((b) => b.bucket)).toEqual([
      "trailwatch-athena-111122223333-ap-northeast-1",
    ]);
  });

  test("no trail key: the one key serves alerts, query results and trailwatch's functions; CloudTrail may not use it", () => {
    const keys = resourcesOf(json, "aws_kms_key");
    expect(keys).toHaveLength(1);
    expect(keys[0].description).toBe(
      "trailwatch: encrypts the alert topic and Athena query results",
    );
    const statements = JSON.parse(keys[0].policy).Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual([
      "EnableIamPolicies",
      // trailwatch's own Lambda functions' log groups (alert enrichment) use it too.
      "CloudWatchLogsUseKeyForTrailwatchFunctionLogs",
      "CloudWatchAlarmsPublishToEncryptedTopic",
      "EventBridgePublishToEncryptedTopic",
    ]);
    expect(JSON.stringify(statements)).not.toContain("cloudtrail.amazonaws.com");
    expect(resourcesOf(json, "aws_kms_alias")[0].name).toBe("alias/trailwatch-alerts");
  });
});

describe("existing trail: what trailwatch adds", () => {
  test("every metric filter reads the existing log group", () => {
    const filters = resourcesOf(json, "aws_cloudwatch_log_metric_filter");
    expect(filters.length).toBeGreaterThan(10);
    for (const f of filters) expect(f.log_group_name).toBe("aws-controltower/CloudTrailLogs");
    expect(
      resourcesOf(json, "aws_cloudwatch_metric_alarm").filter((a) => a.namespace === "trailwatch"),
    ).toHaveLength(filters.length);
  });

  test("EventBridge rules home and in the other regions, alert topic with its subscription", () => {
    expect(resourcesOf(json, "aws_cloudwatch_event_rule").length).toBeGreaterThan(5);
    expect(resourcesOf(json, "aws_sns_topic")).toHaveLength(1);
    expect(resourcesOf(json, "aws_sns_topic_subscription")[0].endpoint).toBe(
      "security-alerts@example.com",
    );
    expect(regional.map((r) => r.node.id)).toEqual(["trailwatch-us-east-1"]);
  });

  test("watcher detections watch the existing trail, log group and key by their names", () => {
    const patterns = Object.fromEntries(
      resourcesOf(json, "aws_cloudwatch_event_rule").map((r) => [
        r.name,
        JSON.parse(r.event_pattern),
      ]),
    );
    const trail = patterns["trailwatch-watcher-trail-changed"];
    expect(JSON.stringify(trail)).toContain(TRAIL_ARN);
    expect(JSON.stringify(trail)).toContain('"aws-controltower-BaselineCloudTrail"');
    expect(
      patterns["trailwatch-watcher-log-group-changed"].detail.requestParameters.logGroupName,
    ).toEqual(["aws-controltower/CloudTrailLogs"]);
    expect(patterns["trailwatch-watcher-trail-key-changed"].detail.requestParameters.keyId).toEqual(
      ["1234abcd-12ab-34cd-56ef-1234567890ab", KEY_ARN, "alias/trailwatch-alerts"],
    );
  });

  test("without the trail's key the key detection is left out, not rendered with empty names", () => {
    const input = raw();
    delete input.trail.existing.kmsKeyArn;
    const names = resourcesOf(homeOf(input).json, "aws_cloudwatch_event_rule").map((r) => r.name);
    expect(names).toContain("trailwatch-watcher-trail-changed");
    expect(names).not.toContain("trailwatch-watcher-trail-key-changed");
  });

  test("Athena reads the existing bucket under its prefix, in the organization layout", () => {
    const [table] = resourcesOf(json, "aws_glue_catalog_table");
    const root = `s3://${BUCKET}/o-a1b2c3d4e5/AWSLogs/o-a1b2c3d4e5/`;
    expect(table.storage_descriptor.location).toBe(root);
    expect(table.partition_keys.map((k: any) => k.name)).toEqual([
      "account",
      "region",
      "timestamp",
    ]);
    expect(table.parameters["projection.account.type"]).toBe("injected");
    expect(table.parameters["storage.location.template"]).toBe(
      `${root}$\${account}/CloudTrail/$\${region}/$\${timestamp}`,
    );
    for (const q of resourcesOf(json, "aws_athena_named_query"))
      expect(q.query).toContain("WHERE account = '111122223333' AND \"timestamp\" BETWEEN");
  });

  test("a one-account trail without prefix: the account's CloudTrail/ prefix, no account partition", () => {
    const input = raw();
    delete input.trail.existing.organizationId;
    delete input.trail.existing.prefix;
    const [table] = resourcesOf(homeOf(input).json, "aws_glue_catalog_table");
    expect(table.storage_descriptor.location).toBe(
      `s3://${BUCKET}/AWSLogs/111122223333/CloudTrail/`,
    );
    expect(table.partition_keys.map((k: any) => k.name)).toEqual(["region", "timestamp"]);
    expect(table.parameters).not.toHaveProperty(["projection.account.type"]);
  });

  test("outputs name the existing trail, bucket and log group", () => {
    expect(json.output!.trail_arn.value).toBe(TRAIL_ARN);
    expect(json.output!.archive_bucket.value).toBe(BUCKET);
    expect(json.output!.log_group_name.value).toBe("aws-controltower/CloudTrailLogs");
    expect(json.output!).not.toHaveProperty("kms_key_arn");
  });
});

describe("existing trail: requirements per detection", () => {
  const all = catalog({
    trailName: "t",
    trailArn: TRAIL_ARN,
    logGroupName: "g",
    alertTopicArns: ["a"],
    archiveBucket: "b",
    resourcePrefix: "trailwatch-",
    trailKeyArn: KEY_ARN,
    trailKeyId: "k",
    trailKeyAlias: "alias/x",
  });
  const byId = (id: string) => all.find((d) => d.id === id)!;

  test("derived from the detection data: read/write, sources, global events, delivery", () => {
    expect(trailRequirement(byId("cloudtrail-describe-trails"))).toMatchObject({
      managementEvents: ["read"],
      eventSources: ["cloudtrail.amazonaws.com"],
    });
    expect(trailRequirement(byId("cis-cmk-disable-or-deletion"))).toMatchObject({
      managementEvents: ["write"],
      eventSources: ["kms.amazonaws.com"],
      cloudWatchLogs: true,
    });
    expect(trailRequirement(byId("cis-iam-policy-changes")).globalServiceEvents).toBe(true);
    expect(describeRequirement(trailRequirement(byId("cis-cmk-disable-or-deletion")))).toBe(
      "cis-cmk-disable-or-deletion: write management events; from kms.amazonaws.com (not excluded); delivered to its CloudWatch Logs log group",
    );
    // Every enabled-by-default detection has a requirement that names what it needs.
    for (const d of enabledDetections(all, {
      packs: { cis: true, seed: true, watcher: true, threat: true },
      enable: [],
      disable: [],
    }))
      expect(trailRequirement(d).managementEvents.length).toBeGreaterThan(0);
  });

  test("a trail that cannot serve an enabled alarm is refused, naming the detection and the field", () => {
    const input = raw();
    input.trail.existing.managementEvents = "WriteOnly";
    input.trail.existing.excludeManagementEventSources = ["kms.amazonaws.com"];
    input.trail.existing.includesGlobalServiceEvents = false;
    input.detections = { enable: ["cloudtrail-describe-trails"] };
    const problems = configProblems(input);
    expect(problems).toEqual(
      expect.arrayContaining([
        "trail.existing: cis-cmk-disable-or-deletion needs events from kms.amazonaws.com, which the trail excludes (trail.existing.excludeManagementEventSources); change the trail, or turn the detection off in detections.disable",
        "trail.existing: cis-iam-policy-changes needs global service events (IAM, STS, sign-in), which the trail does not include (trail.existing.includesGlobalServiceEvents); change the trail, or turn the detection off in detections.disable",
      ]),
    );
    // The read-only alarm can never fire on a write-only trail; root usage matches reads and
    // writes, so a write-only trail still serves half of it.
    expect(problems).toContain(
      "trail.existing: cloudtrail-describe-trails needs read-only management events, but the trail logs WriteOnly (trail.existing.managementEvents); change the trail, or turn the detection off in detections.disable",
    );
    expect(problems.join("\n")).not.toContain("cis-root-usage");
    // Reported in the same run as a problem elsewhere (issue 10 fault 4: every problem at once).
    const alsoBadAddress = raw();
    alsoBadAddress.trail.existing.managementEvents = "WriteOnly";
    // The threat pack's read-only volume signals would be named too; this test is about one.
    alsoBadAddress.detections = {
      enable: ["cloudtrail-describe-trails"],
      packs: { threat: false },
    };
    alsoBadAddress.alerts.emails = ["not-an-address"];
    expect(configProblems(alsoBadAddress)).toEqual([
      'alerts.emails[0]: not an e-mail address (expected name@example.com) (got "not-an-address")',
      "trail.existing: cloudtrail-describe-trails needs read-only management events, but the trail logs WriteOnly (trail.existing.managementEvents); change the trail, or turn the detection off in detections.disable",
    ]);
    const readOnly = raw();
    readOnly.trail.existing.managementEvents = "ReadOnly";
    expect(configProblems(readOnly)).toContain(
      "trail.existing: s3-bucket-created needs write management events, but the trail logs ReadOnly (trail.existing.managementEvents); change the trail, or turn the detection off in detections.disable",
    );
  });
});

describe("existing trail: configuration errors", () => {
  test("adopt with an existing trail, and settings of a created trail, are refused", () => {
    const input = raw();
    input.adopt = { bucket: BUCKET };
    input.trail.profile = "cost";
    input.logGroup = { name: "/x/y" };
    input.archive = { objectLock: { mode: "GOVERNANCE", days: 30 } };
    const problems = configProblems(input);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^adopt: cannot be used with trail.mode "existing"/),
        expect.stringMatching(/^trail.profile: applies only to a trail trailwatch creates/),
        expect.stringMatching(/^logGroup.name: applies only to a trail trailwatch creates/),
        expect.stringMatching(/^archive.objectLock: applies only to a trail trailwatch creates/),
      ]),
    );
  });

  test("names that AWS would refuse: log group, organization id, trail and key ARNs, prefix", () => {
    const input = raw();
    Object.assign(input.trail.existing, {
      logGroupName: "aws-controltower/CloudTrail Logs",
      organizationId: "o-ABC",
      trailArn: "arn:aws:cloudtrail:ap-northeast-1:111122223333:trail",
      kmsKeyArn: "arn:aws:kms:ap-northeast-1:111122223333:alias/trail",
      prefix: "/logs/",
      bucket: "Not_A_Bucket",
    });
    expect(configProblems(input)).toEqual([
      'trail.existing.trailArn: must be a CloudTrail trail ARN arn:aws:cloudtrail:<region>:<12-digit account>:trail/<name> (got "arn:aws:cloudtrail:ap-northeast-1:111122223333:trail")',
      'trail.existing.logGroupName: not a CloudWatch Logs log group name: may contain only letters, digits, and the characters _ - / . # (got "aws-controltower/CloudTrail Logs")',
      'trail.existing.bucket: not a valid S3 bucket name: may contain only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit (got "Not_A_Bucket")',
      'trail.existing.prefix: must not begin or end with a slash (got "/logs/")',
      'trail.existing.kmsKeyArn: must be a KMS key ARN arn:aws:kms:<region>:<12-digit account>:key/<key id> (an alias ARN is not accepted) (got "arn:aws:kms:ap-northeast-1:111122223333:alias/trail")',
      'trail.existing.organizationId: must be an AWS Organizations id: o- followed by 10-32 lowercase letters or digits (got "o-ABC")',
    ]);
  });

  test("the trail must be in homeRegion and in accountId; trail.existing is required", () => {
    const input = raw();
    input.trail.existing.trailArn =
      "arn:aws:cloudtrail:us-east-1:999988887777:trail/aws-controltower-BaselineCloudTrail";
    const problems = configProblems(input);
    expect(problems).toEqual([
      expect.stringContaining(
        "trail.existing.trailArn: the trail's home region is us-east-1 but homeRegion is ap-northeast-1",
      ),
      expect.stringContaining(
        "trail.existing.trailArn: the trail belongs to account 999988887777, not accountId 111122223333",
      ),
      expect.stringContaining(
        "trail.existing.kmsKeyArn: a trail's KMS key is in the trail's home region (us-east-1), not ap-northeast-1",
      ),
    ]);
    const missing = raw();
    delete missing.trail.existing;
    expect(configProblems(missing)).toEqual([
      expect.stringMatching(/^trail.existing: required with trail.mode "existing"/),
    ]);
  });
});
