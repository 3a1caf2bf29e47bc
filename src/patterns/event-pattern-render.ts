/** Renders a detection `Condition` as an EventBridge event pattern under `detail`. */
import type { Condition, Scalar } from "../detections/condition";
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
  | { kind: "absent" };

/** A conjunction: field path -> OR list. A condition renders to a list of them (DNF). */
type Clause = Map<string, Elem[]>;

const NEVER = "never" as const;

const elemKey = (e: Elem) => JSON.stringify(e);
const dedupe = (elems: Elem[]) => [...new Map(elems.map((e) => [elemKey(e), e])).values()];

function toElemJson(e: Elem): unknown {
  switch (e.kind) {
    case "eq":
      return e.value;
    case "ne":
      return { "anything-but": e.values.length === 1 ? e.values[0] : e.values };
    case "prefix":
      return { prefix: e.value };
    case "suffix":
      return { suffix: e.value };
    case "absent":
      return { exists: false };
  }
}

const describeElem = (e: Elem) => JSON.stringify(toElemJson(e));

/** Both elements at once, as one element; NEVER when no value satisfies both. */
function andElems(a: Elem, b: Elem, field: string): Elem | typeof NEVER {
  const order = ["eq", "ne", "prefix", "suffix", "absent"];
  if (order.indexOf(a.kind) > order.indexOf(b.kind)) [a, b] = [b, a];
  const cannot = () => {
    throw new Error(
      `cannot express ${describeElem(a)} AND ${describeElem(b)} on ${field} in one event pattern`,
    );
  };
  if (a.kind === "eq") {
    const v = a.value;
    if (b.kind === "eq") return v === b.value ? a : NEVER;
    if (b.kind === "ne") return b.values.includes(v) ? NEVER : a;
    if (b.kind === "prefix") return typeof v === "string" && v.startsWith(b.value) ? a : NEVER;
    if (b.kind === "suffix") return typeof v === "string" && v.endsWith(b.value) ? a : NEVER;
    return NEVER; // a value and no value
  }
  if (b.kind === "absent") return a.kind === "absent" ? a : NEVER;
  if (a.kind === "ne" && b.kind === "ne") {
    // anything-but takes only strings or only numbers.
    const values = [...new Set([...a.values, ...b.values])];
    if (new Set(values.map((v) => typeof v)).size > 1) cannot();
    return { kind: "ne", values };
  }
  if (a.kind === "prefix" && b.kind === "prefix")
    return a.value.startsWith(b.value) ? a : b.value.startsWith(a.value) ? b : NEVER;
  if (a.kind === "suffix" && b.kind === "suffix")
    return a.value.endsWith(b.value) ? a : b.value.endsWith(a.value) ? b : NEVER;
  return cannot(); // anything-but with prefix/suffix, prefix with suffix: no single element
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
  let elems: Elem[];
  if ("equals" in c) {
    if (c.equals.length === 0) throw new Error(`equals on ${c.field} needs at least one value`);
    elems = c.equals.map((value): Elem => ({ kind: "eq", value }));
  } else if ("notEquals" in c) elems = [{ kind: "ne", values: [c.notEquals] }];
  else if ("prefix" in c) elems = [{ kind: "prefix", value: c.prefix }];
  else if ("suffix" in c) elems = [{ kind: "suffix", value: c.suffix }];
  else elems = [{ kind: "absent" }];
  return [new Map([[c.field, dedupe(elems)]])];
}

/** Nests dotted field paths into objects: "userIdentity.type" -> {userIdentity: {type: [...]}}. */
function nest(clause: Clause): Json {
  const root: Json = {};
  for (const [field, elems] of clause) {
    const steps = field.split(".");
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
  const detail = clausesToObject(clauses);
  const pattern: Json = {
    "detail-type": typeof detailType === "string" ? [detailType] : [...detailType],
  };
  if (Object.keys(detail).length > 0) pattern.detail = detail;
  const problems = validateEventPattern(pattern);
  if (problems.length > 0) throw new InvalidEventPatternError(problems);
  return pattern;
}
