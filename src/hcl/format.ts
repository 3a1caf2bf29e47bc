import { spawnSync } from "node:child_process";
import { HclRenderError } from "./render";

/**
 * `hcl` formatted by the real Terraform client (`terraform fmt -`, which reads standard input
 * and writes the canonical layout: indentation, aligned `=`), so the HCL reads like hand-written
 * Terraform. `terraform fmt` parses the text with Terraform's own HCL parser, so this is also a
 * syntax check: text Terraform would reject is refused here, with Terraform's diagnostics.
 *
 * @param terraform the Terraform binary. @default "terraform" (from PATH)
 * @throws HclRenderError when Terraform cannot be run or rejects the text.
 */
export function formatHcl(hcl: string, name: string, terraform = "terraform"): string {
  const r = spawnSync(terraform, ["fmt", "-no-color", "-"], {
    input: hcl,
    encoding: "utf8",
    // No CLI configuration is needed to format; an absent ~/.terraformrc only adds a warning.
    env: { ...process.env, TF_CLI_CONFIG_FILE: process.env.TF_CLI_CONFIG_FILE ?? "/dev/null" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error)
    throw new HclRenderError(
      `HCL output needs the Terraform CLI to format and check the HCL, but \`${terraform} fmt\` could not run (${r.error.message}); install Terraform >= 1.5 or render JSON (the default)`,
    );
  if (r.status !== 0)
    throw new HclRenderError(
      `Terraform rejects the HCL rendered for ${name}, so it was not written:\n${r.stderr.trim()}`,
    );
  return r.stdout;
}
