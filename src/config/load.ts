import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { z } from "zod";
import { parseJsonText } from "./json-text";
import { crossFieldProblems, formatPath, type Source } from "./rules";
import { salvage, schemaAt } from "./salvage";
import { configSchema, type TrailwatchConfig } from "./schema";
import { limitProblems } from "../detections/limits";
import { selectDetections, stackRegions } from "../detections/select";
import { watchedResources } from "../detections/watched";
import { resolveNames } from "../names";

export const DEFAULT_CONFIG_FILE = "trailwatch.config.json";

/** Raised for any problem in the configuration file; `problems` lists every one found. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"} in the configuration:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** The configuration file chosen by TRAILWATCH_CONFIG, else trailwatch.config.json in `cwd`. */
export function configPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return path.resolve(cwd, env.TRAILWATCH_CONFIG || DEFAULT_CONFIG_FILE);
}

/** Reads, parses and validates a configuration file, reporting every problem at once. */
export function loadConfigFile(file: string): TrailwatchConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  const json = parseJsonText(text, file);
  if (json.problems.length > 0) throw new ConfigError(file, json.problems);
  return parseConfig(json.value, file);
}

/**
 * Validates a parsed configuration completely: the rules of each field (zod), then the rules
 * between fields (`rules.ts`) on whatever parsed, so one bad field hides no other problem.
 * Throws `ConfigError` listing every problem; returns the configuration with defaults filled in.
 */
export function parseConfig(raw: unknown, file = "configuration"): TrailwatchConfig {
  const result = configSchema.safeParse(raw);
  const problems = result.success ? [] : result.error.issues.map((i) => formatIssue(i, raw));
  const parsed = result.success ? result.data : salvage(configSchema, raw);
  const source: Source = {
    given: (at) => valueAt(raw, at).found,
    section: (key) => source.parsedAt([key]) as never,
    parsedAt: (at) => {
      const r = schemaAt(configSchema, at)?.safeParse(valueAt(raw, at).value);
      return r?.success ? r.data : undefined;
    },
  };
  for (const p of crossFieldProblems(parsed, source))
    problems.push(p.showValue === false ? p.message : formatProblem(p.path, p.message, raw));
  // Quotas are counted on rendered patterns: only once every detection is known to render.
  if (result.success && problems.length === 0)
    problems.push(...detectionLimitProblems(result.data));
  // One rule may be several zod checks failing with the same message (e.g. multipleOf and min).
  if (problems.length > 0) throw new ConfigError(file, [...new Set(problems)]);
  return (result as { data: TrailwatchConfig }).data;
}

function formatIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const where = formatPath(issue.path) || "(top level)";
  if (issue.code === "unrecognized_keys")
    return `${where}: unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys
      .map((k) => JSON.stringify(k))
      .join(", ")}; see trailwatch.schema.json for the allowed fields`;
  if (issue.code === "invalid_key")
    return `${where}: ${issue.issues.map((i) => i.message).join("; ")}`;
  const value = valueAt(raw, issue.path);
  if (!value.found && (issue.code === "invalid_type" || issue.code === "invalid_value")) {
    const about = schemaAt(configSchema, issue.path)?.description;
    return `${where}: required${about ? ` (${about})` : ""}`;
  }
  return formatProblem(issue.path, issue.message, raw);
}

function formatProblem(at: readonly PropertyKey[], message: string, raw: unknown): string {
  const value = valueAt(raw, at);
  const got = value.found ? ` (got ${shown(value.value)})` : "";
  return `${formatPath(at) || "(top level)"}: ${message}${got}`;
}

/** Objects and lists longer than this are summarized, not printed, after "got". */
const MAX_SHOWN = 200;

/** The value as JSON; a long object or list by its size (50 tags would bury the message). */
function shown(value: unknown): string {
  const json = JSON.stringify(value);
  if (json.length <= MAX_SHOWN || value === null || typeof value !== "object") return json;
  if (Array.isArray(value)) return `a list of ${value.length} items`;
  return `an object with ${Object.keys(value).length} fields`;
}

function valueAt(raw: unknown, p: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let cur: unknown = raw;
  for (const k of p) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, String(k)))
      return { found: false };
    cur = (cur as Record<string, unknown>)[String(k)];
  }
  return { found: cur !== undefined, value: cur };
}

/** The enabled detections must fit CloudWatch Logs' and EventBridge's quotas (limits.ts). */
function detectionLimitProblems(c: TrailwatchConfig): string[] {
  const ds = selectDetections(c, watchedResources(resolveNames(c)));
  return limitProblems(ds, stackRegions(c, ds));
}
