/**
 * End to end in a real browser: the seed's S3 detection fires on a real CreateBucket record; the
 * alarm enrichment function (src/alerts) writes the notification, with the containment link under
 * the event; headless Chromium opens that link, served by the real containment handler on
 * localhost (through a payload-2.0 adapter), sees the confirmation page, presses the button and
 * gets the result page; opening the link again says it was used. AWS is faked at the SDK clients
 * only (FilterLogEvents serves the record; S3, DynamoDB, SNS and Secrets Manager answer).
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
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
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
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { alarmCatalog } from "../../src/alerts/catalog";
import { createHandler as createEnrichment } from "../../src/alerts/handler";
import type { AlarmStateChangeEvent } from "../../src/alerts/alarm-event";
import { DEFAULT_LIMITS } from "../../src/alerts/matching-events";
import { alarmLinks } from "../../src/containment/alarm-links";
import { createHandler } from "../../src/containment/http-handler";
import { Ledger } from "../../src/containment/ledger";
import { SigningKeys } from "../../src/containment/signing-key";
import { defaultClients } from "../../src/containment/effects/outcome";
import type { ContainmentSettings } from "../../src/containment/settings";
import { NAMELESS } from "../../src/detections/catalog";
import { awsError, fakeTable, record, serveSigningKey, settings } from "../support/containment";
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

const logs = mockClient(CloudWatchLogsClient);
const s3 = mockClient(S3Client);
const dynamo = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);

const CREATED = record("80486b96-9f31-441e-b4e2-b85a4e520a07"); // real CreateBucket of cwe-test
let server: Server;
let profile: string;
let browser: BrowserContext;
let containment: ContainmentSettings;

/** The "CloudWatch Alarm State Change" event of the S3 detection's alarm, for the record's minute. */
function alarmEvent(): AlarmStateChangeEvent {
  const minute = Math.floor(Date.parse(CREATED.eventTime) / 60000) * 60000;
  const cw = (ms: number) => new Date(ms).toISOString().replace("Z", "+0000");
  return {
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    account: "101010101111",
    time: new Date(minute + 105000).toISOString(),
    region: "us-east-1",
    detail: {
      alarmName: "trailwatch-s3-bucket-created",
      state: {
        value: "ALARM",
        reason:
          "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was >= the threshold (1.0).",
        reasonData: JSON.stringify({
          period: 60,
          startDate: cw(minute),
          evaluatedDatapoints: [{ timestamp: cw(minute), sampleCount: 1, value: 1 }],
        }),
        timestamp: cw(minute + 105000),
      },
    },
  };
}

// A describe block of its own: its afterAll (closing Chromium, removing its profile) runs before
// __tests__/setup.ts's top-level afterAll removes the test file's temporary directory; in the
// reverse order Chromium could still be writing into that directory (ENOTEMPTY).
describe("a containment link in headless Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `no Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM to its path`,
      );
    const logged = Object.fromEntries(Object.entries(CREATED).filter(([k]) => !k.startsWith("_")));
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        {
          timestamp: Date.parse(CREATED.eventTime),
          message: JSON.stringify(logged),
          eventId: "log-event-1",
          logStreamName: "101010101111_CloudTrail_us-east-1",
        },
      ],
    });
    fakeTable(dynamo);
    serveSigningKey(secrets);
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

    // The port is known once the adapter listens: the handler is made then.
    const served: { handler?: ReturnType<typeof createHandler> } = {};
    let base: string;
    ({ server, url: base } = await serveLambda((event) => served.handler!(event)));
    containment = settings({ account: "101010101111", baseUrl: `${base}/contain` });
    served.handler = createHandler({
      settings: containment,
      keys: new SigningKeys(
        new SecretsManagerClient({ region: "us-east-1" }),
        containment.secretId,
      ),
      ledger: new Ledger(new DynamoDBClient({ region: "us-east-1" }), containment.table, 60_000),
      clients: defaultClients(),
      sns: new SNSClient({ region: "us-east-1" }),
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
    // Chromium's helper processes can outlive the browser by a moment: retry a directory still in use.
    if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    for (const m of [logs, s3, dynamo, sns, secrets]) m.restore();
  });

  test("the S3 alert's link: open it, see what will be done, confirm, get the result; then it says it was used", async () => {
    // The alarm fires: the enrichment function lists the record and signs its link.
    const enrich = createEnrichment({
      logs: new CloudWatchLogsClient({ region: "us-east-1" }),
      sns: new SNSClient({ region: "us-east-1" }),
      catalog: () =>
        alarmCatalog(
          NAMELESS.filter((d) => d.id === "s3-bucket-created"),
          "trailwatch-",
        ),
      settings: () => ({
        logGroupName: "/trailwatch/cloudtrail",
        routes: Object.fromEntries(
          ["critical", "high", "medium", "low"].map((s) => [s, { topicArn: containment.topicArn }]),
        ),
        limits: DEFAULT_LIMITS,
      }),
      actionsForDetection: (id) =>
        alarmLinks(id, {
          settings: containment,
          keys: new SigningKeys(
            new SecretsManagerClient({ region: "us-east-1" }),
            containment.secretId,
          ),
          now: Date.now,
          log: () => undefined,
        }),
      log: () => undefined,
    });
    expect((await enrich(alarmEvent())).kind).toBe("published");
    const alert = sns.commandCalls(PublishCommand)[0].args[0].input.Message!;
    expect(alert).toContain("CreateBucket");
    const link = /Containment \(Lock down the S3 bucket; opens a confirmation page\): (\S+)/.exec(
      alert,
    );
    expect(link?.[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/contain\?/);
    const url = link![1];
    const page = await browser.newPage();

    const shown = await page.goto(url);
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
    const followUp = sns.commandCalls(PublishCommand)[1].args[0].input.Message!;
    expect(followUp).toMatch(
      /^127\.0\.0\.1 \(Mozilla\/5\.0 .*Chrome\/[\d.]+.*\) confirmed the containment link/,
    );

    const again = await page.goto(url);
    expect(again!.status()).toBe(409);
    expect(await page.locator("h1").textContent()).toBe("Link already used");
    expect(await page.locator("body").innerText()).toContain(
      "This link was already used by 127.0.0.1",
    );
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(1);
    await page.close();
  }, 120_000);
});
