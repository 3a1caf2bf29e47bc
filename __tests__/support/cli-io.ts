/** A command's process I/O captured in memory, for calling a command's `main` in a test. */
import type { ProcessIo } from "../../src/cli/run";

/** What the command wrote, read back with `out()` / `err()`; `env` and `cwd` as given. */
export type CapturedIo = ProcessIo & { out: () => string; err: () => string };

export function captureIo(cwd: string, env: NodeJS.ProcessEnv = {}): CapturedIo {
  let out = "";
  let err = "";
  return {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env,
    cwd,
    out: () => out,
    err: () => err,
  };
}
