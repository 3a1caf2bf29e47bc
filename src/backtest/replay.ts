/**
 * Replay of an in-memory list of CloudTrail records through the backtest engine: what each
 * detection would have notified, exactly as `npm run backtest` counts it (event rules on the
 * EventBridge envelope, alarms emulated on the metric filter's per-minute counts with the
 * detection's alarm settings). Used to measure coverage of attack techniques on their records.
 */
import type { AlarmTuning } from "../constructs/detection-alarms";
import { deliversAlarm, deliversEvent } from "../detections/render";
import type { Detection } from "../detections/types";
import { compilePlan, FileScanner, planDetections } from "./engine";
import type { CloudTrailRecord } from "./readers";
import { Totals } from "./tally";

/** What one detection would have done on the replayed records. */
export interface ReplayOutcome {
  readonly id: string;
  /** Records its metric filter pattern matches. */
  readonly filterMatches: number;
  /** Records its event pattern matches (EventBridge notifications, if delivered as events). */
  readonly eventMatches: number;
  /** OK -> ALARM transitions of its alarm; null when it is not delivered as an alarm. */
  readonly alarms: number | null;
  /** Whether anyone would have been told: an event notification or an alarm. */
  readonly notified: boolean;
}

/**
 * Replays `records` (in any order) through `detections` with `tuning` over each detection's own
 * alarm defaults; one outcome per detection, in input order.
 */
export function replayRecords(
  detections: readonly Detection[],
  records: Iterable<CloudTrailRecord>,
  tuning: Readonly<Partial<Record<string, AlarmTuning>>> = {},
): ReplayOutcome[] {
  const plan = planDetections(detections, tuning);
  const scanner = new FileScanner(compilePlan(plan, {}), "replay", {});
  for (const r of records) scanner.add(r);
  const totals = new Totals(plan);
  totals.add(scanner.tally());
  return totals.result().map((t, i) => {
    const d = detections[i];
    const alarms = t.filter.alarms?.count ?? null;
    return {
      id: t.id,
      filterMatches: t.filter.matches,
      eventMatches: t.event.matches,
      alarms,
      notified:
        (deliversEvent(d) && t.event.matches > 0) || (deliversAlarm(d) && (alarms ?? 0) > 0),
    };
  });
}
