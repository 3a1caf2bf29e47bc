/**
 * `adopt` (examples/adopt.json): an existing trail, bucket, log group and key are taken over with
 * Terraform import blocks; their names come from the adopted resources, so the plan imports and
 * updates them in place and never replaces one. Checked with the real Terraform client offline:
 * `terraform validate` passes; `terraform plan` gets as far as reading the adopted resources from
 * AWS, which needs AWS (an import reads the remote object), and fails there, as it must here.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { buildApp } from "../src/app";
import { parseConfig } from "../src/config/load";
import { synthesize } from "../src/synth";
import { configProblems, resourcesOf, ROOT, synthJson } from "./helpers";
import { offlineWorkdir } from "./support/terraform";

const EXAMPLE = path.join(ROOT, "examples", "adopt.json");
const raw = () => JSON.parse(readFileSync(EXAMPLE, "utf8"));
const TRAIL = "arn:aws:cloudtrail:ap-northeast-1:111122223333:trail/management-events";
const BUCKET = "acme-cloudtrail-logs-111122223333";
const LOG_GROUP = "CloudTrail/management-events";
const KEY_ID = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

const { home } = buildApp(parseConfig(raw()), Testing.app().outdir);
const json = synthJson(home) as any;

function addressOf(type: string, pick: (r: any) => boolean): string {
  const [id] = Object.entries(json.resource[type]).find(([, r]) => pick(r))!;
  return `${type}.${id}`;
}

describe("adopt: import blocks", () => {
  test("one import block per adopted resource, with the provider's import id", () => {
    expect([...json.import].sort((a: any, b: any) => a.to.localeCompare(b.to))).toEqual(
      [
        { to: addressOf("aws_cloudtrail", () => true), id: TRAIL },
        { to: addressOf("aws_s3_bucket", (b) => b.bucket === BUCKET), id: BUCKET },
        { to: addressOf("aws_cloudwatch_log_group", (g) => g.name === LOG_GROUP), id: LOG_GROUP },
        { to: addressOf("aws_kms_key", () => true), id: KEY_ID },
      ].sort((a, b) => a.to.localeCompare(b.to)),
    );
  });

  test("the adopted resources keep their names (a new name would replace them) and prevent_destroy", () => {
    const [trail] = resourcesOf(json, "aws_cloudtrail");
    expect(trail.name).toBe("management-events");
    expect(trail.s3_bucket_name).toBe(BUCKET);
    expect(trail.lifecycle).toEqual({ prevent_destroy: true });
    const bucket = Object.values<any>(json.resource.aws_s3_bucket).find((b) => b.bucket === BUCKET);
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    const [group] = resourcesOf(json, "aws_cloudwatch_log_group").filter(
      (g) => g.name === LOG_GROUP,
    );
    expect(group).toMatchObject({ name: LOG_GROUP, lifecycle: { prevent_destroy: true } });
    expect(resourcesOf(json, "aws_kms_key")[0].lifecycle).toEqual({ prevent_destroy: true });
    // The policies name the adopted trail and bucket, so CloudTrail keeps delivering.
    const policy = resourcesOf(json, "aws_s3_bucket_policy").find((p) =>
      p.policy.includes(`arn:aws:s3:::${BUCKET}/AWSLogs/`),
    )!;
    expect(JSON.parse(policy.policy).Statement[1].Condition.StringEquals["aws:SourceArn"]).toBe(
      TRAIL,
    );
  });

  test("the README's plan summary for this example follows from the rendered stacks", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(
      readme.indexOf("### `adopt`"),
      readme.indexOf("## Regions and stacks"),
    );
    const { app } = buildApp(parseConfig(raw()), Testing.app().outdir);
    const [homeJson, otherJson] = (app.node.children as any[]).map((s) =>
      JSON.parse(Testing.synth(s)),
    );
    const count = (j: any) =>
      Object.values<Record<string, unknown>>(j.resource).reduce(
        (n, byName) => n + Object.keys(byName).length,
        0,
      );
    // One plan line per resource: no count or for_each anywhere.
    for (const j of [homeJson, otherJson])
      for (const byName of Object.values<Record<string, object>>(j.resource))
        for (const r of Object.values(byName)) {
          expect(r).not.toHaveProperty("count");
          expect(r).not.toHaveProperty("for_each");
        }
    const imports = homeJson.import.length;
    expect(imports).toBe(4);
    expect(section).toContain(
      `Plan: ${imports} to import, ${count(homeJson) - imports} to add, ${imports} to change, 0 to destroy.`,
    );
    expect(section).toContain(`\`Plan: ${count(otherJson)} to add, 0 to change, 0 to destroy.\``);
    expect(section).toContain(`the home stack renders ${count(homeJson)} resources`);
    // Every import line names a rendered address and its import id.
    for (const { to, id } of homeJson.import)
      expect(section).toContain(`${to}: Preparing import... [id=${id}]`);
    // The "at least re-tagged" reasoning: every stack tags every resource with its own name.
    expect(homeJson.provider.aws[0].default_tags[0].tags["trailwatch:stack"]).toBe(
      "trailwatch-ap-northeast-1",
    );
  });

  test("no import block without adopt", () => {
    const input = raw();
    delete input.adopt;
    const plain = synthJson(buildApp(parseConfig(input), Testing.app().outdir).home) as any;
    expect(plain).not.toHaveProperty("import");
  });
});

describe("adopt: configuration errors", () => {
  test("names that disagree with explicit settings, other regions and accounts, Object Lock", () => {
    const input = raw();
    input.trail = { name: "trailwatch" };
    input.archive = {
      ...input.archive,
      bucketName: "another-bucket-name",
      objectLock: { mode: "GOVERNANCE", days: 30 },
    };
    input.logGroup = { name: "/trailwatch/cloudtrail" };
    input.adopt.kmsKeyArn = `arn:aws:kms:us-east-1:999988887777:key/${KEY_ID}`;
    expect(configProblems(input)).toEqual([
      `adopt.trailArn: names trail "management-events" but trail.name is "trailwatch": a different name would replace the trail; remove trail.name or make them equal (got "${TRAIL}")`,
      `adopt.bucket: names bucket "${BUCKET}" but archive.bucketName is "another-bucket-name": remove archive.bucketName or make them equal (got "${BUCKET}")`,
      'archive.objectLock: cannot be turned on for an adopted bucket: object_lock_enabled forces a new bucket (enable Object Lock on the bucket in S3 first, then describe it here) (got {"mode":"GOVERNANCE","days":30})',
      `adopt.logGroupName: names log group "${LOG_GROUP}" but logGroup.name is "/trailwatch/cloudtrail": remove logGroup.name or make them equal (got "${LOG_GROUP}")`,
      `adopt.kmsKeyArn: the trail key must be in homeRegion ap-northeast-1 (a trail cannot use a key from another region), not us-east-1 (got "${input.adopt.kmsKeyArn}")`,
      `adopt.kmsKeyArn: the key must belong to accountId 111122223333, not 999988887777 (got "${input.adopt.kmsKeyArn}")`,
    ]);
  });

  test("an empty adopt and a trail from another account are refused", () => {
    const input = raw();
    input.adopt = {};
    expect(configProblems(input)).toEqual([
      "adopt: names nothing to adopt: give trailArn, bucket, logGroupName or kmsKeyArn (got {})",
    ]);
    input.adopt = { trailArn: "arn:aws:cloudtrail:ap-northeast-1:999988887777:trail/x-trail" };
    expect(configProblems(input)).toEqual([
      `adopt.trailArn: the trail must belong to account 111122223333, not 999988887777 (got "${input.adopt.trailArn}")`,
    ]);
  });
});

describe("adopt: the real Terraform client, offline", () => {
  const out = mkdtempSync(path.join(tmpdir(), "trailwatch-adopt-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test("terraform validate accepts the import blocks; plan stops only where it must read AWS", () => {
    const outdir = path.join(out, "cdktf.out");
    synthesize(parseConfig(raw()), outdir);
    const tf = offlineWorkdir(path.join(outdir, "stacks", "trailwatch-ap-northeast-1"));
    try {
      const validate = tf.run("validate");
      expect(validate.output).toContain("Success! The configuration is valid.");
      expect(validate.status).toBe(0);
      const plan = tf.run("plan", "-input=false");
      // Terraform prepares every import, then needs the remote objects: no AWS here.
      // (it stops at the first reads that fail, so not every import is reached).
      expect(plan.output).toMatch(
        /Preparing import\.\.\. \[id=(arn:aws:cloudtrail|acme-|CloudTrail\/|0f1e2d3c)/,
      );
      expect(plan.output).toMatch(/no such host|dial tcp|request send failed/);
      expect(plan.status).toBe(1);
    } finally {
      tf.dispose();
    }
  }, 300_000);
});
