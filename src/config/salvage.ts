import type { z } from "zod";

/**
 * What parsed of a configuration that did not parse as a whole: every field, list item and map
 * entry that is valid on its own, with its defaults; invalid ones are left out (a list keeps its
 * positions: an invalid item is `undefined`). Cross-field rules run on this, so one bad field
 * hides no problem of the others (an invalid `homeRegion` does not hide a region listed twice).
 */
export type Salvaged<T> = T extends readonly (infer E)[]
  ? readonly (Salvaged<E> | undefined)[]
  : T extends object
    ? { [K in keyof T]?: Salvaged<T[K]> }
    : T;

type Result = { ok: true; value: unknown } | { ok: false };

/** Parses `raw` with `schema`, keeping every part that is valid on its own (see `Salvaged`). */
export function salvage<S extends z.ZodType>(schema: S, raw: unknown): Salvaged<z.output<S>> {
  const r = part(schema, raw);
  return (r.ok ? r.value : {}) as Salvaged<z.output<S>>;
}

function part(schema: z.ZodType, raw: unknown): Result {
  const whole = schema.safeParse(raw);
  if (whole.success) return { ok: true, value: whole.data };
  const def = schema._zod.def as unknown as Def;
  if ("innerType" in def) {
    // default, prefault, optional: a missing value is its default (which parsed above) or absent.
    if (raw === undefined)
      return def.type === "optional" ? { ok: true, value: undefined } : { ok: false };
    return part(def.innerType, raw);
  }
  if ("shape" in def) {
    if (!isPlainObject(raw)) return { ok: false };
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(def.shape)) {
      const r = part(field, raw[key]);
      if (r.ok && r.value !== undefined) out[key] = r.value;
    }
    return { ok: true, value: out };
  }
  if ("element" in def) {
    if (!Array.isArray(raw)) return { ok: false };
    const items = raw.map((item) => {
      const r = part(def.element, item);
      return r.ok ? r.value : undefined;
    });
    return { ok: true, value: items };
  }
  if ("valueType" in def) {
    if (!isPlainObject(raw)) return { ok: false };
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (!def.keyType.safeParse(key).success) continue;
      const r = part(def.valueType, value);
      if (r.ok) out[key] = r.value;
    }
    return { ok: true, value: out };
  }
  return { ok: false };
}

/** The parts of zod's schema definitions this walk reads. */
type Def =
  | { type: string; innerType: z.ZodType }
  | { type: string; shape: Record<string, z.ZodType> }
  | { type: string; element: z.ZodType }
  | { type: string; keyType: z.ZodType; valueType: z.ZodType }
  | { type: string };

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

/** The schema of the field at `path` (object fields, list items, map values), if there is one. */
export function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    current = current && unwrap(current);
    const def = current?._zod.def as unknown as Def | undefined;
    if (!def) return undefined;
    if ("shape" in def) current = def.shape[String(key)];
    else if ("element" in def) current = def.element;
    else if ("valueType" in def) current = def.valueType;
    else return undefined;
  }
  return current;
}

function unwrap(schema: z.ZodType): z.ZodType {
  const def = schema._zod.def as unknown as Def;
  return "innerType" in def ? unwrap(def.innerType) : schema;
}
