/**
 * Default names of the buckets trailwatch creates, derived from `name`, `accountId` and
 * `homeRegion` (S3 bucket names are global: the account and region keep them unique).
 */

type NameInputs = {
  readonly name: string;
  readonly accountId: string;
  readonly homeRegion: string;
};

export function defaultArchiveBucketName(c: NameInputs): string {
  return `${c.name}-cloudtrail-${c.accountId}-${c.homeRegion}`;
}

export function defaultAccessLogBucketName(c: NameInputs): string {
  return `${c.name}-s3-access-${c.accountId}-${c.homeRegion}`;
}
