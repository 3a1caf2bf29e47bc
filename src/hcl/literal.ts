/**
 * A Terraform template (the text of a `.tf.json` string) written as an HCL string expression
 * with the same value: a quoted string, or a heredoc for multi-line text so a reviewer reads a
 * policy or a query as it is.
 *
 * HCL native syntax ("Template Expressions" in the HCL specification, Terraform language
 * "Strings and Templates"):
 * - quoted strings take the escapes `\\ \" \n \r \t \uNNNN`; inside a template sequence the
 *   expression is HCL source and is copied unchanged (its own quoted strings are already HCL);
 * - heredocs (`<<EOT` … `EOT`) take no backslash escapes, keep indentation, and always end with
 *   a newline: text without a final newline is written `chomp(<<EOT … EOT)`, which removes
 *   exactly that one newline (`chomp` removes trailing newlines, and the text has none of its own);
 * - in both, `${` and `%{` start template sequences and `$${` / `%%{` are literal, as in JSON.
 */
import { splitTemplate } from "./template";

/** Control characters other than newline and tab: written as escapes, never into a heredoc. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** The literal text of a template escaped for a quoted HCL string. */
function escapeLiteral(text: string): string {
  let out = "";
  for (const c of text) {
    if (c === "\\") out += "\\\\";
    else if (c === '"') out += '\\"';
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (CONTROL.test(c)) out += `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    else out += c;
  }
  return out;
}

/**
 * `template` as a quoted HCL string: literal text escaped, template sequences as they are.
 * @throws TemplateSyntaxError for an unterminated `${` or `%{`.
 */
export function quotedHcl(template: string): string {
  const body = splitTemplate(template)
    .map((p) => (p.kind === "literal" ? escapeLiteral(p.text) : p.text))
    .join("");
  return `"${body}"`;
}

/** Whether `template` reads better, and stays exact, as a heredoc: several lines, no CR or control characters. */
export function heredocFits(template: string): boolean {
  return template.includes("\n") && !template.includes("\r") && !CONTROL.test(template);
}

/** A heredoc delimiter that no line of `template` could be taken for (a closing marker may be indented). */
function delimiterFor(template: string): string {
  const lines = new Set(template.split("\n").map((l) => l.trim()));
  let d = "EOT";
  for (let n = 1; lines.has(d); n++) d = `EOT${n}`;
  return d;
}

/**
 * `template` as an HCL heredoc with exactly its value (see the module comment). The result ends
 * with a newline after the closing marker (or after `)`), as a heredoc's closing marker must end
 * its line. Only for text `heredocFits` accepts.
 * @throws TemplateSyntaxError for an unterminated `${` or `%{`.
 */
export function heredocHcl(template: string): string {
  splitTemplate(template); // the same syntax check as a quoted string gets
  const d = delimiterFor(template);
  return template.endsWith("\n")
    ? `<<${d}\n${template}${d}\n`
    : `chomp(<<${d}\n${template}\n${d}\n)\n`;
}

/**
 * Reads back what {@link heredocHcl} wrote for text without a final newline, as hcl2json reports it
 * (the expression's source, `${chomp(<<EOT\n…\nEOT\n)}`, after `terraform fmt` indented the `)`):
 * the text, or undefined when `s` is anything else.
 */
export function unchompHeredoc(s: string): string | undefined {
  const m = /^\$\{chomp\(<<(EOT\d*)\n([\s\S]*)\n\1\n[ \t]*\)\}$/.exec(s);
  return m ? m[2] : undefined;
}
