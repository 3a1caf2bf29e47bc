import type { Construct } from "constructs";
import type { TrailwatchConfig } from "../config/schema";
import type { Names } from "../names";
import { LogArchive } from "../constructs/log-archive";
import { Trail } from "../constructs/trail";
import { TrailKey } from "../constructs/trail-key";
import { TrailLogs } from "../constructs/trail-logs";
import { managementEventSelection } from "../trail-profile";
import { athenaNames } from "../athena/names";
import { adoptExisting } from "../adopt/import-blocks";
import type { TrailSource } from "./types";

/** What trailwatch creates for trail.mode "create" and "organization". */
export interface CreatedTrail extends TrailSource {
  readonly key: TrailKey;
  readonly archive: LogArchive;
  readonly logs: TrailLogs;
  readonly trail: Trail;
}

/**
 * Adds the trail key, the log archive, the log group with its delivery role and the trail directly
 * to `scope` (the home stack), keeping the construct ids, and so the Terraform addresses, they
 * have always had. With `organization` the trail is an organization trail and its policies admit
 * the `AWSLogs/<org-id>/` path; with `adopt` the named resources get Terraform `import` blocks.
 */
export function createTrail(scope: Construct, c: TrailwatchConfig, n: Names): CreatedTrail {
  const key = new TrailKey(scope, "trail-key", { names: n });
  const kmsKeyArn = key.key.arn;
  const archive = new LogArchive(scope, "log-archive", {
    names: n,
    kmsKeyArn,
    retention: {
      expireDays: c.archive.retentionDays,
      transitions: c.archive.transitions,
      noncurrentDays: c.archive.noncurrentVersionDays,
    },
    objectLock: c.archive.objectLock,
    denyDeletion: c.archive.denyLogDeletion,
    accessLogs: c.archive.accessLogs.enabled
      ? {
          retentionDays: c.archive.accessLogs.retentionDays,
          otherSources: c.athena.enabled
            ? [{ role: "AthenaResults", bucket: athenaNames(c).resultsBucket }]
            : [],
        }
      : undefined,
  });
  const logs = new TrailLogs(scope, "trail-logs", {
    names: n,
    kmsKeyArn,
    retentionDays: c.logGroup.retentionDays,
  });
  const trail = new Trail(scope, "trail", {
    names: n,
    kmsKeyArn,
    logGroupArn: logs.logGroup.arn,
    cloudWatchLogsRoleArn: logs.role.arn,
    managementEvents: managementEventSelection(c),
    s3DataEvents: c.trail.s3DataEvents,
    // Never log writes to trailwatch's own buckets: the archive (the trail's own log files),
    // the access logs (each archive write produces one) and the Athena results.
    s3DataEventsAllBuckets: c.trail.s3DataEventsAllBuckets && {
      readWrite: c.trail.s3DataEventsAllBuckets.readWrite,
      exceptBuckets: [
        n.archiveBucket,
        ...(c.archive.accessLogs.enabled ? [n.accessLogBucket] : []),
        ...(c.athena.enabled ? [athenaNames(c).resultsBucket] : []),
      ],
    },
    insights: c.trail.insights,
    organizationTrail: n.mode === "organization",
    // CloudTrail checks the bucket policy and the delivery role's permissions when the trail
    // is created: both must exist first.
    dependsOn: [archive.archive.policy, logs.rolePolicy],
  });
  if (c.adopt) {
    adoptExisting(c.adopt, {
      trail: trail.trail,
      bucket: archive.archive.bucket,
      logGroup: logs.logGroup,
      key: key.key,
    });
  }
  return {
    key,
    archive,
    logs,
    trail,
    kmsKeyArn,
    watchedKey: { arn: kmsKeyArn, id: key.key.keyId },
    logGroupName: logs.logGroup.name,
    accessLogs: archive.accessLogs,
    outputs: {
      trail_arn: trail.trail.arn,
      archive_bucket: archive.archive.bucket.bucket,
      log_group_name: logs.logGroup.name,
      kms_key_arn: kmsKeyArn,
    },
  };
}
