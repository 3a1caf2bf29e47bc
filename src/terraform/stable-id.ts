import { createHash } from "node:crypto";

/**
 * Construct ids for items of a configured list, derived from each item's identity, never from its
 * position: removing, inserting or reordering items must leave every other item's Terraform
 * address, and so its resource, untouched (editing `[a, b, c]` to `[b, c]` must not turn `b` into
 * the resource that held `a`).
 *
 * The identity must already be normalized by the caller (an e-mail address lowercased, a bucket
 * name as AWS compares it), so that two spellings of one item get one id and a duplicate shows up
 * as a clash instead of two resources.
 *
 * cdktf keeps only `[A-Za-z0-9_-]` of an id in the Terraform address (and appends a hash of the
 * construct path). An identity made only of those characters (a detection id, a region code, a
 * bucket name without dots) is used as it is. Any other identity (`Alice.Smith+alerts@example.com`)
 * becomes a readable slug, every run of other characters turned into one `-`, followed by the
 * first 8 hex digits of the SHA-256 of the identity: `a.b@x.io` and `a-b@x.io` share the slug
 * `a-b-x-io` but not the hash, so two identities never share an id, and the id never changes as
 * long as the identity does not.
 */
export function stableId(identity: string): string {
  if (identity === "") throw new Error("stableId: the identity of a list item cannot be empty");
  if (SAFE.test(identity) && identity.length <= MAX_SLUG) return identity;
  const slug = identity
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_SLUG)
    .replace(/-+$/, "");
  const hash = createHash("sha256").update(identity, "utf8").digest("hex").slice(0, 8);
  return slug ? `${slug}-${hash}` : hash;
}

/** Characters cdktf keeps in a Terraform address. */
const SAFE = /^[A-Za-z0-9_-]+$/;
/** Long enough to read an address or bucket name, short enough for a readable plan line. */
const MAX_SLUG = 64;

/**
 * The identity of an e-mail address: lowercased. SNS delivers to mailbox providers that treat
 * addresses case-insensitively, so `Alice@example.com` and `alice@example.com` are one recipient.
 */
export function emailIdentity(address: string): string {
  return address.toLowerCase();
}

/**
 * Items whose identity another item already has, with both positions, in list order. For
 * configuration checks ("listed twice") and for constructs that refuse duplicates.
 */
export function duplicatesBy<T>(
  items: readonly T[],
  identity: (item: T) => string,
): { index: number; firstIndex: number; item: T }[] {
  const seen = new Map<string, number>();
  const found: { index: number; firstIndex: number; item: T }[] = [];
  items.forEach((item, index) => {
    const key = identity(item);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else found.push({ index, firstIndex: first, item });
  });
  return found;
}
