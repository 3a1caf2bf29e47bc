// Entry point for `npm run validate`; see src/validate/cli.ts and README "## Validate with Terraform".
import { runCommand } from "../src/cli/run";
import { main } from "../src/validate/cli";
import { removeAllTempDirs } from "../src/validate/temp";

// An interrupted run still removes its temporary directories.
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    removeAllTempDirs();
    process.exit(130);
  });

runCommand(main, {});
