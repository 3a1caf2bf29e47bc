import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { buildApp } from "../src/app";
import { ConfigError, parseConfig } from "../src/config/load";
import type { TrailwatchConfigInput } from "../src/config/schema";

export const ROOT = path.resolve(__dirname, "..");

/** The committed example configuration, as raw JSON (a fresh copy each call). */
export function exampleConfigInput(): TrailwatchConfigInput {
  return JSON.parse(readFileSync(path.join(ROOT, "trailwatch.config.json"), "utf8"));
}

/** The example configuration with top-level fields replaced, validated. */
export function config(overrides: Partial<TrailwatchConfigInput> = {}) {
  return parseConfig({ ...exampleConfigInput(), ...overrides });
}

/** The problems a rejected configuration reports; fails the test if it is accepted. */
export function configProblems(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error("expected the configuration to be rejected");
}

/** Builds all stacks for a configuration; synth them with `Testing.synth(stack)`. */
export function build(overrides: Partial<TrailwatchConfigInput> = {}) {
  return buildApp(config(overrides), Testing.app().outdir);
}

/** Synthesized Terraform JSON of a stack, parsed (for assertions the matchers cannot express). */
export function synthJson(stack: Parameters<typeof Testing.synth>[0]): TerraformJson {
  return JSON.parse(Testing.synth(stack));
}

export interface TerraformJson {
  terraform: Record<string, any>;
  provider: Record<string, any[]>;
  resource: Record<string, Record<string, any>>;
  output?: Record<string, { value: unknown }>;
}

/** All resources of one Terraform type in a synthesized stack. */
export function resourcesOf(json: TerraformJson, type: string): Record<string, any>[] {
  return Object.values(json.resource[type] ?? {});
}
