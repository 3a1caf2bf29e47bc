import { Testing } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { BootstrapStack } from "../src/stacks/bootstrap-stack";
import { config, resourcesOf, synthJson } from "./helpers";

describe("bootstrap stack (the state bucket)", () => {
  const stack = new BootstrapStack(Testing.app(), config());
  const json = synthJson(stack);
  const one = (type: string) => {
    const rs = resourcesOf(json, type);
    expect(rs).toHaveLength(1);
    return rs[0];
  };

  test("local state, in the state bucket's region, pinned to the account", () => {
    expect(json.terraform.backend).toEqual({ local: { path: "terraform.tfstate" } });
    expect(json.provider.aws[0]).toEqual(
      expect.objectContaining({ region: "ap-northeast-1", allowed_account_ids: ["111122223333"] }),
    );
  });

  test("the bucket the other stacks' S3 backend names: versioned, encrypted, private, TLS only, kept", () => {
    expect(Testing.synth(stack)).toHaveResourceWithProperties(S3Bucket, {
      bucket: "trailwatch-tfstate-111122223333",
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(one("aws_s3_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(one("aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(one("aws_s3_bucket_public_access_block")).toEqual(
      expect.objectContaining({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
    );
    expect(JSON.parse(one("aws_s3_bucket_policy").policy).Statement).toEqual([
      expect.objectContaining({
        Effect: "Deny",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    ]);
  });

  test("state is never expired; old versions are kept 90 days", () => {
    const [rule] = one("aws_s3_bucket_lifecycle_configuration").rule;
    expect(rule.expiration).toBeUndefined();
    expect(rule.noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
  });
});
