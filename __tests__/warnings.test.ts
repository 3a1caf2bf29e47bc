import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { all, any, eq } from "../src/detections/condition";
import { configWarnings, formatWarning } from "../src/warnings";
import { isExampleDomain } from "../src/warnings/example-values";
import { requiredEventSources } from "../src/warnings/security-hub";
import { config, exampleConfigInput, ROOT } from "./helpers";

/** The example configuration made real: an account and addresses nobody reserved for examples. */
const REAL = {
  accountId: "210987654321",
  alerts: { emails: ["secops@corp.invalid.io", "oncall@corp.io"] },
  state: { bucket: "acme-tfstate-210987654321", region: "ap-northeast-1" },
};
const real = (overrides: Record<string, unknown> = {}) => config({ ...REAL, ...overrides });
const lines = (c: ReturnType<typeof config>) => configWarnings(c).map(formatWarning);

describe("example values the newcomer has not replaced", () => {
  test("the committed example warns about its account and its example.com address", () => {
    expect(lines(config())).toEqual([
      "warning: accountId: 111122223333 is an example account of AWS's documentation; set the account to monitor",
      "warning: alerts.emails[0]: security-alerts@example.com is at a domain reserved for examples (RFC 2606): alerts sent there reach nobody",
    ]);
  });

  test("a real account and real addresses give no warning", () => {
    expect(lines(real())).toEqual([]);
  });

  test.each(["123456789012", "444455556666", "777788889999"])(
    "AWS's other documentation account %s is an example too",
    (accountId) => {
      expect(lines(real({ accountId }))).toEqual([
        `warning: accountId: ${accountId} is an example account of AWS's documentation; set the account to monitor`,
      ]);
    },
  );

  test("every address at a reserved domain is named by its position, any case, subdomains too", () => {
    const emails = [
      "a@corp.io",
      "b@mail.EXAMPLE.org",
      "c@example.net",
      "d@host.test",
      "e@x.example",
    ];
    expect(lines(real({ alerts: { emails } }))).toEqual(
      [1, 2, 3, 4].map(
        (i) =>
          `warning: alerts.emails[${i}]: ${emails[i]} is at a domain reserved for examples (RFC 2606): alerts sent there reach nobody`,
      ),
    );
  });

  test.each([
    ["example.com", true],
    ["sub.example.org", true],
    ["example.net.", true],
    ["example.community", false],
    ["myexample.com", false],
    ["examples.com", false],
    ["corp.io", false],
  ])("isExampleDomain(%s) is %s", (domain, expected) => {
    expect(isExampleDomain(domain)).toBe(expected);
  });
});

describe("Security Hub controls the configuration gives up", () => {
  test("the default (compliance) profile gives up nothing", () => {
    expect(lines(real())).toEqual([]);
  });

  test("the cost profile: CloudTrail.1 and CloudWatch.1–14, and the detections it blinds", () => {
    expect(lines(real({ trail: { profile: "cost" } }))).toEqual([
      'warning: trail.profile: "cost" records only write management events and excludes kms.amazonaws.com, rdsdata.amazonaws.com events: Security Hub CloudTrail.1 and CloudWatch.1–14 fail (CloudTrail.1 needs read and write management events with no source excluded; the CloudWatch controls need ReadWriteType All)',
      'warning: trail.profile: "cost" records only write management events: cis-root-usage misses every read-only call it would match (Security Hub CloudWatch.1)',
      'warning: trail.profile: "cost" records only write management events: cis-unauthorized-api-calls misses every read-only call it would match (Security Hub CloudWatch.2)',
      'warning: trail.profile: "cost" excludes kms.amazonaws.com events: cis-cmk-disable-or-deletion can never fire (Security Hub CloudWatch.7)',
      'warning: trail.profile: "cost" excludes kms.amazonaws.com events: watcher-trail-key-changed can never fire',
      // The threat pack's read-only volume signals.
      'warning: trail.profile: "cost" records only write management events: ec2-password-data-read-burst misses every read-only call it would match',
      'warning: trail.profile: "cost" records only write management events: secretsmanager-batch-read misses every read-only call it would match',
      'warning: trail.profile: "cost" records only write management events: secretsmanager-secrets-read-burst misses every read-only call it would match',
      'warning: trail.profile: "cost" records only write management events: ssm-secure-parameters-read-burst misses every read-only call it would match',
      'warning: trail.profile: "cost" records only write management events: instance-credentials-account-discovery misses every read-only call it would match',
      'warning: trail.profile: "cost" records only write management events: ec2-user-data-read-burst misses every read-only call it would match',
      'warning: trail.profile: "cost" records only write management events: ses-sending-enumerated misses every read-only call it would match',
    ]);
  });

  test("the read-only example detection enabled with write-only events is named", () => {
    const w = lines(
      real({ trail: { profile: "cost" }, detections: { enable: ["cloudtrail-describe-trails"] } }),
    );
    expect(w).toContain(
      'warning: trail.profile: "cost" records only write management events: cloudtrail-describe-trails misses every read-only call it would match',
    );
  });

  test("only KMS excluded (compliance profile, explicit override): CloudTrail.1 and CloudWatch.7", () => {
    expect(
      lines(real({ trail: { excludeManagementEventSources: ["kms.amazonaws.com"] } })),
    ).toEqual([
      "warning: trail.excludeManagementEventSources: excludes kms.amazonaws.com events: Security Hub CloudTrail.1 fails (it needs read and write management events with no source excluded)",
      "warning: trail.excludeManagementEventSources: excludes kms.amazonaws.com events: cis-cmk-disable-or-deletion can never fire (Security Hub CloudWatch.7)",
      "warning: trail.excludeManagementEventSources: excludes kms.amazonaws.com events: watcher-trail-key-changed can never fire",
    ]);
  });

  test("the cost profile with every source and read+write back gives up nothing", () => {
    expect(
      lines(
        real({
          trail: { profile: "cost", managementEvents: "All", excludeManagementEventSources: [] },
        }),
      ),
    ).toEqual([]);
  });

  test("read-only management events: the field is named and write detections can never fire", () => {
    const w = lines(real({ trail: { managementEvents: "ReadOnly" } }));
    expect(w[0]).toBe(
      "warning: trail.managementEvents: records only read-only management events: Security Hub CloudTrail.1 and CloudWatch.1–14 fail (CloudTrail.1 needs read and write management events with no source excluded; the CloudWatch controls need ReadWriteType All)",
    );
    expect(w).toContain(
      "warning: trail.managementEvents: records only read-only management events: cis-cmk-disable-or-deletion matches write calls and can never fire (Security Hub CloudWatch.7)",
    );
    // Root usage and access denied include read calls: still seen.
    expect(w.join("\n")).not.toMatch(/cis-root-usage|cis-unauthorized-api-calls/);
  });

  test("a CIS detection turned off gives up its control", () => {
    expect(lines(real({ detections: { disable: ["cis-cmk-disable-or-deletion"] } }))).toEqual([
      "warning: detections.disable: cis-cmk-disable-or-deletion is off: Security Hub CloudWatch.7 fails (it checks for this metric filter and its alarm)",
    ]);
  });

  test("the cis pack off gives up its controls in one warning; a detection enabled back keeps its own", () => {
    const w = lines(
      real({
        detections: {
          packs: { cis: false },
          enable: ["cis-root-usage", "cis-organizations-changes"],
        },
      }),
    );
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(
      /^warning: detections\.packs\.cis: false turns off cis-unauthorized-api-calls, .*cis-vpc-changes: Security Hub CloudWatch\.2–14 fail \(each checks for its metric filter and alarm\)$/,
    );
  });

  test("short log retention, no access logs, no account-level block: CloudWatch.16, CloudTrail.7/S3.9, S3.1", () => {
    expect(
      lines(
        real({
          allowShortRetention: true,
          logGroup: { retentionDays: 90 },
          archive: { accessLogs: { enabled: false } },
          blockAccountPublicAccess: false,
        }),
      ),
    ).toEqual([
      "warning: logGroup.retentionDays: 90 days: Security Hub CloudWatch.16 fails (it needs at least 365)",
      "warning: archive.accessLogs.enabled: false: Security Hub CloudTrail.7 and S3.9 fail (they need server access logging on the trail's bucket)",
      "warning: blockAccountPublicAccess: false: Security Hub S3.1 fails (it needs account-level S3 Block Public Access)",
    ]);
  });
});

describe("requiredEventSources", () => {
  test("a source conjunct constrains, alternatives union, an unconstrained alternative frees it", () => {
    expect(requiredEventSources(eq("eventName", "X"))).toBeUndefined();
    expect([
      ...requiredEventSources(all(eq("eventSource", "kms.amazonaws.com"), eq("eventName", "X")))!,
    ]).toEqual(["kms.amazonaws.com"]);
    expect([
      ...requiredEventSources(
        any(eq("eventSource", "a.amazonaws.com"), eq("eventSource", "b.amazonaws.com")),
      )!,
    ]).toEqual(["a.amazonaws.com", "b.amazonaws.com"]);
    expect(
      requiredEventSources(any(eq("eventSource", "a.amazonaws.com"), eq("eventName", "X"))),
    ).toBeUndefined();
    expect([
      ...requiredEventSources(
        all(
          eq("eventSource", "a.amazonaws.com", "b.amazonaws.com"),
          eq("eventSource", "b.amazonaws.com"),
        ),
      )!,
    ]).toEqual(["b.amazonaws.com"]);
  });
});

const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

describe("npm run synth prints the warnings and still renders", () => {
  const run = (raw: unknown) => {
    const dir = mkdtempSync(path.join(tmpdir(), "trailwatch-warnings-"));
    try {
      writeFileSync(path.join(dir, "c.json"), JSON.stringify(raw));
      // main.ts through tsx, as synth.test.ts does: the cached bundle of scripts/run-synth.js is
      // shared, and two test files rebuilding it at once could read it half-written.
      const r = spawnSync(process.execPath, [TSX, path.join(ROOT, "main.ts")], {
        cwd: dir,
        env: { PATH: process.env.PATH, TRAILWATCH_CONFIG: "c.json" },
        encoding: "utf8",
      });
      return r;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test("the example configuration: warnings on stderr, exit 0, every stack rendered", () => {
    const r = run(exampleConfigInput());
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rendered 2 stack\(s\)/);
    expect(r.stderr).toContain(
      "warning: accountId: 111122223333 is an example account of AWS's documentation",
    );
    expect(r.stderr).toContain("warning: alerts.emails[0]: security-alerts@example.com");
  });

  test("a configuration made real: no warning at all", () => {
    const r = run({ ...exampleConfigInput(), ...REAL });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });
});

test("npm run bootstrap warns about example values too, and still renders the state bucket stack", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailwatch-warnings-"));
  try {
    writeFileSync(path.join(dir, "c.json"), JSON.stringify(exampleConfigInput()));
    const r = spawnSync(process.execPath, [TSX, path.join(ROOT, "scripts", "bootstrap.ts")], {
      cwd: dir,
      env: { PATH: process.env.PATH, TRAILWATCH_CONFIG: "c.json" },
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("rendered bootstrap.out/stacks/trailwatch-bootstrap");
    expect(r.stderr.trim().split("\n")).toEqual([
      "warning: accountId: 111122223333 is an example account of AWS's documentation; set the account to monitor",
      "warning: alerts.emails[0]: security-alerts@example.com is at a domain reserved for examples (RFC 2606): alerts sent there reach nobody",
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
