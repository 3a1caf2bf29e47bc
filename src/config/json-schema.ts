import { z } from "zod";
import { conditionJsonSchemaDefs, conditionSchema } from "./condition-schema";
import { configSchema } from "./schema";

/** The JSON Schema editors use for trailwatch.config.json (`$schema`), generated from the zod schema. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    io: "input",
    unrepresentable: "any",
    // Conditions are validated by hand (precise messages) and described by a recursive $defs entry.
    override: (ctx) => {
      if (ctx.zodSchema === conditionSchema) {
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        ctx.jsonSchema.$ref = "#/$defs/condition";
      }
    },
  });
  return {
    ...schema,
    $defs: { ...(schema.$defs ?? {}), ...conditionJsonSchemaDefs() },
    $id: "https://github.com/trailwatch/trailwatch/trailwatch.schema.json",
    title: "trailwatch configuration",
    description:
      "Configuration of the trailwatch CloudTrail monitoring baseline. Rules between fields (home region among regions, items listed twice, distinct buckets, lifecycle ordering, minimum retention, alarm evaluation windows, names derived from several fields) are checked by `npm run synth`.",
  };
}

export function renderConfigJsonSchema(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + "\n";
}
