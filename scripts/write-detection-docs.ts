import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as prettier from "prettier";
import { docsInput } from "./docs-input";
import { ConfigError, configPath, loadConfigFile } from "../src/config/load";
import { renderCoverageDocs } from "../src/detections/coverage-docs";
import { customDetections } from "../src/detections/custom";
import { renderCustomDetectionDocs, renderDetectionDocs } from "../src/detections/docs";
import { readmeWithLimits } from "../src/detections/limits";

// `npm run docs`: regenerate docs/detections.md and docs/coverage.md after changing the catalog,
// and docs/custom-detections.md from the configuration's detections.custom (TRAILWATCH_CONFIG,
// else trailwatch.config.json).
writeFileSync("docs/detections.md", renderDetectionDocs(docsInput()));
writeFileSync("docs/coverage.md", renderCoverageDocs(docsInput()));
console.log("wrote docs/detections.md and docs/coverage.md");

// The README is formatted by Prettier (lint checks it), so the table is written the way it formats.
async function writeReadme(): Promise<void> {
  const readme = readmeWithLimits(readFileSync("README.md", "utf8"), docsInput().watched);
  const options = { ...(await prettier.resolveConfig("README.md")), filepath: "README.md" };
  writeFileSync("README.md", await prettier.format(readme, options));
}
writeReadme().then(
  () => console.log("wrote README.md's quota table"),
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);

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
