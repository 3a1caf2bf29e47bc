import { z } from "zod";
import { customDetectionEntry } from "./custom-detections";
import { remediationSchema } from "../containment/config";
import { alarmEnrichment, ALARM_ENRICHMENT_DEFAULTS } from "./alerts";
import { channel, chatbotRegion, routes as alertRoutes } from "./channels";
import {
  READ_WRITE_TYPES,
  TRAIL_PROFILES,
  OBJECT_LOCK_MODES,
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
  trailName,
} from "./fields";
import {
  TRAIL_MODES,
  existingTrailSchema,
  organizationSchema,
  adoptSchema,
  logGroupNameSchema,
} from "./modes";

/**
 * The shape of trailwatch.config.json and the rules of each field on its own. Rules between
 * fields are in `rules.ts`; `load.ts` runs both and reports every problem at once.
 */
export const configSchema = z.strictObject({
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
  accountId: z
    .string()
    .regex(/^\d{12}$/, { message: "must be a 12-digit AWS account id" })
    .describe("the 12-digit id of the AWS account trailwatch is deployed into"),
  homeRegion: region.describe(
    "the region of the trail, its archive, log group, alarms and alert topic, e.g. us-east-1",
  ),
  /** Regions watched by EventBridge rules. The home region is always one of them. */
  regions: z
    .array(region)
    .min(1)
    .describe("the regions watched by EventBridge rules, the home region among them"),
  tags: tags.default({}),
  state: z
    .strictObject({
      bucket: bucketName.describe(
        "the S3 bucket that keeps Terraform state (npm run bootstrap creates it)",
      ),
      region: region.describe("the region of the state bucket"),
      keyPrefix: z
        .string()
        .regex(/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/, {
          message: "must be an S3 key prefix without leading or trailing slash",
        })
        .default("trailwatch"),
    })
    .describe("where Terraform keeps state: { bucket, region, keyPrefix }"),
  alerts: z
    .strictObject({
      /** Addresses subscribed to every route (and so to every alert). */
      emails: z
        .array(email)
        .default([])
        .describe("the e-mail addresses subscribed to every alert route"),
      /** Named routes: severities whose alerts go to their own topic (the rest: route "default"). */
      routes: alertRoutes.default({}),
      /** E-mail, HTTPS webhook, SQS (SIEM), Slack and Teams channels, each receiving its routes. */
      channels: z.array(channel).default([]),
      /** Where the Slack/Teams channel configurations are made. @default nearest to homeRegion */
      chatbotRegion: chatbotRegion.optional(),
      /** Alarm notifications that list the CloudTrail events behind the alarm (src/alerts/). */
      enrichment: alarmEnrichment.default(ALARM_ENRICHMENT_DEFAULTS),
    })
    .describe('who is alerted: { "emails": ["security@example.com"] }'),
  trail: z
    .strictObject({
      /** create (default), existing (someone else's trail) or organization (an organization trail). */
      mode: z.enum(TRAIL_MODES).default("create"),
      /** The trail to use with mode "existing". */
      existing: existingTrailSchema.optional(),
      /** Name of the trail; default: `name`. */
      name: trailName.optional(),
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
          /** ATT&CK-mapped attacker behaviour (src/detections/threat.ts; docs/coverage.md). */
          threat: z.boolean().default(true),
          custom: z.boolean().default(true),
        })
        .default({ cis: true, seed: true, watcher: true, threat: true, custom: true }),
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
      packs: { cis: true, seed: true, watcher: true, threat: true, custom: true },
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
  /**
   * How `npm run synth` writes each stack: "json" (`cdk.tf.json`) or "hcl" (`main.tf`, checked
   * to mean the same; needs the Terraform CLI). `--hcl` / `--json` override it. @default "json"
   */
  output: z
    .strictObject({ format: z.enum(["json", "hcl"]).default("json") })
    .default({ format: "json" }),
  /** Permit retention below CIS/PCI's one year (archive) and 90 days (log group). */
  allowShortRetention: z.boolean().default(false),
  /** One-click containment links in notifications (src/containment/config.ts). */
  remediation: remediationSchema,
});

export type TrailwatchConfigInput = z.input<typeof configSchema>;
export type TrailwatchConfig = z.output<typeof configSchema>;
