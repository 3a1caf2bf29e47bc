/**
 * The `condition` of a Sigma rule (SigmaHQ/sigma-specification, sigma-rules-specification.md,
 * "Condition"): search identifiers joined by `and`, `or`, `not` and parentheses, and
 * `1 of <pattern>` / `all of <pattern>` / `1 of them` / `all of them`, where a pattern matches
 * identifiers with `*` and `them` means every identifier not starting with `_`. Precedence, least
 * to most binding: or, and, not, x of, parentheses. Keywords are case-insensitive here.
 *
 * The obsolete aggregation suffix (`selection | count() by field > 10`, superseded by correlation
 * rules) is parsed so tools can say what it asks for; `near` is recognized and kept as text.
 */
import { SigmaRuleError } from "./modifiers";

export type SigmaConditionExpr =
  | { readonly op: "and" | "or"; readonly terms: readonly SigmaConditionExpr[] }
  | { readonly op: "not"; readonly term: SigmaConditionExpr }
  | { readonly op: "ref"; readonly name: string };

export interface SigmaAggregation {
  /** The text after `|`, for messages. */
  readonly text: string;
  /** `count`, `min`, `max`, `avg`, `sum`, or `near`. */
  readonly func: string;
  /** The field inside the parentheses (`count(field)` counts distinct values). */
  readonly field?: string;
  readonly groupBy?: string;
  readonly comparator?: "<" | "<=" | ">" | ">=" | "=" | "==";
  readonly value?: number;
}

export interface ParsedCondition {
  readonly expr: SigmaConditionExpr;
  readonly aggregation?: SigmaAggregation;
}

type Token = { text: string; pos: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(\(|\)|[^\s()]+)/gy;
  let end = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    tokens.push({ text: m[1], pos: m.index + m[0].indexOf(m[1]) });
    end = re.lastIndex;
  }
  if (text.slice(end).trim() !== "")
    throw new SigmaRuleError(`condition "${text}": cannot read it at position ${end}`);
  return tokens;
}

const KEYWORDS = new Set(["and", "or", "not", "of", "them", "all", "1", "any"]);

/** `*` in an identifier pattern matches any run of characters. */
function globMatcher(pattern: string): (name: string) => boolean {
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  const re = new RegExp(`^${source}$`);
  return (name) => re.test(name);
}

class Parser {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
    private readonly identifiers: readonly string[],
  ) {}

  private peek(): string | undefined {
    return this.tokens[this.i]?.text;
  }

  private is(word: string): boolean {
    return this.peek()?.toLowerCase() === word;
  }

  private fail(expected: string): never {
    const t = this.tokens[this.i];
    throw new SigmaRuleError(
      `condition "${this.text}": expected ${expected} ${t ? `at "${t.text}" (position ${t.pos})` : "at the end"}`,
    );
  }

  parse(): SigmaConditionExpr {
    const e = this.or();
    if (this.i < this.tokens.length) this.fail("and, or, or the end");
    return e;
  }

  private or(): SigmaConditionExpr {
    const terms = [this.and()];
    while (this.is("or")) {
      this.i++;
      terms.push(this.and());
    }
    return terms.length === 1 ? terms[0] : { op: "or", terms };
  }

  private and(): SigmaConditionExpr {
    const terms = [this.not()];
    while (this.is("and")) {
      this.i++;
      terms.push(this.not());
    }
    return terms.length === 1 ? terms[0] : { op: "and", terms };
  }

  private not(): SigmaConditionExpr {
    if (this.is("not")) {
      this.i++;
      return { op: "not", term: this.not() };
    }
    return this.primary();
  }

  private primary(): SigmaConditionExpr {
    const t = this.peek();
    if (t === undefined) this.fail("a search identifier");
    if (t === "(") {
      this.i++;
      const e = this.or();
      if (this.peek() !== ")") this.fail('")"');
      this.i++;
      return e;
    }
    const lower = t.toLowerCase();
    if (lower === "1" || lower === "all" || lower === "any") {
      this.i++;
      if (!this.is("of")) this.fail('"of"');
      this.i++;
      return this.quantified(lower === "all" ? "and" : "or");
    }
    if (/^\d+$/.test(t) && this.tokens[this.i + 1]?.text.toLowerCase() === "of")
      throw new SigmaRuleError(
        `condition "${this.text}": "${t} of" is not Sigma; only "1 of" and "all of" are defined`,
      );
    if (KEYWORDS.has(lower) || t === ")") this.fail("a search identifier");
    this.i++;
    if (!this.identifiers.includes(t))
      throw new SigmaRuleError(
        `condition "${this.text}": no search identifier "${t}" in the detection (it has ${this.identifiers.join(", ")})`,
      );
    return { op: "ref", name: t };
  }

  private quantified(op: "and" | "or"): SigmaConditionExpr {
    const target = this.peek();
    if (target === undefined || target === "(" || target === ")") this.fail('"them" or a pattern');
    this.i++;
    const names =
      target.toLowerCase() === "them"
        ? this.identifiers.filter((n) => !n.startsWith("_"))
        : this.identifiers.filter(globMatcher(target));
    if (names.length === 0)
      throw new SigmaRuleError(
        `condition "${this.text}": "${target}" matches no search identifier (the detection has ${this.identifiers.join(", ")})`,
      );
    const refs = names.map((name): SigmaConditionExpr => ({ op: "ref", name }));
    return refs.length === 1 ? refs[0] : { op, terms: refs };
  }
}

const AGGREGATION =
  /^\s*(count|min|max|avg|sum)\s*\(\s*([^\s()]*)\s*\)\s*(?:by\s+(\S+)\s*)?(<=|>=|==|<|>|=)\s*(-?\d+(?:\.\d+)?)\s*$/i;

function parseAggregation(text: string, whole: string): SigmaAggregation {
  const near = /^\s*near\b/i.exec(text);
  if (near) return { text: text.trim(), func: "near" };
  const m = AGGREGATION.exec(text);
  if (!m)
    throw new SigmaRuleError(
      `condition "${whole}": cannot read the aggregation "${text.trim()}" (expected e.g. "count() by field > 10")`,
    );
  return {
    text: text.trim(),
    func: m[1].toLowerCase(),
    field: m[2] || undefined,
    groupBy: m[3],
    comparator: m[4] as SigmaAggregation["comparator"],
    value: Number(m[5]),
  };
}

/** Parses one condition against the rule's search identifiers (`of` patterns resolve to them). */
export function parseSigmaCondition(text: string, identifiers: readonly string[]): ParsedCondition {
  const bar = text.indexOf("|");
  const search = bar >= 0 ? text.slice(0, bar) : text;
  const tokens = tokenize(search);
  if (tokens.length === 0) throw new SigmaRuleError(`condition "${text}" is empty`);
  const expr = new Parser(text, tokens, identifiers).parse();
  return bar >= 0 ? { expr, aggregation: parseAggregation(text.slice(bar + 1), text) } : { expr };
}
