/** Renders a detection `Condition` as an EventBridge event pattern under `detail`. */
import {
  leafOperator,
  type Comparison,
  type Condition,
  type Scalar,
} from "../detections/condition";
import { plainPath, searchedArrays } from "../detections/field-path";
import {
  hasOwn,
  InvalidEventPatternError,
  isObject,
  type Json,
  validateEventPattern,
} from "./event-pattern";

/** One element of a leaf array, as the renderer reasons about it. */
type Elem =
  | { kind: "eq"; value: Scalar }
  | { kind: "ne"; values: Scalar[] }
  | { kind: "prefix"; value: string }
  | { kind: "suffix"; value: string }
  | { kind: "contains"; value: string }
  | { kind: "notPrefix"; values: string[] }
  | { kind: "notSuffix"; values: string[] }
  | { kind: "notContains"; values: string[] }
  | { kind: "numeric"; lower?: Bound; upper?: Bound }
  | { kind: "present" }
  | { kind: "absent" };

/** One end of a numeric range. */
type Bound = { readonly n: number; readonly inclusive: boolean };

/** A conjunction: field path -> OR list. A condition renders to a list of them (DNF). */
type Clause = Map<string, Elem[]>;

const NEVER = "never" as const;

const elemKey = (e: Elem) => JSON.stringify(e);
const dedupe = (elems: Elem[]) => [...new Map(elems.map((e) => [elemKey(e), e])).values()];

/** Event Ruler's wildcard escapes: `\*` is a literal star, `\\` a backslash. */
const escapeWildcard = (s: string) => s.replace(/[\\*]/g, (ch) => `\\${ch}`);
const containing = (s: string) => `*${escapeWildcard(s)}*`;
const oneOrList = <T>(values: T[]): T | T[] => (values.length === 1 ? values[0] : values);

function toElemJson(e: Elem): unknown {
  switch (e.kind) {
    case "eq":
      return e.value;
    case "ne":
      return { "anything-but": oneOrList(e.values) };
    case "prefix":
      return { prefix: e.value };
    case "suffix":
      return { suffix: e.value };
    case "contains":
      return { wildcard: containing(e.value) };
    case "notPrefix":
      return { "anything-but": { prefix: oneOrList(e.values) } };
    case "notSuffix":
      return { "anything-but": { suffix: oneOrList(e.values) } };
    case "notContains":
      return { "anything-but": { wildcard: oneOrList(e.values.map(containing)) } };
    case "numeric": {
      const { lower: lo, upper: hi } = e;
      if (lo && hi && lo.n === hi.n) return { numeric: ["=", lo.n] };
      const low = lo ? [lo.inclusive ? ">=" : ">", lo.n] : [];
      const high = hi ? [hi.inclusive ? "<=" : "<", hi.n] : [];
      return { numeric: [...low, ...high] };
    }
    case "present":
      return { exists: true };
    case "absent":
      return { exists: false };
  }
}

const inRange = (e: { lower?: Bound; upper?: Bound }, v: number) =>
  (!e.lower || (e.lower.inclusive ? v >= e.lower.n : v > e.lower.n)) &&
  (!e.upper || (e.upper.inclusive ? v <= e.upper.n : v < e.upper.n));

/** The tighter of two bounds on the same side. */
function tighter(a: Bound | undefined, b: Bound | undefined, side: "lower" | "upper") {
  if (!a || !b) return a ?? b;
  if (a.n !== b.n) return (side === "lower") === a.n > b.n ? a : b;
  return a.inclusive ? b : a;
}

function numericElem(comparison: Comparison, n: number): Elem {
  const inclusive = comparison.endsWith("=");
  return comparison.startsWith("<")
    ? { kind: "numeric", upper: { n, inclusive } }
    : { kind: "numeric", lower: { n, inclusive } };
}

const describeElem = (e: Elem) => JSON.stringify(toElemJson(e));

/** Whether EventBridge's element accepts a value (type-strict; anything-but lets other types by). */
function accepts(e: Elem, v: Scalar): boolean {
  const s = typeof v === "string" ? v : undefined;
  switch (e.kind) {
    case "eq":
      return e.value === v;
    case "ne":
      return !e.values.includes(v);
    case "prefix":
      return s !== undefined && s.startsWith(e.value);
    case "suffix":
      return s !== undefined && s.endsWith(e.value);
    case "contains":
      return s !== undefined && s.includes(e.value);
    case "notPrefix":
      return s === undefined || !e.values.some((x) => s.startsWith(x));
    case "notSuffix":
      return s === undefined || !e.values.some((x) => s.endsWith(x));
    case "notContains":
      return s === undefined || !e.values.some((x) => s.includes(x));
    case "numeric":
      return typeof v === "number" && inRange(e, v);
    case "present":
      return true;
    case "absent":
      return false;
  }
}

/** Both elements at once, as one element; NEVER when no value satisfies both. */
function andElems(a: Elem, b: Elem, field: string): Elem | typeof NEVER {
  const order: Elem["kind"][] = [
    "eq",
    "absent",
    "present",
    "ne",
    "prefix",
    "suffix",
    "contains",
    "notPrefix",
    "notSuffix",
    "notContains",
    "numeric",
  ];
  if (order.indexOf(a.kind) > order.indexOf(b.kind)) [a, b] = [b, a];
  const cannot = () => {
    throw new Error(
      `cannot express ${describeElem(a)} AND ${describeElem(b)} on ${field} in one event pattern`,
    );
  };
  if (a.kind === "eq") return accepts(b, a.value) ? a : NEVER;
  if (a.kind === "absent") return b.kind === "absent" ? a : NEVER;
  // Every other element needs a value, which is all `present` asks.
  if (a.kind === "present") return b;
  if (a.kind === b.kind) {
    switch (a.kind) {
      case "ne": {
        // anything-but takes only strings or only numbers.
        const values = [...new Set([...a.values, ...(b as typeof a).values])];
        if (new Set(values.map((v) => typeof v)).size > 1) cannot();
        return { kind: "ne", values };
      }
      case "prefix": {
        const y = (b as typeof a).value;
        return a.value.startsWith(y) ? a : y.startsWith(a.value) ? b : NEVER;
      }
      case "suffix": {
        const y = (b as typeof a).value;
        return a.value.endsWith(y) ? a : y.endsWith(a.value) ? b : NEVER;
      }
      case "contains": {
        const y = (b as typeof a).value;
        return a.value.includes(y) ? a : y.includes(a.value) ? b : cannot();
      }
      case "notPrefix":
      case "notSuffix":
      case "notContains":
        // Not starting with x and not starting with y: one anything-but with both.
        return { kind: a.kind, values: [...new Set([...a.values, ...(b as typeof a).values])] };
      case "numeric": {
        const o = b as typeof a;
        const lower = tighter(a.lower, o.lower, "lower");
        const upper = tighter(a.upper, o.upper, "upper");
        if (
          lower &&
          upper &&
          (lower.n > upper.n || (lower.n === upper.n && !(lower.inclusive && upper.inclusive)))
        )
          return NEVER;
        return { kind: "numeric", lower, upper };
      }
    }
  }
  // A prefix or suffix that contains the text already implies contains.
  if ((a.kind === "prefix" || a.kind === "suffix") && b.kind === "contains")
    return a.value.includes(b.value) ? a : cannot();
  return cannot(); // e.g. anything-but with prefix, prefix with suffix: no single element
}

function andClauses(a: Clause, b: Clause): Clause | typeof NEVER {
  const out: Clause = new Map(a);
  for (const [field, right] of b) {
    const left = out.get(field);
    if (!left) {
      out.set(field, right);
      continue;
    }
    // (l1 OR l2) AND (r1 OR r2) = OR of every pairwise AND.
    const both = left.flatMap((l) => right.map((r) => andElems(l, r, field)));
    const possible = both.filter((e): e is Elem => e !== NEVER);
    if (possible.length === 0) return NEVER;
    out.set(field, dedupe(possible));
  }
  return out;
}

const clauseKey = (c: Clause) => JSON.stringify([...c].sort(([a], [b]) => (a < b ? -1 : 1)));

/** Drops repeated clauses; clauses that each constrain the same single field become one list. */
function simplifyOr(clauses: Clause[]): Clause[] {
  const unique = [...new Map(clauses.map((c) => [clauseKey(c), c])).values()];
  const fields = new Set(unique.flatMap((c) => [...c.keys()]));
  if (unique.length > 1 && fields.size === 1 && unique.every((c) => c.size === 1)) {
    const [field] = fields;
    return [new Map([[field, dedupe(unique.flatMap((c) => c.get(field)!))]])];
  }
  return unique;
}

function toDnf(c: Condition): Clause[] {
  if ("all" in c) {
    return c.all.reduce<Clause[]>(
      (acc, sub) => {
        const right = toDnf(sub);
        const both = acc.flatMap((l) => right.map((r) => andClauses(l, r)));
        return both.filter((x): x is Clause => x !== NEVER);
      },
      [new Map()],
    );
  }
  if ("any" in c) return simplifyOr(c.any.flatMap(toDnf));
  const o = leafOperator(c);
  let elems: Elem[];
  switch (o.op) {
    case "equals":
      elems = o.values.map((value): Elem => ({ kind: "eq", value }));
      break;
    case "notEquals":
      elems = [{ kind: "ne", values: [o.value] }];
      break;
    case "exists":
      elems = [{ kind: o.exists ? "present" : "absent" }];
      break;
    case "numeric":
      elems = [numericElem(o.comparison, o.value)];
      break;
    case "prefix":
    case "suffix":
    case "contains":
      elems = [{ kind: o.op, value: o.text }];
      break;
    default:
      elems = [{ kind: o.op, values: [o.text] }];
  }
  return [new Map([[c.field, dedupe(elems)]])];
}

/** Nests dotted field paths into objects: "userIdentity.type" -> {userIdentity: {type: [...]}}. */
function nest(clause: Clause): Json {
  const root: Json = {};
  for (const [field, elems] of clause) {
    const steps = plainPath(field).split(".");
    let node = root;
    for (const step of steps.slice(0, -1)) {
      if (!hasOwn(node, step)) node[step] = {};
      const child = node[step];
      if (!isObject(child)) throw new Error(`${field} is used both as a value and as an object`);
      node = child;
    }
    const last = steps[steps.length - 1];
    if (hasOwn(node, last)) throw new Error(`${field} is used both as a value and as an object`);
    node[last] = elems.map(toElemJson);
  }
  return root;
}

/** One clause is a plain object; several share their common fields and put the rest in $or. */
function clausesToObject(clauses: Clause[]): Json {
  if (clauses.length === 1) return nest(clauses[0]);
  const [first, ...others] = clauses;
  const common: Clause = new Map(
    [...first].filter(([field, elems]) =>
      others.every((c) => JSON.stringify(c.get(field)) === JSON.stringify(elems)),
    ),
  );
  const rest = simplifyOr(
    clauses.map((c) => new Map([...c].filter(([field]) => !common.has(field)))),
  );
  // A branch with nothing left is always true, and so is the whole OR.
  if (rest.some((c) => c.size === 0)) return nest(common);
  if (rest.length === 1) return nest(new Map([...common, ...rest[0]]));
  return { ...nest(common), $or: rest.map(nest) };
}

/**
 * Event Ruler takes the values of one branch from the same array element ("array consistency"),
 * while the filter pattern searches each field's elements independently: two fields of one
 * conjunction inside the same searched array would mean different things, so they are refused.
 */
function checkOneFieldPerArray(clause: Clause): void {
  const seen = new Map<string, string>();
  for (const field of clause.keys()) {
    for (const array of searchedArrays(field)) {
      const other = seen.get(array);
      if (other !== undefined && other !== field)
        throw new Error(
          `"${other}" and "${field}" are both searched inside ${array} in one conjunction: EventBridge would take them from the same element, the filter pattern from any; test one field per array or split the condition with any`,
        );
      seen.set(array, field);
    }
  }
}

/**
 * Renders a detection condition as an event pattern on the CloudTrail events EventBridge
 * delivers: fields go under `detail`, `detail-type` is added, `source` is not (the condition's
 * own eventSource field selects the service). Throws when the condition can never match or has
 * no EventBridge form (e.g. notEquals on a boolean, a prefix AND a notEquals on one field).
 *
 * Semantic notes: `exists: false` also holds in EventBridge when the field is an object or an
 * empty array (neither is a value), and a list-valued field matches when any element does.
 */
export function renderConditionToEventPattern(c: Condition, detailType: string | string[]): object {
  const clauses = toDnf(c);
  if (clauses.length === 0) throw new Error("the condition can never match");
  for (const clause of clauses) checkOneFieldPerArray(clause);
  const detail = clausesToObject(clauses);
  const pattern: Json = {
    "detail-type": typeof detailType === "string" ? [detailType] : [...detailType],
  };
  if (Object.keys(detail).length > 0) pattern.detail = detail;
  const problems = validateEventPattern(pattern);
  if (problems.length > 0) throw new InvalidEventPatternError(problems);
  return pattern;
}
