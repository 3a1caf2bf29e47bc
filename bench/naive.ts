/**
 * The naive baseline for the synth benchmark: a cdktf app written the way `cdktf init` sets one
 * up (run by ts-node, type-checked, importing the ROOT `@cdktf/provider-aws` barrel) that builds
 * the same stacks with the same resources as trailwatch's own synth output.
 *
 * It reads a spec made from trailwatch's synthesized stacks: for every resource its provider
 * class (found through the barrel's namespace for its lib module) and its top-level attributes,
 * set with `addOverride`, so the synthesized JSON is of the same size and shape. Config classes
 * and nested-block types are not reproduced (simplified, as the brief allows).
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

export interface NaiveSpec {
  readonly stacks: {
    readonly name: string;
    readonly region: string;
    readonly resources: {
      readonly ns: string;
      readonly cls: string;
      readonly id: string;
      readonly attrs: Record<string, unknown>;
    }[];
  }[];
}

/** The spec of a synthesized cdktf.out directory (what trailwatch rendered). */
export function specFromSynth(outdir: string): NaiveSpec {
  const stacksDir = path.join(outdir, "stacks");
  const stacks = readdirSync(stacksDir).map((name) => {
    const json = JSON.parse(readFileSync(path.join(stacksDir, name, "cdk.tf.json"), "utf8")) as {
      provider?: { aws?: { region?: string }[] };
      resource?: Record<string, Record<string, Record<string, unknown>>>;
    };
    const region = json.provider?.aws?.[0]?.region ?? "us-east-1";
    const resources = Object.entries(json.resource ?? {}).flatMap(([type, byName]) => {
      const { ns, cls } = classOf(type);
      return Object.entries(byName).map(([id, attrs]) => ({
        ns,
        cls,
        id,
        // Terraform meta-arguments refer to resources by address; drop them in the copy.
        attrs: Object.fromEntries(
          Object.entries(attrs).filter(([k]) => !["depends_on", "lifecycle", "//"].includes(k)),
        ),
      }));
    });
    return { name, region, resources };
  });
  return { stacks };
}

/** `aws_s3_bucket` -> namespace `s3Bucket` (lib/s3-bucket) and its class with that tfResourceType. */
function classOf(type: string): { ns: string; cls: string } {
  const kebab = type.replace(/^aws_/, "").replace(/_/g, "-");
  const ns = kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- one lib module per type, by name
  const mod = require(`@cdktf/provider-aws/lib/${kebab}`) as Record<string, unknown>;
  const cls = Object.entries(mod).find(
    ([, v]) =>
      typeof v === "function" && (v as { tfResourceType?: string }).tfResourceType === type,
  )?.[0];
  if (!cls) throw new Error(`no provider class for ${type}`);
  return { ns, cls };
}

const APP = `import * as fs from "fs";
import { App, S3Backend, TerraformStack } from "cdktf";
import * as aws from "@cdktf/provider-aws";

interface Spec {
  stacks: { name: string; region: string; resources: { ns: string; cls: string; id: string; attrs: Record<string, unknown> }[] }[];
}
type Ctor = new (scope: TerraformStack, id: string, config: object) => { addOverride(path: string, value: unknown): void };

const spec: Spec = JSON.parse(fs.readFileSync(process.env.NAIVE_SPEC as string, "utf8"));
const app = new App({ outdir: process.env.CDKTF_OUTDIR });
const lib = aws as unknown as Record<string, Record<string, Ctor>>;
for (const s of spec.stacks) {
  const stack = new TerraformStack(app, s.name);
  new aws.provider.AwsProvider(stack, "aws", { region: s.region });
  new S3Backend(stack, { bucket: "state", key: s.name + ".tfstate", region: "us-east-1" });
  for (const r of s.resources) {
    const resource = new lib[r.ns][r.cls](stack, r.id, {});
    for (const [k, v] of Object.entries(r.attrs)) resource.addOverride(k, v);
  }
}
app.synth();
`;

/** The tsconfig `cdktf init --template=typescript` writes. */
const TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true,
    declaration: true,
    experimentalDecorators: true,
    inlineSourceMap: true,
    inlineSources: true,
    lib: ["es2018"],
    module: "CommonJS",
    noEmitOnError: true,
    noFallthroughCasesInSwitch: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noImplicitThis: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    resolveJsonModule: true,
    strict: true,
    strictNullChecks: true,
    strictPropertyInitialization: true,
    stripInternal: true,
    target: "ES2018",
    skipLibCheck: true,
  },
  include: ["**/*.ts"],
  exclude: ["node_modules", "cdktf.out"],
};

/** Writes the naive app into `dir` (node_modules linked to this project's); returns main.ts. */
export function writeNaiveApp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
  writeFileSync(path.join(dir, "main.ts"), APP);
  return path.join(dir, "main.ts");
}
