/**
 * Stratus Red Team coverage measured by replay: each technique's own CloudTrail records (its
 * published detonation log, or records written from its documentation where Stratus publishes
 * none) replayed through the backtest engine with a configuration's enabled detections and alarm
 * settings. A technique counts as detected only when a detection stratus.ts names for it would
 * have notified someone: an EventBridge notification, or an alarm that reached ALARM with the
 * configured threshold and period (a burst below the threshold is not a detection).
 */
import type { AlarmTuning } from "../constructs/detection-alarms";
import { replayRecords } from "../backtest/replay";
import type { CloudTrailRecord } from "../backtest/readers";
import { STRATUS_AWS_TECHNIQUES, type StratusTechnique } from "./stratus";
import type { Detection } from "./types";

/** What the replay of one technique's records gave. */
export interface TechniqueReplay {
  readonly id: string;
  /** Records replayed: from the detonation log / written from the technique's documentation. */
  readonly detonationRecords: number;
  readonly constructedRecords: number;
  /** Enabled detections that would have notified, any pack, in catalog order. */
  readonly notifiedBy: readonly string[];
  /** Whether one of the technique's own detections (stratus.ts `detectedBy`) notified. */
  readonly detected: boolean;
}

/**
 * A technique's own records: those whose `_source` is its detonation log
 * (`docs/detonation-logs/<id>.json`), and constructed ones whose `_modelled_on` names it and that
 * are not near misses (records a detection must stay quiet on say "near miss").
 */
export function recordsOfTechnique(
  id: string,
  records: readonly CloudTrailRecord[],
): CloudTrailRecord[] {
  const log = `docs/detonation-logs/${id}.json`;
  const named = new RegExp(`(^|[^\\w.-])${id.replace(/[.]/g, "\\.")}([^\\w-]|$)`);
  return records.filter((r) => {
    const source = String(r._source ?? "");
    if (source !== "constructed") return source.includes(log);
    const model = String(r._modelled_on ?? "");
    return named.test(model) && !/near miss/i.test(model);
  });
}

/**
 * Replays every technique of stratus.ts. `detections` are the configuration's enabled detections,
 * `tuning` its alarm settings by detection id (over each detection's defaults).
 */
export function replayStratus(
  detections: readonly Detection[],
  records: readonly CloudTrailRecord[],
  tuning: Readonly<Partial<Record<string, AlarmTuning>>> = {},
  techniques: readonly StratusTechnique[] = STRATUS_AWS_TECHNIQUES,
): TechniqueReplay[] {
  return techniques.map((t) => {
    const own = recordsOfTechnique(t.id, records);
    const notifiedBy = replayRecords(detections, own, tuning)
      .filter((o) => o.notified)
      .map((o) => o.id);
    return {
      id: t.id,
      detonationRecords: own.filter((r) => r._source !== "constructed").length,
      constructedRecords: own.filter((r) => r._source === "constructed").length,
      notifiedBy,
      detected: notifiedBy.some((id) => t.detectedBy.includes(id)),
    };
  });
}

/** Counts for the README and docs/coverage.md. */
export function replayCounts(replays: readonly TechniqueReplay[]): {
  total: number;
  detected: number;
  outOfReach: number;
} {
  const oor = new Set(STRATUS_AWS_TECHNIQUES.filter((t) => t.outOfReach).map((t) => t.id));
  return {
    total: replays.length,
    detected: replays.filter((r) => r.detected && !oor.has(r.id)).length,
    outOfReach: replays.filter((r) => oor.has(r.id)).length,
  };
}
