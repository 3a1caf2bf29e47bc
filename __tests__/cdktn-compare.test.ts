/**
 * scripts/cdktn-compare.ts, the migration check to CDK Terrain: its import renames cover every
 * import trailwatch has, and what it allows to differ is only the provider pin and the spelling
 * of the provider source. (The comparison itself installs cdktn from the registry: README
 * "Migrating to CDK Terrain" has its result.)
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { comparable, comparableHcl, fullSource, renameImports } from "../scripts/cdktn-compare";
import { ROOT } from "./helpers";

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Every module specifier of `import … from "x"`, `import("x")` and `require("x")`. */
const specifiers = (source: string) =>
  [...source.matchAll(/(?:from\s+|import\(\s*|require\(\s*)(["'])([^"']+)\1/g)].map((m) => m[2]);

describe("renameImports", () => {
  const files = [path.join(ROOT, "main.ts"), ...tsFiles(path.join(ROOT, "src"))];

  test("after renaming, no file of the app imports cdktf or an @cdktf package", () => {
    const before = files.flatMap((f) => specifiers(readFileSync(f, "utf8")));
    expect(before).toEqual(expect.arrayContaining(["cdktf", "@cdktf/hcl2json"]));
    expect(before.some((s) => s.startsWith("@cdktf/provider-aws/lib/"))).toBe(true);
    const after = files.flatMap((f) => specifiers(renameImports(readFileSync(f, "utf8"))));
    expect(after.filter((s) => /^(cdktf($|\/)|@cdktf\/)/.test(s))).toEqual([]);
    expect(after).toEqual(expect.arrayContaining(["cdktn", "@cdktn/hcl2json"]));
  });

  test("renames package names only", () => {
    expect(
      renameImports(
        'import { App } from "cdktf";\nimport { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";\n' +
          'const x = "cdktf is archived"; await import("@cdktf/hcl2json");',
      ),
    ).toBe(
      'import { App } from "cdktn";\nimport { S3Bucket } from "@cdktn/provider-aws/lib/s3-bucket";\n' +
        'const x = "cdktf is archived"; await import("@cdktn/hcl2json");',
    );
  });
});

describe("what may differ", () => {
  test("provider source addresses in their full form (Terraform's reading of aws / hashicorp/aws)", () => {
    expect(fullSource("aws")).toBe("registry.terraform.io/hashicorp/aws");
    expect(fullSource("hashicorp/aws")).toBe("registry.terraform.io/hashicorp/aws");
    expect(fullSource("example.com/acme/aws")).toBe("example.com/acme/aws");
  });

  test("JSON: the pin and the source spelling, nothing else", () => {
    const stack = (version: string, source: string, bucket: string) => ({
      "//": { metadata: { version } },
      terraform: { required_providers: { aws: { version, source } } },
      resource: { aws_s3_bucket: { b: { bucket, "//": { path: "x" } } } },
    });
    expect(comparable(stack("6.25.0", "aws", "a"))).toEqual(
      comparable(stack("6.66.0", "hashicorp/aws", "a")),
    );
    expect(comparable(stack("6.25.0", "aws", "a"))).not.toEqual(
      comparable(stack("6.25.0", "aws", "b")),
    );
    expect(comparable(stack("6.25.0", "aws", "a"))).not.toEqual(
      comparable(stack("6.25.0", "acme/aws", "a")),
    );
  });

  test("HCL: the same two lines", () => {
    const hcl = (version: string, source: string, bucket: string) =>
      `terraform {\n  required_providers {\n    aws = {\n      version = "${version}"\n      source  = "${source}"\n    }\n  }\n}\nresource "aws_s3_bucket" "b" {\n  bucket = "${bucket}"\n}\n`;
    expect(comparableHcl(hcl("6.25.0", "aws", "a"))).toBe(
      comparableHcl(hcl("6.66.0", "hashicorp/aws", "a")),
    );
    expect(comparableHcl(hcl("6.25.0", "aws", "a"))).not.toBe(
      comparableHcl(hcl("6.25.0", "aws", "b")),
    );
  });
});
