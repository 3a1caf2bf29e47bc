import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import * as path from "node:path";
import type { TerraformStack } from "cdktf";
import type { TrailwatchConfig } from "./config/schema";
import { buildApp } from "./app";
import { renderHclStacks, writeHclStacks } from "./hcl/write";
import { withCheapStackTraces } from "./stack-traces";

/** How stacks are written: Terraform JSON (`cdk.tf.json`, the default) or HCL (`main.tf`). */
export type OutputFormat = "json" | "hcl";

/**
 * Renders the app as JSON into a fresh staging directory beside `outdir`. cdktf's own switch to
 * HCL (`SYNTH_HCL_OUTPUT`, set by `cdktf synth --hcl`) is held off: HCL is written from the JSON
 * rendering by src/hcl/write.ts, which checks it first.
 */
function stage(
  config: TrailwatchConfig,
  outdir: string,
  build: typeof buildApp,
): { staging: string; stacks: TerraformStack[] } {
  const parent = path.dirname(path.resolve(outdir));
  const staging = mkdtempSync(path.join(parent, `.${path.basename(outdir)}.staging-`));
  const hclSwitch = process.env.SYNTH_HCL_OUTPUT;
  delete process.env.SYNTH_HCL_OUTPUT;
  try {
    const app = withCheapStackTraces(() => {
      const built = build(config, staging).app;
      built.synth();
      return built;
    });
    return { staging, stacks: app.node.children as TerraformStack[] };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    if (hclSwitch !== undefined) process.env.SYNTH_HCL_OUTPUT = hclSwitch;
  }
}

function swapIn(staging: string, outdir: string): void {
  if (existsSync(outdir)) rmSync(outdir, { recursive: true, force: true });
  renameSync(staging, outdir);
}

/**
 * Synthesizes every stack as Terraform JSON into a fresh directory beside `outdir` and swaps it
 * in only when every stack has rendered, so a failure never leaves a half-written cdktf.out
 * behind. Returns the stack names.
 */
export function synthesize(
  config: TrailwatchConfig,
  outdir: string,
  build: typeof buildApp = buildApp,
): string[] {
  const { staging, stacks } = stage(config, outdir, build);
  try {
    swapIn(staging, outdir);
    return stacks.map((s) => s.node.id);
  } finally {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Like {@link synthesize}, but writes each stack as HCL (`main.tf`, src/hcl/write.ts): formatted
 * by `terraform fmt` and proven to mean what the JSON rendering means. Any failure leaves
 * `outdir` as it was.
 *
 * @throws HclRenderError (src/hcl/render.ts) when a stack cannot be written as equivalent HCL or
 *   Terraform cannot be run.
 */
export async function synthesizeHcl(
  config: TrailwatchConfig,
  outdir: string,
  build: typeof buildApp = buildApp,
): Promise<string[]> {
  const { staging, stacks } = stage(config, outdir, build);
  try {
    const rendered = withCheapStackTraces(() => renderHclStacks(staging, stacks));
    await writeHclStacks(staging, rendered);
    swapIn(staging, outdir);
    return stacks.map((s) => s.node.id);
  } finally {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  }
}
