import { TerraformElement, type TerraformStack } from "cdktf";

/**
 * User strings reach Terraform literally: the one place where trailwatch escapes them.
 *
 * Terraform parses every string of a `.tf.json` file (values, and the keys of maps such as
 * `tags`) as a template: `${…}` is an interpolation and `%{…}` a directive, so
 * `sec${team}@example.com` fails to plan ("Extra characters after interpolation expression") and
 * `a%{b` is a syntax error. Their escapes are `$${` and `%%{` (Terraform language, "Strings and
 * Templates"; JSON syntax, "Expression mapping"). cdktf does not escape them: it passes a literal
 * `${…}` through on purpose, as a raw Terraform expression, and its `Fn.rawString` escapes only
 * `${` and only inside function calls.
 *
 * trailwatch writes every Terraform expression as a cdktf token (resource attributes, `Fn.*`),
 * never as `${…}` text. So before cdktf resolves tokens, every `${` and `%{` left in an element's
 * configuration is literal text (a configured e-mail address, tag, description, query, the
 * `${region}` placeholder Athena's partition projection needs, an IAM policy variable in a policy
 * document) and is escaped here, once, for the whole stack (`withLiteralStrings`), whatever path
 * the string took. Terraform then reads back exactly the text that was configured.
 */

/** cdktf's marker for an unresolved string token: `${TfToken[TOKEN.12]}`. */
const TOKEN = /(\$\{TfToken\[[A-Za-z0-9:._-]+\]\})/;

/**
 * `s` with `${` and `%{` doubled to `$${` and `%%{`, so Terraform's template parser reads back
 * `s`. cdktf tokens inside `s` are kept, so they still resolve to references. A `$` or `%` not
 * followed by `{` needs no escape (`100%`, `$.field`); `$${x}` becomes `$$${x}`, which Terraform
 * reads as `$${x}`.
 */
export function terraformLiteral(s: string): string {
  // Most strings hold no brace at all: nothing to escape, and no token (tokens hold `${`).
  if (!s.includes("{")) return s;
  return (
    s
      .split(TOKEN)
      // A function replacement: in a replacement string "$$" would mean one "$".
      .map((part, i) =>
        i % 2 === 1 ? part : part.replace(/([$%])\{/g, (_m, c: string) => `${c}${c}{`),
      )
      .join("")
  );
}

/**
 * `value` with `terraformLiteral` applied to every string and every object key, through plain
 * objects and arrays. Other objects (cdktf's unresolved tokens and expressions) are kept as they
 * are: they render Terraform expressions, not literal text. Object keys whose value is
 * `undefined` are left out (cdktf would drop them too). `value` is never modified: an object or
 * array is copied only where something in it was escaped or left out, and returned as it is
 * otherwise.
 */
export function escapeLiterals(value: unknown): unknown {
  if (typeof value === "string") return terraformLiteral(value);
  if (Array.isArray(value)) {
    // A new array only when an element changed: most configuration has nothing to escape.
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = escapeLiterals(value[i]);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (value !== null && typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    let changed = false;
    const escaped: [string, unknown][] = [];
    for (const [k, v] of Object.entries(value)) {
      // Provider classes set every attribute they know, most to undefined; Terraform JSON has no
      // undefined and cdktf drops them while resolving, at the cost of a resolve per key.
      if (v === undefined) {
        changed = true;
        continue;
      }
      const [ek, ev] = [terraformLiteral(k), escapeLiterals(v)];
      if (ek !== k || ev !== v) changed = true;
      escaped.push([ek, ev]);
    }
    return changed ? Object.fromEntries(escaped) : value;
  }
  return value;
}

/**
 * Runs `render` (the stack's `toTerraform` or `toHclTerraform`) with every element's own
 * configuration escaped by `escapeLiterals` before cdktf resolves its tokens. The elements are
 * left as they were afterwards, so rendering twice never escapes twice.
 */
export function withLiteralStrings<T>(stack: TerraformStack, render: () => T): T {
  const elements = stack.node.findAll().filter(TerraformElement.isTerraformElement);
  const patched = elements.map((element) => {
    const e = element as unknown as Record<"toTerraform" | "toHclTerraform", () => unknown>;
    const json = e.toTerraform;
    const hcl = e.toHclTerraform;
    e.toTerraform = () => escapeLiterals(json.call(element));
    e.toHclTerraform = () => escapeLiterals(hcl.call(element));
    return e;
  });
  try {
    return render();
  } finally {
    for (const e of patched) {
      delete (e as Partial<typeof e>).toTerraform;
      delete (e as Partial<typeof e>).toHclTerraform;
    }
  }
}
