/**
 * A direct evaluator of Sigma detection rules on one event (a CloudTrail record), written from the
 * Sigma specification, independent of trailwatch's `Condition` and its renderings. The tests use
 * it as the reference the converted detections must agree with.
 *
 * Semantics (sigma-rules-specification.md "General", "Special Field Values", "Field Existence";
 * sigma-appendix-modifiers.md):
 * - A field is a dotted path into the event's JSON (`userIdentity.sessionContext.sessionIssuer.type`).
 *   Where the path meets an array, every element is followed; the field's values are the scalars
 *   found (arrays at the end are flattened). Objects are not values: no string matches them.
 * - Strings match case-insensitively (unless `|cased`), the whole value, with `*` and `?`
 *   wildcards. Numbers and booleans are strings in Sigma: `'true'` matches a JSON `true`, `5`
 *   matches `5` and `"5"`. A field matches when one of its values does.
 * - `field: null` holds when the field is absent. `|exists: true` holds when it is present,
 *   whatever its value (JSON null or an object included).
 * - `|re` is a regular expression (JavaScript's engine for the specification's PCRE subset),
 *   searched anywhere in the value, case-sensitive unless `|i`; `|cidr` tests an IP address
 *   string; `|fieldref` compares with another field's values; `|lt` ... `|gte` compare numbers.
 * - Keywords (values without a field) are searched in the event's JSON text, case-insensitively.
 * - `|all` needs every value to match; `|neq` negates the whole match.
 *
 * The obsolete aggregation suffix (`| count() > n`) is not an event property: `compileSigmaRule`
 * evaluates the search part, and callers handle the aggregation.
 */
import type { SigmaConditionExpr } from "./condition";
import type { SigmaFieldMatch, SigmaValue } from "./modifiers";
import type { SigmaRule } from "./rule";
import { sigmaStringRegExpSource, surround } from "./sigma-string";

/** The rule needs something a single event cannot answer (a placeholder's values, a date part). */
export class SigmaEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SigmaEvaluationError";
  }
}

type Event = unknown;
type Test = (event: Event) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The nodes at a dotted path, following every element of arrays met on the way. */
export function sigmaFieldNodes(event: Event, path: readonly string[]): unknown[] {
  let nodes: unknown[] = [event];
  for (const step of path) {
    const next: unknown[] = [];
    const visit = (n: unknown) => {
      if (Array.isArray(n)) n.forEach(visit);
      else if (isObject(n) && Object.hasOwn(n, step)) next.push(n[step]);
    };
    nodes.forEach(visit);
    nodes = next;
  }
  return nodes;
}

/** The scalar values among nodes (arrays flattened; objects and null are not values). */
function scalars(nodes: readonly unknown[]): (string | number | boolean)[] {
  const out: (string | number | boolean)[] = [];
  const visit = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (typeof n === "string" || typeof n === "number" || typeof n === "boolean") out.push(n);
  };
  nodes.forEach(visit);
  return out;
}

const numeric = (v: string | number | boolean): number | undefined => {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\s*[+-]?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
};

/** A test of one value on the field's scalars; `undefined` path = the whole event's JSON text. */
function valueTest(v: SigmaValue, m: SigmaFieldMatch, path: readonly string[] | undefined): Test {
  const nodesOf = (e: Event) => (path ? sigmaFieldNodes(e, path) : [JSON.stringify(e)]);
  const valuesOf = (e: Event) => scalars(nodesOf(e));
  const textTest =
    (re: RegExp): Test =>
    (e) =>
      valuesOf(e).some((x) => re.test(String(x)));
  const flags = m.cased ? "" : "i";
  switch (v.kind) {
    case "string": {
      // Keywords are found anywhere in the event text.
      const s = path ? v.value : surround(v.value, true, true);
      return textTest(new RegExp(sigmaStringRegExpSource(s), flags));
    }
    case "number":
    case "boolean": {
      const want = String(v.value).toLowerCase();
      return (e) => valuesOf(e).some((x) => String(x).toLowerCase() === want);
    }
    case "null":
      return (e) => nodesOf(e).length === 0;
    case "exists":
      return (e) => nodesOf(e).length > 0 === v.value;
    case "regex":
      return textTest(new RegExp(v.source, v.flags));
    case "cidr":
      return (e) => valuesOf(e).some((x) => typeof x === "string" && v.test(x));
    case "compare": {
      const test = {
        lt: (x: number) => x < v.value,
        lte: (x: number) => x <= v.value,
        gt: (x: number) => x > v.value,
        gte: (x: number) => x >= v.value,
      }[v.op];
      return (e) =>
        valuesOf(e).some((x) => {
          const n = numeric(x);
          return n !== undefined && test(n);
        });
    }
    case "fieldref": {
      const other = v.field.split(".");
      const norm = (x: string | number | boolean) =>
        m.cased ? String(x) : String(x).toLowerCase();
      return (e) => {
        const refs = new Set(scalars(sigmaFieldNodes(e, other)).map(norm));
        return valuesOf(e).some((x) => refs.has(norm(x)));
      };
    }
    case "placeholder":
      throw new SigmaEvaluationError(
        `${m.key}: the placeholder ${v.text} needs values from the environment (|expand)`,
      );
    case "time":
      throw new SigmaEvaluationError(
        `${m.key}: the date part modifier "${v.part}" is not evaluated`,
      );
  }
}

function fieldTest(m: SigmaFieldMatch): Test {
  const path = m.field === undefined ? undefined : m.field.split(".");
  const tests = m.values.map((v) => valueTest(v, m, path));
  const test: Test = m.all ? (e) => tests.every((t) => t(e)) : (e) => tests.some((t) => t(e));
  return m.negated ? (e) => !test(e) : test;
}

function compileExpr(expr: SigmaConditionExpr, searches: ReadonlyMap<string, Test>): Test {
  switch (expr.op) {
    case "ref":
      return searches.get(expr.name)!;
    case "not": {
      const t = compileExpr(expr.term, searches);
      return (e) => !t(e);
    }
    case "and": {
      const ts = expr.terms.map((t) => compileExpr(t, searches));
      return (e) => ts.every((t) => t(e));
    }
    case "or": {
      const ts = expr.terms.map((t) => compileExpr(t, searches));
      return (e) => ts.some((t) => t(e));
    }
  }
}

/**
 * Whether an event matches the rule's search condition (any of its conditions). Throws
 * SigmaEvaluationError for what one event cannot answer (placeholders, date parts).
 */
export function compileSigmaRule(rule: SigmaRule): Test {
  const searches = new Map<string, Test>();
  for (const [name, s] of rule.searches) {
    const alternatives = s.alternatives.map((alt) => alt.map(fieldTest));
    searches.set(name, (e) => alternatives.some((alt) => alt.every((t) => t(e))));
  }
  const conditions = rule.conditions.map((c) => compileExpr(c.expr, searches));
  return (e) => conditions.some((c) => c(e));
}
