import type { TrailwatchConfig } from "./config/schema";
import { defaultAccessLogBucketName, defaultArchiveBucketName } from "./config/load";

/**
 * Every name and ARN the stacks share, built as plain strings from the configuration. Building
 * them (rather than passing resource attributes around) avoids dependency cycles between the
 * trail and the policies that must name it, and avoids cross-stack references between regions.
 */
export interface Names {
  readonly account: string;
  readonly homeRegion: string;
  readonly trailName: string;
  readonly trailArn: string;
  readonly archiveBucket: string;
  readonly archiveBucketArn: string;
  readonly accessLogBucket: string;
  readonly accessLogBucketArn: string;
  readonly logGroupName: string;
  readonly logGroupArn: string;
  readonly alertTopicName: string;
  readonly alertTopicArn: string;
  readonly keyAlias: string;
  readonly metricNamespace: string;
  /** Prefix of alarm, rule and role names. */
  readonly resourcePrefix: string;
  /** The home region's default event bus, which regional stacks forward matched events to. */
  readonly homeEventBusArn: string;
  stackName(region: string): string;
}

export function resolveNames(c: TrailwatchConfig): Names {
  const account = c.accountId;
  const home = c.homeRegion;
  const trailName = c.trail.name ?? c.name;
  const archiveBucket = c.archive.bucketName ?? defaultArchiveBucketName(c);
  const accessLogBucket = c.archive.accessLogs.bucketName ?? defaultAccessLogBucketName(c);
  const logGroupName = `/${c.name}/cloudtrail`;
  const alertTopicName = `${c.name}-alerts`;
  return {
    account,
    homeRegion: home,
    trailName,
    trailArn: `arn:aws:cloudtrail:${home}:${account}:trail/${trailName}`,
    archiveBucket,
    archiveBucketArn: `arn:aws:s3:::${archiveBucket}`,
    accessLogBucket,
    accessLogBucketArn: `arn:aws:s3:::${accessLogBucket}`,
    logGroupName,
    logGroupArn: `arn:aws:logs:${home}:${account}:log-group:${logGroupName}`,
    alertTopicName,
    alertTopicArn: `arn:aws:sns:${home}:${account}:${alertTopicName}`,
    keyAlias: `alias/${c.name}-cloudtrail`,
    metricNamespace: "trailwatch",
    resourcePrefix: `${c.name}-`,
    homeEventBusArn: `arn:aws:events:${home}:${account}:event-bus/default`,
    stackName: (region) => `${c.name}-${region}`,
  };
}
