import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import * as path from "node:path";
import type { TrailwatchConfig } from "./config/schema";
import { buildApp } from "./app";
import { withCheapStackTraces } from "./stack-traces";

/**
 * Synthesizes into a fresh directory beside `outdir` and swaps it in only when every stack has
 * rendered, so a failure never leaves a half-written cdktf.out behind.
 */
export function synthesize(
  config: TrailwatchConfig,
  outdir: string,
  build: typeof buildApp = buildApp,
): string[] {
  const parent = path.dirname(path.resolve(outdir));
  const staging = mkdtempSync(path.join(parent, `.${path.basename(outdir)}.staging-`));
  try {
    const app = withCheapStackTraces(() => {
      const built = build(config, staging).app;
      built.synth();
      return built;
    });
    const stacks = app.node.children.map((c) => c.node.id);
    if (existsSync(outdir)) rmSync(outdir, { recursive: true, force: true });
    renameSync(staging, outdir);
    return stacks;
  } finally {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  }
}
