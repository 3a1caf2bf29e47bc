import { bucketNameProblem } from "../../config/bucket-name";
import { onlyParams, REGION, requireParam, type ContainmentAction } from "../action";
import { isCall, stringAt, succeeded } from "../record";

export interface BucketTarget {
  readonly bucket: string;
  /** The bucket's region: its location constraint, else the region the call was made in. */
  readonly region: string;
}

/** Sid of the statement the action adds to the bucket policy (and that undo removes). */
export const TLS_ONLY_SID = "TrailwatchContainmentDenyInsecureTransport";

/**
 * `CreateBucket`'s `LocationConstraint` (S3 API reference): `EU` is the legacy name of
 * eu-west-1; no constraint means us-east-1, which is then also the region the call went to.
 */
function bucketRegion(record: Readonly<Record<string, unknown>>): string | undefined {
  const constraint = stringAt(
    record,
    "requestParameters.CreateBucketConfiguration.LocationConstraint",
  );
  if (constraint === "EU") return "eu-west-1";
  return constraint ?? stringAt(record, "awsRegion");
}

/**
 * The seed article's wish: the e-mail says a bucket was created; one click locks it down. Block
 * all public access, deny every request without TLS (added to the bucket policy, never replacing
 * it), default encryption where none is set, versioning, and Object Lock in GOVERNANCE mode with a
 * default retention (S3 user guide, "Enable Object Lock on an existing S3 bucket": versioning
 * first; Object Lock cannot be turned off again).
 */
export const lockS3Bucket: ContainmentAction<BucketTarget> = {
  id: "lock-s3-bucket",
  title: "Lock down the S3 bucket",
  verb: "Lock down bucket",
  eventSource: "s3.amazonaws.com",
  eventNames: ["CreateBucket"],
  targetOf(record) {
    if (!isCall(record, "s3.amazonaws.com", ["CreateBucket"]) || !succeeded(record))
      return undefined;
    const bucket = stringAt(record, "requestParameters.bucketName");
    const region = bucketRegion(record);
    if (!bucket || !region) return { kind: "ineligible", reason: "the record names no bucket" };
    if (bucket.endsWith("--x-s3"))
      return {
        kind: "ineligible",
        reason: "directory buckets have no Object Lock or bucket policy to set",
      };
    const problem = bucketNameProblem(bucket);
    if (problem)
      return { kind: "ineligible", reason: `"${bucket}" is not a bucket name: it ${problem}` };
    if (!REGION.test(region)) return { kind: "ineligible", reason: `"${region}" is not a region` };
    return { kind: "target", target: { bucket, region } };
  },
  encode: (t) => ({ bucket: t.bucket, region: t.region }),
  decode(params) {
    onlyParams(params, ["bucket", "region"]);
    const bucket = requireParam(
      params,
      "bucket",
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      "bucket name",
    );
    const problem = bucketNameProblem(bucket);
    if (problem) throw new Error(`the link's bucket name (r.bucket) ${problem}`);
    return { bucket, region: requireParam(params, "region", REGION, "bucket region") };
  },
  describe: (t) => `S3 bucket "${t.bucket}" (${t.region})`,
  plan(t, settings) {
    const steps = [
      `Add a statement to the bucket policy of "${t.bucket}" that denies every request not made over TLS (the policy's other statements are kept).`,
      `Block all public access to it (all four S3 Block Public Access settings on).`,
      `Turn on default encryption (SSE-S3) if the bucket has none; an existing setting is left as it is.`,
      `Turn on versioning if it is off.`,
    ];
    if (settings.objectLockDays !== undefined)
      steps.push(
        `Enable Object Lock with a default retention of ${settings.objectLockDays} day${settings.objectLockDays === 1 ? "" : "s"} in GOVERNANCE mode: ` +
          `new object versions cannot be deleted or overwritten for that long except by principals allowed s3:BypassGovernanceRetention. ` +
          `Object Lock cannot be turned off again, and versioning can then no longer be suspended. An existing Object Lock configuration is left as it is, ` +
          `and Object Lock is skipped on a bucket that receives S3 server access logs (S3 does not deliver logs to such buckets).`,
      );
    return steps;
  },
  names: (t) => [t.bucket],
};
