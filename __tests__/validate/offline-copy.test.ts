import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  OFFLINE_PROVIDER_FLAGS,
  offlineStack,
  pinnedAwsVersion,
  withoutImports,
  writeOfflineCopy,
} from "../../src/validate/offline-copy";
import { build, synthJson } from "../helpers";

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
