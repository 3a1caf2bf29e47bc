import { writeFileSync } from "node:fs";
import { docsInput } from "./docs-input";
import { renderDetectionDocs } from "../src/detections/docs";

// `npm run docs`: regenerate docs/detections.md after changing the catalog.
writeFileSync("docs/detections.md", renderDetectionDocs(docsInput()));
console.log("wrote docs/detections.md");
