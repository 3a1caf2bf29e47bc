import type { TrailwatchConfig } from "./config/schema";
import { defaultAccessLogBucketName, defaultArchiveBucketName } from "./config/bucket-names";
import { managementAccount, parseKmsKeyArn, parseTrailArn, type TrailMode } from "./config/modes";
import { alertRoutes, allTopicArns, type AlertRoute } from "./channels/routes";

/**
 * Every name and ARN the stacks share, built as plain strings from the configuration. Building
 * them (rather than passing resource attributes around) avoids dependency cycles between the
 * trail and the policies that must name it, and avoids cross-stack references between regions.
 */
export interface Names {
  /** Where the trail comes from (config `trail.mode`). */
  readonly mode: TrailMode;
  readonly account: string;
  /** The account owning the trail: the management account for an organization trail. */
  readonly trailAccount: string;
  /** The organization whose accounts the trail logs (`AWSLogs/<org-id>/<account>/`), if any. */
  readonly organizationId?: string;
  /** The trail's S3 key prefix ("" for none): log files are under `<prefix>/AWSLogs/`. */
  readonly archivePrefix: string;
  /** The key that encrypts the trail's log files, when trailwatch does not create it (existing mode). */
  readonly existingTrailKey?: { readonly arn: string; readonly id: string };
  readonly homeRegion: string;
  readonly trailName: string;
  readonly trailArn: string;
  readonly archiveBucket: string;
  readonly archiveBucketArn: string;
  readonly accessLogBucket: string;
  readonly accessLogBucketArn: string;
  readonly logGroupName: string;
  readonly logGroupArn: string;
  /** The default route's topic (`<name>-alerts`), the one trailwatch always had. */
  readonly alertTopicName: string;
  readonly alertTopicArn: string;
  /** The role CloudTrail assumes to write to the log group. */
  readonly trailLogsRole: string;
  /** Every alert route (`default` first) with its topic and, if chat receives it, chat topic. */
  readonly alertRoutes: readonly AlertRoute[];
  /** Every alert topic ARN, text and chat (the key, watcher and enrichment policies name them). */
  readonly alertTopicArns: readonly string[];
  readonly keyAlias: string;
  readonly metricNamespace: string;
  /** Prefix of alarm, rule and role names. */
  readonly resourcePrefix: string;
  /** The home region's default event bus, which regional stacks forward matched events to. */
  readonly homeEventBusArn: string;
  stackName(region: string): string;
}

/** The role CloudTrail assumes to deliver to the trail's log group (at most 64 characters). */
export function trailLogsRoleName(trailName: string): string {
  return `${trailName}-cloudtrail-to-logs`;
}

/** Where a regional stack keeps its state in the state bucket. */
export function stateKey(keyPrefix: string, name: string, region: string): string {
  return `${keyPrefix}/${name}-${region}.tfstate`;
}

/**
 * Names per trail mode: an existing trail's from `trail.existing`; otherwise from the configuration,
 * or from the `adopt` entries (an adopted resource keeps its name: a new one would replace it).
 */
export function resolveNames(c: TrailwatchConfig): Names {
  const account = c.accountId;
  const home = c.homeRegion;
  const mode = c.trail.mode;
  const existing = mode === "existing" ? c.trail.existing : undefined;
  const existingTrail = existing ? parseTrailArn(existing.trailArn) : undefined;
  const adoptedTrail = c.adopt?.trailArn ? parseTrailArn(c.adopt.trailArn) : undefined;
  const trailAccount = mode === "organization" ? managementAccount(c) : account;
  const trailName = existingTrail?.name ?? c.trail.name ?? adoptedTrail?.name ?? c.name;
  const archiveBucket =
    existing?.bucket ?? c.archive.bucketName ?? c.adopt?.bucket ?? defaultArchiveBucketName(c);
  const accessLogBucket = c.archive.accessLogs.bucketName ?? defaultAccessLogBucketName(c);
  const logGroupName =
    existing?.logGroupName ?? c.logGroup.name ?? c.adopt?.logGroupName ?? `/${c.name}/cloudtrail`;
  const routes = alertRoutes(c.alerts, { name: c.name, region: home, account });
  const alertTopicName = routes[0].topicName;
  const existingKey = existing?.kmsKeyArn ? parseKmsKeyArn(existing.kmsKeyArn) : undefined;
  return {
    mode,
    account,
    trailAccount,
    organizationId: mode === "organization" ? c.organization?.id : existing?.organizationId,
    archivePrefix: existing?.prefix ?? "",
    existingTrailKey:
      existing?.kmsKeyArn && existingKey
        ? { arn: existing.kmsKeyArn, id: existingKey.keyId }
        : undefined,
    homeRegion: home,
    trailName,
    trailArn: existing?.trailArn ?? `arn:aws:cloudtrail:${home}:${trailAccount}:trail/${trailName}`,
    archiveBucket,
    archiveBucketArn: `arn:aws:s3:::${archiveBucket}`,
    accessLogBucket,
    accessLogBucketArn: `arn:aws:s3:::${accessLogBucket}`,
    logGroupName,
    logGroupArn: `arn:aws:logs:${home}:${account}:log-group:${logGroupName}`,
    alertTopicName,
    trailLogsRole: trailLogsRoleName(trailName),
    alertTopicArn: routes[0].topicArn,
    alertRoutes: routes,
    alertTopicArns: allTopicArns(routes),
    // Existing mode has no trail key: its own key encrypts only alerts (and Athena results).
    keyAlias: existing ? `alias/${c.name}-alerts` : `alias/${c.name}-cloudtrail`,
    metricNamespace: "trailwatch",
    resourcePrefix: `${c.name}-`,
    homeEventBusArn: `arn:aws:events:${home}:${account}:event-bus/default`,
    stackName: (region) => `${c.name}-${region}`,
  };
}
