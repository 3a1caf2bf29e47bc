/* eslint-disable @typescript-eslint/no-explicit-any -- walks untyped Terraform JSON */
/**
 * `npx tsx scripts/cdktn-compare.ts [config.json ...]`: the way out of cdktf (archived by HashiCorp
 * on 2025-12-10) to its community continuation CDK Terrain (`cdktn`, `@cdktn/provider-aws`).
 *
 * Copies main.ts, src/ and the lock-free package list into a temporary directory, renames the
 * imports (`cdktf` -> `cdktn`, `@cdktf/provider-aws` -> `@cdktn/provider-aws`), installs cdktn
 * from the npm registry (network), synthesizes every given configuration with both, and compares
 * the stacks: equal apart from the AWS provider version pin (`terraform.required_providers.aws.version`),
 * the spelling of its source address (`aws` / `hashicorp/aws`, the same provider) and cdktf's own
 * metadata; and the HCL each writes with `--hcl`, line by line, apart from the same two lines.
 * Prints the differences and exits 1 when there are others. Not run in
 * CI (it needs network installs); README "Migrating to CDK Terrain" has the result.
 */
import { execFileSync } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const CDKTN = process.env.CDKTN_VERSION ?? "0.24.0";
const CDKTN_AWS = process.env.CDKTN_PROVIDER_AWS_VERSION ?? "25.7.0";
/** `@cdktn/hcl2json`, the continuation of `@cdktf/hcl2json` (HCL output's check, src/hcl/verify.ts). */
const CDKTN_HCL2JSON = process.env.CDKTN_HCL2JSON_VERSION ?? CDKTN;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The import renames, applied to every TypeScript file of the copy. */
export function renameImports(source: string): string {
  return source
    .replace(/(["'])@cdktf\/(provider-aws|hcl2json)(\/|["'])/g, "$1@cdktn/$2$3")
    .replace(/(["'])cdktf(\/[^"']*)?\1/g, "$1cdktn$2$1");
}

/**
 * A provider source address in its full form: Terraform reads `aws` as
 * `registry.terraform.io/hashicorp/aws` and `hashicorp/aws` likewise (Terraform language,
 * "Provider Requirements": source addresses), so cdktf's `aws` and cdktn's `hashicorp/aws` name
 * the same provider.
 */
export function fullSource(source: string): string {
  const parts = source.split("/");
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${source}`;
  if (parts.length === 2) return `registry.terraform.io/${source}`;
  return source;
}

/**
 * A stack's JSON without what is expected to differ: the provider version pin, the spelling of
 * the provider source (compared in its full form) and cdktf's metadata.
 */
export function comparable(stack: Record<string, any>): Record<string, any> {
  const copy = structuredClone(stack);
  delete copy["//"];
  const aws = copy.terraform?.required_providers?.aws;
  if (aws) {
    delete aws.version;
    if (typeof aws.source === "string") aws.source = fullSource(aws.source);
  }
  for (const byType of Object.values<Record<string, any>>(copy.resource ?? {}))
    for (const r of Object.values<Record<string, any>>(byType)) delete r["//"];
  return copy;
}

function synth(dir: string, config: string, out: string, format: "json" | "hcl"): void {
  execFileSync(
    process.execPath,
    [path.join(dir, "node_modules", "tsx", "dist", "cli.mjs"), "main.ts", `--${format}`],
    {
      cwd: dir,
      env: { ...process.env, TRAILWATCH_CONFIG: config, CDKTF_OUTDIR: out },
      stdio: "inherit",
    },
  );
}

function stacks(out: string): Record<string, Record<string, any>> {
  const dir = path.join(out, "stacks");
  return Object.fromEntries(
    readdirSync(dir).map((s) => [
      s,
      JSON.parse(readFileSync(path.join(dir, s, "cdk.tf.json"), "utf8")),
    ]),
  );
}

/** The HCL of every stack (`main.tf`, from `--hcl`). */
function hclStacks(out: string): Record<string, string> {
  const dir = path.join(out, "stacks");
  return Object.fromEntries(
    readdirSync(dir).map((s) => [s, readFileSync(path.join(dir, s, "main.tf"), "utf8")]),
  );
}

/** HCL text without what is expected to differ: the provider pin, and the source in its full form. */
export function comparableHcl(hcl: string): string {
  return hcl
    .replace(/^(\s*version\s*=\s*)"[^"]*"$/m, '$1"(pin)"')
    .replace(
      /^(\s*source\s*=\s*)"([^"]*)"$/m,
      (_m, lead: string, src: string) => `${lead}"${fullSource(src)}"`,
    );
}

/** The line numbers (1-based) and texts where two HCL files differ, at most `max`. */
function hclDiff(a: string, b: string, max = 10): string[] {
  const [la, lb] = [a.split("\n"), b.split("\n")];
  const out: string[] = [];
  for (let i = 0; i < Math.max(la.length, lb.length) && out.length < max; i++)
    if (la[i] !== lb[i])
      out.push(`line ${i + 1}: cdktf ${JSON.stringify(la[i])} | cdktn ${JSON.stringify(lb[i])}`);
  return out;
}

function diff(a: any, b: any, at = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => diff(a[k], b[k], `${at}.${k}`));
  }
  return [
    `${at}: cdktf ${JSON.stringify(a)?.slice(0, 200)} | cdktn ${JSON.stringify(b)?.slice(0, 200)}`,
  ];
}

function main(): number {
  const configs = process.argv.slice(2);
  if (configs.length === 0) configs.push(path.join(ROOT, "trailwatch.config.json"));
  const work = mkdtempSync(path.join(tmpdir(), "trailwatch-cdktn-"));
  try {
    const copy = path.join(work, "app");
    cpSync(path.join(ROOT, "src"), path.join(copy, "src"), { recursive: true });
    cpSync(path.join(ROOT, "main.ts"), path.join(copy, "main.ts"));
    cpSync(path.join(ROOT, "tsconfig.json"), path.join(copy, "tsconfig.json"));
    for (const f of tsFiles(copy)) writeFileSync(f, renameImports(readFileSync(f, "utf8")));
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const deps = {
      cdktn: CDKTN,
      "@cdktn/provider-aws": CDKTN_AWS,
      "@cdktn/hcl2json": CDKTN_HCL2JSON,
      constructs: "10.6.0",
      zod: pkg.dependencies.zod,
      tsx: pkg.devDependencies.tsx,
      esbuild: pkg.devDependencies.esbuild,
      fflate: pkg.devDependencies.fflate ?? pkg.dependencies.fflate,
    };
    writeFileSync(
      path.join(copy, "package.json"),
      JSON.stringify({ name: "trailwatch-cdktn", private: true, dependencies: deps }, null, 2),
    );
    console.error(
      `installing cdktn ${CDKTN}, @cdktn/provider-aws ${CDKTN_AWS}, @cdktn/hcl2json ${CDKTN_HCL2JSON} ...`,
    );
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts"], {
      cwd: copy,
      stdio: "inherit",
    });
    let differences = 0;
    for (const config of configs) {
      const ours = path.join(work, "ours");
      const theirs = path.join(work, "theirs");
      rmSync(ours, { recursive: true, force: true });
      rmSync(theirs, { recursive: true, force: true });
      synth(ROOT, path.resolve(config), ours, "json");
      synth(copy, path.resolve(config), theirs, "json");
      const a = stacks(ours);
      const b = stacks(theirs);
      for (const s of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
        const [pa, pb] = [a[s], b[s]].map((x) => x?.terraform?.required_providers?.aws ?? {});
        const found = diff(comparable(a[s] ?? {}), comparable(b[s] ?? {}));
        console.log(
          `${path.basename(config)} ${s}: provider pin cdktf ${pa.version} -> cdktn ${pb.version}; ` +
            `source "${pa.source}" -> "${pb.source}" (both ${fullSource(pa.source ?? "")}); ` +
            `${found.length} other difference(s)`,
        );
        for (const d of found.slice(0, 20)) console.log(`  ${d}`);
        differences += found.length;
      }
      // HCL (`--hcl`): cdktn's HCL renderer under trailwatch's strings, checked the same way.
      rmSync(ours, { recursive: true, force: true });
      rmSync(theirs, { recursive: true, force: true });
      synth(ROOT, path.resolve(config), ours, "hcl");
      synth(copy, path.resolve(config), theirs, "hcl");
      const ha = hclStacks(ours);
      const hb = hclStacks(theirs);
      for (const s of [...new Set([...Object.keys(ha), ...Object.keys(hb)])]) {
        const found = hclDiff(comparableHcl(ha[s] ?? ""), comparableHcl(hb[s] ?? ""));
        console.log(
          `${path.basename(config)} ${s} (HCL, ${(ha[s] ?? "").split("\n").length} lines): ${found.length} difference(s) apart from the provider pin and source spelling`,
        );
        for (const d of found) console.log(`  ${d}`);
        differences += found.length;
      }
    }
    return differences === 0 ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main();
