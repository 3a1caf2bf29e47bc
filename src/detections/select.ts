import type { TrailwatchConfig } from "../config/schema";
import { GLOBAL_EVENTS_REGION } from "../config/regions";
import { catalog, enabledDetections } from "./catalog";
import { customDetections } from "./custom";
import { deliversAlarm, deliversEvent } from "./render";
import type { Detection, WatchedResources } from "./types";

/** The catalog and the configuration's custom detections (detections.custom), enabled or not. */
export function allDetections(c: TrailwatchConfig, watched: WatchedResources): Detection[] {
  return [...catalog(watched), ...customDetections(c)];
}

/** The configuration's enabled detections, with names of the watched resources filled in. */
export function selectDetections(c: TrailwatchConfig, watched: WatchedResources): Detection[] {
  return enabledDetections(allDetections(c, watched), c.detections);
}

export function alarmDetections(ds: readonly Detection[]): Detection[] {
  return ds.filter(deliversAlarm);
}

/**
 * Event detections that need a rule in `region`. The home region gets every one: its rules see
 * its own events and the events other regions forward to its bus. Other regions get regional
 * detections, and us-east-1 also the global ones, whose events arrive only there.
 */
export function ruleDetectionsFor(
  ds: readonly Detection[],
  region: string,
  homeRegion: string,
): Detection[] {
  const events = ds.filter(deliversEvent);
  if (region === homeRegion) return events;
  return events.filter(
    (d) => d.scope === "regional" || (d.scope === "global" && region === GLOBAL_EVENTS_REGION),
  );
}

/** Regions that get a stack: the monitored ones, plus us-east-1 when a global rule is on. */
export function stackRegions(c: TrailwatchConfig, ds: readonly Detection[]): string[] {
  const regions = [c.homeRegion, ...c.regions.filter((r) => r !== c.homeRegion)];
  const needsGlobal = ds.some((d) => deliversEvent(d) && d.scope === "global");
  if (needsGlobal && !regions.includes(GLOBAL_EVENTS_REGION)) regions.push(GLOBAL_EVENTS_REGION);
  return regions;
}
