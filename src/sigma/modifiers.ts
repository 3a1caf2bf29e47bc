/**
 * Sigma value modifiers (SigmaHQ/sigma-specification, specification/sigma-appendix-modifiers.md,
 * v2.1.0): `field|mod1|mod2: value` applies the modifiers in order to every value of the field.
 *
 * - transformations: `contains`, `startswith`, `endswith` (wildcards around the value), `base64`,
 *   `base64offset` (the three shifted encodings; used with `contains`), `utf16le`/`wide`,
 *   `utf16be`, `utf16` (bytes, for a following `base64`), `windash` (every `-` or `/` starting a
 *   word also as `/`, `-`, en dash, em dash, horizontal bar);
 * - types: `re` (with `i`, `m`, `s`), `cidr`, `exists`, `fieldref`, `lt`/`lte`/`gt`/`gte`,
 *   `expand` (a placeholder), the time parts `minute` ... `year`;
 * - flags: `all` (every value must match, not one), `cased` (case-sensitive), `neq` (the field
 *   differs from every value).
 *
 * Errors (`SigmaRuleError`) name the field key and what is wrong: an unknown modifier, a modifier
 * on a value it does not apply to, `all` on a single value (the specification forbids it),
 * `base64` of a value with wildcards.
 */
import { BlockList, isIP } from "node:net";
import {
  formatSigmaString,
  hasWildcards,
  literalText,
  parseSigmaString,
  plainSigmaString,
  surround,
  type SigmaString,
} from "./sigma-string";

/** The rule breaks the Sigma specification (or uses something it does not define). */
export class SigmaRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SigmaRuleError";
  }
}

export type TimePart = "minute" | "hour" | "day" | "week" | "month" | "year";

/** One value of a field match, after the modifiers. */
export type SigmaValue =
  | { readonly kind: "string"; readonly value: SigmaString }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "boolean"; readonly value: boolean }
  /** `field: null`: the field is absent. */
  | { readonly kind: "null" }
  | { readonly kind: "regex"; readonly source: string; readonly flags: string }
  | { readonly kind: "cidr"; readonly network: string; readonly test: (ip: string) => boolean }
  | { readonly kind: "exists"; readonly value: boolean }
  | { readonly kind: "fieldref"; readonly field: string }
  | { readonly kind: "compare"; readonly op: "lt" | "lte" | "gt" | "gte"; readonly value: number }
  | { readonly kind: "placeholder"; readonly text: string }
  | { readonly kind: "time"; readonly part: TimePart; readonly value: number };

/** One `field|modifiers: value(s)` entry of a search identifier. */
export interface SigmaFieldMatch {
  /** Dotted path into the event; undefined for a keyword search over the whole event. */
  readonly field: string | undefined;
  /** The key as written, e.g. `userAgent|contains`, for messages. */
  readonly key: string;
  readonly modifiers: readonly string[];
  readonly values: readonly SigmaValue[];
  /** `|all`: every value must match (default: one). */
  readonly all: boolean;
  /** `|cased`: strings compare case-sensitively (default: case-insensitively). */
  readonly cased: boolean;
  /** `|neq`: the field differs from every value. */
  readonly negated: boolean;
}

const TRANSFORMS = new Set([
  "contains",
  "startswith",
  "endswith",
  "base64",
  "base64offset",
  "utf16le",
  "wide",
  "utf16be",
  "utf16",
  "windash",
]);
const TIME_PARTS = new Set<string>(["minute", "hour", "day", "week", "month", "year"]);
const COMPARE = new Set(["lt", "lte", "gt", "gte"]);
const REGEX_FLAGS: Record<string, string> = { i: "i", m: "m", s: "s" };
const FLAGS = new Set(["all", "cased", "neq"]);
const TYPES = new Set(["re", "cidr", "exists", "fieldref", "expand", ...COMPARE, ...TIME_PARTS]);

/** Every modifier the specification defines (plus the `re` sub-modifiers `i`, `m`, `s`). */
export const SIGMA_MODIFIERS: ReadonlySet<string> = new Set([
  ...TRANSFORMS,
  ...FLAGS,
  ...TYPES,
  ...Object.keys(REGEX_FLAGS),
]);

/** Intermediate values: text, or bytes between a UTF-16 and a base64 modifier. */
type Work =
  | SigmaValue
  | { readonly kind: "bytes"; readonly value: Buffer; readonly text: string | undefined };

const WINDASH = ["-", "/", "\u2013", "\u2014", "\u2015"];

/**
 * Applies the modifiers of `key` (`field|mod|mod`) to the raw YAML value(s) of a detection entry.
 * `raw` is a scalar or a list of scalars.
 */
export function fieldMatch(key: string, raw: unknown): SigmaFieldMatch {
  const [fieldName, ...modifiers] = key.split("|");
  const where = `"${key}"`;
  const field = fieldName === "" ? undefined : fieldName;
  const list = Array.isArray(raw) ? raw : [raw];
  if (Array.isArray(raw) && raw.length === 0) throw new SigmaRuleError(`${where} has no value`);
  for (const m of modifiers)
    if (!SIGMA_MODIFIERS.has(m))
      throw new SigmaRuleError(
        `${where}: unknown modifier "${m}"; the Sigma modifiers are ${[...SIGMA_MODIFIERS].join(", ")}`,
      );
  let values: Work[] = list.map((v) => initial(v, where));
  if (list.some((v) => v === null) && list.length > 1)
    throw new SigmaRuleError(
      `${where}: null cannot be part of a list of values (Sigma specification, "Special Field Values")`,
    );
  let all = false;
  let cased = false;
  let negated = false;
  let regexSeen = false;
  for (const m of modifiers) {
    if (m === "all") {
      all = true;
      continue;
    }
    if (m === "cased") {
      cased = true;
      continue;
    }
    if (m === "neq") {
      negated = true;
      continue;
    }
    if (m in REGEX_FLAGS) {
      if (!regexSeen) throw new SigmaRuleError(`${where}: "${m}" is a sub-modifier of "re"`);
      values = values.map((v) =>
        v.kind === "regex" && !v.flags.includes(REGEX_FLAGS[m])
          ? { ...v, flags: v.flags + REGEX_FLAGS[m] }
          : v,
      );
      continue;
    }
    if (m === "re") regexSeen = true;
    values = values.flatMap((v) => apply(m, v, where));
  }
  if (all && list.length < 2)
    throw new SigmaRuleError(
      `${where}: "all" needs a list of two or more values (the specification does not allow it on a single value)`,
    );
  return {
    field,
    key,
    modifiers,
    values: values.map((v) => (v.kind === "bytes" ? bytesToValue(v) : v)),
    all,
    cased,
    negated,
  };
}

function initial(v: unknown, where: string): Work {
  if (v === null) return { kind: "null" };
  if (typeof v === "string") return { kind: "string", value: parseSigmaString(v) };
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new SigmaRuleError(`${where}: ${v} is not a finite number`);
    return { kind: "number", value: v };
  }
  if (typeof v === "boolean") return { kind: "boolean", value: v };
  throw new SigmaRuleError(
    `${where}: values are strings, numbers, booleans or null, not ${Array.isArray(v) ? "a nested list" : "a map"}`,
  );
}

/** Text of a scalar for string modifiers (numbers and booleans are strings in Sigma). */
function asString(v: Work, m: string, where: string): SigmaString {
  if (v.kind === "string") return v.value;
  if (v.kind === "number" || v.kind === "boolean") return plainSigmaString(String(v.value));
  throw new SigmaRuleError(`${where}: "${m}" applies to strings, not to ${describe(v)}`);
}

function describe(v: Work): string {
  switch (v.kind) {
    case "null":
      return "null";
    case "regex":
      return "a regular expression";
    case "bytes":
      return "encoded bytes";
    default:
      return `a ${v.kind} value`;
  }
}

function plainText(v: Work, m: string, where: string): string {
  const s = asString(v, m, where);
  if (hasWildcards(s))
    throw new SigmaRuleError(
      `${where}: "${m}" cannot encode the wildcards in "${formatSigmaString(s)}"`,
    );
  return literalText(s);
}

function bytesOf(v: Work, m: string, where: string): Buffer {
  return v.kind === "bytes" ? v.value : Buffer.from(plainText(v, m, where), "utf8");
}

function bytesToValue(v: { value: Buffer; text: string | undefined }): SigmaValue {
  return { kind: "string", value: plainSigmaString(v.text ?? v.value.toString("latin1")) };
}

function apply(m: string, v: Work, where: string): Work[] {
  switch (m) {
    case "contains":
    case "startswith":
    case "endswith": {
      const s = v.kind === "bytes" ? plainSigmaString(v.value.toString("latin1")) : null;
      const base = s ?? asString(v, m, where);
      return [
        {
          kind: "string",
          value: surround(base, m !== "startswith", m !== "endswith"),
        },
      ];
    }
    case "base64":
      return [{ kind: "string", value: plainSigmaString(bytesOf(v, m, where).toString("base64")) }];
    case "base64offset":
      return base64Offsets(bytesOf(v, m, where)).map((text) => ({
        kind: "string",
        value: plainSigmaString(text),
      }));
    case "utf16le":
    case "wide":
    case "utf16be":
    case "utf16": {
      const text = plainText(v, m, where);
      let le = Buffer.from(text, "utf16le");
      if (m === "utf16be") le = Buffer.from(le).swap16();
      if (m === "utf16") le = Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
      return [{ kind: "bytes", value: le, text: undefined }];
    }
    case "windash": {
      const s = asString(v, m, where);
      return windashVariants(s).map((value) => ({ kind: "string", value }));
    }
    case "re": {
      const source = plainRaw(v, m, where);
      try {
        new RegExp(source);
      } catch (e) {
        throw new SigmaRuleError(
          `${where}: invalid regular expression ${JSON.stringify(source)}: ${(e as Error).message}`,
        );
      }
      return [{ kind: "regex", source, flags: "" }];
    }
    case "cidr":
      return [cidr(plainRaw(v, m, where), where)];
    case "exists": {
      if (v.kind === "boolean") return [{ kind: "exists", value: v.value }];
      if (v.kind === "string" && /^(true|false)$/i.test(formatSigmaString(v.value)))
        return [{ kind: "exists", value: /^true$/i.test(formatSigmaString(v.value)) }];
      throw new SigmaRuleError(`${where}: "exists" takes true or false`);
    }
    case "fieldref":
      return [{ kind: "fieldref", field: plainRaw(v, m, where) }];
    case "expand":
      return [{ kind: "placeholder", text: plainRaw(v, m, where) }];
    default:
      if (COMPARE.has(m) || TIME_PARTS.has(m)) {
        const n = v.kind === "number" ? v.value : Number.NaN;
        if (!Number.isFinite(n)) throw new SigmaRuleError(`${where}: "${m}" takes a number`);
        return COMPARE.has(m)
          ? [{ kind: "compare", op: m as "lt" | "lte" | "gt" | "gte", value: n }]
          : [{ kind: "time", part: m as TimePart, value: n }];
      }
      throw new SigmaRuleError(`${where}: unknown modifier "${m}"`);
  }
}

/** The value as written (escapes kept), for modifiers that take their own syntax. */
function plainRaw(v: Work, m: string, where: string): string {
  if (v.kind === "string") return formatSigmaString(v.value);
  if (v.kind === "number") return String(v.value);
  throw new SigmaRuleError(`${where}: "${m}" takes a string, not ${describe(v)}`);
}

function cidr(text: string, where: string): SigmaValue {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  const family = m ? isIP(m[1]) : 0;
  const prefix = m ? Number(m[2]) : -1;
  if (!m || family === 0 || prefix > (family === 4 ? 32 : 128))
    throw new SigmaRuleError(`${where}: "${text}" is not a CIDR range such as 10.0.0.0/8`);
  const list = new BlockList();
  list.addSubnet(m[1], prefix, family === 4 ? "ipv4" : "ipv6");
  return {
    kind: "cidr",
    network: text,
    test: (ip) => {
      const f = isIP(ip);
      return f !== 0 && list.check(ip, f === 4 ? "ipv4" : "ipv6");
    },
  };
}

/**
 * The three base64 encodings of `bytes` at offsets 0, 1 and 2 of a longer text, with the
 * characters that depend on the unknown neighbours cut off (as pySigma's `base64offset`).
 */
export function base64Offsets(bytes: Buffer): string[] {
  const cutStart = [0, 2, 3];
  const cutEnd = [0, 3, 2];
  return [0, 1, 2].map((i) => {
    const encoded = Buffer.concat([Buffer.alloc(i, " "), bytes]).toString("base64");
    const end = (bytes.length + i) % 3;
    return encoded.slice(cutStart[i], end === 0 ? undefined : -cutEnd[end]);
  });
}

/** Every spelling of the dashes that start a word (`-x` or `/x`). */
function windashVariants(s: SigmaString): SigmaString[] {
  let variants: SigmaString[] = [[]];
  let previous = " ";
  for (const part of s) {
    if (typeof part === "string") {
      variants = variants.map((v) => [...v, part]);
      previous = "x";
      continue;
    }
    let chunks: string[][] = [[""]];
    for (const c of part.text) {
      const options = (c === "-" || c === "/") && /\s/.test(previous) ? WINDASH : [c];
      chunks = chunks.flatMap((ch) => options.map((o) => [ch[0] + o]));
      previous = c;
    }
    variants = variants.flatMap((v) => chunks.map(([t]) => [...v, { text: t }]));
  }
  return variants;
}
