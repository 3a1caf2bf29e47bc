/**
 * Signed containment links: a query string that names one action on one resource, the CloudTrail
 * event that prompted it, when it expires, and an HMAC-SHA256 signature over all of it.
 *
 * The signature covers a canonical form of the decoded parameters (sorted by name, RFC 3986
 * percent-encoding, a version prefix), so a mail client that re-encodes the URL (`%2F` for `/`,
 * `+` for a space) does not break it, and no parameter can be added, removed or changed without
 * the key. Verification compares in constant time (`crypto.timingSafeEqual`) and accepts any of
 * the keys given (the current and previous Secrets Manager versions, so a rotation does not
 * invalidate links in flight).
 *
 * Source: HMAC (RFC 2104) and SHA-256 as implemented by Node.js `node:crypto`; percent-encoding
 * as in RFC 3986 section 2.3 (unreserved characters are left as they are).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Name of the signature parameter; every other parameter is signed. */
export const SIGNATURE_PARAM = "sig";

/** Domain separation: a signature for anything else trailwatch might ever sign never verifies here. */
const CANONICAL_PREFIX = "trailwatch-containment-link-v1\n";

/** Signatures are HMAC-SHA256 digests: 32 bytes, 43 characters of unpadded base64url. */
const SIGNATURE_BYTES = 32;

/** Shortest key accepted: 32 bytes, the digest size (RFC 2104 section 3 recommends at least L). */
export const MIN_KEY_BYTES = 32;

/** A link that is not valid; `status` is the HTTP status the handler answers with. */
export class LinkError extends Error {
  constructor(
    readonly status: 400 | 403 | 410,
    message: string,
  ) {
    super(message);
    this.name = "LinkError";
  }
}

/** RFC 3986 percent-encoding: encodeURIComponent leaves `!'()*` alone, which RFC 3986 reserves. */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `name=value` pairs sorted by name (code units), joined by `&`; the signature itself left out. */
export function canonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((k) => k !== SIGNATURE_PARAM)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k])}`)
    .join("&");
}

function digest(key: Buffer, params: Readonly<Record<string, string>>): Buffer {
  return createHmac("sha256", key)
    .update(CANONICAL_PREFIX + canonicalQuery(params))
    .digest();
}

function checkKey(key: Buffer): void {
  if (key.length < MIN_KEY_BYTES)
    throw new Error(`signing key is ${key.length} bytes; at least ${MIN_KEY_BYTES} are needed`);
}

/** The query string (canonical order) with its signature appended. */
export function signQuery(params: Readonly<Record<string, string>>, key: Buffer): string {
  checkKey(key);
  if (SIGNATURE_PARAM in params) throw new Error(`"${SIGNATURE_PARAM}" is reserved`);
  const sig = digest(key, params).toString("base64url");
  return `${canonicalQuery(params)}&${SIGNATURE_PARAM}=${sig}`;
}

/**
 * Parses a raw query string into parameters: each name at most once (a repeated name is a link
 * someone edited: refused), the signature present and of the right length.
 * @throws LinkError 400 for a malformed query
 */
export function parseQuery(rawQuery: string): { params: Record<string, string>; sig: Buffer } {
  const params: Record<string, string> = Object.create(null);
  let sig: string | undefined;
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    if (k === SIGNATURE_PARAM) {
      if (sig !== undefined) throw new LinkError(400, "the link has two signatures");
      sig = v;
      continue;
    }
    if (k in params) throw new LinkError(400, `the link names "${k}" twice`);
    params[k] = v;
  }
  if (sig === undefined) throw new LinkError(400, "the link has no signature");
  if (!/^[A-Za-z0-9_-]{43}$/.test(sig))
    throw new LinkError(400, "the link's signature is malformed");
  const bytes = Buffer.from(sig, "base64url");
  if (bytes.length !== SIGNATURE_BYTES)
    throw new LinkError(400, "the link's signature is malformed");
  return { params, sig: bytes };
}

/**
 * True when `sig` is the HMAC of `params` under one of `keys`. Every key is tried (no early exit
 * on a match), each comparison in constant time.
 */
export function signatureMatches(
  params: Readonly<Record<string, string>>,
  sig: Buffer,
  keys: readonly Buffer[],
): boolean {
  let ok = false;
  for (const key of keys) {
    checkKey(key);
    const expected = digest(key, params);
    if (expected.length === sig.length && timingSafeEqual(expected, sig)) ok = true;
  }
  return ok;
}

/**
 * Parses and verifies a signed query, then checks its expiry.
 * @param expiresParam name of the parameter holding the expiry (Unix time, seconds)
 * @param now current time in milliseconds since the epoch
 * @throws LinkError 400 malformed, 403 bad signature, 410 expired
 */
export function verifyQuery(
  rawQuery: string,
  keys: readonly Buffer[],
  expiresParam: string,
  now: number,
): Record<string, string> {
  const { params, sig } = parseQuery(rawQuery);
  if (keys.length === 0) throw new LinkError(403, "no link can be verified: no signing key exists");
  if (!signatureMatches(params, sig, keys))
    throw new LinkError(
      403,
      "the link's signature does not match: it was changed or not issued here",
    );
  const expires = params[expiresParam];
  if (expires === undefined || !/^\d{1,12}$/.test(expires))
    throw new LinkError(400, "the link has no valid expiry");
  if (now >= Number(expires) * 1000)
    throw new LinkError(
      410,
      `the link expired at ${new Date(Number(expires) * 1000).toISOString()}`,
    );
  return params;
}
