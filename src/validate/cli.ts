/**
 * `npm run validate -- [--config file]... [--hcl] [--allow-missing-provider] [--plugin-dir dir]... [--jobs n]`:
 * renders every given configuration (as Terraform JSON, or as HCL with --hcl) into a temporary directory and has the real Terraform CLI
 * init, validate and plan each stack offline (see plan-stacks.ts). Exit codes: 0 every stack
 * planned with no error (or no provider and --allow-missing-provider); 1 a configuration, init,
 * validate or plan error, or no provider; 2 usage error.
 */
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, configPath, loadConfigFile } from "../config/load";
import { HclRenderError } from "../hcl/render";
import { TemplateSyntaxError } from "../hcl/template";
import { synthesize, synthesizeHcl } from "../synth";
import { formatDiagnostic } from "./diagnostics";
import { offlineChanges, stackPinnedVersion } from "./offline-copy";
import { findProvider, NoProviderError, planStackDirs, stackDirs } from "./plan-stacks";
import type { StackPlan } from "./plan-stack";
import { makeTempDir, removeTempDir } from "./temp";
import { terraformVersion } from "./terraform";
import type { ProcessIo } from "../cli/run";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export const USAGE = `usage: npm run validate -- [options]

Renders each configuration into a temporary directory, then for every stack runs the real
Terraform CLI offline on a temporary copy: terraform init -backend=false, terraform validate,
terraform plan -refresh=false -lock=false, terraform show -json. No AWS access is needed: the
copy keeps state locally and gives the AWS provider placeholder credentials and its skip flags.
The hashicorp/aws provider is read from a filesystem mirror on this machine.

options:
  --config file             configuration to render and plan; repeatable
                            (default: $TRAILWATCH_CONFIG, else trailwatch.config.json)
  --hcl                     render as HCL (main.tf, npm run synth -- --hcl) and plan that
  --plugin-dir dir          look for the provider only in this filesystem mirror; repeatable
                            (default: the CLI configuration's mirrors, the plugin cache,
                            /opt/tf-plugins and Terraform's implied local mirror directories)
  --allow-missing-provider  when no provider is found, say so and exit 0 instead of 1
  --jobs n                  stacks planned at once (default 2)

exit codes: 0 every stack planned without error, 1 an error or no provider, 2 usage error`;

/** The process I/O the command uses (see src/cli/run.ts). */
export type Io = ProcessIo;

interface Args {
  readonly configs: string[];
  /** Render and plan main.tf (npm run synth -- --hcl) instead of cdk.tf.json. */
  readonly hcl: boolean;
  readonly pluginDirs?: string[];
  readonly allowMissingProvider: boolean;
  readonly jobs: number;
}

class UsageError extends Error {}

export function parseCliArgs(argv: readonly string[], io: Pick<Io, "env" | "cwd">): Args {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        config: { type: "string", multiple: true },
        hcl: { type: "boolean", default: false },
        "plugin-dir": { type: "string", multiple: true },
        "allow-missing-provider": { type: "boolean", default: false },
        jobs: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) throw new UsageError("");
  const jobs = v.jobs === undefined ? 2 : Number(v.jobs);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new UsageError(
      `--jobs: must be a whole number of at least 1 (got ${JSON.stringify(v.jobs)})`,
    );
  return {
    configs: (v.config ?? [configPath(io.env, io.cwd)]).map((c) => path.resolve(io.cwd, c)),
    hcl: v.hcl === true,
    ...(v["plugin-dir"] ? { pluginDirs: v["plugin-dir"].map((d) => path.resolve(io.cwd, d)) } : {}),
    allowMissingProvider: v["allow-missing-provider"] === true,
    jobs,
  };
}

const seconds = (ms: number | undefined) =>
  ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`;

/** One line per stack (plus its errors and warnings), as printed when the stack finishes. */
export function formatStack(p: StackPlan): string {
  const validate = !p.validate
    ? "not run"
    : p.validate.valid
      ? `valid${p.validate.warningCount ? ` (${p.validate.warningCount} warning${p.validate.warningCount === 1 ? "" : "s"})` : ""}`
      : `${p.validate.errorCount} error${p.validate.errorCount === 1 ? "" : "s"}`;
  const plan = p.counts
    ? `${p.counts.add} to add, ${p.counts.change} to change, ${p.counts.destroy} to destroy`
    : "not planned";
  const t = p.timings;
  const lines = [
    `  ${p.ok ? "ok  " : "FAIL"} ${p.stack}: aws ${p.providerVersion}; validate: ${validate}; plan: ${plan}` +
      ` (init ${seconds(t.init)}, validate ${seconds(t.validate)}, plan ${seconds(t.plan)}, show ${seconds(t.show)})`,
    ...p.errors.map((d) => `       ${formatDiagnostic(d)}`),
    ...[...new Set(p.warnings.map(formatDiagnostic))].map((w) => `       ${w}`),
  ];
  return lines.join("\n") + "\n";
}

/** Runs the command; resolves to the exit code. Temporary directories are removed before it resolves. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let args: Args;
  try {
    args = parseCliArgs(argv, io);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) io.stderr(`validate: ${e.message}\n\n`);
    io.stderr(`${USAGE}\n`);
    return e.message ? EXIT.usage : EXIT.ok;
  }
  const started = Date.now();
  const synthRoot = makeTempDir("trailwatch-validate-synth-");
  try {
    return await validate(args, io, synthRoot, started);
  } finally {
    removeTempDir(synthRoot);
  }
}

async function validate(args: Args, io: Io, synthRoot: string, started: number): Promise<number> {
  let failures = 0;
  let errors = 0;
  // 1. Render every configuration first: a configuration error needs no Terraform to report.
  const rendered: { config: string; dirs: string[] }[] = [];
  for (const [i, file] of args.configs.entries()) {
    const name = path.relative(io.cwd, file) || file;
    try {
      const outdir = path.join(synthRoot, `${i}`, "cdktf.out");
      mkdirSync(path.dirname(outdir));
      const config = loadConfigFile(file);
      if (args.hcl) await synthesizeHcl(config, outdir);
      else synthesize(config, outdir);
      rendered.push({ config: name, dirs: stackDirs(outdir) });
    } catch (e) {
      if (e instanceof HclRenderError || e instanceof TemplateSyntaxError) {
        // HCL that would not mean what the JSON means is refused, never planned.
        io.stderr(`${name}: ${e.message}\n`);
        failures++;
        errors++;
        continue;
      }
      if (!(e instanceof ConfigError)) throw e;
      io.stderr(`${e.message}\n`);
      failures++;
      errors += e.problems.length;
    }
  }
  const allDirs = rendered.flatMap((r) => r.dirs);

  // 2. Terraform and the provider.
  const version = await terraformVersion({ cwd: io.cwd, env: io.env });
  if (!version) {
    io.stderr(
      "validate: cannot run `terraform version`: Terraform is not on PATH. Nothing was validated.\n",
    );
    return EXIT.failed;
  }
  let choice;
  try {
    choice = await findProvider(allDirs, { env: io.env, cwd: io.cwd, pluginDirs: args.pluginDirs });
  } catch (e) {
    if (!(e instanceof NoProviderError)) throw e;
    io.stderr(`validate: NOT VALIDATED: ${e.message}\n`);
    io.stderr(
      "Put hashicorp/aws in a filesystem mirror (`terraform providers mirror <dir>` on a machine with\n" +
        "network access), then name it with --plugin-dir or a provider_installation filesystem_mirror\n" +
        "block in the CLI configuration (TF_CLI_CONFIG_FILE).\n",
    );
    if (args.allowMissingProvider) {
      io.stderr("--allow-missing-provider: exiting 0, but no stack was validated or planned.\n");
      return failures > 0 ? EXIT.failed : EXIT.ok;
    }
    return EXIT.failed;
  }
  const p = choice.provider;
  io.stdout(
    `Terraform ${version}; provider hashicorp/aws ${p.version} (${p.target}, ${p.layout}) from ${p.mirror}` +
      ` (${p.foundBy}): ${choice.reason}\n`,
  );
  if (allDirs.length > 0) {
    io.stdout("Each stack is planned on a temporary copy (the rendered stacks are not changed):\n");
    const seen = new Set<string>();
    for (const c of allDirs.flatMap((d) => offlineChanges(d, p.version)))
      if (!seen.has(c.what)) {
        seen.add(c.what);
        io.stdout(`  - ${c.what}\n      (${c.why})\n`);
      }
    const pinned = stackPinnedVersion(allDirs[0]);
    if (pinned && pinned !== p.version)
      io.stdout(
        `  The stacks are rendered for ${pinned}: an argument only ${pinned} knows shows here as an error` +
          ` (${args.hcl ? '"Unsupported argument"' : '"Extraneous JSON object property"'}); one ${p.version} knows but ${pinned} dropped is not caught.\n`,
      );
  }

  // 3. Plan every stack of every configuration.
  let stacks = 0;
  for (const r of rendered) {
    io.stdout(`\n${r.config}: ${r.dirs.length} stack${r.dirs.length === 1 ? "" : "s"}\n`);
    const t = Date.now();
    const plans = await planStackDirs(r.dirs, {
      provider: choice,
      jobs: args.jobs,
      onStack: (plan) => io.stdout(formatStack(plan)),
    });
    stacks += plans.length;
    const failed = plans.filter((x) => !x.ok);
    failures += failed.length;
    errors += plans.reduce((n, x) => n + x.errors.length, 0);
    io.stdout(
      `  ${r.config}: ${plans.length - failed.length} of ${plans.length} planned without error in ${seconds(Date.now() - t)}\n`,
    );
  }
  io.stdout(
    `\nvalidate: ${stacks} stack${stacks === 1 ? "" : "s"} from ${args.configs.length} configuration${args.configs.length === 1 ? "" : "s"}, ` +
      `${failures} failed, ${errors} error${errors === 1 ? "" : "s"} in total (${seconds(Date.now() - started)})\n`,
  );
  return failures > 0 ? EXIT.failed : EXIT.ok;
}
