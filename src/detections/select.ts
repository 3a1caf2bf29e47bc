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

/**
 * Regions that get a stack: home, always (it holds the trail, which records every region, and the
 * archive, log group, topic and alarms); every other monitored region that needs at least one
 * EventBridge rule; and us-east-1, monitored or not, when a global detection has a rule (IAM, STS,
 * Organizations and sign-in events reach EventBridge only there). A region with no rule to run
 * would get only a forwarding role with nothing to forward, so it gets no stack.
 */
export function stackRegions(c: TrailwatchConfig, ds: readonly Detection[]): string[] {
  const monitored = c.regions.filter(
    (r) => r !== c.homeRegion && ruleDetectionsFor(ds, r, c.homeRegion).length > 0,
  );
  const needsGlobal = ds.some((d) => deliversEvent(d) && d.scope === "global");
  const global =
    needsGlobal &&
    c.homeRegion !== GLOBAL_EVENTS_REGION &&
    !monitored.includes(GLOBAL_EVENTS_REGION)
      ? [GLOBAL_EVENTS_REGION]
      : [];
  return [c.homeRegion, ...monitored, ...global];
}

/** Monitored regions other than home that get no stack, because no enabled detection has a rule there. */
export function regionsWithoutStack(c: TrailwatchConfig, ds: readonly Detection[]): string[] {
  const stacks = stackRegions(c, ds);
  return c.regions.filter((r) => !stacks.includes(r));
}
