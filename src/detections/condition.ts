/**
 * The CloudTrail condition of a detection, as data. One condition renders to a CloudWatch Logs
 * metric filter pattern (src/patterns/filter-pattern-render.ts), to an EventBridge event pattern
 * (src/patterns/event-pattern-render.ts) and to an Athena WHERE clause
 * (src/patterns/sql-condition.ts), and the tests evaluate every rendering on real CloudTrail
 * records.
 *
 * `field` is a dotted path into a CloudTrail record as delivered to S3 / CloudWatch Logs
 * (e.g. `eventName`, `userIdentity.type`, `additionalEventData.MFAUsed`). A step followed by `[]`
 * is an array whose elements are searched: `requestParameters.launchPermission.add.items[].userId`
 * holds when some element of `items` has a `userId` that satisfies the operator, and
 * `requestParameters.valuesToAdd[]` looks at the elements of `valuesToAdd` themselves (grammar and
 * the per-rendering limits in field-path.ts).
 *
 * Semantics shared by every rendering (the tests check all three agree on real records):
 * - every comparison is on a string or number value and is case-sensitive: CloudWatch Logs filter
 *   patterns cannot fold case, so neither does any other rendering (EventBridge's
 *   `equals-ignore-case` is deliberately not used). CloudTrail's own fields (`eventName`,
 *   `eventSource`, `errorCode`, ARNs) are case-exact; a converter from case-insensitive languages
 *   such as Sigma should say where that can miss;
 * - a field that is absent, an object, or an array not marked `[]` satisfies no operator except
 *   `exists: false`;
 * - the negative operators (`notEquals`, `notPrefix`, `notSuffix`, `notContains`) need the field to
 *   be present: "present and different". To say "absent or different", write
 *   `any(absent(f), notPrefix(f, x))`. This is what the filter pattern's `!=` and EventBridge's
 *   `anything-but` both do.
 *
 * Per rendering, for a leaf on `f` with text `x` (`*` and `\` are escaped in EventBridge wildcards;
 * a filter pattern cannot hold `"`, `*` or `\` in a value, so such values are refused):
 *
 * | operator         | filter pattern          | event pattern                          | Athena SQL                         |
 * |------------------|-------------------------|----------------------------------------|------------------------------------|
 * | equals [a, b]    | `$.f = "a" \|\| ...`    | `["a", "b"]`                           | `f IN ('a', 'b')`                  |
 * | notEquals a      | `$.f != "a"`            | `[{"anything-but": "a"}]`              | `f IS NOT NULL AND f <> 'a'`       |
 * | prefix x         | `$.f = "x*"`            | `[{"prefix": "x"}]`                    | `f LIKE 'x%'`                      |
 * | suffix x         | `$.f = "*x"`            | `[{"suffix": "x"}]`                    | `f LIKE '%x'`                      |
 * | contains x       | `$.f = "*x*"`           | `[{"wildcard": "*x*"}]`                | `f LIKE '%x%'`                     |
 * | notPrefix x      | `$.f != "x*"`           | `[{"anything-but": {"prefix": "x"}}]`  | `f IS NOT NULL AND f NOT LIKE 'x%'`|
 * | notSuffix x      | `$.f != "*x"`           | `[{"anything-but": {"suffix": "x"}}]`  | `... NOT LIKE '%x'`                |
 * | notContains x    | `$.f != "*x*"`          | `[{"anything-but": {"wildcard": "*x*"}}]` | `... NOT LIKE '%x%'`            |
 * | lessThan n (and <=, >, >=) | `$.f < n`     | `[{"numeric": ["<", n]}]`              | `TRY_CAST(f AS DOUBLE) < n`        |
 * | exists true      | `$.f = "*"`             | `[{"exists": true}]`                   | `f IS NOT NULL`                    |
 * | exists false     | `$.f NOT EXISTS`        | `[{"exists": false}]`                  | `f IS NULL`                        |
 *
 * Known differences, none of which a catalog detection depends on (each is pinned by a test in
 * __tests__/condition-semantics.test.ts):
 * - booleans and JSON null: `exists: true` and the negative operators hold for them in
 *   EventBridge (a boolean or null is a value there) but not in a filter pattern, which compares
 *   only strings and numbers; SQL reads booleans as the text `true`/`false` and null as absent;
 * - numbers: a filter pattern compares a number's digits with `prefix`/`suffix`/`contains`, and
 *   `equals` with a number and the numeric comparisons also match a string spelling a number (as
 *   does SQL's TRY_CAST); EventBridge matches type-strictly, and compares numbers only within
 *   ±5e9 with at most six decimals (Event Ruler's ComparableNumber);
 * - arrays: EventBridge searches every element of an array anywhere on the path (marked `[]` or
 *   not); the filter pattern and SQL search the first `ARRAY_ELEMENTS_SEARCHED` elements of the
 *   arrays marked `[]` and see no value in an unmarked array;
 * - a rule with `contains`/`notContains` is a rule "containing wildcards", of which EventBridge
 *   allows 30 per event bus (not adjustable; "Amazon EventBridge quotas").
 *
 * What no rendering pair can say, refused with an error naming the field (so a converter can
 * report and skip it):
 * - a value holding `"`, `*`, `\` or a control character (a filter pattern has no escapes and `*`
 *   at either end of a value is a wildcard: a literal `*` alone cannot be matched);
 * - two constraints on one field ANDed that no single EventBridge list element expresses (e.g.
 *   `contains a` AND `contains b`, `prefix` AND `notSuffix`): an event pattern names a field once,
 *   so `all` on one field must collapse to one element (`prefix "ab"` AND `prefix "a"` does);
 * - two different fields inside the same `[]` array in one conjunction (EventBridge takes them from
 *   one element, the filter pattern from any): test one field per array, or split with `any`;
 * - `notEquals` a boolean, an empty `equals`, an empty text, an empty `all`/`any`.
 *
 * Mapping from Sigma modifiers: `contains` / `startswith` / `endswith` -> contains / prefix /
 * suffix; `lt` / `lte` / `gt` / `gte` -> lessThan / lessThanOrEqual / greaterThan /
 * greaterThanOrEqual; a value list -> `any` (or `equals` with several values); `|all` -> `all`; `|exists:
 * true|false` -> exists; `field: null` -> `exists: false`; `not` pushed down to the leaves ->
 * `any(absent(f), notX(f, ...))` per leaf (De Morgan for and/or).
 */
export type Scalar = string | number | boolean;

export type Condition =
  /** Every sub-condition holds. */
  | { readonly all: readonly Condition[] }
  /** At least one sub-condition holds. */
  | { readonly any: readonly Condition[] }
  /** The field equals one of the values (exact, case-sensitive). */
  | { readonly field: string; readonly equals: readonly Scalar[] }
  /** The field is present and differs from the value. */
  | { readonly field: string; readonly notEquals: Scalar }
  /** The field is a string starting with the text. */
  | { readonly field: string; readonly prefix: string }
  /** The field is a string ending with the text. */
  | { readonly field: string; readonly suffix: string }
  /** The field is a string containing the text. */
  | { readonly field: string; readonly contains: string }
  /** The field is present and does not start with the text. */
  | { readonly field: string; readonly notPrefix: string }
  /** The field is present and does not end with the text. */
  | { readonly field: string; readonly notSuffix: string }
  /** The field is present and does not contain the text. */
  | { readonly field: string; readonly notContains: string }
  /** The field is a number below the bound. */
  | { readonly field: string; readonly lessThan: number }
  /** The field is a number at most the bound. */
  | { readonly field: string; readonly lessThanOrEqual: number }
  /** The field is a number above the bound. */
  | { readonly field: string; readonly greaterThan: number }
  /** The field is a number at least the bound. */
  | { readonly field: string; readonly greaterThanOrEqual: number }
  /** The field holds a value (`true`) or is absent (`false`). */
  | { readonly field: string; readonly exists: boolean };

/** A condition on one field. */
export type LeafCondition = Exclude<
  Condition,
  { readonly all: readonly Condition[] } | { readonly any: readonly Condition[] }
>;

/** The text operators: each takes a non-empty string. */
export type TextOperator =
  "prefix" | "suffix" | "contains" | "notPrefix" | "notSuffix" | "notContains";

/** The numeric comparisons, with their filter pattern / EventBridge spelling. */
export const NUMERIC_OPERATORS = {
  lessThan: "<",
  lessThanOrEqual: "<=",
  greaterThan: ">",
  greaterThanOrEqual: ">=",
} as const;
export type NumericOperator = keyof typeof NUMERIC_OPERATORS;
export type Comparison = (typeof NUMERIC_OPERATORS)[NumericOperator];

/** A leaf's operator in one shape, so renderers can switch on `op`. */
export type LeafOperator =
  | { readonly op: "equals"; readonly values: readonly Scalar[] }
  | { readonly op: "notEquals"; readonly value: Scalar }
  | { readonly op: TextOperator; readonly text: string }
  | { readonly op: "numeric"; readonly comparison: Comparison; readonly value: number }
  | { readonly op: "exists"; readonly exists: boolean };

const TEXT_OPERATORS: readonly TextOperator[] = [
  "prefix",
  "suffix",
  "contains",
  "notPrefix",
  "notSuffix",
  "notContains",
];

export const isLeaf = (c: Condition): c is LeafCondition => "field" in c;

/**
 * The operator of a leaf. Throws on an empty `equals` list or an empty text (an empty prefix
 * would match any value and an empty notPrefix none).
 */
export function leafOperator(c: LeafCondition): LeafOperator {
  if ("equals" in c) {
    if (c.equals.length === 0)
      throw new Error(`"${c.field}" equals no value: equals needs at least one value`);
    return { op: "equals", values: c.equals };
  }
  if ("notEquals" in c) return { op: "notEquals", value: c.notEquals };
  if ("exists" in c) return { op: "exists", exists: c.exists };
  for (const [name, comparison] of Object.entries(NUMERIC_OPERATORS)) {
    if (name in c) {
      const value = (c as unknown as Record<NumericOperator, number>)[name as NumericOperator];
      if (typeof value !== "number" || !Number.isFinite(value))
        throw new Error(`${name} on "${c.field}" needs a finite number`);
      return { op: "numeric", comparison, value };
    }
  }
  for (const op of TEXT_OPERATORS) {
    if (op in c) {
      const text = (c as unknown as Record<TextOperator, string>)[op];
      if (text === "")
        throw new Error(
          `empty ${op} on "${c.field}" would match ${op.startsWith("not") ? "no" : "any"} value`,
        );
      return { op, text };
    }
  }
  throw new Error(`condition on "${c.field}" has no operator`);
}

export const all = (...conditions: Condition[]): Condition => ({ all: conditions });
export const any = (...conditions: Condition[]): Condition => ({ any: conditions });
export const eq = (field: string, ...values: Scalar[]): Condition => ({ field, equals: values });
export const ne = (field: string, value: Scalar): Condition => ({ field, notEquals: value });
export const prefix = (field: string, value: string): Condition => ({ field, prefix: value });
export const suffix = (field: string, value: string): Condition => ({ field, suffix: value });
export const contains = (field: string, value: string): Condition => ({ field, contains: value });
export const notPrefix = (field: string, value: string): Condition => ({ field, notPrefix: value });
export const notSuffix = (field: string, value: string): Condition => ({ field, notSuffix: value });
export const notContains = (field: string, value: string): Condition => ({
  field,
  notContains: value,
});
export const lt = (field: string, n: number): Condition => ({ field, lessThan: n });
export const lte = (field: string, n: number): Condition => ({ field, lessThanOrEqual: n });
export const gt = (field: string, n: number): Condition => ({ field, greaterThan: n });
export const gte = (field: string, n: number): Condition => ({ field, greaterThanOrEqual: n });
export const present = (field: string): Condition => ({ field, exists: true });
export const absent = (field: string): Condition => ({ field, exists: false });
