/**
 * End to end: a configuration with a hand-written custom detection and the SigmaHQ sample
 * converted by `npm run sigma --write`, then synthesized, backtested on the fixture records,
 * documented, and its Athena saved queries run in DuckDB.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { buildApp } from "../../src/app";
import { main as backtest } from "../../src/backtest/cli";
import { loadConfigFile } from "../../src/config/load";
import { synthesize } from "../../src/synth";
import { customDetections } from "../../src/detections/custom";
import { renderCustomDetectionDocs } from "../../src/detections/docs";
import { main as sigma } from "../../src/sigma/cli";
import { compileSigmaRule } from "../../src/sigma/evaluate";
import { parseSigmaFile, type SigmaRule } from "../../src/sigma/rule";
import { athenaEngine, dayOf, serdeKeyView, type AthenaEngine } from "../support/athena-engine";
import { readFixtureJsonl } from "../support/fixtures";
import { REAL_RECORDS, type CloudTrailRecord } from "../support/records";
import { PUBLIC_ACCESS_BLOCK_REMOVED } from "../support/custom-detections";
import { resourcesOf, ROOT, type TerraformJson } from "../helpers";
import { offlineWorkdir } from "../support/terraform";

// Conversions, synths and DuckDB runs take seconds; on a loaded machine, more than jest's default 5 s.
jest.setTimeout(60_000);

const SAMPLE = path.join(ROOT, "__tests__", "fixtures", "sigma");
const RECORDS = [
  ...REAL_RECORDS,
  ...readFixtureJsonl<CloudTrailRecord>("sigma", "constructed-records.jsonl"),
];

const io = (cwd: string) => {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: (s: string) => (out.stdout += s),
      stderr: (s: string) => (out.stderr += s),
      env: {},
      cwd,
      progress: false,
    },
  };
};

describe("custom and Sigma detections end to end", () => {
  let dir: string;
  let configFile: string;
  let stacks: TerraformJson[];
  let eastStack: TerraformJson;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "trailwatch-e2e-"));
    configFile = path.join(dir, "trailwatch.config.json");
    const raw = JSON.parse(readFileSync(path.join(ROOT, "trailwatch.config.json"), "utf8"));
    raw.detections = { custom: [PUBLIC_ACCESS_BLOCK_REMOVED] };
    writeFileSync(configFile, JSON.stringify(raw, null, 2));
    copyFileSync(path.join(ROOT, ".prettierrc.json"), path.join(dir, ".prettierrc.json"));
    const run = io(ROOT);
    const code = await sigma(
      [SAMPLE, "--write", "--config", configFile, "--license", "DRL-1.1"],
      run.io,
    );
    expect([code, run.out.stderr]).toEqual([1, expect.stringMatching(/19 converted, 13 refused/)]);
    const app = buildApp(loadConfigFile(configFile), Testing.app().outdir);
    stacks = [app.home, ...app.regional].map((s) => JSON.parse(Testing.synth(s)));
    eastStack = JSON.parse(
      Testing.synth(app.regional.find((s) => s.node.id.endsWith("us-east-1"))!),
    );
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const custom = () => loadConfigFile(configFile).detections.custom;

  /** The records the Sigma rules behind a converted detection match (a correlation's base rule). */
  function sigmaMatches(
    source: string,
    view = (r: CloudTrailRecord): unknown => r,
  ): CloudTrailRecord[] {
    const file = source.replace(/ \(correlating .*\)$/, "");
    const rules = parseSigmaFile(readFileSync(path.join(ROOT, file), "utf8"))
      .flatMap((r) => (r.ok && r.document.kind === "rule" ? [r.document as SigmaRule] : []))
      .map(compileSigmaRule);
    return RECORDS.filter((r) => rules.some((t) => t(view(r))));
  }

  test("the configuration holds the hand-written detection and the 19 converted ones", () => {
    const ids = custom().map((d) => d.id);
    expect(ids[0]).toBe("s3-public-access-block-removed");
    expect(ids).toHaveLength(20);
    expect(custom().filter((d) => d.references.sigma)).toHaveLength(19);
  });

  test("synth: a metric filter and alarm or an EventBridge rule for each, per its delivery and scope", () => {
    const [home] = stacks;
    const filters = resourcesOf(home, "aws_cloudwatch_log_metric_filter").map((f) => f.name);
    const homeRules = resourcesOf(home, "aws_cloudwatch_event_rule").map((r) => r.name);
    for (const d of custom()) {
      if (d.delivery !== "event") expect(filters).toContain(d.id);
      if (d.delivery !== "alarm") expect(homeRules).toContain(`trailwatch-${d.id}`);
    }
    const alarm = resourcesOf(home, "aws_cloudwatch_metric_alarm").find(
      (a) => a.alarm_name === "trailwatch-sigma-secrets-read-burst",
    )!;
    expect(alarm).toMatchObject({ threshold: 20, period: 300, statistic: "Sum" });
    // DRL 1.1: messages based on a rule's matches name its author.
    expect(alarm.alarm_description).toContain(
      'Sigma rule "Burst Of Secrets Manager Secret Value Reads" by trailwatch',
    );
    const rule = resourcesOf(home, "aws_cloudwatch_event_rule").find(
      (r) => r.name === "trailwatch-sigma-console-login-success-without-mfa",
    )!;
    const target = resourcesOf(home, "aws_cloudwatch_event_target").find((t) =>
      String(t.rule).includes("sigma-console-login-success-without-mfa"),
    )!;
    expect(target.input_transformer.input_template).toContain(
      'Sigma rule \\"AWS Successful Console Login Without MFA\\" by Thuya@Hacktilizer, Ivan Saakov (DRL-1.1).',
    );
    expect(JSON.parse(rule.event_pattern).detail.additionalEventData).toEqual({ MFAUsed: ["No"] });
    // A rule's "Jersey/${project.version}" reaches Terraform as a literal, not an interpolation.
    const signin = resourcesOf(home, "aws_cloudwatch_event_rule").find(
      (r) => r.name === "trailwatch-sigma-console-getsignintoken",
    )!;
    expect(signin.event_pattern).toContain('"*Jersey/$${project.version}*"');
    expect(signin.event_pattern).not.toMatch(/(^|[^$])\$\{/);
    // Global-scope detections also get a rule in us-east-1.
    const eastRules = resourcesOf(eastStack, "aws_cloudwatch_event_rule").map((r) => r.name);
    expect(eastRules).toContain("trailwatch-sigma-susp-saml-activity");
  });

  test("terraform validate (the real client, offline) accepts the stacks with every custom detection", () => {
    const outdir = path.join(dir, "cdktf.out");
    synthesize(loadConfigFile(configFile), outdir);
    const tf = offlineWorkdir(path.join(outdir, "stacks", "trailwatch-ap-northeast-1"));
    try {
      const validate = tf.run("validate");
      expect(validate.output).toContain("Success! The configuration is valid.");
      expect(validate.status).toBe(0);
    } finally {
      tf.dispose();
    }
  }, 300_000);

  test("backtest: each converted detection matches what its Sigma rule matches, renderings agree (exit 0)", async () => {
    const input = path.join(dir, "records.jsonl");
    writeFileSync(input, RECORDS.map((r) => JSON.stringify(r)).join("\n"));
    const run = io(dir);
    const code = await backtest([input, "--json", "--config", configFile], run.io);
    expect([code, run.out.stderr]).toEqual([0, ""]);
    const report = JSON.parse(run.out.stdout);
    expect(report.records).toBe(RECORDS.length);
    const byId = new Map<string, any>(report.detections.map((d: any) => [d.id, d]));
    for (const d of custom()) {
      const r = byId.get(d.id);
      expect([d.id, r?.disagreementCount]).toEqual([d.id, 0]);
      if (!d.references.sigma) continue;
      const expected = sigmaMatches(d.references.sigma.source)
        .map((x) => x.eventID)
        .filter((id) => id !== "00000000-0000-0000-0000-00516a000008"); // the warned "truffleHOG" miss
      expect([d.id, [...r.filter.eventIds].sort()]).toEqual([d.id, expected.sort()]);
    }
    const burst = byId.get("sigma-secrets-read-burst");
    expect(burst.filter.matches).toBe(20);
  });

  test("docs: docs/custom-detections.md lists every one with its Sigma source and licence", () => {
    const md = renderCustomDetectionDocs(
      customDetections(loadConfigFile(configFile)),
      "trailwatch.config.json",
    );
    for (const d of custom()) expect(md).toContain(`## ${d.id}`);
    expect(md).toContain(
      'Converted from the Sigma rule "AWS Console GetSigninToken Potential Abuse" (id f8103686-e3e8-46f3-be72-65f7fcb4aa53) by Chester Le Bron (@123Le_Bron), licence DRL-1.1',
    );
  });

  describe("Athena: the saved investigation queries run and return the Sigma matches", () => {
    let engine: AthenaEngine;
    beforeAll(async () => {
      const today = dayOf(new Date().toISOString());
      engine = await athenaEngine(
        "trailwatch",
        "cloudtrail",
        RECORDS.map((record) => ({ record, timestamp: today })),
      );
    }, 60_000);
    afterAll(() => engine.close());

    test("one per custom detection; each returns what the Sigma rule matches (up to the row limit)", async () => {
      const queries = resourcesOf(stacks[0], "aws_athena_named_query");
      for (const d of custom()) {
        const q = queries.find((x) => x.name === `trailwatch-detection-${d.id}`);
        expect([d.id, q !== undefined]).toEqual([d.id, true]);
        // Terraform reads `$${` as a literal `${`.
        const sql = String(q!.query)
          .replace(/\$\$\{/g, "${")
          .replace(/"\$\{aws_glue_catalog_database\.[^}]+\}"/g, '"trailwatch"')
          .replace(/"\$\{aws_glue_catalog_table\.[^}]+\}"/g, '"cloudtrail"');
        const rows = await engine.rows(sql);
        if (!d.references.sigma) continue;
        expect(rows.length).toBeGreaterThan(0);
        // Athena reads field names case-insensitively (serdeKeyView); "truffleHOG" is the warned miss.
        const expected = sigmaMatches(d.references.sigma.source, (r) =>
          serdeKeyView(r, REAL_RECORDS),
        )
          .map((r) => r.eventID)
          .filter((id) => id !== "00000000-0000-0000-0000-00516a000008");
        expect(expected.length).toBeLessThanOrEqual(1000); // the saved queries' row limit
        expect([d.id, rows.map((r) => String(r.eventid)).sort()]).toEqual([d.id, expected.sort()]);
      }
    });
  });
});
