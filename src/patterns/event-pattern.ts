/**
 * Amazon EventBridge event patterns: a validator and a matcher (compiled once, run per event).
 * The envelope around a CloudTrail record is in event-envelope.ts, the renderer from a detection
 * `Condition` in event-pattern-render.ts.
 *
 * EventBridge matches with Event Ruler (github.com/aws/event-ruler, `JsonRuleCompiler` and
 * `rulesForJSONEvent`); where the EventBridge user guide is silent this follows Ruler's source.
 * `__tests__/fixtures/conformance/eventbridge_cases.jsonl` (checked against AWS's TestEventPattern)
 * pins the behaviour. In short:
 *
 * - A pattern is a non-empty object. Each key holds a non-empty object (nesting) or a non-empty
 *   array (a leaf). Keys join with "." (`{"a":{"b":..}}` is `{"a.b":..}`, in patterns and events).
 *   A key repeated on one path keeps its last value (Ruler overrides).
 * - Leaf arrays are OR lists of: exact strings, numbers, `true`/`false`/`null` (type-strict), and
 *   one-key match expressions: prefix, suffix, equals-ignore-case, wildcard, anything-but,
 *   numeric, exists, cidr. Different keys AND together; `$or` (an array of 2+ objects) ORs them.
 * - An event field that is an array matches when any element does; objects inside arrays are
 *   searched too, but two fields of one branch must come from the same array element.
 * - A leaf is a string, number, boolean or null: an object or an empty array is not a value, so
 *   it satisfies `{"exists": false}` and nothing else. `anything-but` needs a value (null is one).
 */

export class InvalidEventPatternError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid event pattern: ${problems.join("; ")}`);
    this.name = "InvalidEventPatternError";
    this.problems = problems;
  }
}

export type Json = Record<string, unknown>;
type Primitive = string | number | boolean | null;

export const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isPrimitive = (v: unknown): v is Primitive =>
  v === null || typeof v === "string" || typeof v === "boolean" || Number.isFinite(v);
export const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === "string");

// ---------------------------------------------------------------------------------------------
// Validation

const OPERATORS = new Set(
  "prefix suffix equals-ignore-case wildcard anything-but numeric exists cidr".split(" "),
);

/** Field names Ruler refuses inside `$or` (Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP). */
const RESERVED_IN_OR = new Set([
  ...OPERATORS,
  ..."exactly html = < <= > >= regex not-wildcard not-equals-ignore-case date-after".split(" "),
  ..."date-on-or-after date-before date-on-or-before in-date-range".split(" "),
  ..."ip-address-in-range ip-address-not-in-range".split(" "),
]);

/**
 * Wildcard values of one field may not be "too complex" (AWS rejects them with "Rule is too
 * complex"). AWS does not publish the limit; this approximates Ruler's MachineComplexityEvaluator
 * (see `wildcardComplexity`) and the limit sits between the highest complexity AWS accepted (9:
 * three `*:stack/<name>/*` values, vals-ai/Valkyrie#278) and the lowest it refused (11: the case
 * file's `*:*:*:*:*:event-bus/*`).
 */
const MAX_WILDCARD_COMPLEXITY = 10;

/** Ruler's numbers (ComparableNumber): within ±5e9 and at most 6 decimal places. */
const isComparable = (n: number) =>
  Number.isFinite(n) && Math.abs(n) <= 5e9 && Number(n.toFixed(6)) === n;

const at = (path: string, key: string | number) =>
  typeof key === "number"
    ? `${path}[${key}]`
    : /^[A-Za-z_$][\w$-]*$/.test(key)
      ? `${path}.${key}`
      : `${path}[${JSON.stringify(key)}]`;

/** The problems of a pattern, each naming its JSON path; [] when EventBridge would accept it. */
export function validateEventPattern(pattern: unknown): string[] {
  const problems: string[] = [];
  const wildcards = new Map<string, string[]>(); // field -> its wildcard values
  if (!isObject(pattern)) return ["$: the pattern must be a JSON object"];
  checkObject(pattern, "$", "", false, problems, wildcards);
  for (const [field, values] of wildcards) {
    if (wildcardComplexity(values) > MAX_WILDCARD_COMPLEXITY)
      problems.push(
        `${field}: wildcard rule is too complex (fewer "*" or repeated text after "*")`,
      );
  }
  return problems;
}

function checkObject(
  obj: Json,
  path: string,
  field: string,
  inOr: boolean,
  problems: string[],
  wildcards: Map<string, string[]>,
): void {
  const keys = Object.keys(obj);
  if (keys.length === 0) problems.push(`${path}: empty objects are not allowed`);
  for (const key of keys) {
    const value = obj[key];
    const here = at(path, key);
    if (key === "$or") {
      const ok = Array.isArray(value) && value.length >= 2 && value.every(isObject);
      if (!ok) problems.push(`${here}: $or must be an array of at least 2 objects`);
      else value.forEach((b, i) => checkObject(b, at(here, i), field, true, problems, wildcards));
      continue;
    }
    if (inOr && RESERVED_IN_OR.has(key))
      problems.push(`${here}: "${key}" is reserved and cannot be a field name inside $or`);
    const joined = field ? `${field}.${key}` : key;
    if (isObject(value)) checkObject(value, here, joined, inOr, problems, wildcards);
    else if (!Array.isArray(value)) problems.push(`${here}: must be an object or an array`);
    else if (value.length === 0) problems.push(`${here}: empty arrays are not allowed`);
    else {
      const found = wildcards.get(joined) ?? [];
      value.forEach((v, i) => checkMatchValue(v, at(here, i), problems, found));
      if (found.length) wildcards.set(joined, found);
    }
  }
}

function checkMatchValue(v: unknown, path: string, problems: string[], wildcards: string[]) {
  if (isPrimitive(v)) return;
  if (!isObject(v)) {
    problems.push(`${path}: match value must be a string, number, true, false, null or an object`);
    return;
  }
  const keys = Object.keys(v);
  if (keys.length !== 1) {
    problems.push(`${path}: a match expression has exactly one key (got ${keys.length})`);
    return;
  }
  const [op] = keys;
  const arg = v[op];
  const here = at(path, op);
  const fail = (why: string): void => {
    problems.push(`${here}: ${why}`);
  };
  switch (op) {
    case "prefix":
    case "suffix":
      // A string, or {"equals-ignore-case": string}; an empty string is fine here.
      if (isObject(arg)) {
        const inner = Object.keys(arg);
        if (inner.length !== 1 || inner[0] !== "equals-ignore-case")
          fail(`only {"equals-ignore-case": ...} may be nested in ${op}`);
        else if (typeof arg["equals-ignore-case"] !== "string")
          fail("equals-ignore-case must be a string");
      } else if (typeof arg !== "string") fail(`${op} must be a string`);
      return;
    case "equals-ignore-case":
      if (typeof arg !== "string") fail("equals-ignore-case must be a string");
      return;
    case "wildcard":
      if (typeof arg !== "string") fail("wildcard must be a string");
      else checkWildcard(arg, here, problems, wildcards);
      return;
    case "exists":
      if (typeof arg !== "boolean") fail("exists must be true or false");
      return;
    case "numeric":
      checkNumeric(arg, here, problems);
      return;
    case "cidr":
      if (typeof arg !== "string") fail("cidr must be a string");
      else {
        const range = parseCidr(arg);
        if (typeof range === "string") fail(range);
      }
      return;
    case "anything-but":
      checkAnythingBut(arg, here, problems, wildcards);
      return;
    default:
      fail(`unknown operator "${op}" (operators are case-sensitive)`);
  }
}

function checkAnythingBut(arg: unknown, path: string, problems: string[], wildcards: string[]) {
  const fail = (why: string): void => {
    problems.push(`${path}: ${why}`);
  };
  if (typeof arg === "string") return;
  if (typeof arg === "number") {
    if (!isComparable(arg)) fail("numbers must be within ±5e9 with at most 6 decimals");
    return;
  }
  if (Array.isArray(arg)) {
    // Only strings or only numbers (no null, booleans, objects or mixing), and at least one.
    const strings = isStringList(arg);
    const numbers = arg.every((x) => typeof x === "number" && isComparable(x));
    if (arg.length === 0 || !(strings || numbers))
      fail("the list must hold only strings or only numbers (±5e9, 6 decimals)");
    return;
  }
  if (!isObject(arg)) {
    fail("must be a string, a number, a list, or {prefix|suffix|equals-ignore-case|wildcard}");
    return;
  }
  const keys = Object.keys(arg);
  const op = keys[0];
  if (keys.length !== 1 || !["prefix", "suffix", "equals-ignore-case", "wildcard"].includes(op)) {
    fail("only one of prefix, suffix, equals-ignore-case, wildcard may be nested");
    return;
  }
  const here = at(path, op);
  const inner = arg[op];
  const values = typeof inner === "string" ? [inner] : isStringList(inner) ? inner : undefined;
  if (!values) problems.push(`${here}: must be a string or a list of strings`);
  else if ((op === "prefix" || op === "suffix") && values.includes(""))
    problems.push(`${here}: an empty ${op} is not allowed inside anything-but`);
  else if (op === "wildcard") values.forEach((w) => checkWildcard(w, here, problems, wildcards));
}

/** Ruler's WildcardParser: `\*` is a literal star, `\\` a backslash, no other escape, no `**`. */
function wildcardProblem(w: string): string | undefined {
  for (let i = 0; i < w.length; i++) {
    if (w[i] === "*" && w[i + 1] === "*") return `consecutive wildcard characters at ${i}`;
    if (w[i] === "\\") {
      if (w[i + 1] !== "*" && w[i + 1] !== "\\") return `invalid escape character at ${i}`;
      i++;
    }
  }
  return undefined;
}

function checkWildcard(w: string, path: string, problems: string[], wildcards: string[]) {
  const problem = wildcardProblem(w);
  if (problem) problems.push(`${path}: ${problem}`);
  else wildcards.push(w);
}

/**
 * Ruler's grammar: ["=", n], [op, n] for one bound, or [">"|">=", low, "<"|"<=", high] with the
 * lower bound first and low < high. So ["<", 10, ">=", 0] is rejected, as AWS rejects it.
 */
function checkNumeric(arg: unknown, path: string, problems: string[]): void {
  const fail = (why: string): void => {
    problems.push(`${path}: ${why}`);
  };
  if (!Array.isArray(arg)) return fail("numeric must be an array");
  const [op1, n1, op2, n2] = arg;
  const num = (n: unknown) => typeof n === "number" && isComparable(n);
  if (!["=", "<", "<=", ">", ">="].includes(op1 as string))
    return fail(`unknown numeric operator ${JSON.stringify(op1)}`);
  if (!num(n1)) return fail(`the value of ${op1} must be a number within ±5e9, 6 decimals`);
  if (arg.length === 2) return;
  if (arg.length !== 4 || (op1 !== ">" && op1 !== ">=") || (op2 !== "<" && op2 !== "<="))
    return fail('a range is [">" or ">=", low, "<" or "<=", high]');
  if (!num(n2)) return fail(`the value of ${op2} must be a number within ±5e9, 6 decimals`);
  if ((n1 as number) >= (n2 as number)) fail("the lower bound must be less than the upper bound");
}

// ---------------------------------------------------------------------------------------------
// Wildcard complexity

/**
 * Approximates Ruler's MachineComplexityEvaluator for the wildcard values of one field: build
 * their trie (over the quoted value, as Ruler matches `"value"`), where a `*` makes a state loop,
 * then walk every set of NFA transitions some input can reach at once; a set scores the number of
 * values still reachable through each transition in it. The score is the worst set's.
 */
function wildcardComplexity(values: readonly string[]): number {
  interface State {
    next: Map<string, number>;
    loops: boolean;
    reach: number; // how many values pass through this state
  }
  const states: State[] = [{ next: new Map(), loops: false, reach: 0 }];
  const alphabet = new Set<string>(["\u0000"]); // plus one character no value uses
  for (const value of new Set(values)) {
    let cur = 0;
    states[cur].reach++;
    for (const token of ['"', ...wildcardTokens(value), '"']) {
      if (token === STAR) {
        states[cur].loops = true;
        continue;
      }
      alphabet.add(token);
      let nxt = states[cur].next.get(token);
      if (nxt === undefined) {
        nxt = states.push({ next: new Map(), loops: false, reach: 0 }) - 1;
        states[cur].next.set(token, nxt);
      }
      cur = nxt;
      states[cur].reach++;
    }
  }
  // A transition is "<from>:<char>" (to next.get(char)) or "*<state>" (a state's loop).
  const target = (t: string) =>
    t[0] === "*"
      ? Number(t.slice(1))
      : states[Number(t.split(":")[0])].next.get(t.slice(t.indexOf(":") + 1))!;
  const step = (from: Iterable<number>, c: string) => {
    const out: string[] = [];
    for (const s of from) {
      if (states[s].next.has(c)) out.push(`${s}:${c}`);
      if (states[s].loops) out.push(`*${s}`);
    }
    return [...new Set(out)].sort();
  };
  const seen = new Set<string>();
  const queue = [...alphabet].map((c) => step([0], c));
  let worst = 0;
  while (queue.length) {
    const set = queue.shift()!;
    const key = set.join("|");
    if (set.length === 0 || seen.has(key)) continue;
    seen.add(key);
    if (seen.size > 20000) return Infinity; // pathological: treat as too complex
    worst = Math.max(
      worst,
      set.reduce((n, t) => n + states[target(t)].reach, 0),
    );
    if (worst > MAX_WILDCARD_COMPLEXITY) return worst;
    const targets = new Set(set.map(target));
    for (const c of alphabet) queue.push(step(targets, c));
  }
  return worst;
}

const STAR = Symbol("wildcard");

/** Splits a valid wildcard value into literal characters and STAR, resolving escapes. */
function wildcardTokens(w: string): (string | typeof STAR)[] {
  const tokens: (string | typeof STAR)[] = [];
  for (let i = 0; i < w.length; i++) {
    if (w[i] === "*") tokens.push(STAR);
    else tokens.push(w[i] === "\\" ? w[++i] : w[i]);
  }
  return tokens;
}

function wildcardRegExp(w: string): RegExp {
  const source = wildcardTokens(w)
    .map((t) => (t === STAR ? "[\\s\\S]*" : t.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}

// ---------------------------------------------------------------------------------------------
// IP addresses (Ruler's CIDR class)

/** 4 or 16 bytes, or undefined. Like Ruler, only plain dotted-quad IPv4 and hex-and-colon IPv6. */
function parseIp(s: string): number[] | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(s)) {
    const bytes = s.split(".").map(Number);
    return bytes.every((b) => b <= 255) ? bytes : undefined;
  }
  if (!/^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/.test(s)) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const groups = [...head, ...Array<string>(8 - count).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]);
}

interface IpRange {
  low: number[];
  high: number[];
}

/**
 * Ruler's CIDR.cidr(): the range runs from the address as written (not masked) to the address
 * with the host bits set; the mask must be below 32 (IPv4) or 128 (IPv6). Returns a problem text.
 */
function parseCidr(s: string): IpRange | string {
  const parts = s.split("/");
  if (parts.length !== 2) return "malformed CIDR, one '/' required";
  if (!/^[+-]?\d+$/.test(parts[1])) return "malformed CIDR, mask bits must be an integer";
  const bits = Number(parts[1]);
  if (bits < 0) return "malformed CIDR, mask bits must not be negative";
  const low = parseIp(parts[0]);
  if (!low) return `nonstandard IP address: ${parts[0]}`;
  if (bits >= low.length * 8) return `mask bits must be < ${low.length * 8}`;
  const high = low.map((byte, i) => {
    const hostBits = Math.min(8, Math.max(0, low.length * 8 - bits - (low.length - 1 - i) * 8));
    return byte | ((1 << hostBits) - 1);
  });
  return { low, high };
}

const compareBytes = (a: number[], b: number[]) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
};

const inRange = (ip: number[] | undefined, r: IpRange) =>
  ip !== undefined &&
  ip.length === r.low.length &&
  compareBytes(ip, r.low) >= 0 &&
  compareBytes(ip, r.high) <= 0;

// ---------------------------------------------------------------------------------------------
// Compilation

type ValueTest = (v: Primitive) => boolean;

interface FieldTest {
  readonly path: string;
  /** `path` split for resolve(), worked out once per pattern. */
  readonly keys: PathKeys;
  readonly tests: readonly ValueTest[];
  /** The list holds {"exists": false}: the field may have no value at all. */
  readonly absentOk: boolean;
}

type Branch = readonly FieldTest[];

const lower = (s: string) => s.toLowerCase();
const isString = (v: Primitive): v is string => typeof v === "string";

function compileMatchValue(m: unknown): ValueTest | "absent" {
  if (!isObject(m)) {
    // An exact string that is an IP address matches any spelling of that address (Ruler turns it
    // into a one-address range), so "2001:db8::1" also matches "2001:0db8:0:0:0:0:0:1".
    const ip = typeof m === "string" ? parseIp(m) : undefined;
    if (ip) return (v) => v === m || (isString(v) && inRange(parseIp(v), { low: ip, high: ip }));
    return (v) => v === m;
  }
  const [op] = Object.keys(m);
  const arg = m[op];
  switch (op) {
    case "exists":
      return arg ? () => true : "absent";
    case "prefix":
    case "suffix": {
      const ignoreCase = isObject(arg);
      const text = ignoreCase ? (arg["equals-ignore-case"] as string) : (arg as string);
      const want = ignoreCase ? lower(text) : text;
      const fold = ignoreCase ? lower : (s: string) => s;
      return op === "prefix"
        ? (v) => isString(v) && fold(v).startsWith(want)
        : (v) => isString(v) && fold(v).endsWith(want);
    }
    case "equals-ignore-case": {
      const want = lower(arg as string);
      return (v) => isString(v) && lower(v) === want;
    }
    case "wildcard": {
      const re = wildcardRegExp(arg as string);
      return (v) => isString(v) && re.test(v);
    }
    case "numeric": {
      const spec = arg as (string | number)[];
      const bounds: [string, number][] = [];
      for (let i = 0; i < spec.length; i += 2)
        bounds.push([spec[i] as string, spec[i + 1] as number]);
      // Ruler compares numbers it can represent (±5e9, 6 decimals); others never match a range.
      return (v) =>
        typeof v === "number" &&
        isComparable(v) &&
        bounds.every(([o, n]) => compareNumber(o, v, n));
    }
    case "cidr": {
      const range = parseCidr(arg as string) as IpRange;
      return (v) => isString(v) && inRange(parseIp(v), range);
    }
    default:
      return compileAnythingBut(arg);
  }
}

function compareNumber(op: string, v: number, n: number): boolean {
  if (op === "=") return v === n;
  if (op === "<") return v < n;
  if (op === "<=") return v <= n;
  if (op === ">") return v > n;
  return v >= n;
}

/** Any value (null too) outside the set; the string forms let every non-string through. */
function compileAnythingBut(arg: unknown): ValueTest {
  if (!isObject(arg)) {
    const excluded = new Set<unknown>(Array.isArray(arg) ? arg : [arg]);
    return (v) => !excluded.has(v);
  }
  const [op] = Object.keys(arg);
  const inner = arg[op] as string | string[];
  const values = typeof inner === "string" ? [inner] : inner;
  let hit: (s: string) => boolean;
  if (op === "prefix") hit = (s) => values.some((p) => s.startsWith(p));
  else if (op === "suffix") hit = (s) => values.some((p) => s.endsWith(p));
  else if (op === "wildcard") {
    const res = values.map(wildcardRegExp);
    hit = (s) => res.some((re) => re.test(s));
  } else {
    const folded = new Set(values.map(lower));
    hit = (s) => folded.has(lower(s));
  }
  return (v) => !isString(v) || !hit(v);
}

function compileLeaf(path: string, list: readonly unknown[]): FieldTest {
  const tests: ValueTest[] = [];
  let absentOk = false;
  for (const m of list) {
    const t = compileMatchValue(m);
    if (t === "absent") absentOk = true;
    else tests.push(t);
  }
  return { path, keys: pathKeys(path), tests, absentOk };
}

/** Expands `$or` into branches (an OR of ANDs), as Ruler's JsonRuleCompiler does. */
function compileBranches(obj: Json, prefix: string, branches: Map<string, FieldTest>[]) {
  for (const [key, value] of Object.entries(obj)) {
    if (key === "$or") {
      branches = (value as Json[]).flatMap((alt) =>
        compileBranches(
          alt,
          prefix,
          branches.map((b) => new Map(b)),
        ),
      );
      continue;
    }
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(value)) branches = compileBranches(value, path, branches);
    else for (const b of branches) b.set(path, compileLeaf(path, value as unknown[]));
  }
  return branches;
}

// ---------------------------------------------------------------------------------------------
// Matching

/** The arrays (and element indexes) a leaf sits in, below objects found inside arrays. */
type Trail = readonly (readonly [unknown[], number])[];

interface Leaf {
  readonly value: Primitive;
  readonly trail: Trail;
}

/**
 * A dotted path as the keys resolve() tries: `keys[i]` lists, for a walk standing before the
 * path's i-th segment, each key it may look up (that segment alone, or joined by dots with the
 * following ones, since an event key may itself contain dots) and the segment after that key
 * (`segments` when the key ends the path).
 */
type PathKeys = readonly (readonly (readonly [key: string, next: number])[])[];

function pathKeys(path: string): PathKeys {
  const segments = path.split(".");
  return segments.map((_, i) =>
    segments.slice(i).map((_s, n) => [segments.slice(i, i + n + 1).join("."), i + n + 1] as const),
  );
}

/**
 * Collects the values at a dotted path. An event key may itself contain dots, so at each object
 * every split of the rest of the path is tried: "a.b.c" is a → b → c, "a.b" → c, a → "b.c"...
 */
function resolve(node: unknown, keys: PathKeys, from: number, trail: Trail, out: Leaf[]): void {
  if (Array.isArray(node)) {
    node.forEach((el, i) => {
      if (typeof el === "object" && el !== null)
        resolve(el, keys, from, [...trail, [node, i] as const], out);
    });
    return;
  }
  if (!isObject(node)) return;
  for (const [key, next] of keys[from]) {
    if (!hasOwn(node, key)) continue;
    if (next === keys.length) collectLeaves(node[key], trail, out);
    else resolve(node[key], keys, next, trail, out);
  }
}

function collectLeaves(v: unknown, trail: Trail, out: Leaf[]): void {
  if (Array.isArray(v)) for (const el of v) collectLeaves(el, trail, out);
  else if (isPrimitive(v)) out.push({ value: v, trail });
}

const consistent = (a: Trail, b: Trail) =>
  a.every(([arrA, i]) => b.every(([arrB, j]) => arrA !== arrB || i === j));

/** Ruler's rulesForJSONEvent: the values chosen for a branch come from the same array elements. */
function pickConsistent(groups: Leaf[][], i: number, picked: Leaf[]): boolean {
  if (i === groups.length) return true;
  for (const leaf of groups[i]) {
    if (!picked.every((p) => consistent(p.trail, leaf.trail))) continue;
    picked.push(leaf);
    if (pickConsistent(groups, i + 1, picked)) return true;
    picked.pop();
  }
  return false;
}

function matchBranch(branch: Branch, leavesAt: (field: FieldTest) => Leaf[]): boolean {
  const constrained: Leaf[][] = [];
  for (const field of branch) {
    const leaves = leavesAt(field);
    if (leaves.length === 0) {
      if (field.absentOk) continue;
      return false;
    }
    const hits = leaves.filter((l) => field.tests.some((t) => t(l.value)));
    if (hits.length === 0) return false;
    // A hit outside any array agrees with every other choice.
    if (hits.every((l) => l.trail.length > 0)) constrained.push(hits);
  }
  return constrained.length < 2 || pickConsistent(constrained, 0, []);
}

/** Validates once and returns a matcher for many events. Throws InvalidEventPatternError. */
export function compileEventPattern(pattern: object): (event: object) => boolean {
  const problems = validateEventPattern(pattern);
  if (problems.length > 0) throw new InvalidEventPatternError(problems);
  const branches: Branch[] = compileBranches(pattern as Json, "", [new Map()]).map((b) => [
    ...b.values(),
  ]);
  const leavesOf = (event: object) => (field: FieldTest) => {
    const out: Leaf[] = [];
    resolve(event, field.keys, 0, [], out);
    return out;
  };
  if (branches.length === 1) {
    const [branch] = branches;
    return (event) => matchBranch(branch, leavesOf(event));
  }
  return (event) => {
    // $or branches repeat paths: resolve each path once per event.
    const cache = new Map<string, Leaf[]>();
    const leaves = leavesOf(event);
    const cached = (field: FieldTest) => {
      let found = cache.get(field.path);
      if (!found) cache.set(field.path, (found = leaves(field)));
      return found;
    };
    return branches.some((b) => matchBranch(b, cached));
  };
}

/** Whether the pattern matches the event. Throws InvalidEventPatternError on an invalid pattern. */
export function matchesEventPattern(pattern: object, event: object): boolean {
  return compileEventPattern(pattern)(event);
}
