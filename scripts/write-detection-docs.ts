import { existsSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { docsInput } from "./docs-input";
import { ConfigError, configPath, loadConfigFile } from "../src/config/load";
import { customDetections } from "../src/detections/custom";
import { renderCustomDetectionDocs, renderDetectionDocs } from "../src/detections/docs";

// `npm run docs`: regenerate docs/detections.md after changing the catalog, and
// docs/custom-detections.md from the configuration's detections.custom (TRAILWATCH_CONFIG, else
// trailwatch.config.json).
writeFileSync("docs/detections.md", renderDetectionDocs(docsInput()));
console.log("wrote docs/detections.md");

const customFile = "docs/custom-detections.md";
const file = configPath();
try {
  const custom = customDetections(loadConfigFile(file));
  const shown = path.relative(process.cwd(), file) || file;
  if (custom.length > 0) {
    writeFileSync(customFile, renderCustomDetectionDocs(custom, shown));
    console.log(`wrote ${customFile} (${custom.length} from ${shown})`);
  } else if (existsSync(customFile)) {
    rmSync(customFile);
    console.log(`removed ${customFile}: ${shown} has no detections.custom`);
  }
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  process.exitCode = 2;
}
