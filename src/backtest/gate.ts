/**
 * A cheap pre-check that lets the backtest skip a detection on a record neither rendering can
 * match. Almost every detection requires `eventName` (or `eventSource`, `errorCode`,
 * `userIdentity.type`) to be one of a few strings; most records fail that on both renderings, and
 * skipping them avoids building the EventBridge envelope and running two matchers per detection.
 *
 * The requirement is read from each rendering's own output (the filter pattern text and the event
 * pattern JSON), never from the shared `Condition`: a renderer bug that widens one rendering widens
 * its requirement too, so the disagreement check still sees it. A record is skipped only when the
 * field fails BOTH renderings' requirements. Anything the gate cannot judge exactly (a number,
 * boolean, array or object where a string was expected, a path through an array) is let through
 * to the real matchers. `__tests__/backtest.test.ts` checks gated and exhaustive evaluation agree
 * on every fixture record for every catalog detection.
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

/** Fields checked first: the most selective ones. */
const PREFERRED = ["eventName", "eventSource"];

/**
 * The gate for one detection, or undefined when the renderings share no field requirement (the
 * detection is then evaluated on every record).
 */
export function compileGate(filterPattern: string, eventPattern: object): Gate | undefined {
  const filter = filterRequirements(filterPattern);
  const event = eventRequirements(eventPattern);
  const common = [...filter.keys()].filter((k) => event.has(k));
  if (common.length === 0) return undefined;
  common.sort((a, b) => rank(a) - rank(b));
  const key = common[0];
  return gateFor(union(filter.get(key)!, event.get(key)!));
}

function rank(key: string): number {
  const i = PREFERRED.indexOf(key);
  return i < 0 ? PREFERRED.length : i;
}

function union(a: Requirement, b: Requirement): Requirement {
  return {
    path: a.path,
    exact: new Set([...a.exact, ...b.exact]),
    prefixes: [...new Set([...a.prefixes, ...b.prefixes])],
    suffixes: [...new Set([...a.suffixes, ...b.suffixes])],
  };
}

function gateFor(req: Requirement): Gate {
  const { path, exact, prefixes, suffixes } = req;
  const accepts = (s: string): boolean =>
    exact.has(s) || prefixes.some((p) => s.startsWith(p)) || suffixes.some((x) => s.endsWith(x));
  if (path.length === 1) {
    const [field] = path;
    return (r) => {
      const v = Object.hasOwn(r, field) ? r[field] : undefined;
      if (typeof v === "string") return accepts(v);
      return v !== undefined; // absent fails both renderings; any other type goes to the matchers
    };
  }
  return (r) => {
    let node: unknown = r;
    for (const step of path) {
      if (Array.isArray(node)) return true; // Event Ruler looks inside arrays: let the matcher decide
      if (typeof node !== "object" || node === null || !Object.hasOwn(node, step)) return false;
      node = (node as Record<string, unknown>)[step];
    }
    if (typeof node === "string") return accepts(node);
    return true;
  };
}

const keyOf = (path: readonly string[]): string => path.join(".");

/**
 * Requirements of a CloudWatch Logs JSON filter pattern: top-level `&&` terms that are `=` on a
 * string value, or `||` of such terms on one selector. `*` at either end makes a prefix or suffix
 * (`*` at both ends, a substring, is not used as a requirement).
 */
export function filterRequirements(text: string): Map<string, Requirement> {
  const out = new Map<string, Requirement>();
  const parsed = parseFilterPattern(text);
  if (parsed.kind !== "json") return out;
  const terms = parsed.expr.op === "and" ? parsed.expr.terms : [parsed.expr];
  for (const term of terms) {
    const req = filterTermRequirement(term);
    if (req && !out.has(keyOf(req.path))) out.set(keyOf(req.path), req);
  }
  return out;
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
 * Requirements of an EventBridge event pattern under `detail`: fields (outside `$or`) whose every
 * alternative is an exact string, `{"prefix": s}` or `{"suffix": s}`. Event detail fields are the
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
    if (k.startsWith("$")) continue; // $or: no single branch is required
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
    else return undefined;
  }
  return values.length > 0 ? { path, exact, prefixes, suffixes } : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
