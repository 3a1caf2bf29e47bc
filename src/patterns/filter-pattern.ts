/**
 * CloudWatch Logs filter patterns: parser, evaluator and canonical formatter. The renderer from a
 * detection `Condition` is in filter-pattern-render.ts.
 *
 * Semantics follow AWS's "Filter and pattern syntax" page of the CloudWatch Logs user guide
 * (awsdocs/amazon-cloudwatch-logs-user-guide, doc_source/FilterAndPatternSyntax.md):
 *
 * - JSON patterns are `{ ... }`. Selectors start at `$.`; property names are letters, digits,
 *   `-` and `_`; array elements are `[N]` after a property (`$.a[0].b`, `$.a[0][1]`).
 * - `=` / `!=` compare with a string (quoted, or unquoted when it is letters, digits, `_ . - +`)
 *   or a number. `*` is a wildcard only at the start and/or end of a value (`*Event`, `Event*`,
 *   `*html*`, `*` alone = any value); elsewhere it is a literal (`Ev*ent` matches only "Ev*ent").
 * - `<`, `<=`, `>`, `>=` take a number (integer, decimal, optional sign, optional exponent).
 * - The selector must point to a value node (string or number): an array or object matches
 *   neither `=` nor `!=`. `IS NULL` holds only for an explicit null, `NOT EXISTS` only for an
 *   absent field, `IS TRUE` / `IS FALSE` only for booleans. (`IS NOT` and `EXISTS` are not
 *   supported by AWS, so they are syntax errors here.)
 * - `&&` binds tighter than `||`; parentheses group. Matching is case-sensitive.
 * - Text patterns: every plain term must appear (as a substring: `ERROR` matches "ERRORCODE"),
 *   `?a ?b` matches when any appears, `-term` excludes, `"quoted phrases"` match literally, the
 *   empty pattern and `" "` match everything. Terms with characters other than letters, digits
 *   and `_` must be quoted.
 *
 * Not supported (parse error): space-delimited `[...]` patterns and `%regex%` patterns.
 */

/**
 * Whether `$.f != value` matches an event that has no `f` at all. The AWS docs do not say; the
 * documented rule is that the selector must resolve to a value node for `=`/`!=` to apply, and
 * a user report tested in the CloudWatch console (DataBiosphere/azul#5884: `$.userIdentity.invokedBy
 * != "cloudfront.amazonaws.com"` did not match a record without `invokedBy`) agrees. So: no match.
 * Patterns that must hold either way can add `|| ($.f NOT EXISTS)` or `&& ($.f = *)` explicitly;
 * `EvalOptions.notEqualsMatchesMissingField` flips it so tests can check both readings.
 */
export const NOT_EQUALS_MATCHES_MISSING_FIELD = false;

export class FilterPatternError extends Error {
  readonly position: number;

  constructor(message: string, position: number) {
    super(message);
    this.name = "FilterPatternError";
    this.position = position;
  }
}

export type Comparator = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type FilterValue =
  | { kind: "string"; value: string; quoted: boolean }
  | { kind: "number"; value: number; raw: string };

export type FilterExpr =
  | { op: "and"; terms: FilterExpr[] }
  | { op: "or"; terms: FilterExpr[] }
  | { op: "cmp"; selector: string; comparator: Comparator; value: FilterValue }
  | { op: "isNull" | "notExists" | "isTrue" | "isFalse"; selector: string };

/** One term of a text pattern: `ERROR` (required), `?ERROR` (optional), `-ERROR` (excluded). */
export type TextTerm = {
  mode: "required" | "optional" | "excluded";
  text: string;
  /** Written as a `"quoted phrase"`. Matching does not depend on it. */
  quoted: boolean;
};

export type FilterPattern =
  { kind: "json"; expr: FilterExpr } | { kind: "text"; terms: TextTerm[] };

export type EvalOptions = { notEqualsMatchesMissingField?: boolean };

// ---------------------------------------------------------------------------------------------
// Parsing

type PathStep = string | number;

const NUMBER_RE = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isWordChar = (c: string): boolean =>
  (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || isDigit(c) || c === "_";
const isNameChar = (c: string): boolean => isWordChar(c) || c === "-";
// Unquoted values: the documented alphanumerics plus what AWS's own examples use unquoted
// (`kms.amazonaws.com`, `123.123.*`, `+1000`, `1e-3`). Anything else must be quoted.
const isBareValueChar = (c: string): boolean =>
  isWordChar(c) || c === "." || c === "-" || c === "+" || c === "*";
const isSpace = (c: string): boolean =>
  c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";

class Parser {
  pos = 0;

  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  get char(): string {
    return this.text.charAt(this.pos);
  }

  skipSpace(): void {
    while (!this.done && isSpace(this.char)) this.pos++;
  }

  eat(s: string): boolean {
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  /** Eats a keyword only when it is a whole word (`IS` but not `ISX`). */
  eatWord(word: string): boolean {
    const end = this.pos + word.length;
    if (!this.text.startsWith(word, this.pos) || isWordChar(this.text.charAt(end))) return false;
    this.pos = end;
    return true;
  }

  fail(expected: string, at = this.pos): never {
    throw new FilterPatternError(
      `unexpected ${this.describe(at)} at position ${at}: expected ${expected}`,
      at,
    );
  }

  private describe(at: number): string {
    if (at >= this.text.length) return "end of pattern";
    let end = at + 1;
    if (isWordChar(this.text.charAt(at))) {
      while (end < this.text.length && isWordChar(this.text.charAt(end))) end++;
    }
    return JSON.stringify(this.text.slice(at, end));
  }

  // pattern := "{" or "}"
  json(): FilterExpr {
    this.skipSpace();
    if (!this.eat("{")) this.fail('"{"');
    const expr = this.or();
    this.skipSpace();
    if (!this.eat("}")) this.fail('"&&", "||" or "}"');
    this.skipSpace();
    if (!this.done) this.fail("end of pattern");
    return expr;
  }

  // or := and ("||" and)*
  private or(): FilterExpr {
    const terms = [this.and()];
    for (;;) {
      this.skipSpace();
      if (!this.eat("||")) break;
      terms.push(this.and());
    }
    return terms.length === 1 ? terms[0] : { op: "or", terms };
  }

  // and := primary ("&&" primary)*
  private and(): FilterExpr {
    const terms = [this.primary()];
    for (;;) {
      this.skipSpace();
      if (!this.eat("&&")) break;
      terms.push(this.primary());
    }
    return terms.length === 1 ? terms[0] : { op: "and", terms };
  }

  // primary := "(" or ")" | condition
  private primary(): FilterExpr {
    this.skipSpace();
    if (this.eat("(")) {
      const inner = this.or();
      this.skipSpace();
      if (!this.eat(")")) this.fail('"&&", "||" or ")"');
      return inner;
    }
    if (this.char !== "$") this.fail("a selector");
    return this.condition();
  }

  // condition := selector (IS NULL|TRUE|FALSE | NOT EXISTS | comparator value)
  private condition(): FilterExpr {
    const selector = formatPath(this.selector());
    this.skipSpace();
    if (this.eatWord("IS")) {
      this.skipSpace();
      if (this.eatWord("NULL")) return { op: "isNull", selector };
      if (this.eatWord("TRUE")) return { op: "isTrue", selector };
      if (this.eatWord("FALSE")) return { op: "isFalse", selector };
      this.fail('"NULL", "TRUE" or "FALSE"');
    }
    if (this.eatWord("NOT")) {
      this.skipSpace();
      if (this.eatWord("EXISTS")) return { op: "notExists", selector };
      this.fail('"EXISTS"');
    }
    const comparator = this.comparator();
    this.skipSpace();
    const valueAt = this.pos;
    const value = this.value();
    if (comparator !== "=" && comparator !== "!=" && value.kind !== "number") {
      this.fail(`a number after "${comparator}"`, valueAt);
    }
    return { op: "cmp", selector, comparator, value };
  }

  private comparator(): Comparator {
    // Two-character operators first so "<=" is not read as "<".
    for (const op of ["!=", "<=", ">=", "=", "<", ">"] as const) if (this.eat(op)) return op;
    return this.fail('a comparison operator ("=", "!=", "<", "<=", ">", ">="), IS or NOT EXISTS');
  }

  // selector := "$" ("." name | "[" digits "]")+, starting with a property
  selector(): PathStep[] {
    if (!this.eat("$")) this.fail("a selector");
    if (!this.eat(".")) this.fail('"." after "$"');
    const path: PathStep[] = [this.name()];
    for (;;) {
      if (this.eat(".")) path.push(this.name());
      else if (this.eat("[")) {
        const start = this.pos;
        while (!this.done && isDigit(this.char)) this.pos++;
        if (this.pos === start) this.fail("an array index");
        const index = Number(this.text.slice(start, this.pos));
        if (!Number.isSafeInteger(index)) this.fail("a smaller array index", start);
        if (!this.eat("]")) this.fail('"]"');
        path.push(index);
      } else return path;
    }
  }

  private name(): string {
    const start = this.pos;
    while (!this.done && isNameChar(this.char)) this.pos++;
    if (this.pos === start) this.fail("a property name (letters, digits, - or _)");
    return this.text.slice(start, this.pos);
  }

  private value(): FilterValue {
    if (this.char === '"') {
      // AWS documents no escape sequences, so a quoted string runs to the next `"`.
      const close = this.text.indexOf('"', this.pos + 1);
      if (close < 0) this.fail('a closing """', this.text.length);
      const value = this.text.slice(this.pos + 1, close);
      this.pos = close + 1;
      return { kind: "string", value, quoted: true };
    }
    const start = this.pos;
    while (!this.done && isBareValueChar(this.char)) this.pos++;
    if (this.pos === start)
      this.fail("a value (quote values with characters other than a-z 0-9 _ . - +)");
    const raw = this.text.slice(start, this.pos);
    if (!NUMBER_RE.test(raw)) return { kind: "string", value: raw, quoted: false };
    const value = Number(raw);
    if (!Number.isFinite(value)) this.fail("a number within range", start);
    return { kind: "number", value: value === 0 ? 0 : value, raw };
  }

  // text := (("?" | "-")? (word | "quoted phrase"))*
  textTerms(): TextTerm[] {
    const terms: TextTerm[] = [];
    for (;;) {
      this.skipSpace();
      if (this.done) break;
      const mode = this.eat("?") ? "optional" : this.eat("-") ? "excluded" : "required";
      if (this.char === '"') {
        const close = this.text.indexOf('"', this.pos + 1);
        if (close < 0) this.fail('a closing """', this.text.length);
        terms.push({ mode, text: this.text.slice(this.pos + 1, close), quoted: true });
        this.pos = close + 1;
      } else {
        const start = this.pos;
        while (!this.done && isWordChar(this.char)) this.pos++;
        if (this.pos === start) {
          this.fail(
            terms.length === 0 && mode === "required"
              ? 'a term, a quoted phrase or "{" (space-delimited "[...]" and "%regex%" patterns are not supported)'
              : "a term (quote terms with characters other than letters, digits and _)",
          );
        }
        terms.push({ mode, text: this.text.slice(start, this.pos), quoted: false });
      }
      if (!this.done && !isSpace(this.char)) this.fail("a space between terms");
    }
    // The docs show `?a ?b` alone and plain/-terms alone; what AWS does with a mix is not
    // documented, so refuse it rather than guess.
    const optional = terms.filter((t) => t.mode === "optional").length;
    if (optional > 0 && optional < terms.length) {
      throw new FilterPatternError(
        "unexpected mix of ?terms and other terms at position 0: expected either only ?terms or none (AWS does not document the mix)",
        0,
      );
    }
    return terms;
  }
}

export const formatPath = (path: readonly PathStep[]): string =>
  "$" + path.map((s) => (typeof s === "number" ? `[${s}]` : `.${s}`)).join("");

/** Parses a selector such as `$.a.b[0]` (must be the whole string). */
export function parseSelector(selector: string): PathStep[] {
  const p = new Parser(selector);
  const path = p.selector();
  if (!p.done) p.fail("end of selector");
  return path;
}

export function parseFilterPattern(text: string): FilterPattern {
  const p = new Parser(text);
  p.skipSpace();
  if (p.char === "{") return { kind: "json", expr: p.json() };
  return { kind: "text", terms: p.textTerms() };
}

// ---------------------------------------------------------------------------------------------
// Evaluation: patterns compile once into closures; evaluating does no parsing and builds no regex.

type Check = (root: object) => boolean;
export type CompiledFilterPattern = (logEvent: unknown) => boolean;

const MISSING = Symbol("missing");

function resolve(root: unknown, path: readonly PathStep[]): unknown {
  let node = root;
  for (const step of path) {
    if (typeof step === "number") {
      if (!Array.isArray(node) || step >= node.length) return MISSING;
      node = node[step];
    } else {
      if (typeof node !== "object" || node === null || Array.isArray(node)) return MISSING;
      if (!Object.hasOwn(node, step)) return MISSING;
      node = (node as Record<string, unknown>)[step];
    }
  }
  return node;
}

/** `*` is a wildcard only as the first and/or last character; inside it is literal. */
function compileStringMatch(pattern: string): (s: string) => boolean {
  const leading = pattern.startsWith("*");
  let core = leading ? pattern.slice(1) : pattern;
  const trailing = core.endsWith("*");
  if (trailing) core = core.slice(0, -1);
  if (leading && trailing) return (s) => s.includes(core);
  if (leading) return (s) => s.endsWith(core);
  if (trailing) return (s) => s.startsWith(core);
  return (s) => s === core;
}

/** A number node, or a string node that spells a number (`"recipientAccountId": "1234"`). */
function numericValue(node: unknown): number | undefined {
  if (typeof node === "number") return node;
  if (typeof node === "string" && NUMBER_RE.test(node)) return Number(node);
  return undefined;
}

/** `=` against a value node (string or number); the caller has ruled out every other node. */
function compileEquals(value: FilterValue): (node: string | number) => boolean {
  if (value.kind === "number") {
    const n = value.value;
    return (node) => numericValue(node) === n;
  }
  const match = compileStringMatch(value.value);
  return (node) => match(typeof node === "string" ? node : String(node));
}

function compileOrdering(comparator: "<" | "<=" | ">" | ">=", n: number): (x: number) => boolean {
  switch (comparator) {
    case "<":
      return (x) => x < n;
    case "<=":
      return (x) => x <= n;
    case ">":
      return (x) => x > n;
    case ">=":
      return (x) => x >= n;
  }
}

function compileExpr(expr: FilterExpr, missingMatchesNotEquals: boolean): Check {
  switch (expr.op) {
    case "and": {
      const terms = expr.terms.map((t) => compileExpr(t, missingMatchesNotEquals));
      return (root) => {
        for (const t of terms) if (!t(root)) return false;
        return true;
      };
    }
    case "or": {
      const terms = expr.terms.map((t) => compileExpr(t, missingMatchesNotEquals));
      return (root) => {
        for (const t of terms) if (t(root)) return true;
        return false;
      };
    }
    case "isNull":
    case "isTrue":
    case "isFalse": {
      const path = parseSelector(expr.selector);
      const want = expr.op === "isNull" ? null : expr.op === "isTrue";
      return (root) => resolve(root, path) === want;
    }
    case "notExists": {
      const path = parseSelector(expr.selector);
      return (root) => resolve(root, path) === MISSING;
    }
    case "cmp": {
      const path = parseSelector(expr.selector);
      const { comparator, value } = expr;
      if (comparator === "=" || comparator === "!=") {
        const equals = compileEquals(value);
        const negate = comparator === "!=";
        const onMissing = negate && missingMatchesNotEquals;
        return (root) => {
          const node = resolve(root, path);
          if (node === MISSING) return onMissing;
          // Only value nodes take part: null, booleans, arrays and objects match neither = nor !=.
          if (typeof node !== "string" && typeof node !== "number") return false;
          return equals(node) !== negate;
        };
      }
      if (value.kind !== "number") throw new Error(`"${comparator}" needs a number`);
      const test = compileOrdering(comparator, value.value);
      return (root) => {
        const n = numericValue(resolve(root, path));
        return n !== undefined && test(n);
      };
    }
  }
}

function compileText(terms: readonly TextTerm[]): (line: string) => boolean {
  // A blank phrase is AWS's documented "match everything" pattern (`" "`), not a search for a space.
  const words = (mode: TextTerm["mode"]): string[] =>
    terms.filter((t) => t.mode === mode && t.text.trim() !== "").map((t) => t.text);
  const required = words("required");
  const optional = words("optional");
  const excluded = words("excluded");
  const anyBlankOptional = terms.some((t) => t.mode === "optional" && t.text.trim() === "");
  const needOptional = optional.length > 0 && !anyBlankOptional;
  return (line) => {
    for (const t of required) if (!line.includes(t)) return false;
    for (const t of excluded) if (line.includes(t)) return false;
    if (!needOptional) return true;
    for (const t of optional) if (line.includes(t)) return true;
    return false;
  };
}

/**
 * Compiles a pattern into a matcher. JSON patterns take a parsed JSON object or a raw JSON line
 * (a line that is not a JSON object never matches); text patterns take the raw line (an object
 * is matched against its JSON text, as CloudWatch sees the message).
 */
export function compileFilterPattern(
  pattern: string | FilterPattern,
  options: EvalOptions = {},
): CompiledFilterPattern {
  const parsed = typeof pattern === "string" ? parseFilterPattern(pattern) : pattern;
  if (parsed.kind === "text") {
    const test = compileText(parsed.terms);
    return (logEvent) =>
      test(typeof logEvent === "string" ? logEvent : (JSON.stringify(logEvent) ?? ""));
  }
  const check = compileExpr(
    parsed.expr,
    options.notEqualsMatchesMissingField ?? NOT_EQUALS_MATCHES_MISSING_FIELD,
  );
  return (logEvent) => {
    const root = typeof logEvent === "string" ? parseJsonObject(logEvent) : logEvent;
    return typeof root === "object" && root !== null && !Array.isArray(root) && check(root);
  };
}

function parseJsonObject(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

// Default-option matchers by pattern text, so `matchesFilterPattern(text, e)` in a loop parses once.
const compiledByText = new Map<string, CompiledFilterPattern>();
const compiledByPattern = new WeakMap<FilterPattern, CompiledFilterPattern>();
const MAX_CACHED_TEXTS = 1000;

export function matchesFilterPattern(
  pattern: string | FilterPattern,
  logEvent: unknown,
  options?: EvalOptions,
): boolean {
  if (options?.notEqualsMatchesMissingField !== undefined) {
    return compileFilterPattern(pattern, options)(logEvent);
  }
  let compiled =
    typeof pattern === "string" ? compiledByText.get(pattern) : compiledByPattern.get(pattern);
  if (!compiled) {
    compiled = compileFilterPattern(pattern);
    if (typeof pattern === "string") {
      if (compiledByText.size >= MAX_CACHED_TEXTS) compiledByText.clear();
      compiledByText.set(pattern, compiled);
    } else compiledByPattern.set(pattern, compiled);
  }
  return compiled(logEvent);
}

// ---------------------------------------------------------------------------------------------
// Normalization and formatting

/**
 * Canonical form: nested and/or flattened, terms de-duplicated and sorted by their text,
 * single-term groups unwrapped, selectors re-spelled, string values marked quoted (quoting does
 * not change meaning) and numbers spelled canonically (`+1000` and `1e3` become `1000`).
 */
export function normalizeFilterExpr(expr: FilterExpr): FilterExpr {
  switch (expr.op) {
    case "and":
    case "or": {
      const flat: FilterExpr[] = [];
      for (const term of expr.terms) {
        const n = normalizeFilterExpr(term);
        if (n.op === expr.op) flat.push(...n.terms);
        else flat.push(n);
      }
      const byText = new Map<string, FilterExpr>();
      for (const term of flat) byText.set(printExpr(term), term);
      const terms = [...byText.keys()].sort().map((k) => byText.get(k) as FilterExpr);
      return terms.length === 1 ? terms[0] : { op: expr.op, terms };
    }
    case "cmp":
      return {
        op: "cmp",
        selector: formatPath(parseSelector(expr.selector)),
        comparator: expr.comparator,
        value: normalizeValue(expr.value),
      };
    default:
      return { op: expr.op, selector: formatPath(parseSelector(expr.selector)) };
  }
}

function normalizeValue(value: FilterValue): FilterValue {
  if (value.kind === "string") return { kind: "string", value: value.value, quoted: true };
  const n = value.value === 0 ? 0 : value.value; // no -0
  return { kind: "number", value: n, raw: String(n) };
}

function printValue(value: FilterValue): string {
  if (value.kind === "number") return value.raw;
  if (value.value.includes('"')) {
    throw new Error(`a filter pattern string cannot contain '"': ${JSON.stringify(value.value)}`);
  }
  return `"${value.value}"`;
}

/** Prints without the braces; and/or terms are each parenthesised, as CIS/Security Hub write them. */
export function printExpr(expr: FilterExpr): string {
  switch (expr.op) {
    case "and":
    case "or":
      return expr.terms.map((t) => `(${printExpr(t)})`).join(expr.op === "and" ? " && " : " || ");
    case "cmp":
      return `${expr.selector} ${expr.comparator} ${printValue(expr.value)}`;
    case "isNull":
      return `${expr.selector} IS NULL`;
    case "notExists":
      return `${expr.selector} NOT EXISTS`;
    case "isTrue":
      return `${expr.selector} IS TRUE`;
    case "isFalse":
      return `${expr.selector} IS FALSE`;
  }
}

/** Canonical text, e.g. `{ ($.a = "x") && ($.b != "y") }`; parses back to `normalizeFilterExpr(expr)`. */
export function formatFilterExpr(expr: FilterExpr): string {
  return `{ ${printExpr(normalizeFilterExpr(expr))} }`;
}
