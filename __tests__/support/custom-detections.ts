/** Custom detections (`detections.custom` entries) shared by the tests. */

/** A custom detection delivered both ways, with its own alarm tuning. */
export const PUBLIC_ACCESS_BLOCK_REMOVED = {
  id: "s3-public-access-block-removed",
  title: "S3 Block Public Access removed from a bucket",
  severity: "high",
  rationale:
    "Removing a bucket's public access block is the step before making it public; platform teams do it rarely and through code review.",
  investigate: "Check requestParameters.bucketName and the bucket policy and ACLs that followed.",
  references: {
    attack: ["T1530"],
    other: [
      "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    ],
  },
  condition: {
    all: [
      { field: "eventSource", equals: ["s3.amazonaws.com"] },
      { field: "eventName", equals: ["DeleteBucketPublicAccessBlock"] },
      { field: "errorCode", exists: false },
    ],
  },
  delivery: "both",
  alarm: { threshold: 2, periodSeconds: 300 },
} as const;

/** A global, event-delivered custom detection. */
export const LOGIN_PROFILE_CREATED = {
  id: "iam-login-profile-created",
  title: "Console password created for an IAM user",
  severity: "medium",
  rationale: "A console password on a user that had none gives it a second way in.",
  investigate: "Check requestParameters.userName and who created the password.",
  condition: {
    all: [
      { field: "eventSource", equals: ["iam.amazonaws.com"] },
      { field: "eventName", equals: ["CreateLoginProfile"] },
    ],
  },
  scope: "global",
} as const;
