/** Field-level rules of the configuration: what AWS itself would refuse later, checked now. */
import { z } from "zod";
import { AWS_REGIONS } from "./regions";
import { DETECTION_IDS } from "../detections/catalog";
import { bucketNameProblem } from "./bucket-name";

export { bucketNameProblem };

/** Values CloudWatch Logs accepts for `retention_in_days` (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** Storage classes a lifecycle transition may target, in the order objects may move through them. */
export const TRANSITION_STORAGE_CLASSES = [
  "STANDARD_IA",
  "INTELLIGENT_TIERING",
  "ONEZONE_IA",
  "GLACIER_IR",
  "GLACIER",
  "DEEP_ARCHIVE",
] as const;

export const READ_WRITE_TYPES = ["All", "ReadOnly", "WriteOnly"] as const;
export const TRAIL_PROFILES = ["compliance", "cost"] as const;
export const OBJECT_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;

export const regionList = AWS_REGIONS.join(", ");

export const bucketName = z.string().superRefine((name, ctx) => {
  const problem = bucketNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: `not a valid S3 bucket name: ${problem}` });
});

export const region = z.enum(AWS_REGIONS as [string, ...string[]], {
  error: `not an AWS region code; allowed: ${regionList}`,
});

// Deliberately simple: a local part, "@", and a dotted domain. SNS rejects anything else later.
export const email = z
  .string()
  .regex(/^[^\s@"<>,;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/, {
    message: "not an e-mail address (expected name@example.com)",
  });

export const logRetention = z.literal(LOG_RETENTION_DAYS, {
  error: `not a CloudWatch Logs retention value; allowed: ${LOG_RETENTION_DAYS.join(", ")}`,
});

export const positiveDays = z.number().int({ message: "must be a whole number of days" }).min(1, {
  message: "must be at least 1 day",
});

/** A bucket name, or an S3 bucket ARN optionally followed by a key prefix (arn:aws:s3:::bucket/prefix/). */
export const dataEventBucket = z.string().superRefine((value, ctx) => {
  const arn = /^arn:aws:s3:::([^/]+)(\/.*)?$/.exec(value);
  const name = arn ? arn[1] : value;
  const problem = bucketNameProblem(name);
  if (problem)
    ctx.addIssue({
      code: "custom",
      message: `must be an S3 bucket name or an ARN arn:aws:s3:::<bucket>[/<prefix>]; bucket name ${problem}`,
    });
});

/** Athena's minimum `bytes_scanned_cutoff_per_query` (10 MB). */
export const MIN_BYTES_SCANNED_CUTOFF = 10485760;

/**
 * An IANA time zone name (`Area/Location`, or `UTC`) that this runtime's time zone database knows;
 * Athena takes IANA names. Abbreviations and links without an area (`JST`, `EST`, `Japan`) and
 * names in the wrong case are refused, with the name they stand for as a suggestion.
 */
export function timeZoneProblem(tz: string): string | undefined {
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    resolved = undefined;
  }
  const shaped = /^[A-Z][A-Za-z_-]*(\/[A-Z0-9][A-Za-z0-9_+-]*)+$/.test(tz);
  if (tz === "UTC" || (resolved && shaped)) return undefined;
  const hint = resolved && resolved !== tz ? ` (did you mean "${resolved}"?)` : "";
  return `not an IANA time zone name such as "Asia/Tokyo" or "UTC"${hint}`;
}

export const timeZone = z.string().superRefine((tz, ctx) => {
  const problem = timeZoneProblem(tz);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** A day as CloudTrail writes it in S3 keys (`yyyy/MM/dd`), not after today (UTC). */
export const projectionDate = z.string().superRefine((d, ctx) => {
  const m = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(d);
  if (!m) {
    ctx.addIssue({
      code: "custom",
      message: 'must be a date written yyyy/MM/dd, e.g. "2024/01/01"',
    });
    return;
  }
  const [y, mo, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, day);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== day)
    ctx.addIssue({ code: "custom", message: "is not a calendar date" });
  else if (t > Date.now())
    ctx.addIssue({
      code: "custom",
      message: "is in the future; partition projection starts there and would find no logs",
    });
});

export const tags = z
  .record(
    z.string().min(1).max(128, { message: "tag keys are at most 128 characters" }),
    z.string().max(256, { message: "tag values are at most 256 characters" }),
  )
  .refine((t) => Object.keys(t).every((k) => !k.toLowerCase().startsWith("aws:")), {
    message: 'tag keys must not start with "aws:" (reserved by AWS)',
  });

/** Kebab-case detection ids: catalog ids (listed for editors) or detections.custom ids. */
export const detectionId = z.union(
  [z.enum(DETECTION_IDS as [string, ...string[]]), z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/)],
  {
    error: `not a detection id; allowed: ${DETECTION_IDS.join(", ")} and the ids of detections.custom`,
  },
);

export const transition = z.strictObject({
  days: z.number().int().min(0),
  storageClass: z.enum(TRANSITION_STORAGE_CLASSES),
});

/**
 * CloudWatch alarm periods trailwatch accepts: whole minutes up to one day. PutMetricAlarm also
 * takes 10, 20 and 30 s, but only for high-resolution metrics (StorageResolution 1); the metrics
 * of CloudWatch Logs metric filters are standard resolution (PutMetricFilter has no resolution
 * setting), so a sub-minute alarm on them lapses into INSUFFICIENT_DATA and costs the
 * high-resolution alarm price (PutMetricAlarm API reference, `Period`).
 */
const ALARM_PERIOD_RULE =
  "must be a multiple of 60 from 60 to 86400 seconds (CloudWatch alarm periods; 10, 20 and 30 s need high-resolution metrics, which metric filters do not publish)";
export const alarmPeriod = z
  .number()
  .int({ message: "must be a whole number of seconds" })
  .multipleOf(60, { message: ALARM_PERIOD_RULE })
  .min(60, { message: ALARM_PERIOD_RULE })
  .max(86400, { message: ALARM_PERIOD_RULE });

/** A count of alarm periods: at least 1, at most a day of one-minute periods (see below). */
const evaluationCount = z
  .number()
  .int({ message: "must be a whole number" })
  .min(1, { message: "must be at least 1" })
  .max(1440, { message: "must be at most 1440 (one day of one-minute periods)" });

/** Alarm tuning of one alarm-delivered detection. Defaults: 60 s, threshold 1, 1 of 1 periods. */
export const alarmTuning = z.strictObject({
  /** Seconds per evaluation period. */
  periodSeconds: alarmPeriod.optional(),
  /** Events per period (Sum) that make a period breach. */
  threshold: z.number().int().min(1, { message: "must be at least 1" }).optional(),
  /** Most recent periods evaluated (the N of "M out of N"). */
  evaluationPeriods: evaluationCount.optional(),
  /** Breaching periods among `evaluationPeriods` that raise the alarm (the M); default: all. */
  datapointsToAlarm: evaluationCount.optional(),
});

export type AlarmTuningInput = z.output<typeof alarmTuning>;

/** Seconds in one day and in seven days: PutMetricAlarm's limits on period × evaluation periods. */
const ONE_DAY = 86400;
const SEVEN_DAYS = 604800;

/**
 * Problems with an alarm's evaluation window (PutMetricAlarm API reference, `Period`,
 * `DatapointsToAlarm`): period × evaluationPeriods may not exceed one day when the period is under
 * an hour, and seven days otherwise; `datapointsToAlarm` cannot exceed `evaluationPeriods`.
 */
export function alarmTuningProblems(
  t: AlarmTuningInput,
): { field: keyof AlarmTuningInput; message: string }[] {
  const problems: { field: keyof AlarmTuningInput; message: string }[] = [];
  const period = t.periodSeconds ?? 60;
  const periods = t.evaluationPeriods ?? 1;
  const limit = period < 3600 ? ONE_DAY : SEVEN_DAYS;
  if (period * periods > limit)
    problems.push({
      field: "evaluationPeriods",
      message: `periodSeconds × evaluationPeriods is ${period * periods} s; CloudWatch allows at most ${limit} s (${limit === ONE_DAY ? "one day for periods under an hour" : "seven days"}), so at most ${Math.floor(limit / period)} periods of ${period} s`,
    });
  if (t.datapointsToAlarm !== undefined && t.datapointsToAlarm > periods)
    problems.push({
      field: "datapointsToAlarm",
      message: `must be at most evaluationPeriods (${periods}${t.evaluationPeriods === undefined ? ", the default" : ""})`,
    });
  return problems;
}
