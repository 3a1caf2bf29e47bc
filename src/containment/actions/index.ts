import type { ActionId, ContainmentAction } from "../action";
import { deactivateAccessKey, deleteLoginProfile } from "./iam-users";
import { lockS3Bucket } from "./lock-s3-bucket";
import { revokePublicIngress } from "./revoke-public-ingress";
import { unshareAmi, unshareEbsSnapshot, unshareRdsSnapshot } from "./sharing";

/** Every containment action by id. */
export const ACTIONS: { readonly [K in ActionId]: ContainmentAction<unknown> } = {
  "lock-s3-bucket": lockS3Bucket as ContainmentAction<unknown>,
  "deactivate-access-key": deactivateAccessKey as ContainmentAction<unknown>,
  "revoke-public-ingress": revokePublicIngress as ContainmentAction<unknown>,
  "delete-login-profile": deleteLoginProfile as ContainmentAction<unknown>,
  "unshare-ami": unshareAmi as ContainmentAction<unknown>,
  "unshare-ebs-snapshot": unshareEbsSnapshot as ContainmentAction<unknown>,
  "unshare-rds-snapshot": unshareRdsSnapshot as ContainmentAction<unknown>,
};

export function isActionId(s: string): s is ActionId {
  return Object.prototype.hasOwnProperty.call(ACTIONS, s);
}
