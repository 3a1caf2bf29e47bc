/**
 * The CloudTrail fields every notification names, defined once for both deliveries: the
 * EventBridge input transformer (src/detections/notification.ts) reads them from the event
 * envelope, the alarm enrichment function (src/alerts/) from the CloudTrail records that made the
 * alarm fire. The resource fields come from `resourceFieldsOf` (src/detections/render.ts).
 *
 * Paths: `eventPath` is a JSONPath into the EventBridge event ("AWS API Call via CloudTrail": the
 * record under `detail`, region/account/time on the envelope); `recordPath` is the dotted path
 * into the CloudTrail record (CloudTrail record contents, AWS CloudTrail User Guide).
 */
export interface EventField {
  /** Placeholder name in the input template and key in the formatter. */
  readonly key: string;
  readonly eventPath: string;
  readonly recordPath: string;
}

export const EVENT_FIELDS = [
  { key: "principal", eventPath: "$.detail.userIdentity.arn", recordPath: "userIdentity.arn" },
  {
    key: "principalType",
    eventPath: "$.detail.userIdentity.type",
    recordPath: "userIdentity.type",
  },
  { key: "eventSource", eventPath: "$.detail.eventSource", recordPath: "eventSource" },
  { key: "eventName", eventPath: "$.detail.eventName", recordPath: "eventName" },
  { key: "region", eventPath: "$.region", recordPath: "awsRegion" },
  { key: "account", eventPath: "$.account", recordPath: "recipientAccountId" },
  { key: "sourceIp", eventPath: "$.detail.sourceIPAddress", recordPath: "sourceIPAddress" },
  { key: "userAgent", eventPath: "$.detail.userAgent", recordPath: "userAgent" },
  { key: "time", eventPath: "$.time", recordPath: "eventTime" },
  { key: "errorCode", eventPath: "$.detail.errorCode", recordPath: "errorCode" },
  { key: "eventId", eventPath: "$.detail.eventID", recordPath: "eventID" },
] as const satisfies readonly EventField[];

export type EventFieldKey = (typeof EVENT_FIELDS)[number]["key"];

/** Where a resource field (a `requestParameters` member) sits in the event and in the record. */
export const resourceEventPath = (field: string): string => `$.detail.requestParameters.${field}`;
export const resourceRecordPath = (field: string): string => `requestParameters.${field}`;
