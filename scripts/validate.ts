// Entry point for `npm run validate`; see src/validate/cli.ts and README "## Validate with Terraform".
import { main } from "../src/validate/cli";
import { removeAllTempDirs } from "../src/validate/temp";

// An interrupted run still removes its temporary directories.
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    removeAllTempDirs();
    process.exit(130);
  });

main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
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
