/**
 * cdktf records a creation stack trace for every token and every nested-block reference the
 * provider classes create (thousands per synth: `Error.captureStackTrace` onto a plain object, with
 * `Error.stackTraceLimit` raised to `Number.MAX_SAFE_INTEGER`), only to quote it if a token later
 * fails to resolve. Collecting those frames was the largest single cost of synth (a fifth of the
 * CPU profile of the example configuration, measured with `node --cpu-prof`). While `fn` runs,
 * `Error.captureStackTrace` onto anything that is not an `Error` (cdktf's plain `{ stack: "" }`
 * objects) records nothing, so cdktf sees an empty trace; errors (`new Error()`, and libraries
 * capturing onto their own `Error` instances) keep V8's usual trace. The original function is
 * restored afterwards, also after a throw. TRAILWATCH_FULL_STACK_TRACES=1 turns this off, for
 * debugging a token that does not resolve.
 */
export function withCheapStackTraces<T>(fn: () => T): T {
  if (process.env.TRAILWATCH_FULL_STACK_TRACES === "1") return fn();
  const original = Error.captureStackTrace;
  const cheap = (target: object, constructorOpt?: (...args: never[]) => unknown): void => {
    // Frames above the caller's constructorOpt (or above this wrapper) are left out, as V8 does.
    if (target instanceof Error) original.call(Error, target, constructorOpt ?? cheap);
  };
  Error.captureStackTrace = cheap;
  try {
    return fn();
  } finally {
    Error.captureStackTrace = original;
  }
}
