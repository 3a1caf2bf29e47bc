/** The process glue of trailwatch's commands: one place that maps a command's result to the exit code. */

/** What a command's `main` reads from the process (tests pass their own). */
export interface ProcessIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/**
 * Runs `main` with the real process's streams, environment and working directory (plus `extra`
 * fields a command needs) and sets `process.exitCode` to what it resolves to. A rejection is not a
 * user error but a bug: its stack is printed and the exit code is 70 (EX_SOFTWARE, sysexits.h).
 */
export function runCommand<I extends ProcessIo>(
  main: (argv: readonly string[], io: I) => Promise<number>,
  extra: Omit<I, keyof ProcessIo>,
): void {
  const io = {
    stdout: (s: string) => process.stdout.write(s),
    stderr: (s: string) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    ...extra,
    // The spread holds every field of I: ProcessIo from here, the rest from `extra`.
  } as unknown as I;
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 70;
    },
  );
}
