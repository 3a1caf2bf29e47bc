import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ROOT } from "./helpers";

/**
 * `npm test` leaves no temporary directory behind. Runs jest on a test file that builds stacks
 * with cdktf's Testing.app() (which makes a `cdktf.outdir.*` directory per call and never removes
 * it) and on one that makes its own temporary directories without removing them, with the
 * system temporary directory pointed at an empty one, and checks that it is empty afterwards.
 */
test("a jest run leaves the temporary directory as it found it", () => {
  const root = mkdtempSync(path.join(tmpdir(), "trailwatch-leak-check-"));
  try {
    const tmp = path.join(root, "tmp");
    const cache = path.join(root, "jest-cache");
    mkdirSync(tmp);
    const r = spawnSync(
      process.execPath,
      [
        path.join(ROOT, "node_modules", "jest", "bin", "jest.js"),
        "--ci",
        "--runInBand",
        `--cacheDirectory=${cache}`,
        "__tests__/bootstrap.test.ts",
        "__tests__/config.test.ts",
      ],
      { cwd: ROOT, env: { ...process.env, TMPDIR: tmp, TEMP: tmp, TMP: tmp }, encoding: "utf8" },
    );
    expect(r.stderr).toMatch(/Tests:\s+\d+ passed/);
    expect(r.status).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}, 300_000);
