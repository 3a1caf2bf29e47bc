/**
 * Sigma rules (and correlation rules) to `detections.custom` entries.
 *
 * Per rule: only AWS CloudTrail rules convert (`logsource: product: aws, service: cloudtrail`);
 * the detection becomes a `Condition` (convert-condition.ts); `level` becomes the severity
 * (informational -> low); `attack.tNNNN[.NNN]` tags become ATT&CK references; the rule's id,
 * title, author, licence and source file go into `references.sigma`, and "Sigma rule ... by
 * <author> (<licence>)" into `attribution`, which every notification carries (the Detection Rule
 * License 1.1 of SigmaHQ's rules requires the author in messages based on matches).
 *
 * Counting: an `event_count` correlation without `group-by`, or the obsolete `| count() > n`
 * with a `timeframe`, becomes an alarm: at least N matches in one period of the timespan (a
 * CloudWatch alarm evaluates fixed periods, not a sliding window: a warning says so). Grouped
 * counts, distinct-value counts, temporal and `near` correlations are refused.
 *
 * Every converted detection is rendered in all three languages within the service limits
 * (src/detections/renderable.ts) before it is accepted; a rule that fails is refused with the
 * renderer's reason. Refusals never stop the other rules.
 */
import * as path from "node:path";
import { GLOBAL_EVENTS_REGION } from "../config/regions";
import { DETECTION_IDS } from "../detections/catalog";
import { isLeaf, leafOperator, type Condition } from "../detections/condition";
import { customDetection } from "../detections/custom";
import { renderingProblems } from "../detections/renderable";
import type { RecordType, Severity } from "../detections/types";
import {
  customDetectionEntry,
  RULE_NAME_MAX_LENGTH,
  type CustomDetectionInput,
} from "../config/custom-detections";
import {
  simplify,
  SigmaConversionError,
  sigmaRuleCondition,
  type SpellingMode,
} from "./convert-condition";
import {
  parseSigmaFile,
  timespanSeconds,
  type SigmaCorrelation,
  type SigmaMetadata,
  type SigmaRule,
} from "./rule";

export interface SigmaSource {
  /** The file as given on the command line; recorded as the rule's source. */
  readonly file: string;
  readonly text: string;
}

export interface SigmaConversionOptions {
  /** The configuration's `name`: rule names are `<name>-<id>`, at most 64 characters. */
  readonly name: string;
  /** Licence of rules that state none (e.g. "DRL-1.1" for SigmaHQ's). */
  readonly license?: string;
  /** Delivery of single-event rules. @default "event" */
  readonly delivery?: "alarm" | "event" | "both";
  /** The configuration's regions, to say when events of global services could be missed. */
  readonly regions?: readonly string[];
  /** Ids already used (catalog ids are always reserved). */
  readonly reservedIds?: readonly string[];
  /** Ids to keep for rules converted before, by Sigma rule id (so re-converting updates them). */
  readonly idsBySigmaId?: ReadonlyMap<string, string>;
}

export interface ConvertedRule {
  readonly file: string;
  readonly title: string;
  readonly detection: CustomDetectionInput;
  /** Where the converted detection may miss what the Sigma rule matches. */
  readonly warnings: readonly string[];
}

export interface RefusedRule {
  readonly file: string;
  readonly title?: string;
  readonly reasons: readonly string[];
}

export interface SigmaConversion {
  readonly converted: readonly ConvertedRule[];
  readonly refused: readonly RefusedRule[];
}

const SEVERITY: Record<string, Severity> = {
  informational: "low",
  low: "low",
  medium: "medium",
  high: "high",
  critical: "critical",
};

const ALL_RECORD_TYPES: readonly RecordType[] = [
  "AwsApiCall",
  "AwsConsoleSignIn",
  "AwsConsoleAction",
  "AwsServiceEvent",
];

/** Services whose events reach EventBridge in us-east-1 only (src/detections/types.ts, Scope). */
const GLOBAL_SOURCES = [
  "iam.amazonaws.com",
  "sts.amazonaws.com",
  "organizations.amazonaws.com",
  "signin.amazonaws.com",
];

/**
 * Read-only calls reach a rule only in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS; those
 * whose names start with these verbs never reach an ENABLED rule (EventBridge User Guide,
 * "Receiving read-only management events from AWS services").
 */
const READ_ONLY_VERBS = ["Describe", "Get", "List"];

type Document = { file: string; index: number; doc: SigmaRule | SigmaCorrelation };

/** Values a condition requires a top-level field to take: exact values and prefixes. */
function required(
  c: Condition,
  field: string,
): { exact: string[]; prefixes: string[] } | undefined {
  if (isLeaf(c)) {
    if (c.field !== field) return undefined;
    const op = leafOperator(c);
    if (op.op === "equals") return { exact: op.values.map(String), prefixes: [] };
    if (op.op === "prefix") return { exact: [], prefixes: [op.text] };
    return undefined;
  }
  if ("all" in c) {
    for (const part of c.all) {
      const r = required(part, field);
      if (r) return r;
    }
    return undefined;
  }
  const parts = c.any.map((p) => required(p, field));
  if (parts.some((p) => p === undefined)) return undefined;
  return {
    exact: parts.flatMap((p) => p!.exact),
    prefixes: parts.flatMap((p) => p!.prefixes),
  };
}

function recordTypesOf(c: Condition): RecordType[] {
  const r = required(c, "eventType");
  if (!r || r.prefixes.length > 0) return [...ALL_RECORD_TYPES];
  const types = ALL_RECORD_TYPES.filter((t) => r.exact.includes(t));
  return types.length > 0 ? types : [...ALL_RECORD_TYPES];
}

function scopeOf(
  c: Condition,
  warnings: string[],
  regions: readonly string[] | undefined,
): "global" | "regional" {
  const r = required(c, "eventSource");
  const watchesUsEast1 = regions?.includes(GLOBAL_EVENTS_REGION) ?? false;
  if (!r || r.prefixes.length > 0) {
    if (!watchesUsEast1)
      warnings.push(
        `the rule names no eventSource: its EventBridge rule runs in every monitored region, but IAM, STS, Organizations and console sign-in events reach EventBridge only in ${GLOBAL_EVENTS_REGION}; add ${GLOBAL_EVENTS_REGION} to regions to see them`,
      );
    return "regional";
  }
  const global = r.exact.filter((s) => GLOBAL_SOURCES.includes(s));
  if (global.length === r.exact.length) return "global";
  if (global.length > 0 && !watchesUsEast1)
    warnings.push(
      `${global.join(", ")} events reach EventBridge only in ${GLOBAL_EVENTS_REGION}, which is not among regions: the rule runs in every monitored region and misses them there`,
    );
  return "regional";
}

function matchesReadOnly(c: Condition): boolean {
  const r = required(c, "eventName");
  if (!r) return true;
  const readOnly = (name: string) =>
    READ_ONLY_VERBS.some((v) => name.startsWith(v) || v.startsWith(name));
  return r.exact.some(readOnly) || r.prefixes.some(readOnly);
}

/** `attack.t1078.004` -> `T1078.004`. */
function attackTechniques(tags: readonly string[]): string[] {
  const ids = tags
    .map((t) => /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t.trim())?.[1].toUpperCase())
    .filter((t): t is string => t !== undefined);
  return [...new Set(ids)];
}

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 3)}...`);

function investigateText(meta: SigmaMetadata, fields: readonly string[]): string {
  const look = fields.length
    ? `Check ${fields.join(", ")} in the matching event.`
    : "Check who made the call (userIdentity), from where (sourceIPAddress, userAgent) and on what (requestParameters).";
  const fp = meta.falsepositives.filter((f) => !/^(unknown|none)$/i.test(f.trim()));
  return clip(`${look}${fp.length ? ` Known false positives: ${fp.join("; ")}.` : ""}`, 1000);
}

class Ids {
  private readonly taken: Set<string>;

  constructor(
    private readonly max: number,
    reserved: readonly string[],
  ) {
    this.taken = new Set([...DETECTION_IDS, ...reserved]);
  }

  /** `sigma-<file stem>`, without a leading "aws"/"cloudtrail", cut to fit at a word boundary. */
  next(file: string, suffix: string | undefined, sigmaId: string | undefined): string {
    const words = path
      .basename(file)
      .replace(/\.ya?ml$/i, "")
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
    while (words.length > 1 && (words[0] === "aws" || words[0] === "cloudtrail")) words.shift();
    if (suffix)
      words.push(
        ...suffix
          .toLowerCase()
          .split(/[^a-z0-9]+/)
          .filter(Boolean),
      );
    const fit = (ws: string[], tail = "") => {
      const room = this.max - tail.length;
      let id = "sigma";
      for (const w of ws) {
        if (`${id}-${w}`.length > room) break;
        id = `${id}-${w}`;
      }
      return `${id}${tail}`;
    };
    let id = fit(words);
    if (this.taken.has(id)) {
      const hash = (sigmaId ?? file)
        .toLowerCase()
        .replace(/[^a-z0-9]/g, "")
        .slice(0, 6);
      id = fit(words, `-${hash}`);
      for (let n = 2; this.taken.has(id); n++) id = fit(words, `-${hash}-${n}`);
    }
    this.taken.add(id);
    return id;
  }
}

function refusal(file: string, title: string | undefined, e: unknown): RefusedRule {
  if (e instanceof SigmaConversionError) return { file, title, reasons: e.reasons };
  throw e;
}

/** The alarm for a count: at least `threshold` matches in one period of `seconds`. */
function countAlarm(
  comparator: string,
  value: number,
  seconds: number,
  what: string,
): { threshold: number; periodSeconds: number; warning: string } {
  const reasons: string[] = [];
  let threshold = Number.NaN;
  if (comparator === ">" || comparator === "gt") threshold = Math.floor(value) + 1;
  else if (comparator === ">=" || comparator === "gte") threshold = Math.ceil(value);
  else
    reasons.push(
      `${what}: only "more than" / "at least" counts are alarms (got ${comparator} ${value})`,
    );
  if (threshold < 1) reasons.push(`${what}: a count of ${value} or less is not an alarm`);
  if (seconds % 60 !== 0 || seconds < 60 || seconds > 86400)
    reasons.push(
      `${what}: the timespan of ${seconds} s is not a CloudWatch alarm period on a metric filter (whole minutes from 1 minute to 1 day)`,
    );
  if (reasons.length) throw new SigmaConversionError(reasons);
  return {
    threshold,
    periodSeconds: seconds,
    warning: `counted by a CloudWatch alarm over fixed ${seconds}-second periods, not a sliding window: ${threshold} matches split across two periods may not reach the threshold in either`,
  };
}

/** What a document converts from: its rules' conditions, and an alarm when it counts. */
interface Plan {
  readonly rules: readonly SigmaRule[];
  readonly alarm?: { readonly threshold: number; readonly periodSeconds: number };
  readonly warnings: readonly string[];
  readonly fields: readonly string[];
  /** For a correlation: the rules it correlates, for `references.sigma.source`. */
  readonly related: readonly string[];
}

function logsourceProblem(r: SigmaRule): string | undefined {
  const product = r.logsource.product?.toLowerCase();
  const service = r.logsource.service?.toLowerCase();
  if (product === "aws" && service === "cloudtrail") return undefined;
  return `logsource ${JSON.stringify(r.logsource)}: only AWS CloudTrail rules (product: aws, service: cloudtrail) convert`;
}

function rulePlan(rule: SigmaRule): Plan {
  const problem = logsourceProblem(rule);
  if (problem) throw new SigmaConversionError([problem]);
  const reasons: string[] = [];
  const warnings: string[] = [];
  let alarm: Plan["alarm"];
  const aggregations = rule.conditions.filter((c) => c.aggregation);
  if (aggregations.length > 0) {
    const a = aggregations[0].aggregation!;
    const what = `aggregation "| ${a.text}"`;
    if (rule.conditions.length > 1)
      reasons.push(`${what}: a list of conditions with an aggregation cannot be one alarm`);
    else if (a.func === "near")
      reasons.push(
        `${what}: "near" needs events correlated in time, which neither a metric filter nor an event pattern keeps`,
      );
    else if (a.func !== "count" || a.field)
      reasons.push(
        `${what}: only counting matching events converts (a metric filter cannot count distinct values or sum fields)`,
      );
    else if (a.groupBy)
      reasons.push(
        `${what}: counting per ${a.groupBy} needs one counter per value; a CloudWatch metric filter counts every match together (drop "by ${a.groupBy}" to count account-wide, or query Athena)`,
      );
    else if (!rule.timeframe) reasons.push(`${what} needs a timeframe`);
    else
      try {
        const c = countAlarm(a.comparator!, a.value!, timeframeSeconds(rule.timeframe, what), what);
        alarm = { threshold: c.threshold, periodSeconds: c.periodSeconds };
        warnings.push(c.warning);
      } catch (e) {
        if (!(e instanceof SigmaConversionError)) throw e;
        reasons.push(...e.reasons);
      }
  }
  try {
    sigmaRuleCondition(rule); // collects the detection's own reasons with the aggregation's
  } catch (e) {
    if (!(e instanceof SigmaConversionError)) throw e;
    reasons.unshift(...e.reasons);
  }
  if (reasons.length) throw new SigmaConversionError(reasons);
  return { rules: [rule], alarm, warnings, fields: rule.fields, related: [] };
}

function correlationPlan(c: SigmaCorrelation, find: (ref: string) => SigmaRule | undefined): Plan {
  const what = `correlation ${c.type}`;
  const reasons: string[] = [];
  const warnings: string[] = [];
  if (c.type !== "event_count")
    reasons.push(
      `${what}: only event_count converts (an alarm on a count of matches); ${c.type} needs ${c.type.startsWith("temporal") ? "events of several rules related in time" : "values aggregated across events"}, which a metric filter does not keep`,
    );
  if (c.groupBy.length)
    reasons.push(
      `${what} grouped by ${c.groupBy.join(", ")}: a CloudWatch metric filter counts every match together, not per value (drop group-by to count account-wide, or query Athena)`,
    );
  if (c.condition.length !== 1)
    reasons.push(`${what}: a range of counts is not an alarm threshold`);
  const rules: SigmaRule[] = [];
  for (const ref of c.rules) {
    const rule = find(ref);
    if (!rule) {
      reasons.push(`${what}: no rule with id or name "${ref}" among the files converted together`);
      continue;
    }
    rules.push(rule);
    const problem = logsourceProblem(rule);
    if (problem) reasons.push(`rule "${rule.title}": ${problem}`);
    if (rule.conditions.some((x) => x.aggregation))
      reasons.push(`rule "${rule.title}" has its own aggregation`);
    try {
      sigmaRuleCondition(rule);
    } catch (e) {
      if (!(e instanceof SigmaConversionError)) throw e;
      reasons.push(...e.reasons.map((x) => `rule "${rule.title}": ${x}`));
    }
  }
  let alarm: Plan["alarm"];
  if (c.condition.length === 1)
    try {
      const a = countAlarm(c.condition[0].op, c.condition[0].value, c.timespanSeconds, what);
      alarm = { threshold: a.threshold, periodSeconds: a.periodSeconds };
      warnings.push(a.warning);
    } catch (e) {
      if (!(e instanceof SigmaConversionError)) throw e;
      reasons.push(...e.reasons);
    }
  if (reasons.length) throw new SigmaConversionError(reasons);
  return {
    rules,
    alarm,
    warnings,
    fields: [...new Set(rules.flatMap((r) => r.fields))],
    related: rules.map((r) => r.id ?? r.name ?? r.title),
  };
}

/**
 * Converts every rule of every source. Rules a correlation refers to are converted only through
 * it (unless it says `generate: true`). Never throws for a rule's content: invalid or
 * inexpressible rules come back in `refused`, each with every reason found.
 */
export function convertSigma(
  sources: readonly SigmaSource[],
  options: SigmaConversionOptions,
): SigmaConversion {
  const converted: ConvertedRule[] = [];
  const refused: RefusedRule[] = [];
  const docs: Document[] = [];
  for (const { file, text } of sources) {
    const results = parseSigmaFile(text);
    if (results.length === 0) refused.push({ file, reasons: ["the file holds no YAML document"] });
    for (const r of results) {
      if (r.ok) docs.push({ file, index: r.index, doc: r.document });
      else
        refused.push({
          file,
          reasons: [`${results.length > 1 ? `document ${r.index + 1}: ` : ""}${r.error}`],
        });
    }
  }
  const byReference = new Map<string, SigmaRule>();
  for (const { doc } of docs)
    if (doc.kind === "rule") {
      if (doc.id) byReference.set(doc.id, doc);
      if (doc.name) byReference.set(doc.name, doc);
    }
  const correlated = new Set<SigmaRule>();
  for (const { doc } of docs)
    if (doc.kind === "correlation" && !doc.generate)
      for (const ref of doc.rules) {
        const target = byReference.get(ref);
        if (target) correlated.add(target);
      }
  const emitted = docs.filter((d) => !(d.doc.kind === "rule" && correlated.has(d.doc)));
  const severalInFile = (file: string) => emitted.filter((d) => d.file === file).length > 1;
  const ids = new Ids(RULE_NAME_MAX_LENGTH - options.name.length - 1, [
    ...(options.reservedIds ?? []),
    ...(options.idsBySigmaId?.values() ?? []),
  ]);

  for (const d of emitted) {
    const meta = d.doc;
    try {
      const plan =
        meta.kind === "rule"
          ? rulePlan(meta)
          : correlationPlan(meta, (ref) => byReference.get(ref));
      const kept = meta.id ? options.idsBySigmaId?.get(meta.id) : undefined;
      const id =
        kept ??
        ids.next(
          d.file,
          severalInFile(d.file) ? (meta.name ?? String(d.index + 1)) : undefined,
          meta.id,
        );
      converted.push(buildEntry(d.file, id, meta, plan, options));
    } catch (e) {
      refused.push(refusal(d.file, meta.title, e));
    }
  }
  return { converted, refused };
}

function conditionOf(rules: readonly SigmaRule[], mode: SpellingMode) {
  const parts = rules.map((r) => sigmaRuleCondition(r, mode));
  return {
    condition:
      parts.length === 1 ? parts[0].condition : simplify({ any: parts.map((p) => p.condition) }),
    warnings: parts.flatMap((p) => p.warnings),
  };
}

/**
 * The configuration entry, rendered in every language before it is accepted: with every likely
 * spelling of case-insensitive texts first, then (when that is too long or too complex for a
 * rendering) with the texts as the rule writes them.
 */
function buildEntry(
  file: string,
  id: string,
  meta: SigmaMetadata,
  plan: Plan,
  options: SigmaConversionOptions,
): ConvertedRule {
  const warnings: string[] = [...plan.warnings];
  const severity = meta.level ? SEVERITY[meta.level] : "medium";
  if (meta.level === "informational")
    warnings.push(
      "level informational (meant for enrichment, not alerting) became severity low; consider enabled: false",
    );
  if (!meta.level) warnings.push("the rule has no level: severity medium");
  if (meta.status === "deprecated" || meta.status === "unsupported")
    warnings.push(`the rule's status is ${meta.status}`);
  const license = meta.license ?? options.license;
  if (!license)
    warnings.push(
      "the rule states no licence: pass --license (SigmaHQ's rules are under DRL-1.1) so notifications carry it",
    );
  const licenseText = license ?? "licence not stated";
  const author = meta.author?.trim();
  const attack = attackTechniques(meta.tags);
  const links = meta.references.map((r) => r.trim()).filter((r) => r !== "");
  const entryFor = (condition: Condition, scopeWarnings: string[]): CustomDetectionInput => ({
    id,
    title: clip(meta.title, 256),
    severity,
    rationale: clip(meta.description?.trim() || meta.title, 2000),
    investigate: investigateText(meta, plan.fields),
    references: {
      ...(attack.length ? { attack } : {}),
      ...(links.length ? { other: links } : {}),
      sigma: {
        ...(meta.id ? { id: meta.id } : {}),
        title: meta.title,
        ...(author ? { author } : {}),
        license: licenseText,
        source: plan.related.length ? `${file} (correlating ${plan.related.join(", ")})` : file,
      },
    },
    attribution: clip(
      `Sigma rule "${meta.title}"${author ? ` by ${author}` : ""} (${licenseText}).`,
      300,
    ),
    condition,
    delivery: plan.alarm ? "alarm" : (options.delivery ?? "event"),
    scope: scopeOf(condition, scopeWarnings, options.regions),
    recordTypes: recordTypesOf(condition),
    matchesReadOnly: matchesReadOnly(condition),
    enabled: true,
    ...(plan.alarm ? { alarm: { ...plan.alarm } } : {}),
  });
  let firstProblems: string[] | undefined;
  for (const mode of ["spellings", "as-written"] as const) {
    const c = conditionOf(plan.rules, mode);
    const scopeWarnings: string[] = [];
    const entry = entryFor(c.condition, scopeWarnings);
    const parsed = customDetectionEntry.safeParse(entry);
    if (!parsed.success)
      throw new SigmaConversionError(
        parsed.error.issues.map(
          (i) => `the converted entry's ${i.path.join(".") || "value"}: ${i.message}`,
        ),
      );
    const problems = renderingProblems(customDetection(parsed.data));
    if (problems.length === 0)
      return {
        file,
        title: meta.title,
        detection: entry,
        warnings: [...new Set([...c.warnings, ...warnings, ...scopeWarnings])],
      };
    firstProblems ??= problems;
  }
  throw new SigmaConversionError(firstProblems!);
}

function timeframeSeconds(text: string, what: string): number {
  try {
    return timespanSeconds(text);
  } catch (e) {
    throw new SigmaConversionError([`${what}: ${(e as Error).message}`]);
  }
}
