/** Renders a detection `Condition` as a CloudWatch Logs JSON filter pattern. */
import {
  isLeaf,
  leafOperator,
  type Condition,
  type LeafCondition,
  type Scalar,
} from "../detections/condition";
import { indexedPaths } from "../detections/field-path";
import {
  formatPath,
  parseSelector,
  printExpr,
  type FilterExpr,
  type FilterValue,
} from "./filter-pattern";

/**
 * The filter expression of a condition, keeping the author's order (nested all/any flattened).
 * Throws when the condition cannot be said exactly in a filter pattern.
 *
 * Leaves render as in the table of condition.ts: `equals` as `=` (booleans as `IS TRUE` /
 * `IS FALSE`), `notEquals` as `!=`, the text operators as `=` / `!=` with `*` at the ends of the
 * value (the documented wildcard positions: "`*` ... at the start and/or end"), the numeric
 * comparisons as `<`, `<=`, `>`, `>=` with a number, `exists: true` as
 * `= "*"` (any string or number) and `exists: false` as `NOT EXISTS`. A path that searches an
 * array (`items[].userId`) becomes the OR of its first ARRAY_ELEMENTS_SEARCHED indexes
 * (`items[0].userId`, `items[1].userId`, ...), and an AND for `exists: false`.
 *
 * Known gaps that are not errors: the text operators also match numbers whose digits fit
 * (CloudWatch cannot test "is a string"), a number in `equals` also matches a string spelling it,
 * and the negative operators and `exists: true` do not match a field that is null or a boolean
 * (CloudWatch only compares string and number values).
 */
export function conditionToFilterExpr(c: Condition): FilterExpr {
  if (isLeaf(c)) return leafExpr(c);
  const op = "all" in c ? "and" : "or";
  const parts = "all" in c ? c.all : c.any;
  if (parts.length === 0) throw new Error(`cannot render an empty "${"all" in c ? "all" : "any"}"`);
  return join(op, parts.map(conditionToFilterExpr));
}

export function renderConditionToFilterPattern(c: Condition): string {
  return `{ ${printExpr(conditionToFilterExpr(c))} }`;
}

/** and/or of terms, flattening nested terms of the same operator; one term is itself. */
function join(op: "and" | "or", parts: readonly FilterExpr[]): FilterExpr {
  const terms: FilterExpr[] = [];
  for (const e of parts) {
    if (e.op === op) terms.push(...e.terms);
    else terms.push(e);
  }
  return terms.length === 1 ? terms[0] : { op, terms };
}

function leafExpr(c: LeafCondition): FilterExpr {
  const o = leafOperator(c);
  const selectors = fieldSelectors(c.field);
  const each = (f: (selector: string) => FilterExpr) => selectors.map(f);
  switch (o.op) {
    case "equals":
      return join(
        "or",
        o.values.flatMap((v) =>
          each((selector): FilterExpr => {
            if (typeof v === "boolean") return { op: v ? "isTrue" : "isFalse", selector };
            return { op: "cmp", selector, comparator: "=", value: scalarValue(c.field, v) };
          }),
        ),
      );
    case "notEquals": {
      if (typeof o.value === "boolean") {
        // `IS FALSE` would miss present non-boolean values, and `!= true` is not documented.
        throw new Error(`cannot render notEquals ${o.value} on "${c.field}" as a filter pattern`);
      }
      const value = scalarValue(c.field, o.value);
      return join(
        "or",
        each((selector) => ({ op: "cmp", selector, comparator: "!=", value })),
      );
    }
    case "numeric": {
      const value = scalarValue(c.field, o.value);
      return join(
        "or",
        each((selector) => ({ op: "cmp", selector, comparator: o.comparison, value })),
      );
    }
    case "exists":
      if (!o.exists)
        return join(
          "and",
          each((selector) => ({ op: "notExists", selector })),
        );
      return join(
        "or",
        each((selector) => ({ op: "cmp", selector, comparator: "=", value: WILDCARD })),
      );
    default: {
      checkLiteral(c.field, o.text);
      const wrapped =
        o.op === "prefix" || o.op === "notPrefix"
          ? `${o.text}*`
          : o.op === "suffix" || o.op === "notSuffix"
            ? `*${o.text}`
            : `*${o.text}*`;
      const comparator = o.op.startsWith("not") ? "!=" : "=";
      const value: FilterValue = { kind: "string", value: wrapped, quoted: true };
      return join(
        "or",
        each((selector) => ({ op: "cmp", selector, comparator, value })),
      );
    }
  }
}

const WILDCARD: FilterValue = { kind: "string", value: "*", quoted: true };

/** The selectors a field path stands for: one, or one per searched array index. */
function fieldSelectors(field: string): string[] {
  return indexedPaths(field).map((path) => {
    const text = `$.${path.map((s) => s.name + s.indexes.map((i) => `[${i}]`).join("")).join(".")}`;
    try {
      return formatPath(parseSelector(text));
    } catch (e) {
      throw new Error(
        `field "${field}" cannot be a filter pattern selector (property names are letters, digits, - and _): ${(e as Error).message}`,
      );
    }
  });
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
