import { parseConfig } from "../src/config/load";
import { TRANSITION_STORAGE_CLASSES } from "../src/config/fields";
import { buildApp } from "../src/app";
import { Testing } from "cdktf";
import { exampleConfigInput, resourcesOf, synthJson } from "./helpers";

/** Deterministic PRNG (mulberry32) so the generated configurations are the same on every run. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)];

/** Random archive settings; some are invalid and must be refused, the rest must be safe. */
function randomArchive(r: () => number) {
  const retentionDays = pick(r, [30, 180, 364, 365, 400, 730, 2557, 3653]);
  const n = Math.floor(r() * 3);
  const transitions = Array.from({ length: n }, () => ({
    days: pick(r, [0, 10, 30, 60, 90, 120, 365, 400, 1000]),
    storageClass: pick(r, TRANSITION_STORAGE_CLASSES),
  }));
  const objectLock =
    r() < 0.3
      ? { mode: pick(r, ["GOVERNANCE", "COMPLIANCE"]), days: pick(r, [1, 90, 365, 5000]) }
      : undefined;
  return {
    retentionDays,
    transitions,
    noncurrentVersionDays: pick(r, [1, 7, 30, 365]),
    ...(objectLock ? { objectLock } : {}),
    accessLogs: { enabled: r() < 0.5, retentionDays: pick(r, [90, 365]) },
  };
}

function effectiveRetention(config: ReturnType<typeof parseConfig>) {
  const { home } = buildApp(config, Testing.app().outdir);
  const json = synthJson(home);
  const [archiveId] = Object.entries(json.resource.aws_s3_bucket).find(
    ([, b]) => b.bucket === `trailwatch-cloudtrail-111122223333-ap-northeast-1`,
  )!;
  const ref = `\${aws_s3_bucket.${archiveId}.id}`;
  const lifecycle = resourcesOf(json, "aws_s3_bucket_lifecycle_configuration").find(
    (l) => l.bucket === ref,
  );
  const lock = resourcesOf(json, "aws_s3_bucket_object_lock_configuration").find(
    (l) => l.bucket === ref,
  );
  // The trail's log group (not the alarm enrichment function's, /aws/lambda/...).
  const [group] = resourcesOf(json, "aws_cloudwatch_log_group").filter(
    (g) => !String(g.name).startsWith("/aws/lambda/"),
  );
  return { lifecycle, lock, group, bucket: json.resource.aws_s3_bucket[archiveId] };
}

describe("nothing expires logs before the configured retention", () => {
  const r = rng(20261126);
  const cases = Array.from({ length: 40 }, (_, i) => [i, randomArchive(r)] as const);
  let accepted = 0;
  let refused = 0;

  test.each(cases)("generated archive configuration #%i", (_i, archive) => {
    let config;
    try {
      config = parseConfig({ ...exampleConfigInput(), archive });
    } catch (e) {
      refused++;
      // Refused configurations name the archive field at fault.
      expect((e as Error).message).toMatch(/archive\./);
      return;
    }
    accepted++;
    const { lifecycle, lock, bucket } = effectiveRetention(config);
    if (!lifecycle) throw new Error("the archive bucket has no lifecycle configuration");
    for (const rule of lifecycle.rule) {
      // Every rule covers the whole bucket: a narrower filter could not shorten retention either,
      // but a rule for the whole bucket is what the retention statement means.
      expect(rule.filter).toEqual([{ prefix: "" }]);
      for (const e of rule.expiration ?? []) {
        if (e.days !== undefined)
          expect(e.days).toBeGreaterThanOrEqual(config.archive.retentionDays);
        else expect(e).toEqual({ expired_object_delete_marker: true });
      }
      // Transitions move objects, never delete them, and all happen before expiry.
      for (const t of rule.transition ?? [])
        expect(t.days).toBeLessThan(config.archive.retentionDays);
      // Noncurrent expiry only removes versions already replaced or expired.
      for (const nc of rule.noncurrent_version_expiration ?? [])
        expect(nc.noncurrent_days).toBeGreaterThan(0);
    }
    if (config.archive.objectLock) {
      expect(bucket.object_lock_enabled).toBe(true);
      expect(lock!.rule.default_retention.days).toBeLessThanOrEqual(config.archive.retentionDays);
    } else expect(lock).toBeUndefined();
    expect(config.archive.retentionDays).toBeGreaterThanOrEqual(365);
  });

  afterAll(() => {
    // The generator must exercise both paths, or the test proves little.
    expect(accepted).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(5);
  });
});

describe("log group retention", () => {
  test.each([90, 365, 731, 3653])("retention_in_days %i is rendered as configured", (days) => {
    const config = parseConfig({ ...exampleConfigInput(), logGroup: { retentionDays: days } });
    expect(effectiveRetention(config).group.retention_in_days).toBe(days);
  });

  test("under 90 days (log group) or 365 (archive) only with allowShortRetention", () => {
    const short = { ...exampleConfigInput(), logGroup: { retentionDays: 30 } };
    expect(() => parseConfig(short)).toThrow(/logGroup\.retentionDays: must be at least 90/);
    expect(
      effectiveRetention(parseConfig({ ...short, allowShortRetention: true })).group
        .retention_in_days,
    ).toBe(30);
  });
});

describe("stateful resources are guarded", () => {
  test("bucket, key and log group have prevent_destroy; buckets are never force-destroyed", () => {
    const { home } = buildApp(parseConfig(exampleConfigInput()), Testing.app().outdir);
    const json = synthJson(home);
    // Athena query results are disposable: turning Athena off must be able to remove their bucket.
    const results = (r: any) => String(r.bucket ?? "").includes("-athena-");
    // A function's own log group holds its diagnostics, not evidence: it goes with the function.
    const functionLogs = (r: any) => String(r.name ?? "").startsWith("/aws/lambda/");
    for (const type of ["aws_s3_bucket", "aws_kms_key", "aws_cloudwatch_log_group"])
      for (const r of resourcesOf(json, type).filter((x) => !results(x) && !functionLogs(x)))
        expect(r.lifecycle).toEqual({ prevent_destroy: true });
    expect(resourcesOf(json, "aws_cloudwatch_log_group").filter(functionLogs)).toHaveLength(1);
    expect(resourcesOf(json, "aws_s3_bucket").filter(results)).toHaveLength(1);
    for (const b of resourcesOf(json, "aws_s3_bucket")) expect(b.force_destroy).toBe(false);
  });
});
