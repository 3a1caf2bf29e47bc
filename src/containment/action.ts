/**
 * What a containment action is, independent of AWS SDK calls (those live in ./effects/): which
 * CloudTrail event it answers, how it reads the exact resource from a record, how that resource
 * travels in a link (and is validated when it comes back), and how the confirmation page
 * describes what will be done. Signers (the notifier, the alarm enrichment) import only this side,
 * so their bundles carry no EC2, IAM, RDS or S3 client.
 */
import type { CloudTrailRecord } from "./record";

/** Every action trailwatch can take. Each only ever tightens. */
export const ACTION_IDS = [
  "lock-s3-bucket",
  "deactivate-access-key",
  "revoke-public-ingress",
  "delete-login-profile",
  "unshare-ami",
  "unshare-ebs-snapshot",
  "unshare-rds-snapshot",
] as const;

export type ActionId = (typeof ACTION_IDS)[number];

/** Settings an action's effect depends on (from the `remediation` configuration). */
export interface ActionSettings {
  /**
   * Default Object Lock retention (GOVERNANCE mode) `lock-s3-bucket` sets, in days; `undefined`
   * leaves Object Lock off.
   */
  readonly objectLockDays?: number;
}

/**
 * What a record yields for an action:
 * - `undefined`: the record is not this action's business (another call, a failed call, or
 *   nothing to tighten, e.g. an ingress rule from a private range);
 * - `ineligible`: the right call, but the record does not name the resource exactly enough to act
 *   on (the notification says why no link is offered);
 * - `target`: the resource the link will name.
 */
export type Eligibility<T> =
  | { readonly kind: "target"; readonly target: T }
  | { readonly kind: "ineligible"; readonly reason: string }
  | undefined;

export interface ContainmentAction<T> {
  readonly id: ActionId;
  /** Short title, e.g. "Lock down the S3 bucket". */
  readonly title: string;
  /** The confirmation button's label, e.g. "Lock down bucket". */
  readonly verb: string;
  /** The CloudTrail `eventSource` and `eventName`s this action answers. */
  readonly eventSource: string;
  readonly eventNames: readonly string[];
  /** The exact resource named by a record (see {@link Eligibility}). */
  targetOf(record: CloudTrailRecord): Eligibility<T>;
  /** The target as link parameters (names without the `r.` prefix, values as strings). */
  encode(target: T): Record<string, string>;
  /**
   * The target back from link parameters. Every value is checked against AWS's own format for
   * it; unknown or missing names are refused.
   * @throws Error with a message naming the parameter
   */
  decode(params: Readonly<Record<string, string>>): T;
  /** The resource in words, e.g. `S3 bucket "logs-2026" (eu-west-1)`. */
  describe(target: T): string;
  /** What pressing the button will do, step by step, for the confirmation page. */
  plan(target: T, settings: ActionSettings): string[];
  /**
   * Names that identify the resource (bucket, IAM user), checked against trailwatch's own names
   * before anything is done; ids that trailwatch never creates (security groups, AMIs) have none.
   */
  names(target: T): string[];
}

/** Checks a decoded link parameter; `what` names it in the error. */
export function requireParam(
  params: Readonly<Record<string, string>>,
  name: string,
  pattern: RegExp,
  what: string,
): string {
  const v = params[name];
  if (v === undefined) throw new Error(`the link lacks the ${what} (r.${name})`);
  if (!pattern.test(v)) throw new Error(`the link's ${what} (r.${name}) is not valid: ${v}`);
  return v;
}

/** Refuses any parameter the action does not know. */
export function onlyParams(params: Readonly<Record<string, string>>, names: readonly string[]) {
  const unknown = Object.keys(params).filter((k) => !names.includes(k));
  if (unknown.length > 0)
    throw new Error(`the link has parameters this action does not take: r.${unknown.join(", r.")}`);
}

/** AWS region codes (`ap-northeast-1`, `us-gov-west-1`). */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** A 12-digit AWS account id. */
export const ACCOUNT_ID = /^\d{12}$/;

/** IAM user names (IAM API reference, `UserName`: `[\w+=,.@-]+`, 1-64 characters). */
export const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

/** A comma-separated list, empty string for none. */
export function splitList(v: string | undefined): string[] {
  return v === undefined || v === "" ? [] : v.split(",");
}
