import type { Construct } from "constructs";
import type { Names } from "../names";
import { TrailKey } from "../constructs/trail-key";
import type { TrailSource } from "./types";

/** What trailwatch adds for trail.mode "existing": its own key for alerts, nothing of the trail's. */
export interface ExistingTrailSource extends TrailSource {
  /** Encrypts the alert topic and Athena results (not the trail, which keeps its own key). */
  readonly alertsKey: TrailKey;
}

/**
 * An existing trail, bucket, log group and key stay with whoever manages them. trailwatch adds
 * only a customer managed key for its alert topic: an SNS topic encrypted with the AWS managed
 * key drops CloudWatch alarm and EventBridge notifications, and the trail's own key (if any) has
 * a policy trailwatch does not manage.
 */
export function useExistingTrail(scope: Construct, n: Names): ExistingTrailSource {
  const alertsKey = new TrailKey(scope, "alerts-key", { names: n, purpose: "alerts" });
  return {
    alertsKey,
    kmsKeyArn: alertsKey.key.arn,
    watchedKey: n.existingTrailKey,
    logGroupName: n.logGroupName,
    outputs: {
      trail_arn: n.trailArn,
      archive_bucket: n.archiveBucket,
      log_group_name: n.logGroupName,
      alerts_kms_key_arn: alertsKey.key.arn,
    },
  };
}
