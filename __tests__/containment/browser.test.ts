/**
 * End to end in a real browser: headless Chromium opens the containment link of the seed's S3
 * detection for a real CreateBucket record, served by the real handler on localhost (through a
 * payload-2.0 adapter), sees the confirmation page, presses the button and gets the result page;
 * opening the link again says it was used. AWS is faked at the SDK clients only.
 *
 * Chromium comes from the Debian package (`apt-get install chromium`; .ci/run installs it when
 * missing); CHROMIUM names another executable.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Server } from "node:http";
import { chromium, type BrowserContext } from "playwright-core";
import { mockClient } from "aws-sdk-client-mock";
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createHandler } from "../../src/containment/http-handler";
import { Ledger } from "../../src/containment/ledger";
import { SigningKeys } from "../../src/containment/signing-key";
import { defaultClients } from "../../src/containment/effects/outcome";
import { issueLink } from "../../src/containment/claims";
import { awsError, fakeTable, KEY, record, settings } from "../support/containment";
import { serveLambda } from "../support/lambda-http";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
// Without the background-networking flags Chromium phones home and stalls on a closed network.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const s3 = mockClient(S3Client);
const dynamo = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);

let server: Server;
let base: string;
let profile: string;
let browser: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM to its path`,
    );
  fakeTable(dynamo);
  secrets
    .on(GetSecretValueCommand, { VersionStage: "AWSCURRENT" })
    .resolves({ SecretString: KEY.toString("hex") });
  secrets
    .on(GetSecretValueCommand, { VersionStage: "AWSPREVIOUS" })
    .rejects(awsError("ResourceNotFoundException"));
  sns.on(PublishCommand).resolves({ MessageId: "m" });
  s3.on(GetBucketPolicyCommand).rejects(awsError("NoSuchBucketPolicy"));
  s3.on(GetPublicAccessBlockCommand).rejects(awsError("NoSuchPublicAccessBlockConfiguration"));
  s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
    },
  });
  s3.on(GetBucketVersioningCommand).resolves({});
  s3.on(GetObjectLockConfigurationCommand).rejects(
    awsError("ObjectLockConfigurationNotFoundError"),
  );

  // The port is known once the server listens: the handler is made then.
  const served: { handler?: ReturnType<typeof createHandler> } = {};
  ({ server, url: base } = await serveLambda((event) => served.handler!(event)));
  const s = settings({ account: "101010101111", baseUrl: `${base}/contain` });
  served.handler = createHandler({
    settings: s,
    keys: new SigningKeys(new SecretsManagerClient({ region: "ap-northeast-1" }), s.secretId),
    ledger: new Ledger(new DynamoDBClient({ region: "ap-northeast-1" }), s.table, 60_000),
    clients: defaultClients(),
    sns: new SNSClient({ region: "ap-northeast-1" }),
    now: Date.now,
    newToken: () => `token-${Date.now()}`,
    log: () => undefined,
  });
  profile = mkdtempSync(path.join(tmpdir(), "trailwatch-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (profile) rmSync(profile, { recursive: true, force: true });
  for (const m of [s3, dynamo, sns, secrets]) m.restore();
});

test("open the link, see what will be done, confirm, get the result; the link then says it was used", async () => {
  // The real CreateBucket record of the seed's detection, signed as the notification signs it.
  const issued = issueLink({
    baseUrl: `${base}/contain`,
    record: record("80486b96-9f31-441e-b4e2-b85a4e520a07"),
    detection: "s3-bucket-created",
    action: "lock-s3-bucket",
    expirySeconds: 3600,
    now: Date.now(),
    key: KEY,
  });
  if (issued?.kind !== "link") throw new Error("no link");
  const page = await browser.newPage();

  const shown = await page.goto(issued.url);
  expect(shown!.status()).toBe(200);
  expect(await page.locator("h1").textContent()).toBe("Lock down the S3 bucket?");
  const text = await page.locator("body").innerText();
  expect(text).toContain('S3 bucket "cwe-test" (us-east-1)');
  expect(text).toContain("arn:aws:sts::101010101111:assumed-role/Sandbox_Dev/user");
  expect(text).toContain("2015-11-23T07:45:25Z");
  expect(s3.calls()).toHaveLength(0);

  const [result] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole("button", { name: "Lock down bucket" }).click(),
  ]);
  expect(result!.status()).toBe(200);
  expect(await page.locator("h1").textContent()).toBe("Done: Lock down the S3 bucket");
  const done = await page.locator("body").innerText();
  expect(done).toContain("Turned on all four Block Public Access settings.");
  expect(done).toContain(
    "aws s3api --region us-east-1 delete-public-access-block --bucket cwe-test",
  );
  expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(1);
  expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(1);
  expect(
    s3.commandCalls(PutObjectLockConfigurationCommand)[0].args[0].input.ObjectLockConfiguration,
  ).toEqual({
    ObjectLockEnabled: "Enabled",
    Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 7 } },
  });
  const followUp = sns.commandCalls(PublishCommand)[0].args[0].input.Message!;
  expect(followUp).toMatch(
    /^127\.0\.0\.1 \(Mozilla\/5\.0 .*Chrome\/[\d.]+.*\) confirmed the containment link/,
  );

  const again = await page.goto(issued.url);
  expect(again!.status()).toBe(409);
  expect(await page.locator("h1").textContent()).toBe("Link already used");
  expect(await page.locator("body").innerText()).toContain(
    "This link was already used by 127.0.0.1",
  );
  expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(1);
  await page.close();
}, 120_000);
