/**
 * Proves an HCL rendering means what the JSON rendering of the same stack means, before it is
 * written: the HCL is parsed back to Terraform JSON by @cdktf/hcl2json (HashiCorp's HCL parser,
 * the one Terraform uses, compiled to WebAssembly) and compared with the JSON, value by value.
 *
 * The two spell some things differently without a difference in meaning, and both sides are
 * brought to one spelling first:
 * - hcl2json lists every block (`resource "t" "n" {}`, `backend`, nested blocks) as an array of
 *   objects, where JSON may give a single object: an array of one object is that object;
 * - references in `depends_on`, `provider`, `lifecycle.ignore_changes` / `replace_triggered_by`,
 *   and `moved` / `import` addresses are bare in HCL (hcl2json: `"${aws_x.y}"`) and plain
 *   strings in JSON (`"aws_x.y"`);
 * - a heredoc written `chomp(<<EOT … EOT)` (src/hcl/literal.ts) is reported as its source;
 * - numbers and booleans compare by their text (`5` and `"5"` are the same to Terraform where a
 *   string is expected, and trailwatch writes no attribute where they would differ);
 * - cdktf's `//` metadata is not configuration, and its HCL always has a `required_providers`
 *   block, empty in a stack without providers, where the JSON has none.
 * Templates compare as template text on both sides (`${aws_x.y.arn}`, `$${literal}`), so a
 * reference, an escape or a single character that the HCL lost or gained is a difference.
 */
import { createRequire } from "node:module";
import { unchompHeredoc } from "./literal";

type Json = unknown;

const REFERENCE_KEYS = new Set([
  "depends_on",
  "provider",
  "ignore_changes",
  "replace_triggered_by",
]);
const ADDRESS_KEYS = new Set(["to", "from"]);

function unwrapReference(v: Json): Json {
  if (typeof v === "string") return /^\$\{(.*)\}$/s.exec(v)?.[1] ?? v;
  if (Array.isArray(v)) return v.map(unwrapReference);
  return v;
}

const isEmpty = (v: Json): boolean =>
  Array.isArray(v)
    ? v.every(isEmpty)
    : v !== null && typeof v === "object" && Object.keys(v).length === 0;

/** `doc` in the spelling both renderings share (see the module comment). */
export function normalizeTerraform(doc: Json, key = "", parent = ""): Json {
  if (Array.isArray(doc)) {
    if (doc.length === 1 && doc[0] !== null && typeof doc[0] === "object" && !Array.isArray(doc[0]))
      return normalizeTerraform(doc[0], key, parent);
    return doc.map((x) => normalizeTerraform(x, key, parent));
  }
  if (doc !== null && typeof doc === "object") {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(doc)) {
      if (k === "//") continue;
      if (k === "required_providers" && key === "terraform" && isEmpty(v)) continue;
      const isRef =
        REFERENCE_KEYS.has(k) || (ADDRESS_KEYS.has(k) && (key === "moved" || key === "import"));
      out[k] = isRef
        ? unwrapReference(normalizeTerraform(v, k, key))
        : normalizeTerraform(v, k, key);
    }
    return out;
  }
  if (typeof doc === "number" || typeof doc === "boolean") return String(doc);
  if (typeof doc === "string") return unchompHeredoc(doc) ?? doc;
  return doc;
}

/** One place where the two renderings differ, as `path: JSON … | HCL …`. */
export function differences(json: Json, hcl: Json, at = ""): string[] {
  if (JSON.stringify(json) === JSON.stringify(hcl)) return [];
  const show = (v: Json) => {
    const s = JSON.stringify(v) ?? "(absent)";
    return s.length > 160 ? `${s.slice(0, 157)}...` : s;
  };
  if (
    json !== null &&
    hcl !== null &&
    typeof json === "object" &&
    typeof hcl === "object" &&
    Array.isArray(json) === Array.isArray(hcl)
  ) {
    if (Array.isArray(json) && Array.isArray(hcl) && json.length !== hcl.length)
      return [`${at || "(top)"}: JSON has ${json.length} items, HCL ${hcl.length}`];
    const a = json as Record<string, Json>;
    const b = hcl as Record<string, Json>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differences(a[k], b[k], at ? `${at}.${k}` : k));
  }
  return [`${at || "(top)"}: JSON ${show(json)} | HCL ${show(hcl)}`];
}

/**
 * Parses HCL text into Terraform JSON with @cdktf/hcl2json, HashiCorp's own HCL parser compiled to
 * WebAssembly. Loaded on first use (starting it takes a second or more), with `require` rather
 * than `import()`: the synth bundle runs from V8's code cache (scripts/bundled.js), and Node 20
 * loses a cached script's `import()` loader (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
 */
export async function parseHcl(fileName: string, hcl: string): Promise<Json> {
  const hcl2json = createRequire(__filename)("@cdktf/hcl2json") as typeof import("@cdktf/hcl2json");
  return hcl2json.parse(fileName, hcl);
}

/**
 * The differences between a stack's JSON rendering and its HCL rendering, after both are brought
 * to one spelling; empty when they mean the same configuration.
 */
export async function hclDifferences(
  json: Json,
  hcl: string,
  fileName = "main.tf",
): Promise<string[]> {
  return differences(normalizeTerraform(json), normalizeTerraform(await parseHcl(fileName, hcl)));
}
