/**
 * A cheap pre-check that lets the backtest skip a detection on a record neither rendering can
 * match. Every detection's renderings require some fields to be one of a few strings (`eventName`,
 * `eventSource`, `errorCode`, `userIdentity.type`, a resource name); most records fail that, and
 * skipping them avoids building the EventBridge envelope and running two matchers per detection.
 *
 * Requirements are read from each rendering's own output (the filter pattern text and the event
 * pattern JSON), never from the shared `Condition`: a renderer bug that widens one rendering widens
 * its requirements too, so the disagreement check still sees it. A record is skipped only when it
 * fails some requirement of the filter pattern AND some requirement of the event pattern. Anything
 * a requirement cannot judge exactly (a number, boolean, array or object where a string was
 * expected, a path through an array) counts as meeting it, so the real matchers decide.
 * `__tests__/backtest.test.ts` checks gated and exhaustive evaluation agree on every fixture record
 * for every catalog detection.
 */
import { parseFilterPattern, type FilterExpr } from "../patterns/filter-pattern";

/** A field must be a string that equals one of `exact` or starts/ends with one of the affixes. */
export interface Requirement {
  readonly path: readonly string[];
  readonly exact: ReadonlySet<string>;
  readonly prefixes: readonly string[];
  readonly suffixes: readonly string[];
}

export type Gate = (record: Readonly<Record<string, unknown>>) => boolean;

/** Top-level fields a detection can be found by, most selective first. */
export const INDEX_FIELDS = ["eventName", "eventSource"] as const;
export type IndexField = (typeof INDEX_FIELDS)[number];

export interface CompiledGate {
  readonly gate: Gate;
  /**
   * When both renderings require an index field (eventName, else eventSource) to be one of some
   * strings: the field and the union of the strings, so callers can find the detection by the
   * record's value instead of running the gate on every record.
   */
  readonly index?: { readonly field: IndexField; readonly values: ReadonlySet<string> };
}

/**
 * The gate for one detection, or undefined when either rendering has no requirement it can use
 * (the detection is then evaluated on every record).
 */
export function compileGate(filterPattern: string, eventPattern: object): CompiledGate | undefined {
  const filter = [...filterRequirements(filterPattern).values()];
  const event = [...eventRequirements(eventPattern).values()];
  if (filter.length === 0 || event.length === 0) return undefined;
  const meetsFilter = allOf(filter.map(checkFor));
  // Usually both renderings require the same: then one check serves both.
  const gate: Gate =
    canonical(filter) === canonical(event)
      ? meetsFilter
      : (
          (meetsEvent) => (r) =>
            meetsFilter(r) || meetsEvent(r)
        )(allOf(event.map(checkFor)));
  for (const field of INDEX_FIELDS) {
    const values = [filter, event].map((reqs) => exactValuesOf(reqs, field));
    if (values[0] && values[1])
      return { gate, index: { field, values: new Set([...values[0], ...values[1]]) } };
  }
  return { gate };
}

function exactValuesOf(
  reqs: readonly Requirement[],
  field: string,
): ReadonlySet<string> | undefined {
  const req = reqs.find((q) => q.path.length === 1 && q.path[0] === field);
  return req && req.prefixes.length === 0 && req.suffixes.length === 0 ? req.exact : undefined;
}

function canonical(reqs: readonly Requirement[]): string {
  return JSON.stringify(
    reqs
      .map((r) => [r.path, [...r.exact].sort(), [...r.prefixes].sort(), [...r.suffixes].sort()])
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
  );
}

function allOf(checks: Gate[]): Gate {
  if (checks.length === 1) return checks[0];
  return (r) => {
    for (const c of checks) if (!c(r)) return false;
    return true;
  };
}

/**
 * Whether a record meets one requirement: false only when the field is absent (or sits under a
 * non-object), or is a string neither rendering accepts. Property reads are plain `o[k]` (this
 * runs for every record): a key inherited from Object.prototype yields a non-string, which
 * counts as met, or a non-object on the way, which both renderings also treat as absent.
 */
export function checkFor(req: Requirement): Gate {
  const { path, exact, prefixes, suffixes } = req;
  const accepts =
    prefixes.length === 0 && suffixes.length === 0
      ? (s: string) => exact.has(s)
      : (s: string) =>
          exact.has(s) ||
          prefixes.some((p) => s.startsWith(p)) ||
          suffixes.some((x) => s.endsWith(x));
  const leaf = (v: unknown): boolean => (typeof v === "string" ? accepts(v) : v !== undefined); // other types: the matchers decide
  if (path.length === 1) {
    const [field] = path;
    return (r) => leaf(r[field]);
  }
  if (path.length === 2) {
    const [outer, field] = path;
    return (r) => {
      const node = r[outer];
      if (typeof node !== "object" || node === null) return false;
      if (Array.isArray(node)) return true; // Event Ruler looks inside arrays: let the matcher decide
      return leaf((node as Record<string, unknown>)[field]);
    };
  }
  return (r) => {
    let node: unknown = r;
    for (const step of path) {
      if (typeof node !== "object" || node === null) return false;
      if (Array.isArray(node)) return true;
      node = (node as Record<string, unknown>)[step];
    }
    return leaf(node);
  };
}

const keyOf = (path: readonly string[]): string => path.join(".");

/**
 * Requirements of a CloudWatch Logs JSON filter pattern: top-level `&&` terms that are `=` on a
 * string value, or `||` of such terms on one selector. `*` at either end makes a prefix or suffix
 * (`*` at both ends, a substring, is not used as a requirement).
 */
export function filterRequirements(text: string): Map<string, Requirement> {
  const parsed = parseFilterPattern(text);
  return parsed.kind === "json" ? exprRequirements(parsed.expr) : new Map();
}

/**
 * The requirements of the `&&` terms of an expression; a `||` of groups (`(A && B) || (C && D)`,
 * as `any` of `all`s renders) requires what every alternative requires, with their values joined.
 */
function exprRequirements(expr: FilterExpr): Map<string, Requirement> {
  const out = new Map<string, Requirement>();
  for (const term of expr.op === "and" ? expr.terms : [expr]) {
    const req = filterTermRequirement(term);
    if (req) addRequirement(out, req);
    else if (term.op === "or")
      for (const r of unionOf(term.terms.map(exprRequirements))) addRequirement(out, r);
  }
  return out;
}

function addRequirement(out: Map<string, Requirement>, req: Requirement): void {
  if (!out.has(keyOf(req.path))) out.set(keyOf(req.path), req);
}

/** What every one of several alternatives requires: the paths they share, values joined. */
function unionOf(alternatives: readonly Map<string, Requirement>[]): Requirement[] {
  if (alternatives.length === 0) return [];
  const [first, ...rest] = alternatives;
  return [...first.keys()]
    .filter((k) => rest.every((m) => m.has(k)))
    .map((k) => {
      const all = alternatives.map((m) => m.get(k)!);
      return {
        path: all[0].path,
        exact: new Set(all.flatMap((r) => [...r.exact])),
        prefixes: all.flatMap((r) => r.prefixes),
        suffixes: all.flatMap((r) => r.suffixes),
      };
    });
}

function filterTermRequirement(term: FilterExpr): Requirement | undefined {
  const alternatives = term.op === "or" ? term.terms : [term];
  let selector: string | undefined;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  for (const alt of alternatives) {
    if (alt.op !== "cmp" || alt.comparator !== "=" || alt.value.kind !== "string") return undefined;
    if (selector !== undefined && alt.selector !== selector) return undefined;
    selector = alt.selector;
    const v = alt.value.value;
    const leading = v.startsWith("*");
    const core = leading ? v.slice(1) : v;
    const trailing = core.endsWith("*");
    if (leading && trailing) return undefined;
    if (leading) suffixes.push(core);
    else if (trailing) prefixes.push(core.slice(0, -1));
    else exact.add(v);
  }
  const path = selector === undefined ? undefined : selectorPath(selector);
  return path && { path, exact, prefixes, suffixes };
}

/** `$.a.b` -> ["a", "b"]; selectors with array indexes are not used. */
function selectorPath(selector: string): string[] | undefined {
  if (!selector.startsWith("$.") || selector.includes("[")) return undefined;
  return selector.slice(2).split(".");
}

/**
 * Requirements of an EventBridge event pattern under `detail`: fields whose every alternative is
 * an exact string, `{"prefix": s}`, `{"suffix": s}` or `{"exists": true}`, and the fields every
 * branch of a `$or` requires (values joined). Event detail fields are the
 * record's own fields, so the paths apply to the record.
 */
export function eventRequirements(pattern: object): Map<string, Requirement> {
  const out = new Map<string, Requirement>();
  const detail = (pattern as Record<string, unknown>).detail;
  if (isPlainObject(detail)) collectEvent(detail, [], out);
  return out;
}

function collectEvent(
  node: Record<string, unknown>,
  path: string[],
  out: Map<string, Requirement>,
): void {
  for (const [k, v] of Object.entries(node)) {
    if (k === "$or" && Array.isArray(v) && v.every(isPlainObject)) {
      // What every branch requires is required.
      const branches = v.map((b) => {
        const m = new Map<string, Requirement>();
        collectEvent(b, path, m);
        return m;
      });
      for (const r of unionOf(branches)) addRequirement(out, r);
      continue;
    }
    if (k.startsWith("$")) continue;
    const here = [...path, k];
    if (isPlainObject(v)) collectEvent(v, here, out);
    else if (Array.isArray(v)) {
      const req = eventFieldRequirement(here, v);
      if (req) out.set(keyOf(here), req);
    }
  }
}

function eventFieldRequirement(path: string[], values: unknown[]): Requirement | undefined {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  for (const v of values) {
    if (typeof v === "string") exact.add(v);
    else if (isPlainObject(v) && Object.keys(v).length === 1 && typeof v.prefix === "string")
      prefixes.push(v.prefix);
    else if (isPlainObject(v) && Object.keys(v).length === 1 && typeof v.suffix === "string")
      suffixes.push(v.suffix);
    // A value of any kind: any string meets it, and other kinds count as met (checkFor).
    else if (isPlainObject(v) && Object.keys(v).length === 1 && v.exists === true)
      prefixes.push("");
    else return undefined;
  }
  return values.length > 0 ? { path, exact, prefixes, suffixes } : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
