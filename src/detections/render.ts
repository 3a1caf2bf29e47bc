import { renderConditionToEventPattern } from "../patterns/event-pattern-render";
import { renderConditionToFilterPattern } from "../patterns/filter-pattern-render";
import type { Condition } from "./condition";
import { DETAIL_TYPES, type Detection } from "./types";

// Detections are immutable data: each is rendered once however many constructs, checks and
// documents ask (synth renders a detection for every region's rule, its alarm, the quota check ...).
const filterPatterns = new WeakMap<Detection, string>();
const eventPatterns = new WeakMap<Detection, string>();

/** The CloudWatch Logs metric filter pattern: the standard's text where one is fixed, else rendered. */
export function filterPatternOf(d: Detection): string {
  let p = filterPatterns.get(d);
  if (p === undefined) {
    p = d.verbatimFilterPattern ?? renderConditionToFilterPattern(d.condition);
    filterPatterns.set(d, p);
  }
  return p;
}

/** EventBridge detail-types of the records a detection applies to. */
export function detailTypesOf(d: Detection): string[] {
  return (d.recordTypes ?? ["AwsApiCall"]).map((t) => DETAIL_TYPES[t]);
}

/** The EventBridge event pattern: the same condition, under `detail`, with the right detail-types. */
export function eventPatternOf(d: Detection): Record<string, unknown> {
  let json = eventPatterns.get(d);
  if (json === undefined) {
    json = JSON.stringify(renderConditionToEventPattern(d.condition, detailTypesOf(d)));
    eventPatterns.set(d, json);
  }
  // A fresh copy each time: callers may extend the pattern they get.
  return JSON.parse(json) as Record<string, unknown>;
}

export function deliversAlarm(d: Detection): boolean {
  return d.delivery === "alarm" || d.delivery === "both";
}

export function deliversEvent(d: Detection): boolean {
  return d.delivery === "event" || d.delivery === "both";
}

/** requestParameters fields that name the main resource of a call, per service. */
export const RESOURCE_FIELDS_BY_SOURCE: Readonly<Record<string, readonly string[]>> = {
  "s3.amazonaws.com": ["bucketName"],
  "ec2.amazonaws.com": ["groupId", "networkAclId", "routeTableId", "vpcId", "internetGatewayId"],
  "iam.amazonaws.com": ["userName", "roleName", "groupName", "policyArn"],
  "cloudtrail.amazonaws.com": ["name", "trailName"],
  "kms.amazonaws.com": ["keyId"],
  "logs.amazonaws.com": ["logGroupName"],
  "sns.amazonaws.com": ["topicArn", "subscriptionArn"],
  "monitoring.amazonaws.com": ["alarmName", "alarmNames"],
  "events.amazonaws.com": ["name", "rule"],
  "config.amazonaws.com": ["configurationRecorderName", "deliveryChannelName"],
  "organizations.amazonaws.com": ["accountId", "policyId", "name"],
  "signin.amazonaws.com": [],
};

/** Resource fields for a detection: those of the services its condition names, else the common ones. */
export function resourceFieldsOf(d: Detection): string[] {
  const sources = eventSourcesOf(d.condition);
  const fields = sources.flatMap((s) => RESOURCE_FIELDS_BY_SOURCE[s] ?? []);
  if (sources.length > 0) return [...new Set(fields)];
  return [...new Set(Object.values(RESOURCE_FIELDS_BY_SOURCE).flat())];
}

function eventSourcesOf(c: Condition): string[] {
  if ("all" in c) return c.all.flatMap(eventSourcesOf);
  if ("any" in c) return c.any.flatMap(eventSourcesOf);
  if ("equals" in c && c.field === "eventSource") return c.equals.map(String);
  return [];
}

/** Every resource field of every service, for tools that show a resource whatever the detection. */
export const RESOURCE_FIELDS: readonly string[] = [
  ...new Set(Object.values(RESOURCE_FIELDS_BY_SOURCE).flat()),
];
