// Entry point for `npm run sigma`; see src/sigma/cli.ts and README "## Sigma rules".
import { main } from "../src/sigma/cli";

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
