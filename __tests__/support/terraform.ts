/**
 * Runs the real Terraform client on a synthesized stack, offline, for tests that need more than
 * `planStack` (src/validate) offers, such as reading a failed plan's output. The working copy is
 * npm run validate's: the S3 backend removed (local state), placeholder credentials and the skip
 * flags that keep the provider from calling AWS, the version pin set to the provider found in a
 * filesystem mirror (6.x-renamed arguments back to their 5.x names for a 5.x provider). Nothing is
 * faked: a plan that needs AWS fails as it would.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { chooseProvider, searchMirrors } from "../../src/validate/mirror";
import { stackPinnedVersion, writeOfflineCopy } from "../../src/validate/offline-copy";
import { ValidationSession } from "../../src/validate/session";
import { terraformEnv } from "../../src/validate/terraform";

export interface TerraformRun {
  readonly status: number | null;
  readonly output: string;
}

/**
 * A validation session (CLI configuration reading the provider from a filesystem mirror, plugin
 * cache) for the mirror's provider that suits the `pinned` version (src/validate's choice). Call
 * `close` when done.
 */
export function offlineSession(pinned?: string): ValidationSession {
  const search = searchMirrors(undefined);
  const choice = chooseProvider(search.packages, pinned);
  if (!choice)
    throw new Error(
      `no hashicorp/aws provider in a filesystem mirror; searched ${search.candidates.map((c) => c.dir).join(", ")}`,
    );
  return new ValidationSession(choice.provider);
}

/**
 * A temporary working copy of `stackDir` (cdk.tf.json or main.tf), initialized offline. Call
 * `dispose` when done.
 */
export function offlineWorkdir(stackDir: string) {
  const session = offlineSession(stackPinnedVersion(stackDir));
  const dir = session.stackDir(path.basename(stackDir));
  writeOfflineCopy(stackDir, dir, session.provider.version);
  const run = (...args: string[]): TerraformRun => {
    const r = spawnSync("terraform", [...args, "-no-color"], {
      cwd: dir,
      env: terraformEnv(session.cliConfigFile),
      encoding: "utf8",
      timeout: 240_000,
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };
  const init = run("init", "-backend=false", "-input=false");
  if (init.status !== 0) {
    session.close();
    throw new Error(`terraform init failed:\n${init.output}`);
  }
  return { dir, run, dispose: () => session.close() };
}
