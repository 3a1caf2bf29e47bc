import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseConfig } from "../../src/config/load";
import { EXIT, main, parseArgs, UsageError } from "../../src/sigma/cli";
import { ROOT } from "../helpers";
import { captureIo } from "../support/cli-io";

// Conversions, synths and DuckDB runs take seconds; on a loaded machine, more than jest's default 5 s.
jest.setTimeout(60_000);

const SAMPLE = path.join(ROOT, "__tests__", "fixtures", "sigma");
const RULES = path.join(SAMPLE, "sigmahq", "rules", "cloud", "aws", "cloudtrail");
const DISABLE_LOGGING = path.join(RULES, "aws_cloudtrail_disable_logging.yml");
const MFA = path.join(RULES, "aws_cloudtrail_console_login_success_without_mfa.yml");

async function run(argv: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}) {
  const io = captureIo(cwd, env);
  const code = await main(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe("npm run sigma", () => {
  let dir: string;
  let configFile: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "trailwatch-sigma-"));
    configFile = path.join(dir, "trailwatch.config.json");
    copyFileSync(path.join(ROOT, "trailwatch.config.json"), configFile);
    copyFileSync(path.join(ROOT, ".prettierrc.json"), path.join(dir, ".prettierrc.json"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("prints detections.custom entries as JSON; the report goes to stderr; exit 0 when all convert", async () => {
    const r = await run([DISABLE_LOGGING, MFA, "--license", "DRL-1.1"]);
    expect(r.code).toBe(EXIT.ok);
    const entries = JSON.parse(r.stdout);
    expect(entries.map((e: { id: string }) => e.id)).toEqual([
      "sigma-disable-logging",
      "sigma-console-login-success-without-mfa",
    ]);
    expect(r.stderr).toContain(
      "converted __tests__/fixtures/sigma/sigmahq/rules/cloud/aws/cloudtrail/aws_cloudtrail_disable_logging.yml -> sigma-disable-logging",
    );
    expect(r.stderr).toMatch(/2 converted, 0 refused\n$/);
    // The printed entries are valid detections.custom entries.
    const raw = JSON.parse(readFileSync(configFile, "utf8"));
    expect(() => parseConfig({ ...raw, detections: { custom: entries } })).not.toThrow();
  });

  test("a directory: refused rules are reported by file and reason and skipped; the rest convert; exit 1", async () => {
    const r = await run([SAMPLE, "--license", "DRL-1.1"]);
    expect(r.code).toBe(EXIT.refused);
    expect(JSON.parse(r.stdout)).toHaveLength(19);
    expect(r.stderr).toMatch(
      /refused __tests__\/fixtures\/sigma\/sigmahq\/rules\/cloud\/aws\/cloudtrail\/aws_update_login_profile\.yml \("AWS User Login Profile Was Modified"\):\n {2}"userIdentity\.arn\|fieldref": \|fieldref compares two fields/,
    );
    expect(r.stderr).toMatch(/19 converted, 13 refused \(skipped\)\n$/);
  });

  test("--write merges into the configuration, formatted, and re-running updates in place keeping enabled", async () => {
    const first = await run([RULES, "--write", "--config", configFile, "--license", "DRL-1.1"]);
    expect(first.code).toBe(EXIT.refused); // the sample holds rules that must be refused
    expect(first.stdout).toBe("");
    const text = readFileSync(configFile, "utf8");
    expect(text).toContain('"regions": ["ap-northeast-1", "us-east-1"]'); // Prettier's layout kept
    const written = parseConfig(JSON.parse(text), configFile);
    const ids = written.detections.custom.map((d) => d.id);
    expect(ids).toHaveLength(16);
    expect(ids).toContain("sigma-console-getsignintoken");

    // A team turns one off and gives another its own id; converting again keeps both choices.
    const raw = JSON.parse(text);
    raw.detections.custom[0].enabled = false;
    const renamed = raw.detections.custom.find(
      (d: { id: string }) => d.id === "sigma-enum-buckets",
    );
    renamed.id = "s3-bucket-listing";
    writeFileSync(configFile, JSON.stringify(raw));
    const again = await run([RULES, "--write", "--config", configFile, "--license", "DRL-1.1"]);
    expect(again.code).toBe(EXIT.refused);
    const after = parseConfig(JSON.parse(readFileSync(configFile, "utf8")));
    expect(after.detections.custom.map((d) => d.id)).toEqual(
      ids.map((id) => (id === "sigma-enum-buckets" ? "s3-bucket-listing" : id)),
    );
    expect(after.detections.custom[0].enabled).toBe(false);
    expect(after.detections.custom.slice(1).every((d) => d.enabled)).toBe(true);
  });

  test("--write writes nothing when the configuration is invalid; exit 2", async () => {
    const raw = JSON.parse(readFileSync(configFile, "utf8"));
    raw.regions = ["ap-northeast-1", "mars-1"];
    const before = JSON.stringify(raw);
    writeFileSync(configFile, before);
    const r = await run([DISABLE_LOGGING, "--write", "--config", configFile]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/regions\[1\]: not an AWS region code/);
    expect(readFileSync(configFile, "utf8")).toBe(before);
  });

  test("a rule without a licence is converted with a warning to pass --license", async () => {
    const r = await run([DISABLE_LOGGING]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toContain("warning: the rule states no licence: pass --license");
    expect(JSON.parse(r.stdout)[0].attribution).toBe(
      'Sigma rule "AWS CloudTrail Important Change" by vitaliy0x1 (licence not stated).',
    );
  });

  test("usage errors: exit 2 with the usage text", async () => {
    for (const argv of [
      [],
      ["--nope", DISABLE_LOGGING],
      ["missing.yml"],
      [DISABLE_LOGGING, "--delivery", "pager"],
    ]) {
      const r = await run(argv);
      expect(r.code).toBe(EXIT.usage);
      expect(r.stderr).toContain("usage: npm run sigma --");
    }
    expect((await run(["--help"])).code).toBe(EXIT.ok);
    expect(() => parseArgs(["--license"])).toThrow(UsageError);
    expect(parseArgs(["a.yml", "--delivery=both", "--write"])).toMatchObject({
      paths: ["a.yml"],
      delivery: "both",
      write: true,
    });
    const empty = mkdtempSync(path.join(dir, "empty-"));
    const r = await run([DISABLE_LOGGING, "--write"], empty);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/--write: no configuration file .*empty-.*trailwatch\.config\.json/);
  });
});
