/**
 * The offline copy of a stack rendered as HCL (`npm run synth -- --hcl`, main.tf): the same
 * changes as for `cdk.tf.json` (offline-copy.ts), made on the text trailwatch wrote. main.tf is
 * always in `terraform fmt`'s layout (src/hcl/format.ts): every top-level block starts at column 0
 * and its closing brace is a line `}`; nested blocks are indented by two spaces. Heredoc bodies
 * (policies, queries) are skipped when looking for block ends, since a JSON policy's own last `}`
 * also stands at column 0 there.
 *
 * Where Terraform offers a way, it is used instead of editing the text: the provider settings go
 * into an override file (Terraform docs, "Override Files": arguments in an override block replace
 * the original's, and `null` unsets one). A backend cannot be removed by an override, and
 * `terraform init -backend=false` refuses a plan with any backend block, so that block is cut out,
 * as are the import blocks before the plan and the arguments 6.x renamed.
 */
import { HCL_STACK_FILE } from "../hcl/write";

/** The override file the offline copy adds beside main.tf (sorted last, as overrides must be). */
export const OFFLINE_OVERRIDE_FILE = "zz_offline_override.tf.json";

/** One top-level block of main.tf: its header words and its line range (end = the `}` line). */
export interface HclBlock {
  readonly type: string;
  readonly labels: readonly string[];
  readonly start: number;
  readonly end: number;
}

const HEADER = /^([A-Za-z_][\w-]*)((?: "[^"]*")*) \{$/;
const HEREDOC_START = /<<-?([A-Za-z_]\w*)\)?$/;

/**
 * The top-level blocks of a `terraform fmt`-formatted file, in order.
 *
 * @throws Error naming the line when a block does not close (not a file trailwatch wrote).
 */
export function topLevelBlocks(text: string): HclBlock[] {
  const lines = text.split("\n");
  const blocks: HclBlock[] = [];
  let open: { type: string; labels: string[]; start: number } | undefined;
  let heredoc: string | undefined;
  for (const [i, line] of lines.entries()) {
    if (heredoc !== undefined) {
      if (line.trim() === heredoc) heredoc = undefined;
      continue;
    }
    const h = HEREDOC_START.exec(line);
    if (h) {
      heredoc = h[1];
      continue;
    }
    if (!open) {
      const m = HEADER.exec(line);
      if (m)
        open = { type: m[1], labels: [...m[2].matchAll(/"([^"]*)"/g)].map((x) => x[1]), start: i };
    } else if (line === "}") {
      blocks.push({ ...open, end: i });
      open = undefined;
    }
  }
  if (open)
    throw new Error(
      `${HCL_STACK_FILE}: block "${open.type}" on line ${open.start + 1} does not close`,
    );
  return blocks;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * What offline-copy.ts's `offlineStack` needs to know of an HCL stack, in the Terraform JSON
 * shape: the backend and cloud blocks, the aws version pin, each `provider "aws"` block's alias and
 * whether it sets `allowed_account_ids`, the resources holding an argument 6.x renamed (`renamed`
 * lists `type`/`v6` pairs to look for), and how many import blocks there are.
 */
export function hclStackShape(
  text: string,
  renamed: readonly { readonly type: string; readonly v6: string }[],
): Json {
  const lines = text.split("\n");
  const body = (b: HclBlock) => lines.slice(b.start + 1, b.end);
  const shape: Json = { terraform: {}, provider: {}, resource: {}, import: [] };
  for (const b of topLevelBlocks(text)) {
    if (b.type === "terraform") {
      for (const l of body(b)) {
        const be = /^ {2}backend "([^"]+)" \{$/.exec(l);
        if (be) (shape.terraform.backend ??= {})[be[1]] = {};
        if (/^ {2}cloud \{$/.test(l)) shape.terraform.cloud = {};
      }
      const version = pinnedAwsVersionHcl(body(b).join("\n"));
      if (version) shape.terraform.required_providers = { aws: { version } };
    } else if (b.type === "provider" && b.labels[0] === "aws") {
      const p: Json = {};
      for (const l of body(b)) {
        const alias = /^ {2}alias\s*=\s*"([^"]*)"$/.exec(l);
        if (alias) p.alias = alias[1];
        if (/^ {2}allowed_account_ids\s*=/.test(l)) p.allowed_account_ids = [];
      }
      (shape.provider.aws ??= []).push(p);
    } else if (b.type === "resource") {
      const [type, name] = b.labels;
      for (const r of renamed)
        if (r.type === type && body(b).some((l) => new RegExp(`^ {2}${r.v6}\\s*=`).test(l)))
          ((shape.resource[type] ??= {})[name] ??= {})[r.v6] = true;
    } else if (b.type === "import") shape.import.push({});
  }
  if (shape.import.length === 0) delete shape.import;
  return shape;
}

/** The `version` of `aws` in `required_providers`, from main.tf's text (or a terraform block's body). */
export function pinnedAwsVersionHcl(text: string): string | undefined {
  const aws = /required_providers \{\n[\s\S]*?^\s*aws = \{\n([\s\S]*?)^\s*\}/m.exec(text);
  return aws ? /^\s*version\s*=\s*"([^"]+)"$/m.exec(aws[1])?.[1] : undefined;
}

/**
 * main.tf as Terraform may plan it offline, and the override file to write beside it, given the
 * stack shape `offlineStack` changed (`offline`, from `hclStackShape`): the backend and cloud
 * blocks cut out, the aws version pin set to `offline`'s, the arguments in `renames` renamed in
 * the resources `offline` lists them in, and every `provider "aws"` block's offline settings
 * (placeholder keys, skip flags, `allowed_account_ids = null`) in the override.
 */
export function offlineHcl(
  text: string,
  offline: Json,
  renames: readonly { readonly type: string; readonly v6: string; readonly v5: string }[],
): { text: string; override: Json } {
  const lines = text.split("\n");
  const drop = new Set<number>();
  const version: string | undefined = offline.terraform?.required_providers?.aws?.version;
  for (const b of topLevelBlocks(text)) {
    if (b.type === "terraform") {
      for (let i = b.start + 1; i < b.end; i++) {
        if (/^ {2}(backend "[^"]+"|cloud) \{$/.test(lines[i]))
          for (; i < b.end; i++) {
            drop.add(i);
            if (lines[i] === "  }") break;
          }
        else if (/^ {4}aws = \{$/.test(lines[i]) && version !== undefined)
          for (; i < b.end && lines[i] !== "    }"; i++)
            lines[i] = lines[i].replace(
              /^( {6}version\s*=\s*)"[^"]*"$/,
              `$1${JSON.stringify(version)}`,
            );
      }
    } else if (b.type === "resource") {
      const [type, name] = b.labels;
      for (const r of renames.filter((x) => x.type === type))
        if (offline.resource?.[type]?.[name]?.[r.v5] !== undefined)
          for (let i = b.start + 1; i < b.end; i++)
            lines[i] = lines[i].replace(new RegExp(`^( {2})${r.v6}(\\s*=)`), `$1${r.v5}$2`);
    }
  }
  // allowed_account_ids = null in every block: unsetting an argument that was not set is harmless.
  const providers = ((offline.provider?.aws ?? []) as Json[]).map((p) => ({
    ...p,
    allowed_account_ids: null,
  }));
  return {
    text: lines.filter((_, i) => !drop.has(i)).join("\n"),
    override: providers.length > 0 ? { provider: { aws: providers } } : {},
  };
}

/** main.tf without its import blocks; `count` is how many there were. */
export function hclWithoutImports(text: string): { text: string; count: number } {
  const lines = text.split("\n");
  const imports = topLevelBlocks(text).filter((b) => b.type === "import");
  const drop = new Set(imports.flatMap((b) => range(b.start, b.end)));
  return { text: lines.filter((_, i) => !drop.has(i)).join("\n"), count: imports.length };
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => from + k);
