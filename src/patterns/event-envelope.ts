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
  const match = /^([a-z0-9-]+)\.amazonaws\.com$/.exec(String(record.eventSource));
  if (!match)
    throw new Error(
      `eventSource ${JSON.stringify(record.eventSource)} is not <service>.amazonaws.com`,
    );
  return `aws.${match[1]}`;
}

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
 */
export function cloudTrailRecordToEvent(record: Record<string, unknown>): EventBridgeEvent {
  const detailType = DETAIL_TYPES.get(record.eventType);
  if (!detailType)
    throw new Error(`eventType ${JSON.stringify(record.eventType)} has no EventBridge detail-type`);
  const identity = isObject(record.userIdentity) ? record.userIdentity : {};
  const account = [record.recipientAccountId, identity.accountId].find(
    (a): a is string => typeof a === "string" && a !== "",
  );
  const { eventID, eventTime, awsRegion } = record;
  if (!account) throw new Error("record has neither recipientAccountId nor userIdentity.accountId");
  if (typeof eventID !== "string" || typeof eventTime !== "string" || typeof awsRegion !== "string")
    throw new Error("record lacks eventID, eventTime or awsRegion");
  return {
    version: "0",
    id: eventIdFor(eventID),
    "detail-type": detailType,
    source: sourceOf(record),
    account,
    time: eventTime,
    region: awsRegion,
    resources: [],
    // Keys starting with "_" are fixture notes, not CloudTrail fields.
    detail: Object.fromEntries(Object.entries(record).filter(([k]) => !k.startsWith("_"))),
  };
}
