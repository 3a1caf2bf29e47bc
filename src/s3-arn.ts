/**
 * S3 data-event targets as the configuration writes them: a bucket name (`my-bucket`) or an S3
 * ARN, optionally with a key prefix (`arn:aws:s3:::my-bucket/uploads/`).
 */

/** The object ARN prefix CloudTrail's `resources.ARN` selector matches (`arn:aws:s3:::b/…`). */
export function s3ObjectArnPrefix(bucketOrArn: string): string {
  const arn = bucketOrArn.startsWith("arn:") ? bucketOrArn : `arn:aws:s3:::${bucketOrArn}`;
  return arn.includes("/") ? arn : `${arn}/`;
}

/** The bucket name of a data-event target. */
export function dataEventBucketName(bucketOrArn: string): string {
  return bucketOrArn.replace(/^arn:aws:s3:::/, "").split("/")[0];
}
