/**
 * Runs the real Terraform client on a synthesized stack, offline, for tests that need more than
 * `planStack` (src/validate) offers, such as reading a failed plan's output. The working copy is
 * npm run validate's: the S3 backend removed (local state), placeholder credentials and the skip
 * flags that keep the provider from calling AWS, the version pin set to the provider found in a
 * filesystem mirror (6.x-renamed arguments back to their 5.x names for a 5.x provider). Nothing is
 * faked: a plan that needs AWS fails as it would.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { chooseProvider, searchMirrors } from "../../src/validate/mirror";
import { pinnedAwsVersion, STACK_FILE, writeOfflineCopy } from "../../src/validate/offline-copy";
import { ValidationSession } from "../../src/validate/session";
import { terraformEnv } from "../../src/validate/terraform";

export interface TerraformRun {
  readonly status: number | null;
  readonly output: string;
}

/** A temporary working copy of `stackDir`, initialized offline. Call `dispose` when done. */
export function offlineWorkdir(stackDir: string) {
  const pinned = pinnedAwsVersion(
    JSON.parse(readFileSync(path.join(stackDir, STACK_FILE), "utf8")),
  );
  const search = searchMirrors(undefined);
  const choice = chooseProvider(search.packages, pinned);
  if (!choice)
    throw new Error(
      `no hashicorp/aws provider in a filesystem mirror; searched ${search.candidates.map((c) => c.dir).join(", ")}`,
    );
  const session = new ValidationSession(choice.provider);
  const dir = session.stackDir(path.basename(stackDir));
  writeOfflineCopy(stackDir, dir, choice.provider.version);
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
