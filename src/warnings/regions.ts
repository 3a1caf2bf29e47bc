import type { TrailwatchConfig } from "../config/schema";
import { regionsWithoutStack, selectDetections } from "../detections/select";
import { watchedResources } from "../detections/watched";
import { resolveNames } from "../names";
import type { ConfigWarning } from "./types";

/**
 * Monitored regions that get no stack because no enabled detection needs an EventBridge rule
 * there (for example with every pack off). Said, so a region does not silently go unwatched; the
 * multi-region trail still records it into the archive and the log group.
 */
export function regionWarnings(c: TrailwatchConfig): ConfigWarning[] {
  const ds = selectDetections(c, watchedResources(resolveNames(c)));
  return regionsWithoutStack(c, ds).map((r) => ({
    field: `regions[${c.regions.indexOf(r)}]`,
    message: `${r} gets no stack: no enabled detection needs an EventBridge rule there (the trail still records it)`,
  }));
}
