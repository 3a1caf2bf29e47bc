import { renderConditionToEventPattern } from "../patterns/event-pattern";
import { renderConditionToFilterPattern } from "../patterns/filter-pattern";
import { DETAIL_TYPES, type Detection } from "./types";

/** The CloudWatch Logs metric filter pattern: the standard's text where one is fixed, else rendered. */
export function filterPatternOf(d: Detection): string {
  return d.verbatimFilterPattern ?? renderConditionToFilterPattern(d.condition);
}

/** EventBridge detail-types of the records a detection applies to. */
export function detailTypesOf(d: Detection): string[] {
  return (d.recordTypes ?? ["AwsApiCall"]).map((t) => DETAIL_TYPES[t]);
}

/** The EventBridge event pattern: the same condition, under `detail`, with the right detail-types. */
export function eventPatternOf(d: Detection): Record<string, unknown> {
  return renderConditionToEventPattern(d.condition, detailTypesOf(d)) as Record<string, unknown>;
}

export function deliversAlarm(d: Detection): boolean {
  return d.delivery === "alarm" || d.delivery === "both";
}

export function deliversEvent(d: Detection): boolean {
  return d.delivery === "event" || d.delivery === "both";
}

/**
 * requestParameters fields that name the main resource of a call, in order of preference; the
 * notification shows each one present.
 */
export const RESOURCE_FIELDS = [
  "bucketName",
  "groupId",
  "networkAclId",
  "routeTableId",
  "vpcId",
  "name",
  "userName",
  "roleName",
  "policyArn",
  "keyId",
  "logGroupName",
  "topicArn",
  "alarmName",
  "rule",
] as const;
