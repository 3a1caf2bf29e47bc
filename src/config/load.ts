import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { z } from "zod";
import { bucketNameProblem } from "./fields";
import { configSchema, type TrailwatchConfig } from "./schema";
import { existingTrailProblems } from "../trail-source/requirements";
import { selectDetections } from "../detections/select";
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

export function loadConfigFile(file: string): TrailwatchConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  return parseConfig(raw, file);
}

/** Validates a parsed configuration completely, reporting every problem at once. */
export function parseConfig(raw: unknown, file = "configuration"): TrailwatchConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(file, formatIssues(result.error.issues, raw));
  const problems = [
    ...derivedNameProblems(result.data),
    ...existingTrailConfigProblems(result.data),
  ];
  if (problems.length > 0) throw new ConfigError(file, problems);
  return result.data;
}

function formatIssues(issues: readonly z.core.$ZodIssue[], raw: unknown): string[] {
  // One rule may be several zod checks failing with the same message (e.g. multipleOf and min).
  return [...new Set(issues.map((issue) => formatIssue(issue, raw)))];
}

function formatIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const where = formatPath(issue.path);
  if (issue.code === "unrecognized_keys")
    return `${where || "(top level)"}: unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys
      .map((k) => JSON.stringify(k))
      .join(", ")}; see trailwatch.schema.json for the allowed fields`;
  const value = valueAt(raw, issue.path);
  const got = value.found ? ` (got ${JSON.stringify(value.value)})` : " (missing)";
  return `${where || "(top level)"}: ${issue.message}${got}`;
}

function formatPath(p: readonly PropertyKey[]): string {
  return p
    .map((k, i) => (typeof k === "number" ? `[${k}]` : `${i === 0 ? "" : "."}${String(k)}`))
    .join("");
}

function valueAt(raw: unknown, p: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let cur: unknown = raw;
  for (const k of p) {
    if (cur === null || typeof cur !== "object" || !(String(k) in (cur as object)))
      return { found: false };
    cur = (cur as Record<string, unknown>)[String(k)];
  }
  return { found: true, value: cur };
}

/** Names we derive from several fields must obey AWS rules too; check them before any construct. */
function derivedNameProblems(c: TrailwatchConfig): string[] {
  const problems: string[] = [];
  const derived: [string, string, string | undefined][] = [
    ["archive.bucketName", defaultArchiveBucketName(c), c.archive.bucketName],
    [
      "archive.accessLogs.bucketName",
      defaultAccessLogBucketName(c),
      c.archive.accessLogs.bucketName,
    ],
  ];
  for (const [field, name, explicit] of derived) {
    // An existing trail's archive is not ours; an adopted bucket keeps its own name.
    if (
      explicit ||
      c.trail.mode === "existing" ||
      (field === "archive.bucketName" && c.adopt?.bucket)
    )
      continue;
    const problem = bucketNameProblem(name);
    if (problem)
      problems.push(
        `${field}: the default name "${name}" (from name, accountId and homeRegion) ${problem}; set ${field} explicitly`,
      );
  }
  const archive = c.archive.bucketName ?? c.adopt?.bucket ?? defaultArchiveBucketName(c);
  c.trail.s3DataEvents.forEach((d, i) => {
    if (d.bucket.replace(/^arn:aws:s3:::/, "").split("/")[0] === archive)
      problems.push(
        `trail.s3DataEvents[${i}].bucket: must not be the log archive bucket: the trail would log its own writes in a loop (got ${JSON.stringify(d.bucket)})`,
      );
  });
  return problems;
}

/** trail.mode "existing": the enabled detections the described trail cannot serve. */
function existingTrailConfigProblems(c: TrailwatchConfig): string[] {
  const existing = c.trail.mode === "existing" ? c.trail.existing : undefined;
  if (!existing) return [];
  return existingTrailProblems(existing, selectDetections(c, watchedResources(resolveNames(c))));
}

export function defaultArchiveBucketName(c: TrailwatchConfig): string {
  return `${c.name}-cloudtrail-${c.accountId}-${c.homeRegion}`;
}

export function defaultAccessLogBucketName(c: TrailwatchConfig): string {
  return `${c.name}-s3-access-${c.accountId}-${c.homeRegion}`;
}
