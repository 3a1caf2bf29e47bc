// Entry point for `npm run backtest`; see src/backtest/cli.ts and README "## Backtest".
import { main } from "../src/backtest/cli";
import { runCommand } from "../src/cli/run";

runCommand(main, { progress: process.stderr.isTTY === true });
