/**
 * The saved Athena queries: the seed article's "who did what to which object", root activity,
 * failed and denied calls by principal, console sign-ins, changes to trailwatch's own resources,
 * and one investigation query per enabled detection whose WHERE clause is rendered from the
 * detection's condition (src/patterns/sql-condition.ts).
 *
 * Every query reads only a range of the `timestamp` partition (the last `lookbackDays` days by
 * default), so none scans the whole archive; the workgroup's bytes-scanned cutoff is the backstop.
 * Times are shown in the configured time zone.
 */
import { all, any, eq, type Condition } from "../detections/condition";
import { CIS_DETECTIONS } from "../detections/cis";
import type { Detection, WatchedResources } from "../detections/types";
import { watcherDetections } from "../detections/watcher";
import { renderConditionToSql, sqlString } from "../patterns/sql-condition";

/** Days back from today (UTC) that the saved queries read, today included. */
export const DEFAULT_LOOKBACK_DAYS = 7;

/** Most rows a listing query returns; the aggregate queries return one row per group. */
export const ROW_LIMIT = 1000;

export interface QueryContext {
  /** Glue database and table of the CloudTrail table. */
  readonly database: string;
  readonly table: string;
  /** IANA time zone the times are shown in, e.g. `Asia/Tokyo`. */
  readonly timeZone: string;
  /** @default DEFAULT_LOOKBACK_DAYS */
  readonly lookbackDays?: number;
  /**
   * Organization-wide table: the account every query reads (its `account` partition is projected
   * `injected`, so each query must name one). @default none (a one-account table)
   */
  readonly account?: string;
}

export interface SavedQuery {
  /** Stable kebab-case id, unique among the queries. */
  readonly id: string;
  readonly title: string;
  readonly sql: string;
}

/** A double-quoted SQL identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The partition range: `timestamp` (the `yyyy/MM/dd` of the log file's S3 key) from `days` days
 * ago through today, computed when the query runs. Partition projection turns it into the list
 * of S3 prefixes to read.
 */
export function partitionRange(days: number = DEFAULT_LOOKBACK_DAYS): string {
  if (!Number.isInteger(days) || days < 0) throw new Error(`lookback of ${days} days`);
  return (
    `"timestamp" BETWEEN date_format(current_date - interval '${days}' day, '%Y/%m/%d')` +
    ` AND date_format(current_date, '%Y/%m/%d')`
  );
}

/**
 * The partitions a saved query reads: the day range and, over an organization trail, one account
 * (change it to the account under investigation; Athena refuses a query without it).
 */
export function partitionFilter(ctx: QueryContext): string {
  const range = partitionRange(ctx.lookbackDays);
  return ctx.account ? `account = ${sqlString(ctx.account)} AND ${range}` : range;
}

/**
 * The event time in the configured zone, as text. The seed article's query showed
 * `from_iso8601_timestamp(eventtime) AT TIME ZONE 'Asia/Tokyo'`, which works in a SELECT but
 * failed when saved as a view: a view cannot have a `timestamp with time zone` column (Athena:
 * "NOT_SUPPORTED: Unsupported Hive type: timestamp with time zone"). Formatting it gives a
 * varchar column, which a view, a CTAS table or a CSV download all take. `try` turns a time
 * that is not ISO 8601 into NULL instead of failing the whole query.
 */
export function localTime(ctx: QueryContext, aggregate?: "min" | "max"): string {
  const t = "try(from_iso8601_timestamp(eventtime))";
  return `format_datetime(${aggregate ? `${aggregate}(${t})` : t} AT TIME ZONE ${sqlString(ctx.timeZone)}, 'yyyy-MM-dd HH:mm:ss')`;
}

/** Who made the call: the ARN, else the calling service, else the principal id or type. */
export const PRINCIPAL =
  "coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type)";

function from(ctx: QueryContext): string {
  return `${sqlIdentifier(ctx.database)}.${sqlIdentifier(ctx.table)}`;
}

function comment(lines: string[]): string {
  // One line per comment: a newline inside would end the comment and start SQL.
  return lines.map((l) => `-- ${l.replace(/\s*[\r\n]+\s*/g, " ")}`).join("\n");
}

/** SELECT ... WHERE <partition range> AND (<condition>) ORDER BY eventtime DESC LIMIT n. */
function listing(
  ctx: QueryContext,
  header: string[],
  columns: string[],
  condition: Condition,
): string {
  return [
    comment(header),
    "SELECT",
    columns.map((c) => `  ${c}`).join(",\n"),
    `FROM ${from(ctx)}`,
    `WHERE ${partitionFilter(ctx)}`,
    "  AND (",
    `    ${renderConditionToSql(condition, undefined, "    ")}`,
    "  )",
    "ORDER BY eventtime DESC",
    `LIMIT ${ROW_LIMIT}`,
  ].join("\n");
}

function range(ctx: QueryContext): string {
  const days = ctx.lookbackDays ?? DEFAULT_LOOKBACK_DAYS;
  return `the last ${days} days (UTC) and today; times in ${ctx.timeZone}`;
}

function cisCondition(id: string): Condition {
  const d = CIS_DETECTIONS.find((x) => x.id === id);
  if (!d) throw new Error(`no CIS detection ${id}`);
  return d.condition;
}

/** S3 object-level data events: the trail logs them only for buckets it is told to. */
export const S3_OBJECT_EVENTS: Condition = all(
  eq("eventSource", "s3.amazonaws.com"),
  eq("eventCategory", "Data"),
);

export const CONSOLE_SIGN_INS: Condition = all(
  eq("eventSource", "signin.amazonaws.com"),
  eq("eventName", "ConsoleLogin"),
);

export function investigationQueries(
  ctx: QueryContext,
  detections: readonly Detection[],
  watched: WatchedResources,
): SavedQuery[] {
  const time = `${localTime(ctx)} AS local_time`;
  const common = [
    time,
    "eventsource",
    "eventname",
    `${PRINCIPAL} AS principal`,
    "sourceipaddress",
    "awsregion",
    "errorcode",
  ];
  const queries: SavedQuery[] = [
    {
      id: "s3-object-activity",
      title: "S3 object-level activity: who did what to which object",
      sql: listing(
        ctx,
        [
          "S3 object-level activity: who did what to which object.",
          `Reads ${range(ctx)}.`,
          "Only buckets with S3 data events turned on (trail.s3DataEvents, trail.s3DataEventsAllBuckets) appear.",
        ],
        [
          time,
          "eventname",
          `${PRINCIPAL} AS principal`,
          "useridentity.username",
          "json_extract_scalar(requestparameters, '$.bucketName') AS bucket",
          "json_extract_scalar(requestparameters, '$.key') AS object_key",
          "errorcode",
          "sourceipaddress",
          "useragent",
          "awsregion",
          "eventid",
        ],
        S3_OBJECT_EVENTS,
      ),
    },
    {
      id: "root-activity",
      title: "Root user activity",
      sql: listing(
        ctx,
        [
          "Root user activity (the CIS root-usage condition: not on behalf of a service, not a service event).",
          `Reads ${range(ctx)}.`,
        ],
        [...common, "useragent", "eventid"],
        cisCondition("cis-root-usage"),
      ),
    },
    {
      id: "failed-calls-by-principal",
      title: "Failed and denied calls by principal",
      sql: [
        comment([
          "Failed calls by principal, error and API; `denied` marks authorization failures",
          "(the CIS unauthorized-API-calls condition: *UnauthorizedOperation, AccessDenied*).",
          `Reads ${range(ctx)}.`,
        ]),
        "SELECT",
        `  ${PRINCIPAL} AS principal,`,
        "  errorcode,",
        `  (${renderConditionToSql(cisCondition("cis-unauthorized-api-calls"), undefined, "    ")}) AS denied,`,
        "  eventsource,",
        "  eventname,",
        "  count(*) AS calls,",
        `  ${localTime(ctx, "min")} AS first_seen,`,
        `  ${localTime(ctx, "max")} AS last_seen`,
        `FROM ${from(ctx)}`,
        `WHERE ${partitionFilter(ctx)}`,
        "  AND errorcode IS NOT NULL",
        "GROUP BY 1, 2, 3, 4, 5",
        "ORDER BY denied DESC, calls DESC",
        `LIMIT ${ROW_LIMIT}`,
      ].join("\n"),
    },
    {
      id: "console-sign-ins",
      title: "Console sign-ins",
      sql: listing(
        ctx,
        ["Console sign-ins, successful or not, with MFA use.", `Reads ${range(ctx)}.`],
        [
          time,
          "useridentity.type AS identity_type",
          `${PRINCIPAL} AS principal`,
          "json_extract_scalar(responseelements, '$.ConsoleLogin') AS result",
          "json_extract_scalar(additionaleventdata, '$.MFAUsed') AS mfa_used",
          "errormessage",
          "sourceipaddress",
          "useragent",
          "eventid",
        ],
        CONSOLE_SIGN_INS,
      ),
    },
    {
      id: "trailwatch-changes",
      title: "Changes to trailwatch's own resources",
      sql: listing(
        ctx,
        [
          "Calls that change trailwatch's own trail, log group, alarms, rules, topic, key or archive bucket",
          "(the watcher detections' conditions, whether or not those detections are enabled).",
          `Reads ${range(ctx)}.`,
        ],
        [...common, "requestparameters", "eventid"],
        any(...watcherDetections(watched).map((d) => d.condition)),
      ),
    },
  ];
  for (const d of detections)
    queries.push({
      id: `detection-${d.id}`,
      title: d.title,
      sql: listing(
        ctx,
        [
          `${d.title} [${d.severity}] (trailwatch detection ${d.id}).`,
          `Investigate: ${d.investigate}`,
          "The WHERE clause is rendered from the detection's condition, like its metric filter and event pattern.",
          `Reads ${range(ctx)}.`,
        ],
        [...common, "requestparameters", "eventid"],
        d.condition,
      ),
    });
  return queries;
}
