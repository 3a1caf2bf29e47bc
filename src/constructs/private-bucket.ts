import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRuleTransition,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { renderPolicy, type PolicyDocument } from "../policy";

export interface Retention {
  /** Days after creation a current object version expires. @default never (kept until deleted) */
  readonly expireDays?: number;
  /** Storage-class transitions, ascending by days. @default none */
  readonly transitions?: readonly { readonly days: number; readonly storageClass: string }[];
  /** Days a noncurrent version is kept before it is permanently removed. */
  readonly noncurrentDays: number;
}

/**
 * What a lifecycle transition does with objects under 128 KB (S3 API
 * `TransitionDefaultMinimumObjectSize`, Terraform `transition_default_minimum_object_size`):
 * - `all_storage_classes_128K`: they transition to no storage class; they stay in S3 Standard
 *   until they expire. S3's default for lifecycle configurations written since September 2024.
 * - `varies_by_storage_class`: they still transition to Glacier Flexible Retrieval and Glacier
 *   Deep Archive, never to Standard-IA, One Zone-IA, Intelligent-Tiering or Glacier Instant
 *   Retrieval (those bill at least 128 KB per object).
 *
 * trailwatch sets `all_storage_classes_128K` explicitly, so the behaviour does not depend on when
 * the configuration was written. CloudTrail writes many small files (one per region about every
 * five minutes, hourly digests of a few KB). Moving a small object costs a transition request
 * (USD 0.01-0.05 per 1,000 in us-east-1, the Glacier classes at the high end) and, in the Glacier
 * classes, 40 KB of per-object overhead (8 KB billed at the Standard rate, 32 KB at the class's):
 * for a 10 KB log file kept seven years that is about three times what leaving it in Standard
 * costs, and objects under roughly 40 KB never earn the request back. Sources: Amazon S3 User
 * Guide, "Transitioning objects using Amazon S3 Lifecycle" and "Amazon S3 pricing".
 */
export const TRANSITION_MINIMUM_OBJECT_SIZE = "all_storage_classes_128K";

export interface PrivateBucketProps {
  readonly bucketName: string;
  /** KMS key ARN for SSE-KMS with an S3 bucket key; omit for SSE-S3 (AES256). */
  readonly kmsKeyArn?: string;
  readonly retention: Retention;
  readonly policy: PolicyDocument;
  /** Default Object Lock retention; the bucket is created with Object Lock enabled. @default none */
  readonly objectLock?: { readonly mode: "GOVERNANCE" | "COMPLIANCE"; readonly days: number };
}

/**
 * An S3 bucket that can never be public: all four public access block settings, ACLs disabled
 * (BucketOwnerEnforced), versioning, default encryption, a lifecycle that bounds how long data is
 * kept, a resource policy, and Terraform `prevent_destroy` with `force_destroy = false`.
 */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: false,
      objectLockEnabled: props.objectLock ? true : undefined,
      lifecycle: { preventDestroy: true },
    });
    const bucket = this.bucket.id;
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const versioning = new S3BucketVersioningA(this, "versioning", {
      bucket,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [
        props.kmsKeyArn
          ? {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyId: props.kmsKeyArn,
              },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    const r = props.retention;
    const transition: S3BucketLifecycleConfigurationRuleTransition[] = (r.transitions ?? []).map(
      (t) => ({ days: t.days, storageClass: t.storageClass }),
    );
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket,
      transitionDefaultMinimumObjectSize: TRANSITION_MINIMUM_OBJECT_SIZE,
      // Lifecycle rules on a versioned bucket only take effect once versioning is on.
      dependsOn: [versioning],
      rule: [
        {
          id: "retention",
          status: "Enabled",
          filter: [{ prefix: "" }],
          transition: transition.length > 0 ? transition : undefined,
          expiration: r.expireDays === undefined ? undefined : [{ days: r.expireDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: r.noncurrentDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
        {
          // Expiry leaves a delete marker per object; remove them once no version is left behind.
          id: "remove-expired-delete-markers",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
      ],
    });
    this.policy = new S3BucketPolicy(this, "policy", {
      bucket,
      policy: renderPolicy(props.policy),
      // A policy put before the public access block exists could be judged public; order them.
      dependsOn: [publicAccessBlock],
    });
    if (props.objectLock) {
      new S3BucketObjectLockConfigurationA(this, "object-lock", {
        bucket,
        rule: {
          defaultRetention: { mode: props.objectLock.mode, days: props.objectLock.days },
        },
        dependsOn: [versioning],
      });
    }
  }
}
