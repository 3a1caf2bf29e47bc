import { CIS_DETECTIONS } from "./cis";
import { SEED_DETECTIONS } from "./seed";
import { threatDetections } from "./threat";
import type { AlarmDefaults, Detection, Pack, WatchedResources } from "./types";
import { watcherDetections } from "./watcher";

export const PACKS: readonly Pack[] = ["cis", "seed", "watcher", "threat", "custom"];

/** Every detection trailwatch knows, in catalog order. */
export function catalog(watched: WatchedResources): Detection[] {
  return [
    ...CIS_DETECTIONS,
    ...SEED_DETECTIONS,
    ...watcherDetections(watched),
    ...threatDetections(watched),
  ];
}

/** The catalog without resource names (ids, conditions and deliveries do not depend on them). */
export const NAMELESS = catalog({
  trailName: "",
  trailArn: "",
  logGroupName: "",
  alertTopicArns: [""],
  archiveBucket: "",
  resourcePrefix: "",
  trailKeyArn: "",
  trailKeyId: "",
  trailKeyAlias: "",
});

/** Ids of every detection (they do not depend on resource names). */
export const DETECTION_IDS: readonly string[] = NAMELESS.map((d) => d.id);

/** Ids of the detections delivered as CloudWatch alarms (the ones whose alarms can be tuned). */
export const ALARM_DETECTION_IDS: readonly string[] = NAMELESS.filter(
  (d) => d.delivery === "alarm" || d.delivery === "both",
).map((d) => d.id);

/** The alarm defaults of the detections that ship them (volume signals), by id. */
export const ALARM_DEFAULTS: Readonly<Record<string, AlarmDefaults>> = Object.fromEntries(
  NAMELESS.flatMap((d) => (d.alarm ? [[d.id, d.alarm]] : [])),
);

export interface DetectionSelection {
  /** Pack switches; a pack not named is on (as the configuration's defaults are). */
  readonly packs: Readonly<Partial<Record<Pack, boolean>>>;
  readonly enable: readonly string[];
  readonly disable: readonly string[];
}

/** The detections a configuration turns on: pack switches, then explicit enable/disable by id. */
export function enabledDetections(all: readonly Detection[], s: DetectionSelection): Detection[] {
  return all.filter((d) => {
    if (s.disable.includes(d.id)) return false;
    if (s.enable.includes(d.id)) return true;
    return (s.packs[d.pack] ?? true) && d.enabledByDefault;
  });
}
