import { z } from "zod";
import {
  ALARM_DETECTION_IDS,
  DETECTION_IDS,
  enabledDetections,
  NAMELESS,
} from "../detections/catalog";
import { customDetectionEntry, customDetectionIssues } from "./custom-detections";
import { remediationProblems, remediationSchema } from "../containment/config";
import { customDetections } from "../detections/custom";
import { defaultAthenaResultsBucketName } from "../athena/names";
import { s3ObjectArnPrefix } from "../s3-arn";
import { duplicatesBy, emailIdentity } from "../terraform/stable-id";
import {
  TRANSITION_STORAGE_CLASSES,
  READ_WRITE_TYPES,
  TRAIL_PROFILES,
  OBJECT_LOCK_MODES,
  bucketNameProblem,
  bucketName,
  region,
  email,
  logRetention,
  positiveDays,
  dataEventBucket,
  MIN_BYTES_SCANNED_CUTOFF,
  timeZone,
  projectionDate,
  tags,
  detectionId,
  transition,
  alarmTuning,
  alarmTuningProblems,
} from "./fields";
import {
  TRAIL_MODES,
  existingTrailSchema,
  organizationSchema,
  adoptSchema,
  logGroupNameSchema,
  modeProblems,
} from "./modes";
import { alarmEnrichment, ALARM_ENRICHMENT_DEFAULTS } from "./alerts";

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
      /** Alarm notifications that list the CloudTrail events behind the alarm (src/alerts/). */
      enrichment: alarmEnrichment.default(ALARM_ENRICHMENT_DEFAULTS),
    }),
    trail: z
      .strictObject({
        /** create (default), existing (someone else's trail) or organization (an organization trail). */
        mode: z.enum(TRAIL_MODES).default("create"),
        /** The trail to use with mode "existing". */
        existing: existingTrailSchema.optional(),
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
        mode: "create",
        profile: "compliance",
        s3DataEvents: [],
        insights: { apiCallRate: false, apiErrorRate: false },
      }),
    logGroup: z
      .strictObject({
        /** @default "/<name>/cloudtrail" */
        name: logGroupNameSchema.optional(),
        retentionDays: logRetention.default(365),
      })
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
        /**
         * Deny s3:DeleteObject and s3:DeleteObjectVersion on log files to every principal, so logs
         * leave only through the lifecycle. Turn off only to empty the bucket on purpose.
         */
        denyLogDeletion: z.boolean().default(true),
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
        denyLogDeletion: true,
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
            custom: z.boolean().default(true),
          })
          .default({ cis: true, seed: true, watcher: true, custom: true }),
        /** Detection ids to turn on (also those off by default or in a disabled pack). */
        enable: z.array(detectionId).default([]),
        /** Detection ids to turn off. */
        disable: z.array(detectionId).default([]),
        /** Alarm tuning per detection id (the metric filter pattern stays as the standard wrote it). */
        alarms: z.partialRecord(detectionId, alarmTuning).default({}),
        /** Your own detections, in the catalog's data model (`npm run sigma` converts Sigma rules). */
        custom: z.array(customDetectionEntry).default([]),
      })
      .default({
        packs: { cis: true, seed: true, watcher: true, custom: true },
        enable: [],
        disable: [],
        alarms: {},
        custom: [],
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
    /** Organization trail settings (trail.mode "organization"). */
    organization: organizationSchema.optional(),
    /** Existing trail, bucket, log group and key to take over with Terraform import blocks. */
    adopt: adoptSchema.optional(),
    /** Permit retention below CIS/PCI's one year (archive) and 90 days (log group). */
    allowShortRetention: z.boolean().default(false),
    /** One-click containment links in notifications (src/containment/config.ts). */
    remediation: remediationSchema,
  })
  .superRefine((c, ctx) => {
    for (const p of modeProblems(c)) ctx.addIssue({ code: "custom", ...p });
    const everyDetection = [...NAMELESS, ...customDetections(c)];
    for (const p of remediationProblems(
      c.remediation,
      everyDetection,
      enabledDetections(everyDetection, c.detections),
      c.alerts.enrichment.enabled,
    ))
      ctx.addIssue({ code: "custom", ...p });
    if (!c.regions.includes(c.homeRegion))
      ctx.addIssue({
        code: "custom",
        path: ["homeRegion"],
        message: `must be one of "regions" (${c.regions.join(", ")})`,
      });
    const listedTwice = <T>(
      path: (string | number)[],
      items: readonly T[],
      key: (t: T) => string,
    ) =>
      duplicatesBy(items, key).forEach((d) =>
        ctx.addIssue({
          code: "custom",
          path: [...path, d.index],
          message: `is listed twice (also ${path.join(".")}[${d.firstIndex}])`,
        }),
      );
    listedTwice(["regions"], c.regions, (r) => r);
    duplicatesBy(c.alerts.emails, emailIdentity).forEach((d) =>
      ctx.addIssue({
        code: "custom",
        path: ["alerts", "emails", d.index],
        message: `${JSON.stringify(d.item)} is the address of alerts.emails[${d.firstIndex}] (addresses are compared ignoring case)`,
      }),
    );
    duplicatesBy(c.trail.s3DataEvents, (d) => s3ObjectArnPrefix(d.bucket)).forEach((d) =>
      ctx.addIssue({
        code: "custom",
        path: ["trail", "s3DataEvents", d.index, "bucket"],
        message: `${JSON.stringify(d.item.bucket)} selects the same objects as trail.s3DataEvents[${d.firstIndex}]`,
      }),
    );
    listedTwice(
      ["trail", "excludeManagementEventSources"],
      c.trail.excludeManagementEventSources ?? [],
      (s) => s,
    );
    listedTwice(["detections", "enable"], c.detections.enable, (id) => id);
    listedTwice(["detections", "disable"], c.detections.disable, (id) => id);
    c.detections.enable.forEach((id, i) => {
      if (c.detections.disable.includes(id))
        ctx.addIssue({
          code: "custom",
          path: ["detections", "enable", i],
          message: "is also listed in detections.disable",
        });
    });
    const custom = c.detections.custom;
    const knownIds = [...DETECTION_IDS, ...custom.map((d) => d.id)];
    const unknownId = (path: (string | number)[]) =>
      ctx.addIssue({
        code: "custom",
        path,
        message: `not a detection id; allowed: ${DETECTION_IDS.join(", ")} and the ids of detections.custom${custom.length ? ` (${custom.map((d) => d.id).join(", ")})` : " (none)"}`,
      });
    for (const list of ["enable", "disable"] as const)
      c.detections[list].forEach((id, i) => {
        if (!knownIds.includes(id)) unknownId(["detections", list, i]);
      });
    const alarmIds = [
      ...ALARM_DETECTION_IDS,
      ...custom.filter((d) => d.delivery !== "event").map((d) => d.id),
    ];
    for (const id of Object.keys(c.detections.alarms))
      if (!knownIds.includes(id)) unknownId(["detections", "alarms", id]);
      else if (!alarmIds.includes(id))
        ctx.addIssue({
          code: "custom",
          path: ["detections", "alarms", id],
          message: `${id} is delivered by EventBridge, not an alarm; alarms can be tuned for: ${alarmIds.join(", ")}`,
        });
    for (const issue of customDetectionIssues(custom, c.name))
      ctx.addIssue({ code: "custom", ...issue });
    for (const [id, t] of Object.entries(c.detections.alarms)) {
      if (!t) continue;
      for (const p of alarmTuningProblems(t))
        ctx.addIssue({
          code: "custom",
          path: ["detections", "alarms", id, p.field],
          message: p.message,
        });
    }
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
