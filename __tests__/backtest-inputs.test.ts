import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { EXIT, main } from "../src/backtest/cli";
import { listInputs } from "../src/backtest/readers";
import { ROOT } from "./helpers";
import { REAL_RECORDS } from "./support/records";
import { captureIo } from "./support/cli-io";

// Backtests read files, compile the catalog and start worker threads: seconds of work, more than
// jest's default 5 s on a loaded machine.
jest.setTimeout(60_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "trailwatch-backtest-inputs-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh directory under the test's temp dir with files (name -> records, or raw text). */
function tree(name: string, files: Record<string, readonly object[] | string> = {}): string {
  const root = path.join(dir, name);
  mkdirSync(root, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    if (typeof content === "string") writeFileSync(full, content);
    else if (file.endsWith(".gz"))
      writeFileSync(full, gzipSync(JSON.stringify({ Records: content })));
    else writeFileSync(full, JSON.stringify({ Records: content }));
  }
  return root;
}

const A = REAL_RECORDS.slice(0, 40);
const B = REAL_RECORDS.slice(40, 100);

const capture = () => ({ ...captureIo(ROOT), progress: false });

async function run(args: string[]) {
  const io = capture();
  const code = await main([...args, "--json", "--only", "cis-root-usage"], io);
  return { code, json: JSON.parse(io.out()), err: io.err() };
}

describe("directory walk: links", () => {
  test("a directory holding `self -> .` reads each file once", async () => {
    const root = tree("self", { "a.json.gz": A, "sub/b.json": B });
    symlinkSync(".", path.join(root, "self"));
    symlinkSync("..", path.join(root, "sub", "up"));
    const inputs = await listInputs([root]);
    expect(inputs.files).toEqual([path.join(root, "a.json.gz"), path.join(root, "sub", "b.json")]);
    expect(inputs.skipped).toEqual([]);
    const { code, json } = await run([root]);
    expect(code).toBe(EXIT.ok);
    expect(json.files).toBe(2);
    expect(json.records).toBe(A.length + B.length);
  });

  test("two directories linking to each other finish, each file read once", async () => {
    const root = tree("mutual", { "x/a.json": A, "y/b.json": B });
    symlinkSync(path.join("..", "y"), path.join(root, "x", "to-y"));
    symlinkSync(path.join("..", "x"), path.join(root, "y", "to-x"));
    const inputs = await listInputs([root]);
    // x/to-y is met before y itself: y's file is read once, by the first path that reaches it.
    expect(inputs.files).toEqual([
      path.join(root, "x", "a.json"),
      path.join(root, "x", "to-y", "b.json"),
    ]);
    // Walked from inside the loop, too.
    expect((await listInputs([path.join(root, "y")])).files).toEqual([
      path.join(root, "y", "b.json"),
      path.join(root, "y", "to-x", "a.json"),
    ]);
    expect((await run([root])).json.records).toBe(A.length + B.length);
  });

  test("a file reached by several links or named twice is read once; links out of the tree are followed", async () => {
    const outside = tree("outside", { "c.json.gz": B });
    const root = tree("links", { "a.json.gz": A });
    symlinkSync("a.json.gz", path.join(root, "again.json.gz"));
    symlinkSync(outside, path.join(root, "elsewhere"));
    const a = path.join(root, "a.json.gz");
    const inputs = await listInputs([root, a, path.join(outside, "c.json.gz")]);
    expect(inputs.files).toEqual([a, path.join(root, "elsewhere", "c.json.gz")]);
    expect(inputs.roots).toEqual([0, 0]);
    const { json } = await run([root, a]);
    expect(json.records).toBe(A.length + B.length);
  });

  test("dangling links and link loops are skipped with the reason", async () => {
    const root = tree("broken", { "a.json": A });
    symlinkSync("missing.json.gz", path.join(root, "gone.json.gz"));
    symlinkSync("loop-b", path.join(root, "loop-a"));
    symlinkSync("loop-a", path.join(root, "loop-b"));
    const { code, json } = await run([root]);
    expect(code).toBe(EXIT.skipped);
    expect(json.records).toBe(A.length);
    expect(json.skipped).toEqual([
      {
        file: path.join(root, "gone.json.gz"),
        error: "dangling symbolic link: its target does not exist",
      },
      {
        file: path.join(root, "loop-a"),
        error: "symbolic link loop: the link never reaches a file",
      },
      {
        file: path.join(root, "loop-b"),
        error: "symbolic link loop: the link never reaches a file",
      },
    ]);
  });
});

describe("directory walk: what is CloudTrail data", () => {
  const notData =
    "not CloudTrail data by its name (a directory walk reads .json, .json.gz, .jsonl, .jsonl.gz, .ndjson, .ndjson.gz)";

  test("every CloudTrail data name is read; other files are skipped with the reason, never silently", async () => {
    const lines = (rs: readonly object[]) => rs.map((r) => JSON.stringify(r)).join("\n");
    const root = tree("names", {
      "1.json": A,
      "2.json.gz": A,
      "3.jsonl": lines(A),
      "4.NDJSON": lines(A),
      "notes.txt": "read me",
      "dump.bin": "\u0000\u0001",
      "archive.gz": "not gzip either",
      README: "no extension",
    });
    writeFileSync(path.join(root, "5.jsonl.gz"), gzipSync(lines(A)));
    writeFileSync(path.join(root, "6.ndjson.gz"), gzipSync(lines(A)));
    const { code, json } = await run([root]);
    expect(code).toBe(EXIT.skipped);
    expect(json.files).toBe(6);
    expect(json.records).toBe(6 * A.length);
    expect(json.skipped).toEqual(
      ["README", "archive.gz", "dump.bin", "notes.txt"].map((f) => ({
        file: path.join(root, f),
        error: notData,
      })),
    );
  });

  test("a file named on the command line is read whatever its name", async () => {
    const root = tree("explicit", { "trail.txt": A });
    const { code, json } = await run([path.join(root, "trail.txt")]);
    expect(code).toBe(EXIT.ok);
    expect(json.records).toBe(A.length);
  });

  test("hidden entries (.DS_Store, AppleDouble ._ files, .git) are passed over, listed, and do not fail the run", async () => {
    const root = tree("hidden", {
      "a.json.gz": A,
      ".DS_Store": "\u0000\u0000\u0000\u0001Bud1",
      "._a.json.gz": "\u0000\u0005\u0016\u0007 AppleDouble",
      ".git/HEAD": "ref: refs/heads/main",
      ".git/config.json": A,
    });
    const { code, json } = await run([root]);
    expect(code).toBe(EXIT.ok);
    expect(json.records).toBe(A.length);
    expect(json.skipped).toEqual([]);
    expect(json.hidden).toEqual(
      [".DS_Store", "._a.json.gz", ".git"].map((f) => path.join(root, f)),
    );
    const io = capture();
    await main([root, "--only", "cis-root-usage"], io);
    expect(io.out()).toContain(
      `\nHidden entries passed over (names starting with "."): ${path.join(root, ".DS_Store")}, `,
    );
    // Named explicitly, a hidden directory is walked.
    expect((await run([path.join(root, ".git")])).json.records).toBe(A.length);
  });

  test("a FIFO is skipped as not a regular file, without blocking", async () => {
    const root = tree("fifo", { "a.json": A });
    const made = spawnSync("mkfifo", [path.join(root, "pipe.json")]);
    if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
    const { json } = await run([root]);
    expect(json.records).toBe(A.length);
    expect(json.skipped).toEqual([
      { file: path.join(root, "pipe.json"), error: "not a regular file" },
    ]);
  });
});

describe("inputs without records", () => {
  test("an empty directory: exit 4, and stderr says which input and why", async () => {
    const root = tree("empty");
    const { code, json, err } = await run([root]);
    expect(code).toBe(EXIT.noRecords);
    expect(json.records).toBe(0);
    expect(err).toBe(
      `backtest: ${root}: no CloudTrail records: no CloudTrail data file found (.json, .json.gz, .jsonl, .jsonl.gz, .ndjson, .ndjson.gz)\n` +
        "backtest: no CloudTrail records were read: nothing was tested (exit code 4)\n",
    );
  });

  test("only other files; files without records; all files skipped; some of each", async () => {
    const other = tree("only-other", { "notes.txt": "x", "more.csv": "y" });
    const none = tree("no-records", { "a.json": [], "b.json.gz": [] });
    const broken = tree("all-broken", { "a.json.gz": "not gzip", "b.json": "{" });
    const mixed = tree("mixed", { "a.json": [], "b.json": "{", "c.json.gz": "not gzip" });
    const { code, err } = await run([other, none, broken, mixed]);
    expect(code).toBe(EXIT.noRecords);
    expect(err.split("\n")).toEqual([
      `backtest: ${other}: no CloudTrail records: no CloudTrail data file found (.json, .json.gz, .jsonl, .jsonl.gz, .ndjson, .ndjson.gz); 2 other entries skipped`,
      `backtest: ${none}: no CloudTrail records: 2 files read, none holds a record`,
      `backtest: ${broken}: no CloudTrail records: 2 files found, all skipped`,
      `backtest: ${mixed}: no CloudTrail records: 1 file read, none holds a record, 2 skipped`,
      "backtest: no CloudTrail records were read: nothing was tested (exit code 4)",
      "",
    ]);
  });

  test("a path already read under an earlier one is not reported as empty", async () => {
    const full = tree("nested", { "2024/a.json": A });
    for (const args of [
      [full, path.join(full, "2024")],
      [full, full],
      [full, path.join(full, "2024", "a.json")],
    ]) {
      const { code, json, err } = await run(args);
      expect(code).toBe(EXIT.ok);
      expect(json.records).toBe(A.length);
      expect(err).toBe("");
    }
    const inputs = await listInputs([full, path.join(full, "2024"), tree("elsewhere")]);
    expect(inputs.overlaps).toEqual([false, true, false]);
  });

  test("one empty input beside one with records: named on stderr, the exit code stays that of the run", async () => {
    const full = tree("full", { "a.json": A });
    const empty = tree("empty-too");
    const { code, json, err } = await run([full, empty]);
    expect(code).toBe(EXIT.ok);
    expect(json.records).toBe(A.length);
    expect(err).toBe(
      `backtest: ${empty}: no CloudTrail records: no CloudTrail data file found (.json, .json.gz, .jsonl, .jsonl.gz, .ndjson, .ndjson.gz)\n`,
    );
  });
});
