import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  OFFLINE_PROVIDER_FLAGS,
  offlineChanges,
  offlineStack,
  pinnedAwsVersion,
  stackFileOf,
  stackPinnedVersion,
  withoutImports,
  writeOfflineCopy,
} from "../../src/validate/offline-copy";
import {
  hclWithoutImports,
  OFFLINE_OVERRIDE_FILE,
  topLevelBlocks,
} from "../../src/validate/offline-hcl";
import { loadConfigFile } from "../../src/config/load";
import { synthesize, synthesizeHcl } from "../../src/synth";
import { build, ROOT, synthJson } from "../helpers";

const { home } = build();
const rendered = synthJson(home) as Record<string, any>;

describe("offlineStack: the copy Terraform plans with no AWS access", () => {
  const { stack, changes } = offlineStack(rendered, "5.100.0");

  test("the S3 backend is gone (Terraform's default local backend), the rendered stack untouched", () => {
    expect(stack.terraform.backend).toBeUndefined();
    expect(rendered.terraform.backend.s3.bucket).toBe("trailwatch-tfstate-111122223333");
  });

  test("the provider gets placeholder keys and the three skip flags; allowed_account_ids is removed", () => {
    const [aws] = stack.provider.aws;
    expect(aws).toEqual({
      region: "ap-northeast-1",
      default_tags: rendered.provider.aws[0].default_tags,
      access_key: expect.stringMatching(/^AKIA/),
      secret_key: expect.any(String),
      ...OFFLINE_PROVIDER_FLAGS,
    });
    expect(OFFLINE_PROVIDER_FLAGS).toEqual({
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
    });
    expect(rendered.provider.aws[0].allowed_account_ids).toEqual(["111122223333"]);
  });

  test("the version pin becomes the mirror's version; resources and outputs are the rendered ones", () => {
    expect(pinnedAwsVersion(rendered)).toBe("6.25.0");
    expect(stack.terraform.required_providers.aws).toEqual({ source: "aws", version: "5.100.0" });
    expect(stack.resource).toEqual(rendered.resource);
    expect(stack.output).toEqual(rendered.output);
  });

  test("every change is listed with its reason", () => {
    expect(changes.map((c) => c.what)).toEqual([
      'backend "s3" removed: local state in the temporary copy',
      'provider "aws": placeholder access_key/secret_key, skip_credentials_validation, skip_requesting_account_id, skip_metadata_api_check',
      'provider "aws": allowed_account_ids removed',
      'required_providers aws version "6.25.0" -> "5.100.0"',
    ]);
    expect(changes.find((c) => c.what.includes("allowed_account_ids"))!.why).toContain(
      "AWS account ID not allowed",
    );
  });

  test("with the pinned version in the mirror, the pin is kept and not listed", () => {
    const same = offlineStack(rendered, "6.25.0");
    expect(same.stack.terraform.required_providers.aws.version).toBe("6.25.0");
    expect(same.changes.map((c) => c.what).join("\n")).not.toContain("required_providers");
  });
});

describe("writeOfflineCopy", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "trailwatch-offline-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test("copies the stack and its assets, not what an earlier terraform init left there", () => {
    const src = path.join(root, "stacks", "s");
    mkdirSync(path.join(src, "assets", "fn"), { recursive: true });
    mkdirSync(path.join(src, ".terraform", "providers"), { recursive: true });
    writeFileSync(path.join(src, "cdk.tf.json"), JSON.stringify(rendered));
    writeFileSync(path.join(src, "assets", "fn", "index.zip"), "zip");
    writeFileSync(path.join(src, ".terraform.lock.hcl"), "# hashes of 6.25.0");
    writeFileSync(path.join(src, "terraform.tfstate"), "{}");
    writeFileSync(path.join(src, "tfplan"), "plan");
    const dest = path.join(root, "copy");
    const changes = writeOfflineCopy(src, dest, "5.100.0");
    expect(changes).toHaveLength(4);
    expect(readFileSync(path.join(dest, "assets", "fn", "index.zip"), "utf8")).toBe("zip");
    for (const gone of [".terraform", ".terraform.lock.hcl", "terraform.tfstate", "tfplan"])
      expect(existsSync(path.join(dest, gone))).toBe(false);
    const copied = JSON.parse(readFileSync(path.join(dest, "cdk.tf.json"), "utf8"));
    expect(copied.terraform.backend).toBeUndefined();
    expect(JSON.parse(readFileSync(path.join(src, "cdk.tf.json"), "utf8"))).toEqual(rendered);
  });
});

describe("import blocks (adopt mode)", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "trailwatch-offline-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test("are kept for terraform validate, listed, and removed before the plan", () => {
    const withImports = {
      ...rendered,
      import: [
        { to: "aws_kms_key.trail-key_F9911193", id: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" },
      ],
    };
    const src = path.join(root, "s");
    mkdirSync(src);
    writeFileSync(path.join(src, "cdk.tf.json"), JSON.stringify(withImports));
    const dest = path.join(root, "copy");
    const changes = writeOfflineCopy(src, dest, "5.100.0");
    expect(changes.map((c) => c.what)).toContain(
      "1 import block removed before terraform plan (terraform validate checks them)",
    );
    const copyFile = path.join(dest, "cdk.tf.json");
    expect(JSON.parse(readFileSync(copyFile, "utf8")).import).toEqual(withImports.import);
    expect(withoutImports(dest)).toBe(1);
    expect(JSON.parse(readFileSync(copyFile, "utf8")).import).toBeUndefined();
    expect(withoutImports(dest)).toBe(0);
  });
});

describe("HCL stacks (npm run synth -- --hcl): the same offline copy, made on main.tf", () => {
  let root: string;
  let json: string;
  let hcl: string;
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), "trailwatch-offline-hcl-"));
    json = path.join(root, "json");
    hcl = path.join(root, "hcl");
    // The organization example: backend, allowed_account_ids, StackSet instances (an argument 6.x
    // renamed), heredoc policies whose JSON ends with a "}" at column 0.
    synthesize(loadConfigFile(path.join(ROOT, "examples", "organization.json")), json);
    await synthesizeHcl(loadConfigFile(path.join(ROOT, "examples", "organization.json")), hcl);
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const home = (dir: string) => path.join(dir, "stacks", "trailwatch-ap-northeast-1");

  test("every stack lists exactly the changes its JSON rendering gets", () => {
    const stacks = readdirSync(path.join(json, "stacks"));
    expect(stacks.length).toBeGreaterThan(1);
    for (const s of stacks) {
      const d = (r: string) => path.join(r, "stacks", s);
      expect(stackFileOf(d(hcl))).toBe(path.join(d(hcl), "main.tf"));
      expect(stackPinnedVersion(d(hcl))).toBe("6.25.0");
      expect(offlineChanges(d(hcl), "5.100.0")).toEqual(offlineChanges(d(json), "5.100.0"));
    }
    expect(offlineChanges(home(hcl), "5.100.0").map((c) => c.what)).toEqual([
      'backend "s3" removed: local state in the temporary copy',
      'provider "aws": placeholder access_key/secret_key, skip_credentials_validation, skip_requesting_account_id, skip_metadata_api_check',
      'provider "aws": allowed_account_ids removed',
      "aws_cloudformation_stack_set_instance.stack_set_instance_region renamed to region (3 resources)",
      'required_providers aws version "6.25.0" -> "5.100.0"',
    ]);
  });

  test("the copy: no backend, the mirror's version, 5.x argument names, provider settings in an override", () => {
    const dest = path.join(root, "copy");
    writeOfflineCopy(home(hcl), dest, "5.100.0");
    const text = readFileSync(path.join(dest, "main.tf"), "utf8");
    const original = readFileSync(path.join(home(hcl), "main.tf"), "utf8");
    expect(original).toMatch(/^ {2}backend "s3" \{$/m);
    expect(text).not.toContain('backend "s3"');
    expect(text).toMatch(/^ {6}version = "5\.100\.0"$/m);
    expect(text).not.toContain('"6.25.0"');
    const lines = text.split("\n");
    const instances = topLevelBlocks(text).filter(
      (b) => b.labels[0] === "aws_cloudformation_stack_set_instance",
    );
    expect(instances).toHaveLength(3);
    for (const b of instances)
      expect(
        lines.slice(b.start, b.end).some((l) => /^ {2}region\s*= "[a-z]+-[a-z]+-\d"$/.test(l)),
      ).toBe(true);
    expect(text).not.toContain("stack_set_instance_region");
    // Nothing else changed: every other line is the rendered one, in order.
    const removed = original.split("\n").filter((l) => !text.split("\n").includes(l));
    expect(
      removed.every((l) =>
        /backend|bucket|key|region|encrypt|use_lockfile|version|^ {2}\}$/.test(l),
      ),
    ).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dest, OFFLINE_OVERRIDE_FILE), "utf8"))).toEqual({
      provider: {
        aws: [
          {
            access_key: expect.stringMatching(/^AKIA/),
            secret_key: expect.any(String),
            ...OFFLINE_PROVIDER_FLAGS,
            allowed_account_ids: null,
          },
        ],
      },
    });
  });

  test("top-level blocks are found past heredocs whose text has a } or the marker's look-alike at column 0", () => {
    const text = [
      "terraform {",
      '  backend "s3" {',
      '    bucket = "b"',
      "  }",
      "}",
      'resource "aws_iam_policy" "p" {',
      "  policy = chomp(<<EOT",
      "{",
      '  "Statement": []',
      "}",
      "EOTX",
      "EOT",
      "  )",
      "}",
      "import {",
      "  to = aws_iam_policy.p",
      '  id = "arn:aws:iam::111122223333:policy/p"',
      "}",
      "",
    ].join("\n");
    expect(topLevelBlocks(text).map((b) => [b.type, ...b.labels, b.start, b.end])).toEqual([
      ["terraform", 0, 4],
      ["resource", "aws_iam_policy", "p", 5, 13],
      ["import", 14, 17],
    ]);
    const { text: planned, count } = hclWithoutImports(text);
    expect(count).toBe(1);
    expect(planned).not.toContain("import {");
    expect(planned).toContain('"Statement": []\n}\nEOTX\nEOT\n  )\n}\n');
    expect(() => topLevelBlocks('resource "x" "y" {\n  a = 1\n')).toThrow(
      'main.tf: block "resource" on line 1 does not close',
    );
  });

  test("import blocks (adopt) are kept for terraform validate and removed before the plan", async () => {
    const adopt = path.join(root, "adopt");
    await synthesizeHcl(loadConfigFile(path.join(ROOT, "examples", "adopt.json")), adopt);
    const dest = path.join(root, "adopt-copy");
    const changes = writeOfflineCopy(home(adopt), dest, "5.100.0");
    expect(changes.map((c) => c.what)).toContain(
      "4 import blocks removed before terraform plan (terraform validate checks them)",
    );
    const file = path.join(dest, "main.tf");
    expect(readFileSync(file, "utf8").match(/^import \{$/gm)).toHaveLength(4);
    expect(withoutImports(dest)).toBe(4);
    expect(readFileSync(file, "utf8")).not.toMatch(/^import \{$/m);
    expect(readFileSync(file, "utf8")).toMatch(/^resource "aws_cloudtrail" /m);
    expect(withoutImports(dest)).toBe(0);
  }, 120_000);
});
