/**
 * The S3 calls of `lock-s3-bucket`, each preceded by a read so that what is already tight is left
 * alone and reported, and what is changed can be undone. Every call carries `ExpectedBucketOwner`
 * (S3 refuses the request if another account owns the bucket).
 *
 * Order matters: the TLS-only statement is added before Block Public Access, because with
 * `BlockPublicPolicy` on S3 refuses to store any policy that grants public access, including the
 * bucket's existing one with our statement added (S3 user guide, "Blocking public access").
 * Versioning precedes Object Lock, which needs it.
 */
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  type PublicAccessBlockConfiguration,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { BucketTarget } from "../actions/lock-s3-bucket";
import {
  describeError,
  errorCode,
  OutcomeBuilder,
  ResourceGone,
  unless,
  type EffectContext,
  type Outcome,
} from "./outcome";
import { addTlsOnlyStatement, receivesServerAccessLogs } from "./tls-only-policy";

const BLOCK_ALL: Required<PublicAccessBlockConfiguration> = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** Runs one step; a missing bucket ends the action, any other error is noted and the rest go on. */
async function step(out: OutcomeBuilder, what: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (errorCode(e) === "NoSuchBucket") throw new ResourceGone("the bucket no longer exists");
    out.failed(`Could not ${what}: ${describeError(e)}`);
  }
}

export async function lockS3BucketEffect(t: BucketTarget, ctx: EffectContext): Promise<Outcome> {
  const s3: S3Client = ctx.clients.s3(t.region);
  const bucket = { Bucket: t.bucket, ExpectedBucketOwner: ctx.account };
  const out = new OutcomeBuilder();
  const cli = `aws s3api --region ${t.region}`;
  let policy: Record<string, unknown> | undefined;

  await step(out, "add the TLS-only statement to the bucket policy", async () => {
    let existing: string | undefined;
    try {
      existing = (await s3.send(new GetBucketPolicyCommand(bucket))).Policy;
    } catch (e) {
      unless(e, "NoSuchBucketPolicy");
    }
    policy = existing === undefined ? undefined : JSON.parse(existing);
    const merge = addTlsOnlyStatement(existing, t.bucket);
    if (merge.kind === "present") {
      out.note("The bucket policy already denies requests made without TLS.");
    } else if (merge.kind === "too-large") {
      out.failed(
        `The bucket policy with the TLS-only statement would be ${merge.bytes} bytes, over S3's 20 KB limit: add the statement by hand.`,
      );
    } else {
      try {
        await s3.send(new PutBucketPolicyCommand({ ...bucket, Policy: merge.policy }));
      } catch (e) {
        if (errorCode(e) !== "AccessDenied") throw e;
        out.failed(
          "S3 refused the bucket policy with the TLS-only statement added (AccessDenied): with Block Public Access on, S3 refuses a policy that grants public access, so the bucket's existing policy probably does. Review it.",
        );
        return;
      }
      out.changed(
        existing === undefined
          ? "Set a bucket policy that denies every request made without TLS."
          : "Added a statement denying every request made without TLS to the bucket policy (its other statements are unchanged).",
        existing === undefined
          ? `${cli} delete-bucket-policy --bucket ${t.bucket}`
          : `Remove the statement "TrailwatchContainmentDenyInsecureTransport" from the policy of ${t.bucket} (${cli} get-bucket-policy / put-bucket-policy --bucket ${t.bucket}).`,
      );
    }
  });

  await step(out, "block public access", async () => {
    let before: PublicAccessBlockConfiguration | undefined;
    try {
      before = (await s3.send(new GetPublicAccessBlockCommand(bucket)))
        .PublicAccessBlockConfiguration;
    } catch (e) {
      unless(e, "NoSuchPublicAccessBlockConfiguration");
    }
    const keys = Object.keys(BLOCK_ALL) as (keyof PublicAccessBlockConfiguration)[];
    if (before && keys.every((k) => before![k] === true)) {
      out.note("All four Block Public Access settings were already on.");
      return;
    }
    await s3.send(
      new PutPublicAccessBlockCommand({ ...bucket, PublicAccessBlockConfiguration: BLOCK_ALL }),
    );
    out.changed(
      "Turned on all four Block Public Access settings.",
      before
        ? `${cli} put-public-access-block --bucket ${t.bucket} --public-access-block-configuration ${keys.map((k) => `${k}=${before![k] === true}`).join(",")}`
        : `${cli} delete-public-access-block --bucket ${t.bucket}`,
    );
  });

  await step(out, "turn on default encryption", async () => {
    try {
      const rules = (await s3.send(new GetBucketEncryptionCommand(bucket)))
        .ServerSideEncryptionConfiguration?.Rules;
      const algorithm = rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
      out.note(`Default encryption was already on (${algorithm ?? "configured"}); left as it is.`);
      return;
    } catch (e) {
      unless(e, "ServerSideEncryptionConfigurationNotFoundError");
    }
    await s3.send(
      new PutBucketEncryptionCommand({
        ...bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
      }),
    );
    // S3 encrypts every new object with SSE-S3 anyway since January 2023: nothing to undo.
    out.changed("Turned on default encryption (SSE-S3).");
  });

  // Object Lock cannot go on a bucket that receives server access logs (S3 user guide).
  const days = ctx.settings.objectLockDays;
  const willLock = days !== undefined && !receivesServerAccessLogs(policy);
  let versioningOn = false;
  await step(out, "turn on versioning", async () => {
    const status = (await s3.send(new GetBucketVersioningCommand(bucket))).Status;
    if (status === "Enabled") {
      versioningOn = true;
      out.note("Versioning was already on.");
      return;
    }
    await s3.send(
      new PutBucketVersioningCommand({ ...bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    versioningOn = true;
    out.changed(
      "Turned on versioning.",
      !willLock
        ? `${cli} put-bucket-versioning --bucket ${t.bucket} --versioning-configuration Status=${status ?? "Suspended"}`
        : "Versioning cannot be suspended on a bucket with Object Lock.",
    );
  });

  if (days !== undefined) {
    if (!willLock) {
      out.note(
        "Object Lock was not enabled: the bucket policy admits S3 server access log delivery, and S3 does not deliver access logs to a bucket with Object Lock.",
      );
    } else if (!versioningOn) {
      out.failed("Object Lock was not enabled: it needs versioning, which could not be turned on.");
    } else {
      await step(out, "enable Object Lock", async () => {
        let enabled = false;
        try {
          const c = (await s3.send(new GetObjectLockConfigurationCommand(bucket)))
            .ObjectLockConfiguration;
          enabled = c?.ObjectLockEnabled === "Enabled";
          const rule = c?.Rule?.DefaultRetention;
          if (enabled && rule) {
            out.note(
              `Object Lock was already on with a default retention (${rule.Mode}, ${rule.Days ?? `${rule.Years} years`}${rule.Days ? " days" : ""}); left as it is.`,
            );
            return;
          }
        } catch (e) {
          unless(e, "ObjectLockConfigurationNotFoundError");
        }
        await s3.send(
          new PutObjectLockConfigurationCommand({
            ...bucket,
            ObjectLockConfiguration: {
              ObjectLockEnabled: "Enabled",
              Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: days } },
            },
          }),
        );
        out.changed(
          `${enabled ? "Set" : "Enabled Object Lock with"} a default retention of ${days} day${days === 1 ? "" : "s"} in GOVERNANCE mode.`,
          `Object Lock itself cannot be turned off. Remove the default retention with ${cli} put-object-lock-configuration --bucket ${t.bucket} --object-lock-configuration ObjectLockEnabled=Enabled ; versions written meanwhile stay locked until their retain-until date unless deleted with s3:BypassGovernanceRetention.`,
        );
      });
    }
  }
  return out.build();
}
