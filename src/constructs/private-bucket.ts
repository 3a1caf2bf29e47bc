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
