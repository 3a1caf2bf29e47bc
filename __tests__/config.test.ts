import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { configPath, loadConfigFile, parseConfig } from "../src/config/load";
import { renderConfigJsonSchema } from "../src/config/json-schema";
import { configProblems as problems, exampleConfigInput, ROOT } from "./helpers";

/** The example with `mutate` applied to a deep copy. */
function variant(mutate: (c: any) => void): unknown {
  const c = exampleConfigInput();
  mutate(c);
  return c;
}

describe("configuration", () => {
  test("the committed example is valid and fills in documented defaults", () => {
    const c = parseConfig(exampleConfigInput());
    expect(c.homeRegion).toBe("ap-northeast-1");
    expect(c.trail.profile).toBe("compliance");
    expect(c.logGroup.retentionDays).toBe(365);
    expect(c.allowShortRetention).toBe(false);
    const minimal = parseConfig({
      accountId: "111122223333",
      homeRegion: "eu-west-1",
      regions: ["eu-west-1"],
      state: { bucket: "my-state-bucket", region: "eu-west-1" },
      alerts: { emails: ["a@example.com"] },
    });
    expect(minimal.name).toBe("trailwatch");
    expect(minimal.logGroup.retentionDays).toBe(365);
    expect(minimal.archive.retentionDays).toBe(2557);
    expect(minimal.archive.accessLogs.enabled).toBe(true);
    expect(minimal.state.keyPrefix).toBe("trailwatch");
  });

  test("TRAILWATCH_CONFIG chooses the file, else trailwatch.config.json", () => {
    expect(configPath({}, "/work/x")).toBe("/work/x/trailwatch.config.json");
    expect(configPath({ TRAILWATCH_CONFIG: "conf/prod.json" }, "/work/x")).toBe(
      "/work/x/conf/prod.json",
    );
  });

  test("an unknown region names the field, the value and the allowed codes", () => {
    const p = problems(variant((c) => (c.regions = ["ap-northeast-1", "us-east-9"])));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^regions\[1\]: not an AWS region code; allowed: us-east-1, .*eu-west-1/);
    expect(p[0]).toContain('(got "us-east-9")');
  });

  test("the home region must be among the monitored regions", () => {
    const p = problems(variant((c) => (c.regions = ["us-east-1"])));
    expect(p).toEqual(['homeRegion: must be one of "regions" (us-east-1) (got "ap-northeast-1")']);
  });

  test("a region listed twice is reported", () => {
    const p = problems(variant((c) => (c.regions = ["ap-northeast-1", "ap-northeast-1"])));
    expect(p).toEqual(['regions[1]: is listed twice (also regions[0]) (got "ap-northeast-1")']);
  });

  test("e-mail addresses are checked", () => {
    const p = problems(variant((c) => (c.alerts.emails = ["ok@example.com", "bob@", "x y@z.com"])));
    expect(p).toEqual([
      'alerts.emails[1]: not an e-mail address (expected name@example.com) (got "bob@")',
      'alerts.emails[2]: not an e-mail address (expected name@example.com) (got "x y@z.com")',
    ]);
  });

  test("without channels, at least one e-mail address: the default route must reach someone", () => {
    expect(problems(variant((c) => (c.alerts.emails = [])))).toEqual([
      'alerts.emails: no channel receives the route "default" (severities critical, high, medium, low and trailwatch\'s own failure alarms): add an address to alerts.emails, or a channel without "routes" or with "default" among them (got [])',
    ]);
  });

  test.each([
    ["Upper-Case", "may contain only lowercase letters"],
    ["ab", "must be 3 to 63 characters long"],
    ["a".repeat(64), "must be 3 to 63 characters long"],
    ["my..bucket", "must not contain two adjacent dots"],
    ["192.168.5.4", "must not be formatted as an IP address"],
    ["xn--bucket", 'must not start with "xn--"'],
    ["bucket-s3alias", 'must not end with "-s3alias"'],
    ["-bucket", "must begin and end with a letter or digit"],
  ])("S3 bucket naming rules: %s", (name, message) => {
    const p = problems(variant((c) => (c.state.bucket = name)));
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(`state.bucket: not a valid S3 bucket name: `);
    expect(p[0]).toContain(message);
    expect(p[0]).toContain(`(got ${JSON.stringify(name)})`);
  });

  test("a default bucket name that would break the naming rules asks for an explicit name", () => {
    const p = problems(
      variant((c) => {
        c.name = "a-very-long-trailwatch-prefix-xx";
        delete c.athena;
      }),
    );
    expect(p[0]).toMatch(
      /^archive\.bucketName: the default name ".*" \(from name, accountId and homeRegion\) must be 3 to 63 characters long; set archive\.bucketName explicitly$/,
    );
  });

  test("log group retention must be a value CloudWatch Logs accepts", () => {
    const p = problems(variant((c) => (c.logGroup.retentionDays = 100)));
    expect(p).toEqual([
      "logGroup.retentionDays: not a CloudWatch Logs retention value; allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 100)",
    ]);
  });

  test("short retention is refused unless allowShortRetention is set", () => {
    const short = variant((c) => {
      c.logGroup.retentionDays = 30;
      c.archive.retentionDays = 180;
      c.archive.transitions = [{ days: 30, storageClass: "STANDARD_IA" }];
    });
    expect(problems(short)).toEqual([
      "archive.retentionDays: must be at least 365 (CIS and PCI DSS keep a year of logs); set allowShortRetention: true to allow less (got 180)",
      "logGroup.retentionDays: must be at least 90; set allowShortRetention: true to allow less (got 30)",
    ]);
    const allowed = parseConfig({ ...(short as object), allowShortRetention: true });
    expect(allowed.archive.retentionDays).toBe(180);
  });

  test("lifecycle transitions must be ordered, colder, 30 days apart after IA, and before expiry", () => {
    const p = problems(
      variant((c) => {
        c.archive.retentionDays = 400;
        c.archive.transitions = [
          { days: 90, storageClass: "GLACIER" },
          { days: 60, storageClass: "STANDARD_IA" },
          { days: 70, storageClass: "DEEP_ARCHIVE" },
          { days: 500, storageClass: "DEEP_ARCHIVE" },
        ];
      }),
    );
    const order =
      "STANDARD_IA < INTELLIGENT_TIERING < ONEZONE_IA < GLACIER_IR < GLACIER < DEEP_ARCHIVE";
    expect(p).toEqual([
      "archive.transitions[1].days: must be greater than the previous transition's 90 days (transitions are ordered) (got 60)",
      `archive.transitions[1].storageClass: must be a colder class than GLACIER; allowed order: ${order} (got "STANDARD_IA")`,
      "archive.transitions[2].days: objects must stay 30 days in STANDARD_IA before the next transition (at least 90) (got 70)",
      `archive.transitions[3].storageClass: must be a colder class than DEEP_ARCHIVE; allowed order: ${order} (got "DEEP_ARCHIVE")`,
      "archive.transitions[3].days: must be less than archive.retentionDays (400); a transition at or after expiry never happens (got 500)",
    ]);
  });

  test("Standard-IA needs 30 days", () => {
    const p = problems(
      variant((c) => (c.archive.transitions = [{ days: 10, storageClass: "STANDARD_IA" }])),
    );
    expect(p).toEqual(["archive.transitions[0].days: STANDARD_IA needs at least 30 days (got 10)"]);
  });

  test("Object Lock mode and days are checked", () => {
    const p = problems(variant((c) => (c.archive.objectLock = { mode: "STRICT", days: 365 })));
    expect(p).toEqual([
      expect.stringMatching(
        /^archive\.objectLock\.mode: .*"GOVERNANCE".*"COMPLIANCE".* \(got "STRICT"\)$/,
      ),
    ]);
    const q = problems(variant((c) => (c.archive.objectLock = { mode: "COMPLIANCE", days: 9999 })));
    expect(q).toEqual([
      "archive.objectLock.days: must not exceed archive.retentionDays (2557): expiry cannot remove locked versions (got 9999)",
    ]);
  });

  test("data-event buckets are bucket names or S3 ARNs, never the archive itself", () => {
    const p = problems(
      variant((c) => {
        c.archive.bucketName = "my-trail-archive";
        c.trail.s3DataEvents = [
          { bucket: "customer-data", readWrite: "All" },
          { bucket: "arn:aws:s3:::customer-data/uploads/", readWrite: "WriteOnly" },
          { bucket: "arn:aws:s3:::Bad_Bucket", readWrite: "All" },
          { bucket: "my-trail-archive", readWrite: "All" },
          { bucket: "ok-bucket", readWrite: "Sometimes" },
        ];
      }),
    );
    expect(p).toEqual([
      expect.stringMatching(
        /^trail\.s3DataEvents\[2\]\.bucket: must be an S3 bucket name or an ARN arn:aws:s3:::<bucket>\[\/<prefix>\]; .* \(got "arn:aws:s3:::Bad_Bucket"\)$/,
      ),
      expect.stringMatching(
        /^trail\.s3DataEvents\[4\]\.readWrite: .*"All".*"ReadOnly".*"WriteOnly".* \(got "Sometimes"\)$/,
      ),
      'trail.s3DataEvents[3].bucket: must not be trailwatch\'s log archive bucket (archive.bucketName): the trail would log its own writes in a loop (got "my-trail-archive")',
    ]);
    expect(
      problems(
        variant((c) => {
          c.archive.bucketName = "my-trail-archive";
          c.trail.s3DataEvents = [{ bucket: "arn:aws:s3:::my-trail-archive", readWrite: "All" }];
        }),
      ),
    ).toEqual([
      'trail.s3DataEvents[0].bucket: must not be trailwatch\'s log archive bucket (archive.bucketName): the trail would log its own writes in a loop (got "arn:aws:s3:::my-trail-archive")',
    ]);
  });

  test("the default archive bucket name is refused as a data-event bucket too", () => {
    const p = problems(
      variant((c) => {
        c.trail.s3DataEvents = [
          { bucket: "trailwatch-cloudtrail-111122223333-ap-northeast-1", readWrite: "WriteOnly" },
        ];
      }),
    );
    expect(p).toEqual([
      'trail.s3DataEvents[0].bucket: must not be trailwatch\'s log archive bucket (archive.bucketName): the trail would log its own writes in a loop (got "trailwatch-cloudtrail-111122223333-ap-northeast-1")',
    ]);
  });

  test("unknown fields, missing fields and the profile are reported", () => {
    const p = problems(
      variant((c) => {
        c.trial = {};
        delete c.accountId;
        c.trail.profile = "cheap";
      }),
    );
    expect(p).toEqual(
      expect.arrayContaining([
        "accountId: required (the 12-digit id of the AWS account trailwatch is deployed into)",
        expect.stringMatching(/^trail\.profile: .*"compliance".*"cost".* \(got "cheap"\)$/),
        '(top level): unknown field "trial"; see trailwatch.schema.json for the allowed fields',
      ]),
    );
    expect(p).toHaveLength(3);
  });

  test("every problem is reported at once", () => {
    const p = problems(
      variant((c) => {
        c.accountId = "12345";
        c.homeRegion = "mars-1";
        c.alerts.emails = ["nope"];
        c.logGroup.retentionDays = 13;
        c.state.bucket = "Bad";
      }),
    );
    expect(p.map((x) => x.split(":")[0]).sort()).toEqual(
      [
        "accountId",
        "alerts.emails[0]",
        "homeRegion",
        "logGroup.retentionDays",
        "state.bucket",
      ].sort(),
    );
  });

  test("unreadable and malformed files name the problem", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "trailwatch-config-"));
    try {
      const bad = path.join(dir, "bad.json");
      writeFileSync(bad, '{ "name": ');
      expect(() => loadConfigFile(bad)).toThrow(
        `${bad}: 1 problem in the configuration:\n  - ${bad}:1:11: JSON syntax error: expected a value`,
      );
      expect(() => loadConfigFile(path.join(dir, "missing.json"))).toThrow(/cannot read the file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the committed JSON Schema is generated from the zod schema and referenced by the example", () => {
    const committed = readFileSync(path.join(ROOT, "trailwatch.schema.json"), "utf8");
    expect(committed).toBe(renderConfigJsonSchema()); // run `npm run schema` when this fails
    expect(exampleConfigInput().$schema).toBe("./trailwatch.schema.json");
    const schema = JSON.parse(committed);
    expect(schema.required).toEqual(
      expect.arrayContaining(["accountId", "homeRegion", "regions", "state", "alerts"]),
    );
    expect(schema.properties.logGroup.properties.retentionDays.enum).toContain(365);
    expect(schema.properties.homeRegion.enum).toContain("ap-northeast-1");
    expect(schema.additionalProperties).toBe(false);
  });
});

describe("configuration: detections", () => {
  test("unknown detection ids are refused with the allowed ids", () => {
    const p = problems(
      variant((c) => (c.detections = { enable: ["root-login"], disable: ["cis-root-usage"] })),
    );
    expect(p).toEqual([
      expect.stringMatching(
        /^detections\.enable\[0\]: not a detection id; allowed: cis-root-usage, cis-unauthorized-api-calls, .* \(got "root-login"\)$/,
      ),
    ]);
  });

  test("a detection both enabled and disabled is refused", () => {
    const p = problems(
      variant((c) => (c.detections = { enable: ["cis-root-usage"], disable: ["cis-root-usage"] })),
    );
    expect(p).toEqual([
      'detections.enable[0]: is also listed in detections.disable (got "cis-root-usage")',
    ]);
  });

  test("alarm tuning: valid CloudWatch periods, threshold >= 1, alarm detections only", () => {
    const p = problems(
      variant(
        (c) =>
          (c.detections = {
            alarms: {
              "cis-unauthorized-api-calls": { periodSeconds: 90, threshold: 0 },
              "iam-access-key-created": { threshold: 2 },
            },
          }),
      ),
    );
    expect(p).toEqual([
      "detections.alarms.cis-unauthorized-api-calls.periodSeconds: must be a multiple of 60 from 60 to 86400 seconds (CloudWatch alarm periods; 10, 20 and 30 s need high-resolution metrics, which metric filters do not publish) (got 90)",
      "detections.alarms.cis-unauthorized-api-calls.threshold: must be at least 1 (got 0)",
      expect.stringMatching(
        /^detections\.alarms\.iam-access-key-created: .* is delivered by EventBridge/,
      ),
    ]);
    const q = problems(
      variant((c) => (c.detections = { alarms: { "iam-access-key-created": { threshold: 2 } } })),
    );
    expect(q).toEqual([
      expect.stringMatching(
        /^detections\.alarms\.iam-access-key-created: iam-access-key-created is delivered by EventBridge, not an alarm; alarms can be tuned for: cis-root-usage, .*s3-bucket-created, ec2-instances-launched, cloudtrail-describe-trails, ssm-sessions-started, .*, s3-sse-c-writes \(got \{"threshold":2\}\)$/,
      ),
    ]);
  });

  const tuned = (t: object) =>
    variant((c) => (c.detections = { alarms: { "cis-unauthorized-api-calls": t } }));

  test("alarm tuning: sub-minute periods are refused (metric filters publish one-minute data)", () => {
    expect(problems(tuned({ periodSeconds: 10 }))).toEqual([
      expect.stringMatching(
        /^detections\.alarms\.cis-unauthorized-api-calls\.periodSeconds: must be a multiple of 60 .* \(got 10\)$/,
      ),
    ]);
  });

  test("alarm tuning: period × evaluationPeriods within CloudWatch's one day (periods under an hour) or seven days", () => {
    expect(
      parseConfig(tuned({ periodSeconds: 60, evaluationPeriods: 1440 })).detections.alarms,
    ).toEqual({
      "cis-unauthorized-api-calls": { periodSeconds: 60, evaluationPeriods: 1440 },
    });
    expect(problems(tuned({ periodSeconds: 300, evaluationPeriods: 289 }))).toEqual([
      "detections.alarms.cis-unauthorized-api-calls.evaluationPeriods: periodSeconds × evaluationPeriods is 86700 s; CloudWatch allows at most 86400 s (one day for periods under an hour), so at most 288 periods of 300 s (got 289)",
    ]);
    expect(() => parseConfig(tuned({ periodSeconds: 3600, evaluationPeriods: 168 }))).not.toThrow();
    expect(problems(tuned({ periodSeconds: 3600, evaluationPeriods: 169 }))).toEqual([
      "detections.alarms.cis-unauthorized-api-calls.evaluationPeriods: periodSeconds × evaluationPeriods is 608400 s; CloudWatch allows at most 604800 s (seven days), so at most 168 periods of 3600 s (got 169)",
    ]);
  });

  test("alarm tuning: datapointsToAlarm is at most evaluationPeriods", () => {
    expect(problems(tuned({ evaluationPeriods: 2, datapointsToAlarm: 3 }))).toEqual([
      "detections.alarms.cis-unauthorized-api-calls.datapointsToAlarm: must be at most evaluationPeriods (2) (got 3)",
    ]);
    expect(problems(tuned({ datapointsToAlarm: 2 }))).toEqual([
      "detections.alarms.cis-unauthorized-api-calls.datapointsToAlarm: must be at most evaluationPeriods (1, the default) (got 2)",
    ]);
    expect(problems(tuned({ datapointsToAlarm: 0 }))).toEqual([
      "detections.alarms.cis-unauthorized-api-calls.datapointsToAlarm: must be at least 1 (got 0)",
    ]);
  });
});
