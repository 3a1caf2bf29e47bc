import { Construct } from "constructs";
import { LocalBackend, TerraformOutput } from "cdktf";
import { TrailwatchStack } from "./trailwatch-stack";
import { defaultTags } from "../tags";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { TrailwatchConfig } from "../config/schema";
import { PrivateBucket } from "../constructs/private-bucket";
import { denyInsecureTransport, policy } from "../policy";

/**
 * The state bucket every other stack's S3 backend uses. It cannot keep its own state in itself
 * (chicken and egg), so this stack uses local state: keep `terraform.tfstate` safe, or migrate it
 * into the bucket afterwards (README "State bucket").
 */
export class BootstrapStack extends TrailwatchStack {
  readonly stateBucket: PrivateBucket;

  constructor(scope: Construct, c: TrailwatchConfig) {
    super(scope, `${c.name}-bootstrap`);
    new AwsProvider(this, "aws", {
      region: c.state.region,
      allowedAccountIds: [c.accountId],
      defaultTags: [{ tags: defaultTags(c.tags, `${c.name}-bootstrap`) }],
    });
    new LocalBackend(this, { path: "terraform.tfstate" });
    const arn = `arn:aws:s3:::${c.state.bucket}`;
    this.stateBucket = new PrivateBucket(this, "state", {
      bucketName: c.state.bucket,
      // State is never expired; old versions (one per apply) are kept 90 days for recovery.
      retention: { noncurrentDays: 90 },
      policy: policy(denyInsecureTransport("s3:*", [arn, `${arn}/*`])),
    });
    new TerraformOutput(this, "state_bucket", { value: this.stateBucket.bucket.bucket });
  }
}
