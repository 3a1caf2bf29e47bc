import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { HCL_STACK_FILE } from "../hcl/write";
import {
  hclStackShape,
  hclWithoutImports,
  OFFLINE_OVERRIDE_FILE,
  offlineHcl,
  pinnedAwsVersionHcl,
} from "./offline-hcl";

/** The rendered stack file cdktf writes in each `cdktf.out/stacks/<stack>/`. */
export const STACK_FILE = "cdk.tf.json";

/**
 * The stack file of a rendered stack directory: `cdk.tf.json`, or `main.tf` when it was rendered
 * as HCL (`npm run synth -- --hcl`); undefined when there is neither.
 */
export function stackFileOf(dir: string): string | undefined {
  return [STACK_FILE, HCL_STACK_FILE].map((f) => path.join(dir, f)).find((f) => existsSync(f));
}

const isHcl = (file: string) => path.basename(file) === HCL_STACK_FILE;

/** The hashicorp/aws version a rendered stack directory pins (JSON or HCL), if any. */
export function stackPinnedVersion(dir: string): string | undefined {
  const file = stackFileOf(dir);
  if (!file) return undefined;
  const text = readFileSync(file, "utf8");
  return isHcl(file) ? pinnedAwsVersionHcl(text) : pinnedAwsVersion(JSON.parse(text));
}

/** What `writeOfflineCopy` would change in the stack directory `dir` (JSON or HCL). */
export function offlineChanges(dir: string, providerVersion: string): OfflineChange[] {
  const file = stackFileOf(dir);
  if (!file) return [];
  const text = readFileSync(file, "utf8");
  const stack = isHcl(file) ? hclStackShape(text, V6_RENAMED_ARGUMENTS) : JSON.parse(text);
  return offlineStack(stack, providerVersion).changes;
}

/** One change the offline copy makes to a stack, and why it is needed. */
export interface OfflineChange {
  readonly what: string;
  readonly why: string;
}

/** Placeholder credentials: the provider needs some, and with the skip flags never sends them. */
export const OFFLINE_CREDENTIALS = {
  access_key: "AKIAOFFLINEPLANONLY00",
  secret_key: "offline-plan-only-never-sent-to-aws",
} as const;

/** The provider settings that keep a plan from calling AWS (Terraform AWS provider documentation). */
export const OFFLINE_PROVIDER_FLAGS = {
  // No STS GetCallerIdentity to check the credentials.
  skip_credentials_validation: true,
  // No IAM/STS call to learn the account id.
  skip_requesting_account_id: true,
  // No EC2 instance metadata service lookup for credentials or region.
  skip_metadata_api_check: true,
} as const;

/**
 * Arguments provider 6.x renamed, under their 5.x names (Terraform AWS provider "Version 6
 * Upgrade Guide": `region` became every resource's region argument, so the resources that had
 * their own `region` argument got a new name for it). Applied only when planning with 5.x.
 */
export const V6_RENAMED_ARGUMENTS: readonly {
  readonly type: string;
  readonly v6: string;
  readonly v5: string;
}[] = [
  { type: "aws_cloudformation_stack_set_instance", v6: "stack_set_instance_region", v5: "region" },
  { type: "aws_config_aggregate_authorization", v6: "authorized_aws_region", v5: "region" },
  { type: "aws_dx_hosted_connection", v6: "connection_region", v5: "region" },
];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `terraform.required_providers.aws.version` of a rendered stack, if any. */
export function pinnedAwsVersion(stack: Json): string | undefined {
  const v = stack?.terraform?.required_providers?.aws?.version;
  return typeof v === "string" ? v : undefined;
}

/**
 * The stack as Terraform may plan it with no AWS access and no state bucket, and the list of what
 * changed. Nothing else is touched: resources, outputs and provider settings such as `region` and
 * `default_tags` stay as rendered, so the plan shows exactly what trailwatch would create.
 * - `terraform.backend` (and `terraform.cloud`) removed: Terraform's default local backend keeps
 *   state in the temporary copy; the real state bucket is never read or locked.
 * - every `provider.aws` block gets placeholder keys and the three skip flags: no AWS call.
 * - `allowed_account_ids` removed: with `skip_requesting_account_id` the provider does not know
 *   the account and refuses every plan ("AWS account ID not allowed").
 * - `required_providers.aws.version` set to `providerVersion` when it differs: the version the
 *   provider mirror has; with a 5.x provider, the arguments 6.x renamed get their 5.x names back
 *   (`V6_RENAMED_ARGUMENTS`).
 * - `import` blocks (adopt mode) are listed here and removed before the plan (`withoutImports`):
 *   importing reads the object from AWS.
 */
export function offlineStack(
  stack: Json,
  providerVersion: string,
): { stack: Json; changes: OfflineChange[] } {
  const copy: Json = structuredClone(stack);
  const changes: OfflineChange[] = [];
  const tf = (copy.terraform ??= {});
  for (const kind of ["backend", "cloud"] as const) {
    if (!tf[kind]) continue;
    const names =
      kind === "backend" ? Object.keys(tf.backend).map((b) => `backend "${b}"`) : ["cloud"];
    delete tf[kind];
    changes.push({
      what: `${names.join(", ")} removed: local state in the temporary copy`,
      why: "the plan must not read or lock the real state bucket; with empty state every resource is planned as new",
    });
  }
  const providers: Json[] = copy.provider?.aws ?? [];
  if (providers.length > 0) {
    let removedAccounts = false;
    for (const p of providers) {
      Object.assign(p, OFFLINE_CREDENTIALS, OFFLINE_PROVIDER_FLAGS);
      if (p.allowed_account_ids !== undefined) {
        delete p.allowed_account_ids;
        removedAccounts = true;
      }
    }
    changes.push({
      what: `provider "aws": placeholder access_key/secret_key, ${Object.keys(OFFLINE_PROVIDER_FLAGS).join(", ")}`,
      why: "no AWS call: no credential check, no account lookup, no instance metadata; the plan reads nothing from AWS (no data sources, -refresh=false)",
    });
    if (removedAccounts)
      changes.push({
        what: 'provider "aws": allowed_account_ids removed',
        why: 'with skip_requesting_account_id the provider does not know the account and refuses every plan ("AWS account ID not allowed")',
      });
  }
  if (Number(providerVersion.split(".")[0]) < 6) {
    for (const { type, v6, v5 } of V6_RENAMED_ARGUMENTS) {
      const renamed = Object.values<Json>(copy.resource?.[type] ?? {}).filter((r) => v6 in r);
      for (const r of renamed) {
        r[v5] = r[v6];
        delete r[v6];
      }
      if (renamed.length > 0)
        changes.push({
          what: `${type}.${v6} renamed to ${v5} (${renamed.length} resource${renamed.length === 1 ? "" : "s"})`,
          why: `provider ${providerVersion} knows the argument under its 5.x name (6.x renamed it)`,
        });
    }
  }
  const aws = tf.required_providers?.aws;
  if (aws && aws.version !== providerVersion) {
    changes.push({
      what: `required_providers aws version "${aws.version ?? "(any)"}" -> "${providerVersion}"`,
      why: "the version the provider mirror has",
    });
    aws.version = providerVersion;
  }
  // Listed now, applied by `withoutImports` after terraform validate.
  if (Array.isArray(copy.import) && copy.import.length > 0)
    changes.push(importChange(copy.import.length));
  return { stack: copy, changes };
}

/** What `withoutImports` changes: listed with the other changes, applied only before the plan. */
export function importChange(count: number): OfflineChange {
  return {
    what: `${count} import block${count === 1 ? "" : "s"} removed before terraform plan (terraform validate checks them)`,
    why: "an import reads the existing object from AWS; without it the plan shows that resource as new",
  };
}

/**
 * Removes the `import` blocks (adopt mode) from an offline copy's stack file, for the plan: the
 * copy keeps them until `terraform validate` has checked them. Returns how many there were.
 */
export function withoutImports(dir: string): number {
  const hcl = path.join(dir, HCL_STACK_FILE);
  if (existsSync(hcl)) {
    const { text, count } = hclWithoutImports(readFileSync(hcl, "utf8"));
    if (count > 0) writeFileSync(hcl, text);
    return count;
  }
  const file = path.join(dir, STACK_FILE);
  const stack = JSON.parse(readFileSync(file, "utf8"));
  const count = Array.isArray(stack.import) ? stack.import.length : 0;
  if (count > 0) {
    delete stack.import;
    writeFileSync(file, JSON.stringify(stack, null, 2));
  }
  return count;
}

/** Files of a stack directory that belong to an earlier `terraform init/plan` there, not to the stack. */
const LEFT_BY_TERRAFORM =
  /^(\.terraform|\.terraform\.lock\.hcl|terraform\.tfstate.*|tfplan|plan\.json)$/;

/**
 * Copies a rendered stack directory (its stack file and assets) to `dest` and rewrites the stack
 * file with `offlineStack`: cdk.tf.json directly; main.tf (HCL) as offline-hcl.ts describes, with
 * the provider settings in an override file beside it. Files an earlier `terraform init` left
 * there (.terraform, the dependency lock file, which holds the hashes of the pinned version,
 * state, plans) are not copied.
 *
 * @throws Error when `stackDir` holds neither cdk.tf.json nor main.tf.
 */
export function writeOfflineCopy(
  stackDir: string,
  dest: string,
  providerVersion: string,
): OfflineChange[] {
  const file = stackFileOf(stackDir);
  if (!file)
    throw new Error(`${stackDir}: no ${STACK_FILE} or ${HCL_STACK_FILE}: not a rendered stack`);
  cpSync(stackDir, dest, {
    recursive: true,
    filter: (src) => src === stackDir || !LEFT_BY_TERRAFORM.test(path.basename(src)),
  });
  const copy = path.join(dest, path.basename(file));
  const text = readFileSync(copy, "utf8");
  if (!isHcl(file)) {
    const { stack, changes } = offlineStack(JSON.parse(text), providerVersion);
    writeFileSync(copy, JSON.stringify(stack, null, 2));
    return changes;
  }
  const { stack, changes } = offlineStack(
    hclStackShape(text, V6_RENAMED_ARGUMENTS),
    providerVersion,
  );
  const offline = offlineHcl(text, stack, V6_RENAMED_ARGUMENTS);
  writeFileSync(copy, offline.text);
  writeFileSync(path.join(dest, OFFLINE_OVERRIDE_FILE), JSON.stringify(offline.override, null, 2));
  return changes;
}
