import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { buildApp } from "../src/app";
import { parseConfig } from "../src/config/load";
import { DEFAULT_ENABLED_REGIONS } from "../src/config/regions";
import { DETECTION_IDS } from "../src/detections/catalog";
import { configProblems as problems, exampleConfigInput, ROOT, synthJson } from "./helpers";

/** The example with `mutate` applied to a deep copy. */
function variant(mutate: (c: any) => void): unknown {
  const c: any = exampleConfigInput();
  mutate(c);
  return c;
}

const manyTags = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag${i}`, `value ${i}`]));

describe("tags: AWS's limits, with the tags trailwatch adds", () => {
  test("49 tags fit beside trailwatch:stack (50 per resource); 50 do not", () => {
    const c = parseConfig(variant((c) => (c.tags = manyTags(49))));
    const { home } = buildApp(c, Testing.app().outdir);
    const tags = synthJson(home).provider.aws[0].default_tags[0].tags;
    expect(Object.keys(tags)).toHaveLength(50);
    expect(tags["trailwatch:stack"]).toBe("trailwatch-ap-northeast-1");
    expect(problems(variant((c) => (c.tags = manyTags(50))))).toEqual([
      "tags: at most 49 tags: AWS allows 50 per resource and trailwatch adds trailwatch:stack (50 given) (got an object with 50 fields)",
    ]);
  });

  test("a tag trailwatch sets cannot be set (or overwritten) by the configuration", () => {
    expect(problems(variant((c) => (c.tags = { "Trailwatch:Stack": "mine" })))).toEqual([
      'tags["Trailwatch:Stack"]: trailwatch sets the tag "trailwatch:stack" itself; choose another key (got "mine")',
    ]);
  });

  test("keys differing only in case are refused (IAM role tags are case-insensitive)", () => {
    expect(problems(variant((c) => (c.tags = { Owner: "a", owner: "b" })))).toEqual([
      'tags.owner: differs from the tag "Owner" only in case; IAM treats tag keys of roles case-insensitively (got "b")',
    ]);
  });

  test("characters, lengths and the reserved aws: prefix of keys and values", () => {
    const p = problems(
      variant(
        (c) =>
          (c.tags = {
            cost$center: "x",
            "aws:owner": "x",
            "AWS:team": "x",
            ["k".repeat(129)]: "x",
            "": "x",
            team: "sec${team}",
            tier: "%{x}",
            note: "v".repeat(257),
            origin: "aws:console",
          }),
      ),
    );
    const allowed = "may contain only Unicode letters, digits and spaces and _ . : / = + - @";
    expect(p).toEqual([
      `tags.cost$center: tag keys ${allowed}`,
      'tags["aws:owner"]: tag keys must not start with "aws:" (reserved by AWS, in any case)',
      'tags["AWS:team"]: tag keys must not start with "aws:" (reserved by AWS, in any case)',
      `tags.${"k".repeat(129)}: tag keys are at most 128 characters (this one has 129)`,
      'tags[""]: tag keys cannot be empty',
      `tags.team: tag values ${allowed} (got "sec\${team}")`,
      `tags.tier: tag values ${allowed} (got "%{x}")`,
      `tags.note: tag values are at most 256 characters (this one has 257) (got "${"v".repeat(257)}")`,
      'tags.origin: tag values must not start with "aws:" (reserved by AWS, in any case) (got "aws:console")',
    ]);
  });

  test("Unicode letters, digits, spaces and the allowed punctuation are accepted", () => {
    const tags = { プロジェクト: "監視 チーム", "cost-center/_.:=+@": "Ünïcode 123", empty: "" };
    expect(parseConfig(variant((c) => (c.tags = tags))).tags).toEqual(tags);
  });
});

describe("buckets: one bucket, one owner", () => {
  const archive = "trailwatch-cloudtrail-111122223333-ap-northeast-1";
  const accessLogs = "trailwatch-s3-access-111122223333-ap-northeast-1";
  const athena = "trailwatch-athena-111122223333-ap-northeast-1";

  test.each([
    ["the derived archive bucket", archive, "archive.bucketName"],
    ["the derived access-log bucket", accessLogs, "archive.accessLogs.bucketName"],
    ["the derived Athena results bucket", athena, "athena.resultsBucketName"],
  ])("state.bucket equal to %s is refused", (_what, bucket, field) => {
    expect(problems(variant((c) => (c.state.bucket = bucket)))).toEqual([
      `${field}: must differ from state.bucket ("${bucket}"): each trailwatch bucket has its own stack, policy and lifecycle`,
    ]);
  });

  test("explicit names are compared too, and only for buckets that exist", () => {
    expect(
      problems(
        variant((c) => {
          c.archive.bucketName = "shared-bucket";
          c.archive.accessLogs.bucketName = "shared-bucket";
        }),
      ),
    ).toEqual([
      'archive.accessLogs.bucketName: must differ from archive.bucketName ("shared-bucket"): each trailwatch bucket has its own stack, policy and lifecycle (got "shared-bucket")',
    ]);
    // With access logs off there is no access-log bucket to collide with.
    expect(() =>
      parseConfig(
        variant((c) => {
          c.state.bucket = accessLogs;
          c.archive.accessLogs.enabled = false;
        }),
      ),
    ).not.toThrow();
  });

  test("the existing trail's bucket and an adopted bucket take the archive's place", () => {
    const existing = JSON.parse(
      readFileSync(path.join(ROOT, "examples", "existing-trail.json"), "utf8"),
    );
    existing.state.bucket = existing.trail.existing.bucket;
    expect(problems(existing)).toEqual([
      `trail.existing.bucket: must differ from state.bucket ("${existing.state.bucket}"): each trailwatch bucket has its own stack, policy and lifecycle (got "${existing.state.bucket}")`,
    ]);
    // An adopted archive keeps its own name: no default name is derived (or checked) for it.
    const adopted = variant((c) => {
      c.name = "a-very-long-trailwatch-prefix-xx";
      c.adopt = { bucket: "old-trail-bucket" };
      c.archive.accessLogs.bucketName = "access-logs";
      c.athena.resultsBucketName = "athena-results";
      c.state.bucket = "old-trail-bucket";
    });
    expect(problems(adopted)).toEqual([
      'adopt.bucket: must differ from state.bucket ("old-trail-bucket"): each trailwatch bucket has its own stack, policy and lifecycle (got "old-trail-bucket")',
    ]);
  });

  test("data events are refused on the access-log and Athena results buckets, as on the archive", () => {
    const p = problems(
      variant(
        (c) =>
          (c.trail.s3DataEvents = [
            { bucket: accessLogs, readWrite: "WriteOnly" },
            { bucket: `arn:aws:s3:::${athena}/results/`, readWrite: "All" },
            { bucket: "customer-data", readWrite: "All" },
          ]),
      ),
    );
    expect(p).toEqual([
      `trail.s3DataEvents[0].bucket: must not be trailwatch's access-log bucket (archive.accessLogs.bucketName): the trail would log its own writes in a loop (got "${accessLogs}")`,
      `trail.s3DataEvents[1].bucket: must not be trailwatch's Athena results bucket (athena.resultsBucketName): the trail would log its own writes in a loop (got "arn:aws:s3:::${athena}/results/")`,
    ]);
  });
});

describe("days: S3 lifecycle Days is a 32-bit integer; more than 100 years is refused", () => {
  const tooMany = "must be at most 36500 days (100 years; allowed: 1 to 36500)";
  test("archive.retentionDays 1000000000 is refused with the allowed range", () => {
    expect(problems(variant((c) => (c.archive.retentionDays = 1000000000)))).toEqual([
      `archive.retentionDays: ${tooMany} (got 1000000000)`,
    ]);
    expect(
      parseConfig(variant((c) => (c.archive.retentionDays = 36500))).archive.retentionDays,
    ).toBe(36500);
  });

  test("every other field that becomes S3 lifecycle or Object Lock days is bounded", () => {
    const p = problems(
      variant((c) => {
        c.archive.noncurrentVersionDays = 36501;
        c.archive.accessLogs.retentionDays = 36501;
        c.athena.resultsRetentionDays = 36501;
        c.archive.objectLock = { mode: "GOVERNANCE", days: 36501 };
        c.archive.transitions = [{ days: 36501, storageClass: "GLACIER" }];
      }),
    );
    expect(p).toEqual([
      "archive.transitions[0].days: must be at most 36500 days (100 years; allowed: 0 to 36500) (got 36501)",
      `archive.noncurrentVersionDays: ${tooMany} (got 36501)`,
      `archive.objectLock.days: ${tooMany} (got 36501)`,
      `archive.accessLogs.retentionDays: ${tooMany} (got 36501)`,
      `athena.resultsRetentionDays: ${tooMany} (got 36501)`,
    ]);
  });
});

describe("names AWS limits", () => {
  test("trail.name follows CloudTrail's naming rules", () => {
    const rule = (name: string) => problems(variant((c) => (c.trail.name = name)))[0];
    expect(rule("my--trail")).toMatch(/must not have two periods, underscores or dashes in a row/);
    expect(rule("my-_trail")).toMatch(/must not have two periods, underscores or dashes in a row/);
    expect(rule("trail-")).toMatch(/must start and end with a letter or digit/);
    expect(rule("_trail")).toMatch(/must start and end with a letter or digit/);
    expect(rule("192.168.5.4")).toMatch(/must not be formatted as an IP address/);
    expect(rule("t".repeat(129))).toMatch(/must be 3 to 128 characters long/);
    expect(rule("my trail")).toMatch(/may contain only ASCII letters, digits/);
  });

  test("a name that would be an invalid trail name is refused when it names the trail", () => {
    expect(problems(variant((c) => (c.name = "my--watch")))).toEqual([
      'name: names the trail unless trail.name is set, and a CloudTrail trail name must not have two periods, underscores or dashes in a row (e.g. my--trail) (got "my--watch")',
    ]);
    expect(() =>
      parseConfig(variant((c) => ((c.name = "my--watch"), (c.trail.name = "watch")))),
    ).not.toThrow();
  });

  test("trail.name leaves room for the 64-character IAM role named after it", () => {
    expect(() => parseConfig(variant((c) => (c.trail.name = "t".repeat(45))))).not.toThrow();
    expect(problems(variant((c) => (c.trail.name = "t".repeat(46))))).toEqual([
      `trail.name: names the trail's CloudWatch Logs role "${"t".repeat(46)}-cloudtrail-to-logs" (65 characters), and IAM role names are at most 64: use at most 45 characters (got "${"t".repeat(46)}")`,
    ]);
  });

  test("state keys stay within S3's 1024-byte object keys", () => {
    const prefix = Array.from({ length: 32 }, () => "p".repeat(31)).join("/");
    expect(problems(variant((c) => (c.state.keyPrefix = prefix)))).toEqual([
      `state.keyPrefix: is too long: the state key "${prefix}/trailwatch-<region>.tfstate" reaches 1057 bytes, and S3 object keys are at most 1024 (got "${prefix}")`,
    ]);
  });

  test("e-mail addresses are at most 254 characters (RFC 5321)", () => {
    const long = `${"a".repeat(64)}@${"b".repeat(180)}.example.com`;
    expect(problems(variant((c) => (c.alerts.emails = [long])))).toEqual([
      `alerts.emails[0]: not an e-mail address: at most 254 characters (RFC 5321) (got "${long}")`,
    ]);
  });

  /** Name attributes AWS limits (each service's API reference), by Terraform resource type. */
  const LIMITS: Record<string, Record<string, { max: number; pattern?: RegExp }>> = {
    aws_cloudtrail: { name: { max: 128 } },
    aws_cloudwatch_event_rule: {
      name: { max: 64, pattern: /^[.\-_A-Za-z0-9]+$/ },
      description: { max: 512 },
    },
    aws_cloudwatch_event_target: { target_id: { max: 64 } },
    aws_cloudwatch_metric_alarm: { alarm_name: { max: 255 }, alarm_description: { max: 1024 } },
    aws_cloudwatch_log_metric_filter: { name: { max: 512, pattern: /^[^:*]+$/ } },
    aws_cloudwatch_log_group: { name: { max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/ } },
    aws_sns_topic: { name: { max: 256, pattern: /^[A-Za-z0-9_-]+$/ } },
    aws_iam_role: { name: { max: 64, pattern: /^[\w+=,.@-]+$/ }, description: { max: 1000 } },
    aws_iam_role_policy: { name: { max: 128 } },
    aws_kms_alias: { name: { max: 256, pattern: /^alias\/[A-Za-z0-9/_-]+$/ } },
    aws_kms_key: { description: { max: 8192 } },
    aws_athena_workgroup: { name: { max: 128, pattern: /^[A-Za-z0-9._-]+$/ } },
    aws_athena_named_query: { name: { max: 128 }, description: { max: 1024 } },
    aws_glue_catalog_database: { name: { max: 255 } },
    aws_glue_catalog_table: { name: { max: 255 } },
    aws_s3_bucket: { bucket: { max: 63 } },
  };

  test("every name rendered from the longest name and trail name fits its AWS limit", () => {
    const c = parseConfig(
      variant((c) => {
        c.name = "n".repeat(32);
        c.trail.name = "t".repeat(45);
        c.regions = [...DEFAULT_ENABLED_REGIONS];
        c.homeRegion = "ap-southeast-2";
        c.state.region = "ap-southeast-2";
        c.archive.bucketName = "archive-bucket";
        c.archive.accessLogs.bucketName = "access-log-bucket";
        c.athena.resultsBucketName = "athena-results-bucket";
        c.detections = { enable: DETECTION_IDS };
      }),
    );
    const { home, regional } = buildApp(c, Testing.app().outdir);
    let checked = 0;
    const violations: string[] = [];
    for (const stack of [home, ...regional]) {
      const json = synthJson(stack);
      for (const [type, limits] of Object.entries(LIMITS))
        for (const [address, resource] of Object.entries(json.resource[type] ?? {}))
          for (const [attribute, { max, pattern }] of Object.entries(limits)) {
            const value = resource[attribute];
            if (typeof value !== "string" || value.startsWith("${")) continue; // a reference
            const where = `${stack.node.id} ${type}.${address}.${attribute}`;
            const length = [...value].length;
            if (length > max) violations.push(`${where}: ${length} characters, at most ${max}`);
            if (pattern && !pattern.test(value))
              violations.push(`${where}: "${value}" !~ ${pattern}`);
            checked++;
          }
    }
    expect(violations).toEqual([]);
    expect(checked).toBeGreaterThan(150);
  });
});
