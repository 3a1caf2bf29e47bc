/**
 * Sigma rule files: YAML documents holding detection rules (SigmaHQ/sigma-specification,
 * specification/sigma-rules-specification.md v2.1) and correlation rules
 * (sigma-correlation-rules-specification.md). Parsed with the `yaml` package (YAML 1.2 core
 * schema: `2024-01-01` stays a string).
 *
 * A detection's search identifiers are maps (every field matches: AND), lists of maps (one map
 * matches: OR), or lists of strings (keywords searched in the whole event). A map's value is a
 * scalar or a list of scalars (one matches, or all with `|all`). Errors (`SigmaRuleError`) say
 * which part of which document is wrong.
 */
import { parseAllDocuments } from "yaml";
import { parseSigmaCondition, type ParsedCondition } from "./condition";
import { fieldMatch, SigmaRuleError, type SigmaFieldMatch } from "./modifiers";

export const SIGMA_LEVELS = ["informational", "low", "medium", "high", "critical"] as const;
export type SigmaLevel = (typeof SIGMA_LEVELS)[number];

/** A search identifier: OR of alternatives, each an AND of field matches. */
export interface SigmaSearch {
  readonly name: string;
  readonly alternatives: readonly (readonly SigmaFieldMatch[])[];
}

/** What detection and correlation rules share. */
export interface SigmaMetadata {
  readonly title: string;
  readonly id?: string;
  /** Name correlation rules refer to the rule by. */
  readonly name?: string;
  readonly status?: string;
  readonly description?: string;
  readonly license?: string;
  readonly author?: string;
  readonly references: readonly string[];
  readonly date?: string;
  readonly modified?: string;
  readonly tags: readonly string[];
  readonly level?: SigmaLevel;
  readonly falsepositives: readonly string[];
}

export interface SigmaRule extends SigmaMetadata {
  readonly kind: "rule";
  readonly logsource: Readonly<Record<string, string>>;
  readonly searches: ReadonlyMap<string, SigmaSearch>;
  /** One or more conditions; a list means any of them. */
  readonly conditions: readonly ParsedCondition[];
  /** The obsolete `detection.timeframe` of aggregations, e.g. `30m`. */
  readonly timeframe?: string;
  readonly fields: readonly string[];
}

export const CORRELATION_TYPES = [
  "event_count",
  "value_count",
  "temporal",
  "temporal_ordered",
  "value_sum",
  "value_avg",
  "value_percentile",
] as const;

export type CorrelationComparator = "gt" | "gte" | "lt" | "lte" | "eq" | "neq";

export interface SigmaCorrelation extends SigmaMetadata {
  readonly kind: "correlation";
  readonly type: string;
  /** Ids or names of the rules it correlates. */
  readonly rules: readonly string[];
  readonly groupBy: readonly string[];
  readonly timespan: string;
  /** The timespan in seconds. */
  readonly timespanSeconds: number;
  readonly condition: readonly { readonly op: CorrelationComparator; readonly value: number }[];
  /** `condition.field` of value_count and the value_* types. */
  readonly conditionField?: string;
  readonly generate: boolean;
}

export type SigmaDocument = SigmaRule | SigmaCorrelation;

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function optionalString(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || v instanceof Date) return String(v);
  throw new SigmaRuleError(`"${key}" must be a string`);
}

function stringList(doc: Record<string, unknown>, key: string): string[] {
  const v = doc[key];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => {
    if (typeof x !== "string" && typeof x !== "number")
      throw new SigmaRuleError(`"${key}" must be a list of strings`);
    return String(x);
  });
}

function metadata(doc: Record<string, unknown>): SigmaMetadata {
  const title = optionalString(doc, "title");
  if (!title) throw new SigmaRuleError('"title" is missing');
  const level = optionalString(doc, "level");
  if (level !== undefined && !(SIGMA_LEVELS as readonly string[]).includes(level))
    throw new SigmaRuleError(
      `"level" must be one of ${SIGMA_LEVELS.join(", ")} (got ${JSON.stringify(level)})`,
    );
  return {
    title,
    id: optionalString(doc, "id"),
    name: optionalString(doc, "name"),
    status: optionalString(doc, "status"),
    description: optionalString(doc, "description"),
    license: optionalString(doc, "license"),
    author: optionalString(doc, "author"),
    references: stringList(doc, "references"),
    date: optionalString(doc, "date"),
    modified: optionalString(doc, "modified"),
    tags: stringList(doc, "tags"),
    level: level as SigmaLevel | undefined,
    falsepositives: stringList(doc, "falsepositives"),
  };
}

function search(name: string, value: unknown): SigmaSearch {
  const wrap = (f: () => SigmaFieldMatch[][]) => {
    try {
      return { name, alternatives: f() };
    } catch (e) {
      if (e instanceof SigmaRuleError) throw new SigmaRuleError(`detection.${name}: ${e.message}`);
      throw e;
    }
  };
  if (isMap(value)) return wrap(() => [mapMatches(value)]);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new SigmaRuleError(`detection.${name} is an empty list`);
    if (value.every(isMap)) return wrap(() => value.map(mapMatches));
    if (value.every((v) => !isMap(v) && !Array.isArray(v)))
      return wrap(() => [[fieldMatch("", value)]]);
    throw new SigmaRuleError(
      `detection.${name}: a list holds either maps or keywords (strings), not both`,
    );
  }
  if (typeof value === "string" || typeof value === "number")
    return wrap(() => [[fieldMatch("", value)]]);
  throw new SigmaRuleError(`detection.${name} must be a map, a list of maps or a list of keywords`);
}

function mapMatches(map: Record<string, unknown>): SigmaFieldMatch[] {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new SigmaRuleError("a map has no field");
  return entries.map(([key, value]) => fieldMatch(key, value));
}

function rule(doc: Record<string, unknown>): SigmaRule {
  const meta = metadata(doc);
  const logsource = doc.logsource;
  if (!isMap(logsource)) throw new SigmaRuleError('"logsource" is missing or not a map');
  const detection = doc.detection;
  if (!isMap(detection)) throw new SigmaRuleError('"detection" is missing or not a map');
  const searches = new Map<string, SigmaSearch>();
  for (const [name, value] of Object.entries(detection)) {
    if (name === "condition" || name === "timeframe") continue;
    searches.set(name, search(name, value));
  }
  if (searches.size === 0) throw new SigmaRuleError("detection has no search identifier");
  const raw = detection.condition;
  const texts = Array.isArray(raw) ? raw : [raw];
  if (raw === undefined || texts.length === 0 || texts.some((t) => typeof t !== "string"))
    throw new SigmaRuleError("detection.condition must be a string or a list of strings");
  const names = [...searches.keys()];
  const timeframe = detection.timeframe;
  if (timeframe !== undefined && typeof timeframe !== "string")
    throw new SigmaRuleError("detection.timeframe must be a string such as 30m");
  return {
    kind: "rule",
    ...meta,
    logsource: Object.fromEntries(Object.entries(logsource).map(([k, v]) => [k, String(v)])),
    searches,
    conditions: texts.map((t) => parseSigmaCondition(t as string, names)),
    timeframe,
    fields: stringList(doc, "fields"),
  };
}

const TIMESPAN_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `30m` -> 1800; the specification's `number + lowercase letter` (s, m, h, d). */
export function timespanSeconds(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  if (!m || Number(m[1]) === 0)
    throw new SigmaRuleError(
      `timespan "${text}" is not a number followed by s, m, h or d (e.g. 30m)`,
    );
  return Number(m[1]) * TIMESPAN_UNITS[m[2]];
}

function correlation(doc: Record<string, unknown>): SigmaCorrelation {
  const meta = metadata(doc);
  const c = doc.correlation;
  if (!isMap(c)) throw new SigmaRuleError('"correlation" must be a map');
  const type = optionalString(c, "type");
  if (!type || !(CORRELATION_TYPES as readonly string[]).includes(type))
    throw new SigmaRuleError(
      `correlation.type must be one of ${CORRELATION_TYPES.join(", ")} (got ${JSON.stringify(type)})`,
    );
  const rules = stringList(c, "rules");
  if (rules.length === 0) throw new SigmaRuleError("correlation.rules names no rule");
  const timespan = optionalString(c, "timespan") ?? optionalString(c, "timeframe");
  if (!timespan) throw new SigmaRuleError("correlation.timespan is missing");
  const cond = c.condition;
  const ops: SigmaCorrelation["condition"][number][] = [];
  let field: string | undefined;
  if (cond !== undefined) {
    if (!isMap(cond))
      throw new SigmaRuleError("correlation.condition must be a map such as {gte: 10}");
    for (const [k, v] of Object.entries(cond)) {
      if (k === "field") {
        field = typeof v === "string" ? v : undefined;
        if (!field) throw new SigmaRuleError("correlation.condition.field must be a field name");
      } else if (["gt", "gte", "lt", "lte", "eq", "neq"].includes(k) && typeof v === "number")
        ops.push({ op: k as CorrelationComparator, value: v });
      else
        throw new SigmaRuleError(
          `correlation.condition.${k}: expected gt, gte, lt, lte, eq or neq with a number`,
        );
    }
  }
  if (ops.length === 0 && type !== "temporal" && type !== "temporal_ordered")
    throw new SigmaRuleError(`correlation.condition is needed for ${type}`);
  return {
    kind: "correlation",
    ...meta,
    type,
    rules,
    groupBy: stringList(c, "group-by"),
    timespan,
    timespanSeconds: timespanSeconds(timespan),
    condition: ops,
    conditionField: field,
    generate: c.generate === true,
  };
}

/** One parsed document of a file, or why it is not a valid Sigma document. */
export type SigmaParseResult =
  | { readonly ok: true; readonly index: number; readonly document: SigmaDocument }
  | { readonly ok: false; readonly index: number; readonly error: string };

/**
 * Every YAML document of a Sigma file: detection rules and correlation rules. A document that
 * is neither (or breaks the specification) comes back with its error; YAML syntax errors too.
 */
export function parseSigmaFile(text: string): SigmaParseResult[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((d, index): SigmaParseResult => {
    if (d.errors.length > 0)
      return { ok: false, index, error: `not valid YAML: ${d.errors[0].message.split("\n")[0]}` };
    const value: unknown = d.toJS({ maxAliasCount: 100 });
    try {
      if (!isMap(value)) throw new SigmaRuleError("a Sigma document is a map");
      if ("action" in value)
        throw new SigmaRuleError(
          `"action: ${String(value.action)}" rule collections were removed in Sigma 2.0; write one rule per document`,
        );
      if ("correlation" in value) return { ok: true, index, document: correlation(value) };
      if ("filter" in value && !("detection" in value))
        throw new SigmaRuleError(
          "a Sigma filter (meta-filter for other rules) is not a detection rule",
        );
      return { ok: true, index, document: rule(value) };
    } catch (e) {
      if (e instanceof SigmaRuleError) return { ok: false, index, error: e.message };
      throw e;
    }
  });
}

/** Parses a file that must hold exactly one valid detection rule; throws SigmaRuleError. */
export function parseSigmaRule(text: string): SigmaRule {
  const results = parseSigmaFile(text);
  if (results.length !== 1)
    throw new SigmaRuleError(`expected one document, found ${results.length}`);
  const [r] = results;
  if (!r.ok) throw new SigmaRuleError(r.error);
  if (r.document.kind !== "rule") throw new SigmaRuleError("the document is a correlation rule");
  return r.document;
}
