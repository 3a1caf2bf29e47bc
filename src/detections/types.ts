import type { Condition } from "./condition";

/** Most severe first. */
export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** How a detection notifies: a CloudWatch alarm on a metric filter, an EventBridge rule, or both. */
export type Delivery = "alarm" | "event" | "both";

/**
 * Where the detection's CloudTrail events reach EventBridge:
 * - `global`: IAM, STS, Organizations and console sign-in report to us-east-1 only;
 * - `regional`: the region where the API call was made, so a rule in every monitored region;
 * - `home`: calls on trailwatch's own home-region resources.
 */
export type Scope = "global" | "regional" | "home";

export type Pack = "cis" | "seed" | "watcher" | "threat" | "custom";

/** CloudTrail `eventType` values a detection applies to; each has its EventBridge detail-type. */
export type RecordType = "AwsApiCall" | "AwsConsoleSignIn" | "AwsConsoleAction" | "AwsServiceEvent";

export const DETAIL_TYPES: Record<RecordType, string> = {
  AwsApiCall: "AWS API Call via CloudTrail",
  AwsConsoleSignIn: "AWS Console Sign In via CloudTrail",
  AwsConsoleAction: "AWS Console Action via CloudTrail",
  AwsServiceEvent: "AWS Service Event via CloudTrail",
};

export interface Detection {
  /** Stable kebab-case id: used in config, resource names and docs. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly pack: Pack;
  /** Why it matters. */
  readonly rationale: string;
  /** Where to look first when it fires (goes into the alarm description). */
  readonly investigate: string;
  readonly references: {
    /** CIS AWS Foundations Benchmark recommendation ids, e.g. "CIS 1.4 4.3". */
    readonly cis?: readonly string[];
    /** AWS Security Hub control id, e.g. "CloudWatch.1". */
    readonly securityHub?: string;
    readonly other?: readonly string[];
    /** MITRE ATT&CK technique ids, e.g. "T1537" or "T1078.004" (catalog ones in attack.ts). */
    readonly attack?: readonly string[];
    /** The Sigma rule a detection was converted from. */
    readonly sigma?: SigmaReference;
  };
  /**
   * Attribution that every notification of the detection must carry, e.g. the author a Sigma
   * rule's Detection Rule License 1.1 requires messages based on its matches to name.
   */
  readonly attribution?: string;
  /** The CloudTrail condition, rendered to every pattern language. */
  readonly condition: Condition;
  /**
   * Metric filter pattern text fixed by a standard (Security Hub checks it byte for byte). When
   * set, it is rendered verbatim, and a test proves it parses to the same expression as `condition`.
   */
  readonly verbatimFilterPattern?: string;
  /** Record types it applies to (the EventBridge detail-types). @default ["AwsApiCall"] */
  readonly recordTypes?: readonly RecordType[];
  /** Matches read-only calls, which EventBridge delivers only to rules that ask for all management events. */
  readonly matchesReadOnly?: boolean;
  readonly delivery: Delivery;
  /**
   * Alarm defaults of a volume signal (many events in a period); the configuration's
   * `detections.alarms.<id>` overrides each field. @default 60 s, threshold 1, 1 of 1 periods
   */
  readonly alarm?: AlarmDefaults;
  readonly scope: Scope;
  readonly enabledByDefault: boolean;
}

/** Where a detection converted from a Sigma rule came from (DRL 1.1 asks for author, link, licence). */
export interface SigmaReference {
  /** The rule's `id` (a UUID in SigmaHQ rules). */
  readonly id?: string;
  readonly title: string;
  /** The rule's `author` field. */
  readonly author?: string;
  /** Its licence, e.g. "DRL-1.1" (SigmaHQ rules). */
  readonly license: string;
  /** The file it was converted from, as given to `npm run sigma`. */
  readonly source: string;
}

/** CloudWatch alarm settings a detection ships with (PutMetricAlarm `Period`, `Threshold`, ...). */
export interface AlarmDefaults {
  /** Seconds per evaluation period (10, 30 or a multiple of 60). @default 60 */
  readonly periodSeconds?: number;
  /** Matching events (Sum) in one period that make it breach. @default 1 */
  readonly threshold?: number;
  /** Most recent periods evaluated. @default 1 */
  readonly evaluationPeriods?: number;
  /** Breaching periods among them that raise the alarm. @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
}

/** Names of trailwatch's own resources, for the watching-the-watcher detections. */
export interface WatchedResources {
  readonly trailName: string;
  readonly trailArn: string;
  readonly logGroupName: string;
  /** Every alert topic (each route's, and its chat topic's); the first is the default route's. */
  readonly alertTopicArns: readonly string[];
  readonly archiveBucket: string;
  /** Prefix of every alarm and EventBridge rule trailwatch creates, e.g. "trailwatch-". */
  readonly resourcePrefix: string;
  /** The trail key's ARN and id (Terraform references in a stack, literals in tests) and alias. */
  readonly trailKeyArn: string;
  readonly trailKeyId: string;
  readonly trailKeyAlias: string;
}
