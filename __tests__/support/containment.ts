/**
 * Shared pieces of the containment tests: real fixture records by event id, a fixed signing key,
 * settings, API Gateway (HTTP API, payload 2.0) events, and an in-memory stand-in for the
 * DynamoDB table behind the SDK client (the ledger's own conditional logic is what runs: the
 * stand-in only evaluates the condition the ledger sends, as DynamoDB would).
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import type { AwsStub } from "aws-sdk-client-mock";
import { readFixtureJsonl } from "./fixtures";
import { REAL_RECORDS, type CloudTrailRecord } from "./records";
import type { ContainmentSettings } from "../../src/containment/settings";
import type { ActionId } from "../../src/containment/action";
import { issueLink } from "../../src/containment/claims";

/** Records written for what the real set lacks (a response with security group rule ids). */
export const CONTAINMENT_CONSTRUCTED = readFixtureJsonl<CloudTrailRecord>(
  "constructed-containment.jsonl",
);

/** A real (or, for the rule-id response, constructed) record by its eventID. */
export function record(eventId: string): CloudTrailRecord {
  const r = [...REAL_RECORDS, ...CONTAINMENT_CONSTRUCTED].find((x) => x.eventID === eventId);
  if (!r) throw new Error(`no fixture record ${eventId}`);
  return r;
}

export const KEY = Buffer.from("6b".repeat(32), "hex");
export const OTHER_KEY = Buffer.from("a5".repeat(32), "hex");

/** 2026-11-20T10:00:00Z */
export const NOW = Date.UTC(2026, 10, 20, 10, 0, 0);

export const BASE_URL = "https://abc123defg.execute-api.ap-northeast-1.amazonaws.com/contain";

export function settings(overrides: Partial<ContainmentSettings> = {}): ContainmentSettings {
  return {
    account: "111122223333",
    baseUrl: BASE_URL,
    secretId:
      "arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:trailwatch/containment/link-signing-key-AbCdEf",
    table: "trailwatch-containment-links",
    topicArn: "arn:aws:sns:ap-northeast-1:111122223333:trailwatch-alerts",
    expirySeconds: 3600,
    actions: {
      "s3-bucket-created": "lock-s3-bucket",
      "iam-access-key-created": "deactivate-access-key",
      "security-group-rule-changed": "revoke-public-ingress",
      "login-profile-changed": "delete-login-profile",
      "ami-shared": "unshare-ami",
      "ebs-snapshot-shared": "unshare-ebs-snapshot",
      "rds-snapshot-shared": "unshare-rds-snapshot",
    },
    detections: {
      "s3-bucket-created": { title: "S3 bucket created", severity: "low" },
      "iam-access-key-created": { title: "IAM access key created", severity: "high" },
    },
    objectLockDays: 7,
    protectedNames: ["trailwatch-cloudtrail-111122223333-ap-northeast-1", "my-state-bucket"],
    protectedPrefix: "trailwatch-",
    roleArn: "arn:aws:iam::111122223333:role/trailwatch-containment",
    ...overrides,
  };
}

/** The detection of `settings()` that offers `action`. */
export function detectionFor(action: ActionId): string {
  return Object.entries(settings().actions).find(([, a]) => a === action)![0];
}

/** A signed link for a record; fails the test when none can be made. */
export function linkFor(r: CloudTrailRecord, action: ActionId, key = KEY, now = NOW) {
  const issued = issueLink({
    baseUrl: BASE_URL,
    record: r,
    detection: detectionFor(action),
    action,
    expirySeconds: 3600,
    now,
    key,
  });
  if (issued?.kind !== "link")
    throw new Error(`no link for ${r.eventID}: ${JSON.stringify(issued)}`);
  return issued;
}

export function queryOf(url: string): string {
  return url.slice(url.indexOf("?") + 1);
}

/** An API Gateway HTTP API (payload format 2.0) request. */
export function httpEvent(
  method: "GET" | "POST" | "PUT",
  rawQueryString: string,
  opts: {
    body?: string;
    origin?: string;
    sourceIp?: string;
    userAgent?: string;
    path?: string;
  } = {},
): APIGatewayProxyEventV2 {
  const host = "abc123defg.execute-api.ap-northeast-1.amazonaws.com";
  const headers: Record<string, string> = { host };
  if (opts.origin !== undefined) headers.origin = opts.origin;
  if (method === "POST") headers["content-type"] = "application/x-www-form-urlencoded";
  return {
    version: "2.0",
    routeKey: `${method} /contain`,
    rawPath: opts.path ?? "/contain",
    rawQueryString,
    headers,
    requestContext: {
      accountId: "111122223333",
      apiId: "abc123defg",
      domainName: host,
      domainPrefix: "abc123defg",
      http: {
        method,
        path: opts.path ?? "/contain",
        protocol: "HTTP/1.1",
        sourceIp: opts.sourceIp ?? "198.51.100.7",
        userAgent: opts.userAgent ?? "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0",
      },
      requestId: "req-1",
      routeKey: `${method} /contain`,
      stage: "$default",
      time: "20/Nov/2026:10:00:00 +0000",
      timeEpoch: NOW,
    },
    body: opts.body,
    isBase64Encoded: false,
  };
}

type Item = Record<string, AttributeValue>;

/**
 * Answers PutItem/GetItem/UpdateItem like a table keyed on `pk` would, evaluating the two
 * condition expressions the ledger uses (and refusing any other, so a changed expression fails
 * the tests instead of passing unchecked).
 */
export function fakeTable(dynamo: AwsStub<any, any, any>): Map<string, Item> {
  const items = new Map<string, Item>();
  const CLAIM =
    "attribute_not_exists(#pk) OR #status IN (:failed, :partial) OR (#status = :started AND #claimedAt < :stale)";
  dynamo.on(PutItemCommand).callsFake((input) => {
    if (input.ConditionExpression !== CLAIM)
      throw new Error(`unexpected condition ${input.ConditionExpression}`);
    const pk = input.Item.pk.S;
    const old = items.get(pk);
    const v = input.ExpressionAttributeValues;
    const ok =
      !old ||
      [v[":failed"].S, v[":partial"].S].includes(old.status.S) ||
      (old.status.S === v[":started"].S && Number(old.claimedAt.N) < Number(v[":stale"].N));
    if (!ok)
      throw new ConditionalCheckFailedException({
        message: "The conditional request failed",
        $metadata: {},
        Item: input.ReturnValuesOnConditionCheckFailure === "ALL_OLD" ? old : undefined,
      });
    items.set(pk, { ...input.Item });
    return {};
  });
  dynamo.on(GetItemCommand).callsFake((input) => ({ Item: items.get(input.Key.pk.S) }));
  dynamo.on(UpdateItemCommand).callsFake((input) => {
    if (input.ConditionExpression !== "#token = :token") throw new Error("unexpected condition");
    const old = items.get(input.Key.pk.S);
    const v = input.ExpressionAttributeValues;
    if (!old || old.token.S !== v[":token"].S)
      throw new ConditionalCheckFailedException({
        message: "The conditional request failed",
        $metadata: {},
      });
    items.set(input.Key.pk.S, {
      ...old,
      status: v[":status"],
      outcome: v[":outcome"],
      finishedAt: v[":now"],
    });
    return {};
  });
  return items;
}

export { DynamoDBClient };

/**
 * Secrets Manager as it answers once the first signer stored `KEY`: the current version holds its
 * hex, and there is no previous version yet (GetSecretValue on AWSPREVIOUS is refused).
 */
export function serveSigningKey(secrets: AwsStub<any, any, any>): void {
  secrets
    .on(GetSecretValueCommand, { VersionStage: "AWSCURRENT" })
    .resolves({ SecretString: KEY.toString("hex") });
  secrets
    .on(GetSecretValueCommand, { VersionStage: "AWSPREVIOUS" })
    .rejects(awsError("ResourceNotFoundException"));
}

/** An AWS SDK v3 error as the SDK raises it: `name` is the error code. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: "client", $metadata: {} });
}
