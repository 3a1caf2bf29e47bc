import { writeFileSync } from "node:fs";
import { renderConfigJsonSchema } from "../src/config/json-schema";

// `npm run schema`: regenerate trailwatch.schema.json after changing src/config/schema.ts.
writeFileSync("trailwatch.schema.json", renderConfigJsonSchema());
console.log("wrote trailwatch.schema.json");
