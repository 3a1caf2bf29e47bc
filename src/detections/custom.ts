import type { CustomDetectionConfig } from "../config/custom-detections";
import type { AlarmTuningInput } from "../config/fields";
import type { Detection } from "./types";

/** A `detections.custom` entry as a detection of the `custom` pack. */
export function customDetection(c: CustomDetectionConfig): Detection {
  return {
    id: c.id,
    title: c.title,
    severity: c.severity,
    pack: "custom",
    rationale: c.rationale,
    investigate: c.investigate,
    references: c.references,
    attribution: c.attribution,
    condition: c.condition,
    recordTypes: c.recordTypes,
    matchesReadOnly: c.matchesReadOnly,
    delivery: c.delivery,
    alarm: c.alarm,
    scope: c.scope,
    enabledByDefault: c.enabled,
  };
}

/** The configuration's custom detections, in configuration order. */
export function customDetections(c: {
  readonly detections: { readonly custom: readonly CustomDetectionConfig[] };
}): Detection[] {
  return c.detections.custom.map(customDetection);
}

/**
 * Alarm tuning by detection id: each custom detection's own `alarm`, overridden field by field
 * by `detections.alarms.<id>`.
 */
export function alarmTuningById(c: {
  readonly detections: {
    readonly custom: readonly CustomDetectionConfig[];
    readonly alarms: Readonly<Partial<Record<string, AlarmTuningInput>>>;
  };
}): Partial<Record<string, AlarmTuningInput>> {
  const out: Partial<Record<string, AlarmTuningInput>> = {};
  for (const d of c.detections.custom) if (d.alarm) out[d.id] = d.alarm;
  for (const [id, t] of Object.entries(c.detections.alarms)) out[id] = { ...out[id], ...t };
  return out;
}
