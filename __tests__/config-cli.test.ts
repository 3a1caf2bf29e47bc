import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { regionList } from "../src/config/fields";
import { exampleConfigInput, ROOT } from "./helpers";

/**
 * Issue 10, fault 4, as a user meets it: `main.ts` (what `npm run synth` and `cdktf synth` run)
 * given a bad trailwatch.config.json prints every problem of the file in one run, exits 1 and
 * leaves a previous cdktf.out exactly as it was.
 */
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "trailwatch-config-cli-"));
  // A previous synth's output, which a failed run must not touch.
  mkdirSync(path.join(dir, "cdktf.out", "stacks", "trailwatch-ap-northeast-1"), {
    recursive: true,
  });
  writeFileSync(path.join(dir, "cdktf.out", "manifest.json"), '{"previous":true}');
  writeFileSync(
    path.join(dir, "cdktf.out", "stacks", "trailwatch-ap-northeast-1", "cdk.tf.json"),
    '{"resource":{}}',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under `root` with its content, sorted by path. */
function tree(root: string): [string, string][] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e): [string, string] => {
      const file = path.join(e.parentPath, e.name);
      return [path.relative(root, file), readFileSync(file, "utf8")];
    })
    .sort(([a], [b]) => a.localeCompare(b));
}

/** Runs main.ts on `text` saved as `name`; returns its exit code and stderr. */
function synth(name: string, text: string) {
  writeFileSync(path.join(dir, name), text);
  const before = tree(path.join(dir, "cdktf.out"));
  const entries = readdirSync(dir).sort();
  const r = spawnSync(process.execPath, [TSX, path.join(ROOT, "main.ts")], {
    cwd: dir,
    env: { ...process.env, TRAILWATCH_CONFIG: name, CDKTF_OUTDIR: "" },
    encoding: "utf8",
  });
  expect(tree(path.join(dir, "cdktf.out"))).toEqual(before);
  expect(readdirSync(dir).sort()).toEqual(entries); // no staging directory left either
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const pretty = (c: unknown) => JSON.stringify(c, null, 2) + "\n";

test("derived bucket names too long, a region twice and a missing field: all in one run, after a BOM", () => {
  const c = exampleConfigInput() as any;
  c.name = "a-very-long-trailwatch-prefix-xx"; // 32 characters: the longest name allowed
  c.regions = ["ap-northeast-1", "us-east-1", "ap-northeast-1"];
  delete c.state.bucket;
  const r = synth("long-name.json", `\uFEFF${pretty(c)}`);
  expect(r.status).toBe(1);
  expect(r.stdout).toBe("");
  const suffix = "111122223333-ap-northeast-1";
  expect(r.stderr).toBe(
    [
      `${path.join(dir, "long-name.json")}: 5 problems in the configuration:`,
      "  - state.bucket: required (the S3 bucket that keeps Terraform state (npm run bootstrap creates it))",
      '  - regions[2]: is listed twice (also regions[0]) (got "ap-northeast-1")',
      `  - archive.bucketName: the default name "a-very-long-trailwatch-prefix-xx-cloudtrail-${suffix}" (from name, accountId and homeRegion) must be 3 to 63 characters long; set archive.bucketName explicitly`,
      `  - archive.accessLogs.bucketName: the default name "a-very-long-trailwatch-prefix-xx-s3-access-${suffix}" (from name, accountId and homeRegion) must be 3 to 63 characters long; set archive.accessLogs.bucketName explicitly`,
      `  - athena.resultsBucketName: the default name "a-very-long-trailwatch-prefix-xx-athena-${suffix}" (from name, accountId and homeRegion) must be 3 to 63 characters long; set athena.resultsBucketName explicitly`,
      "Nothing was written.",
      "",
    ].join("\n"),
  );
});

test("an invalid homeRegion and a region listed twice: both in one run", () => {
  const c = exampleConfigInput() as any;
  c.homeRegion = "ap-northeast-9";
  c.regions = ["ap-northeast-1", "us-east-1", "us-east-1"];
  const r = synth("home.json", pretty(c));
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(
    [
      `${path.join(dir, "home.json")}: 2 problems in the configuration:`,
      `  - homeRegion: not an AWS region code; allowed: ${regionList} (got "ap-northeast-9")`,
      '  - regions[2]: is listed twice (also regions[1]) (got "us-east-1")',
      "Nothing was written.",
      "",
    ].join("\n"),
  );
});

test("JSON syntax errors: file:line:column for each, nothing else checked, nothing written", () => {
  const text = [
    "{",
    '  "name": "trailwatch"',
    '  "accountId": "111122223333",',
    '  "regions": ["ap-northeast-1",],',
    "}",
    "",
  ].join("\n");
  const r = synth("syntax.json", text);
  const file = path.join(dir, "syntax.json");
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(
    [
      `${file}: 3 problems in the configuration:`,
      `  - ${file}:3:3: JSON syntax error: expected a comma`,
      `  - ${file}:4:32: JSON syntax error: expected a value`,
      `  - ${file}:5:1: JSON syntax error: expected a key in double quotes (or a trailing comma before "}")`,
      "Nothing was written.",
      "",
    ].join("\n"),
  );
});
