import { createHmac } from "node:crypto";
import {
  canonicalQuery,
  LinkError,
  parseQuery,
  percentEncode,
  signQuery,
  verifyQuery,
} from "../../src/containment/link";
import { issueLink, readLink } from "../../src/containment/claims";
import { BASE_URL, KEY, linkFor, NOW, OTHER_KEY, queryOf, record } from "../support/containment";

function refusal(run: () => unknown): LinkError {
  try {
    run();
  } catch (e) {
    if (e instanceof LinkError) return e;
    throw e;
  }
  throw new Error("expected the link to be refused");
}

describe("signing", () => {
  test("the signature is HMAC-SHA256 over a versioned canonical query, base64url", () => {
    const q = signQuery({ b: "2", a: "x y/z" }, KEY);
    const expected = createHmac("sha256", KEY)
      .update("trailwatch-containment-link-v1\na=x%20y%2Fz&b=2")
      .digest("base64url");
    expect(q).toBe(`a=x%20y%2Fz&b=2&sig=${expected}`);
  });

  test("canonical encoding sorts names and percent-encodes RFC 3986 reserved characters", () => {
    expect(canonicalQuery({ z: "1", "r.bucket": "a", A: "(x)*!'" })).toBe(
      "A=%28x%29%2A%21%27&r.bucket=a&z=1",
    );
    expect(percentEncode("a-b_c.d~e")).toBe("a-b_c.d~e");
  });

  test("keys shorter than 32 bytes are refused", () => {
    expect(() => signQuery({ a: "1" }, Buffer.alloc(16))).toThrow(/at least 32/);
  });
});

describe("verification", () => {
  const params = { action: "lock-s3-bucket", expires: String(NOW / 1000 + 60), "r.bucket": "b" };
  const signed = signQuery(params, KEY);

  test("a signed query verifies under its key and yields its parameters", () => {
    expect(verifyQuery(signed, [KEY], "expires", NOW)).toEqual(params);
  });

  test("re-encoding by a mail client (+ for space, lower-case escapes, reordering) still verifies", () => {
    const p = { who: "a b/c", expires: String(NOW / 1000 + 60) };
    const q = signQuery(p, KEY);
    const sig = q.slice(q.indexOf("sig="));
    const reencoded = `expires=${p.expires}&who=a+b%2fc&${sig}`;
    expect(verifyQuery(reencoded, [KEY], "expires", NOW)).toEqual(p);
  });

  test("any changed, added or removed parameter is refused with 403", () => {
    const changed = signed.replace("r.bucket=b", "r.bucket=c");
    const added = `${signed}&r.region=eu-west-1`;
    const removed = signed.replace("r.bucket=b&", "");
    for (const q of [changed, added, removed])
      expect(refusal(() => verifyQuery(q, [KEY], "expires", NOW)).status).toBe(403);
  });

  test("a signature made with another key is refused; the previous key still verifies (rotation)", () => {
    expect(refusal(() => verifyQuery(signed, [OTHER_KEY], "expires", NOW)).status).toBe(403);
    expect(verifyQuery(signed, [OTHER_KEY, KEY], "expires", NOW)).toEqual(params);
  });

  test("expiry: valid until the second before, refused (410) from that second on", () => {
    const expires = Number(params.expires) * 1000;
    expect(verifyQuery(signed, [KEY], "expires", expires - 1)).toEqual(params);
    const e = refusal(() => verifyQuery(signed, [KEY], "expires", expires));
    expect(e.status).toBe(410);
    expect(e.message).toContain(new Date(expires).toISOString());
  });

  test("an expired link with a bad signature says 403, not 410: nothing unsigned is trusted", () => {
    const forged = signQuery({ ...params, expires: "1" }, OTHER_KEY);
    expect(refusal(() => verifyQuery(forged, [KEY], "expires", NOW)).status).toBe(403);
  });

  test("malformed queries are refused with 400", () => {
    const sig = signed.slice(signed.indexOf("sig="));
    const cases = {
      "no signature": "a=1",
      "two signatures": `${signed}&${sig}`,
      "a repeated name": `r.bucket=x&${signed}`,
      "a short signature": "a=1&sig=abc",
      "a signature that is not base64url": `a=1&sig=${"*".repeat(43)}`,
    };
    for (const [what, q] of Object.entries(cases)) {
      const e = refusal(() => parseQuery(q));
      expect([what, e.status]).toEqual([what, 400]);
    }
  });

  test("no key yet means no link can be valid (403)", () => {
    expect(refusal(() => verifyQuery(signed, [], "expires", NOW)).status).toBe(403);
  });
});

describe("links for real records", () => {
  const created = record("80486b96-9f31-441e-b4e2-b85a4e520a07"); // CreateBucket cwe-test

  test("a link names the action, the event, who and when, and the exact resource", () => {
    const { url, claims } = linkFor(created, "lock-s3-bucket");
    expect(url.startsWith(`${BASE_URL}?`)).toBe(true);
    const q = new URLSearchParams(queryOf(url));
    expect(Object.fromEntries(q)).toEqual({
      v: "1",
      account: "101010101111",
      action: "lock-s3-bucket",
      by: "arn:aws:sts::101010101111:assumed-role/Sandbox_Dev/user",
      call: "s3.amazonaws.com CreateBucket",
      detection: "s3-bucket-created",
      event: "80486b96-9f31-441e-b4e2-b85a4e520a07",
      expires: String(NOW / 1000 + 3600),
      "r.bucket": "cwe-test",
      "r.region": "us-east-1",
      region: "us-east-1",
      sig: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      time: "2015-11-23T07:45:25Z",
    });
    expect(claims.target).toEqual({ bucket: "cwe-test", region: "us-east-1" });
    expect(readLink(queryOf(url), [KEY], NOW)).toEqual(claims);
  });

  test("the link expires after the configured time (default one hour)", () => {
    const { url } = linkFor(created, "lock-s3-bucket");
    expect(readLink(queryOf(url), [KEY], NOW + 3599_000).eventId).toBe(created.eventID);
    expect(refusal(() => readLink(queryOf(url), [KEY], NOW + 3600_000)).status).toBe(410);
  });

  test("a link re-signed for another resource with a guessed key is refused", () => {
    const { url } = linkFor(created, "lock-s3-bucket");
    const q = new URLSearchParams(queryOf(url));
    q.set("r.bucket", "someone-elses-bucket");
    q.delete("sig");
    const forged = signQuery(Object.fromEntries(q), OTHER_KEY);
    expect(refusal(() => readLink(forged, [KEY], NOW)).status).toBe(403);
  });

  test("a validly signed link whose resource is not valid for its action is refused with 400", () => {
    // Signed with the real key (as if a bug produced it): the action's own checks still refuse it.
    const base = new URLSearchParams(queryOf(linkFor(created, "lock-s3-bucket").url));
    base.delete("sig");
    const cases: Record<string, Record<string, string>> = {
      "a bucket name S3 refuses": { "r.bucket": "Bad_Bucket" },
      "an unknown resource parameter": { "r.key": "x" },
      "an unknown action": { action: "delete-bucket" },
      "another format version": { v: "2" },
      "an unknown parameter": { note: "hi" },
    };
    for (const [what, change] of Object.entries(cases)) {
      const q = signQuery({ ...Object.fromEntries(base), ...change }, KEY);
      const e = refusal(() => readLink(q, [KEY], NOW));
      expect([what, e.status]).toEqual([what, 400]);
    }
  });

  test("records that are not the action's business get no link; unusable ones say why", () => {
    const issue = (eventId: string, action: Parameters<typeof linkFor>[1]) =>
      issueLink({
        baseUrl: BASE_URL,
        record: record(eventId),
        detection: "d",
        action,
        expirySeconds: 3600,
        now: NOW,
        key: KEY,
      });
    // A CreateAccessKey record is not the S3 action's business.
    expect(issue("c64c4ded-ef03-4e5c-81eb-153b118d72f2", "lock-s3-bucket")).toBeUndefined();
    // Root created its own key: an IAM role cannot change root credentials.
    expect(issue("783170c8-0910-0000-0000-000000000000", "deactivate-access-key")).toEqual({
      kind: "ineligible",
      reason: "the root user's own credentials can only be changed by the root user",
    });
  });
});
