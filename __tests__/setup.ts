import { mkdtempSync, rmSync } from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";

// Registers cdktf's jest matchers (toHaveResourceWithProperties, ...).
Testing.setupJest();

// Every temporary file and directory a test file makes goes under one directory of its own,
// removed when the file's tests are done, so `npm test` leaves nothing behind. That covers the
// tests' own mkdtemp calls and cdktf's `Testing.app()`, which makes a `cdktf.outdir.*` directory
// per call and never removes it. Jest gives each test file a copy of process.env, which the real
// `os` module never reads, so os.tmpdir itself is redirected; TMPDIR/TEMP/TMP are set too, for the
// processes tests spawn with `env: { ...process.env }`.
// The core module object itself (an `import * as` namespace would be a copy).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const os: { tmpdir: () => string } = require("node:os");
const systemTmpdir = os.tmpdir;
const testTmp = mkdtempSync(path.join(systemTmpdir(), "trailwatch-jest-"));
const TMP_VARS = ["TMPDIR", "TEMP", "TMP"] as const;
const previous = Object.fromEntries(TMP_VARS.map((v) => [v, process.env[v]]));
os.tmpdir = () => testTmp;
for (const v of TMP_VARS) process.env[v] = testTmp;

afterAll(() => {
  os.tmpdir = systemTmpdir;
  for (const v of TMP_VARS)
    if (previous[v] === undefined) delete process.env[v];
    else process.env[v] = previous[v];
  rmSync(testTmp, { recursive: true, force: true });
});
