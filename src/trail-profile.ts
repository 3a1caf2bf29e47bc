import type { TrailwatchConfig } from "./config/schema";
import type { ManagementEventSelection } from "./constructs/trail";

/**
 * The two event-selection profiles.
 * - `compliance`: all read and write management events, nothing excluded. Security Hub
 *   CloudTrail.1 requires exactly this, and CloudWatch.7 (KMS key disable/deletion) needs KMS events.
 * - `cost`: the seed articles' advice: write-only management events, AWS KMS and RDS Data API
 *   events excluded. Cheaper, but gives up CloudTrail.1 and the KMS detections.
 */
export const TRAIL_PROFILE_SELECTIONS: Record<
  TrailwatchConfig["trail"]["profile"],
  ManagementEventSelection
> = {
  compliance: { readWrite: "All", excludeSources: [] },
  cost: { readWrite: "WriteOnly", excludeSources: ["kms.amazonaws.com", "rdsdata.amazonaws.com"] },
};

/** The profile's selection with the configuration's overrides applied. */
export function managementEventSelection(c: TrailwatchConfig): ManagementEventSelection {
  const base = TRAIL_PROFILE_SELECTIONS[c.trail.profile];
  return {
    readWrite: c.trail.managementEvents ?? base.readWrite,
    excludeSources: c.trail.excludeManagementEventSources ?? base.excludeSources,
  };
}
