import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { makeTempDir, removeTempDir } from "./temp";
import type { ProviderPackage } from "./mirror";

/**
 * The temporary directory of one validation run: a Terraform CLI configuration that installs
 * providers only from the chosen filesystem mirror, a plugin cache shared by every stack, and one
 * working copy per stack. `close()` removes all of it (so does `removeAllTempDirs`).
 */
export class ValidationSession {
  readonly root: string;
  readonly cliConfigFile: string;
  readonly pluginCacheDir: string;

  constructor(
    readonly provider: ProviderPackage,
    parent: string = tmpdir(),
  ) {
    this.root = makeTempDir("trailwatch-validate-", parent);
    this.pluginCacheDir = path.join(this.root, "plugin-cache");
    mkdirSync(this.pluginCacheDir);
    this.cliConfigFile = path.join(this.root, "terraform.tfrc");
    writeFileSync(this.cliConfigFile, cliConfig(provider.mirror, this.pluginCacheDir));
  }

  /** A fresh, empty working directory for one stack's offline copy. */
  stackDir(stack: string): string {
    const dir = path.join(this.root, "stacks", stack);
    mkdirSync(path.dirname(dir), { recursive: true });
    return dir;
  }

  close(): void {
    removeTempDir(this.root);
  }
}

/**
 * A CLI configuration (Terraform docs, "CLI Configuration File": provider_installation,
 * plugin_cache_dir) that installs every provider from `mirror` and nothing from the network.
 * With the shared cache, Terraform installs a package once per run: from an unpacked mirror the
 * cache entry is a symbolic link to the mirror and each stack's .terraform links to the cache, so
 * the ~600 MB provider binary is never copied; a packed (.zip) mirror is unpacked once. (A cache
 * is not safe for concurrent installs: the first stack is initialized alone.)
 */
export function cliConfig(mirror: string, pluginCacheDir: string): string {
  return [
    `plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}`,
    "disable_checkpoint = true",
    "provider_installation {",
    "  filesystem_mirror {",
    `    path = ${JSON.stringify(mirror)}`,
    "  }",
    "}",
    "",
  ].join("\n");
}
