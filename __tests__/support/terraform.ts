/**
 * Runs the real Terraform client on a synthesized stack, offline: a temporary copy whose S3
 * backend is replaced by local state and whose AWS provider reads hashicorp/aws 5.100.0 from the
 * filesystem mirror /opt/tf-plugins (providers cannot be downloaded here; our bindings are for
 * 6.25, so 6.x-only arguments are renamed to their 5.x names), with fake credentials and the skip
 * flags that keep it from calling AWS. Nothing is faked: a plan that needs AWS fails as it would.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export const MIRROR = "/opt/tf-plugins";
export const MIRROR_AWS_VERSION = "5.100.0";

export interface TerraformRun {
  readonly status: number | null;
  readonly output: string;
}

/** 6.x argument names the 5.x provider knows under another name (provider v6 upgrade guide). */
const V6_TO_V5_RENAMES: Record<string, Record<string, string>> = {
  aws_cloudformation_stack_set_instance: { stack_set_instance_region: "region" },
};

function downgradeJson(file: string): void {
  const json = JSON.parse(readFileSync(file, "utf8"));
  for (const [type, renames] of Object.entries(V6_TO_V5_RENAMES))
    for (const r of Object.values<Record<string, unknown>>(json.resource?.[type] ?? {}))
      for (const [from, to] of Object.entries(renames))
        if (from in r) {
          r[to] = r[from];
          delete r[from];
        }
  writeFileSync(file, JSON.stringify(json, null, 2));
}

function downgradeHcl(file: string): void {
  let text = readFileSync(file, "utf8");
  for (const renames of Object.values(V6_TO_V5_RENAMES))
    for (const [from, to] of Object.entries(renames))
      text = text.replace(new RegExp(`^(\\s*)${from}(\\s*=)`, "gm"), `$1${to}$2`);
  writeFileSync(file, text);
}

/** A temporary working copy of `stackDir`, initialized offline. Call `dispose` when done. */
export function offlineWorkdir(stackDir: string, region: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "trailwatch-tf-"));
  cpSync(stackDir, dir, { recursive: true });
  for (const f of readdirSync(dir)) {
    if (f.endsWith(".tf.json")) downgradeJson(path.join(dir, f));
    if (f.endsWith(".tf")) downgradeHcl(path.join(dir, f));
  }
  writeFileSync(
    path.join(dir, "zz_offline_override.tf.json"),
    JSON.stringify({
      terraform: {
        backend: { local: { path: "terraform.tfstate" } },
        required_providers: { aws: { source: "hashicorp/aws", version: MIRROR_AWS_VERSION } },
      },
      provider: {
        aws: [
          {
            region,
            access_key: "AKIAIOSFODNN7EXAMPLE",
            secret_key: "offline",
            allowed_account_ids: null,
            skip_credentials_validation: true,
            skip_requesting_account_id: true,
            skip_metadata_api_check: true,
          },
        ],
      },
    }),
  );
  const rc = path.join(dir, ".terraformrc");
  writeFileSync(
    rc,
    `provider_installation {\n  filesystem_mirror {\n    path = "${MIRROR}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct { exclude = ["registry.terraform.io/hashicorp/aws"] }\n}\n`,
  );
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: rc,
    TF_IN_AUTOMATION: "1",
    CHECKPOINT_DISABLE: "1",
  };
  const run = (...args: string[]): TerraformRun => {
    const r = spawnSync("terraform", [...args, "-no-color"], {
      cwd: dir,
      env,
      encoding: "utf8",
      timeout: 240_000,
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };
  const init = run("init", "-input=false");
  if (init.status !== 0) throw new Error(`terraform init failed:\n${init.output}`);
  return { dir, run, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
