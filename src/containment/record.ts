/**
 * Reading CloudTrail records defensively: records are JSON written by AWS (and, in an attack, by
 * whoever made the call: request parameters are caller input), so every field is checked for
 * its type before use. Field names follow the CloudTrail record contents reference
 * (docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
 */

/** A CloudTrail record as delivered to S3, CloudWatch Logs or in an EventBridge event's `detail`. */
export type CloudTrailRecord = Readonly<Record<string, unknown>>;

export function isObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at a dotted path, or undefined. */
export function at(record: unknown, path: string): unknown {
  let cur: unknown = record;
  for (const k of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** A non-empty string at `path`, or undefined. */
export function stringAt(record: unknown, path: string): string | undefined {
  const v = at(record, path);
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The `items` array CloudTrail uses for EC2 lists (`{"items": [...]}`), objects only. */
export function itemsAt(record: unknown, path: string): Readonly<Record<string, unknown>>[] {
  const items = at(record, `${path}.items`);
  return Array.isArray(items) ? items.filter(isObject) : [];
}

/** True when the call succeeded: CloudTrail records `errorCode` only for failed calls. */
export function succeeded(record: CloudTrailRecord): boolean {
  return record.errorCode === undefined || record.errorCode === null;
}

/** The record is `eventSource`'s `eventName` (one of them). */
export function isCall(
  record: CloudTrailRecord,
  eventSource: string,
  eventNames: readonly string[],
): boolean {
  return record.eventSource === eventSource && eventNames.includes(String(record.eventName));
}

/** Who made the call, as a reader would name them: the ARN, else the principal id, else the type. */
export function principalOf(record: CloudTrailRecord): string {
  return (
    stringAt(record, "userIdentity.arn") ??
    stringAt(record, "userIdentity.principalId") ??
    stringAt(record, "userIdentity.type") ??
    "an unknown principal"
  );
}

/** The account the event happened in: `recipientAccountId`, else the caller's account. */
export function accountOf(record: CloudTrailRecord): string | undefined {
  return stringAt(record, "recipientAccountId") ?? stringAt(record, "userIdentity.accountId");
}
