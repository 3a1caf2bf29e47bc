/**
 * The threat pack on the records of the attacks it exists for: every Stratus Red Team AWS
 * technique in stratus.ts is detected on its own records (the real detonation records in
 * fixtures/records.jsonl, or records constructed from its documentation) through both renderings,
 * each detection stays quiet on its near misses (a share removed, a refused call, a call made by
 * an AWS service or by trailwatch itself), and docs/coverage.md is current.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ATTACK_TECHNIQUES, TACTICS } from "../src/detections/attack";
import { catalog } from "../src/detections/catalog";
import { isLeaf, type Condition } from "../src/detections/condition";
import { renderCoverageDocs, stratusCounts } from "../src/detections/coverage-docs";
import { deliversAlarm, eventPatternOf, filterPatternOf } from "../src/detections/render";
import { STRATUS_AWS_TECHNIQUES } from "../src/detections/stratus";
import type { Detection } from "../src/detections/types";
import { alarmDescription } from "../src/constructs/detection-alarms";
import { cloudTrailRecordToEvent } from "../src/patterns/event-envelope";
import { compileEventPattern } from "../src/patterns/event-pattern";
import { compileFilterPattern } from "../src/patterns/filter-pattern";
import { insightsQuery } from "../src/patterns/insights-query";
import { docsInput } from "../scripts/docs-input";
import { ROOT } from "./helpers";
import {
  ALL_RECORDS,
  CONSTRUCTED_RECORDS,
  REAL_RECORDS,
  WATCHED,
  type CloudTrailRecord,
} from "./support/records";

const CATALOG = catalog(WATCHED);
const BY_ID = new Map(CATALOG.map((d) => [d.id, d]));
const THREAT = CATALOG.filter((d) => d.pack === "threat");

/** Whether a detection fires on a record through the filter pattern AND the event pattern. */
const firesCache = new Map<string, (r: CloudTrailRecord) => boolean>();
function fires(d: Detection): (r: CloudTrailRecord) => boolean {
  let f = firesCache.get(d.id);
  if (!f) {
    const filter = compileFilterPattern(filterPatternOf(d));
    const event = compileEventPattern(eventPatternOf(d));
    const types = (d.recordTypes ?? ["AwsApiCall"]) as readonly string[];
    f = (r) => {
      const byFilter = filter(r);
      let envelope;
      try {
        envelope = types.includes(r.eventType) ? cloudTrailRecordToEvent(r) : undefined;
      } catch {
        envelope = undefined; // a record EventBridge would not deliver (no eventType, odd source)
      }
      // The two renderings must agree on every record EventBridge delivers to the rule.
      if (envelope !== undefined && event(envelope) !== byFilter)
        throw new Error(`${d.id}: renderings disagree on ${r.eventID}`);
      return byFilter;
    };
    firesCache.set(d.id, f);
  }
  return f;
}

/** Event names a condition requires (every `eventName` equals it holds). */
function eventNamesOf(c: Condition): string[] {
  if ("all" in c) return c.all.flatMap(eventNamesOf);
  if ("any" in c) return c.any.flatMap(eventNamesOf);
  return isLeaf(c) && "equals" in c && c.field === "eventName" ? c.equals.map(String) : [];
}

/** Records that belong to a Stratus technique: its detonation records, or ones modelled on it. */
function recordsOf(techniqueId: string): CloudTrailRecord[] {
  const re = new RegExp(`\\b${techniqueId.replace(/[.]/g, "\\.")}\\b`);
  return ALL_RECORDS.filter(
    (r) => re.test(r._source) || (r._source === "constructed" && re.test(String(r._modelled_on))),
  );
}

describe("the threat pack", () => {
  test("has 41 detections, on by default, each mapped to ATT&CK techniques trailwatch lists", () => {
    expect(THREAT).toHaveLength(41);
    for (const d of THREAT) {
      expect(d.enabledByDefault).toBe(true);
      expect(d.references.attack?.length).toBeGreaterThan(0);
      for (const t of d.references.attack ?? [])
        expect([d.id, t, ATTACK_TECHNIQUES[t] !== undefined]).toEqual([d.id, t, true]);
      expect(d.rationale.length).toBeGreaterThan(100);
      expect(d.investigate.length).toBeGreaterThan(40);
    }
    // Every technique any detection names is listed, under a known tactic.
    for (const d of CATALOG)
      for (const t of d.references.attack ?? [])
        expect(Object.keys(ATTACK_TECHNIQUES)).toContain(t);
    for (const t of Object.values(ATTACK_TECHNIQUES))
      for (const tactic of t.tactics) expect(TACTICS).toContain(tactic);
  });

  test("volume signals are alarms with their threshold and period stated in the rationale", () => {
    const alarms = THREAT.filter(deliversAlarm);
    expect(alarms.map((d) => d.id).sort()).toEqual(
      [
        "ec2-instance-connect-keys-sent",
        "ec2-password-data-read-burst",
        "ec2-user-data-read-burst",
        "instance-credentials-account-discovery",
        "s3-object-versions-deleted-burst",
        "s3-objects-batch-deleted",
        "s3-sse-c-writes",
        "secretsmanager-batch-read",
        "secretsmanager-secrets-read-burst",
        "ses-sending-enumerated",
        "ssm-secure-parameters-read-burst",
        "ssm-sessions-started",
      ].sort(),
    );
    for (const d of alarms) {
      const a = d.alarm!;
      expect(d.delivery).toBe("alarm");
      expect(d.rationale).toContain(`Alarm: ${a.threshold} `);
      expect(d.rationale).toContain(`in ${a.periodSeconds} s`);
      // The alarm description says everything without being cut at CloudWatch's 1,024 characters.
      expect(alarmDescription(d)).not.toMatch(/\.\.\.$/);
    }
    for (const d of THREAT.filter((x) => !deliversAlarm(x))) expect(d.alarm).toBeUndefined();
    // Alarm notifications link a Logs Insights query of the detection's events.
    for (const d of alarms) expect(insightsQuery(d.condition)).toMatch(/^fields .*\n\| filter /);
  });

  test("read-only calls are marked, so their rules ask for all management events", () => {
    for (const d of THREAT) {
      // What CloudTrail says of the calls the detection matches (readOnly is in every record).
      const firing = ALL_RECORDS.filter((r) => typeof r.readOnly === "boolean" && fires(d)(r));
      expect(firing.length).toBeGreaterThan(0);
      const readOnly = firing.some((r) => r.readOnly === true);
      expect([d.id, d.matchesReadOnly === true]).toEqual([d.id, readOnly]);
    }
  });

  test("only detections whose attempt is the signal count refused calls", () => {
    const succeeded = (c: Condition): boolean =>
      "all" in c
        ? c.all.some(succeeded)
        : isLeaf(c) && c.field === "errorCode" && "exists" in c && !c.exists;
    expect(
      THREAT.filter((d) => !succeeded(d.condition))
        .map((d) => d.id)
        .sort(),
    ).toEqual(
      [
        "ec2-gpu-instances-requested",
        "ec2-password-data-read-burst",
        "ec2-user-data-read-burst",
        "instance-credentials-account-discovery",
        "organizations-leave-attempted",
        "ses-sending-enumerated",
      ].sort(),
    );
  });
});

describe("Stratus Red Team techniques", () => {
  test("all 44 AWS techniques are listed once: 42 detected, 2 out of reach", () => {
    const ids = STRATUS_AWS_TECHNIQUES.map((t) => t.id);
    expect(ids).toHaveLength(44);
    expect(new Set(ids).size).toBe(44);
    for (const id of ids) expect(id).toMatch(/^aws\.[a-z-]+\.[a-z0-9-]+$/);
    expect(stratusCounts()).toEqual({ total: 44, detected: 42, outOfReach: 2 });
    expect(STRATUS_AWS_TECHNIQUES.filter((t) => t.detonationLogs)).toHaveLength(35);
  });

  test("every technique whose detonation records are in the fixtures is in the table", () => {
    const inFixtures = new Set(
      REAL_RECORDS.flatMap(
        (r) => /detonation-logs\/(aws\.[^/#]+)\.json/.exec(r._source)?.[1] ?? [],
      ),
    );
    expect(inFixtures.size).toBeGreaterThan(25);
    for (const id of inFixtures) expect(STRATUS_AWS_TECHNIQUES.map((t) => t.id)).toContain(id);
  });

  test("detections named in the table exist; out-of-reach entries say why and what covers them", () => {
    for (const t of STRATUS_AWS_TECHNIQUES) {
      expect(t.detectedBy.length).toBeGreaterThan(0);
      for (const id of t.detectedBy) expect([t.id, id, BY_ID.has(id)]).toEqual([t.id, id, true]);
      if (t.outOfReach) {
        expect(t.outOfReach).toMatch(/GuardDuty|CloudWatch/);
        expect(t.note).toBeDefined();
      }
    }
  });

  describe.each(STRATUS_AWS_TECHNIQUES.map((t) => [t.id, t] as const))("%s", (_id, t) => {
    const detections = t.detectedBy.map((id) => BY_ID.get(id)!);
    const threat = detections.filter((d) => d.pack === "threat");
    const names = new Set(detections.flatMap((d) => eventNamesOf(d.condition)));
    const own = recordsOf(t.id);
    const ownSignal = own.filter((r) => names.has(r.eventName));

    test("its detonation records with the signal all fire a listed detection", () => {
      const real = ownSignal.filter((r) => r._source !== "constructed");
      for (const r of real)
        expect([r.eventID, detections.some((d) => fires(d)(r))]).toEqual([r.eventID, true]);
    });

    test("a threat-pack detection (or, for console sign-in, the CIS one) fires on its records", () => {
      // Its own records first; where the fixtures hold none with the signal, the real records of
      // other sources (Panther's tests, AWS documentation) with it.
      const firing = [...ownSignal, ...REAL_RECORDS].filter((r) =>
        (threat.length > 0 ? threat : detections).some((d) => fires(d)(r)),
      );
      expect(firing.length).toBeGreaterThan(0);
      if (threat.length === 0) expect(t.id).toBe("aws.initial-access.console-login-without-mfa");
      // Techniques Stratus published no logs for are carried by records written from its docs.
      if (!t.detonationLogs && ownSignal.length > 0)
        expect(firing.some((r) => ownSignal.includes(r))).toBe(true);
    });
  });
});

describe("near misses", () => {
  const nearMisses = CONSTRUCTED_RECORDS.flatMap((r) => {
    const m = /near miss for ([a-z0-9-]+)/.exec(String(r._modelled_on));
    return m && BY_ID.get(m[1])?.pack === "threat" ? [[m[1], r] as const] : [];
  });

  test("the constructed near misses cover many threat detections", () => {
    expect(new Set(nearMisses.map(([id]) => id)).size).toBeGreaterThanOrEqual(18);
  });

  test.each(nearMisses.map(([id, r]) => [id, r.eventName, r] as const))(
    "%s stays quiet on %s",
    (id, _name, r) => {
      expect(fires(BY_ID.get(id)!)(r)).toBe(false);
    },
  );

  test.each(THREAT.map((d) => [d.id, d] as const))(
    "%s: the same records refused stay quiet, unless the attempt is the signal",
    (_id, d) => {
      const firing = ALL_RECORDS.filter((r) => fires(d)(r));
      expect(firing.length).toBeGreaterThan(0);
      const refused = firing.map((r) => ({
        ...r,
        eventID: `${r.eventID}-refused`,
        errorCode: "AccessDenied",
        errorMessage: "User is not authorized to perform this operation",
        responseElements: null,
      }));
      const attemptsCount = /refused|attempt/i.test(d.rationale);
      for (const r of refused) expect([r.eventID, fires(d)(r)]).toEqual([r.eventID, attemptsCount]);
    },
  );

  test("trailwatch's own trail, archive bucket, roles and functions are the watcher's, not the threat pack's", () => {
    const own = CONSTRUCTED_RECORDS.filter(
      (r) =>
        JSON.stringify(r.requestParameters ?? {}).includes(WATCHED.trailName) ||
        JSON.stringify(r.requestParameters ?? {}).includes(WATCHED.archiveBucket) ||
        JSON.stringify(r.requestParameters ?? {}).includes("trailwatch-"),
    );
    expect(own.length).toBeGreaterThan(5);
    for (const r of own)
      for (const d of THREAT)
        expect([d.id, r.eventID, fires(d)(r)]).toEqual([d.id, r.eventID, false]);
  });
});

test("docs/coverage.md is generated from the catalog and stratus.ts (run `npm run docs`)", () => {
  const file = readFileSync(path.join(ROOT, "docs", "coverage.md"), "utf8");
  expect(file).toBe(renderCoverageDocs(docsInput()));
  expect(file).toContain("**42 of 44 detected**");
  for (const t of STRATUS_AWS_TECHNIQUES) expect(file).toContain(`\`${t.id}\``);
});
