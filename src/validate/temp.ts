import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** Temporary directories made by this process and not yet removed. */
const live = new Set<string>();

/** A new directory `<parent>/<prefix>XXXXXX`, registered for `removeAllTempDirs`. */
export function makeTempDir(prefix: string, parent: string = tmpdir()): string {
  const dir = mkdtempSync(path.join(parent, prefix));
  live.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  live.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Removes every directory still registered: an interrupted run (SIGINT, SIGTERM) leaves none. */
export function removeAllTempDirs(): void {
  for (const dir of [...live]) removeTempDir(dir);
}
