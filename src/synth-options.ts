import { parseArgs } from "node:util";
import type { OutputFormat } from "./synth";

/** A command-line mistake: the message says what is allowed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const SYNTH_USAGE = `usage: npm run synth [-- --hcl | --json]

Renders every stack of the configuration (TRAILWATCH_CONFIG, else trailwatch.config.json) into
cdktf.out/stacks/<stack>/ (CDKTF_OUTDIR overrides cdktf.out).

  --hcl    write each stack as HCL (main.tf), formatted by terraform fmt and checked to mean
           what the JSON means (needs the Terraform CLI on PATH)
  --json   write each stack as Terraform JSON (cdk.tf.json)
Without either, the configuration's output.format decides (default "json"); \`cdktf synth --hcl\`
(SYNTH_HCL_OUTPUT=true) asks for HCL too.`;

/**
 * The output format of `npm run synth`: `--hcl` / `--json` first, then cdktf's own switch
 * (`cdktf synth --hcl` sets SYNTH_HCL_OUTPUT=true), then the configuration's `output.format`.
 *
 * @throws UsageError for an unknown argument or both flags at once.
 */
export function outputFormat(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  configured: OutputFormat,
): OutputFormat {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { hcl: { type: "boolean" }, json: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.hcl && values.json) throw new UsageError("--hcl and --json exclude each other");
  if (values.hcl) return "hcl";
  if (values.json) return "json";
  if (env.SYNTH_HCL_OUTPUT === "true" || env.SYNTH_HCL_OUTPUT === "1") return "hcl";
  return configured;
}
