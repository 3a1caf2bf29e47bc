import { readFileSync } from "node:fs";
import * as path from "node:path";
import { watchedResources } from "../src/detections/watched";
import type { CloudTrailRecord } from "../src/backtest/readers";
import { loadConfigFile } from "../src/config/load";
import { alarmTuningById } from "../src/detections/custom";
import type { DocsInput } from "../src/detections/docs";
import { selectDetections } from "../src/detections/select";
import { replayStratus } from "../src/detections/stratus-replay";
import { resolveNames } from "../src/names";

const ROOT = path.join(__dirname, "..");

/** The committed CloudTrail records: real, Stratus detonation logs, constructed (__tests__/fixtures/SOURCES.md). */
export function fixtureRecords(): CloudTrailRecord[] {
  return ["records.jsonl", "stratus-detonations.jsonl", "constructed.jsonl"].flatMap((f) =>
    readFileSync(path.join(ROOT, "__tests__", "fixtures", f), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as CloudTrailRecord),
  );
}

/**
 * The documentation uses the committed example configuration's names, and measures Stratus Red
 * Team coverage by replaying the committed records with that configuration's detections.
 */
export function docsInput(): DocsInput {
  const config = loadConfigFile(path.join(ROOT, "trailwatch.config.json"));
  const watched = watchedResources(resolveNames(config), {
    arn: "<trail key ARN>",
    id: "<trail key id>",
  });
  return {
    watched,
    stratusReplay: replayStratus(
      selectDetections(config, watched),
      fixtureRecords(),
      alarmTuningById(config),
    ),
  };
}
