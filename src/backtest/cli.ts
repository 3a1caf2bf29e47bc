/**
 * `npm run backtest -- <file or directory>... [--json] [--only id,id] [--period s]
 * [--evaluation-range n] [--config path] [--jobs n] [--exhaustive]`: what the configured detections
 * would have reported on CloudTrail history. Exit codes: 0 clean; 1 some file was skipped; 2 usage
 * or configuration error; 3 the two renderings of a detection disagreed on some record (a bug;
 * wins over 1); 4 no record was read (nothing was tested).
 */
import { watchedResources } from "../detections/watched";
import { alarmPeriod } from "../config/fields";
import { ConfigError, configPath, loadConfigFile } from "../config/load";
import { enabledDetections } from "../detections/catalog";
import { alarmTuningById } from "../detections/custom";
import { allDetections } from "../detections/select";
import { parseCommandLine, UsageError } from "../cli/args";

export { UsageError };
import { resolveNames } from "../names";
import { planDetections } from "./engine";
import { autoJobs, runBacktest, type BacktestResult } from "./pool";
import { INPUT_SUFFIXES, listInputs, MissingPathError, type Inputs } from "./readers";
import { formatHuman, toJson } from "./report";
import type { ProcessIo } from "../cli/run";

export const EXIT = { ok: 0, skipped: 1, usage: 2, disagreement: 3, noRecords: 4 } as const;

export const USAGE = `usage: npm run backtest -- <file or directory>... [options]

Reads CloudTrail history: S3 log files ({"Records":[...]}, .json.gz), JSON Lines of records
(.jsonl, .ndjson) and \`aws cloudtrail lookup-events\` output ({"Events":[...]}), and reports what
each enabled detection would have matched through its metric filter and through its EventBridge
event pattern, and when each alarm would have gone into ALARM. Directories are walked
recursively, following links (each real directory and file once); they read ${INPUT_SUFFIXES}
files, report other files as skipped and pass over hidden ones (.DS_Store). Files named here are
read whatever their name.

options:
  --json                 print one JSON document instead of the report
  --only id,id           only these detections (any catalog or detections.custom id, enabled or
                         not)
  --period seconds       alarm period for every alarm: a multiple of 60 up to 86400 (default: each
                         detection's detections.alarms[id].periodSeconds, else 60)
  --evaluation-range n   data points CloudWatch retrieves per alarm evaluation; when N of them
                         exist it evaluates the N most recent (default: evaluationPeriods)
  --config path          configuration file (default: $TRAILWATCH_CONFIG, else trailwatch.config.json)
  --jobs n               worker threads (default: 1 for small inputs, else one per core)
  --exhaustive           evaluate both renderings of every detection on every record (slower)

exit codes: 0 clean, 1 files skipped, 2 usage or configuration error, 3 renderings disagreed,
4 no record read`;

/**
 * The trail key exists only once Terraform has created it; detections that name it match its
 * alias (which is known) and these placeholders (which no real record carries).
 */
export const PLACEHOLDER_KEY = {
  arn: "arn:aws:kms:<home-region>:<account>:key/<trail-key-id>",
  id: "<trail-key-id>",
};

export interface CliArgs {
  readonly paths: string[];
  readonly json: boolean;
  readonly only?: string[];
  readonly period?: number;
  readonly evaluationRange?: number;
  readonly config?: string;
  readonly jobs?: number;
  readonly exhaustive: boolean;
  readonly help: boolean;
}

/**
 * Parses the command line with Node's own `util.parseArgs` (options anywhere, `--name=value` or
 * `--name value`, `--` ends options).
 * @throws UsageError naming the option for an unknown option, a missing value or a value out of range.
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const { values: v, positionals: paths } = parseCommandLine(argv, {
    json: { type: "boolean" },
    exhaustive: { type: "boolean" },
    help: { type: "boolean", short: "h" },
    only: { type: "string" },
    period: { type: "string" },
    "evaluation-range": { type: "string" },
    jobs: { type: "string" },
    config: { type: "string" },
  });
  const only = v.only
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const period = v.period === undefined ? undefined : positiveInt("--period", v.period);
  // The periods the configuration accepts for detections.alarms[id].periodSeconds.
  const periodCheck = period === undefined ? undefined : alarmPeriod.safeParse(period);
  if (periodCheck && !periodCheck.success)
    throw new UsageError(`--period ${periodCheck.error.issues[0].message} (got ${period})`);
  const evaluationRange =
    v["evaluation-range"] === undefined
      ? undefined
      : positiveInt("--evaluation-range", v["evaluation-range"]);
  const jobs = v.jobs === undefined ? undefined : positiveInt("--jobs", v.jobs);
  const help = v.help === true;
  if (!help && paths.length === 0) throw new UsageError("name at least one file or directory");
  return {
    paths,
    json: v.json === true,
    only,
    period,
    evaluationRange,
    config: v.config,
    jobs,
    exhaustive: v.exhaustive === true,
    help,
  };
}

function positiveInt(name: string, v: string): number {
  if (!/^[1-9]\d*$/.test(v))
    throw new UsageError(`${name} must be a positive whole number (got "${v}")`);
  return Number(v);
}

/** The process I/O the command uses (see src/cli/run.ts). */
export interface Io extends ProcessIo {
  /** Progress goes to stderr only when it is a terminal. */
  readonly progress: boolean;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof MissingPathError) {
      io.stderr(`backtest: ${e.message}\n\n${USAGE}\n`);
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
  const config = loadConfigFile(
    args.config
      ? configPath({ TRAILWATCH_CONFIG: args.config }, io.cwd)
      : configPath(io.env, io.cwd),
  );
  // The catalog and the configuration's own detections (detections.custom).
  const all = allDetections(config, watchedResources(resolveNames(config), PLACEHOLDER_KEY));
  let detections = enabledDetections(all, config.detections);
  if (args.only) {
    const ids = all.map((d) => d.id);
    const unknown = args.only.filter((id) => !ids.includes(id));
    if (unknown.length > 0)
      throw new UsageError(
        `unknown detection id${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; allowed ids:\n  ${ids.join("\n  ")}`,
      );
    if (args.only.length === 0) throw new UsageError("--only needs at least one detection id");
    detections = all.filter((d) => args.only!.includes(d.id));
  }
  const plan = planDetections(detections, alarmTuningById(config), {
    periodSeconds: args.period,
    evaluationRange: args.evaluationRange,
  });

  const inputs = await listInputs(args.paths);
  const jobs = args.jobs ?? autoJobs(inputs.files.length, inputs.bytes);
  const started = performance.now();
  const progress = io.progress
    ? progressReporter(io.stderr, inputs.files.length, started)
    : undefined;
  const result = await runBacktest(inputs.files, plan, {
    jobs,
    eventIds: args.json,
    exhaustive: args.exhaustive,
    onProgress: progress?.update,
  });
  progress?.done();
  const full = {
    ...result,
    skipped: [...inputs.skipped.map(({ file, error }) => ({ file, error })), ...result.skipped],
    hidden: inputs.hidden,
  };
  const seconds = (performance.now() - started) / 1000;
  io.stdout(
    args.json ? `${JSON.stringify(toJson(full), null, 2)}\n` : formatHuman(full, { seconds }),
  );
  for (const note of emptyInputNotes(args.paths, inputs, result)) io.stderr(`backtest: ${note}\n`);
  return exitCodeOf(full);
}

/**
 * A disagreement is a bug in trailwatch and outranks the rest; no record at all means nothing was
 * tested (a wrong path or sync prefix), which a clean exit would hide; then skipped files.
 */
export function exitCodeOf(r: BacktestResult): number {
  if (r.detections.some((d) => d.disagreementCount > 0)) return EXIT.disagreement;
  if (r.records === 0) return EXIT.noRecords;
  return r.skipped.length > 0 ? EXIT.skipped : EXIT.ok;
}

/**
 * Why a command-line path gave no record (none found, all skipped, or files without records), one
 * line per such path, and a last line when no path gave any.
 */
export function emptyInputNotes(
  paths: readonly string[],
  inputs: Inputs,
  result: BacktestResult,
): string[] {
  const failed = new Set(result.skipped.map((s) => s.file));
  const notes = paths.flatMap((p, root) => {
    const files = inputs.files.flatMap((_f, k) => (inputs.roots[k] === root ? [k] : []));
    if (files.some((k) => result.fileRecords[k] > 0)) return [];
    // Everything it leads to was read under an earlier path.
    if (files.length === 0 && inputs.overlaps[root]) return [];
    const read = files.filter((k) => !failed.has(inputs.files[k])).length;
    const entries = inputs.skipped.filter((s) => s.root === root).length;
    const why =
      files.length === 0
        ? `no CloudTrail data file found (${INPUT_SUFFIXES})`
        : read === 0
          ? `${plural(files.length, "file")} found, all skipped`
          : `${plural(read, "file")} read, none holds a record` +
            (read < files.length ? `, ${files.length - read} skipped` : "");
    const others =
      entries > 0 ? `; ${plural(entries, "other entry", "other entries")} skipped` : "";
    return [`${p}: no CloudTrail records: ${why}${others}`];
  });
  if (result.records === 0)
    notes.push("no CloudTrail records were read: nothing was tested (exit code 4)");
  return notes;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** One self-overwriting stderr line, redrawn at most every 200 ms. */
function progressReporter(write: (s: string) => void, totalFiles: number, started: number) {
  let records = 0;
  let files = 0;
  let drawn = 0;
  const draw = () => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(records / seconds) : 0;
    write(
      `\r\x1b[Kfiles ${files}/${totalFiles}  records ${records.toLocaleString("en-US")}  ${rate.toLocaleString("en-US")} records/s`,
    );
  };
  return {
    update: (n: number, fileDone: boolean) => {
      records += n;
      if (fileDone) files++;
      const now = performance.now();
      if (now - drawn >= 200) {
        drawn = now;
        draw();
      }
    },
    done: () => write("\r\x1b[K"),
  };
}
