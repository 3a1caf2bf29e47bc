/**
 * `npm run sigma -- <rule.yml or directory>... [--write] [--config path] [--license text]
 * [--delivery event|alarm|both]`: converts Sigma rules for AWS CloudTrail into
 * `detections.custom` entries (src/sigma/convert.ts). Prints them as JSON, or with `--write`
 * merges them into the configuration (an entry converted from the same Sigma rule id, or with the
 * same detection id, is replaced in place and keeps its `enabled`), validates the result like
 * `npm run synth` does and writes nothing unless it is valid.
 *
 * Exit codes, like the backtest's: 0 every rule converted; 1 some rule was refused (reported on
 * stderr with its file and reasons; the others still convert and are written); 2 usage or
 * configuration error (nothing written).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseCommandLine, UsageError } from "../cli/args";

export { UsageError };
import { ConfigError, configPath, loadConfigFile, parseConfig } from "../config/load";
import type { CustomDetectionInput } from "../config/custom-detections";
import { convertSigma, type SigmaConversion } from "./convert";
import type { ProcessIo } from "../cli/run";

export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

export const USAGE = `usage: npm run sigma -- <rule.yml or directory>... [options]

Converts Sigma rules for AWS CloudTrail (logsource product: aws, service: cloudtrail) into
detections.custom entries: printed as JSON, or merged into the configuration with --write.
Directories are searched recursively for .yml and .yaml files. Rules that cannot be expressed
are reported with their file and reason and skipped; the others still convert.

options:
  --write              merge into the configuration file (validated first; nothing is written
                       when the result is invalid)
  --config path        configuration file (default: $TRAILWATCH_CONFIG, else trailwatch.config.json)
  --license text       licence of rules that state none, e.g. DRL-1.1 for SigmaHQ's rules
  --delivery kind      event (default), alarm or both, for rules on single events

exit codes: 0 all converted, 1 some rules refused, 2 usage or configuration error`;

export interface CliArgs {
  readonly paths: string[];
  readonly write: boolean;
  readonly config?: string;
  readonly license?: string;
  readonly delivery?: "event" | "alarm" | "both";
  readonly help: boolean;
}

/**
 * Parses the command line with Node's own `util.parseArgs` (see src/cli/args.ts).
 * @throws UsageError naming the option for an unknown option, a missing or empty value, or a
 *   `--delivery` other than event, alarm or both.
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const { values: v, positionals: paths } = parseCommandLine(argv, {
    write: { type: "boolean" },
    help: { type: "boolean", short: "h" },
    config: { type: "string" },
    license: { type: "string" },
    delivery: { type: "string" },
  });
  const license = v.license?.trim();
  if (license === "") throw new UsageError("--license needs a non-empty value");
  const delivery = v.delivery;
  if (delivery !== undefined && delivery !== "event" && delivery !== "alarm" && delivery !== "both")
    throw new UsageError(`--delivery must be event, alarm or both (got "${delivery}")`);
  const help = v.help === true;
  if (!help && paths.length === 0) throw new UsageError("name at least one rule file or directory");
  return { paths, write: v.write === true, config: v.config, license, delivery, help };
}

/** The process I/O the command uses (see src/cli/run.ts). */
export type Io = ProcessIo;

/** Rule files under the given paths (directories recursively, .yml/.yaml, sorted). */
export function ruleFiles(paths: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.ya?ml$/i.test(e.name)) out.push(full);
    }
  };
  for (const p of paths) {
    const full = path.resolve(cwd, p);
    if (!existsSync(full)) throw new UsageError(`no such file or directory: ${p}`);
    if (statSync(full).isDirectory()) walk(full);
    else out.push(full);
  }
  return out;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`sigma: ${e.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (e instanceof ConfigError) {
      io.stderr(`${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT.ok;
  }
  const file = args.config
    ? configPath({ TRAILWATCH_CONFIG: args.config }, io.cwd)
    : configPath(io.env, io.cwd);
  if (args.write && !existsSync(file))
    throw new UsageError(`--write: no configuration file ${file}`);
  const config = existsSync(file) ? loadConfigFile(file) : undefined;
  const files = ruleFiles(args.paths, io.cwd);
  if (files.length === 0) throw new UsageError("no .yml or .yaml rule files found");

  const existing = config?.detections.custom ?? [];
  const idsBySigmaId = new Map(
    existing.filter((d) => d.references.sigma?.id).map((d) => [d.references.sigma!.id!, d.id]),
  );
  const result = convertSigma(
    files.map((f) => ({
      file: path.relative(io.cwd, f) || f,
      text: readFileSync(f, "utf8"),
    })),
    {
      name: config?.name ?? "trailwatch",
      regions: config?.regions,
      license: args.license,
      delivery: args.delivery,
      reservedIds: existing.map((d) => d.id),
      idsBySigmaId,
    },
  );
  io.stderr(report(result));
  const code = result.refused.length > 0 ? EXIT.refused : EXIT.ok;
  const entries = result.converted.map((c) => c.detection);
  if (!args.write) {
    io.stdout(`${JSON.stringify(entries, null, 2)}\n`);
    return code;
  }
  if (entries.length === 0) {
    io.stderr(`nothing to write to ${file}\n`);
    return code;
  }
  const text = merge(file, entries);
  writeFileSync(file, text);
  io.stderr(`wrote ${entries.length} detection${entries.length === 1 ? "" : "s"} to ${file}\n`);
  return code;
}

/** One line per converted rule (and its warnings), one per refused rule with its reasons. */
export function report(r: SigmaConversion): string {
  const lines: string[] = [];
  for (const c of r.converted) {
    lines.push(`converted ${c.file} -> ${c.detection.id}`);
    for (const w of c.warnings) lines.push(`  warning: ${w}`);
  }
  for (const f of r.refused) {
    lines.push(`refused ${f.file}${f.title ? ` ("${f.title}")` : ""}:`);
    for (const reason of f.reasons) lines.push(`  ${reason}`);
  }
  lines.push(
    `${r.converted.length} converted, ${r.refused.length} refused${r.refused.length ? " (skipped)" : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

/**
 * The configuration text with the entries merged into detections.custom: an entry with the same
 * detection id is replaced in place (keeping its `enabled`), others are appended. Throws
 * ConfigError when the merged configuration is invalid.
 */
function merge(file: string, entries: readonly CustomDetectionInput[]): string {
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const detections = (raw.detections ?? {}) as Record<string, unknown>;
  const custom = Array.isArray(detections.custom)
    ? [...(detections.custom as Record<string, unknown>[])]
    : [];
  for (const entry of entries) {
    const at = custom.findIndex((c) => c && c.id === entry.id);
    if (at >= 0)
      custom[at] = { ...entry, enabled: (custom[at].enabled as boolean | undefined) ?? true };
    else custom.push({ ...entry });
  }
  const merged = { ...raw, detections: { ...detections, custom } };
  parseConfig(merged, file); // throws ConfigError with every problem: nothing is written
  return formatJson(merged, file);
}

/**
 * JSON as the repository's Prettier settings print it (the Prettier CLI, in a child process so it
 * finds the configuration next to the file), else two-space JSON.
 */
function formatJson(value: unknown, file: string): string {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  let bin: string;
  try {
    bin = require.resolve("prettier/bin/prettier.cjs");
  } catch {
    return text; // Prettier is a development dependency; without it, plain JSON
  }
  const r = spawnSync(process.execPath, [bin, "--stdin-filepath", file], {
    input: text,
    encoding: "utf8",
  });
  return r.status === 0 && r.stdout ? r.stdout : text;
}
