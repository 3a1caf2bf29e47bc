import { z } from "zod";
import { AWS_REGIONS } from "./regions";
import { ALARM_DETECTION_IDS, DETECTION_IDS } from "../detections/catalog";
import { defaultAthenaResultsBucketName } from "../athena/names";

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

const regionList = AWS_REGIONS.join(", ");

/** S3 general purpose bucket naming rules (AWS S3 user guide, "Bucket naming rules"). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return "may contain only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit";
  if (name.includes("..")) return "must not contain two adjacent dots";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "must not be formatted as an IP address";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name))
    return 'must not start with "xn--", "sthree-" or "amzn-s3-demo-"';
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name))
    return 'must not end with "-s3alias", "--ol-s3", ".mrap", "--x-s3" or "--table-s3"';
  return undefined;
}

const bucketName = z.string().superRefine((name, ctx) => {
  const problem = bucketNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: `not a valid S3 bucket name: ${problem}` });
});

const region = z.enum(AWS_REGIONS as [string, ...string[]], {
  error: `not an AWS region code; allowed: ${regionList}`,
});

// Deliberately simple: a local part, "@", and a dotted domain. SNS rejects anything else later.
const email = z.string().regex(/^[^\s@"<>,;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/, {
  message: "not an e-mail address (expected name@example.com)",
});

const logRetention = z.literal(LOG_RETENTION_DAYS, {
  error: `not a CloudWatch Logs retention value; allowed: ${LOG_RETENTION_DAYS.join(", ")}`,
});

const positiveDays = z.number().int({ message: "must be a whole number of days" }).min(1, {
  message: "must be at least 1 day",
});

/** A bucket name, or an S3 bucket ARN optionally followed by a key prefix (arn:aws:s3:::bucket/prefix/). */
const dataEventBucket = z.string().superRefine((value, ctx) => {
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

const timeZone = z.string().superRefine((tz, ctx) => {
  const problem = timeZoneProblem(tz);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** A day as CloudTrail writes it in S3 keys (`yyyy/MM/dd`), not after today (UTC). */
const projectionDate = z.string().superRefine((d, ctx) => {
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

const tags = z
  .record(
    z.string().min(1).max(128, { message: "tag keys are at most 128 characters" }),
    z.string().max(256, { message: "tag values are at most 256 characters" }),
  )
  .refine((t) => Object.keys(t).every((k) => !k.toLowerCase().startsWith("aws:")), {
    message: 'tag keys must not start with "aws:" (reserved by AWS)',
  });

const detectionId = z.enum(DETECTION_IDS as [string, ...string[]], {
  error: `not a detection id; allowed: ${DETECTION_IDS.join(", ")}`,
});

const transition = z.strictObject({
  days: z.number().int().min(0),
  storageClass: z.enum(TRANSITION_STORAGE_CLASSES),
});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    /** Prefix of every resource and stack name. */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, {
        message:
          "must be 3-32 characters: lowercase letters, digits and hyphens, starting with a letter",
      })
      .default("trailwatch"),
    /** The AWS account this baseline is deployed into; the provider refuses any other. */
    accountId: z.string().regex(/^\d{12}$/, { message: "must be a 12-digit AWS account id" }),
    homeRegion: region,
    /** Regions watched by EventBridge rules. The home region is always one of them. */
    regions: z.array(region).min(1),
    tags: tags.default({}),
    state: z.strictObject({
      bucket: bucketName,
      region: region,
      keyPrefix: z
        .string()
        .regex(/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/, {
          message: "must be an S3 key prefix without leading or trailing slash",
        })
        .default("trailwatch"),
    }),
    alerts: z.strictObject({
      emails: z.array(email).min(1, { message: "at least one e-mail address is needed" }),
    }),
    trail: z
      .strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/, {
            message:
              "must be 3-128 characters: letters, digits, periods, underscores and hyphens, starting with a letter or digit",
          })
          .optional(),
        profile: z.enum(TRAIL_PROFILES).default("compliance"),
        /** Overrides the profile's management-event read/write selection. */
        managementEvents: z.enum(READ_WRITE_TYPES).optional(),
        /** Overrides the profile's excluded management event sources. */
        excludeManagementEventSources: z
          .array(z.enum(["kms.amazonaws.com", "rdsdata.amazonaws.com"]))
          .optional(),
        s3DataEvents: z
          .array(z.strictObject({ bucket: dataEventBucket, readWrite: z.enum(READ_WRITE_TYPES) }))
          .default([]),
        /**
         * S3 object-level events for every bucket except trailwatch's own (log archive, access
         * logs, Athena results), which would otherwise log the trail's own writes.
         */
        s3DataEventsAllBuckets: z.strictObject({ readWrite: z.enum(READ_WRITE_TYPES) }).optional(),
        insights: z
          .strictObject({
            apiCallRate: z.boolean().default(false),
            apiErrorRate: z.boolean().default(false),
          })
          .default({ apiCallRate: false, apiErrorRate: false }),
      })
      .default({
        profile: "compliance",
        s3DataEvents: [],
        insights: { apiCallRate: false, apiErrorRate: false },
      }),
    logGroup: z
      .strictObject({ retentionDays: logRetention.default(365) })
      .default({ retentionDays: 365 }),
    archive: z
      .strictObject({
        bucketName: bucketName.optional(),
        /** Days a log object is kept; then it expires. */
        retentionDays: positiveDays.default(2557),
        transitions: z.array(transition).default([
          { days: 90, storageClass: "STANDARD_IA" },
          { days: 365, storageClass: "GLACIER" },
        ]),
        /** Days a noncurrent (overwritten or expired) version is kept before it is removed. */
        noncurrentVersionDays: positiveDays.default(30),
        objectLock: z
          .strictObject({ mode: z.enum(OBJECT_LOCK_MODES), days: positiveDays })
          .optional(),
        accessLogs: z
          .strictObject({
            enabled: z.boolean().default(true),
            bucketName: bucketName.optional(),
            retentionDays: positiveDays.default(365),
          })
          .default({ enabled: true, retentionDays: 365 }),
      })
      .default({
        retentionDays: 2557,
        transitions: [
          { days: 90, storageClass: "STANDARD_IA" },
          { days: 365, storageClass: "GLACIER" },
        ],
        noncurrentVersionDays: 30,
        accessLogs: { enabled: true, retentionDays: 365 },
      }),
    detections: z
      .strictObject({
        /** Turn whole packs on or off. */
        packs: z
          .strictObject({
            cis: z.boolean().default(true),
            seed: z.boolean().default(true),
            watcher: z.boolean().default(true),
          })
          .default({ cis: true, seed: true, watcher: true }),
        /** Detection ids to turn on (also those off by default or in a disabled pack). */
        enable: z.array(detectionId).default([]),
        /** Detection ids to turn off. */
        disable: z.array(detectionId).default([]),
        /** Alarm tuning per detection id (the metric filter pattern stays as the standard wrote it). */
        alarms: z
          .partialRecord(
            detectionId,
            z.strictObject({
              periodSeconds: z
                .number()
                .int()
                .refine((p) => p === 10 || p === 30 || (p >= 60 && p <= 86400 && p % 60 === 0), {
                  message:
                    "must be 10, 30 or a multiple of 60 up to 86400 (CloudWatch alarm periods)",
                })
                .optional(),
              threshold: z.number().int().min(1, { message: "must be at least 1" }).optional(),
              evaluationPeriods: z.number().int().min(1).max(100).optional(),
            }),
          )
          .default({}),
      })
      .default({
        packs: { cis: true, seed: true, watcher: true },
        enable: [],
        disable: [],
        alarms: {},
      }),
    /** Account-wide S3 Block Public Access (Security Hub S3.1, CIS 2.1.4). */
    blockAccountPublicAccess: z.boolean().default(true),
    /** Athena over the archive: Glue table with partition projection, workgroup, saved queries. */
    athena: z
      .strictObject({
        enabled: z.boolean().default(false),
        /** Zone the saved queries show times in. */
        timeZone: timeZone.default("UTC"),
        /** First day (yyyy/MM/dd) partition projection covers; queries before it find nothing. */
        projectionStartDate: projectionDate.default("2020/01/01"),
        /** Athena cancels a query that would scan more (bytes; default 10 GiB). */
        bytesScannedCutoffPerQuery: z
          .number()
          .int({ message: "must be a whole number of bytes" })
          .min(MIN_BYTES_SCANNED_CUTOFF, {
            message: `must be at least ${MIN_BYTES_SCANNED_CUTOFF} bytes (10 MB, Athena's minimum)`,
          })
          .default(10737418240),
        /** Days query results are kept. */
        resultsRetentionDays: positiveDays.default(30),
        resultsBucketName: bucketName.optional(),
      })
      .default({
        enabled: false,
        timeZone: "UTC",
        projectionStartDate: "2020/01/01",
        bytesScannedCutoffPerQuery: 10737418240,
        resultsRetentionDays: 30,
      }),
    /** Permit retention below CIS/PCI's one year (archive) and 90 days (log group). */
    allowShortRetention: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (!c.regions.includes(c.homeRegion))
      ctx.addIssue({
        code: "custom",
        path: ["homeRegion"],
        message: `must be one of "regions" (${c.regions.join(", ")})`,
      });
    c.regions.forEach((r, i) => {
      if (c.regions.indexOf(r) !== i)
        ctx.addIssue({ code: "custom", path: ["regions", i], message: "is listed twice" });
    });
    c.detections.enable.forEach((id, i) => {
      if (c.detections.disable.includes(id))
        ctx.addIssue({
          code: "custom",
          path: ["detections", "enable", i],
          message: "is also listed in detections.disable",
        });
    });
    for (const id of Object.keys(c.detections.alarms))
      if (!ALARM_DETECTION_IDS.includes(id))
        ctx.addIssue({
          code: "custom",
          path: ["detections", "alarms", id],
          message: `${id} is delivered by EventBridge, not an alarm; alarms can be tuned for: ${ALARM_DETECTION_IDS.join(", ")}`,
        });
    if (c.athena.enabled) {
      const results = c.athena.resultsBucketName;
      const problem = results ? undefined : bucketNameProblem(defaultAthenaResultsBucketName(c));
      if (problem)
        ctx.addIssue({
          code: "custom",
          path: ["athena", "resultsBucketName"],
          message: `the default name "${defaultAthenaResultsBucketName(c)}" (from name, accountId and homeRegion) ${problem}; set it explicitly`,
        });
      const taken = [c.state.bucket, c.archive.bucketName, c.archive.accessLogs.bucketName];
      if (results && taken.includes(results))
        ctx.addIssue({
          code: "custom",
          path: ["athena", "resultsBucketName"],
          message: "must differ from the state, archive and access-log buckets",
        });
    }
    const { transitions, retentionDays, objectLock } = c.archive;
    let previous: { days: number; storageClass: string } | undefined;
    transitions.forEach((t, i) => {
      const path = ["archive", "transitions", i, "days"];
      if ((t.storageClass === "STANDARD_IA" || t.storageClass === "ONEZONE_IA") && t.days < 30)
        ctx.addIssue({ code: "custom", path, message: `${t.storageClass} needs at least 30 days` });
      if (previous && t.days <= previous.days)
        ctx.addIssue({
          code: "custom",
          path,
          message: `must be greater than the previous transition's ${previous.days} days (transitions are ordered)`,
        });
      if (
        previous &&
        (previous.storageClass === "STANDARD_IA" || previous.storageClass === "ONEZONE_IA") &&
        t.days - previous.days < 30
      )
        ctx.addIssue({
          code: "custom",
          path,
          message: `objects must stay 30 days in ${previous.storageClass} before the next transition (at least ${previous.days + 30})`,
        });
      if (
        previous &&
        TRANSITION_STORAGE_CLASSES.indexOf(t.storageClass) <=
          TRANSITION_STORAGE_CLASSES.indexOf(
            previous.storageClass as (typeof TRANSITION_STORAGE_CLASSES)[number],
          )
      )
        ctx.addIssue({
          code: "custom",
          path: ["archive", "transitions", i, "storageClass"],
          message: `must be a colder class than ${previous.storageClass}; allowed order: ${TRANSITION_STORAGE_CLASSES.join(" < ")}`,
        });
      if (t.days >= retentionDays)
        ctx.addIssue({
          code: "custom",
          path,
          message: `must be less than archive.retentionDays (${retentionDays}); a transition at or after expiry never happens`,
        });
      previous = t;
    });
    if (objectLock && objectLock.days > retentionDays)
      ctx.addIssue({
        code: "custom",
        path: ["archive", "objectLock", "days"],
        message: `must not exceed archive.retentionDays (${retentionDays}): expiry cannot remove locked versions`,
      });
    if (!c.allowShortRetention) {
      if (retentionDays < 365)
        ctx.addIssue({
          code: "custom",
          path: ["archive", "retentionDays"],
          message:
            "must be at least 365 (CIS and PCI DSS keep a year of logs); set allowShortRetention: true to allow less",
        });
      if (c.logGroup.retentionDays < 90)
        ctx.addIssue({
          code: "custom",
          path: ["logGroup", "retentionDays"],
          message: "must be at least 90; set allowShortRetention: true to allow less",
        });
    }
  });

export type TrailwatchConfigInput = z.input<typeof configSchema>;
export type TrailwatchConfig = z.output<typeof configSchema>;
