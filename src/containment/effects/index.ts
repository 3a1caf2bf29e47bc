import type { ActionId } from "../action";
import type { EffectContext, Outcome } from "./outcome";
import { deactivateAccessKeyEffect, deleteLoginProfileEffect } from "./iam-users";
import { lockS3BucketEffect } from "./lock-s3-bucket";
import {
  revokePublicIngressEffect,
  unshareAmiEffect,
  unshareEbsSnapshotEffect,
  unshareRdsSnapshotEffect,
} from "./ec2-rds";

type Effect = (target: never, ctx: EffectContext) => Promise<Outcome>;

/** The AWS calls of each action, by id (targets as the action's `decode` returns them). */
export const EFFECTS: { readonly [K in ActionId]: Effect } = {
  "lock-s3-bucket": lockS3BucketEffect,
  "deactivate-access-key": deactivateAccessKeyEffect,
  "revoke-public-ingress": revokePublicIngressEffect,
  "delete-login-profile": deleteLoginProfileEffect,
  "unshare-ami": unshareAmiEffect,
  "unshare-ebs-snapshot": unshareEbsSnapshotEffect,
  "unshare-rds-snapshot": unshareRdsSnapshotEffect,
};

/** Runs an action's effect on a target decoded by that same action. */
export function runEffect(action: ActionId, target: unknown, ctx: EffectContext): Promise<Outcome> {
  return (EFFECTS[action] as (t: unknown, c: EffectContext) => Promise<Outcome>)(target, ctx);
}
