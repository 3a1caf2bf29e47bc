/**
 * A Sigma rule's detection as a trailwatch `Condition` (src/detections/condition.ts), or the
 * reasons it cannot be one.
 *
 * - A field match becomes a leaf per value: a plain value `equals` (the spellings CloudTrail uses,
 *   cloudtrail-fields.ts; plus the JSON boolean or number a value like `'true'` or `'443'` also
 *   matches in Sigma), `x*` / `*x` / `*x*` become prefix / suffix / contains, `*` alone `exists`,
 *   `null` `exists: false`, `|exists` itself. Several values are `any` (`|all`: `all`).
 * - Search identifiers are `any` of their maps, a map `all` of its fields; `and`, `or`, `1 of`,
 *   `all of` map directly; `not` is pushed down to the leaves (De Morgan), each negated leaf being
 *   "absent, or present and not ..." (`any(absent(f), notPrefix(f, x))`), as Sigma's `not` also
 *   holds when the field is missing.
 * - `|lt`, `|lte`, `|gt`, `|gte` become the numeric comparisons.
 * - Refused, with the reason: keyword searches, `|re` beyond a wildcard, `|cidr`, `|fieldref`,
 *   date-part modifiers, placeholders (`|expand`), `?` and inner `*` wildcards, fields
 *   that are not CloudTrail record fields, string comparisons on a whole object.
 */
import {
  absent,
  all,
  any,
  contains,
  eq,
  isLeaf,
  leafOperator,
  ne,
  notContains,
  notPrefix,
  notSuffix,
  prefix,
  suffix,
  type Condition,
  type LeafCondition,
  type NumericOperator,
  type Scalar,
} from "../detections/condition";
import {
  CLOUDTRAIL_OBJECT_FIELDS,
  CLOUDTRAIL_RECORD_FIELDS,
  cloudTrailPath,
  cloudTrailSpellings,
  type TextPosition,
} from "./cloudtrail-fields";
import type { SigmaConditionExpr } from "./condition";
import type { SigmaFieldMatch, SigmaValue } from "./modifiers";
import type { SigmaRule } from "./rule";
import { formatSigmaString, type SigmaString } from "./sigma-string";

/** The rule cannot be converted: every reason found. */
export class SigmaConversionError extends Error {
  constructor(readonly reasons: readonly string[]) {
    super(reasons.join("; "));
    this.name = "SigmaConversionError";
  }
}

/** The converted condition and what the conversion could miss. */
export interface ConvertedCondition {
  readonly condition: Condition;
  readonly warnings: readonly string[];
}

/**
 * How case-insensitive texts are spelled: every likely spelling (cloudtrail-fields.ts), or only
 * as the rule writes them (when the spellings make a rendering too long or too complex).
 */
export type SpellingMode = "spellings" | "as-written";

class Context {
  readonly reasons: string[] = [];
  readonly warnings = new Set<string>();
  constructor(readonly mode: SpellingMode) {}
  refuse(reason: string): Condition {
    this.reasons.push(reason);
    return eq("eventName", "refused"); // placeholder; the conversion fails as a whole
  }
}

/** Sigma's numeric modifiers as the condition language's comparisons. */
const COMPARISONS: Record<"lt" | "lte" | "gt" | "gte", NumericOperator> = {
  lt: "lessThan",
  lte: "lessThanOrEqual",
  gt: "greaterThan",
  gte: "greaterThanOrEqual",
};

/** A regular expression that says no more than a wildcard: literal text, `.*` at either end. */
function regexAsSigmaString(source: string): SigmaString | undefined {
  let s = source;
  const anchoredStart = s.startsWith("^");
  if (anchoredStart) s = s.slice(1);
  const anchoredEnd = s.endsWith("$") && !s.endsWith("\\$");
  if (anchoredEnd) s = s.slice(0, -1);
  let start = !anchoredStart;
  let end = !anchoredEnd;
  if (s.startsWith(".*")) {
    s = s.slice(2);
    start = true;
  }
  if (s.endsWith(".*") && !s.endsWith("\\.*")) {
    s = s.slice(0, -2);
    end = true;
  }
  // Only literal characters and escaped metacharacters may remain.
  let text = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") {
      const next = s[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) return undefined; // \d, \w, \1 ...
      text += next;
      i++;
    } else if (/[.*+?^${}()|[\]]/.test(c)) return undefined;
    else text += c;
  }
  if (text === "") return start || end ? ["*"] : [];
  return [...(start ? (["*"] as const) : []), { text }, ...(end ? (["*"] as const) : [])];
}

/** Whether a CloudTrail record has the field: its first step is a record field. */
function checkField(field: string, ctx: Context): boolean {
  const head = field.split(".")[0];
  if (CLOUDTRAIL_RECORD_FIELDS.includes(head)) return true;
  const near = CLOUDTRAIL_RECORD_FIELDS.find((f) => f.toLowerCase() === head.toLowerCase());
  ctx.refuse(
    near
      ? `field "${field}": CloudTrail spells it "${near}" (field names are case-sensitive)`
      : `field "${field}" is not a CloudTrail record field (a field of another log source or taxonomy; CloudTrail's are eventName, eventSource, userIdentity, sourceIPAddress, userAgent, errorCode, requestParameters, responseElements, ...)`,
  );
  return false;
}

function spell(
  field: string,
  text: string,
  position: TextPosition,
  cased: boolean,
  ctx: Context,
): { values: readonly string[]; note?: string } {
  if (cased) return { values: [text] };
  const spelled = cloudTrailSpellings(field, text, position);
  if (ctx.mode === "spellings" || spelled.values.length === 1 || !spelled.note) return spelled;
  return {
    values: [text],
    note: `${field}: Sigma ignores case but the renderings compare exactly, and more spellings than "${text}" made a rendering too long or too complex: only "${text}" is matched`,
  };
}

const NUMBER_TEXT = /^-?(0|[1-9]\d{0,14})(\.\d+)?$/;

/** The values an equality on a plain Sigma text matches in trailwatch's exact renderings. */
function equalityValues(field: string, text: string, cased: boolean, ctx: Context): Scalar[] {
  const spelled = spell(field, text, "whole", cased, ctx);
  if ("note" in spelled && spelled.note) ctx.warnings.add(spelled.note);
  const values: Scalar[] = [...spelled.values];
  // Sigma compares as strings: 'true' matches a JSON true, '443' a JSON 443.
  if (/^(true|false)$/i.test(text) && (!cased || /^(true|false)$/.test(text)))
    values.push(text.toLowerCase() === "true");
  if (NUMBER_TEXT.test(text) && String(Number(text)) === text) values.push(Number(text));
  return values;
}

function stringLeaf(
  field: string,
  path: string,
  s: SigmaString,
  cased: boolean,
  ctx: Context,
): Condition {
  const shown = formatSigmaString(s);
  if (s.some((p) => p === "?"))
    return ctx.refuse(
      `"${field}: ${shown}": the single-character wildcard "?" has no equivalent in a filter pattern`,
    );
  let parts = [...s];
  const start = parts[0] === "*";
  while (parts[0] === "*") parts = parts.slice(1);
  const end = parts[parts.length - 1] === "*";
  while (parts[parts.length - 1] === "*") parts = parts.slice(0, -1);
  if (parts.some((p) => typeof p === "string"))
    return ctx.refuse(
      `"${field}: ${shown}": a wildcard inside the value; CloudWatch Logs filter patterns take "*" only at the start or end`,
    );
  const text = parts.map((p) => (p as { text: string }).text).join("");
  if (text === "") {
    if (start || end) return { field: path, exists: true }; // `*`: any value
    return eq(path, "");
  }
  if (!start && !end) return eq(path, ...equalityValues(field, text, cased, ctx));
  const position: TextPosition = start && end ? "contains" : start ? "suffix" : "prefix";
  const spelled = spell(field, text, position, cased, ctx);
  if ("note" in spelled && spelled.note) ctx.warnings.add(spelled.note);
  const make = position === "contains" ? contains : position === "suffix" ? suffix : prefix;
  const leaves = spelled.values.map((v) => make(path, v));
  return leaves.length === 1 ? leaves[0] : any(...leaves);
}

function valueCondition(m: SigmaFieldMatch, v: SigmaValue, ctx: Context): Condition {
  const field = m.field!;
  const path = cloudTrailPath(field);
  const isObject = CLOUDTRAIL_OBJECT_FIELDS.includes(field);
  const onObject = () =>
    ctx.refuse(
      `"${m.key}": ${field} is an object in CloudTrail records, so no value can equal or contain it (name a field inside it, e.g. ${field}.<name>)`,
    );
  switch (v.kind) {
    case "string":
      return isObject ? onObject() : stringLeaf(field, path, v.value, m.cased, ctx);
    case "number":
      return isObject ? onObject() : eq(path, v.value, String(v.value));
    case "boolean":
      return isObject
        ? onObject()
        : eq(path, ...equalityValues(field, String(v.value), false, ctx));
    case "null":
      return absent(path);
    case "exists":
      return { field: path, exists: v.value };
    case "regex": {
      const s = regexAsSigmaString(v.source);
      if (!s)
        return ctx.refuse(
          `"${m.key}": the regular expression ${JSON.stringify(v.source)} says more than a wildcard; EventBridge event patterns have no regular expressions`,
        );
      if (isObject) return onObject();
      return stringLeaf(field, path, s, !v.flags.includes("i"), ctx);
    }
    case "cidr":
      return ctx.refuse(
        `"${m.key}: ${v.network}": CloudWatch Logs filter patterns cannot match an IP range (|cidr), so no metric filter could say it`,
      );
    case "fieldref":
      return ctx.refuse(
        `"${m.key}": |fieldref compares two fields of one event; neither a filter pattern nor an event pattern can`,
      );
    case "compare": {
      if (isObject) return onObject();
      ctx.warnings.add(
        `${field}: EventBridge compares only JSON numbers, so a number written as a string ("12") matches the filter pattern and Athena but not the event pattern`,
      );
      const op = COMPARISONS[v.op];
      return { field: path, [op]: v.value } as Condition;
    }
    case "placeholder":
      return ctx.refuse(
        `"${m.key}: ${v.text}": the placeholder needs your environment's values (|expand); write them into the rule and convert it again`,
      );
    case "time":
      return ctx.refuse(`"${m.key}": date-part modifiers (|${v.part}) are not expressible`);
  }
}

function fieldCondition(m: SigmaFieldMatch, ctx: Context): Condition {
  if (m.field === undefined)
    return ctx.refuse(
      "keyword search (values without a field) over the whole record: event patterns match fields, and a filter pattern cannot mix a text search with field conditions",
    );
  if (!checkField(m.field, ctx)) return eq("eventName", "refused");
  const leaves = m.values.map((v) => valueCondition(m, v, ctx));
  const c = leaves.length === 1 ? leaves[0] : m.all ? all(...leaves) : any(...leaves);
  return m.negated ? negate(c) : c;
}

/**
 * The negation of a condition, pushed to the leaves. A negated leaf also holds when the field is
 * absent (Sigma's `not` of a field match): `any(absent(f), <opposite operator>)`.
 */
export function negate(c: Condition): Condition {
  if ("all" in c) return simplify(any(...c.all.map(negate)));
  if ("any" in c) return simplify(all(...c.any.map(negate)));
  const op = leafOperator(c);
  const f = c.field;
  switch (op.op) {
    case "exists":
      return { field: f, exists: !op.exists };
    case "equals":
      return any(
        absent(f),
        ...[op.values.length === 1 ? ne(f, op.values[0]) : all(...op.values.map((v) => ne(f, v)))],
      );
    case "notEquals":
      return any(absent(f), eq(f, op.value));
    case "prefix":
      return any(absent(f), notPrefix(f, op.text));
    case "suffix":
      return any(absent(f), notSuffix(f, op.text));
    case "contains":
      return any(absent(f), notContains(f, op.text));
    case "notPrefix":
      return any(absent(f), prefix(f, op.text));
    case "notSuffix":
      return any(absent(f), suffix(f, op.text));
    case "notContains":
      return any(absent(f), contains(f, op.text));
    case "numeric":
      // The opposite comparison; a value that is not a number satisfies neither.
      return any(absent(f), { field: f, [OPPOSITE[op.comparison]]: op.value } as Condition);
  }
}

/** The numeric operator that holds exactly when the comparison does not (for numbers). */
const OPPOSITE = {
  "<": "greaterThanOrEqual",
  "<=": "greaterThan",
  ">": "lessThanOrEqual",
  ">=": "lessThan",
} as const;

const isAbsent = (c: Condition): c is LeafCondition =>
  isLeaf(c) && "exists" in c && c.exists === false;

/**
 * Flattens nested all/any, unwraps single terms, and factors a shared "field absent" out of an
 * `all` of `any`s: all(any(absent f, A), any(absent f, B)) = any(absent f, all(A, B)), which is
 * what negating a list of values on one field produces.
 */
export function simplify(c: Condition): Condition {
  if (isLeaf(c)) return c;
  const group = "all" in c ? "all" : "any";
  const parts = ("all" in c ? c.all : c.any)
    .map(simplify)
    .flatMap((p) => (group in p ? (p as Record<string, readonly Condition[]>)[group] : [p]));
  let unique = [...new Map(parts.map((p) => [JSON.stringify(p), p])).values()];
  if (group === "any") unique = mergeEquals(unique);
  if (unique.length === 1) return unique[0];
  if (group === "all" && unique.length > 1 && unique.every((p) => "any" in p)) {
    const firsts = unique.map((p) => (p as { any: readonly Condition[] }).any.find(isAbsent));
    const key = firsts[0] && JSON.stringify(firsts[0]);
    if (key && firsts.every((a) => a && JSON.stringify(a) === key)) {
      const rests = unique.map((p) => {
        const rest = (p as { any: readonly Condition[] }).any.filter(
          (x) => JSON.stringify(x) !== key,
        );
        return rest.length === 1 ? rest[0] : any(...rest);
      });
      return simplify(any(firsts[0]!, all(...rests)));
    }
  }
  return group === "all" ? all(...unique) : any(...unique);
}

/** any(equals f [a], equals f [b]) = equals f [a, b], keeping the order of first appearance. */
function mergeEquals(parts: Condition[]): Condition[] {
  const out: Condition[] = [];
  const byField = new Map<string, Scalar[]>();
  for (const p of parts) {
    if (isLeaf(p) && "equals" in p) {
      const values = byField.get(p.field);
      if (values) {
        for (const v of p.equals) if (!values.includes(v)) values.push(v);
        continue;
      }
      const mine = [...p.equals];
      byField.set(p.field, mine);
      out.push({ field: p.field, equals: mine });
    } else out.push(p);
  }
  return out;
}

function exprCondition(
  e: SigmaConditionExpr,
  searches: ReadonlyMap<string, Condition>,
  negated: boolean,
): Condition {
  switch (e.op) {
    case "ref": {
      const c = searches.get(e.name)!;
      return negated ? negate(c) : c;
    }
    case "not":
      return exprCondition(e.term, searches, !negated);
    case "and":
    case "or": {
      const terms = e.terms.map((t) => exprCondition(t, searches, negated));
      // De Morgan: a negated AND is an OR of negations.
      return (e.op === "and") !== negated ? all(...terms) : any(...terms);
    }
  }
}

/**
 * The rule's search condition (its conditions, any of them) as a trailwatch Condition. Throws
 * SigmaConversionError with every reason the rule cannot be expressed.
 */
export function sigmaRuleCondition(
  rule: SigmaRule,
  mode: SpellingMode = "spellings",
): ConvertedCondition {
  const used = new Set<string>();
  const collect = (e: SigmaConditionExpr): void => {
    if (e.op === "ref") used.add(e.name);
    else if (e.op === "not") collect(e.term);
    else e.terms.forEach(collect);
  };
  rule.conditions.forEach((c) => collect(c.expr));
  const ctx = new Context(mode);
  const searches = new Map<string, Condition>();
  for (const [name, s] of rule.searches) {
    // Identifiers the condition never uses do not matter, convertible or not.
    if (!used.has(name)) continue;
    const alternatives = s.alternatives.map((alt) => {
      const fields = alt.map((m) => fieldCondition(m, ctx));
      return fields.length === 1 ? fields[0] : all(...fields);
    });
    searches.set(name, alternatives.length === 1 ? alternatives[0] : any(...alternatives));
  }
  if (ctx.reasons.length > 0) throw new SigmaConversionError([...new Set(ctx.reasons)]);
  const conditions = rule.conditions.map((c) => exprCondition(c.expr, searches, false));
  const condition = simplify(conditions.length === 1 ? conditions[0] : any(...conditions));
  return { condition, warnings: [...ctx.warnings] };
}
