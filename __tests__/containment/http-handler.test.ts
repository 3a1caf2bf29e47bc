/**
 * The confirm-then-act flow through the real handler, ledger, link and effect code. AWS is faked
 * only at the SDK clients (aws-sdk-client-mock); the DynamoDB stand-in evaluates the ledger's
 * condition expressions as the table would.
 */
import { mockClient } from "aws-sdk-client-mock";
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { IAMClient } from "@aws-sdk/client-iam";
import { EC2Client } from "@aws-sdk/client-ec2";
import { RDSClient } from "@aws-sdk/client-rds";
import { createHandler } from "../../src/containment/http-handler";
import { Ledger } from "../../src/containment/ledger";
import { SigningKeys } from "../../src/containment/signing-key";
import { defaultClients } from "../../src/containment/effects/outcome";
import { signQuery } from "../../src/containment/link";
import type { ContainmentSettings } from "../../src/containment/settings";
import {
  awsError,
  fakeTable,
  httpEvent,
  KEY,
  linkFor,
  NOW,
  OTHER_KEY,
  queryOf,
  record,
  serveSigningKey,
  settings,
} from "../support/containment";

const s3 = mockClient(S3Client);
const dynamo = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const others = [mockClient(IAMClient), mockClient(EC2Client), mockClient(RDSClient)];

const CREATED = record("80486b96-9f31-441e-b4e2-b85a4e520a07"); // real CreateBucket of cwe-test
const ACCOUNT = "101010101111";
let items: ReturnType<typeof fakeTable>;
let clock: number;
let logged: { event: string; fields: Record<string, unknown> }[];

function tightBucketReads() {
  s3.on(GetBucketPolicyCommand).rejects(awsError("NoSuchBucketPolicy"));
  s3.on(GetPublicAccessBlockCommand).rejects(awsError("NoSuchPublicAccessBlockConfiguration"));
  s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [] } });
  s3.on(GetBucketVersioningCommand).resolves({ Status: "Enabled" });
  s3.on(GetObjectLockConfigurationCommand).rejects(
    awsError("ObjectLockConfigurationNotFoundError"),
  );
}

beforeEach(() => {
  for (const m of [s3, dynamo, sns, secrets, ...others]) m.reset();
  items = fakeTable(dynamo);
  serveSigningKey(secrets);
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
  tightBucketReads();
  clock = NOW + 60_000;
  logged = [];
});

function handler(overrides: Partial<ContainmentSettings> = {}) {
  const s = settings({ account: ACCOUNT, ...overrides });
  let n = 0;
  return createHandler({
    settings: s,
    keys: new SigningKeys(
      new SecretsManagerClient({ region: "ap-northeast-1" }),
      s.secretId,
      () => clock,
    ),
    ledger: new Ledger(new DynamoDBClient({ region: "ap-northeast-1" }), s.table, 90_000),
    clients: defaultClients(),
    sns: new SNSClient({ region: "ap-northeast-1" }),
    now: () => clock,
    newToken: () => `token-${++n}`,
    log: (event, fields) => logged.push({ event, fields }),
  });
}

const query = () => queryOf(linkFor(CREATED, "lock-s3-bucket").url);
const confirm = (q: string, opts = {}) => httpEvent("POST", q, { body: "confirm=yes", ...opts });

/** Calls that act on or record anything (reading the signing key is how a link is checked). */
function writesAndReads() {
  return [s3, dynamo, sns, ...others].reduce((n, m) => n + m.calls().length, 0);
}

describe("GET shows what would be done and changes nothing", () => {
  test("the confirmation page names the action, the bucket, who created it and when, with a POST form", async () => {
    const res = await handler()(httpEvent("GET", query()));
    expect(res.statusCode).toBe(200);
    const html = res.body!;
    expect(html).toContain("<h1>Lock down the S3 bucket?</h1>");
    expect(html).toContain("S3 bucket &quot;cwe-test&quot; (us-east-1)");
    expect(html).toContain("arn:aws:sts::101010101111:assumed-role/Sandbox_Dev/user");
    expect(html).toContain("2015-11-23T07:45:25Z");
    expect(html).toContain("s3.amazonaws.com CreateBucket");
    expect(html).toContain(
      "Enable Object Lock with a default retention of 7 days in GOVERNANCE mode",
    );
    expect(html).toMatch(/<form method="post" action="\?[^"]*&amp;sig=[A-Za-z0-9_-]{43}">/);
    expect(html).toContain('<button type="submit">Lock down bucket</button>');
    expect(res.headers).toMatchObject({
      "cache-control": "no-store",
      "x-frame-options": "DENY",
      "referrer-policy": "same-origin",
    });
    expect(s3.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(GetItemCommand)).toHaveLength(1);
  });

  test("a mail scanner fetching the link ten times changes nothing", async () => {
    const h = handler();
    for (let i = 0; i < 10; i++) expect((await h(httpEvent("GET", query()))).statusCode).toBe(200);
    expect(s3.calls()).toHaveLength(0);
    expect(items.size).toBe(0);
  });

  test("values from the link are escaped in the page", async () => {
    const hostile = {
      ...CREATED,
      userIdentity: {
        ...(CREATED.userIdentity as object),
        arn: 'arn:aws:sts::1:assumed-role/x/<script>alert("x")</script>',
      },
    };
    const res = await handler()(
      httpEvent("GET", queryOf(linkFor(hostile as any, "lock-s3-bucket").url)),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain("<script>");
    expect(res.body).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });
});

describe("POST acts once", () => {
  test("confirming locks the bucket, records the outcome and reports who clicked and how to undo", async () => {
    const res = await handler()(
      confirm(query(), { sourceIp: "198.51.100.7", userAgent: "Firefox/131" }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("<h1>Done: Lock down the S3 bucket</h1>");
    expect(res.body).toContain("Set a bucket policy that denies every request made without TLS.");
    expect(res.body).toContain(
      "aws s3api --region us-east-1 delete-bucket-policy --bucket cwe-test",
    );
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(1);
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(1);

    const item = items.get(`${CREATED.eventID}#lock-s3-bucket`)!;
    expect(item.status.S).toBe("done");
    expect(item.sourceIp.S).toBe("198.51.100.7");
    expect(item.userAgent.S).toBe("Firefox/131");
    expect(item.resource.S).toBe('S3 bucket "cwe-test" (us-east-1)');
    // TTL: a day after the link's expiry.
    expect(Number(item.expiresAt.N)).toBe(NOW / 1000 + 3600 + 86400);

    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0].TopicArn).toBe("arn:aws:sns:ap-northeast-1:111122223333:trailwatch-alerts");
    expect(published[0].Subject).toBe(
      'trailwatch containment done: S3 bucket "cwe-test" (us-east-1)',
    );
    expect(published[0].Message).toContain(
      `198.51.100.7 (Firefox/131) confirmed the containment link at ${new Date(clock).toISOString()}.`,
    );
    expect(published[0].Message).toContain(
      "To undo:\n- aws s3api --region us-east-1 delete-bucket-policy --bucket cwe-test",
    );
    expect(published[0].Message).toContain("arn:aws:iam::111122223333:role/trailwatch-containment");
  });

  test("clicking twice: the second click gets 'already used' and AWS is not called again", async () => {
    const h = handler();
    await h(confirm(query()));
    const s3Calls = s3.calls().length;
    const again = await h(confirm(query(), { sourceIp: "192.0.2.9" }));
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain("This link was already used by 198.51.100.7");
    expect(again.body).toContain("ended with <strong>done</strong>");
    expect(s3.calls()).toHaveLength(s3Calls);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    // Opening the link afterwards shows the same.
    expect((await h(httpEvent("GET", query()))).statusCode).toBe(409);
  });

  test("two people at the same moment: one acts, the other is told", async () => {
    const h = handler();
    const [a, b] = await Promise.all([
      h(confirm(query(), { sourceIp: "198.51.100.1" })),
      h(confirm(query(), { sourceIp: "198.51.100.2" })),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(1);
  });

  test("a failed attempt can be retried with the same link", async () => {
    s3.on(GetBucketPolicyCommand).rejects(awsError("AccessDenied", "Access Denied"));
    s3.on(GetPublicAccessBlockCommand).rejects(awsError("AccessDenied", "Access Denied"));
    s3.on(GetBucketEncryptionCommand).rejects(awsError("AccessDenied", "Access Denied"));
    s3.on(GetBucketVersioningCommand).rejects(awsError("AccessDenied", "Access Denied"));
    const h = handler();
    const first = await h(confirm(query()));
    expect(first.statusCode).toBe(502);
    expect(first.body).toContain(
      "Could not add the TLS-only statement to the bucket policy: AccessDenied: Access Denied",
    );
    expect(items.get(`${CREATED.eventID}#lock-s3-bucket`)!.status.S).toBe("failed");
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Subject).toMatch(
      /^trailwatch containment FAILED/,
    );

    s3.reset();
    tightBucketReads();
    const second = await h(confirm(query()));
    expect(second.statusCode).toBe(200);
    expect(items.get(`${CREATED.eventID}#lock-s3-bucket`)!.status.S).toBe("done");
  });

  test("an attempt left 'started' by a crashed invocation is taken over only after the function's timeout", async () => {
    const h = handler();
    items.set(`${CREATED.eventID}#lock-s3-bucket`, {
      pk: { S: `${CREATED.eventID}#lock-s3-bucket` },
      status: { S: "started" },
      token: { S: "lost" },
      claimedAt: { N: String(clock - 30_000) },
      sourceIp: { S: "192.0.2.1" },
      userAgent: { S: "curl" },
    });
    const early = await h(confirm(query()));
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain(
      "the action on S3 bucket &quot;cwe-test&quot; (us-east-1) is under way",
    );
    clock += 90_000;
    expect((await h(confirm(query()))).statusCode).toBe(200);
  });

  test("the bucket is gone: a clear page, no error", async () => {
    s3.on(GetBucketPolicyCommand).rejects(awsError("NoSuchBucket"));
    const res = await handler()(confirm(query()));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("Nothing left to act on");
    expect(res.body).toContain("the bucket no longer exists.");
  });

  test("the bucket already tight: 'Nothing to change', only reads, and the follow-up says so", async () => {
    s3.on(GetBucketPolicyCommand).resolves({
      Policy: JSON.stringify({
        Statement: [
          {
            Sid: "AllowSSLRequestsOnly",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::cwe-test", "arn:aws:s3:::cwe-test/*"],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    });
    s3.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
    });
    s3.on(GetObjectLockConfigurationCommand).resolves({
      ObjectLockConfiguration: {
        ObjectLockEnabled: "Enabled",
        Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 7 } },
      },
    });
    const res = await handler()(confirm(query()));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("Nothing to change");
    expect(res.body).toContain(
      "S3 bucket &quot;cwe-test&quot; (us-east-1) was already as tight as this action makes it.",
    );
    expect(s3.calls().map((c) => c.args[0].constructor.name)).toEqual([
      "GetBucketPolicyCommand",
      "GetPublicAccessBlockCommand",
      "GetBucketEncryptionCommand",
      "GetBucketVersioningCommand",
      "GetObjectLockConfigurationCommand",
    ]);
    expect(items.get(`${CREATED.eventID}#lock-s3-bucket`)!.status.S).toBe("unchanged");
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0].Subject).toBe(
      'trailwatch containment no change: S3 bucket "cwe-test" (us-east-1)',
    );
    expect(published[0].Message).not.toContain("To undo:");
    expect(published[0].Message).not.toContain("Changed:");
  });

  test("a POST without the page's confirmation field, or from another site, does nothing", async () => {
    const h = handler();
    expect((await h(httpEvent("POST", query(), { body: "" }))).statusCode).toBe(400);
    expect((await h(confirm(query(), { origin: "https://evil.example" }))).statusCode).toBe(403);
    expect((await h(confirm(query(), { origin: "null" }))).statusCode).toBe(403);
    expect(s3.calls()).toHaveLength(0);
    expect(items.size).toBe(0);
    // The page's own origin is fine.
    const own = await h(
      confirm(query(), { origin: "https://abc123defg.execute-api.ap-northeast-1.amazonaws.com" }),
    );
    expect(own.statusCode).toBe(200);
  });
});

describe("links that must not act: 4xx without touching AWS", () => {
  // Every row has four entries: jest reads a test function's extra parameter as `done`.
  const cases: [string, () => string, number, Partial<ContainmentSettings>][] = [
    [
      "tampered resource",
      () => query().replace("r.bucket=cwe-test", "r.bucket=other-bucket"),
      403,
      {},
    ],
    [
      "signed with another key",
      () => queryOf(linkFor(CREATED, "lock-s3-bucket", OTHER_KEY).url),
      403,
      {},
    ],
    [
      "expired",
      () => queryOf(linkFor(CREATED, "lock-s3-bucket", KEY, NOW - 3600_000).url),
      410,
      {},
    ],
    [
      "another action swapped in (the link is bound to its one action)",
      () => query().replace("action=lock-s3-bucket", "action=deactivate-access-key"),
      403,
      {},
    ],
    [
      "another event swapped in (each event's link acts once)",
      () =>
        query().replace(`event=${CREATED.eventID}`, "event=00000000-0000-0000-0000-000000000000"),
      403,
      {},
    ],
    [
      "expiry pushed back",
      () => query().replace(/expires=(\d+)/, (_m, t: string) => `expires=${Number(t) + 86400}`),
      403,
      {},
    ],
    ["not a link", () => "bucket=cwe-test", 400, {}],
    ["for another account", () => query(), 403, { account: "999999999999" }],
    ["action no longer enabled for the detection", () => query(), 403, { actions: {} }],
    ["one of trailwatch's own buckets", () => query(), 403, { protectedNames: ["cwe-test"] }],
    ["a bucket named like trailwatch's", () => query(), 403, { protectedPrefix: "cwe-" }],
    [
      "a resource the action cannot take",
      () => {
        const q = Object.fromEntries(new URLSearchParams(query()));
        delete q.sig;
        return signQuery({ ...q, "r.bucket": "Not_A_Bucket" }, KEY);
      },
      400,
      {},
    ],
  ];
  test.each(cases)("%s", async (_what, q, status, overrides) => {
    for (const method of ["GET", "POST"] as const) {
      const res = await handler(overrides)(method === "GET" ? httpEvent("GET", q()) : confirm(q()));
      expect(res.statusCode).toBe(status);
      expect(res.body).toContain("Nothing was changed.");
    }
    expect(writesAndReads()).toBe(0);
  });

  test("other methods and paths", async () => {
    const h = handler();
    const put = await h(httpEvent("PUT", query()));
    expect(put.statusCode).toBe(405);
    expect(put.headers!.allow).toBe("GET, POST");
    expect((await h(httpEvent("GET", query(), { path: "/" }))).statusCode).toBe(404);
    expect(writesAndReads()).toBe(0);
  });

  test("the signing key cannot be read: 503, nothing done", async () => {
    secrets.reset();
    secrets.on(GetSecretValueCommand).rejects(awsError("InternalServiceError"));
    const res = await handler()(confirm(query()));
    expect(res.statusCode).toBe(503);
    expect(writesAndReads()).toBe(0);
    expect(logged.map((l) => l.event)).toContain("signing-key-unavailable");
  });
});
