/**
 * The event EventBridge builds around a CloudTrail record ("AWS API Call via CloudTrail" and its
 * siblings), so event patterns can be evaluated on recorded CloudTrail history.
 */
import { createHash } from "node:crypto";
import { isObject, type Json } from "./event-pattern";

export interface EventBridgeEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/**
 * detail-type per CloudTrail eventType, from the EventBridge user guide ("AWS service events
 * delivered via AWS CloudTrail"). That page spells the sign-in one "AWS Console Signin via
 * CloudTrail", but the events carry "AWS Console Sign In via CloudTrail", which is what AWS's own
 * knowledge-center rule for root sign-ins matches
 * (repost.aws/knowledge-center/root-user-account-eventbridge-rule).
 */
const DETAIL_TYPES: ReadonlyMap<unknown, string> = new Map([
  ["AwsApiCall", "AWS API Call via CloudTrail"],
  ["AwsConsoleSignIn", "AWS Console Sign In via CloudTrail"],
  ["AwsConsoleAction", "AWS Console Action via CloudTrail"],
  ["AwsServiceEvent", "AWS Service Event via CloudTrail"],
  ["AwsCloudTrailInsight", "AWS Insight via CloudTrail"],
]);

/**
 * `source` is "aws." + the service prefix of eventSource. The EventBridge events reference
 * (docs.aws.amazon.com/eventbridge/latest/ref/events-ref-<service>.html) lists both per service,
 * and every page checked follows that rule: signin -> aws.signin, monitoring -> aws.monitoring
 * (not aws.cloudwatch: that is the source of CloudWatch's own alarm events), iam, cloudtrail,
 * logs, elasticmapreduce, sso-oauth, identitystore, events, support, servicediscovery. No
 * exception was found; other services use the same rule unconfirmed. Insights events have no
 * top-level eventSource: "aws.cloudtrail" is what published rules use, not confirmed by AWS.
 */
function sourceOf(record: Json): string {
  if (record.eventType === "AwsCloudTrailInsight") return "aws.cloudtrail";
  const eventSource = String(record.eventSource);
  let source = SOURCES.get(eventSource);
  if (source === undefined) {
    const match = /^([a-z0-9-]+)\.amazonaws\.com$/.exec(eventSource);
    if (!match)
      throw new Error(
        `eventSource ${JSON.stringify(record.eventSource)} is not <service>.amazonaws.com`,
      );
    source = `aws.${match[1]}`;
    // A log holds a few dozen services: the backtest asks this for every record it matches.
    if (SOURCES.size < 1000) SOURCES.set(eventSource, source);
  }
  return source;
}
const SOURCES = new Map<string, string>();

/** A v4-shaped UUID derived from eventID, so the same record always gets the same id. */
function eventIdFor(eventID: string): string {
  const h = createHash("sha256").update(`trailwatch:${eventID}`).digest("hex");
  const variant = ((parseInt(h[16], 16) & 3) | 8).toString(16);
  const hex = `${h.slice(0, 12)}4${h.slice(13, 16)}${variant}${h.slice(17, 32)}`;
  return hex.replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
}

/**
 * The event EventBridge delivers for a CloudTrail record. Throws when the record lacks what the
 * envelope needs (an eventType AWS delivers, a service eventSource, an account, time, region).
 * `detail` is the record itself unless it holds fixture notes (keys starting with "_"), which are
 * left out of a copy; `id` is worked out when first read (hashing is a large part of the
 * backtest's cost otherwise, and no pattern trailwatch renders reads it). Neither is modified.
 */
export function cloudTrailRecordToEvent(record: Record<string, unknown>): EventBridgeEvent {
  const detailType = DETAIL_TYPES.get(record.eventType);
  if (!detailType)
    throw new Error(`eventType ${JSON.stringify(record.eventType)} has no EventBridge detail-type`);
  const account = accountOf(record);
  const { eventID, eventTime, awsRegion } = record;
  if (!account) throw new Error("record has neither recipientAccountId nor userIdentity.accountId");
  if (typeof eventID !== "string" || typeof eventTime !== "string" || typeof awsRegion !== "string")
    throw new Error("record lacks eventID, eventTime or awsRegion");
  let id: string | undefined;
  return {
    version: "0",
    get id() {
      return (id ??= eventIdFor(eventID));
    },
    "detail-type": detailType,
    source: sourceOf(record),
    account,
    time: eventTime,
    region: awsRegion,
    resources: [],
    detail: withoutNotes(record),
  };
}

function accountOf(record: Record<string, unknown>): string | undefined {
  if (typeof record.recipientAccountId === "string" && record.recipientAccountId !== "")
    return record.recipientAccountId;
  const identity = record.userIdentity;
  const accountId = isObject(identity) ? identity.accountId : undefined;
  return typeof accountId === "string" && accountId !== "" ? accountId : undefined;
}

/** Keys starting with "_" are fixture notes, not CloudTrail fields. */
function withoutNotes(record: Record<string, unknown>): Record<string, unknown> {
  for (const k in record)
    if (k.charCodeAt(0) === 95 /* _ */)
      return Object.fromEntries(Object.entries(record).filter(([key]) => !key.startsWith("_")));
  return record;
}
