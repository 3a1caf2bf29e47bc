/**
 * Renders a detection `Condition` as a CloudWatch Logs Insights query (the Logs Insights query
 * language: `fields`, `filter`, `sort`, `limit`; AWS CloudWatch Logs User Guide, "CloudWatch Logs
 * Insights language query syntax"). Used for the link in alarm notifications, so the reader lands
 * on the detection's events without rebuilding the pattern by hand.
 *
 * Mapping (Logs Insights discovers the fields of JSON log events, nested keys joined by dots):
 * - `equals` one value: `field = "v"`; several: `field in ["a", "b"]`; numbers unquoted;
 * - `notEquals`: `ispresent(field) and field != "v"` (a metric filter's `!=` needs the field, see
 *   NOT_EQUALS_MATCHES_MISSING_FIELD in filter-pattern.ts);
 * - `prefix` / `suffix` / `contains`: `field like /^…/`, `/…$/`, `/…/` with regex metacharacters
 *   escaped; `notPrefix` & co.: `ispresent(field) and field not like …` (present and different);
 * - `lessThan` & co.: `field < n` (`<=`, `>`, `>=`);
 * - `exists`: `ispresent(field)` / `not ispresent(field)`;
 * - a path searching an array (`a[].b`): the first ARRAY_ELEMENTS_SEARCHED elements, as Logs
 *   Insights flattens them (`a.0.b`, `a.1.b`, ...), ORed;
 * - `all` / `any`: `and` / `or`, each group parenthesized.
 * Booleans: how Logs Insights compares discovered JSON booleans is not documented, so `equals`
 * true/false searches the raw message instead, `@message like /"key":true/` (CloudTrail writes
 * compact JSON to CloudWatch Logs). That also matches the key at another depth: a wider query,
 * never a narrower one, and ANDed with the condition's other fields. Other operators on booleans
 * are refused.
 */
import {
  isLeaf,
  leafOperator,
  type Condition,
  type LeafCondition,
  type Scalar,
} from "../detections/condition";
import { indexedPaths } from "../detections/field-path";

/** Fields shown first in the results: who, what, where, from where, outcome. */
export const INSIGHTS_FIELDS = [
  "@timestamp",
  "eventSource",
  "eventName",
  "userIdentity.arn",
  "userIdentity.type",
  "awsRegion",
  "sourceIPAddress",
  "errorCode",
  "eventID",
] as const;

/**
 * A field as Logs Insights names it: as is when letters, digits, `_` and `.`; in backticks when it
 * also holds `-` ("If a field contains non-alphanumeric characters other than the @ symbol or the
 * period (.), you must surround the field with backtick characters", CloudWatch Logs User Guide,
 * "Fields that contain special characters"), as S3's `x-amz-...` request parameters do.
 */
function field(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/.test(name)) return name;
  if (/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$/.test(name)) return `\`${name}\``;
  throw new Error(`field "${name}" cannot be named in a Logs Insights query`);
}

function literal(field: string, v: Scalar): string {
  if (typeof v === "boolean")
    throw new Error(`"${field}": boolean comparisons are not rendered to Logs Insights`);
  if (typeof v === "number") return String(v);
  return JSON.stringify(v);
}

const escapeRegex = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");

/** Logs Insights names of the concrete fields a path looks at (`a[].b` -> `a.0.b`, `a.1.b`, ...). */
function insightsFields(path: string): string[] {
  return indexedPaths(path).map((steps) =>
    field(steps.map((s) => [s.name, ...s.indexes.map(String)].join(".")).join(".")),
  );
}

function leafToInsights(f: string, c: LeafCondition): string {
  const o = leafOperator(c);
  const re = (text: string, anchor: "^" | "$" | "") =>
    `/${anchor === "^" ? "^" : ""}${escapeRegex(text)}${anchor === "$" ? "$" : ""}/`;
  switch (o.op) {
    case "equals":
      if (o.values.some((v) => typeof v === "boolean")) return booleanEquals(c.field, o.values);
      return o.values.length === 1
        ? `${f} = ${literal(c.field, o.values[0])}`
        : `${f} in [${o.values.map((v) => literal(c.field, v)).join(", ")}]`;
    case "notEquals":
      return `ispresent(${f}) and ${f} != ${literal(c.field, o.value)}`;
    case "prefix":
      return `${f} like ${re(o.text, "^")}`;
    case "suffix":
      return `${f} like ${re(o.text, "$")}`;
    case "contains":
      return `${f} like ${re(o.text, "")}`;
    case "notPrefix":
      return `ispresent(${f}) and ${f} not like ${re(o.text, "^")}`;
    case "notSuffix":
      return `ispresent(${f}) and ${f} not like ${re(o.text, "$")}`;
    case "notContains":
      return `ispresent(${f}) and ${f} not like ${re(o.text, "")}`;
    case "numeric":
      return `${f} ${o.comparison} ${literal(c.field, o.value)}`;
    case "exists":
      return o.exists ? `ispresent(${f})` : `not ispresent(${f})`;
  }
}

/** `equals` with booleans, on the raw message (see the module comment). */
function booleanEquals(path: string, values: readonly Scalar[]): string {
  if (!values.every((v) => typeof v === "boolean"))
    throw new Error(`"${path}": booleans and other values in one equals are not rendered`);
  const key = path.split(".").pop()!.replace(/\[\]/g, "");
  const terms = values.map((v) => `@message like /"${escapeRegex(key)}":${v}/`);
  return terms.length === 1 ? terms[0] : terms.join(" or ");
}

const compound = (s: string) => / and | or /.test(s);

/** The boolean expression of a condition, for a `filter` command. */
export function conditionToInsightsFilter(c: Condition): string {
  if (!isLeaf(c)) {
    const parts = "all" in c ? c.all : c.any;
    if (parts.length === 0) throw new Error("cannot render an empty all/any");
    const rendered = parts.map((p) => {
      const r = conditionToInsightsFilter(p);
      return compound(r) ? `(${r})` : r;
    });
    return rendered.length === 1 ? rendered[0] : rendered.join("all" in c ? " and " : " or ");
  }
  // A field searched in an array holds when some element (of the first few) satisfies the leaf,
  // as in the filter pattern rendering; an absent field is absent at every index.
  const fields = insightsFields(c.field);
  if ("exists" in c && !c.exists) return fields.map((f) => leafToInsights(f, c)).join(" and ");
  const each = fields.map((f) => leafToInsights(f, c));
  return each.length === 1 ? each[0] : each.map((e) => (compound(e) ? `(${e})` : e)).join(" or ");
}

/** The whole query: the detection's events, newest first. */
export function insightsQuery(c: Condition, limit = 1000): string {
  return [
    `fields ${INSIGHTS_FIELDS.join(", ")}`,
    `| filter ${conditionToInsightsFilter(c)}`,
    "| sort @timestamp desc",
    `| limit ${limit}`,
  ].join("\n");
}
