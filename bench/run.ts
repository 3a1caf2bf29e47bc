/**
 * `npm run bench [-- --only synth,backtest,test] [--runs 3] [--naive-runs 3] [--records 1000000]`
 *
 * Measures, as the median of several runs of separate processes (wall time from spawn to exit,
 * peak RSS from `/usr/bin/time`):
 * - synth: `node scripts/run-synth.js` (what `npm run synth` runs, without npm's own start-up;
 *   its bundle built, then rebuilt) for the example configuration and for one watching all 17
 *   default-enabled regions (and for examples/organization.json, deployed to the root and to 30
 *   OUs), against a naive cdktf app (bench/naive.ts: ts-node, root provider
 *   import) building the same stacks, and against the floor `node -e 'require("cdktf")'` (the
 *   floor and the cached-bundle synth of every configuration alternate round after round, and
 *   their ratio is the median of per-round ratios, with CPU time beside wall time); plus, for
 *   information, `tsx main.ts`;
 * - backtest: records/s and peak RSS on a generated corpus (bench/corpus.ts) against the floor of
 *   only gunzipping and parsing the same files (bench/parse-floor.js), at 250k and all records;
 *   floor and backtest runs alternate, and the ratio is the median of per-round ratios, so a
 *   shared machine's changing load weighs on both alike;
 * - Lambda packages (src/lambda/package.ts): bundle and zip size of each handler, the package
 *   build on a cache miss and the lookup on a hit, and the handler's cold-start import time
 *   (`require("index.js")` of the unzipped package in a fresh process; the Lambda runtime adds its
 *   own start-up, which this machine cannot measure);
 * - the whole `npm test`.
 * Prints a Markdown table for README "## Performance". Timing never gates `npm test`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DEFAULT_ENABLED_REGIONS } from "../src/config/regions";
import { unzipSync } from "fflate";
import { packageLambda } from "../src/lambda/package";
import { corpus, filesFor } from "./corpus";
import { specFromSynth, writeNaiveApp } from "./naive";

const ROOT = path.resolve(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const TS_NODE = path.join(ROOT, "node_modules", "ts-node", "dist", "bin.js");
const TIME = "/usr/bin/time";

interface Args {
  only: Set<string>;
  runs: number;
  naiveRuns: number;
  records: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    only: new Set(["synth", "lambda", "backtest", "test"]),
    runs: 3,
    naiveRuns: 3,
    records: 1_000_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case "--only":
        args.only = new Set(value.split(","));
        i++;
        break;
      case "--runs":
        args.runs = Number(value);
        i++;
        break;
      case "--naive-runs":
        args.naiveRuns = Number(value);
        i++;
        break;
      case "--records":
        args.records = Number(value);
        i++;
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return args;
}

interface Run {
  readonly seconds: number;
  /** Peak resident set size of the process (largest of it and its children), MB. */
  readonly maxRssMb: number | null;
  /** User + system CPU time of the process and its children, seconds. */
  readonly cpuSeconds: number | null;
  readonly stdout: string;
}

const hasTime = existsSync(TIME);

/** Runs a command to completion; fails loudly when it fails. */
function measure(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Run {
  const rssFile = path.join(tmpdir(), `trailwatch-bench-rss-${process.pid}`);
  const [cmd, argv] = hasTime
    ? [TIME, ["-f", "%M %U %S", "-o", rssFile, command, ...args]]
    : [command, [...args]];
  const started = performance.now();
  const r = spawnSync(cmd, argv, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(" ")} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  let maxRssMb: number | null = null;
  let cpuSeconds: number | null = null;
  if (hasTime) {
    const [kb, user, system] = readFileSync(rssFile, "utf8")
      .trim()
      .split("\n")
      .pop()!
      .split(" ")
      .map(Number);
    maxRssMb = kb / 1024;
    cpuSeconds = user + system;
    rmSync(rssFile);
  }
  return { seconds, maxRssMb, cpuSeconds, stdout: r.stdout };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Summary {
  readonly seconds: number;
  readonly maxRssMb: number | null;
  readonly cpuSeconds?: number | null;
  readonly runs: number;
}

function repeat(n: number, label: string, once: (i: number) => Run): Summary {
  const runs: Run[] = [];
  for (let i = 0; i < n; i++) {
    const r = once(i);
    runs.push(r);
    const rss = r.maxRssMb === null ? "" : `, ${r.maxRssMb.toFixed(0)} MB`;
    process.stderr.write(`  ${label} #${i + 1}: ${r.seconds.toFixed(2)} s${rss}\n`);
  }
  const rss = runs.map((r) => r.maxRssMb).filter((x): x is number => x !== null);
  return {
    seconds: median(runs.map((r) => r.seconds)),
    maxRssMb: rss.length > 0 ? median(rss) : null,
    runs: n,
  };
}

interface Row {
  readonly what: string;
  readonly time: string;
  readonly rss: string;
  readonly ratio: string;
  readonly target: string;
}

const secs = (s: Summary) => `${s.seconds.toFixed(2)} s`;
const mb = (s: Summary) => (s.maxRssMb === null ? "n/a" : `${s.maxRssMb.toFixed(0)} MB`);
const met = (ok: boolean) => (ok ? "met" : "**not met**");

function synthBench(args: Args, work: string): Row[] {
  const rows: Row[] = [];
  process.stderr.write("synth\n");
  const example = path.join(ROOT, "trailwatch.config.json");
  const all = path.join(work, "all-regions.config.json");
  const config = JSON.parse(readFileSync(example, "utf8")) as Record<string, unknown>;
  writeFileSync(all, JSON.stringify({ ...config, regions: [...DEFAULT_ENABLED_REGIONS] }));

  const RUN_SYNTH = path.join(ROOT, "scripts", "run-synth.js");
  const BUNDLE = path.join(ROOT, "dist", "main.js");

  // Organization mode: the StackSet and its template must not make synth grow with the
  // organization. The same configuration deployed to 30 OUs instead of the root is timed too
  // (cached bundle only): its stacks and resources must be the same in number.
  const organization = path.join(ROOT, "examples", "organization.json");
  const orgConfig = JSON.parse(readFileSync(organization, "utf8")) as {
    organization: { memberAccounts: { deployTo: string[] } };
  };
  orgConfig.organization.memberAccounts.deployTo = Array.from(
    { length: 30 },
    (_, i) => `ou-a1b2-${String(i).padStart(8, "0")}`,
  );
  const organization30 = path.join(work, "organization-30-ous.config.json");
  writeFileSync(organization30, JSON.stringify(orgConfig));
  const configs = [
    ["example config", example, true],
    ["17 default regions", all, true],
    ["organization mode, organization root", organization, true],
    ["organization mode, 30 OUs", organization30, false],
  ] as const;
  const outOf = (name: string, i: number | string) =>
    path.join(work, `out-${name.replace(/\W+/g, "-")}-${i}`);
  const envOf = (name: string, file: string, i: number | string) => ({
    TRAILWATCH_CONFIG: file,
    CDKTF_OUTDIR: outOf(name, i),
  });
  // What `npm run synth` runs (without npm's own start-up), with its bundle already built; the
  // floor and every configuration alternate, round after round, so a shared machine's changing
  // load weighs on all alike, and each ratio is the median of the per-round ratios.
  for (const [name, file] of configs)
    measure(process.execPath, [RUN_SYNTH], { env: envOf(name, file, "warm-up") });
  const round = configs.map(() => 0);
  const [floor, ...synths] = interleave(args.runs, [
    {
      label: "floor node -e require(cdktf)",
      once: () => measure(process.execPath, ["-e", 'require("cdktf")']),
    },
    ...configs.map(([name, file], k) => ({
      label: `run-synth.js (${name})`,
      once: () => measure(process.execPath, [RUN_SYNTH], { env: envOf(name, file, round[k]++) }),
    })),
  ]);
  const ratioToFloor = (x: { rounds: number[] }) =>
    median(x.rounds.map((t, i) => t / floor.rounds[i]));
  const cpu = (x: Summary) =>
    x.cpuSeconds === null || x.cpuSeconds === undefined ? "" : `, CPU ${x.cpuSeconds.toFixed(2)} s`;
  rows.push({
    what: "floor: `node -e 'require(\"cdktf\")'`",
    time: `${secs(floor)}${cpu(floor)}`,
    rss: mb(floor),
    ratio: "1x",
    target: "",
  });
  for (const [k, [name, file, full]] of configs.entries()) {
    const out = (i: number | string) => outOf(name, i);
    const env = (i: number | string) => envOf(name, file, i);
    const ours = synths[k];
    const ratio = ratioToFloor(ours);
    const stacks = specFromSynth(out(0));
    const resources = stacks.stacks.reduce((n, s) => n + s.resources.length, 0);
    const label = `${name}: ${stacks.stacks.length} stacks, ${resources} resources`;
    rows.push({
      what: `trailwatch \`npm run synth\` (cached bundle; ${label})`,
      time: `${secs(ours)}${cpu(ours)}`,
      rss: mb(ours),
      ratio: `${ratio.toFixed(1)}x floor`,
      target:
        `<= 2x floor: ${met(ratio <= 2)}; ` +
        `RSS < 200 MB: ${met((ours.maxRssMb ?? Infinity) < 200)}`,
    });
    if (!full) continue;
    if (name === "example config") {
      // HCL output: the same synth, then terraform fmt and the parse back to JSON per stack.
      const hcl = repeat(args.runs, `run-synth.js --hcl (${name})`, (i) =>
        measure(process.execPath, [RUN_SYNTH, "--hcl"], { env: env(`h${i}`) }),
      );
      rows.push({
        what: "same, `npm run synth -- --hcl` (HCL: terraform fmt, parsed back and compared)",
        time: secs(hcl),
        rss: mb(hcl),
        ratio: `${(hcl.seconds / floor.seconds).toFixed(1)}x floor`,
        target: "",
      });
    }
    const cold = repeat(args.runs, `run-synth.js, rebuilding (${name})`, (i) => {
      rmSync(BUNDLE, { force: true });
      return measure(process.execPath, [RUN_SYNTH], { env: env(`c${i}`) });
    });
    rows.push({
      what: "same, first run after a source change (bundle rebuilt)",
      time: secs(cold),
      rss: mb(cold),
      ratio: `${(cold.seconds / floor.seconds).toFixed(1)}x floor`,
      target: "",
    });
    const viaTsx = repeat(args.runs, `tsx main.ts (${name})`, (i) =>
      measure(process.execPath, [TSX, "main.ts"], { env: env(`t${i}`) }),
    );
    rows.push({
      what: "same, `tsx main.ts` (TypeScript compiled on every start)",
      time: secs(viaTsx),
      rss: mb(viaTsx),
      ratio: `${(viaTsx.seconds / floor.seconds).toFixed(1)}x floor`,
      target: "",
    });
    const specFile = path.join(work, `naive-${name.replace(/\W+/g, "-")}.spec.json`);
    writeFileSync(specFile, JSON.stringify(stacks));
    const appDir = path.join(work, `naive-${name.replace(/\W+/g, "-")}`);
    writeNaiveApp(appDir);
    const naive = repeat(args.naiveRuns, `naive ts-node (${name})`, (i) =>
      measure(process.execPath, [TS_NODE, "main.ts"], {
        cwd: appDir,
        env: { NAIVE_SPEC: specFile, CDKTF_OUTDIR: path.join(appDir, `out-${i}`) },
      }),
    );
    rows.push({
      what: `naive cdktf app (ts-node, root \`@cdktf/provider-aws\` import; ${name})`,
      time: secs(naive),
      rss: mb(naive),
      ratio: `trailwatch is ${(naive.seconds / ours.seconds).toFixed(0)}x faster`,
      target: `>= 20x: ${met(naive.seconds >= 20 * ours.seconds)}`,
    });
  }
  return rows;
}

/**
 * Runs each command `n` times, one round of all of them after another, so every command sees the
 * same machine load (these machines are shared). Each summary also holds the per-round seconds.
 */
function interleave(
  n: number,
  commands: readonly { readonly label: string; readonly once: () => Run }[],
): (Summary & { readonly rounds: number[] })[] {
  const runs = commands.map(() => [] as Run[]);
  for (let i = 0; i < n; i++)
    commands.forEach((c, k) => {
      const r = c.once();
      runs[k].push(r);
      const rss = r.maxRssMb === null ? "" : `, ${r.maxRssMb.toFixed(0)} MB`;
      process.stderr.write(`  ${c.label} #${i + 1}: ${r.seconds.toFixed(2)} s${rss}\n`);
    });
  return runs.map((rs) => {
    const rss = rs.map((r) => r.maxRssMb).filter((x): x is number => x !== null);
    const cpu = rs.map((r) => r.cpuSeconds).filter((x): x is number => x !== null);
    return {
      seconds: median(rs.map((r) => r.seconds)),
      maxRssMb: rss.length > 0 ? median(rss) : null,
      cpuSeconds: cpu.length > 0 ? median(cpu) : null,
      runs: n,
      rounds: rs.map((r) => r.seconds),
    };
  });
}

/** The backtest's target: within 1.3x the parse-only floor (the brief's standard). */
const BACKTEST_TARGET = 1.3;

/** Handlers packaged for Lambda, with the extra files their stacks package beside them. */
const LAMBDA_ENTRIES: readonly { entry: string; files: Record<string, string> }[] = [
  { entry: "src/alerts/handler.ts", files: { "catalog.json": "{}" } },
];

function lambdaBench(args: Args, work: string): Row[] {
  process.stderr.write("lambda packages\n");
  const rows: Row[] = [];
  for (const { entry, files } of LAMBDA_ENTRIES) {
    const cacheDir = path.join(work, "lambda-cache");
    const timed = (f: () => ReturnType<typeof packageLambda>) => {
      const t = performance.now();
      const p = f();
      return { p, ms: performance.now() - t };
    };
    const builds = Array.from({ length: args.runs }, () => {
      rmSync(cacheDir, { recursive: true, force: true });
      return timed(() => packageLambda({ entry, files, cacheDir }));
    });
    const hits = Array.from({ length: args.runs }, () =>
      timed(() => packageLambda({ entry, files, cacheDir })),
    );
    const pkg = builds[0].p;
    const dir = path.join(work, `unzipped-${entry.replace(/\W+/g, "-")}`);
    for (const [name, data] of Object.entries(unzipSync(readFileSync(pkg.zipPath)))) {
      const file = path.join(dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, data);
    }
    const importMs: number[] = [];
    const cold = repeat(args.runs, `cold start: node, require(${entry} bundle)`, () => {
      const r = measure(
        process.execPath,
        [
          "-e",
          'const t=process.hrtime.bigint();require("./index.js");process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))',
        ],
        { cwd: dir, env: { AWS_REGION: "us-east-1", NODE_NO_WARNINGS: "1" } },
      );
      importMs.push(Number(r.stdout));
      return r;
    });
    const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
    rows.push(
      {
        what: `Lambda package \`${entry}\`: bundle ${kb(pkg.bundleBytes)} (minified, AWS SDK included), zip ${kb(pkg.zipBytes)}`,
        time: `build ${(median(builds.map((b) => b.ms)) / 1000).toFixed(2)} s, cached ${median(hits.map((h) => h.ms)).toFixed(1)} ms`,
        rss: "",
        ratio: "",
        target: `cache hit in synth: ${hits.every((h) => h.p.cache === "hit") ? "yes" : "**no**"}`,
      },
      {
        what: "same, cold start: `require()` of the bundle in a fresh Node process (process start included in time)",
        time: `${median(importMs).toFixed(0)} ms import (${secs(cold)} process)`,
        rss: mb(cold),
        ratio: "",
        target: "",
      },
    );
  }
  return rows;
}

async function backtestBench(args: Args, work: string): Promise<Row[]> {
  process.stderr.write(`backtest: corpus of ${args.records.toLocaleString("en-US")} records\n`);
  const c = await corpus(args.records);
  const quarter = filesFor(c, args.records / 4);
  const rows: Row[] = [];
  const listOf = (files: readonly string[], name: string) => {
    const f = path.join(work, name);
    writeFileSync(f, files.join("\n"));
    return f;
  };
  const fullList = listOf(c.files, "all.txt");
  const quarterList = listOf(quarter, "quarter.txt");
  const floorScript = path.join(__dirname, "parse-floor.js");
  // What `npm run backtest` runs (without npm's own start-up): the cached bundle.
  const backtest = path.join(ROOT, "scripts", "run-backtest.js");
  const n = args.records;
  const perSecond = (s: Summary, records: number) =>
    `${Math.round(records / s.seconds).toLocaleString("en-US")} records/s` +
    (s.cpuSeconds ? `; CPU ${s.cpuSeconds.toFixed(2)} s` : "");
  // Ratio to the floor run of the same round, median over rounds: robust to load changing.
  const ratioOf = (run: { rounds: number[] }, floor: { rounds: number[] }) =>
    median(run.rounds.map((s, i) => s / floor.rounds[i]));

  // Builds the bundle and writes its code cache when stale, as a user's first run would; its
  // report names how many detections every run evaluates (every enabled pack of the example).
  const warm = measure(process.execPath, [backtest, c.files[0]]);
  const detections = /, (\d+) detections,/.exec(warm.stdout)?.[1] ?? "all enabled";
  const [floor, byDefault, oneThread] = interleave(args.runs, [
    {
      label: "parse-only floor",
      once: () => measure(process.execPath, [floorScript, fullList]),
    },
    { label: "backtest default", once: () => measure(process.execPath, [backtest, c.dir]) },
    {
      label: "backtest --jobs 1",
      once: () => measure(process.execPath, [backtest, c.dir, "--jobs", "1"]),
    },
  ]);
  rows.push({
    what: `floor: gunzip + JSON.parse only, one thread (${n.toLocaleString("en-US")} records, ${c.files.length} files)`,
    time: `${secs(floor)} (${perSecond(floor, n)})`,
    rss: mb(floor),
    ratio: "1x",
    target: "",
  });
  const ratio = ratioOf(byDefault, floor);
  rows.push({
    what: `backtest, ${detections} detections (every enabled pack), default (worker threads: 2 on this machine)`,
    time: `${secs(byDefault)} (${perSecond(byDefault, n)})`,
    rss: mb(byDefault),
    ratio: `${ratio.toFixed(2)}x floor`,
    target: `<= ${BACKTEST_TARGET}x floor: ${met(ratio <= BACKTEST_TARGET)}`,
  });
  rows.push({
    what: `backtest, ${detections} detections, \`--jobs 1\` (one thread; zlib inflates on libuv's pool)`,
    time: `${secs(oneThread)} (${perSecond(oneThread, n)})`,
    rss: mb(oneThread),
    ratio: `${ratioOf(oneThread, floor).toFixed(2)}x floor`,
    target: "",
  });

  const [qFloor, qDefault, qOne] = interleave(args.runs, [
    {
      label: "parse-only floor, first quarter",
      once: () => measure(process.execPath, [floorScript, quarterList]),
    },
    {
      label: "backtest default, first quarter",
      once: () => measure(process.execPath, [backtest, ...quarter]),
    },
    {
      label: "backtest --jobs 1, first quarter",
      once: () => measure(process.execPath, [backtest, "--jobs", "1", ...quarter]),
    },
  ]);
  for (const [label, q, full] of [
    ["default", qDefault, byDefault],
    ["`--jobs 1`", qOne, oneThread],
  ] as const)
    rows.push({
      what: `backtest ${label} on the first ${(n / 4).toLocaleString("en-US")} records (memory flatness)`,
      time: `${secs(q)} (${perSecond(q, n / 4)})`,
      rss: mb(q),
      ratio: `floor there: ${mb(qFloor)}`,
      target: `RSS flat 250k -> 1M: ${mb(q)} -> ${mb(full)}`,
    });
  return rows;
}

function testBench(args: Args): Row[] {
  process.stderr.write("test suite\n");
  const run = repeat(args.runs, "npm test", () => measure("npm", ["test", "--silent"]));
  return [
    { what: "`npm test` (whole suite)", time: secs(run), rss: mb(run), ratio: "", target: "" },
  ];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const work = mkdtempSync(path.join(tmpdir(), "trailwatch-bench-"));
  const rows: Row[] = [];
  try {
    if (args.only.has("synth")) rows.push(...synthBench(args, work));
    if (args.only.has("lambda")) rows.push(...lambdaBench(args, work));
    if (args.only.has("backtest")) rows.push(...(await backtestBench(args, work)));
    if (args.only.has("test")) rows.push(...testBench(args));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const lines = [
    "| Measurement | Median time | Peak RSS | Ratio | Target |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.what} | ${r.time} | ${r.rss} | ${r.ratio} | ${r.target} |`),
  ];
  process.stdout.write(
    `Node ${process.version}, ${spawnSync("nproc").stdout?.toString().trim() ?? "?"} cores; ` +
      `medians of ${args.runs} runs (naive: ${args.naiveRuns}).\n\n${lines.join("\n")}\n`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
