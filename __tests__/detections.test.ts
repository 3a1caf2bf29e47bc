import { catalog, DETECTION_IDS, enabledDetections } from "../src/detections/catalog";
import {
  CIS_ORGANIZATIONS_PATTERN,
  SECURITY_HUB_PATTERNS,
  STALE_CLOUDWATCH_3_PATTERN,
} from "../src/detections/cis-patterns";
import { detailTypesOf, eventPatternOf, filterPatternOf } from "../src/detections/render";
import { DETAIL_TYPES, type Detection, type RecordType } from "../src/detections/types";
import {
  compileFilterPattern,
  normalizeFilterExpr,
  parseFilterPattern,
} from "../src/patterns/filter-pattern";
import { conditionToFilterExpr } from "../src/patterns/filter-pattern-render";
import { compileEventPattern, validateEventPattern } from "../src/patterns/event-pattern";
import { cloudTrailRecordToEvent } from "../src/patterns/event-envelope";
import {
  ALL_RECORDS,
  CONSTRUCTED_RECORDS,
  REAL_RECORDS,
  WATCHED,
  type CloudTrailRecord,
} from "./support/records";

const DETECTIONS = catalog(WATCHED);
const BY_PACK = new Map(DETECTIONS.map((d) => [d.id, d.pack]));

function envelope(r: CloudTrailRecord) {
  try {
    return cloudTrailRecordToEvent(r);
  } catch {
    return undefined; // e.g. an anonymized eventSource ("..."): EventBridge would never see it
  }
}
const ENVELOPES = new Map(ALL_RECORDS.map((r) => [r, envelope(r)]));

/** Records EventBridge delivers under one of the detection's detail-types. */
function inEventDomain(d: Detection, r: CloudTrailRecord): boolean {
  const types = (d.recordTypes ?? ["AwsApiCall"]) as readonly string[];
  return ENVELOPES.get(r) !== undefined && types.includes(r.eventType);
}

function evaluate(d: Detection) {
  const filter = compileFilterPattern(filterPatternOf(d));
  const event = compileEventPattern(eventPatternOf(d));
  return {
    filter: (r: CloudTrailRecord) => filter(r),
    event: (r: CloudTrailRecord) => {
      const e = ENVELOPES.get(r);
      return e !== undefined && event(e);
    },
  };
}

describe("catalog", () => {
  test("ids are unique, kebab-case, and the same whatever the resource names", () => {
    const ids = DETECTIONS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(ids).toEqual(DETECTION_IDS);
    expect(ids.length).toBe(72);
  });

  test("Security Hub CloudWatch.1-14 each have one CIS detection rendering the documented text verbatim", () => {
    for (const [control, text] of Object.entries(SECURITY_HUB_PATTERNS)) {
      const ds = DETECTIONS.filter((d) => d.references.securityHub === control);
      expect(ds).toHaveLength(1);
      expect(filterPatternOf(ds[0])).toBe(text);
      expect(ds[0].delivery).toBe("alarm");
    }
    const orgs = DETECTIONS.find((d) => d.id === "cis-organizations-changes")!;
    expect(filterPatternOf(orgs)).toBe(CIS_ORGANIZATIONS_PATTERN);
    expect(DETECTIONS.map(filterPatternOf)).not.toContain(STALE_CLOUDWATCH_3_PATTERN);
  });

  test.each(DETECTIONS.filter((d) => d.verbatimFilterPattern).map((d) => [d.id, d]))(
    "%s: the verbatim pattern parses to the same condition as the catalog's",
    (_id, d) => {
      const parsed = parseFilterPattern(d.verbatimFilterPattern!);
      expect(parsed.kind).toBe("json");
      if (parsed.kind !== "json") return;
      expect(normalizeFilterExpr(parsed.expr)).toEqual(
        normalizeFilterExpr(conditionToFilterExpr(d.condition)),
      );
    },
  );

  test("a changed verbatim text would be caught: the stale CloudWatch.3 is a different condition", () => {
    const d = DETECTIONS.find((x) => x.references.securityHub === "CloudWatch.3")!;
    const stale = parseFilterPattern(STALE_CLOUDWATCH_3_PATTERN);
    if (stale.kind !== "json") throw new Error("expected a JSON pattern");
    expect(normalizeFilterExpr(stale.expr)).not.toEqual(
      normalizeFilterExpr(conditionToFilterExpr(d.condition)),
    );
  });

  test("every event pattern is valid, names the right detail-types and matches on detail.eventName or eventSource", () => {
    for (const d of DETECTIONS) {
      const p = eventPatternOf(d);
      expect(validateEventPattern(p)).toEqual([]);
      expect(p["detail-type"]).toEqual(detailTypesOf(d));
      expect(p.source).toBeUndefined(); // source names differ from eventSource prefixes; detail is exact
    }
  });

  test("patterns fit the service limits of a default account: 1,024 characters (PutMetricFilter), 2,048 (PutRule)", () => {
    for (const d of DETECTIONS) {
      expect([d.id, filterPatternOf(d).length <= 1024]).toEqual([d.id, true]);
      expect([d.id, JSON.stringify(eventPatternOf(d)).length <= 2048]).toEqual([d.id, true]);
    }
  });

  test("global detections are the IAM, STS, Organizations and sign-in ones", () => {
    for (const d of DETECTIONS.filter((x) => x.scope === "global")) {
      const p = eventPatternOf(d) as any;
      const sources: string[] = p.detail.eventSource ?? [];
      const signIn = (d.recordTypes ?? []).includes("AwsConsoleSignIn");
      expect(signIn || sources.some((s) => /^(iam|sts|organizations|signin)\./.test(s))).toBe(true);
    }
  });

  test("pack switches, enable and disable", () => {
    const on = (packs: any, enable: string[] = [], disable: string[] = []) =>
      enabledDetections(DETECTIONS, { packs, enable, disable }).map((d) => d.id);
    const all = { cis: true, seed: true, watcher: true, threat: true };
    expect(on(all)).not.toContain("cloudtrail-describe-trails");
    expect(on(all, ["cloudtrail-describe-trails"])).toContain("cloudtrail-describe-trails");
    expect(on(all, [], ["cis-unauthorized-api-calls"])).not.toContain("cis-unauthorized-api-calls");
    expect(on({ ...all, cis: false }).some((id) => id.startsWith("cis-"))).toBe(false);
    expect(on({ ...all, cis: false }, ["cis-root-usage"])).toContain("cis-root-usage");
    expect(on(all)).toHaveLength(71);
    expect(on({ ...all, threat: false }).some((id) => BY_PACK.get(id) === "threat")).toBe(false);
  });
});

describe("fixtures", () => {
  test("real records keep their source note; constructed ones say what they are modelled on", () => {
    expect(REAL_RECORDS).toHaveLength(734);
    for (const r of REAL_RECORDS) expect(r._source).toMatch(/@/);
    for (const r of CONSTRUCTED_RECORDS) {
      expect(r._source).toBe("constructed");
      expect(r._modelled_on).toEqual(expect.any(String));
    }
  });
});

describe.each(DETECTIONS.map((d) => [d.id, d] as const))("detection %s", (_id, d) => {
  const { filter, event } = evaluate(d);
  const firing = ALL_RECORDS.filter((r) => filter(r) && inEventDomain(d, r));

  test("fires on at least one record through both renderings, preferably a real one", () => {
    expect(firing.length).toBeGreaterThan(0);
    for (const r of firing) expect(event(r)).toBe(true);
    const real = firing.filter((r) => r._source !== "constructed");
    // Only detections of trailwatch's own resources, of events no public data set has, or of
    // Stratus techniques published without detonation logs may rely on constructed records.
    if (real.length === 0) expect(["watcher", "seed", "threat"]).toContain(d.pack);
  });

  test("stays quiet on a near miss: the same call or service, another principal, resource or outcome", () => {
    const names = new Set(firing.map((r) => r.eventName));
    const sources = new Set(firing.map((r) => r.eventSource));
    const near = ALL_RECORDS.filter(
      (r) =>
        inEventDomain(d, r) && (names.has(r.eventName) || sources.has(r.eventSource)) && !filter(r),
    );
    expect(near.length).toBeGreaterThan(0);
    for (const r of near) expect(event(r)).toBe(false);
  });

  test("both renderings agree on every record EventBridge would deliver to the rule", () => {
    const disagreements = ALL_RECORDS.filter(
      (r) => inEventDomain(d, r) && filter(r) !== event(r),
    ).map((r) => `${r.eventID} ${r.eventName} filter=${filter(r)}`);
    expect(disagreements).toEqual([]);
  });
});

describe("the published CreateAccessKey rule that could never fire", () => {
  const wrong = compileEventPattern({
    source: ["aws.iam"],
    "detail-type": ["AWS Console Sign In via CloudTrail"],
    detail: { eventSource: ["iam.amazonaws.com"], eventName: ["CreateAccessKey"] },
  });
  const ours = evaluate(DETECTIONS.find((d) => d.id === "iam-access-key-created")!);
  const createAccessKey = REAL_RECORDS.filter((r) => r.eventName === "CreateAccessKey");

  test("matches none of the real CreateAccessKey records; ours matches them", () => {
    expect(createAccessKey.length).toBeGreaterThan(0);
    expect(createAccessKey.filter((r) => ENVELOPES.get(r) && wrong(ENVELOPES.get(r)!))).toEqual([]);
    expect(createAccessKey.filter((r) => ours.event(r)).length).toBeGreaterThan(0);
    expect(
      eventPatternOf(DETECTIONS.find((d) => d.id === "iam-access-key-created")!)["detail-type"],
    ).toEqual([DETAIL_TYPES.AwsApiCall]);
  });

  test("every sign-in detection asks for the sign-in detail-type and every API detection for the API one", () => {
    for (const d of DETECTIONS) {
      const p = eventPatternOf(d) as any;
      const names: string[] = p.detail.eventName ?? [];
      const signInOnly = names.length > 0 && names.every((n) => n === "ConsoleLogin");
      const types = (d.recordTypes ?? ["AwsApiCall"]) as RecordType[];
      if (signInOnly) expect(types).toEqual(["AwsConsoleSignIn"]);
      if (names.includes("CreateAccessKey")) expect(types).toEqual(["AwsApiCall"]);
    }
  });
});
