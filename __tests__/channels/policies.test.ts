/**
 * The policies of alert routing, proven with the IAM policy simulator (@cloud-copilot/iam-simulate,
 * see support/simulate.ts), as synthesized from examples/alerts.json: every route and chat topic's
 * policy, the trail key's grants for those topics, the SIEM and undelivered-alert queue policies,
 * and the AWS Chatbot channel role with its guardrail. Decisions: "Allowed", "ExplicitlyDenied" (a
 * Deny matched), "ImplicitlyDenied" (no Allow applied).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { buildApp } from "../../src/app";
import { parseConfig } from "../../src/config/load";
import { resolveNames } from "../../src/names";
import { ROOT, resourcesOf, synthJson } from "../helpers";
import {
  ALLOWED,
  ANONYMOUS,
  decide,
  EXPLICIT,
  IMPLICIT,
  type Decision,
  type Question,
} from "../support/simulate";

const input = JSON.parse(readFileSync(path.join(ROOT, "examples", "alerts.json"), "utf8"));
const config = parseConfig(input);
const n = resolveNames(config);
const json = synthJson(buildApp(config, Testing.app().outdir).home);

const ACCOUNT = n.account;
const REGION = n.homeRegion;
const OTHER_ACCOUNT = "444455556666";
const TLS = { "aws:SecureTransport": "true" };
const NO_TLS = { "aws:SecureTransport": "false" };

const topic = (name: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
const TOPICS = [
  topic("acme-alerts-alerts"),
  topic("acme-alerts-alerts-page"),
  topic("acme-alerts-chat-alerts"),
  topic("acme-alerts-chat-alerts-page"),
];
const THEIR_TOPIC = `arn:aws:sns:${REGION}:${OTHER_ACCOUNT}:acme-alerts-alerts`;
const OTHER_TOPIC = topic("someone-elses-topic");
const OUR_ALARM = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:acme-alerts-root-account-usage`;
const THEIR_ALARM = `arn:aws:cloudwatch:${REGION}:${OTHER_ACCOUNT}:alarm:acme-alerts-root-account-usage`;
const OUR_RULE = `arn:aws:events:${REGION}:${ACCOUNT}:rule/acme-alerts-cloudtrail-tampering`;
const OUR_ADMIN = `arn:aws:iam::${ACCOUNT}:role/admin`;
const THEIR_ADMIN = `arn:aws:iam::${OTHER_ACCOUNT}:role/admin`;
const SIEM_READER = "arn:aws:iam::444455556666:role/siem-collector";
const queue = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const SIEM = queue("acme-alerts-alerts-siem");
const SIEM_DLQ = queue("acme-alerts-alerts-siem-dlq");
const UNDELIVERED = queue("acme-alerts-alerts-undelivered");
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const everything = (...actions: string[]) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }],
});

function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected one ${what}, found ${items.length}`);
  return items[0];
}

/** The synthesized policy of the topic or queue with this name. */
function policyOf(type: "sns" | "sqs", name: string): unknown {
  const [resourceType, policyType, attr] =
    type === "sns"
      ? ["aws_sns_topic", "aws_sns_topic_policy", "arn"]
      : ["aws_sqs_queue", "aws_sqs_queue_policy", "queue_url"];
  const [id] = only(
    Object.entries(json.resource[resourceType]).filter(([, r]) => r.name === name),
    `${resourceType} ${name}`,
  );
  const ref = `\${${resourceType}.${id}.${type === "sns" ? "arn" : "url"}}`;
  return JSON.parse(
    only(
      resourcesOf(json, policyType).filter((p) => p[attr] === ref),
      `policy of ${name}`,
    ).policy,
  );
}

interface Case extends Question {
  readonly name: string;
  readonly expected: Decision;
}

async function check(c: Case) {
  expect(await decide(c)).toBe(c.expected);
}

describe.each(TOPICS)("topic %s", (arn) => {
  const resourcePolicy = policyOf("sns", arn.split(":").pop()!);
  const publish = (
    name: string,
    principal: string,
    context: Record<string, string>,
    expected: Decision,
    identityPolicies?: unknown[],
  ): Case => ({
    name,
    principal,
    action: "sns:Publish",
    resource: arn,
    resourceAccount: ACCOUNT,
    context,
    resourcePolicy,
    identityPolicies,
    expected,
  });
  test.each<Case>([
    publish(
      "a CloudWatch alarm of this account may publish",
      "cloudwatch.amazonaws.com",
      { "aws:SourceArn": OUR_ALARM, "aws:SourceAccount": ACCOUNT, ...TLS },
      ALLOWED,
    ),
    publish(
      "an EventBridge rule of this account may publish",
      "events.amazonaws.com",
      { "aws:SourceArn": OUR_RULE, "aws:SourceAccount": ACCOUNT, ...TLS },
      ALLOWED,
    ),
    publish(
      "a CloudWatch alarm of another account may not publish",
      "cloudwatch.amazonaws.com",
      { "aws:SourceArn": THEIR_ALARM, "aws:SourceAccount": OTHER_ACCOUNT, ...TLS },
      IMPLICIT,
    ),
    publish("the account's admin without TLS is denied explicitly", OUR_ADMIN, NO_TLS, EXPLICIT, [
      everything("sns:*"),
    ]),
    publish("another account's admin may not publish", THEIR_ADMIN, TLS, IMPLICIT, [
      everything("sns:*"),
    ]),
    publish("an anonymous caller may not publish", ANONYMOUS, TLS, IMPLICIT),
  ])("$name", check);
});

describe("trail key: SNS encrypts for trailwatch's topics only", () => {
  const resourcePolicy = JSON.parse(only(resourcesOf(json, "aws_kms_key"), "key").policy);
  const dataKey = (
    name: string,
    principal: string,
    topicArn: string,
    source: Record<string, string>,
    expected: Decision,
  ): Case => ({
    name,
    principal,
    action: "kms:GenerateDataKey",
    resource: KEY,
    resourceAccount: ACCOUNT,
    context: { "kms:EncryptionContext:aws:sns:topicArn": topicArn, ...source },
    resourcePolicy,
    expected,
  });
  const alarm = { "aws:SourceArn": OUR_ALARM, "aws:SourceAccount": ACCOUNT };
  test.each<Case>([
    ...TOPICS.map((t) =>
      dataKey(
        `a CloudWatch alarm may encrypt for ${t}`,
        "cloudwatch.amazonaws.com",
        t,
        alarm,
        ALLOWED,
      ),
    ),
    ...TOPICS.map((t) =>
      dataKey(`EventBridge may encrypt for ${t}`, "events.amazonaws.com", t, {}, ALLOWED),
    ),
    dataKey(
      "EventBridge may not encrypt for another topic",
      "events.amazonaws.com",
      OTHER_TOPIC,
      {},
      IMPLICIT,
    ),
    dataKey(
      "a CloudWatch alarm may not encrypt for another account's topic",
      "cloudwatch.amazonaws.com",
      THEIR_TOPIC,
      alarm,
      IMPLICIT,
    ),
  ])("$name", check);
});

describe("SIEM queue", () => {
  const resourcePolicy = policyOf("sqs", "acme-alerts-alerts-siem");
  const fromSns = (name: string, source: Record<string, string>, expected: Decision): Case => ({
    name,
    principal: "sns.amazonaws.com",
    action: "sqs:SendMessage",
    resource: SIEM,
    resourceAccount: ACCOUNT,
    context: { ...source, ...TLS },
    resourcePolicy,
    expected,
  });
  const byReader = (name: string, action: string, expected: Decision, context = TLS): Case => ({
    name,
    principal: SIEM_READER,
    action,
    resource: SIEM,
    resourceAccount: ACCOUNT,
    context,
    resourcePolicy,
    identityPolicies: [everything("sqs:*")],
    expected,
  });
  test.each<Case>([
    fromSns("the default route's topic delivers", { "aws:SourceArn": TOPICS[0] }, ALLOWED),
    fromSns("the page route's topic delivers", { "aws:SourceArn": TOPICS[1] }, ALLOWED),
    fromSns("a chat topic does not deliver", { "aws:SourceArn": TOPICS[2] }, IMPLICIT),
    fromSns(
      "another topic of this account does not deliver",
      { "aws:SourceArn": OTHER_TOPIC },
      IMPLICIT,
    ),
    fromSns("another account's topic does not deliver", { "aws:SourceArn": THEIR_TOPIC }, IMPLICIT),
    fromSns("SNS without a source topic does not deliver", {}, IMPLICIT),
    byReader("the SIEM's collector receives messages", "sqs:ReceiveMessage", ALLOWED),
    byReader("the SIEM's collector deletes what it processed", "sqs:DeleteMessage", ALLOWED),
    byReader("the SIEM's collector may not send messages", "sqs:SendMessage", IMPLICIT),
    byReader("the SIEM's collector may not purge the queue", "sqs:PurgeQueue", IMPLICIT),
    byReader("the SIEM's collector may not change the queue", "sqs:SetQueueAttributes", IMPLICIT),
    byReader(
      "the SIEM's collector without TLS is denied explicitly",
      "sqs:ReceiveMessage",
      EXPLICIT,
      NO_TLS,
    ),
    {
      name: "another account's admin may not read",
      principal: THEIR_ADMIN,
      action: "sqs:ReceiveMessage",
      resource: SIEM,
      resourceAccount: ACCOUNT,
      context: TLS,
      resourcePolicy,
      identityPolicies: [everything("sqs:*")],
      expected: IMPLICIT,
    },
    {
      name: "an anonymous caller may not send",
      principal: ANONYMOUS,
      action: "sqs:SendMessage",
      resource: SIEM,
      resourceAccount: ACCOUNT,
      context: TLS,
      resourcePolicy,
      expected: IMPLICIT,
    },
  ])("$name", check);

  test("its dead-letter queue: the collector reads it, SNS never writes to it", async () => {
    const dlqPolicy = policyOf("sqs", "acme-alerts-alerts-siem-dlq");
    const q = { resource: SIEM_DLQ, resourceAccount: ACCOUNT, resourcePolicy: dlqPolicy };
    expect(
      await decide({
        ...q,
        principal: SIEM_READER,
        action: "sqs:ReceiveMessage",
        context: TLS,
        identityPolicies: [everything("sqs:*")],
      }),
    ).toBe(ALLOWED);
    expect(
      await decide({
        ...q,
        principal: "sns.amazonaws.com",
        action: "sqs:SendMessage",
        context: { "aws:SourceArn": TOPICS[0], ...TLS },
      }),
    ).toBe(IMPLICIT);
  });
});

describe("undelivered-alert queue (SNS redrive of webhook and SIEM subscriptions)", () => {
  const resourcePolicy = policyOf("sqs", "acme-alerts-alerts-undelivered");
  const fromSns = (name: string, source: string, expected: Decision): Case => ({
    name,
    principal: "sns.amazonaws.com",
    action: "sqs:SendMessage",
    resource: UNDELIVERED,
    resourceAccount: ACCOUNT,
    context: { "aws:SourceArn": source, ...TLS },
    resourcePolicy,
    expected,
  });
  test.each<Case>([
    fromSns("the page topic (webhook, SIEM) redrives here", TOPICS[1], ALLOWED),
    fromSns("the default topic (SIEM) redrives here", TOPICS[0], ALLOWED),
    fromSns("a chat topic (no webhook or queue subscription) may not", TOPICS[3], IMPLICIT),
    fromSns("another account's topic may not", THEIR_TOPIC, IMPLICIT),
  ])("$name", check);
});

describe("AWS Chatbot channel role and guardrail", () => {
  const roles = Object.entries(json.resource.aws_iam_role).filter(([, r]) =>
    String(r.name).startsWith("acme-alerts-chat-"),
  );
  test("one role per chat channel", () => {
    expect(roles.map(([, r]) => r.name).sort()).toEqual([
      "acme-alerts-chat-security",
      "acme-alerts-chat-soc",
    ]);
  });
  const [roleId, role] = roles.find(([, r]) => r.name === "acme-alerts-chat-security")!;
  const ROLE = `arn:aws:iam::${ACCOUNT}:role/${role.name}`;
  const trust = JSON.parse(role.assume_role_policy);
  const permissions = JSON.parse(
    only(
      resourcesOf(json, "aws_iam_role_policy").filter(
        (p) => p.role === `\${aws_iam_role.${roleId}.id}`,
      ),
      "chat role policy",
    ).policy,
  );
  const session = `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/AWSChatbot`;
  const ALARM = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:acme-alerts-root-account-usage`;
  // The guardrail's document (AWS managed; see fixtures/SOURCES.md).
  const GUARDRAIL = JSON.parse(
    readFileSync(
      path.join(
        ROOT,
        "__tests__",
        "fixtures",
        "aws-managed-policies",
        "CloudWatchReadOnlyAccess.json",
      ),
      "utf8",
    ),
  );

  test.each<Case>([
    {
      name: "AWS Chatbot may assume the role",
      principal: "chatbot.amazonaws.com",
      action: "sts:AssumeRole",
      resource: ROLE,
      resourceAccount: ACCOUNT,
      resourcePolicy: trust,
      expected: ALLOWED,
    },
    {
      name: "Lambda may not assume the role",
      principal: "lambda.amazonaws.com",
      action: "sts:AssumeRole",
      resource: ROLE,
      resourceAccount: ACCOUNT,
      resourcePolicy: trust,
      expected: IMPLICIT,
    },
    {
      name: "the account's admin may not assume the role",
      principal: OUR_ADMIN,
      action: "sts:AssumeRole",
      resource: ROLE,
      resourceAccount: ACCOUNT,
      resourcePolicy: trust,
      identityPolicies: [everything("sts:AssumeRole")],
      expected: IMPLICIT,
    },
    {
      name: "another account may not assume the role",
      principal: THEIR_ADMIN,
      action: "sts:AssumeRole",
      resource: ROLE,
      resourceAccount: ACCOUNT,
      resourcePolicy: trust,
      identityPolicies: [everything("sts:AssumeRole")],
      expected: IMPLICIT,
    },
  ])("trust: $name", check);

  const asRole = (name: string, action: string, resource: string, expected: Decision): Case => ({
    name,
    principal: session,
    action,
    resource,
    resourceAccount: ACCOUNT,
    identityPolicies: [permissions],
    expected,
  });
  test.each<Case>([
    asRole(
      "the role reads alarms (to render alarm notifications)",
      "cloudwatch:DescribeAlarms",
      ALARM,
      ALLOWED,
    ),
    asRole("the role reads an alarm's history", "cloudwatch:DescribeAlarmHistory", ALARM, ALLOWED),
    asRole("the role may not delete alarms", "cloudwatch:DeleteAlarms", ALARM, IMPLICIT),
    asRole("the role may not change alarms", "cloudwatch:PutMetricAlarm", ALARM, IMPLICIT),
    asRole(
      "the role may not disable alarm actions",
      "cloudwatch:DisableAlarmActions",
      ALARM,
      IMPLICIT,
    ),
    asRole("the role may not publish to the alert topic", "sns:Publish", TOPICS[0], IMPLICIT),
    asRole(
      "the role may not read the trail's log events",
      "logs:FilterLogEvents",
      n.logGroupArn,
      IMPLICIT,
    ),
  ])("permissions: $name", check);

  // A channel member whose own role (user-level role) is an administrator: the guardrail bounds
  // what they can do from the chat channel to reading.
  const member = (name: string, action: string, resource: string, expected: Decision): Case => ({
    name,
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/chat-admin/slack-user`,
    action,
    resource,
    resourceAccount: ACCOUNT,
    identityPolicies: [everything("*")],
    permissionBoundaries: [GUARDRAIL],
    expected,
  });
  test.each<Case>([
    member("reads alarms", "cloudwatch:DescribeAlarms", ALARM, ALLOWED),
    member(
      "reads the trail's log events (to investigate)",
      "logs:FilterLogEvents",
      n.logGroupArn,
      ALLOWED,
    ),
    member("may not delete an alarm", "cloudwatch:DeleteAlarms", ALARM, IMPLICIT),
    member("may not silence an alarm", "cloudwatch:DisableAlarmActions", ALARM, IMPLICIT),
    member("may not delete the log group", "logs:DeleteLogGroup", n.logGroupArn, IMPLICIT),
    member("may not change the alert topic", "sns:SetTopicAttributes", TOPICS[0], IMPLICIT),
    member("may not stop the trail", "cloudtrail:StopLogging", n.trailArn, IMPLICIT),
    member(
      "may not create access keys",
      "iam:CreateAccessKey",
      `arn:aws:iam::${ACCOUNT}:user/alice`,
      IMPLICIT,
    ),
    member(
      "may not read the archive",
      "s3:GetObject",
      `${n.archiveBucketArn}/AWSLogs/x.json.gz`,
      IMPLICIT,
    ),
  ])("guardrail: a channel member with an administrator role $name", check);
});

describe("regression guard: the questions above can fail", () => {
  test("a SIEM queue policy without aws:SourceArn lets another account's topic deliver", async () => {
    const weakened = structuredClone(policyOf("sqs", "acme-alerts-alerts-siem")) as any;
    delete weakened.Statement.find((s: any) => s.Sid === "AlertTopicsDeliver").Condition;
    const q: Question = {
      principal: "sns.amazonaws.com",
      action: "sqs:SendMessage",
      resource: SIEM,
      resourceAccount: ACCOUNT,
      context: { "aws:SourceArn": THEIR_TOPIC, ...TLS },
    };
    expect(await decide({ ...q, resourcePolicy: weakened })).toBe(ALLOWED);
    expect(await decide({ ...q, resourcePolicy: policyOf("sqs", "acme-alerts-alerts-siem") })).toBe(
      IMPLICIT,
    );
  });

  test("without the guardrail, an administrator's chat session could delete alarms", async () => {
    const q: Question = {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/chat-admin/slack-user`,
      action: "cloudwatch:DeleteAlarms",
      resource: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:acme-alerts-root-account-usage`,
      resourceAccount: ACCOUNT,
      identityPolicies: [everything("*")],
    };
    expect(await decide(q)).toBe(ALLOWED);
  });
});
