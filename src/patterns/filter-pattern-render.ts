/** Renders a detection `Condition` as a CloudWatch Logs JSON filter pattern. */
import type { Condition, Scalar } from "../detections/condition";
import {
  formatPath,
  parseSelector,
  printExpr,
  type FilterExpr,
  type FilterValue,
} from "./filter-pattern";

/**
 * The filter expression of a condition, keeping the author's order (nested all/any flattened).
 * Throws when the condition cannot be said exactly in a filter pattern. Known gaps that are not
 * errors: `prefix`/`suffix` also match numbers whose digits fit (CloudWatch cannot test "is a
 * string"), a number in `equals` also matches a string spelling it, and `notEquals` does not
 * match a field that is present but null (CloudWatch only compares string and number values).
 */
export function conditionToFilterExpr(c: Condition): FilterExpr {
  if ("all" in c || "any" in c) {
    const op = "all" in c ? "and" : "or";
    const parts = "all" in c ? c.all : c.any;
    if (parts.length === 0)
      throw new Error(`cannot render an empty "${"all" in c ? "all" : "any"}"`);
    const terms: FilterExpr[] = [];
    for (const part of parts) {
      const e = conditionToFilterExpr(part);
      if (e.op === op) terms.push(...e.terms);
      else terms.push(e);
    }
    return terms.length === 1 ? terms[0] : { op, terms };
  }
  const selector = fieldSelector(c.field);
  if ("equals" in c) {
    if (c.equals.length === 0) throw new Error(`"${c.field}" equals no value`);
    const terms = c.equals.map((v): FilterExpr => {
      if (typeof v === "boolean") return { op: v ? "isTrue" : "isFalse", selector };
      return { op: "cmp", selector, comparator: "=", value: scalarValue(c.field, v) };
    });
    return terms.length === 1 ? terms[0] : { op: "or", terms };
  }
  if ("notEquals" in c) {
    if (typeof c.notEquals === "boolean") {
      // `IS FALSE` would miss present non-boolean values, and `!= true` is not documented.
      throw new Error(`cannot render notEquals ${c.notEquals} on "${c.field}" as a filter pattern`);
    }
    return { op: "cmp", selector, comparator: "!=", value: scalarValue(c.field, c.notEquals) };
  }
  if ("prefix" in c) return affix(c.field, selector, c.prefix, (s) => `${s}*`);
  if ("suffix" in c) return affix(c.field, selector, c.suffix, (s) => `*${s}`);
  return { op: "notExists", selector };
}

export function renderConditionToFilterPattern(c: Condition): string {
  return `{ ${printExpr(conditionToFilterExpr(c))} }`;
}

function fieldSelector(field: string): string {
  try {
    return formatPath(parseSelector(`$.${field}`));
  } catch (e) {
    throw new Error(
      `field "${field}" cannot be a filter pattern selector (property names are letters, digits, - and _): ${(e as Error).message}`,
    );
  }
}

function affix(
  field: string,
  selector: string,
  text: string,
  wrap: (s: string) => string,
): FilterExpr {
  if (text === "") throw new Error(`empty prefix/suffix on "${field}" would match any value`);
  checkLiteral(field, text);
  return {
    op: "cmp",
    selector,
    comparator: "=",
    value: { kind: "string", value: wrap(text), quoted: true },
  };
}

function scalarValue(field: string, v: Exclude<Scalar, boolean>): FilterValue {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`"${field}": ${v} is not a finite number`);
    const n = v === 0 ? 0 : v;
    return { kind: "number", value: n, raw: String(n) };
  }
  checkLiteral(field, v);
  return { kind: "string", value: v, quoted: true };
}

/**
 * A quoted value cannot hold `"` (no escapes are documented), `*` would turn into a wildcard at
 * either end, `\` may or may not be an escape, and control characters are not documented either.
 */
function checkLiteral(field: string, s: string): void {
  const bad = /["*\\\u0000-\u001f\u007f]/.exec(s);
  if (bad) {
    throw new Error(
      `value ${JSON.stringify(s)} of "${field}" cannot be expressed in a filter pattern (contains ${JSON.stringify(bad[0])})`,
    );
  }
}
