import type { TerraformResource } from "cdktf";
import type { AdoptConfig } from "../config/modes";
import { parseKmsKeyArn } from "../config/modes";

/** The resources an `adopt` entry can take over. */
export interface AdoptableResources {
  readonly trail: TerraformResource;
  readonly bucket: TerraformResource;
  readonly logGroup: TerraformResource;
  readonly key: TerraformResource;
}

/**
 * The Terraform `import` block id of each adopted resource, as the AWS provider documents its
 * import (Terraform >= 1.5): `aws_cloudtrail` by trail ARN, `aws_s3_bucket` by bucket name,
 * `aws_cloudwatch_log_group` by name, `aws_kms_key` by key id.
 */
export function importIds(a: AdoptConfig): Partial<Record<keyof AdoptableResources, string>> {
  const key = a.kmsKeyArn ? parseKmsKeyArn(a.kmsKeyArn) : undefined;
  return {
    ...(a.trailArn ? { trail: a.trailArn } : {}),
    ...(a.bucket ? { bucket: a.bucket } : {}),
    ...(a.logGroupName ? { logGroup: a.logGroupName } : {}),
    ...(key ? { key: key.keyId } : {}),
  };
}

/**
 * Adds an `import` block (cdktf `importFrom`) for every adopted resource, so `terraform plan`
 * shows "N to import" and then only in-place changes: the names come from the adopted resources
 * (src/names.ts), so nothing is replaced, and each of these resources has `prevent_destroy`.
 * An import block does nothing once the resource is in the state.
 */
export function adoptExisting(a: AdoptConfig, resources: AdoptableResources): void {
  for (const [which, id] of Object.entries(importIds(a)) as [keyof AdoptableResources, string][])
    resources[which].importFrom(id);
}
