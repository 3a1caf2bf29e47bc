/**
 * cdktf's own HCL output (`TerraformStack.toHclTerraform`), with every string written correctly.
 *
 * cdktf 0.21 lays out blocks and attributes well, but writes strings wrongly in several ways
 * (cdktf lib/hcl/render.js): a string holding a reference and a quote is written unescaped
 * (`event_pattern = "{"detail-type":…"${aws_kms_key.k.arn}"…}"`, which Terraform rejects), a
 * backslash is never escaped (so `\"` in a value silently loses its backslash), a string that
 * starts with `[`, `{` or `"` in an untyped position is written as raw HCL, a multi-line string
 * gains a trailing newline, a heredoc holding a line `EOF` ends early, map keys are never escaped,
 * and `depends_on` / `lifecycle.ignore_changes` references are quoted (deprecated in Terraform).
 * cdktf is archived (2025-12-10), so these will not be fixed upstream.
 *
 * So cdktf keeps the layout and trailwatch writes the strings: before cdktf renders an element,
 * every string value, map key and reference in it is swapped for a unique placeholder (an
 * identifier cdktf writes unchanged, quoted or bare); afterwards each placeholder is replaced by
 * the string written as HCL (src/hcl/literal.ts), the key quoted, or the reference bare. Nothing
 * else of cdktf's output is touched. `src/hcl/verify.ts` then proves the result means what the
 * JSON rendering means.
 */
import { randomBytes } from "node:crypto";
import {
  DefaultTokenResolver,
  StringConcat,
  TerraformElement,
  Tokenization,
  type TerraformStack,
} from "cdktf";
import { heredocFits, heredocHcl, quotedHcl } from "./literal";

/** What a placeholder stands for: a string value, a map key, or a reference written bare. */
type SlotKind = "v" | "k" | "r";

interface Slot {
  readonly kind: SlotKind;
  readonly text: string;
}

/** Raised when cdktf's HCL cannot be completed into HCL with the JSON rendering's meaning. */
export class HclRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HclRenderError";
  }
}

/** Meta-arguments whose JSON strings are references, written bare in HCL (Terraform JSON syntax, "Resource blocks"). */
const REFERENCE_LISTS = new Set(["depends_on"]);
const REFERENCE_LIFECYCLE = new Set(["ignore_changes", "replace_triggered_by"]);

/** A cdktf attribute wrapper: `{ value, type, isBlock, storageClassType }` (or snake_case). */
function isWrapper(v: Record<string, unknown>): boolean {
  return (
    Object.prototype.hasOwnProperty.call(v, "value") &&
    ["type", "isBlock", "is_block", "storageClassType", "storage_class_type"].some((k) =>
      Object.prototype.hasOwnProperty.call(v, k),
    )
  );
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

class Placeholders {
  private readonly nonce = randomBytes(4).toString("hex");
  private readonly slots: Slot[] = [];
  private readonly pattern = new RegExp(`("?)__tw${this.nonce}([vkr])(\\d{7})__("?)`, "g");

  private make(kind: SlotKind, text: string): string {
    const n = this.slots.push({ kind, text }) - 1;
    return `__tw${this.nonce}${kind}${String(n).padStart(7, "0")}__`;
  }

  /**
   * `v` with its strings replaced. In `attrs` mode object keys are attribute and block names and
   * stay; in `expr` mode (a map, or any object in an expression) they are map keys and are
   * replaced too. A cdktf wrapper holding an object that is not a block holds a map or object
   * expression.
   */
  private value(v: unknown, mode: "attrs" | "expr" = "attrs"): unknown {
    if (typeof v === "string") return this.make("v", v);
    if (Array.isArray(v)) return v.map((x) => this.value(x, mode));
    if (!isPlainObject(v)) return v;
    if (isWrapper(v)) {
      const block = v.isBlock === true || v.is_block === true;
      return {
        ...v,
        value: this.value(v.value, !block && isPlainObject(v.value) ? "expr" : "attrs"),
      };
    }
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) =>
        mode === "expr"
          ? [this.make("k", k), this.value(x, "expr")]
          : [k, k === "//" ? x : this.value(x)],
      ),
    );
  }

  private reference(v: unknown): unknown {
    if (typeof v === "string") return this.make("r", v);
    if (Array.isArray(v)) return v.map((x) => this.reference(x));
    if (isPlainObject(v) && isWrapper(v)) return { ...v, value: this.reference(v.value) };
    return this.value(v);
  }

  /** The attributes of a resource, data source or import/moved block. */
  private attributes(attrs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(attrs).map(([k, v]) => {
        if (k === "//") return [k, v];
        if (REFERENCE_LISTS.has(k) || k === "provider") return [k, this.reference(v)];
        if (k === "lifecycle" && isPlainObject(v) && !isWrapper(v))
          return [
            k,
            Object.fromEntries(
              Object.entries(v).map(([lk, lv]) => [
                lk,
                REFERENCE_LIFECYCLE.has(lk) ? this.reference(lv) : this.value(lv),
              ]),
            ),
          ];
        return [k, this.value(v)];
      }),
    );
  }

  /** One element's resolved `toHclTerraform()` fragment with its strings replaced. */
  fragment(f: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [section, body] of Object.entries(f)) {
      if (body === undefined) continue;
      if ((section === "resource" || section === "data") && isPlainObject(body)) {
        out[section] = Object.fromEntries(
          Object.entries(body).map(([type, byName]) => [
            type,
            Object.fromEntries(
              Object.entries(byName as Record<string, Record<string, unknown>>).map(
                ([name, attrs]) => [name, this.attributes(attrs)],
              ),
            ),
          ]),
        );
      } else if ((section === "moved" || section === "import") && Array.isArray(body)) {
        out[section] = body.map((b: Record<string, unknown>) =>
          Object.fromEntries(
            Object.entries(b).map(([k, v]) => [
              k,
              k === "to" || k === "from" || k === "provider" ? this.reference(v) : this.value(v),
            ]),
          ),
        );
      } else if ((section === "output" || section === "locals") && isPlainObject(body)) {
        // An output's value and a local are expressions: their object keys are map keys.
        out[section] = Object.fromEntries(
          Object.entries(body).map(([name, def]) => [
            name,
            isPlainObject(def) && !isWrapper(def)
              ? Object.fromEntries(
                  Object.entries(def).map(([k, v]) => [
                    k,
                    this.value(v, k === "value" ? "expr" : "attrs"),
                  ]),
                )
              : this.value(def, "expr"),
          ]),
        );
      } else {
        out[section] = this.value(body);
      }
    }
    return out;
  }

  /**
   * `v` (JSON data such as the stack's metadata, which cdktf builds from the same fragments) with
   * every placeholder in its strings and keys replaced by the original text, unquoted.
   */
  restore(v: unknown): unknown {
    const text = (s: string) =>
      s.includes(`__tw${this.nonce}`)
        ? s.replace(
            this.pattern,
            (_m, open: string, _k, n: string, close: string) =>
              `${open}${this.slots[Number(n)].text}${close}`,
          )
        : s;
    if (typeof v === "string") return text(v);
    if (Array.isArray(v)) return v.map((x) => this.restore(x));
    if (!isPlainObject(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k), this.restore(x)]));
  }

  /** `hcl` with every placeholder replaced by its HCL; every placeholder must be found once. */
  substitute(hcl: string): string {
    const seen = new Set<number>();
    const out = hcl.replace(
      this.pattern,
      (_m, open: string, kind: SlotKind, n: string, close: string, at: number) => {
        const slot = this.slots[Number(n)];
        seen.add(Number(n));
        if (open !== close)
          throw new HclRenderError(
            `cdktf wrote a string half-quoted: ${JSON.stringify(slot.text)}`,
          );
        if (kind === "r") return bareReference(slot.text);
        if (kind === "k") return quotedHcl(slot.text);
        if (!open) return bareValue(slot.text);
        const endOfLine = hcl[at + _m.length] === "\n";
        return endOfLine && heredocFits(slot.text)
          ? heredocHcl(slot.text).slice(0, -1) // the line's own newline follows
          : quotedHcl(slot.text);
      },
    );
    if (out.includes(`__tw${this.nonce}`))
      throw new HclRenderError("a placeholder was left in the HCL output");
    return out;
  }
}

/** A JSON-syntax reference (`aws_s3_bucket.x`, `${aws_s3_bucket.x}`, `aws.us-east-1`) written bare. */
function bareReference(text: string): string {
  const ref = /^\$\{(.*)\}$/s.exec(text)?.[1] ?? text;
  if (!/^[A-Za-z_][\w-]*(\.[\w-]+|\[[^\]\s]+\])*$/.test(ref))
    throw new HclRenderError(`not a Terraform reference: ${JSON.stringify(text)}`);
  return ref;
}

/**
 * A string cdktf chose to write unquoted (a number or boolean attribute, a `moved` address): as
 * it is when it is a plain number, boolean or reference, else as a quoted template (what cdktf
 * itself does for a value holding `${`).
 */
function bareValue(text: string): string {
  return /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null|[A-Za-z_][\w-]*(\.[\w-]+)*)$/.test(text)
    ? text
    : quotedHcl(text);
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

type HclRender = ReturnType<TerraformStack["toHclTerraform"]>;

/**
 * Runs `render` (the stack's `toHclTerraform`) with every element's fragment resolved and its
 * strings replaced by placeholders, then writes the strings into the result (see the module
 * comment). The elements are left as they were.
 *
 * @throws HclRenderError when a string cannot be written (cdktf quoted it on one side only, a
 *   reference is not a reference) or a placeholder is left over.
 * @throws TemplateSyntaxError (src/hcl/template.ts) for a string with an unterminated `${`.
 */
export function withHclStrings(stack: TerraformStack, render: () => HclRender): HclRender {
  const placeholders = new Placeholders();
  const elements = stack.node.findAll().filter(TerraformElement.isTerraformElement);
  const saved = elements.map((element) => {
    const e = element as unknown as { toHclTerraform: () => Record<string, unknown> };
    const own = Object.prototype.hasOwnProperty.call(e, "toHclTerraform");
    const original = e.toHclTerraform;
    e.toHclTerraform = () =>
      placeholders.fragment(
        Tokenization.resolve(original.call(element), { scope: stack, resolver: RESOLVER }),
      );
    return { e, own, original };
  });
  try {
    const result = render();
    return {
      ...result,
      hcl: placeholders.substitute(result.hcl),
      metadata: placeholders.restore(result.metadata) as HclRender["metadata"],
    };
  } finally {
    for (const { e, own, original } of saved) {
      if (own) e.toHclTerraform = original;
      else delete (e as Partial<typeof e>).toHclTerraform;
    }
  }
}
