/**
 * The `remediation` section of the configuration: one-click containment, off by default, each
 * action enabled for a named detection. Validated in full with the rest of the configuration
 * (every problem at once, naming the field, the value and what is allowed).
 */
import { z } from "zod";
import type { Condition } from "../detections/condition";
import type { Detection } from "../detections/types";
import { ACTION_IDS, type ActionId } from "./action";
import { ACTIONS } from "./actions";

/** Link lifetime bounds, minutes: long enough to read a mail, short enough to limit a leak. */
export const MIN_LINK_EXPIRY_MINUTES = 5;
export const MAX_LINK_EXPIRY_MINUTES = 24 * 60;
/** S3 accepts default retention up to 36,500 days (100 years; PutObjectLockConfiguration). */
export const MAX_OBJECT_LOCK_DAYS = 36500;

export const DEFAULT_REMEDIATION = {
  enabled: false,
  actions: {},
  linkExpiryMinutes: 60,
  objectLockRetentionDays: 7,
};

export const remediationSchema = z
  .strictObject({
    /** Master switch: nothing is deployed and no link is sent while false. */
    enabled: z.boolean().default(false),
    /** Detection id -> the containment action its notifications offer. */
    actions: z
      .record(
        z.string(),
        z.enum(ACTION_IDS, {
          error: `not a containment action; allowed: ${ACTION_IDS.join(", ")}`,
        }),
      )
      .default({}),
    /** Minutes a link stays valid after the notification is sent. */
    linkExpiryMinutes: z
      .number()
      .int({ message: "must be a whole number of minutes" })
      .min(MIN_LINK_EXPIRY_MINUTES, { message: `must be at least ${MIN_LINK_EXPIRY_MINUTES}` })
      .max(MAX_LINK_EXPIRY_MINUTES, {
        message: `must be at most ${MAX_LINK_EXPIRY_MINUTES} (one day): a link is a credential`,
      })
      .default(60),
    /**
     * Default Object Lock retention (GOVERNANCE mode) that lock-s3-bucket sets, in days; null to
     * leave Object Lock off (it cannot be turned off once on).
     */
    objectLockRetentionDays: z
      .number()
      .int({ message: "must be a whole number of days" })
      .min(1, { message: "must be at least 1 day (or null to leave Object Lock off)" })
      .max(MAX_OBJECT_LOCK_DAYS, {
        message: `must be at most ${MAX_OBJECT_LOCK_DAYS} (S3's limit)`,
      })
      .nullable()
      .default(7),
  })
  .default(DEFAULT_REMEDIATION);

export type RemediationConfig = z.output<typeof remediationSchema>;

function valuesOf(c: Condition, field: string): string[] {
  if ("all" in c) return c.all.flatMap((x) => valuesOf(x, field));
  if ("any" in c) return c.any.flatMap((x) => valuesOf(x, field));
  if ("equals" in c && c.field === field) return c.equals.map(String);
  return [];
}

/**
 * The actions that can contain what a detection reports: its calls include the action's call.
 * A condition without an eventSource (CIS patterns match eventName alone) is taken at its event
 * names; the action itself checks the record's eventSource before offering a link.
 */
export function actionsFor(d: Detection): ActionId[] {
  const sources = valuesOf(d.condition, "eventSource");
  const names = valuesOf(d.condition, "eventName");
  return ACTION_IDS.filter((id) => {
    const a = ACTIONS[id];
    const source = sources.length === 0 || sources.includes(a.eventSource);
    return source && a.eventNames.some((n) => names.includes(n));
  });
}

export interface RemediationProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Cross-field rules: each detection exists, is enabled, reports a call its action answers, and,
 * when only an alarm reports it, has the alarm enrichment on (its link travels in that message).
 * @param all every detection of the catalog
 * @param enabled the detections the configuration turns on
 */
export function remediationProblems(
  r: RemediationConfig,
  all: readonly Detection[],
  enabled: readonly Detection[],
  alarmEnrichment: boolean,
): RemediationProblem[] {
  const problems: RemediationProblem[] = [];
  const entries = Object.entries(r.actions);
  if (r.enabled && entries.length === 0)
    problems.push({
      path: ["remediation", "actions"],
      message: `enable at least one action, e.g. {"s3-bucket-created": "lock-s3-bucket"}; or set remediation.enabled to false`,
    });
  const capable = all.filter((d) => actionsFor(d).length > 0).map((d) => d.id);
  for (const [id, action] of entries) {
    const path = ["remediation", "actions", id];
    const d = all.find((x) => x.id === id);
    if (!d) {
      problems.push({
        path,
        message: `not a detection id; detections with a containment action: ${capable.join(", ")}`,
      });
      continue;
    }
    const fits = actionsFor(d);
    if (!fits.includes(action))
      problems.push({
        path,
        message:
          fits.length > 0
            ? `${action} cannot contain what ${id} reports; allowed for ${id}: ${fits.join(", ")}`
            : `${id} reports nothing a containment action can tighten; detections with one: ${capable.join(", ")}`,
      });
    if (d.delivery === "alarm" && !alarmEnrichment)
      problems.push({
        path,
        message: `${id} is delivered by a CloudWatch alarm, whose links travel in the enriched alarm message: set alerts.enrichment.enabled to true`,
      });
    if (!enabled.some((x) => x.id === id))
      problems.push({
        path,
        message: `${id} is not enabled (detections.packs / detections.enable): its notifications, and so its links, are never sent`,
      });
  }
  return problems;
}
