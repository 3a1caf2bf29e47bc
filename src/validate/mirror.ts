import { existsSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { cliConfigDir, readCliConfigMirrors, type CliConfigMirrors } from "./cli-config";

/** The provider trailwatch renders for (`required_providers.aws.source = "aws"`). */
export const AWS_PROVIDER = "registry.terraform.io/hashicorp/aws";

/**
 * Where this machine keeps Terraform providers for offline use (a filesystem mirror with the
 * unpacked layout). Not a Terraform convention: checked because CI images put it there.
 */
export const WELL_KNOWN_MIRRORS: readonly string[] = ["/opt/tf-plugins"];

/** One directory searched, and why it was a candidate. */
export interface MirrorCandidate {
  readonly dir: string;
  /** e.g. `filesystem_mirror in /root/.terraformrc`, `implied local mirror directory`. */
  readonly foundBy: string;
}

/** An AWS provider package found in a filesystem mirror. */
export interface ProviderPackage {
  /** The mirror directory: what a CLI configuration's `filesystem_mirror { path = ... }` names. */
  readonly mirror: string;
  readonly foundBy: string;
  readonly version: string;
  /** Terraform platform, e.g. `linux_amd64`. */
  readonly target: string;
  /**
   * `unpacked`: `<host>/<namespace>/<type>/<version>/<target>/` (Terraform links it in place);
   * `packed`: `<host>/<namespace>/<type>/terraform-provider-<type>_<version>_<target>.zip`.
   */
  readonly layout: "unpacked" | "packed";
  /** The unpacked directory or the .zip file. */
  readonly location: string;
}

export interface MirrorSearch {
  /** Every directory looked at, in search order, existing or not. */
  readonly candidates: readonly MirrorCandidate[];
  /** Every AWS provider package for this platform, in search order. */
  readonly packages: readonly ProviderPackage[];
  /** CLI configuration files looked at (`problem` says why one contributed nothing). */
  readonly cliConfigFiles: readonly { readonly file: string; readonly problem?: string }[];
}

/** Terraform's name for this platform (`<os>_<arch>`, as in `terraform version`). */
export function terraformTarget(
  platform: string = process.platform,
  arch: string = process.arch,
): string {
  const os = platform === "win32" ? "windows" : platform;
  const cpu = ({ x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm" } as Record<string, string>)[
    arch
  ];
  return `${os}_${cpu ?? arch}`;
}

/**
 * Terraform's implied local mirror directories, in its search order (Terraform's
 * provider_source.go, "implicitProviderSource", and the CLI configuration documentation):
 * `terraform.d/plugins` in the working directory, `plugins` in the CLI config directory, then the
 * platform's data directories: XDG on Unix (`$XDG_DATA_HOME` or `~/.local/share`, then each of
 * `$XDG_DATA_DIRS` or `/usr/local/share:/usr/share`, each + `/terraform/plugins`),
 * `~/Library/Application Support/io.terraform/plugins` and `/Library/...` on macOS, and
 * `HashiCorp/Terraform/plugins` under the roaming and local application data folders on Windows.
 */
export function impliedMirrorDirs(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
  platform: string = process.platform,
): string[] {
  const home = env.HOME || homedir();
  const dirs = [
    path.resolve(cwd, "terraform.d", "plugins"),
    path.join(cliConfigDir(env), "plugins"),
  ];
  if (platform === "darwin") {
    dirs.push(
      path.join(home, "Library", "Application Support", "io.terraform", "plugins"),
      path.join("/Library", "Application Support", "io.terraform", "plugins"),
    );
  } else if (platform === "win32") {
    for (const base of [env.APPDATA, env.LOCALAPPDATA])
      if (base) dirs.push(path.join(base, "HashiCorp", "Terraform", "plugins"));
  } else {
    const dataHome = env.XDG_DATA_HOME || path.join(home, ".local", "share");
    const dataDirs = (env.XDG_DATA_DIRS || "/usr/local/share/:/usr/share/")
      .split(":")
      .filter(Boolean);
    for (const base of [dataHome, ...dataDirs]) dirs.push(path.join(base, "terraform", "plugins"));
  }
  return dirs;
}

export interface SearchOptions {
  /**
   * Search only these directories (like `terraform init -plugin-dir`): no CLI configuration, no
   * well-known or implied directory. @default the full search
   */
  readonly pluginDirs?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** @default terraformTarget() */
  readonly target?: string;
  /** @default WELL_KNOWN_MIRRORS */
  readonly wellKnownMirrors?: readonly string[];
}

/**
 * Finds every hashicorp/aws package this machine has for offline use. Searched, in order: the
 * filesystem mirrors of the user's CLI configuration (TF_CLI_CONFIG_FILE or ~/.terraformrc, and
 * ~/.terraform.d/*.tfrc), the plugin cache (TF_PLUGIN_CACHE_DIR or `plugin_cache_dir`, which has the
 * unpacked mirror layout), WELL_KNOWN_MIRRORS, then Terraform's implied local mirror directories.
 */
export async function searchAwsProvider(opts: SearchOptions = {}): Promise<MirrorSearch> {
  const cli = opts.pluginDirs ? undefined : await readCliConfigMirrors(opts.env ?? process.env);
  return searchMirrors(cli, opts);
}

/**
 * `searchAwsProvider` with the CLI configuration already read (or not read at all: `undefined`
 * leaves its mirrors and `plugin_cache_dir` out). Synchronous: usable where nothing can be awaited,
 * such as deciding at a test file's load whether its tests can run.
 */
export function searchMirrors(
  cli: CliConfigMirrors | undefined,
  opts: SearchOptions = {},
): MirrorSearch {
  const env = opts.env ?? process.env;
  const target = opts.target ?? terraformTarget();
  const candidates: MirrorCandidate[] = [];
  if (opts.pluginDirs) {
    for (const dir of opts.pluginDirs)
      candidates.push({ dir: path.resolve(dir), foundBy: "--plugin-dir" });
  } else {
    const readable = cli?.files.filter((f) => !f.problem).map((f) => f.file) ?? [];
    for (const dir of cli?.filesystemMirrors ?? [])
      candidates.push({ dir, foundBy: `filesystem_mirror in ${readable.join(", ")}` });
    const cache = env.TF_PLUGIN_CACHE_DIR || cli?.pluginCacheDir;
    if (cache)
      candidates.push({
        dir: cache,
        foundBy: env.TF_PLUGIN_CACHE_DIR ? "TF_PLUGIN_CACHE_DIR" : "plugin_cache_dir",
      });
    for (const dir of opts.wellKnownMirrors ?? WELL_KNOWN_MIRRORS)
      candidates.push({ dir, foundBy: "well-known mirror" });
    for (const dir of impliedMirrorDirs(env, opts.cwd))
      candidates.push({ dir, foundBy: "implied local mirror directory" });
  }
  const seen = new Set<string>();
  const unique = candidates.filter((c) => {
    const key = path.resolve(c.dir);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    candidates: unique,
    packages: unique.flatMap((c) => packagesIn(c, target)),
    cliConfigFiles: cli?.files ?? [],
  };
}

/** The AWS provider packages for `target` in one mirror directory, in both layouts. */
export function packagesIn(c: MirrorCandidate, target: string): ProviderPackage[] {
  const base = path.join(c.dir, ...AWS_PROVIDER.split("/"));
  if (!isDir(base)) return [];
  const found: ProviderPackage[] = [];
  for (const entry of readdirSync(base).sort()) {
    const unpacked = path.join(base, entry, target);
    if (parseVersion(entry) && isDir(unpacked) && readdirSync(unpacked).some(isProviderBinary))
      found.push({ ...pkg(c, entry, target), layout: "unpacked", location: unpacked });
    const zip = new RegExp(`^terraform-provider-aws_(.+)_${target}\\.zip$`).exec(entry);
    if (zip && parseVersion(zip[1]))
      found.push({ ...pkg(c, zip[1], target), layout: "packed", location: path.join(base, entry) });
  }
  return found;
}

const pkg = (c: MirrorCandidate, version: string, target: string) => ({
  mirror: c.dir,
  foundBy: c.foundBy,
  version,
  target,
});

const isProviderBinary = (f: string) => /^terraform-provider-aws(_v[^/]*)?(\.exe)?$/.test(f);

function isDir(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** [major, minor, patch, prerelease] of a semantic version, or undefined. */
export function parseVersion(v: string): [number, number, number, string] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? ""] : undefined;
}

/** Semantic-version order; a pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parseVersion(a)!, parseVersion(b)!];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  if (x[3] === y[3]) return 0;
  if (!x[3]) return 1;
  if (!y[3]) return -1;
  return x[3] < y[3] ? -1 : 1;
}

export interface ProviderChoice {
  readonly provider: ProviderPackage;
  /** Why this one, in a sentence (printed by `npm run validate`). */
  readonly reason: string;
}

/**
 * Picks the package to plan with: the version the stacks pin if some mirror has it (first found
 * wins), else the newest release of the pinned major version, else the newest release found (a
 * pre-release only when nothing else exists). Undefined when there is no package at all.
 */
export function chooseProvider(
  packages: readonly ProviderPackage[],
  pinned: string | undefined,
): ProviderChoice | undefined {
  if (packages.length === 0) return undefined;
  const exact = pinned ? packages.find((p) => p.version === pinned) : undefined;
  if (exact) return { provider: exact, reason: `the version the stacks pin` };
  const newest = (ps: readonly ProviderPackage[]) =>
    [...ps].sort((a, b) => compareVersions(b.version, a.version))[0];
  const releases = packages.filter((p) => parseVersion(p.version)![3] === "");
  const pool = releases.length > 0 ? releases : packages;
  const major = pinned && parseVersion(pinned)?.[0];
  const sameMajor = pool.filter((p) => parseVersion(p.version)![0] === major);
  if (sameMajor.length > 0)
    return {
      provider: newest(sameMajor),
      reason: `no mirror has ${pinned}, the version the stacks pin; the newest ${major}.x found`,
    };
  return {
    provider: newest(pool),
    reason: pinned
      ? `no mirror has ${pinned}, the version the stacks pin, nor any ${major}.x; the newest version found`
      : "the newest version found",
  };
}
