import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { parseHcl } from "../hcl/verify";

/**
 * What trailwatch reads from the user's Terraform CLI configuration: where providers may already
 * be on disk. Source: Terraform's "CLI Configuration File" documentation and its loader
 * (command/cliconfig): the file named by TF_CLI_CONFIG_FILE, else `~/.terraformrc`
 * (`%APPDATA%/terraform.rc` on Windows), plus every `*.tfrc` file in the CLI config directory
 * (`~/.terraform.d`, `%APPDATA%/terraform.d`).
 */
export interface CliConfigMirrors {
  /** Every CLI configuration file read, and the ones that could not be. */
  readonly files: readonly { readonly file: string; readonly problem?: string }[];
  /** `path` of each `provider_installation { filesystem_mirror { ... } }` block, in file order. */
  readonly filesystemMirrors: readonly string[];
  /** `plugin_cache_dir`, with `$VAR` / `${VAR}` expanded as Terraform does (os.ExpandEnv). */
  readonly pluginCacheDir?: string;
}

/** The CLI configuration files Terraform would read, existing or not (first: the main file). */
export function cliConfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const windows = process.platform === "win32";
  const home = env.HOME || homedir();
  const main =
    env.TF_CLI_CONFIG_FILE ||
    (windows ? path.join(env.APPDATA ?? home, "terraform.rc") : path.join(home, ".terraformrc"));
  const dir = cliConfigDir(env);
  let extra: string[] = [];
  try {
    extra = readdirSync(dir)
      .filter((f) => f.endsWith(".tfrc"))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    // no CLI config directory: nothing more to read
  }
  return [main, ...extra];
}

/** `~/.terraform.d` (`%APPDATA%/terraform.d` on Windows): CLI config directory and implied mirror parent. */
export function cliConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME || homedir();
  return process.platform === "win32"
    ? path.join(env.APPDATA ?? home, "terraform.d")
    : path.join(home, ".terraform.d");
}

/** `$VAR` and `${VAR}` replaced from `env` (unset variables become ""), like Go's os.ExpandEnv. */
export function expandEnv(value: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(/\$(?:\{([^}]*)\}|([A-Za-z0-9_]+))/g, (_, a, b) => env[a ?? b] ?? "");
}

/**
 * Reads the filesystem mirrors and plugin cache directory of the user's CLI configuration. A file
 * that does not exist is skipped (and listed, so the caller can say it looked); a file that cannot
 * be parsed is listed with the problem and contributes nothing. Never throws.
 */
export async function readCliConfigMirrors(
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliConfigMirrors> {
  const files: { file: string; problem?: string }[] = [];
  const filesystemMirrors: string[] = [];
  let pluginCacheDir: string | undefined;
  for (const file of cliConfigFiles(env)) {
    if (!existsSync(file) || !statSync(file).isFile()) {
      files.push({ file, problem: "does not exist" });
      continue;
    }
    try {
      const doc = await parseHclFile(file);
      for (const installation of asArray(doc.provider_installation))
        for (const mirror of asArray((installation as Record<string, unknown>).filesystem_mirror)) {
          const p = (mirror as Record<string, unknown>).path;
          if (typeof p === "string") filesystemMirrors.push(p);
        }
      if (typeof doc.plugin_cache_dir === "string")
        pluginCacheDir = expandEnv(doc.plugin_cache_dir, env);
      files.push({ file });
    } catch (e) {
      files.push({ file, problem: `cannot be parsed: ${(e as Error).message.split("\n")[0]}` });
    }
  }
  return { files, filesystemMirrors, ...(pluginCacheDir ? { pluginCacheDir } : {}) };
}

/** Parses HCL (or JSON, for a `.json` file) with HashiCorp's own parser, compiled to WebAssembly. */
async function parseHclFile(file: string): Promise<Record<string, unknown>> {
  const text = readFileSync(file, "utf8");
  if (file.endsWith(".json")) return JSON.parse(text);
  return (await parseHcl(path.basename(file), text)) as Record<string, unknown>;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
