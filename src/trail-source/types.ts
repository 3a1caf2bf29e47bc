import type { PrivateBucket } from "../constructs/private-bucket";

/**
 * What the rest of the home stack needs from the trail, whichever trail.mode provided it: the
 * key that encrypts the alert topic and Athena results, the log group the metric filters read,
 * and the stack outputs.
 */
export interface TrailSource {
  /** ARN (a Terraform reference or a literal) of the key for the alert topic and query results. */
  readonly kmsKeyArn: string;
  /** The key the watcher detection `watcher-trail-key-changed` watches, if there is one. */
  readonly watchedKey?: { readonly arn: string; readonly id: string };
  /** The trail's CloudWatch Logs log group (a reference when created, a literal when existing). */
  readonly logGroupName: string;
  /** The server access-log bucket, when trailwatch created one. */
  readonly accessLogs?: PrivateBucket;
  /** Stack outputs, by output name. */
  readonly outputs: Readonly<Record<string, string>>;
}
