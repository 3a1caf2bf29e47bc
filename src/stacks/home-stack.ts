import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import type { TrailwatchConfig } from "../config/schema";
import type { Names } from "../names";
import { AlertTopic } from "../constructs/alert-topic";
import { LogArchive } from "../constructs/log-archive";
import { Trail } from "../constructs/trail";
import { TrailKey } from "../constructs/trail-key";
import { TrailLogs } from "../constructs/trail-logs";
import { managementEventSelection } from "../trail-profile";
import { BaseStack } from "./base-stack";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { watchedResources } from "../detections/watched";
import { S3AccountPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-account-public-access-block";
import { DetectionAlarms } from "../constructs/detection-alarms";
import { DetectionRules } from "../constructs/detection-rules";
import type { Detection } from "../detections/types";
import { alarmDetections, ruleDetectionsFor } from "../detections/select";
import { AthenaInvestigation } from "../constructs/athena-investigation";
import { athenaNames } from "../athena/names";
import { AWS_REGIONS } from "../config/regions";

export interface HomeStackProps {
  readonly config: TrailwatchConfig;
  readonly names: Names;
  /** Enabled detections (watched-resource names resolved against this stack's key). */
  readonly detections: (key: TrailKey) => readonly Detection[];
}

/** The home region: key, log archive, multi-region trail, log group and the alert topic. */
export class HomeStack extends BaseStack {
  readonly key: TrailKey;
  readonly archive: LogArchive;
  readonly logs: TrailLogs;
  readonly trail: Trail;
  readonly alerts: AlertTopic;
  readonly alarms: DetectionAlarms;
  readonly rules: DetectionRules;
  /** Present when `athena.enabled`. */
  readonly athena?: AthenaInvestigation;

  constructor(scope: Construct, props: HomeStackProps) {
    const { config: c, names: n } = props;
    super(scope, { config: c, names: n, region: c.homeRegion });
    this.key = new TrailKey(this, "trail-key", { names: n });
    if (c.blockAccountPublicAccess) {
      // Account-wide guard: no bucket in the account can be made public (Security Hub S3.1).
      new S3AccountPublicAccessBlock(this, "account-public-access-block", {
        accountId: c.accountId,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
    }
    const kmsKeyArn = this.key.key.arn;
    this.archive = new LogArchive(this, "log-archive", {
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
    this.logs = new TrailLogs(this, "trail-logs", {
      names: n,
      kmsKeyArn,
      retentionDays: c.logGroup.retentionDays,
    });
    this.trail = new Trail(this, "trail", {
      names: n,
      kmsKeyArn,
      logGroupArn: this.logs.logGroup.arn,
      cloudWatchLogsRoleArn: this.logs.role.arn,
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
      // CloudTrail checks the bucket policy and the delivery role's permissions when the trail
      // is created: both must exist first.
      dependsOn: [this.archive.archive.policy, this.logs.rolePolicy],
    });
    this.alerts = new AlertTopic(this, "alerts", {
      names: n,
      kmsKeyArn,
      emails: c.alerts.emails,
    });
    const detections = props.detections(this.key);
    this.alarms = new DetectionAlarms(this, "alarms", {
      detections: alarmDetections(detections),
      logGroupName: this.logs.logGroup.name,
      alertTopicArn: this.alerts.topic.arn,
      resourcePrefix: n.resourcePrefix,
      namespace: n.metricNamespace,
      tuning: c.detections.alarms,
    });
    this.rules = new DetectionRules(this, "detections", {
      detections: ruleDetectionsFor(detections, c.homeRegion, c.homeRegion),
      resourcePrefix: n.resourcePrefix,
      target: { kind: "topic", topicArn: this.alerts.topic.arn },
    });
    if (c.athena.enabled) {
      const a = c.athena;
      this.athena = new AthenaInvestigation(this, "athena", {
        names: athenaNames(c),
        account: n.account,
        archiveBucket: n.archiveBucket,
        // The trail is multi-region: any region may have log files, not only the watched ones.
        regions: AWS_REGIONS,
        projectionStartDate: a.projectionStartDate,
        timeZone: a.timeZone,
        bytesScannedCutoffPerQuery: a.bytesScannedCutoffPerQuery,
        resultsRetentionDays: a.resultsRetentionDays,
        kmsKeyArn,
        detections,
        watched: watchedResources(n, { arn: kmsKeyArn, id: this.key.key.keyId }),
      });
      const accessLogs = this.archive.accessLogs;
      if (accessLogs) {
        // Query results are read by people: their access is logged like the archive's (S3.9).
        new S3BucketLoggingA(this, "athena-results-access-logging", {
          bucket: this.athena.results.bucket.id,
          targetBucket: accessLogs.bucket.id,
          targetPrefix: `${athenaNames(c).resultsBucket}/`,
          dependsOn: [accessLogs.policy],
        });
      }
      new TerraformOutput(this, "athena_workgroup", { value: this.athena.workgroup.name });
      new TerraformOutput(this, "athena_database", { value: this.athena.database.name });
    }
    new TerraformOutput(this, "trail_arn", { value: this.trail.trail.arn });
    new TerraformOutput(this, "archive_bucket", { value: this.archive.archive.bucket.bucket });
    new TerraformOutput(this, "log_group_name", { value: this.logs.logGroup.name });
    new TerraformOutput(this, "alert_topic_arn", { value: this.alerts.topic.arn });
    new TerraformOutput(this, "kms_key_arn", { value: kmsKeyArn });
  }
}
