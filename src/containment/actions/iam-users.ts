import { IAM_USER_NAME, onlyParams, requireParam, type ContainmentAction } from "../action";
import { isCall, stringAt, succeeded, type CloudTrailRecord } from "../record";

/**
 * The IAM user a user-credential call applied to: `requestParameters.userName`, or, when the
 * caller named no user, the calling IAM user itself (IAM applies such calls to the caller). The
 * root user's own credentials cannot be changed by an IAM role: no link for them.
 */
function userOf(record: CloudTrailRecord, fromResponse?: string): string | { reason: string } {
  const named = stringAt(record, "requestParameters.userName") ?? fromResponse;
  const type = stringAt(record, "userIdentity.type");
  if (!stringAt(record, "requestParameters.userName") && type === "Root")
    return { reason: "the root user's own credentials can only be changed by the root user" };
  const user =
    named ?? (type === "IAMUser" ? stringAt(record, "userIdentity.userName") : undefined);
  if (!user) return { reason: "the record names no IAM user" };
  if (!IAM_USER_NAME.test(user)) return { reason: `"${user}" is not an IAM user name` };
  return user;
}

export interface AccessKeyTarget {
  readonly user: string;
  readonly accessKeyId: string;
}

/** IAM API reference, `AccessKeyId`: `[\w]+`, 16 to 128 characters. */
const ACCESS_KEY_ID = /^\w{16,128}$/;

/**
 * `UpdateAccessKey Status=Inactive` on the key the record created: the key stops working at
 * once and can be re-activated; it is never deleted (deleting loses the evidence and the undo).
 */
export const deactivateAccessKey: ContainmentAction<AccessKeyTarget> = {
  id: "deactivate-access-key",
  title: "Deactivate the IAM access key",
  verb: "Deactivate access key",
  eventSource: "iam.amazonaws.com",
  eventNames: ["CreateAccessKey"],
  targetOf(record) {
    if (!isCall(record, "iam.amazonaws.com", ["CreateAccessKey"]) || !succeeded(record))
      return undefined;
    const user = userOf(record, stringAt(record, "responseElements.accessKey.userName"));
    if (typeof user !== "string") return { kind: "ineligible", reason: user.reason };
    const accessKeyId = stringAt(record, "responseElements.accessKey.accessKeyId");
    if (!accessKeyId) return { kind: "ineligible", reason: "the record does not name the new key" };
    if (!ACCESS_KEY_ID.test(accessKeyId))
      return { kind: "ineligible", reason: `"${accessKeyId}" is not an access key id` };
    return { kind: "target", target: { user, accessKeyId } };
  },
  encode: (t) => ({ user: t.user, key: t.accessKeyId }),
  decode(params) {
    onlyParams(params, ["user", "key"]);
    return {
      user: requireParam(params, "user", IAM_USER_NAME, "IAM user name"),
      accessKeyId: requireParam(params, "key", ACCESS_KEY_ID, "access key id"),
    };
  },
  describe: (t) => `access key ${t.accessKeyId} of IAM user "${t.user}"`,
  plan: (t) => [
    `Set access key ${t.accessKeyId} of IAM user "${t.user}" to Inactive: requests signed with it fail from then on.`,
    `The key is not deleted: it can be set to Active again.`,
  ],
  names: (t) => [t.user],
};

export interface LoginProfileTarget {
  readonly user: string;
}

/**
 * `DeleteLoginProfile`: the user can no longer sign in to the console (attackers add or reset a
 * console password for persistence: Stratus Red Team iam-create-user-login-profile,
 * iam-update-user-login-profile). Access keys and other credentials are not touched.
 */
export const deleteLoginProfile: ContainmentAction<LoginProfileTarget> = {
  id: "delete-login-profile",
  title: "Remove the console password",
  verb: "Delete console password",
  eventSource: "iam.amazonaws.com",
  eventNames: ["CreateLoginProfile", "UpdateLoginProfile"],
  targetOf(record) {
    if (
      !isCall(record, "iam.amazonaws.com", ["CreateLoginProfile", "UpdateLoginProfile"]) ||
      !succeeded(record)
    )
      return undefined;
    const user = userOf(record, stringAt(record, "responseElements.loginProfile.userName"));
    if (typeof user !== "string") return { kind: "ineligible", reason: user.reason };
    return { kind: "target", target: { user } };
  },
  encode: (t) => ({ user: t.user }),
  decode(params) {
    onlyParams(params, ["user"]);
    return { user: requireParam(params, "user", IAM_USER_NAME, "IAM user name") };
  },
  describe: (t) => `console password (login profile) of IAM user "${t.user}"`,
  plan: (t) => [
    `Delete the login profile of IAM user "${t.user}": the user can no longer sign in to the AWS console.`,
    `Access keys, MFA devices and permissions are not changed. The password cannot be restored: to undo, an administrator sets a new one.`,
  ],
  names: (t) => [t.user],
};
