import { Construct } from "constructs";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import type { Names } from "../names";
import { denyInsecureTransport, policy, type PolicyDocument } from "../policy";
import { PrivateBucket, type Retention } from "./private-bucket";

export interface LogArchiveProps {
  readonly names: Names;
  /** The trail key; log files are encrypted with SSE-KMS and an S3 bucket key. */
  readonly kmsKeyArn: string;
  readonly retention: Retention;
  /** Deny deleting log file versions to every principal (lifecycle expiry still applies). @default true */
  readonly denyDeletion?: boolean;
  /** Tamper-proof log files: default Object Lock retention on the archive bucket. @default none */
  readonly objectLock?: { readonly mode: "GOVERNANCE" | "COMPLIANCE"; readonly days: number };
  /**
   * Server access logging into a separate bucket (Security Hub CloudTrail.7, S3.9), for the archive
   * and for `otherSources` (names of other trailwatch buckets that log into it). @default none
   */
  readonly accessLogs?: {
    readonly retentionDays: number;
    readonly otherSources?: readonly AccessLogSource[];
  };
}

/** Another trailwatch bucket whose server access logs go to the access-log bucket. */
export interface AccessLogSource {
  /** What the bucket is, `[A-Za-z0-9]+`: names its policy statement (Sid), whatever the list order. */
  readonly role: string;
  readonly bucket: string;
}

/** Where CloudTrail delivers log files: the archive bucket and, optionally, its access-log bucket. */
export class LogArchive extends Construct {
  readonly archive: PrivateBucket;
  readonly accessLogs?: PrivateBucket;
  readonly archivePolicy: PolicyDocument;
  readonly accessLogPolicy?: PolicyDocument;

  constructor(scope: Construct, id: string, props: LogArchiveProps) {
    super(scope, id);
    const n = props.names;
    this.archivePolicy = archiveBucketPolicy(n, props.denyDeletion ?? true);
    this.archive = new PrivateBucket(this, "archive", {
      bucketName: n.archiveBucket,
      kmsKeyArn: props.kmsKeyArn,
      retention: props.retention,
      policy: this.archivePolicy,
      objectLock: props.objectLock,
    });
    if (props.accessLogs) {
      this.accessLogPolicy = accessLogBucketPolicy(n, props.accessLogs.otherSources);
      // Server access logs can only be delivered to SSE-S3 buckets, and Object Lock on the
      // target bucket blocks delivery: so neither KMS nor Object Lock here.
      this.accessLogs = new PrivateBucket(this, "access-logs", {
        bucketName: n.accessLogBucket,
        retention: { expireDays: props.accessLogs.retentionDays, noncurrentDays: 30 },
        policy: this.accessLogPolicy,
      });
      new S3BucketLoggingA(this, "access-logging", {
        bucket: this.archive.bucket.id,
        targetBucket: this.accessLogs.bucket.id,
        targetPrefix: `${n.archiveBucket}/`,
        // Delivery is authorised by the target's bucket policy: let it exist first.
        dependsOn: [this.accessLogs.policy],
      });
    }
  }
}

/**
 * CloudTrail's two statements (conditioned on this trail; a third for an organization trail's
 * `AWSLogs/<org-id>/` path), TLS only, and, unless turned off, a
 * deny on deleting log file versions for every principal: a log can then only leave the archive
 * through its lifecycle, so whoever wants to remove one must first change this policy, which the
 * watcher detection `watcher-archive-bucket-changed` reports.
 */
export function archiveBucketPolicy(n: Names, denyDeletion = true): PolicyDocument {
  const source = { "aws:SourceArn": n.trailArn };
  return policy(
    {
      Sid: "CloudTrailAclCheck",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: n.archiveBucketArn,
      Condition: { StringEquals: source },
    },
    {
      Sid: "CloudTrailWrite",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject",
      // The trail's own account: for an organization trail, the management account's path.
      Resource: `${n.archiveBucketArn}/AWSLogs/${n.trailAccount}/*`,
      Condition: { StringEquals: { ...source, "s3:x-amz-acl": "bucket-owner-full-control" } },
    },
    // An organization trail writes every member account's log files under the organization id
    // (CloudTrail user guide, "Amazon S3 bucket policy for an organization trail").
    ...(n.mode === "organization" && n.organizationId
      ? [
          {
            Sid: "CloudTrailWriteOrganization",
            Effect: "Allow" as const,
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${n.archiveBucketArn}/AWSLogs/${n.organizationId}/*`,
            Condition: {
              StringEquals: { ...source, "s3:x-amz-acl": "bucket-owner-full-control" },
            },
          },
        ]
      : []),
    denyInsecureTransport("s3:*", [n.archiveBucketArn, `${n.archiveBucketArn}/*`]),
    ...(denyDeletion
      ? [
          {
            Sid: "DenyLogDeletion",
            Effect: "Deny" as const,
            Principal: "*" as const,
            Action: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
            Resource: `${n.archiveBucketArn}/*`,
          },
        ]
      : []),
  );
}

/** Each source bucket may deliver its access logs only under its own prefix. */
export function accessLogBucketPolicy(
  n: Names,
  otherSources: readonly AccessLogSource[] = [],
): PolicyDocument {
  const delivery = (source: string, sid: string) => ({
    Sid: sid,
    Effect: "Allow" as const,
    Principal: { Service: "logging.s3.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: `${n.accessLogBucketArn}/${source}/*`,
    Condition: {
      ArnLike: { "aws:SourceArn": `arn:aws:s3:::${source}` },
      StringEquals: { "aws:SourceAccount": n.account },
    },
  });
  return policy(
    delivery(n.archiveBucket, "S3ServerAccessLogsDelivery"),
    ...otherSources.map((s) => {
      if (!/^[A-Za-z0-9]+$/.test(s.role))
        throw new Error(`access-log source role must be alphanumeric (a Sid), got "${s.role}"`);
      return delivery(s.bucket, `S3ServerAccessLogsDeliveryFrom${s.role}`);
    }),
    denyInsecureTransport("s3:*", [n.accessLogBucketArn, `${n.accessLogBucketArn}/*`]),
  );
}
