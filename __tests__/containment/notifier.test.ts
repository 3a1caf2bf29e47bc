/**
 * The signing step for event-delivered detections, on real records delivered as EventBridge
 * events, and the signing key's first-use creation in Secrets Manager (SDK clients faked at their
 * boundary).
 */
import { mockClient } from "aws-sdk-client-mock";
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { createNotifier } from "../../src/containment/notifier";
import { INITIAL_VERSION_TOKEN, SigningKeys } from "../../src/containment/signing-key";
import { readLink } from "../../src/containment/claims";
import { cloudTrailRecordToEvent } from "../../src/patterns/event-envelope";
import { awsError, KEY, NOW, record, serveSigningKey, settings } from "../support/containment";

const secrets = mockClient(SecretsManagerClient);
const sns = mockClient(SNSClient);
const KEY_HEX = KEY.toString("hex");

beforeEach(() => {
  secrets.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: "m" });
});

const keys = (now = () => NOW) =>
  new SigningKeys(new SecretsManagerClient({ region: "ap-northeast-1" }), "secret-arn", now);

function notifier(overrides = {}) {
  const logs: string[] = [];
  const notify = createNotifier({
    settings: settings({ account: "946986569305", ...overrides }),
    keys: keys(),
    sns: new SNSClient({ region: "ap-northeast-1" }),
    now: () => NOW,
    log: (e) => logs.push(e),
  });
  return { notify, logs };
}

const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const KEY_CREATED = record("c64c4ded-ef03-4e5c-81eb-153b118d72f2"); // Stratus iam-backdoor-user

describe("notifier", () => {
  beforeEach(() => {
    serveSigningKey(secrets);
  });

  test("publishes the sentence and a signed link for the key the record created", async () => {
    const { notify } = notifier();
    await notify({
      detection: "iam-access-key-created",
      event: cloudTrailRecordToEvent(KEY_CREATED),
    });
    const [p] = published();
    expect(p.TopicArn).toBe("arn:aws:sns:ap-northeast-1:111122223333:trailwatch-alerts");
    expect(p.Subject).toBe(
      "[HIGH] IAM access key created: stratus-red-team-backdoor-u-user (containment link)",
    );
    const [sentence, containment] = p.Message!.split("\n\n");
    expect(sentence).toBe(
      "[HIGH] IAM access key created: arn:aws:iam::946986569305:user/christophe (IAMUser) called iam.amazonaws.com CreateAccessKey " +
        `on stratus-red-team-backdoor-u-user in us-east-1, account 946986569305, from ${KEY_CREATED.sourceIPAddress} (${KEY_CREATED.userAgent}) ` +
        "at 2024-07-30T21:53:13Z. Event id: c64c4ded-ef03-4e5c-81eb-153b118d72f2.",
    );
    const lines = containment.split("\n");
    expect(lines[0]).toBe(
      'Containment available: Deactivate the IAM access key (access key AKIAL80DWDVKKM0UXEER of IAM user "stratus-red-team-backdoor-u-user").',
    );
    expect(lines[1]).toBe(
      `The link opens a confirmation page; nothing changes until someone presses its button. It works once, until ${new Date(NOW + 3600_000).toISOString()}:`,
    );
    const url = lines[2];
    expect(
      url.startsWith("https://abc123defg.execute-api.ap-northeast-1.amazonaws.com/contain?"),
    ).toBe(true);
    const claims = readLink(url.slice(url.indexOf("?") + 1), [KEY], NOW);
    expect(claims).toMatchObject({
      action: "deactivate-access-key",
      detection: "iam-access-key-created",
      eventId: KEY_CREATED.eventID,
      target: { user: "stratus-red-team-backdoor-u-user", accessKeyId: "AKIAL80DWDVKKM0UXEER" },
    });
  });

  test("a record that cannot be contained still alerts, saying why there is no link", async () => {
    const { notify } = notifier();
    await notify({
      detection: "iam-access-key-created",
      event: cloudTrailRecordToEvent(record("783170c8-0910-0000-0000-000000000000")),
    });
    expect(published()[0].Message).toMatch(
      /\n\nNo containment link: the root user's own credentials can only be changed by the root user\.$/,
    );
  });

  test("a detection without an action: the sentence alone, no empty placeholders", async () => {
    const { notify } = notifier({ actions: {} });
    await notify({
      detection: "iam-access-key-created",
      event: cloudTrailRecordToEvent(KEY_CREATED),
    });
    const m = published()[0].Message!;
    expect(m).not.toContain("\n");
    expect(m).not.toMatch(/Error: \.|on {2}| \(\)/);
    expect(secrets.calls()).toHaveLength(0);
  });

  test("the key cannot be read: the alert still goes out, with the reason", async () => {
    secrets.reset();
    secrets.on(GetSecretValueCommand).rejects(awsError("AccessDeniedException", "not allowed"));
    const { notify, logs } = notifier();
    await notify({
      detection: "iam-access-key-created",
      event: cloudTrailRecordToEvent(KEY_CREATED),
    });
    expect(published()[0].Message).toContain(
      "No containment link: the link could not be signed (AccessDeniedException: not allowed).",
    );
    expect(logs).toEqual(["link-not-signed", "notified"]);
  });

  test("with alerts.routes, the notice goes to the topic of the detection's severity", async () => {
    const page = "arn:aws:sns:ap-northeast-1:111122223333:trailwatch-alerts-page";
    const { notify } = notifier({
      topicArns: {
        critical: page,
        high: page,
        medium: "arn:aws:sns:ap-northeast-1:111122223333:trailwatch-alerts",
        low: "arn:aws:sns:ap-northeast-1:111122223333:trailwatch-alerts",
      },
    });
    await notify({
      detection: "iam-access-key-created",
      event: cloudTrailRecordToEvent(KEY_CREATED),
    });
    expect(published().map((p) => p.TopicArn)).toEqual([page]);
  });

  test("publishing fails: the error propagates so Lambda retries and then dead-letters the event", async () => {
    sns.on(PublishCommand).rejects(awsError("KMSAccessDeniedException"));
    const { notify } = notifier();
    await expect(
      notify({ detection: "iam-access-key-created", event: cloudTrailRecordToEvent(KEY_CREATED) }),
    ).rejects.toThrow("KMSAccessDeniedException");
  });
});

describe("signing key in Secrets Manager", () => {
  test("first use: generated (32 random bytes, hex) and stored with the fixed first-version token", async () => {
    let stored: string | undefined;
    secrets.on(GetSecretValueCommand).callsFake((input) => {
      if (input.VersionStage === "AWSCURRENT" && stored) return { SecretString: stored };
      throw awsError("ResourceNotFoundException");
    });
    secrets.on(PutSecretValueCommand).callsFake((input) => {
      stored = input.SecretString;
      return {};
    });
    const key = await keys().signingKey();
    const put = secrets.commandCalls(PutSecretValueCommand)[0].args[0].input;
    expect(put.ClientRequestToken).toBe(INITIAL_VERSION_TOKEN);
    expect(put.ClientRequestToken!.length).toBeGreaterThanOrEqual(32);
    expect(put.SecretString).toMatch(/^[0-9a-f]{64}$/);
    expect(key).toEqual(Buffer.from(put.SecretString!, "hex"));
  });

  test("two first uses at once: the loser reads the winner's key", async () => {
    let reads = 0;
    secrets.on(GetSecretValueCommand).callsFake((input) => {
      if (input.VersionStage === "AWSCURRENT" && reads++ > 0) return { SecretString: KEY_HEX };
      throw awsError("ResourceNotFoundException");
    });
    secrets
      .on(PutSecretValueCommand)
      .rejects(new ResourceExistsException({ message: "exists", $metadata: {} }));
    expect(await keys().signingKey()).toEqual(KEY);
  });

  test("verifiers never create a key, accept the previous version after a rotation, and cache for five minutes", async () => {
    secrets.on(GetSecretValueCommand).rejects(awsError("ResourceNotFoundException"));
    expect(await keys().verificationKeys()).toEqual([]);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);

    secrets.reset();
    const previous = "c3".repeat(32);
    secrets
      .on(GetSecretValueCommand, { VersionStage: "AWSCURRENT" })
      .resolves({ SecretString: KEY_HEX });
    secrets
      .on(GetSecretValueCommand, { VersionStage: "AWSPREVIOUS" })
      .resolves({ SecretString: previous });
    let t = NOW;
    const k = keys(() => t);
    expect(await k.verificationKeys()).toEqual([KEY, Buffer.from(previous, "hex")]);
    t += 299_000;
    await k.verificationKeys();
    expect(secrets.calls()).toHaveLength(2);
    t += 2_000;
    await k.verificationKeys();
    expect(secrets.calls()).toHaveLength(4);
  });

  test("a secret holding something else than a long hex key is refused", async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: "password123" });
    await expect(keys().verificationKeys()).rejects.toThrow(/at least 32 bytes/);
  });
});
