import { parseConfig } from "../../src/config/load";
import { actionsFor } from "../../src/containment/config";
import { NAMELESS } from "../../src/detections/catalog";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { configProblems, exampleConfigInput, ROOT } from "../helpers";

const withRemediation = (remediation: unknown, extra: object = {}) => ({
  ...exampleConfigInput(),
  ...extra,
  remediation,
});

describe("remediation configuration", () => {
  test("off by default, with a one-hour link and seven days of Object Lock", () => {
    expect(parseConfig(exampleConfigInput()).remediation).toEqual({
      enabled: false,
      actions: {},
      linkExpiryMinutes: 60,
      objectLockRetentionDays: 7,
    });
  });

  test("the seed's wish: lock the bucket the S3 detection reports", () => {
    const c = parseConfig(
      withRemediation({
        enabled: true,
        actions: { "s3-bucket-created": "lock-s3-bucket" },
        objectLockRetentionDays: 30,
      }),
    );
    expect(c.remediation).toEqual({
      enabled: true,
      actions: { "s3-bucket-created": "lock-s3-bucket" },
      linkExpiryMinutes: 60,
      objectLockRetentionDays: 30,
    });
    expect(
      parseConfig(withRemediation({ objectLockRetentionDays: null })).remediation
        .objectLockRetentionDays,
    ).toBeNull();
  });

  test("examples/containment.json is valid and turns containment on", () => {
    const file = path.join(ROOT, "examples", "containment.json");
    const c = parseConfig(JSON.parse(readFileSync(file, "utf8")));
    expect(c.remediation.enabled).toBe(true);
    expect(c.remediation.actions["s3-bucket-created"]).toBe("lock-s3-bucket");
  });

  test("which detections each action fits, from their conditions", () => {
    const fits = Object.fromEntries(
      NAMELESS.map((d) => [d.id, actionsFor(d)]).filter(([, a]) => a.length > 0),
    );
    expect(fits).toEqual({
      "cis-security-group-changes": ["revoke-public-ingress"],
      "s3-bucket-created": ["lock-s3-bucket"],
      "security-group-rule-changed": ["revoke-public-ingress"],
      "iam-access-key-created": ["deactivate-access-key"],
      // The threat pack's shares, keys, passwords and open ingress.
      "iam-access-key-created-for-user": ["deactivate-access-key"],
      "iam-console-password-set": ["delete-login-profile"],
      "ec2-ami-shared": ["unshare-ami"],
      "ebs-snapshot-shared": ["unshare-ebs-snapshot"],
      "rds-snapshot-shared": ["unshare-rds-snapshot"],
      "security-group-open-to-internet": ["revoke-public-ingress"],
    });
  });

  test("every problem at once, each naming the field, the value and what is allowed", () => {
    const p = configProblems(
      withRemediation({
        enabled: true,
        actions: {
          "s3-bucket-created": "deactivate-access-key",
          "no-such-detection": "lock-s3-bucket",
          "cis-root-usage": "lock-s3-bucket",
          "iam-access-key-created": "delete-the-user",
          "cloudtrail-describe-trails": "lock-s3-bucket",
        },
        linkExpiryMinutes: 2,
        objectLockRetentionDays: 0,
      }),
    );
    expect(p).toEqual([
      expect.stringMatching(
        /^remediation\.actions\.iam-access-key-created: not a containment action; allowed: lock-s3-bucket, deactivate-access-key, .* \(got "delete-the-user"\)$/,
      ),
      "remediation.linkExpiryMinutes: must be at least 5 (got 2)",
      "remediation.objectLockRetentionDays: must be at least 1 day (or null to leave Object Lock off) (got 0)",
    ]);
    // Field errors come first; the cross-field rules run once the fields are valid.
    const q = configProblems(
      withRemediation({
        enabled: true,
        actions: {
          "s3-bucket-created": "deactivate-access-key",
          "no-such-detection": "lock-s3-bucket",
          "cis-root-usage": "lock-s3-bucket",
          "cloudtrail-describe-trails": "lock-s3-bucket",
        },
      }),
    );
    const capable = [
      "cis-security-group-changes",
      "s3-bucket-created",
      "security-group-rule-changed",
      "iam-access-key-created",
      "iam-access-key-created-for-user",
      "iam-console-password-set",
      "ec2-ami-shared",
      "ebs-snapshot-shared",
      "rds-snapshot-shared",
      "security-group-open-to-internet",
    ].join(", ");
    expect(q).toEqual([
      'remediation.actions.s3-bucket-created: deactivate-access-key cannot contain what s3-bucket-created reports; allowed for s3-bucket-created: lock-s3-bucket (got "deactivate-access-key")',
      `remediation.actions.no-such-detection: not a detection id; detections with a containment action: ${capable} (got "lock-s3-bucket")`,
      `remediation.actions.cis-root-usage: cis-root-usage reports nothing a containment action can tighten; detections with one: ${capable} (got "lock-s3-bucket")`,
      expect.stringMatching(
        /^remediation\.actions\.cloudtrail-describe-trails: cloudtrail-describe-trails reports nothing/,
      ),
      expect.stringMatching(
        /^remediation\.actions\.cloudtrail-describe-trails: cloudtrail-describe-trails is not enabled/,
      ),
    ]);
  });

  test("a custom detection can carry a link when its calls are an action's", () => {
    const custom = {
      id: "bucket-created-in-prod",
      title: "Bucket created",
      severity: "high",
      rationale: "Buckets are created through code review only.",
      investigate: "Ask who created it.",
      condition: {
        all: [
          { field: "eventSource", equals: ["s3.amazonaws.com"] },
          { field: "eventName", equals: ["CreateBucket"] },
        ],
      },
    };
    const c = parseConfig(
      withRemediation(
        { enabled: true, actions: { "bucket-created-in-prod": "lock-s3-bucket" } },
        { detections: { custom: [custom] } },
      ),
    );
    expect(c.remediation.actions).toEqual({ "bucket-created-in-prod": "lock-s3-bucket" });
    expect(
      configProblems(
        withRemediation(
          { enabled: true, actions: { "bucket-created-in-prod": "deactivate-access-key" } },
          { detections: { custom: [custom] } },
        ),
      ),
    ).toEqual([
      'remediation.actions.bucket-created-in-prod: deactivate-access-key cannot contain what bucket-created-in-prod reports; allowed for bucket-created-in-prod: lock-s3-bucket (got "deactivate-access-key")',
    ]);
  });

  test("a detection switched off cannot carry links; switching it on fixes it", () => {
    const actions = { "iam-access-key-created": "deactivate-access-key" };
    const off = { detections: { disable: ["iam-access-key-created"] } };
    expect(configProblems(withRemediation({ enabled: true, actions }, off))).toEqual([
      'remediation.actions.iam-access-key-created: iam-access-key-created is not enabled (detections.packs / detections.enable): its notifications, and so its links, are never sent (got "deactivate-access-key")',
    ]);
    expect(() => parseConfig(withRemediation({ enabled: true, actions }))).not.toThrow();
  });

  test("an alarm-delivered detection needs the alarm enrichment, whose message carries its link", () => {
    const actions = { "s3-bucket-created": "lock-s3-bucket" };
    const alerts = { emails: ["security-alerts@example.com"], enrichment: { enabled: false } };
    expect(configProblems(withRemediation({ enabled: true, actions }, { alerts }))).toEqual([
      'remediation.actions.s3-bucket-created: s3-bucket-created is delivered by a CloudWatch alarm, whose links travel in the enriched alarm message: set alerts.enrichment.enabled to true (got "lock-s3-bucket")',
    ]);
  });

  test("enabled without any action is an error; unknown fields are refused", () => {
    expect(configProblems(withRemediation({ enabled: true }))).toEqual([
      'remediation.actions: enable at least one action, e.g. {"s3-bucket-created": "lock-s3-bucket"}; or set remediation.enabled to false',
    ]);
    expect(configProblems(withRemediation({ enabled: false, expiry: 60 }))[0]).toMatch(
      /^remediation: unknown field "expiry"/,
    );
  });
});
