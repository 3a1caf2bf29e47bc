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
 * - `prefix` / `suffix`: `field like /^…/` / `field like /…$/` with regex metacharacters escaped;
 * - `exists: false`: `not ispresent(field)`;
 * - `all` / `any`: `and` / `or`, each group parenthesized.
 * Booleans are refused: how Logs Insights compares discovered JSON booleans is not documented.
 */
import type { Condition, Scalar } from "../detections/condition";

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

function field(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/.test(name))
    throw new Error(`field "${name}" cannot be named in a Logs Insights query without quoting`);
  return name;
}

function literal(field: string, v: Scalar): string {
  if (typeof v === "boolean")
    throw new Error(`"${field}": boolean comparisons are not rendered to Logs Insights`);
  if (typeof v === "number") return String(v);
  return JSON.stringify(v);
}

const escapeRegex = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");

/** The boolean expression of a condition, for a `filter` command. */
export function conditionToInsightsFilter(c: Condition): string {
  if ("all" in c || "any" in c) {
    const parts = "all" in c ? c.all : c.any;
    if (parts.length === 0) throw new Error("cannot render an empty all/any");
    const rendered = parts.map((p) => {
      const r = conditionToInsightsFilter(p);
      return "all" in p || "any" in p || "notEquals" in p ? `(${r})` : r;
    });
    return rendered.length === 1 ? rendered[0] : rendered.join("all" in c ? " and " : " or ");
  }
  const f = field(c.field);
  if ("equals" in c) {
    if (c.equals.length === 0) throw new Error(`"${c.field}" equals no value`);
    if (c.equals.length === 1) return `${f} = ${literal(c.field, c.equals[0])}`;
    return `${f} in [${c.equals.map((v) => literal(c.field, v)).join(", ")}]`;
  }
  if ("notEquals" in c) return `ispresent(${f}) and ${f} != ${literal(c.field, c.notEquals)}`;
  if ("prefix" in c) return `${f} like /^${escapeRegex(c.prefix)}/`;
  if ("suffix" in c) return `${f} like /${escapeRegex(c.suffix)}$/`;
  return `not ispresent(${f})`;
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
