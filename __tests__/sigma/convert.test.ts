/**
 * The committed SigmaHQ sample (fixtures/sigma/SOURCES.md) converted, and every converted
 * detection checked against the direct Sigma evaluation (src/sigma/evaluate.ts) on real
 * CloudTrail records, through each rendering: the CloudWatch Logs filter pattern, the EventBridge
 * event pattern on the envelope EventBridge builds, and the Athena SQL run in DuckDB.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { customDetectionEntry } from "../../src/config/custom-detections";
import { customDetection } from "../../src/detections/custom";
import { eventPatternOf, filterPatternOf } from "../../src/detections/render";
import type { Detection } from "../../src/detections/types";
import { cloudTrailRecordToEvent } from "../../src/patterns/event-envelope";
import { compileEventPattern } from "../../src/patterns/event-pattern";
import { compileFilterPattern } from "../../src/patterns/filter-pattern";
import { renderConditionToSql } from "../../src/patterns/sql-condition";
import { convertSigma, type ConvertedRule } from "../../src/sigma/convert";
import { compileSigmaRule } from "../../src/sigma/evaluate";
import { parseSigmaFile, type SigmaRule } from "../../src/sigma/rule";
import { athenaEngine, serdeKeyView, type AthenaEngine } from "../support/athena-engine";
import { readFixtureJsonl } from "../support/fixtures";
import { REAL_RECORDS, type CloudTrailRecord } from "../support/records";

// Conversions, synths and DuckDB runs take seconds; on a loaded machine, more than jest's default 5 s.
jest.setTimeout(60_000);

const ROOT = path.join(__dirname, "..", "..");
const SAMPLE_DIR = path.join(ROOT, "__tests__", "fixtures", "sigma");

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return yamlFiles(full);
      return name.endsWith(".yml") ? [path.relative(ROOT, full)] : [];
    });
}

const FILES = yamlFiles(SAMPLE_DIR);
const SOURCES = FILES.map((file) => ({ file, text: readFileSync(path.join(ROOT, file), "utf8") }));
const RESULT = convertSigma(SOURCES, {
  name: "trailwatch",
  license: "DRL-1.1",
  regions: ["ap-northeast-1", "us-east-1"],
});

/** Records written where the real ones lack a case (fixtures/sigma/constructed-records.jsonl). */
const CONSTRUCTED = readFixtureJsonl<CloudTrailRecord>("sigma", "constructed-records.jsonl");
const RECORDS = [...REAL_RECORDS, ...CONSTRUCTED];

/** Records Sigma matches that the converted rule misses, each for a reason it warns about. */
const KNOWN_MISSES: Record<string, { eventID: string; warningAbout: string }[]> = {
  // "truffleHOG": Sigma ignores case; the renderings match only the listed spellings.
  "sigma-pua-trufflehog": [
    { eventID: "00000000-0000-0000-0000-00516a000008", warningAbout: "userAgent" },
  ],
};

const base = (file: string) => path.basename(file);

/** The rules whose matches a converted detection must reproduce (a correlation's base rules). */
function sigmaRulesOf(c: ConvertedRule): SigmaRule[] {
  const docs = parseSigmaFile(readFileSync(path.join(ROOT, c.file), "utf8"))
    .flatMap((r) => (r.ok ? [r.document] : []))
    .filter((d): d is SigmaRule => d.kind === "rule");
  return docs.filter((d) => d.title === c.title).length
    ? docs.filter((d) => d.title === c.title)
    : docs;
}

function envelope(r: CloudTrailRecord) {
  try {
    return cloudTrailRecordToEvent(r);
  } catch {
    return undefined;
  }
}
const ENVELOPES = new Map(RECORDS.map((r) => [r, envelope(r)]));

const ids = (rs: readonly CloudTrailRecord[]) => rs.map((r) => r.eventID).sort();

describe("the SigmaHQ sample", () => {
  test("fixtures: real rules keep their SigmaHQ path, licence text and authors; constructed records say so", () => {
    const sigmahq = FILES.filter((f) => f.includes(`${path.sep}sigmahq${path.sep}`));
    expect(sigmahq.length).toBe(28);
    expect(
      readFileSync(path.join(SAMPLE_DIR, "sigmahq", "LICENSE.Detection.Rules.md"), "utf8"),
    ).toMatch(/^# Detection Rule License \(DRL\) 1\.1/);
    const notes = readFileSync(path.join(SAMPLE_DIR, "SOURCES.md"), "utf8");
    for (const f of sigmahq) expect(notes).toContain(f.split(`sigmahq${path.sep}`)[1]);
    for (const r of CONSTRUCTED) {
      expect(r._source).toBe("constructed");
      expect(r._modelled_on).toEqual(expect.any(String));
    }
    expect(new Set(ids(RECORDS)).size).toBe(RECORDS.length);
  });

  test("which rules convert, and which are refused with which reason", () => {
    expect(Object.fromEntries(RESULT.converted.map((c) => [base(c.file), c.detection.id]))).toEqual(
      {
        "aws_cloudtrail_bucket_deleted.yml": "sigma-bucket-deleted",
        "aws_cloudtrail_console_login_success_without_mfa.yml":
          "sigma-console-login-success-without-mfa",
        "aws_cloudtrail_disable_logging.yml": "sigma-disable-logging",
        "aws_cloudtrail_guardduty_detector_deleted_or_updated.yml":
          "sigma-guardduty-detector-deleted-or-updated",
        "aws_cloudtrail_pua_trufflehog.yml": "sigma-pua-trufflehog",
        "aws_cloudtrail_ssm_malicious_usage.yml": "sigma-ssm-malicious-usage",
        "aws_console_getsignintoken.yml": "sigma-console-getsignintoken",
        "aws_ec2_download_userdata.yml": "sigma-ec2-download-userdata",
        "aws_enum_buckets.yml": "sigma-enum-buckets",
        "aws_enum_listing.yml": "sigma-enum-listing",
        "aws_iam_s3browser_user_or_accesskey_creation.yml":
          "sigma-iam-s3browser-user-or-accesskey-creation",
        "aws_new_lambda_layer_attached.yml": "sigma-new-lambda-layer-attached",
        "aws_rds_change_master_password.yml": "sigma-rds-change-master-password",
        "aws_rds_public_db_restore.yml": "sigma-rds-public-db-restore",
        "aws_root_account_usage.yml": "sigma-root-account-usage",
        "aws_secrets_read_burst.yml": "sigma-secrets-read-burst",
        "aws_sts_assumerole_misuse.yml": "sigma-sts-assumerole-misuse",
        "aws_sts_getsessiontoken_misuse.yml": "sigma-sts-getsessiontoken-misuse",
        "aws_susp_saml_activity.yml": "sigma-susp-saml-activity",
      },
    );
    const reasons = Object.fromEntries(
      RESULT.refused.map((r) => [base(r.file), r.reasons.join(" | ")]),
    );
    expect(Object.keys(reasons).sort()).toEqual(
      [
        "aws_cloudtrail_console_login_success_from_susp_locations.yml",
        "aws_cloudtrail_imds_malicious_usage.yml",
        "aws_console_login_from_private_range.yml",
        "aws_disable_bucket_versioning.yml",
        "aws_ec2_vm_export_failure.yml",
        "aws_ecs_task_definition_cred_endpoint_query.yml",
        "aws_keyword_search.yml",
        "aws_lambda_function_created_or_invoked.yml",
        "aws_macic_evasion.yml",
        "aws_secrets_read_burst_by_principal.yml",
        "aws_ses_messaging_enabled.yml",
        "aws_update_login_profile.yml",
        "gcp_bucket_enumeration.yml",
      ].sort(),
    );
    expect(reasons["aws_cloudtrail_imds_malicious_usage.yml"]).toMatch(
      /regular expression ".\+:assumed-role\/aws:.\+" says more than a wildcard; EventBridge event patterns have no regular expressions/,
    );
    expect(reasons["aws_console_login_from_private_range.yml"]).toMatch(
      /cannot match an IP range \(\|cidr\)/,
    );
    expect(reasons["aws_update_login_profile.yml"]).toMatch(/\|fieldref compares two fields/);
    expect(reasons["aws_disable_bucket_versioning.yml"]).toMatch(
      /"requestParameters\|contains": requestParameters is an object/,
    );
    expect(reasons["aws_ec2_vm_export_failure.yml"]).toMatch(/responseElements is an object/);
    expect(reasons["aws_cloudtrail_console_login_success_from_susp_locations.yml"]).toMatch(
      /field "src_country" is not a CloudTrail record field.*field "src_ip"/,
    );
    expect(reasons["gcp_bucket_enumeration.yml"]).toMatch(
      /^logsource \{"product":"gcp","service":"gcp.audit"\}: only AWS CloudTrail rules/,
    );
    expect(reasons["aws_keyword_search.yml"]).toMatch(/^keyword search/);
    expect(reasons["aws_macic_evasion.yml"]).toMatch(
      /counting per sourceIPAddress needs one counter per value/,
    );
    expect(reasons["aws_secrets_read_burst_by_principal.yml"]).toMatch(
      /grouped by userIdentity.arn/,
    );
    expect(reasons["aws_lambda_function_created_or_invoked.yml"]).toMatch(
      /"near" needs events correlated/,
    );
    expect(reasons["aws_ses_messaging_enabled.yml"]).toMatch(/the condition can never match/);
    expect(reasons["aws_ecs_task_definition_cred_endpoint_query.yml"]).toMatch(
      /filter pattern is \d+ characters; AWS accepts at most 1024/,
    );
  });

  test("metadata: level, ATT&CK tags, Sigma id, author, licence, source; the author in every notification", () => {
    const byId = new Map(RESULT.converted.map((c) => [c.detection.id, c]));
    const mfa = byId.get("sigma-console-login-success-without-mfa")!.detection;
    expect(mfa).toMatchObject({
      title: "AWS Successful Console Login Without MFA",
      severity: "medium",
      references: {
        attack: ["T1078.004"],
        sigma: {
          id: "77caf516-34e5-4df9-b4db-20744fea0a60",
          author: "Thuya@Hacktilizer, Ivan Saakov",
          license: "DRL-1.1",
          source: path.join(
            "__tests__/fixtures/sigma/sigmahq/rules/cloud/aws/cloudtrail",
            "aws_cloudtrail_console_login_success_without_mfa.yml",
          ),
        },
      },
      attribution:
        'Sigma rule "AWS Successful Console Login Without MFA" by Thuya@Hacktilizer, Ivan Saakov (DRL-1.1).',
      delivery: "event",
    });
    // The condition names CloudTrail's spelling: "No", where the rule writes 'NO'.
    expect(JSON.stringify(mfa.condition)).toContain('"equals":["No"]');
    expect(byId.get("sigma-guardduty-detector-deleted-or-updated")!.detection.severity).toBe(
      "high",
    );
    // Counting rules become alarms with the rule's threshold and timespan.
    expect(byId.get("sigma-ec2-download-userdata")!.detection).toMatchObject({
      delivery: "alarm",
      alarm: { threshold: 11, periodSeconds: 1800 },
    });
    expect(byId.get("sigma-secrets-read-burst")!.detection).toMatchObject({
      delivery: "alarm",
      severity: "high",
      alarm: { threshold: 20, periodSeconds: 300 },
      references: { attack: ["T1555.006"] },
    });
    expect(byId.get("sigma-secrets-read-burst")!.warnings.join("\n")).toMatch(
      /fixed 300-second periods, not a sliding window/,
    );
    // Only where a rendering could miss what Sigma matches is there a case warning.
    expect(byId.get("sigma-disable-logging")!.warnings).toEqual([]);
    expect(byId.get("sigma-enum-listing")!.warnings.join("\n")).toMatch(
      /eventName holds API names: "list" is matched as "List"/,
    );
    expect(byId.get("sigma-iam-s3browser-user-or-accesskey-creation")!.warnings.join("\n")).toMatch(
      /more spellings than "S3 Browser" made a rendering too long or too complex: only "S3 Browser" is matched/,
    );
  });
});

describe.each(RESULT.converted.map((c) => [c.detection.id, c] as const))("%s", (id, c) => {
  const detection: Detection = customDetection(customDetectionEntry.parse(c.detection));
  const rules = sigmaRulesOf(c);
  const sigma = rules.map(compileSigmaRule);
  const misses = new Set((KNOWN_MISSES[id] ?? []).map((m) => m.eventID));
  const expected = RECORDS.filter((r) => sigma.some((t) => t(r)));
  const expectedFound = expected.filter((r) => !misses.has(r.eventID));

  test("the Sigma rule matches some records, real or constructed", () => {
    expect(expected.length).toBeGreaterThan(0);
  });

  test("metric filter pattern: exactly the records the Sigma rule matches", () => {
    const filter = compileFilterPattern(filterPatternOf(detection));
    expect(ids(RECORDS.filter((r) => filter(r)))).toEqual(ids(expectedFound));
  });

  test("event pattern: exactly the Sigma matches among the records EventBridge delivers to the rule", () => {
    const event = compileEventPattern(eventPatternOf(detection));
    const types = detection.recordTypes as readonly string[];
    const delivered = RECORDS.filter((r) => ENVELOPES.get(r) && types.includes(r.eventType));
    expect(ids(delivered.filter((r) => event(ENVELOPES.get(r)!)))).toEqual(
      ids(expectedFound.filter((r) => delivered.includes(r))),
    );
  });

  test("known misses are warned about", () => {
    for (const m of KNOWN_MISSES[id] ?? []) {
      expect(expected.map((r) => r.eventID)).toContain(m.eventID);
      expect(c.warnings.some((w) => w.startsWith(`${m.warningAbout}:`))).toBe(true);
    }
  });
});

describe("Athena SQL of every converted detection (DuckDB with the Glue table's columns)", () => {
  let engine: AthenaEngine;
  beforeAll(async () => {
    engine = await athenaEngine(
      "trailwatch",
      "cloudtrail",
      RECORDS.map((record) => ({ record })),
    );
  }, 60_000);
  afterAll(() => engine.close());

  test.each(RESULT.converted.map((c) => [c.detection.id, c] as const))(
    "%s: exactly the records the Sigma rule matches",
    async (id, c) => {
      const detection = customDetection(customDetectionEntry.parse(c.detection));
      const sigma = sigmaRulesOf(c).map(compileSigmaRule);
      const misses = new Set((KNOWN_MISSES[id] ?? []).map((m) => m.eventID));
      const expected = RECORDS.filter(
        (r) => sigma.some((t) => t(serdeKeyView(r, REAL_RECORDS))) && !misses.has(r.eventID),
      );
      const sql = `SELECT eventid FROM "trailwatch"."cloudtrail" WHERE ${renderConditionToSql(detection.condition)}`;
      expect(await engine.eventIds(sql)).toEqual(ids(expected));
    },
  );
});
