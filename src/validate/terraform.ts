import { spawn } from "node:child_process";

/** What one Terraform command did. */
export interface TerraformRun {
  readonly args: readonly string[];
  /** Exit code; null when it was killed (timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time, milliseconds. */
  readonly ms: number;
  readonly timedOut: boolean;
}

export interface TerraformOptions {
  readonly cwd: string;
  /** The CLI configuration file Terraform must use (provider mirror, plugin cache). */
  readonly cliConfigFile: string;
  /** @default "terraform" (from PATH) */
  readonly binary?: string;
  /** Kill the command after this long, milliseconds. @default 600000 (10 minutes) */
  readonly timeoutMs?: number;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Variables removed from Terraform's environment: AWS_* (credentials, profiles, SSO, regions:
 * an offline plan must never use real ones), TF_CLI_ARGS* (would add flags to every command),
 * TF_DATA_DIR (would move .terraform out of the copy), TF_WORKSPACE, TF_PLUGIN_CACHE_DIR (the
 * CLI configuration given sets the cache).
 */
const DROPPED =
  /^(AWS_.*|TF_CLI_ARGS.*|TF_DATA_DIR|TF_WORKSPACE|TF_PLUGIN_CACHE_DIR|TF_CLI_CONFIG_FILE)$/;

/** The environment a validation run gives Terraform (Terraform's "Environment Variables" docs). */
export function terraformEnv(
  cliConfigFile: string,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(env).filter(([k]) => !DROPPED.test(k)));
  return {
    ...clean,
    TF_CLI_CONFIG_FILE: cliConfigFile,
    // Output for machines: no "run terraform apply next" advice, no prompts, no update check.
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
  };
}

/** Runs one Terraform command to completion. Never rejects for a failing command: see `code`. */
export function runTerraform(
  args: readonly string[],
  opts: TerraformOptions,
): Promise<TerraformRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(opts.binary ?? "terraform", args, {
      cwd: opts.cwd,
      env: terraformEnv(opts.cliConfigFile, opts.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
    }, opts.timeoutMs ?? 600_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        args,
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        ms: Date.now() - started,
        timedOut,
      });
    });
  });
}

/** `terraform version -json`'s `terraform_version`, or undefined when Terraform cannot be run. */
export async function terraformVersion(
  opts: Pick<TerraformOptions, "binary" | "env"> & { readonly cwd: string },
): Promise<string | undefined> {
  try {
    const r = await runTerraform(["version", "-json"], { ...opts, cliConfigFile: "/dev/null" });
    return r.code === 0 ? (JSON.parse(r.stdout).terraform_version as string) : undefined;
  } catch {
    return undefined;
  }
}
