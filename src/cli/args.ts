/**
 * Command-line parsing shared by trailwatch's commands (`npm run backtest`, `npm run sigma`):
 * Node's own `util.parseArgs` (https://nodejs.org/api/util.html#utilparseargsconfig) in strict
 * mode, with its errors turned into {@link UsageError}s that the commands print above their usage.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake on the command line: the command prints the message, then its usage, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses `argv` (without the node and script paths) against `options`: long options as
 * `--name value` or `--name=value`, in any order among the positionals; `--` ends the options.
 * @returns the option values (strings or booleans, per each option's `type`) and the positionals.
 * @throws UsageError for an unknown option, a string option without a value or a boolean given one,
 *   with Node's message, which names the option.
 */
export function parseCommandLine<O extends Options>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    // Node's parse errors carry a code ERR_PARSE_ARGS_*; anything else is a bug, not a usage error.
    if ((e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS_"))
      throw new UsageError((e as Error).message);
    throw e;
  }
}
