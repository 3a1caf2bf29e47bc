import { Testing } from "cdktf";
import { BootstrapStack } from "../src/stacks/bootstrap-stack";
import { build, config, resourcesOf, synthJson } from "./helpers";

/**
 * S3 skips lifecycle transitions for objects under 128 KB unless told otherwise, and CloudTrail
 * writes many such files: every bucket's lifecycle says explicitly what happens to them.
 */
describe("transition_default_minimum_object_size is set on every lifecycle configuration", () => {
  const { home, regional } = build({
    athena: { enabled: true },
    archive: { transitions: [{ days: 90, storageClass: "GLACIER" }] },
  } as any);
  const stacks = [home, ...regional, new BootstrapStack(Testing.app(), config())];

  test("all_storage_classes_128K: small log files stay in Standard rather than cost more in Glacier", () => {
    const lifecycles = stacks.flatMap((s) =>
      resourcesOf(synthJson(s), "aws_s3_bucket_lifecycle_configuration"),
    );
    // archive, access logs, Athena results, state bucket
    expect(lifecycles).toHaveLength(4);
    for (const l of lifecycles)
      expect(l.transition_default_minimum_object_size).toBe("all_storage_classes_128K");
  });
});
