/**
 * An embedded stand-in for Athena: DuckDB with a table built from the SAME column definitions as
 * the Glue table (src/athena/cloudtrail-table.ts), loaded the way the Hive JSON SerDe reads
 * CloudTrail records, so the SQL trailwatch saves in Athena runs here unchanged.
 *
 * Loading (what the SerDe does, per column type): JSON keys match column and struct field names
 * case-insensitively; a missing key or JSON null is NULL; a `string` column takes a string as is,
 * a number or boolean as its JSON text, an object or array as its JSON text (that is how
 * `requestparameters` & co. hold JSON); a struct takes an object field by field.
 *
 * DuckDB lacks a few Athena (Trino) functions the saved queries use. They are defined here as
 * macros with Trino's semantics, for the tests only:
 * - `json_extract_scalar(json, path)`: the text of a string, number or boolean; NULL for an
 *   object, an array, JSON null, a missing key or text that is not JSON;
 * - `json_extract_scalar` and `json_extract` accept Trino's bracket notation for keys that are
 *   not plain names (`$["x-amz-server-side-encryption-customer-algorithm"]`), which DuckDB spells
 *   `$."..."`;
 * - `date_format(date, format)`: MySQL-style specifiers, the same as DuckDB's `strftime` for the
 *   `%Y/%m/%d` used here;
 * - `from_iso8601_timestamp(text)`: a timestamp with time zone;
 * - `format_datetime(timestamp, format)`: Joda-style `yyyy-MM-dd HH:mm:ss`.
 * `json_extract`, `LIKE ... ESCAPE`, `AT TIME ZONE`, `current_date - interval 'n' day`, `IN`,
 * struct access and double-quoted identifiers are DuckDB's own.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import {
  CLOUDTRAIL_COLUMNS,
  CLOUDTRAIL_PARTITION_KEYS,
  JSON_TEXT_COLUMNS,
  parseHiveType,
  type HiveType,
} from "../../src/athena/cloudtrail-table";

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The DuckDB type for a Hive type. */
export function duckType(t: HiveType): string {
  switch (t.kind) {
    case "string":
      return "VARCHAR";
    case "array":
      return `${duckType(t.element)}[]`;
    case "map":
      return `MAP(${duckType(t.key)}, ${duckType(t.value)})`;
    case "struct":
      return `STRUCT(${[...t.fields].map(([k, v]) => `${quote(k)} ${duckType(v)}`).join(", ")})`;
  }
}

function lowerKeys(o: Record<string, unknown>): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const [k, v] of Object.entries(o)) if (!m.has(k.toLowerCase())) m.set(k.toLowerCase(), v);
  return m;
}

/** A JSON value as the Hive JSON SerDe reads it into a column of type `t`. */
export function serdeValue(v: unknown, t: HiveType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case "string":
      return typeof v === "string" ? v : JSON.stringify(v);
    case "array":
      return Array.isArray(v) ? v.map((e) => serdeValue(e, t.element)) : null;
    case "map":
      return typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as object).map(([k, x]) => [k, serdeValue(x, t.value)]),
          )
        : null;
    case "struct": {
      if (typeof v !== "object" || Array.isArray(v)) return null;
      const keys = lowerKeys(v as Record<string, unknown>);
      return Object.fromEntries([...t.fields].map(([k, ft]) => [k, serdeValue(keys.get(k), ft)]));
    }
  }
}

const COLUMNS = [...CLOUDTRAIL_COLUMNS, ...CLOUDTRAIL_PARTITION_KEYS].map((c) => ({
  name: c.name,
  type: parseHiveType(c.type),
}));

/** `yyyy/MM/dd` of an ISO time, as CloudTrail's S3 keys spell the day. */
export function dayOf(isoTime: string): string {
  return isoTime.slice(0, 10).replace(/-/g, "/");
}

export interface TableRow {
  readonly record: Record<string, unknown>;
  /** Partition values; default: the record's awsRegion and the day of its eventTime. */
  readonly region?: string;
  readonly timestamp?: string;
}

export interface AthenaEngine {
  readonly connection: DuckDBConnection;
  /** Rows of a query as JSON-friendly objects. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** The `eventid` column of every row the query returns, sorted. */
  eventIds(sql: string): Promise<string[]>;
  close(): void;
}

/** Trino's bracket notation for a key (`$["x-amz-id"]`) in DuckDB's spelling (`$."x-amz-id"`). */
const DUCK_PATH = `regexp_replace(p, '\\["([^"]*)"\\]', '."\\1"', 'g')`;

const MACROS = [
  `CREATE MACRO json_extract_scalar(j, p) AS CASE
     WHEN json_type(CASE WHEN json_valid(j) THEN j END, ${DUCK_PATH}) IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE', 'BOOLEAN')
     THEN json_extract_string(j, ${DUCK_PATH}) END`,
  `CREATE MACRO json_extract(j, p) AS json_extract_path(j, ${DUCK_PATH})`,
  "CREATE MACRO date_format(d, f) AS strftime(d, f)",
  "CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)",
  `CREATE MACRO format_datetime(ts, f) AS strftime(ts,
     replace(replace(replace(replace(replace(replace(f, 'yyyy', '%Y'), 'MM', '%m'), 'dd', '%d'), 'HH', '%H'), 'mm', '%M'), 'ss', '%S'))`,
];

/**
 * A DuckDB database with schema `database` and table `database.table` holding `rows`, plus the
 * Athena function shims. Call `close()` when done.
 */
export async function athenaEngine(
  database: string,
  table: string,
  rows: readonly TableRow[],
): Promise<AthenaEngine> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  for (const m of MACROS) await connection.run(m);
  const qualified = `${quote(database)}.${quote(table)}`;
  await connection.run(`CREATE SCHEMA ${quote(database)}`);
  await connection.run(
    `CREATE TABLE ${qualified} (${COLUMNS.map((c) => `${quote(c.name)} ${duckType(c.type)}`).join(", ")})`,
  );
  const dir = mkdtempSync(path.join(tmpdir(), "trailwatch-athena-"));
  try {
    const file = path.join(dir, "rows.jsonl");
    const lines = rows.map(({ record, region, timestamp }) => {
      const keys = lowerKeys(record);
      const row: Record<string, unknown> = {};
      for (const c of CLOUDTRAIL_COLUMNS)
        row[c.name] = serdeValue(keys.get(c.name), parseHiveType(c.type));
      row.region = region ?? record.awsRegion ?? null;
      row.timestamp =
        timestamp ?? (typeof record.eventTime === "string" ? dayOf(record.eventTime) : null);
      return JSON.stringify(row);
    });
    writeFileSync(file, lines.join("\n") + "\n");
    const spec = COLUMNS.map((c) => `${quote(c.name)}: '${duckType(c.type).replace(/'/g, "''")}'`);
    await connection.run(
      `INSERT INTO ${qualified} BY NAME SELECT * FROM read_json('${file.replace(/'/g, "''")}', format = 'newline_delimited', columns = {${spec.join(", ")}})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rowsOf = async (sql: string) =>
    (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  return {
    connection,
    rows: rowsOf,
    eventIds: async (sql) => (await rowsOf(sql)).map((r) => String(r.eventid)).sort(),
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

const spellingsByReference = new WeakMap<readonly unknown[], Map<string, string>>();

/** Whether a record key names a JSON text column (requestParameters & co.). */
const isJsonTextColumn = (key: string) => JSON_TEXT_COLUMNS.includes(key.toLowerCase());

/**
 * A record as Athena sees its field names. The Hive JSON SerDe matches column and struct field
 * names case-insensitively, so a record whose keys were lower-cased (some Panther test events have
 * `userIdentity.sessioncontext`) still fills `useridentity.sessioncontext.sessionissuer.type`,
 * where Sigma and both patterns, which name fields case-sensitively, see nothing. Inside JSON
 * text columns (requestParameters & co.) paths are case-sensitive, as `json_extract` is. The view
 * renames such keys to the spelling `reference` records use (learned once per reference list).
 */
export function serdeKeyView(record: unknown, reference: readonly unknown[]): unknown {
  let spellings = spellingsByReference.get(reference);
  if (!spellings) {
    const learned = new Map<string, string>();
    const learn = (o: unknown): void => {
      if (Array.isArray(o)) o.forEach(learn);
      else if (o && typeof o === "object")
        for (const [k, v] of Object.entries(o)) {
          if (k !== k.toLowerCase()) learned.set(k.toLowerCase(), k);
          if (!isJsonTextColumn(k)) learn(v);
        }
    };
    reference.forEach(learn);
    spellingsByReference.set(reference, learned);
    spellings = learned;
  }
  const view = (o: unknown, top: boolean): unknown => {
    if (Array.isArray(o)) return o.map((x) => view(x, false));
    if (!o || typeof o !== "object") return o;
    return Object.fromEntries(
      Object.entries(o).map(([k, v]) => {
        const key = spellings.get(k.toLowerCase()) ?? k;
        return [key, top && isJsonTextColumn(key) ? v : view(v, false)];
      }),
    );
  };
  return view(record, true);
}
