/**
 * Adding a TLS-only statement to whatever bucket policy a bucket already has: the existing
 * statements are kept byte for byte (a policy is replaced whole by PutBucketPolicy, so writing
 * only ours would delete someone's grants), and nothing is added when an equivalent deny is
 * already there. Shapes from the IAM JSON policy reference (`Statement` may be one object or an
 * array; `Principal` `"*"` and `{"AWS": "*"}` are the same; `Bool` values are strings or booleans).
 */
import { TLS_ONLY_SID } from "../actions/lock-s3-bucket";
import { isObject } from "../record";

/** S3's bucket policy size limit (S3 user guide, "Bucket policy examples"): 20 KB. */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;

type Json = Readonly<Record<string, unknown>>;

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The statement the action adds for `bucket`. */
export function tlsOnlyStatement(bucket: string, sid = TLS_ONLY_SID): Json {
  const arn = `arn:aws:s3:::${bucket}`;
  return {
    Sid: sid,
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [arn, `${arn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

function deniesInsecureTransport(s: unknown, bucket: string): boolean {
  if (!isObject(s) || s.Effect !== "Deny") return false;
  const principal = s.Principal;
  const everyone =
    principal === "*" || (isObject(principal) && asArray(principal.AWS).includes("*"));
  const actions = asArray(s.Action);
  const resources = asArray(s.Resource);
  const arn = `arn:aws:s3:::${bucket}`;
  const bool = isObject(s.Condition) ? s.Condition.Bool : undefined;
  const secure = isObject(bool) ? asArray(bool["aws:SecureTransport"]) : [];
  return (
    everyone &&
    s.NotAction === undefined &&
    s.NotResource === undefined &&
    (actions.includes("s3:*") || actions.includes("*")) &&
    (resources.includes("*") ||
      ((resources.includes(arn) || resources.includes("arn:aws:s3:::*")) &&
        (resources.includes(`${arn}/*`) || resources.includes("arn:aws:s3:::*/*")))) &&
    secure.some((v) => v === false || v === "false")
  );
}

/** True when the policy lets S3 server access logging deliver into the bucket (a log target). */
export function receivesServerAccessLogs(policy: Json | undefined): boolean {
  return asArray(policy?.Statement).some(
    (s) =>
      isObject(s) &&
      s.Effect === "Allow" &&
      isObject(s.Principal) &&
      asArray(s.Principal.Service).includes("logging.s3.amazonaws.com"),
  );
}

export type PolicyMerge =
  | { readonly kind: "present" }
  | { readonly kind: "merged"; readonly policy: string }
  | { readonly kind: "too-large"; readonly bytes: number };

/**
 * The policy with the TLS-only statement added, or `present` when an equivalent deny exists.
 * @param existing the current policy text, or undefined when the bucket has none
 * @throws Error when `existing` is not a JSON policy object
 */
export function addTlsOnlyStatement(existing: string | undefined, bucket: string): PolicyMerge {
  const doc: Json = existing === undefined ? {} : JSON.parse(existing);
  if (!isObject(doc)) throw new Error("the bucket policy is not a JSON object");
  const statements = asArray(doc.Statement);
  if (statements.some((s) => deniesInsecureTransport(s, bucket))) return { kind: "present" };
  const sids = new Set(statements.map((s) => (isObject(s) ? s.Sid : undefined)));
  let sid = TLS_ONLY_SID;
  for (let i = 2; sids.has(sid); i++) sid = `${TLS_ONLY_SID}${i}`;
  const merged = {
    ...doc,
    Version: doc.Version ?? "2012-10-17",
    Statement: [...statements, tlsOnlyStatement(bucket, sid)],
  };
  const policy = JSON.stringify(merged);
  const bytes = Buffer.byteLength(policy);
  return bytes > MAX_BUCKET_POLICY_BYTES
    ? { kind: "too-large", bytes }
    : { kind: "merged", policy };
}
