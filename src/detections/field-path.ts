/**
 * Field paths of the condition language (condition.ts): `name(.name)*`, where a name may be
 * followed by `[]` (once or more) to search the elements of an array:
 *
 * - `userIdentity.type`: a nested field;
 * - `requestParameters.launchPermission.add.items[].userId`: `userId` of some element of `items`;
 * - `requestParameters.valuesToAdd[]`: some element of `valuesToAdd` itself;
 * - `a[][].b`: `b` of some element of some element of `a` (an array of arrays).
 *
 * How each rendering searches an array:
 * - EventBridge (Event Ruler) searches every element of every array on a path by itself, so the
 *   event pattern uses the path without the `[]` markers;
 * - CloudWatch Logs filter patterns have no "any element" selector, only indexes (`$.a[0].b`;
 *   AWS "Filter pattern syntax for metric filters": "Arrays contain elements that follow a
 *   zero-based ordering system ... Enclose elements in brackets"), and the Athena rendering uses
 *   the same JSON paths (`json_extract_scalar(col, '$.a[0].b')`, Trino JSONPath), so both look at
 *   the first `ARRAY_ELEMENTS_SEARCHED` elements: a positive operator is an OR over them,
 *   `exists: false` an AND. An element past the limit is seen by EventBridge only.
 */

/**
 * Array elements the filter pattern and SQL renderings search for each `[]`. CloudTrail request
 * parameters that share something (AMI launch permissions, snapshot create-volume permissions)
 * carry one item per account in the call; four covers the CLI and console calls seen in public
 * records while keeping a pattern with two such fields well under the 1,024-character limit.
 */
export const ARRAY_ELEMENTS_SEARCHED = 4;

export interface PathStep {
  readonly name: string;
  /** How many `[]` follow the name (0 for a plain property). */
  readonly arrays: number;
}

const STEP = /^([^.[\]]+)((?:\[\])*)$/;

/** Parses a field path. Throws naming the field when a step is empty or misuses brackets. */
export function parseFieldPath(field: string): PathStep[] {
  if (field === "") throw new Error("empty field path");
  return field.split(".").map((step) => {
    const m = STEP.exec(step);
    if (!m)
      throw new Error(
        `field "${field}": step ${JSON.stringify(step)} is not a name optionally followed by [] (letters, digits, - and _; "[]" marks an array searched element by element)`,
      );
    return { name: m[1], arrays: m[2].length / 2 };
  });
}

/** The path without `[]` markers: what EventBridge matches (it searches arrays by itself). */
export function plainPath(field: string): string {
  return parseFieldPath(field)
    .map((s) => s.name)
    .join(".");
}

/** Whether the path searches an array. */
export function searchesArray(field: string): boolean {
  return parseFieldPath(field).some((s) => s.arrays > 0);
}

/** One concrete path with indexes: each step's name and the indexes after it. */
export type IndexedPath = readonly { readonly name: string; readonly indexes: readonly number[] }[];

/**
 * Every concrete path the filter pattern and SQL renderings look at: each `[]` replaced by each
 * index below `limit`, in order (`a[].b` -> `a[0].b`, `a[1].b`, ...). A path without `[]` gives
 * itself.
 */
export function indexedPaths(field: string, limit = ARRAY_ELEMENTS_SEARCHED): IndexedPath[] {
  let out: { name: string; indexes: number[] }[][] = [[]];
  for (const step of parseFieldPath(field)) {
    let combos: number[][] = [[]];
    for (let i = 0; i < step.arrays; i++)
      combos = combos.flatMap((c) => Array.from({ length: limit }, (_, n) => [...c, n]));
    out = out.flatMap((prefix) =>
      combos.map((indexes) => [...prefix, { name: step.name, indexes }]),
    );
  }
  return out;
}

/**
 * The arrays a path searches, each as the plain path up to and including it (`a.items[].b` ->
 * ["a.items"]). Two fields of one EventBridge branch that search the same array must be found in
 * the same element (Event Ruler's array consistency), which the filter pattern cannot say.
 */
export function searchedArrays(field: string): string[] {
  const out: string[] = [];
  const names: string[] = [];
  for (const step of parseFieldPath(field)) {
    names.push(step.name);
    for (let i = 0; i < step.arrays; i++) out.push(`${names.join(".")}${"[]".repeat(i + 1)}`);
  }
  return out;
}
