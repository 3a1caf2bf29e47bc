/**
 * The third rendering of a detection `Condition`: a SQL boolean expression over the Athena
 * CloudTrail table (src/athena/cloudtrail-table.ts), for investigation queries. The other two
 * are the CloudWatch Logs filter pattern (filter-pattern.ts) and the EventBridge event pattern
 * (event-pattern.ts); the tests run all three on the same real records.
 *
 * Record paths map to columns as the table defines them:
 * - a top-level field is its lowercase column (`eventName` -> `eventname`);
 * - a path into a struct column is struct access (`userIdentity.sessionContext.sessionIssuer.arn`
 *   -> `useridentity.sessioncontext.sessionissuer.arn`), checked against the struct's fields;
 * - a path into a JSON text column (`requestParameters`, `responseElements`,
 *   `additionalEventData`, `serviceEventDetails`) is `json_extract_scalar(col, '$.a.b')` (keys with
 *   `-` in Trino's bracket notation, `$["x-amz-acl"]`), which
 *   gives the text of a string, number or boolean and NULL for an object, an array, JSON null or
 *   a missing key (Trino/Athena semantics).
 *
 * Operators, with the filter pattern's semantics (missing field = NULL, as the table's SerDe
 * reads it; the table of every operator is in src/detections/condition.ts):
 * - `equals` -> `=` or `IN (...)`; values are compared as text (every column is a string);
 * - `notEquals` -> `x IS NOT NULL AND x <> 'v'`: a missing field does not match, as `$.x != "v"`
 *   does not in CloudWatch Logs (see NOT_EQUALS_MATCHES_MISSING_FIELD in filter-pattern.ts);
 * - `prefix` / `suffix` / `contains` -> `LIKE` with `%`, `_` and `\` escaped (`ESCAPE '\'`), and
 *   their negations `x IS NOT NULL AND x NOT LIKE ...`;
 * - `lessThan` & co. -> `TRY_CAST(x AS DOUBLE) < n` (text that is not a number gives NULL);
 * - `exists: true` -> `x IS NOT NULL`; `exists: false` -> `IS NULL`, on a JSON text field
 *   `json_extract(col, '$.x') IS NULL`, which is NULL only when the key is missing (an object or
 *   array value is not "absent");
 * - a path searching an array (`items[].userId`, JSON text columns only) -> the OR of the first
 *   ARRAY_ELEMENTS_SEARCHED indexes (`$.items[0].userId`, ...), the AND for `exists: false`, as the
 *   filter pattern does.
 *
 * Known differences from the filter pattern, none of which a catalog detection depends on: the
 * SerDe reads JSON `null` as NULL, so `exists: false` also holds for an explicit null (NOT EXISTS
 * does not); booleans compare as the text `true`/`false` (a filter pattern's `IS TRUE` only
 * matches a JSON boolean), so `exists: true` and the negative operators hold for a boolean here
 * and not in a filter pattern.
 */
import {
  isLeaf,
  leafOperator,
  type Condition,
  type LeafCondition,
  type Scalar,
  type TextOperator,
} from "../detections/condition";
import { indexedPaths } from "../detections/field-path";
import {
  CLOUDTRAIL_COLUMNS,
  JSON_TEXT_COLUMNS,
  parseHiveType,
  type HiveType,
} from "../athena/cloudtrail-table";

export interface SqlColumn {
  readonly name: string;
  readonly type: HiveType;
  /** A string column holding JSON text: paths into it use JSON functions. */
  readonly json: boolean;
}

/** Table columns by lowercase name. */
export type SqlColumns = ReadonlyMap<string, SqlColumn>;

export function sqlColumns(
  columns: readonly { name: string; type: string }[],
  jsonColumns: readonly string[] = [],
): SqlColumns {
  return new Map(
    columns.map((c) => [
      c.name,
      { name: c.name, type: parseHiveType(c.type), json: jsonColumns.includes(c.name) },
    ]),
  );
}

/** The Athena CloudTrail table's columns. */
export const CLOUDTRAIL_SQL_COLUMNS: SqlColumns = sqlColumns(CLOUDTRAIL_COLUMNS, JSON_TEXT_COLUMNS);

/** A SQL string literal (single quotes doubled). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Escapes `\`, `%` and `_` for a LIKE pattern used with `ESCAPE '\'`. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Operand = {
  /** The expression giving the field's value as text, NULL when missing. */
  readonly value: string;
  /** The expression that is NULL exactly when the field is missing. */
  readonly presence: string;
  /** Whether the path ends on a string (comparable) rather than a struct. */
  readonly comparable: boolean;
};

/**
 * The operands a field stands for: one, or one per searched array index (`items[].userId` ->
 * `$.items[0].userId`, `$.items[1].userId`, ...; only inside JSON text columns).
 */
function operands(field: string, columns: SqlColumns): Operand[] {
  return indexedPaths(field).map((path) => {
    const [head, ...rest] = path;
    const column = columns.get(head.name.toLowerCase());
    for (const step of column?.json ? [head] : path)
      if (!NAME.test(step.name))
        throw new Error(
          `field "${field}": path step ${JSON.stringify(step.name)} is not a plain name (letters, digits, _)`,
        );
    if (!column)
      throw new Error(`field "${field}": the table has no column "${head.name.toLowerCase()}"`);
    if (column.json) {
      if (head.indexes.length > 0)
        throw new Error(
          `field "${field}": column "${column.name}" holds a JSON document, not an array`,
        );
      if (rest.length === 0)
        return { value: column.name, presence: column.name, comparable: false };
      const steps = rest.map(
        (s) => `${jsonKey(field, s.name)}${s.indexes.map((i) => `[${i}]`).join("")}`,
      );
      const jsonPath = sqlString(`$${steps.join("")}`);
      return {
        value: `json_extract_scalar(${column.name}, ${jsonPath})`,
        presence: `json_extract(${column.name}, ${jsonPath})`,
        comparable: true,
      };
    }
    if (path.some((s) => s.indexes.length > 0))
      throw new Error(
        `field "${field}": "[]" searches arrays inside the JSON text columns (${JSON_TEXT_COLUMNS.join(", ")}) only`,
      );
    let type = column.type;
    let expr = column.name;
    for (const step of rest) {
      if (type.kind !== "struct")
        throw new Error(`field "${field}": "${expr}" is a ${type.kind}, not a struct`);
      const key = step.name.toLowerCase();
      const next = type.fields.get(key);
      if (!next) throw new Error(`field "${field}": struct "${expr}" has no field "${key}"`);
      expr = `${expr}.${key}`;
      type = next;
    }
    if (type.kind === "array" || type.kind === "map")
      throw new Error(`field "${field}": "${expr}" is an ${type.kind}; conditions need a scalar`);
    return { value: expr, presence: expr, comparable: type.kind === "string" };
  });
}

function literal(v: Scalar): string {
  if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`${v} is not a finite number`);
  return sqlString(String(v === 0 ? 0 : v));
}

/**
 * One key of a JSONPath: `.name` for a plain name, Trino's bracket notation `["x-amz-id"]` for
 * names with `-` (S3 request headers such as `x-amz-server-side-encryption-customer-algorithm`).
 */
function jsonKey(field: string, name: string): string {
  if (NAME.test(name)) return `.${name}`;
  if (/^[A-Za-z0-9_-]+$/.test(name)) return `["${name}"]`;
  throw new Error(
    `field "${field}": path step ${JSON.stringify(name)} is not a name (letters, digits, _ and -)`,
  );
}

/** A finite number as a SQL numeric literal (compared with a DOUBLE, it is cast implicitly). */
function numberLiteral(n: number): string {
  return String(n === 0 ? 0 : n);
}

function comparable(field: string, o: Operand): string {
  if (!o.comparable)
    throw new Error(
      `field "${field}" is a struct or a whole JSON document; compare one of its fields`,
    );
  return o.value;
}

/** Terms joined by OR (AND), parenthesised when there are several. */
function joined(terms: string[], op: "OR" | "AND"): string {
  return terms.length === 1 ? terms[0] : `(${terms.join(` ${op} `)})`;
}

function likePattern(op: TextOperator, text: string): string {
  const e = escapeLike(text);
  if (op === "prefix" || op === "notPrefix") return `${e}%`;
  if (op === "suffix" || op === "notSuffix") return `%${e}`;
  return `%${e}%`;
}

function leaf(c: LeafCondition, columns: SqlColumns): string {
  const o = leafOperator(c);
  const ops = operands(c.field, columns);
  const each = (f: (x: string) => string) =>
    joined(
      ops.map((op) => f(comparable(c.field, op))),
      "OR",
    );
  switch (o.op) {
    case "equals":
      return each((x) =>
        o.values.length === 1
          ? `${x} = ${literal(o.values[0])}`
          : `${x} IN (${o.values.map(literal).join(", ")})`,
      );
    case "notEquals":
      return each((x) => `(${x} IS NOT NULL AND ${x} <> ${literal(o.value)})`);
    case "numeric":
      return each((x) => `TRY_CAST(${x} AS DOUBLE) ${o.comparison} ${numberLiteral(o.value)}`);
    case "exists":
      if (!o.exists)
        return joined(
          ops.map((op) => `${op.presence} IS NULL`),
          "AND",
        );
      return each((x) => `${x} IS NOT NULL`);
    default: {
      const like = `LIKE ${sqlString(likePattern(o.op, o.text))} ESCAPE '\\'`;
      return o.op.startsWith("not")
        ? each((x) => `(${x} IS NOT NULL AND ${x} NOT ${like})`)
        : each((x) => `${x} ${like}`);
    }
  }
}

/** `all`/`any` of a single condition is that condition. */
function unwrap(c: Condition): Condition {
  while (("all" in c && c.all.length === 1) || ("any" in c && c.any.length === 1))
    c = "all" in c ? c.all[0] : (c as { any: readonly Condition[] }).any[0];
  return c;
}

function render(condition: Condition, columns: SqlColumns, indent: string): string {
  const c = unwrap(condition);
  if (isLeaf(c)) return leaf(c, columns);
  const parts = "all" in c ? c.all : c.any;
  if (parts.length === 0) throw new Error(`cannot render an empty "${"all" in c ? "all" : "any"}"`);
  const op = "all" in c ? "AND" : "OR";
  const inner = `${indent}  `;
  return parts
    .map((part) => {
      const p = unwrap(part);
      // AND binds tighter than OR, but every compound term gets parentheses so nobody has to care.
      return isLeaf(p) ? leaf(p, columns) : `(\n${inner}${render(p, columns, inner)}\n${indent})`;
    })
    .join(`\n${indent}${op} `);
}

/**
 * The condition as a SQL boolean expression over `columns` (default: the Athena CloudTrail
 * table). Multi-line, continuation lines prefixed with `indent`. Throws when a field has no
 * column or struct field, or cannot be compared.
 */
export function renderConditionToSql(
  c: Condition,
  columns: SqlColumns = CLOUDTRAIL_SQL_COLUMNS,
  indent = "",
): string {
  return render(c, columns, indent);
}
