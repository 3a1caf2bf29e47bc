/**
 * What a containment link says, as signed query parameters:
 *
 * | parameter   | meaning                                                        |
 * |-------------|----------------------------------------------------------------|
 * | `v`         | link format version (`1`)                                      |
 * | `action`    | the action id (see ./action.ts)                                |
 * | `detection` | the trailwatch detection that fired                            |
 * | `event`     | the CloudTrail `eventID`: each event's action is done once     |
 * | `call`      | `eventSource` + ` ` + `eventName` of the original call         |
 * | `by`        | who made the call (`userIdentity.arn`)                         |
 * | `time`      | when (`eventTime`, as CloudTrail wrote it)                     |
 * | `account`   | the account the call was made in                               |
 * | `region`    | the region the call was made in                                |
 * | `expires`   | Unix time (seconds) after which the link is refused            |
 * | `r.<name>`  | the resource, as the action encodes it                         |
 * | `sig`       | HMAC-SHA256 of all of the above (./link.ts)                    |
 *
 * Everything the confirmation page shows comes from these signed values, so a page can only
 * ever describe what trailwatch itself put into the link.
 */
import { ACTION_IDS, ACCOUNT_ID, REGION, type ActionId } from "./action";
import { ACTIONS, isActionId } from "./actions";
import { LinkError, signQuery, verifyQuery } from "./link";
import { accountOf, principalOf, stringAt, type CloudTrailRecord } from "./record";

export const LINK_VERSION = "1";

/** How long a link stays valid unless configured otherwise: one hour. */
export const DEFAULT_EXPIRY_SECONDS = 3600;

export interface LinkClaims {
  readonly action: ActionId;
  readonly detection: string;
  readonly eventId: string;
  /** `iam.amazonaws.com CreateAccessKey`. */
  readonly call: string;
  readonly principal: string;
  readonly eventTime: string;
  readonly account: string;
  readonly region: string;
  /** Unix time, seconds. */
  readonly expires: number;
  /** The action's decoded target. */
  readonly target: unknown;
}

const DETECTION_ID = /^[a-z0-9][a-z0-9-]{0,127}$/;
/** CloudTrail event ids are UUIDs; published test data uses other letters and digits too. */
const EVENT_ID = /^[A-Za-z0-9-]{1,128}$/;
/** Shown on the page, not acted on: any printable text of sane length. */
const PRINTABLE = /^[^\u0000-\u001f\u007f]{1,2048}$/;

export type IssueResult =
  | { readonly kind: "link"; readonly url: string; readonly claims: LinkClaims }
  | { readonly kind: "ineligible"; readonly reason: string }
  | undefined;

export interface IssueInput {
  /** The handler's URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/contain`. */
  readonly baseUrl: string;
  readonly record: CloudTrailRecord;
  readonly detection: string;
  readonly action: ActionId;
  readonly expirySeconds: number;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly key: Buffer;
}

/**
 * A signed link for one action on the resource a record names, or why there is none (see
 * `Eligibility` in ./action.ts); `undefined` when the record is not the action's business.
 */
export function issueLink(input: IssueInput): IssueResult {
  const { record } = input;
  const action = ACTIONS[input.action];
  const eligibility = action.targetOf(record);
  if (eligibility === undefined || eligibility.kind === "ineligible") return eligibility;
  const eventId = stringAt(record, "eventID");
  const account = accountOf(record);
  const region = stringAt(record, "awsRegion");
  const eventTime = stringAt(record, "eventTime");
  if (!eventId || !EVENT_ID.test(eventId))
    return { kind: "ineligible", reason: "the record has no usable eventID" };
  if (!account || !ACCOUNT_ID.test(account))
    return { kind: "ineligible", reason: "the record names no account" };
  if (!region || !REGION.test(region) || !eventTime)
    return { kind: "ineligible", reason: "the record has no region or time" };
  const claims: LinkClaims = {
    action: input.action,
    detection: input.detection,
    eventId,
    call: `${String(record.eventSource)} ${String(record.eventName)}`,
    principal: principalOf(record),
    eventTime,
    account,
    region,
    expires: Math.floor(input.now / 1000) + input.expirySeconds,
    target: eligibility.target,
  };
  const params: Record<string, string> = {
    v: LINK_VERSION,
    action: claims.action,
    detection: claims.detection,
    event: claims.eventId,
    call: claims.call,
    by: claims.principal,
    time: claims.eventTime,
    account: claims.account,
    region: claims.region,
    expires: String(claims.expires),
  };
  for (const [k, v] of Object.entries(action.encode(eligibility.target))) params[`r.${k}`] = v;
  // Resource values may be empty (an empty list); everything else must say something.
  for (const [k, v] of Object.entries(params))
    if (!PRINTABLE.test(v) && !(k.startsWith("r.") && v === ""))
      return { kind: "ineligible", reason: `the record's ${k} cannot be put in a link` };
  return { kind: "link", url: `${input.baseUrl}?${signQuery(params, input.key)}`, claims };
}

/**
 * Verifies a link's query and reads its claims. Nothing about AWS is consulted: a link that fails
 * here never causes an AWS call.
 * @throws LinkError 400 (malformed, unknown action, resource not valid for the action),
 *   403 (signature), 410 (expired)
 */
export function readLink(rawQuery: string, keys: readonly Buffer[], now: number): LinkClaims {
  const params = verifyQuery(rawQuery, keys, "expires", now);
  const get = (name: string, pattern: RegExp, what: string): string => {
    const v = params[name];
    if (v === undefined || !pattern.test(v))
      throw new LinkError(400, `the link has no valid ${what}`);
    return v;
  };
  if (params.v !== LINK_VERSION)
    throw new LinkError(
      400,
      `the link's format version ${params.v ?? "(none)"} is not ${LINK_VERSION}`,
    );
  const actionId = get("action", /^[a-z0-9-]{1,64}$/, "action");
  if (!isActionId(actionId))
    throw new LinkError(400, `unknown action "${actionId}"; known: ${ACTION_IDS.join(", ")}`);
  const known = [
    "v",
    "action",
    "detection",
    "event",
    "call",
    "by",
    "time",
    "account",
    "region",
    "expires",
  ];
  const unknown = Object.keys(params).filter((k) => !known.includes(k) && !k.startsWith("r."));
  if (unknown.length > 0)
    throw new LinkError(400, `the link has unknown parameters: ${unknown.join(", ")}`);
  const targetParams = Object.fromEntries(
    Object.entries(params)
      .filter(([k]) => k.startsWith("r."))
      .map(([k, v]) => [k.slice(2), v]),
  );
  let target: unknown;
  try {
    target = ACTIONS[actionId].decode(targetParams);
  } catch (e) {
    throw new LinkError(400, (e as Error).message);
  }
  return {
    action: actionId,
    detection: get("detection", DETECTION_ID, "detection"),
    eventId: get("event", EVENT_ID, "event id"),
    call: get("call", PRINTABLE, "call"),
    principal: get("by", PRINTABLE, "principal"),
    eventTime: get("time", PRINTABLE, "event time"),
    account: get("account", ACCOUNT_ID, "account"),
    region: get("region", REGION, "region"),
    expires: Number(params.expires),
    target,
  };
}
