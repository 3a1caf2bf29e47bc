import * as path from "node:path";
import { watchedResources } from "../src/app";
import { loadConfigFile } from "../src/config/load";
import type { DocsInput } from "../src/detections/docs";
import { resolveNames } from "../src/names";

/** The documentation uses the committed example configuration's names. */
export function docsInput(): DocsInput {
  const config = loadConfigFile(path.join(__dirname, "..", "trailwatch.config.json"));
  return {
    watched: watchedResources(resolveNames(config), {
      arn: "<trail key ARN>",
      id: "<trail key id>",
    }),
  };
}
