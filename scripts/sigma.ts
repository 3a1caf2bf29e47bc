// Entry point for `npm run sigma`; see src/sigma/cli.ts and README "## Sigma rules".
import { runCommand } from "../src/cli/run";
import { main } from "../src/sigma/cli";

runCommand(main, {});
