/**
 * Terraform string templates, split into their literal text and their template sequences.
 *
 * A string of a `.tf.json` file and a quoted string or heredoc of a `.tf` file are the same
 * template language (Terraform language, "Strings and Templates"): `${ expr }` interpolates,
 * `%{ directive }` is a directive, and `$${` / `%%{` are the escapes for a literal `${` / `%{`.
 * Only the way the literal text is written differs (JSON escapes, HCL quoted-string escapes, or
 * none in a heredoc), so converting a template from JSON to HCL means re-writing the literal
 * parts and keeping every sequence exactly as it is.
 */

/** A run of literal text (escapes `$${` and `%%{` included as written), or one whole `${…}` / `%{…}`. */
export interface TemplatePart {
  readonly kind: "literal" | "sequence";
  readonly text: string;
}

/** Raised when a template has a `${` or `%{` without its closing brace: Terraform rejects it too. */
export class TemplateSyntaxError extends Error {
  constructor(
    readonly template: string,
    readonly at: number,
  ) {
    super(
      `unterminated template sequence at character ${at} of ${JSON.stringify(template.length > 120 ? `${template.slice(0, 117)}...` : template)}`,
    );
    this.name = "TemplateSyntaxError";
  }
}

/**
 * The end (exclusive) of the quoted string starting at `s[start] === '"'` inside an expression:
 * HCL quoted strings take backslash escapes and may hold nested template sequences.
 */
function endOfQuoted(s: string, start: number, template: string): number {
  let i = start + 1;
  while (i < s.length) {
    const c = s[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else if ((c === "$" || c === "%") && s[i + 1] === c && s[i + 2] === "{") i += 3;
    else if ((c === "$" || c === "%") && s[i + 1] === "{") i = endOfSequence(s, i, template);
    else i++;
  }
  throw new TemplateSyntaxError(template, start);
}

/** The end (exclusive) of the `${…}` or `%{…}` starting at `start`, honouring nested braces and strings. */
function endOfSequence(s: string, start: number, template: string): number {
  let depth = 0;
  let i = start + 1;
  while (i < s.length) {
    const c = s[i];
    if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) return i + 1;
    } else if (c === '"') {
      i = endOfQuoted(s, i, template);
      continue;
    }
    i++;
  }
  throw new TemplateSyntaxError(template, start);
}

/**
 * Splits `template` into literal runs and template sequences; joining the parts' `text` gives
 * `template` back. `$${` and `%%{` stay in the literal text (they are its escapes).
 *
 * @throws TemplateSyntaxError for a sequence without its closing brace.
 */
export function splitTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if ((c === "$" || c === "%") && template[i + 1] === c && template[i + 2] === "{") {
      literal += template.slice(i, i + 3);
      i += 3;
    } else if ((c === "$" || c === "%") && template[i + 1] === "{") {
      if (literal) parts.push({ kind: "literal", text: literal });
      literal = "";
      const end = endOfSequence(template, i, template);
      parts.push({ kind: "sequence", text: template.slice(i, end) });
      i = end;
    } else {
      literal += c;
      i++;
    }
  }
  if (literal) parts.push({ kind: "literal", text: literal });
  return parts;
}
