/**
 * Sigma string values with wildcards, as the Sigma rules specification defines them
 * (SigmaHQ/sigma-specification, specification/sigma-rules-specification.md, "String Wildcard"
 * and "Escape Character"): `*` is any run of characters, `?` exactly one; `\` escapes `*`, `?`
 * and `\` itself, and a backslash before any other character is a plain backslash. So `\\` and
 * `\` before a letter are both one backslash, `\*` is a literal star, `\\*` a backslash then a
 * wildcard, and three or four backslashes are two. (pySigma's `SigmaString` parses the same way.)
 */

/** One piece of a Sigma string: literal text, or a wildcard. */
export type SigmaStringPart = { readonly text: string } | "*" | "?";

export type SigmaString = readonly SigmaStringPart[];

/** Parses a rule's string value into literal text and wildcards. */
export function parseSigmaString(raw: string): SigmaString {
  const parts: SigmaStringPart[] = [];
  let text = "";
  const flush = () => {
    if (text !== "") parts.push({ text });
    text = "";
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\") {
      const next = raw[i + 1];
      if (next === "*" || next === "?" || next === "\\") {
        text += next;
        i++;
      } else text += c;
    } else if (c === "*" || c === "?") {
      flush();
      parts.push(c);
    } else text += c;
  }
  flush();
  return parts;
}

/** A Sigma string of plain text, no wildcards. */
export const plainSigmaString = (text: string): SigmaString => (text === "" ? [] : [{ text }]);

export function hasWildcards(s: SigmaString): boolean {
  return s.some((p) => typeof p === "string");
}

/** The literal text of a string without wildcards; throws when it has some. */
export function literalText(s: SigmaString): string {
  return s
    .map((p) => {
      if (typeof p === "string") throw new Error("the value has wildcards");
      return p.text;
    })
    .join("");
}

/** `*` + s + `*`, without doubling a wildcard already there. */
export function surround(s: SigmaString, start: boolean, end: boolean): SigmaString {
  const out = [...s];
  if (start && out[0] !== "*") out.unshift("*");
  if (end && out[out.length - 1] !== "*") out.push("*");
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** An anchored regular expression source for the whole string (`*` -> `[\s\S]*`). */
export function sigmaStringRegExpSource(s: SigmaString): string {
  return `^${s
    .map((p) => (p === "*" ? "[\\s\\S]*" : p === "?" ? "[\\s\\S]" : escapeRegExp(p.text)))
    .join("")}$`;
}

/** How the string reads in a rule, with wildcards and escapes, for messages. */
export function formatSigmaString(s: SigmaString): string {
  return s.map((p) => (typeof p === "string" ? p : p.text.replace(/[*?\\]/g, "\\$&"))).join("");
}
