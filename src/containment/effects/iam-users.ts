/**
 * The IAM calls of `deactivate-access-key` and `delete-login-profile`. Error codes from the IAM
 * API reference: `NoSuchEntity` (the user or key is gone), `EntityTemporarilyUnmodifiable` (the
 * user is being changed by another request: try again).
 */
import {
  DeleteLoginProfileCommand,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import type { AccessKeyTarget, LoginProfileTarget } from "../actions/iam-users";
import { errorCode, OutcomeBuilder, type EffectContext, type Outcome } from "./outcome";

const GONE = ["NoSuchEntity", "NoSuchEntityException"];

export async function deactivateAccessKeyEffect(
  t: AccessKeyTarget,
  ctx: EffectContext,
): Promise<Outcome> {
  const iam = ctx.clients.iam();
  const out = new OutcomeBuilder();
  let keys;
  try {
    keys = (await iam.send(new ListAccessKeysCommand({ UserName: t.user }))).AccessKeyMetadata;
  } catch (e) {
    if (!GONE.includes(errorCode(e) ?? "")) throw e;
    out.note(`IAM user "${t.user}" no longer exists, and with it the key.`);
    return out.build(true);
  }
  const key = keys?.find((k) => k.AccessKeyId === t.accessKeyId);
  if (!key) {
    out.note(`Access key ${t.accessKeyId} no longer exists (it was deleted).`);
    return out.build(true);
  }
  if (key.Status === "Inactive") {
    out.note(`Access key ${t.accessKeyId} was already inactive.`);
    return out.build();
  }
  try {
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: t.user,
        AccessKeyId: t.accessKeyId,
        Status: "Inactive",
      }),
    );
  } catch (e) {
    if (!GONE.includes(errorCode(e) ?? "")) throw e;
    out.note(`Access key ${t.accessKeyId} was deleted meanwhile.`);
    return out.build(true);
  }
  out.changed(
    `Set access key ${t.accessKeyId} of IAM user "${t.user}" to Inactive.`,
    `aws iam update-access-key --user-name ${t.user} --access-key-id ${t.accessKeyId} --status Active`,
  );
  return out.build();
}

export async function deleteLoginProfileEffect(
  t: LoginProfileTarget,
  ctx: EffectContext,
): Promise<Outcome> {
  const out = new OutcomeBuilder();
  try {
    await ctx.clients.iam().send(new DeleteLoginProfileCommand({ UserName: t.user }));
  } catch (e) {
    if (!GONE.includes(errorCode(e) ?? "")) throw e;
    out.note(
      `IAM user "${t.user}" has no console password (already removed, or the user is gone).`,
    );
    return out.build(true);
  }
  out.changed(
    `Deleted the console password (login profile) of IAM user "${t.user}".`,
    `The old password cannot be restored; to give console access back: aws iam create-login-profile --user-name ${t.user} --password-reset-required --password '<a new password>'`,
  );
  return out.build();
}
