/**
 * Turns a synthesized cdktf output directory (JSON stacks) into HCL stacks: each
 * `stacks/<stack>/cdk.tf.json` becomes `stacks/<stack>/main.tf`, cdktf's own HCL rendering with
 * trailwatch's strings (src/hcl/render.ts), formatted and syntax-checked by `terraform fmt`
 * (src/hcl/format.ts) and proven equal to the JSON (src/hcl/verify.ts). Nothing of the JSON is
 * left beside it, and `manifest.json` names the HCL file (as cdktf's own `synth --hcl` does, with
 * the stack's `//` metadata in `metadata.json`), so `cdktf deploy` and plain `terraform` in the
 * stack directory both read the HCL.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { TerraformStack } from "cdktf";
import { formatHcl } from "./format";
import { HclRenderError } from "./render";
import { hclDifferences } from "./verify";

/** The HCL file of each stack, in place of cdktf's `cdk.tf.json`. */
export const HCL_STACK_FILE = "main.tf";
const JSON_STACK_FILE = "cdk.tf.json";
const METADATA_FILE = "metadata.json";

interface ManifestStack {
  synthesizedStackPath: string;
  stackMetadataPath?: string;
  workingDirectory: string;
}

/** A stack rendered as HCL, not yet checked against its JSON or written. */
export interface RenderedHclStack {
  readonly name: string;
  readonly json: unknown;
  readonly hcl: string;
  readonly metadata: unknown;
}

interface Manifest {
  stacks: Record<string, ManifestStack>;
}

const readManifest = (outdir: string): Manifest =>
  JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")) as Manifest;

/**
 * Renders every stack of `outdir` (just synthesized as JSON from `stacks`) as formatted HCL.
 * Synchronous: cdktf resolves tokens here. Nothing is written.
 *
 * @throws HclRenderError when a string cannot be written or Terraform rejects the HCL.
 */
export function renderHclStacks(
  outdir: string,
  stacks: readonly TerraformStack[],
): RenderedHclStack[] {
  const manifest = readManifest(outdir);
  return stacks.map((stack) => {
    const name = stack.node.id;
    const entry = manifest.stacks[name];
    const json: unknown = JSON.parse(
      readFileSync(path.join(outdir, entry.synthesizedStackPath), "utf8"),
    );
    const { hcl, metadata } = stack.toHclTerraform();
    return { name, json, hcl: formatHcl(hcl, name), metadata };
  });
}

/**
 * Proves each rendered stack's HCL means what its JSON means, then replaces every
 * `cdk.tf.json` of `outdir` with `main.tf` and updates the manifest. Every stack is checked
 * before anything in `outdir` changes.
 *
 * @throws HclRenderError naming the stack and each difference (nothing is changed then).
 */
export async function writeHclStacks(
  outdir: string,
  rendered: readonly RenderedHclStack[],
): Promise<void> {
  for (const r of rendered) {
    const found = await hclDifferences(r.json, r.hcl, `${r.name}/${HCL_STACK_FILE}`);
    if (found.length > 0)
      throw new HclRenderError(
        `the HCL rendered for ${r.name} does not mean what its JSON means, so nothing was written ` +
          `(render JSON, the default, instead); ${found.length} difference(s):\n` +
          found
            .slice(0, 20)
            .map((d) => `  - ${d}`)
            .join("\n"),
      );
  }
  const manifest = readManifest(outdir);
  for (const { name, hcl, metadata } of rendered) {
    const entry = manifest.stacks[name];
    const dir = path.join(outdir, entry.workingDirectory);
    rmSync(path.join(dir, JSON_STACK_FILE), { force: true });
    writeFileSync(path.join(dir, HCL_STACK_FILE), hcl);
    writeFileSync(path.join(dir, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
    entry.synthesizedStackPath = path.join(entry.workingDirectory, HCL_STACK_FILE);
    entry.stackMetadataPath = path.join(entry.workingDirectory, METADATA_FILE);
  }
  writeFileSync(path.join(outdir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}
