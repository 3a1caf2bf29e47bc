/**
 * cdktf records a creation stack trace for every token and every nested-block reference the
 * provider classes create (thousands per synth), only to quote them if a token later fails to
 * resolve. Formatting those traces was a quarter of synth time (measured with --cpu-prof). While
 * `fn` runs, traces captured onto plain objects (cdktf's) are left unformatted; real errors keep
 * V8's usual "Name: message\n    at frame" text. TRAILWATCH_FULL_STACK_TRACES=1 turns this off.
 */
export function withCheapStackTraces<T>(fn: () => T): T {
  if (process.env.TRAILWATCH_FULL_STACK_TRACES === "1") return fn();
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (target, frames) =>
    target instanceof Error
      ? `${target.name}: ${target.message}${frames.map((f) => `\n    at ${f.toString()}`).join("")}`
      : "";
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = previous;
  }
}
