/** Field-level rules of the configuration: what AWS itself would refuse later, checked now. */
import { z } from "zod";
import { AWS_REGIONS } from "./regions";
import { DETECTION_IDS } from "../detections/catalog";
import { MAX_TAGS_PER_RESOURCE, TRAILWATCH_TAG_KEYS } from "../tags";
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
// At most 254 characters: the longest address SMTP can carry (RFC 5321, 4.5.3.1: a 256-octet
// path, angle brackets included).
export const email = z
  .string()
  .max(254, { message: "not an e-mail address: at most 254 characters (RFC 5321)" })
  .regex(/^[^\s@"<>,;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/, {
    message: "not an e-mail address (expected name@example.com)",
  });

export const logRetention = z.literal(LOG_RETENTION_DAYS, {
  error: `not a CloudWatch Logs retention value; allowed: ${LOG_RETENTION_DAYS.join(", ")}`,
});

/**
 * The most days any lifecycle or retention field accepts: 100 years. S3 lifecycle `Days` is a
 * 32-bit integer, and a retention beyond a century is far more likely a typo (an extra digit)
 * than a policy; trailwatch refuses it rather than keep logs for ever by accident.
 */
export const MAX_DAYS = 36500;

/** A whole number of days from `min` to `MAX_DAYS`. */
export function days(min: number) {
  return z
    .number()
    .int({ message: "must be a whole number of days" })
    .min(min, { message: `must be at least ${min} day${min === 1 ? "" : "s"}` })
    .max(MAX_DAYS, {
      message: `must be at most ${MAX_DAYS} days (100 years; allowed: ${min} to ${MAX_DAYS})`,
    });
}

export const positiveDays = days(1);

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

/** The canonical IANA names of this runtime's time zone database (`Intl.supportedValuesOf`). */
let canonical: Set<string> | undefined;
function canonicalTimeZones(): Set<string> {
  canonical ??= new Set(Intl.supportedValuesOf("timeZone"));
  return canonical;
}

/**
 * An IANA time zone name (`Area/Location`, or `UTC`) that this runtime's time zone database knows;
 * Athena takes IANA names. Abbreviations and links without an area (`JST`, `EST`, `Japan`) and
 * names in the wrong case are refused, with the name they stand for as a suggestion.
 */
export function timeZoneProblem(tz: string): string | undefined {
  const shaped = /^[A-Z][A-Za-z_-]*(\/[A-Z0-9][A-Za-z0-9_+-]*)+$/.test(tz);
  // Canonical names first: listing them takes ~3 ms, the first DateTimeFormat ~30 ms (ICU's locale
  // data), which the aliases ("Asia/Calcutta") and the "did you mean" hint still need.
  if (tz === "UTC" || (shaped && canonicalTimeZones().has(tz))) return undefined;
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    resolved = undefined;
  }
  if (resolved && shaped) return undefined;
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

/**
 * Characters AWS allows in tag keys and values across services: Unicode letters, digits and
 * spaces, and `_ . : / = + - @` (AWS Tagging User Guide, "Tag naming limits and requirements";
 * the Resource Groups Tagging API pattern `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`).
 */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_CHARACTERS_RULE =
  "may contain only Unicode letters, digits and spaces and _ . : / = + - @";

/** Problems of one tag key or value; lengths count Unicode characters, as AWS does. */
function tagTextProblems(text: string, what: "key" | "value"): string[] {
  const max = what === "key" ? 128 : 256;
  const problems: string[] = [];
  const length = [...text].length;
  if (what === "key" && length === 0) problems.push("tag keys cannot be empty");
  if (length > max)
    problems.push(`tag ${what}s are at most ${max} characters (this one has ${length})`);
  if (!TAG_CHARACTERS.test(text)) problems.push(`tag ${what}s ${TAG_CHARACTERS_RULE}`);
  if (text.toLowerCase().startsWith("aws:"))
    problems.push(`tag ${what}s must not start with "aws:" (reserved by AWS, in any case)`);
  return problems;
}

const tagText = (what: "key" | "value") =>
  z
    .string()
    .superRefine((text, ctx) => {
      for (const message of tagTextProblems(text, what)) ctx.addIssue({ code: "custom", message });
    })
    // For editors: the JSON Schema counts characters as AWS does.
    .meta(what === "key" ? { minLength: 1, maxLength: 128 } : { maxLength: 256 });

/**
 * The configured tags (provider `default_tags`). With trailwatch's own tags (`src/tags.ts`) they
 * must fit AWS's 50 tags per resource; a key may not be one trailwatch sets, nor differ from
 * another only in case (IAM treats role tag keys case-insensitively, so `Owner` and `owner`
 * cannot both be on the CloudTrail role).
 */
export const tags = z.record(tagText("key"), tagText("value")).superRefine(
  (t, ctx) => {
    const keys = Object.keys(t);
    const allowed = MAX_TAGS_PER_RESOURCE - TRAILWATCH_TAG_KEYS.length;
    if (keys.length > allowed)
      ctx.addIssue({
        code: "custom",
        message: `at most ${allowed} tags: AWS allows ${MAX_TAGS_PER_RESOURCE} per resource and trailwatch adds ${TRAILWATCH_TAG_KEYS.join(", ")} (${keys.length} given)`,
      });
    const seen = new Map<string, string>();
    for (const key of keys) {
      const ours = TRAILWATCH_TAG_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
      if (ours)
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `trailwatch sets the tag ${JSON.stringify(ours)} itself; choose another key`,
        });
      const other = seen.get(key.toLowerCase());
      if (other !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `differs from the tag ${JSON.stringify(other)} only in case; IAM treats tag keys of roles case-insensitively`,
        });
      else seen.set(key.toLowerCase(), key);
    }
  },
  { when: () => true },
);

/** Kebab-case detection ids: catalog ids (listed for editors) or detections.custom ids. */
export const detectionId = z.union(
  [z.enum(DETECTION_IDS as [string, ...string[]]), z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/)],
  {
    error: `not a detection id; allowed: ${DETECTION_IDS.join(", ")} and the ids of detections.custom`,
  },
);

export const transition = z.strictObject({
  days: days(0),
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

/**
 * CloudTrail trail naming rules (CreateTrail API reference, `Name`): ASCII letters, digits,
 * periods, underscores and dashes; 3 to 128 characters; starting and ending with a letter or
 * digit; no two periods, underscores or dashes in a row (`my-_trail`, `my--trail`); not formatted
 * as an IP address.
 */
export function trailNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 128) return "must be 3 to 128 characters long";
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    return "may contain only ASCII letters, digits, periods, underscores and dashes";
  if (!/^[A-Za-z0-9].*[A-Za-z0-9]$/.test(name)) return "must start and end with a letter or digit";
  if (/[._-]{2}/.test(name))
    return "must not have two periods, underscores or dashes in a row (e.g. my--trail)";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "must not be formatted as an IP address";
  return undefined;
}

export const trailName = z.string().superRefine((name, ctx) => {
  const problem = trailNameProblem(name);
  if (problem)
    ctx.addIssue({ code: "custom", message: `not a valid CloudTrail trail name: ${problem}` });
});
