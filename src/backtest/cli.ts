/**
 * `npm run backtest -- <file or directory>... [--json] [--only id,id] [--period s] [--config path]
 * [--jobs n] [--exhaustive]`: what the configured detections would have reported on CloudTrail
 * history. Exit codes: 0 clean; 1 some file was skipped; 2 usage or configuration error;
 * 3 the two renderings of a detection disagreed on some record (a bug; wins over 1).
 */
import { stat } from "node:fs/promises";
import { watchedResources } from "../app";
import { ConfigError, configPath, loadConfigFile } from "../config/load";
import { catalog, DETECTION_IDS, enabledDetections } from "../detections/catalog";
import { resolveNames } from "../names";
import { planDetections } from "./engine";
import { autoJobs, runBacktest, type BacktestResult } from "./pool";
import { listInputs, MissingPathError } from "./readers";
import { formatHuman, toJson } from "./report";

export const EXIT = { ok: 0, skipped: 1, usage: 2, disagreement: 3 } as const;

export const USAGE = `usage: npm run backtest -- <file or directory>... [options]

Reads CloudTrail history: S3 log files ({"Records":[...]}, .json or .json.gz; directories are
walked recursively), JSON Lines of records (.jsonl, .jsonl.gz) and \`aws cloudtrail
lookup-events\` output ({"Events":[...]}), and reports what each enabled detection would have
matched through its metric filter and through its EventBridge event pattern.

options:
  --json            print one JSON document instead of the report
  --only id,id      only these detections (any catalog id, enabled or not)
  --period seconds  alarm period for counting breached periods (default: each detection's
                    configured period, else 60)
  --config path     configuration file (default: $TRAILWATCH_CONFIG, else trailwatch.config.json)
  --jobs n          worker threads (default: 1 for small inputs, else one per core)
  --exhaustive      evaluate both renderings of every detection on every record (slower)

exit codes: 0 clean, 1 files skipped, 2 usage or configuration error, 3 renderings disagreed`;

/**
 * The trail key exists only once Terraform has created it; detections that name it match its
 * alias (which is known) and these placeholders (which no real record carries).
 */
export const PLACEHOLDER_KEY = {
  arn: "arn:aws:kms:<home-region>:<account>:key/<trail-key-id>",
  id: "<trail-key-id>",
};

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface CliArgs {
  readonly paths: string[];
  readonly json: boolean;
  readonly only?: string[];
  readonly period?: number;
  readonly config?: string;
  readonly jobs?: number;
  readonly exhaustive: boolean;
  readonly help: boolean;
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const paths: string[] = [];
  let json = false;
  let exhaustive = false;
  let help = false;
  let only: string[] | undefined;
  let period: number | undefined;
  let config: string | undefined;
  let jobs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      paths.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      paths.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq >= 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case "--json":
        json = true;
        break;
      case "--exhaustive":
        exhaustive = true;
        break;
      case "-h":
      case "--help":
        help = true;
        break;
      case "--only":
        only = value()
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
        break;
      case "--period":
        period = positiveInt(name, value());
        break;
      case "--jobs":
        jobs = positiveInt(name, value());
        break;
      case "--config":
        config = value();
        break;
      default:
        throw new UsageError(`unknown option ${name}`);
    }
  }
  if (!help && paths.length === 0) throw new UsageError("name at least one file or directory");
  return { paths, json, only, period, config, jobs, exhaustive, help };
}

function positiveInt(name: string, v: string): number {
  if (!/^[1-9]\d*$/.test(v))
    throw new UsageError(`${name} must be a positive whole number (got "${v}")`);
  return Number(v);
}

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** Progress goes to stderr only when it is a terminal. */
  readonly progress: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
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
  const all = catalog(watchedResources(resolveNames(config), PLACEHOLDER_KEY));
  let detections = enabledDetections(all, config.detections);
  if (args.only) {
    const unknown = args.only.filter((id) => !DETECTION_IDS.includes(id));
    if (unknown.length > 0)
      throw new UsageError(
        `unknown detection id${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; allowed ids:\n  ${DETECTION_IDS.join("\n  ")}`,
      );
    if (args.only.length === 0) throw new UsageError("--only needs at least one detection id");
    detections = all.filter((d) => args.only!.includes(d.id));
  }
  const plan = planDetections(detections, config.detections.alarms, args.period);

  const inputs = await listInputs(args.paths);
  const sizes = await Promise.all(
    inputs.files.map((f) =>
      stat(f).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  const jobs =
    args.jobs ??
    autoJobs(
      inputs.files.length,
      sizes.reduce((a, b) => a + b, 0),
    );
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
  const full: BacktestResult = { ...result, skipped: [...inputs.skipped, ...result.skipped] };
  const seconds = (performance.now() - started) / 1000;
  io.stdout(
    args.json ? `${JSON.stringify(toJson(full), null, 2)}\n` : formatHuman(full, { seconds }),
  );
  return exitCodeOf(full);
}

/** A disagreement is a bug in trailwatch and outranks skipped files. */
export function exitCodeOf(r: BacktestResult): number {
  if (r.detections.some((d) => d.disagreementCount > 0)) return EXIT.disagreement;
  return r.skipped.length > 0 ? EXIT.skipped : EXIT.ok;
}

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
