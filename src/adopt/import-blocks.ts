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
 *
 * cdktf 0.21's `importFrom` also adds a validation that runs `terraform version` at synth (a child
 * process per imported resource, and a failed synth on a machine without Terraform) to require
 * Terraform >= 1.5. It is left out, as for `moved` blocks (BaseStack.hasResourceMove): the
 * stacks' backend sets `use_lockfile`, which Terraform < 1.10 refuses at init.
 */
export function adoptExisting(a: AdoptConfig, resources: AdoptableResources): void {
  for (const [which, id] of Object.entries(importIds(a)) as [keyof AdoptableResources, string][])
    withoutValidations(resources[which], (r) => r.importFrom(id));
}

/** Runs `f` with validations added to `resource`'s node during the call dropped. */
function withoutValidations(resource: TerraformResource, f: (r: TerraformResource) => void): void {
  const node = resource.node as { addValidation: (v: unknown) => void };
  node.addValidation = () => undefined;
  try {
    f(resource);
  } finally {
    // The prototype's method again.
    delete (node as Partial<typeof node>).addValidation;
  }
}
