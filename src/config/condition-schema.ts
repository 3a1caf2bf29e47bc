/**
 * The condition language (src/detections/condition.ts) as configuration: a validator that names
 * the exact path of every problem, and a JSON Schema (recursive, with a description per operator)
 * so editors complete and explain `detections.custom[].condition`.
 */
import { z } from "zod";
import { NUMERIC_OPERATORS, type Condition } from "../detections/condition";
import { parseFieldPath } from "../detections/field-path";

export interface ConditionProblem {
  /** Path below the condition, e.g. ["all", 1, "equals"]. */
  readonly path: (string | number)[];
  readonly message: string;
}

const TEXT_OPERATORS = [
  "prefix",
  "suffix",
  "contains",
  "notPrefix",
  "notSuffix",
  "notContains",
] as const;
const NUMERIC = Object.keys(NUMERIC_OPERATORS) as (keyof typeof NUMERIC_OPERATORS)[];
const LEAF_OPERATORS = ["equals", "notEquals", ...TEXT_OPERATORS, ...NUMERIC, "exists"] as const;

const isScalar = (v: unknown) =>
  typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

const SHAPES =
  '{"all": [...]}, {"any": [...]}, or {"field": "<path>", "<operator>": <value>} with one operator of ' +
  LEAF_OPERATORS.join(", ");

/** Every structural problem of a condition, each with its path; [] when it is well formed. */
export function conditionProblems(
  value: unknown,
  path: (string | number)[] = [],
): ConditionProblem[] {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return [{ path, message: `must be a condition: ${SHAPES}` }];
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  for (const group of ["all", "any"] as const) {
    if (!(group in o)) continue;
    if (keys.length > 1)
      return [
        {
          path,
          message: `"${group}" stands alone; unexpected ${keys
            .filter((k) => k !== group)
            .map((k) => JSON.stringify(k))
            .join(", ")}`,
        },
      ];
    const list = o[group];
    if (!Array.isArray(list) || list.length === 0)
      return [{ path: [...path, group], message: "must be a non-empty list of conditions" }];
    return list.flatMap((c, i) => conditionProblems(c, [...path, group, i]));
  }
  const problems: ConditionProblem[] = [];
  if (!("field" in o)) return [{ path, message: `has no "field", "all" or "any": ${SHAPES}` }];
  if (typeof o.field !== "string" || o.field === "")
    problems.push({ path: [...path, "field"], message: "must be a dotted path into the record" });
  else {
    try {
      parseFieldPath(o.field);
    } catch (e) {
      problems.push({ path: [...path, "field"], message: (e as Error).message });
    }
  }
  const ops = keys.filter((k) => k !== "field");
  const unknown = ops.filter((k) => !(LEAF_OPERATORS as readonly string[]).includes(k));
  if (unknown.length > 0)
    problems.push({
      path,
      message: `unknown operator${unknown.length > 1 ? "s" : ""} ${unknown
        .map((k) => JSON.stringify(k))
        .join(", ")}; allowed: ${LEAF_OPERATORS.join(", ")}`,
    });
  else if (ops.length !== 1)
    problems.push({
      path,
      message:
        ops.length === 0
          ? `needs one operator: ${LEAF_OPERATORS.join(", ")}`
          : `has ${ops.length} operators (${ops.join(", ")}); use "all" to combine them`,
    });
  else {
    const [op] = ops;
    const v = o[op];
    const at = [...path, op];
    if (op === "equals") {
      if (!Array.isArray(v) || v.length === 0)
        problems.push({
          path: at,
          message: "must be a non-empty list of strings, numbers or booleans",
        });
      else
        v.forEach((x, i) => {
          if (!isScalar(x))
            problems.push({ path: [...at, i], message: "must be a string, a number or a boolean" });
        });
    } else if (op === "notEquals") {
      if (!isScalar(v))
        problems.push({ path: at, message: "must be a string, a number or a boolean" });
    } else if ((NUMERIC as string[]).includes(op)) {
      if (typeof v !== "number" || !Number.isFinite(v))
        problems.push({ path: at, message: "must be a finite number" });
    } else if (op === "exists") {
      if (typeof v !== "boolean") problems.push({ path: at, message: "must be true or false" });
    } else if (typeof v !== "string" || v === "")
      problems.push({ path: at, message: "must be a non-empty string" });
  }
  return problems;
}

/** Validates `detections.custom[].condition`, one issue per problem at its own path. */
export const conditionSchema = z
  .custom<Condition>(() => true)
  .superRefine((v, ctx) => {
    for (const p of conditionProblems(v))
      ctx.addIssue({ code: "custom", path: p.path, message: p.message });
  });

const field = z.string().min(1).meta({
  description:
    "Dotted path into the CloudTrail record, e.g. eventName, userIdentity.type, requestParameters.bucketName. `[]` after a step searches an array's elements (requestParameters.launchPermission.add.items[].userId).",
});
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const text = (description: string) => z.string().min(1).meta({ description });

/** The same language as a zod union, used only to describe it in the JSON Schema. */
const described: z.ZodType = z
  .union([
    z
      .strictObject({
        get all() {
          return z.array(described).min(1);
        },
      })
      .meta({ description: "Every sub-condition holds." }),
    z
      .strictObject({
        get any() {
          return z.array(described).min(1);
        },
      })
      .meta({ description: "At least one sub-condition holds." }),
    z
      .strictObject({
        field,
        equals: z.array(scalar).min(1).meta({
          description: "The field equals one of these values (exact and case-sensitive).",
        }),
      })
      .meta({ description: "Equality with one of a list of values." }),
    z
      .strictObject({
        field,
        notEquals: scalar.meta({
          description: "The field is present and differs from this value.",
        }),
      })
      .meta({ description: "Inequality (the field must be present)." }),
    ...TEXT_OPERATORS.map((op) =>
      z
        .strictObject({
          field,
          [op]: text(
            op.startsWith("not")
              ? `The field is present and does not ${op === "notContains" ? "contain" : op === "notPrefix" ? "start with" : "end with"} this text (case-sensitive).`
              : `The field ${op === "contains" ? "contains" : op === "prefix" ? "starts with" : "ends with"} this text (case-sensitive).`,
          ),
        })
        .meta({ description: `Text operator ${op}.` }),
    ),
    ...NUMERIC.map((op) =>
      z
        .strictObject({
          field,
          [op]: z.number().meta({
            description: `The field is a number (or a string spelling one) ${NUMERIC_OPERATORS[op]} this bound; EventBridge compares JSON numbers only.`,
          }),
        })
        .meta({ description: `Numeric comparison ${op} (${NUMERIC_OPERATORS[op]}).` }),
    ),
    z
      .strictObject({
        field,
        exists: z.boolean().meta({
          description: "true: the field holds a value; false: the field is absent.",
        }),
      })
      .meta({ description: "Presence or absence of a field." }),
  ])
  .meta({
    description:
      "A trailwatch condition on one CloudTrail record, rendered as a CloudWatch Logs metric filter pattern, an EventBridge event pattern and Athena SQL (src/detections/condition.ts).",
  });

/** `$defs` entry and reference for the condition language in the configuration's JSON Schema. */
export function conditionJsonSchemaDefs(): Record<string, unknown> {
  const schema = z.toJSONSchema(described, { io: "input" }) as Record<string, unknown>;
  const { $schema: _ignored, $defs, ...root } = schema;
  // The union refers to itself as "#": point it at its $defs entry instead.
  const text = JSON.stringify({ ...(($defs as object) ?? {}), condition: root }).replace(
    /"\$ref":"#"/g,
    '"$ref":"#/$defs/condition"',
  );
  return JSON.parse(text) as Record<string, unknown>;
}
