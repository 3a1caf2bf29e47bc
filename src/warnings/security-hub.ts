import type { TrailwatchConfig } from "../config/schema";
import type { Condition } from "../detections/condition";
import { catalog, enabledDetections } from "../detections/catalog";
import type { Detection } from "../detections/types";
import { watchedResources } from "../detections/watched";
import { resolveNames } from "../names";
import { managementEventSelection } from "../trail-profile";
import type { ConfigWarning } from "./types";

/**
 * Security Hub controls (and detections) a configuration gives up, as warnings. Sources: the AWS
 * Security Hub controls reference, and the AWS Config rule behind CloudTrail.1
 * (multi-region-cloudtrail-enabled):
 * - CloudTrail.1 needs a multi-region trail recording read and write management events with an
 *   empty `ExcludeManagementEventSources` ("NON_COMPLIANT if ... configured to exclude management
 *   events such as AWS KMS events or Amazon RDS Data API events");
 * - CloudWatch.1–14 each check their exact CIS metric filter and an alarm on it, on the log group
 *   of a multi-region trail with "at least one Event Selector for a Trail with
 *   IncludeManagementEvents set to true and ReadWriteType set to All": write-only or read-only
 *   management events fail all of them, and a CIS detection turned off fails its own;
 * - a detection whose every event source is excluded can never fire (CloudWatch.7, KMS key
 *   disable/deletion, needs kms.amazonaws.com events);
 * - CloudWatch.16 needs log group retention of at least 365 days;
 * - CloudTrail.7 and S3.9 need server access logging on the trail's bucket;
 * - S3.1 needs account-level S3 Block Public Access.
 */
export function securityHubWarnings(c: TrailwatchConfig): ConfigWarning[] {
  const enabled = enabledDetections(catalog(watchedResources(resolveNames(c))), c.detections);
  return [
    ...managementEventWarnings(c, enabled),
    ...disabledControlWarnings(c, enabled),
    ...blindDetectionWarnings(c, enabled),
    ...settingWarnings(c),
  ];
}

/** CloudTrail.1 and, unless read and write are both recorded, CloudWatch.1–14. */
function managementEventWarnings(c: TrailwatchConfig, enabled: Detection[]): ConfigWarning[] {
  const { readWrite, excludeSources } = managementEventSelection(c);
  if (readWrite === "All" && excludeSources.length === 0) return [];
  const field =
    c.trail.managementEvents && c.trail.managementEvents !== "All"
      ? "trail.managementEvents"
      : c.trail.excludeManagementEventSources?.length
        ? "trail.excludeManagementEventSources"
        : "trail.profile";
  const what = [
    ...(readWrite === "All" ? [] : [`records only ${readWriteWord(readWrite)} management events`]),
    ...(excludeSources.length > 0 ? [`excludes ${excludeSources.join(", ")} events`] : []),
  ].join(" and ");
  const cloudWatch = readWrite === "All" ? "" : controlList(cisDetections(enabled));
  const failing = cloudWatch
    ? `CloudTrail.1 and ${cloudWatch} fail (CloudTrail.1 needs read and write management events with no source excluded; the CloudWatch controls need ReadWriteType All)`
    : "CloudTrail.1 fails (it needs read and write management events with no source excluded)";
  return [{ field, message: `${subject(c, field)}${what}: Security Hub ${failing}` }];
}

/** CIS detections turned off: one warning per id in `disable`, one per pack switched off. */
function disabledControlWarnings(c: TrailwatchConfig, enabled: Detection[]): ConfigWarning[] {
  const on = new Set(enabled.map((d) => d.id));
  const off = cisDetections(catalog(watchedResources(resolveNames(c)))).filter(
    (d) => !on.has(d.id),
  );
  const byId = off.filter((d) => c.detections.disable.includes(d.id));
  const byPack = off.filter((d) => !c.detections.disable.includes(d.id));
  return [
    ...byId.map((d) => ({
      field: "detections.disable",
      message: `${d.id} is off: Security Hub ${d.references.securityHub} fails (it checks for this metric filter and its alarm)`,
    })),
    ...(byPack.length > 0
      ? [
          {
            field: "detections.packs.cis",
            message: `false turns off ${byPack.map((d) => d.id).join(", ")}: Security Hub ${controlList(byPack)} fail (each checks for its metric filter and alarm)`,
          },
        ]
      : []),
  ];
}

/** Enabled detections the trail's event selection keeps from ever seeing (some of) their events. */
function blindDetectionWarnings(c: TrailwatchConfig, enabled: Detection[]): ConfigWarning[] {
  const { readWrite, excludeSources } = managementEventSelection(c);
  const readWriteField = c.trail.managementEvents ? "trail.managementEvents" : "trail.profile";
  const excludeField = c.trail.excludeManagementEventSources
    ? "trail.excludeManagementEventSources"
    : "trail.profile";
  const warnings: ConfigWarning[] = [];
  for (const d of enabled) {
    const sources = requiredEventSources(d.condition);
    if (sources && sources.size > 0 && [...sources].every((s) => excludeSources.includes(s)))
      warnings.push({
        field: excludeField,
        message: `${subject(c, excludeField)}excludes ${[...sources].join(", ")} events: ${d.id} can never fire${controlNote(d)}`,
      });
    else if (readWrite === "WriteOnly" && d.matchesReadOnly)
      warnings.push({
        field: readWriteField,
        message: `${subject(c, readWriteField)}records only write management events: ${d.id} misses every read-only call it would match${controlNote(d)}`,
      });
    else if (readWrite === "ReadOnly" && !d.matchesReadOnly)
      warnings.push({
        field: readWriteField,
        message: `records only read-only management events: ${d.id} matches write calls and can never fire${controlNote(d)}`,
      });
  }
  return warnings;
}

function settingWarnings(c: TrailwatchConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (c.logGroup.retentionDays < 365)
    warnings.push({
      field: "logGroup.retentionDays",
      message: `${c.logGroup.retentionDays} days: Security Hub CloudWatch.16 fails (it needs at least 365)`,
    });
  if (!c.archive.accessLogs.enabled)
    warnings.push({
      field: "archive.accessLogs.enabled",
      message:
        "false: Security Hub CloudTrail.7 and S3.9 fail (they need server access logging on the trail's bucket)",
    });
  if (!c.blockAccountPublicAccess)
    warnings.push({
      field: "blockAccountPublicAccess",
      message: "false: Security Hub S3.1 fails (it needs account-level S3 Block Public Access)",
    });
  return warnings;
}

/**
 * The eventSource values a record must have to match `condition`, or undefined when any source
 * may match. `all` intersects its constrained children; `any` unions them, and is unconstrained
 * as soon as one child is.
 */
export function requiredEventSources(condition: Condition): ReadonlySet<string> | undefined {
  if ("all" in condition) {
    let acc: Set<string> | undefined;
    for (const child of condition.all) {
      const s = requiredEventSources(child);
      if (s) acc = acc ? new Set([...acc].filter((x) => s.has(x))) : new Set(s);
    }
    return acc;
  }
  if ("any" in condition) {
    const sets = condition.any.map(requiredEventSources);
    if (sets.some((s) => s === undefined)) return undefined;
    return new Set(sets.flatMap((s) => [...s!]));
  }
  if (condition.field === "eventSource" && "equals" in condition)
    return new Set(condition.equals.map(String));
  return undefined;
}

/** Detections behind Security Hub CloudWatch.N controls, in catalog order. */
function cisDetections(ds: readonly Detection[]): Detection[] {
  return ds.filter((d) => d.references.securityHub?.startsWith("CloudWatch."));
}

/** "CloudWatch.1–14" for a consecutive run of three or more, else the ids joined with commas. */
export function controlList(ds: readonly Detection[]): string {
  const numbers = ds
    .map((d) => Number(d.references.securityHub!.slice("CloudWatch.".length)))
    .sort((a, b) => a - b);
  const consecutive = numbers.every((n, i) => i === 0 || n === numbers[i - 1] + 1);
  return consecutive && numbers.length > 2
    ? `CloudWatch.${numbers[0]}–${numbers[numbers.length - 1]}`
    : numbers.map((n) => `CloudWatch.${n}`).join(", ");
}

const readWriteWord = (rw: string) => (rw === "WriteOnly" ? "write" : "read-only");

/** `"cost" ` when the profile is what the warning is about, so the message names it. */
const subject = (c: TrailwatchConfig, field: string) =>
  field === "trail.profile" ? `"${c.trail.profile}" ` : "";

const controlNote = (d: Detection) =>
  d.references.securityHub ? ` (Security Hub ${d.references.securityHub})` : "";
