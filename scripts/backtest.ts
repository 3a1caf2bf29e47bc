// Entry point for `npm run backtest`; see src/backtest/cli.ts and README "## Backtest".
import { main } from "../src/backtest/cli";

main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  progress: process.stderr.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Not a user error: a bug, so the stack is worth showing.
    console.error(e);
    process.exitCode = 70;
  },
);
