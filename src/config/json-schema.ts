import { z } from "zod";
import { configSchema } from "./schema";

/** The JSON Schema editors use for trailwatch.config.json (`$schema`), generated from the zod schema. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" });
  return {
    ...schema,
    $id: "https://github.com/trailwatch/trailwatch/trailwatch.schema.json",
    title: "trailwatch configuration",
    description:
      "Configuration of the trailwatch CloudTrail monitoring baseline. Cross-field rules (home region among regions, lifecycle ordering, minimum retention) are checked by `npm run synth`.",
  };
}

export function renderConfigJsonSchema(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + "\n";
}
