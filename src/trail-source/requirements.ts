/**
 * What an existing trail (trail.mode "existing") must record for each enabled detection to work.
 * trailwatch cannot read the trail at synth time (no AWS call), so the configuration states what
 * the trail logs (`trail.existing.managementEvents`, `excludeManagementEventSources`,
 * `includesGlobalServiceEvents`, as `aws cloudtrail get-event-selectors` and `get-trail` show it)
 * and these rules check every enabled detection against it.
 *
 * Sources: CloudTrail user guide, "Logging management events" (read/write events,
 * `ExcludeManagementEventSources` for kms.amazonaws.com and rdsdata.amazonaws.com) and "Receiving
 * CloudTrail log files from multiple regions" (global service events are recorded in us-east-1);
 * EventBridge user guide, "Events from AWS services" ("To record events with a detail-type value
 * of AWS API Call via CloudTrail, a CloudTrail trail with logging enabled is required").
 */
import type { Condition } from "../detections/condition";
import { deliversAlarm, deliversEvent } from "../detections/render";
import type { Detection } from "../detections/types";
import type { ExistingTrail } from "../config/modes";

/** Event names that only read (CloudTrail marks their events `readOnly: true`). */
const READ_ONLY_NAME = /^(Describe|Get|List|Lookup|BatchGet|Search)/;

function fieldValues(c: Condition, field: string): string[] | undefined {
  if ("all" in c) {
    for (const sub of c.all) {
      const v = fieldValues(sub, field);
      if (v) return v;
    }
    return undefined;
  }
  if ("any" in c) {
    const parts = c.any.map((sub) => fieldValues(sub, field));
    return parts.every((p) => p !== undefined) ? (parts.flat() as string[]) : undefined;
  }
  if ("equals" in c && c.field === field) return c.equals.map(String);
  return undefined;
}

/** What a trail must record for one detection. */
export interface TrailRequirement {
  readonly detection: string;
  /** `read`, `write` or both: the management events the detection matches. */
  readonly managementEvents: readonly ("read" | "write")[];
  /** Event sources that must not be excluded. Empty: any source (the detection names none). */
  readonly eventSources: readonly string[];
  /** Needs global service events (IAM, STS, sign-in) in the trail's log group. */
  readonly globalServiceEvents: boolean;
  /** Needs the trail's CloudWatch Logs delivery (a metric filter reads the log group). */
  readonly cloudWatchLogs: boolean;
  /** Needs CloudTrail to deliver its events to EventBridge (an enabled trail in the account). */
  readonly eventBridge: boolean;
}

export function trailRequirement(d: Detection): TrailRequirement {
  const names = fieldValues(d.condition, "eventName");
  const readOnlyOnly = names !== undefined && names.every((n) => READ_ONLY_NAME.test(n));
  const managementEvents: ("read" | "write")[] = readOnlyOnly
    ? ["read"]
    : d.matchesReadOnly
      ? ["read", "write"]
      : ["write"];
  return {
    detection: d.id,
    managementEvents,
    eventSources: fieldValues(d.condition, "eventSource") ?? [],
    globalServiceEvents: d.scope === "global",
    cloudWatchLogs: deliversAlarm(d),
    eventBridge: deliversEvent(d),
  };
}

/** One sentence per requirement: what the trail must have for the detection. */
export function describeRequirement(r: TrailRequirement): string {
  const parts = [
    `${r.managementEvents.join(" and ")} management events`,
    ...(r.eventSources.length > 0 ? [`from ${r.eventSources.join(", ")} (not excluded)`] : []),
    ...(r.globalServiceEvents ? ["global service events"] : []),
    ...(r.cloudWatchLogs ? ["delivered to its CloudWatch Logs log group"] : []),
    ...(r.eventBridge
      ? ["logging enabled (EventBridge receives CloudTrail events only then)"]
      : []),
  ];
  return `${r.detection}: ${parts.join("; ")}`;
}

/**
 * The enabled detections an existing trail, as described in the configuration, can never fire
 * on: one message each naming what is missing and what to do. Rules only need an enabled trail (the
 * account's events reach EventBridge whatever the selectors), so only alarms are checked against
 * the selectors.
 */
export function existingTrailProblems(
  trail: ExistingTrail,
  detections: readonly Detection[],
): string[] {
  const problems: string[] = [];
  for (const d of detections) {
    const r = trailRequirement(d);
    if (!r.cloudWatchLogs) continue;
    // Refused only where the alarm could never fire; one matching reads and writes (root usage)
    // still sees half of them, as the README's requirements table says.
    const logs = trail.managementEvents;
    const only = r.managementEvents.length === 1 ? r.managementEvents[0] : undefined;
    if ((only === "read" && logs === "WriteOnly") || (only === "write" && logs === "ReadOnly"))
      problems.push(
        `${d.id} needs ${only === "read" ? "read-only" : "write"} management events, but the trail logs ${logs} (trail.existing.managementEvents)`,
      );
    const excluded = r.eventSources.filter((s) =>
      trail.excludeManagementEventSources.includes(s as "kms.amazonaws.com"),
    );
    if (excluded.length > 0)
      problems.push(
        `${d.id} needs events from ${excluded.join(", ")}, which the trail excludes (trail.existing.excludeManagementEventSources)`,
      );
    if (r.globalServiceEvents && !trail.includesGlobalServiceEvents)
      problems.push(
        `${d.id} needs global service events (IAM, STS, sign-in), which the trail does not include (trail.existing.includesGlobalServiceEvents)`,
      );
  }
  return problems.map(
    (p) =>
      `trail.existing: ${p}; change the trail, or turn the detection off in detections.disable`,
  );
}
