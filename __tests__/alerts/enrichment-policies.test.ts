/**
 * Least privilege of the alarm enrichment function, proven with the IAM policy simulator
 * (@cloud-copilot/iam-simulate, see support/simulate.ts) on the policies as synthesized: its role
 * (trust and permissions, together with the key, topic and queue policies it meets), its
 * dead-letter queue's policy and the function's invoke permission.
 */
import { resolveNames } from "../../src/names";
import type { PolicyDocument, Statement } from "../../src/policy";
import { build, config, resourcesOf, synthJson } from "../helpers";
import {
  ALLOWED,
  ANONYMOUS,
  decide,
  EXPLICIT,
  IMPLICIT,
  type Decision,
  type Question,
} from "../support/simulate";

const n = resolveNames(config());
const ACCOUNT = n.account;
const REGION = n.homeRegion;
const FN = "trailwatch-alert-enrichment";

const json = synthJson(build().home);
const one = <T>(xs: T[], what: string): T => {
  if (xs.length !== 1) throw new Error(`expected one ${what}, found ${xs.length}`);
  return xs[0];
};
const [roleId, role] = one(
  Object.entries(json.resource.aws_iam_role).filter(([, r]) => r.name === FN),
  "enrichment role",
);
const trust: PolicyDocument = JSON.parse(role.assume_role_policy);
const permissions: PolicyDocument = JSON.parse(
  one(
    resourcesOf(json, "aws_iam_role_policy").filter(
      (p) => p.role === `\${aws_iam_role.${roleId}.id}`,
    ),
    "enrichment role policy",
  ).policy,
);
const keyPolicy: PolicyDocument = JSON.parse(one(resourcesOf(json, "aws_kms_key"), "key").policy);
const topicPolicy: PolicyDocument = JSON.parse(
  one(resourcesOf(json, "aws_sns_topic_policy"), "topic policy").policy,
);
const queuePolicy: PolicyDocument = JSON.parse(
  one(resourcesOf(json, "aws_sqs_queue_policy"), "queue policy").policy,
);
const permission = one(resourcesOf(json, "aws_lambda_permission"), "lambda permission");

const AS_FUNCTION = `arn:aws:sts::${ACCOUNT}:assumed-role/${FN}/${FN}`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FN}`;
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const DLQ = `arn:aws:sqs:${REGION}:${ACCOUNT}:${FN}-dlq`;
const OTHER_QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:someone-elses-queue`;
const OTHER_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:someone-elses-topic`;
const OTHER_LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/payments`;
const OWN_STREAM = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${FN}:log-stream:2026/01/01/[$LATEST]abc`;
const OUR_RULE = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${FN}`;
const OTHER_RULE = `arn:aws:events:${REGION}:${ACCOUNT}:rule/someone-elses-rule`;
const THEIR_RULE = `arn:aws:events:${REGION}:444455556666:rule/${FN}`;
const TLS = { "aws:SecureTransport": "true" };
const NO_TLS = { "aws:SecureTransport": "false" };
const viaSns = (topicArn: string) => ({
  "kms:ViaService": `sns.${REGION}.amazonaws.com`,
  "kms:EncryptionContext:aws:sns:topicArn": topicArn,
  "kms:CallerAccount": ACCOUNT,
});

/** The Lambda resource policy aws_lambda_permission creates (Lambda developer guide's form). */
const functionPolicy: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: permission.statement_id,
      Effect: "Allow",
      Principal: { Service: permission.principal },
      Action: permission.action,
      Resource: FUNCTION_ARN,
      Condition: {
        StringEquals: { "AWS:SourceAccount": permission.source_account },
        ArnLike: { "AWS:SourceArn": permission.source_arn },
      },
    },
  ],
};

interface Case extends Question {
  readonly name: string;
  readonly expected: Decision;
}

const asFunction = (
  name: string,
  action: string,
  resource: string,
  expected: Decision,
  extra: Partial<Question> = {},
): Case => ({
  name,
  principal: AS_FUNCTION,
  action,
  resource,
  resourceAccount: ACCOUNT,
  identityPolicies: [permissions],
  expected,
  ...extra,
});

function cases(p: { permissions: PolicyDocument; queue: PolicyDocument }): Case[] {
  const fn = (
    name: string,
    action: string,
    resource: string,
    expected: Decision,
    extra: Partial<Question> = {},
  ) =>
    asFunction(name, action, resource, expected, { identityPolicies: [p.permissions], ...extra });
  return [
    fn(
      "reads the trail's log group with FilterLogEvents",
      "logs:FilterLogEvents",
      n.logGroupArn,
      ALLOWED,
    ),
    fn(
      "may not FilterLogEvents another log group",
      "logs:FilterLogEvents",
      OTHER_LOG_GROUP,
      IMPLICIT,
    ),
    fn(
      "may not read log streams with GetLogEvents",
      "logs:GetLogEvents",
      `${n.logGroupArn}:log-stream:x`,
      IMPLICIT,
    ),
    fn("may not start Logs Insights queries", "logs:StartQuery", n.logGroupArn, IMPLICIT),
    fn("may not delete the trail's log group", "logs:DeleteLogGroup", n.logGroupArn, IMPLICIT),
    fn(
      "may not change the log group's retention",
      "logs:PutRetentionPolicy",
      n.logGroupArn,
      IMPLICIT,
    ),
    fn("may not delete metric filters", "logs:DeleteMetricFilter", n.logGroupArn, IMPLICIT),
    fn("writes its own log streams", "logs:PutLogEvents", OWN_STREAM, ALLOWED),
    fn(
      "may not write into the trail's log group",
      "logs:PutLogEvents",
      `${n.logGroupArn}:log-stream:x`,
      IMPLICIT,
    ),
    fn("may not create log groups", "logs:CreateLogGroup", OTHER_LOG_GROUP, IMPLICIT),
    fn(
      "publishes to the alert topic (with TLS, through the topic policy)",
      "sns:Publish",
      n.alertTopicArn,
      ALLOWED,
      {
        resourcePolicy: topicPolicy,
        context: TLS,
      },
    ),
    fn(
      "publishing without TLS is denied by the topic policy",
      "sns:Publish",
      n.alertTopicArn,
      EXPLICIT,
      {
        resourcePolicy: topicPolicy,
        context: NO_TLS,
      },
    ),
    fn("may not publish to another topic", "sns:Publish", OTHER_TOPIC, IMPLICIT),
    fn("may not subscribe to the alert topic", "sns:Subscribe", n.alertTopicArn, IMPLICIT, {
      resourcePolicy: topicPolicy,
      context: TLS,
    }),
    fn("may not change the alert topic", "sns:SetTopicAttributes", n.alertTopicArn, IMPLICIT, {
      resourcePolicy: topicPolicy,
      context: TLS,
    }),
    fn("may not delete the alert topic", "sns:DeleteTopic", n.alertTopicArn, IMPLICIT, {
      resourcePolicy: topicPolicy,
      context: TLS,
    }),
    fn("generates data keys through SNS for the alert topic", "kms:GenerateDataKey", KEY, ALLOWED, {
      resourcePolicy: keyPolicy,
      context: viaSns(n.alertTopicArn),
    }),
    fn("decrypts through SNS for the alert topic", "kms:Decrypt", KEY, ALLOWED, {
      resourcePolicy: keyPolicy,
      context: viaSns(n.alertTopicArn),
    }),
    fn("may not use the key through SNS for another topic", "kms:GenerateDataKey", KEY, IMPLICIT, {
      resourcePolicy: keyPolicy,
      context: viaSns(OTHER_TOPIC),
    }),
    fn(
      "may not use the key directly (not through SNS) even with the topic context",
      "kms:Decrypt",
      KEY,
      IMPLICIT,
      {
        resourcePolicy: keyPolicy,
        context: {
          "kms:EncryptionContext:aws:sns:topicArn": n.alertTopicArn,
          "kms:CallerAccount": ACCOUNT,
        },
      },
    ),
    fn("may not decrypt CloudTrail log files", "kms:Decrypt", KEY, IMPLICIT, {
      resourcePolicy: keyPolicy,
      context: {
        "kms:EncryptionContext:aws:cloudtrail:arn": n.trailArn,
        "kms:CallerAccount": ACCOUNT,
      },
    }),
    fn("may not disable the key", "kms:DisableKey", KEY, IMPLICIT, {
      resourcePolicy: keyPolicy,
      context: { "kms:CallerAccount": ACCOUNT },
    }),
    fn("sends failed events to its dead-letter queue", "sqs:SendMessage", DLQ, ALLOWED, {
      resourcePolicy: p.queue,
      context: TLS,
    }),
    fn("may not read its dead-letter queue", "sqs:ReceiveMessage", DLQ, IMPLICIT, {
      resourcePolicy: p.queue,
      context: TLS,
    }),
    fn("may not purge its dead-letter queue", "sqs:PurgeQueue", DLQ, IMPLICIT, {
      resourcePolicy: p.queue,
      context: TLS,
    }),
    fn("may not send to another queue", "sqs:SendMessage", OTHER_QUEUE, IMPLICIT),
    fn("may not read the log archive", "s3:GetObject", `${n.archiveBucketArn}/AWSLogs/x`, IMPLICIT),
    fn("may not stop the trail", "cloudtrail:StopLogging", n.trailArn, IMPLICIT),
    fn(
      "may not disable alarm actions",
      "cloudwatch:DisableAlarmActions",
      `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:trailwatch-cis-root-usage`,
      IMPLICIT,
    ),
    fn("may not pass roles", "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/admin`, IMPLICIT),
    {
      name: "EventBridge (our rule) delivers undeliverable events to the dead-letter queue",
      principal: "events.amazonaws.com",
      action: "sqs:SendMessage",
      resource: DLQ,
      resourceAccount: ACCOUNT,
      resourcePolicy: p.queue,
      context: { "aws:SourceArn": OUR_RULE, "aws:SourceAccount": ACCOUNT, ...TLS },
      expected: ALLOWED,
    },
    {
      name: "EventBridge for another rule may not send to the dead-letter queue",
      principal: "events.amazonaws.com",
      action: "sqs:SendMessage",
      resource: DLQ,
      resourceAccount: ACCOUNT,
      resourcePolicy: p.queue,
      context: { "aws:SourceArn": OTHER_RULE, "aws:SourceAccount": ACCOUNT, ...TLS },
      expected: IMPLICIT,
    },
    {
      name: "EventBridge without TLS is denied explicitly",
      principal: "events.amazonaws.com",
      action: "sqs:SendMessage",
      resource: DLQ,
      resourceAccount: ACCOUNT,
      resourcePolicy: p.queue,
      context: { "aws:SourceArn": OUR_RULE, "aws:SourceAccount": ACCOUNT, ...NO_TLS },
      expected: EXPLICIT,
    },
    {
      name: "an anonymous caller may not send to the dead-letter queue",
      principal: ANONYMOUS,
      action: "sqs:SendMessage",
      resource: DLQ,
      resourceAccount: ACCOUNT,
      resourcePolicy: p.queue,
      context: TLS,
      expected: IMPLICIT,
    },
  ];
}

const trustCases: Case[] = [
  ["Lambda may assume the role", "lambda.amazonaws.com", ALLOWED],
  ["EC2 may not assume the role", "ec2.amazonaws.com", IMPLICIT],
  ["EventBridge may not assume the role", "events.amazonaws.com", IMPLICIT],
].map(([name, principal, expected]) => ({
  name,
  principal,
  action: "sts:AssumeRole",
  resource: `arn:aws:iam::${ACCOUNT}:role/${FN}`,
  resourceAccount: ACCOUNT,
  resourcePolicy: trust,
  expected: expected as Decision,
}));
trustCases.push({
  name: "the account's admin (sts:AssumeRole on *) may not assume the role",
  principal: `arn:aws:iam::${ACCOUNT}:role/admin`,
  action: "sts:AssumeRole",
  resource: `arn:aws:iam::${ACCOUNT}:role/${FN}`,
  resourceAccount: ACCOUNT,
  resourcePolicy: trust,
  identityPolicies: [
    {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
    },
  ],
  expected: IMPLICIT,
});

const invokeCases: Case[] = [
  ["our alarm rule may invoke the function", OUR_RULE, ACCOUNT, ALLOWED],
  ["another rule of this account may not invoke the function", OTHER_RULE, ACCOUNT, IMPLICIT],
  ["a rule of another account may not invoke the function", THEIR_RULE, "444455556666", IMPLICIT],
].map(([name, rule, account, expected]) => ({
  name,
  principal: "events.amazonaws.com",
  action: "lambda:InvokeFunction",
  resource: FUNCTION_ARN,
  resourceAccount: ACCOUNT,
  resourcePolicy: functionPolicy,
  context: { "aws:SourceArn": rule, "aws:SourceAccount": account },
  expected: expected as Decision,
}));

describe("alarm enrichment function role (as synthesized)", () => {
  test.each(cases({ permissions, queue: queuePolicy }))("$name", async (c) => {
    expect(await decide(c)).toBe(c.expected);
  });
});

describe("alarm enrichment trust policy", () => {
  test.each(trustCases)("$name", async (c) => {
    expect(await decide(c)).toBe(c.expected);
  });
});

describe("alarm enrichment invoke permission", () => {
  test.each(invokeCases)("$name", async (c) => {
    expect(await decide(c)).toBe(c.expected);
  });
});

const mutate = (
  doc: PolicyDocument,
  sid: string,
  f: (s: Statement) => Statement,
): PolicyDocument => ({
  ...doc,
  Statement: doc.Statement.map((s) => (s.Sid === sid ? f(s) : s)),
});

describe("regression guard: weakened policies let the forbidden requests through", () => {
  test("without kms:ViaService the function could use the key directly", async () => {
    const weakened = mutate(permissions, "TopicKeyThroughSnsOnly", (s) => ({
      ...s,
      Condition: {
        StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": n.alertTopicArn },
      },
    }));
    const q = asFunction("direct", "kms:Decrypt", KEY, IMPLICIT, {
      resourcePolicy: keyPolicy,
      context: {
        "kms:EncryptionContext:aws:sns:topicArn": n.alertTopicArn,
        "kms:CallerAccount": ACCOUNT,
      },
    });
    expect(await decide(q)).toBe(IMPLICIT);
    expect(await decide({ ...q, identityPolicies: [weakened] })).toBe(ALLOWED);
  });

  test("a log-group wildcard would let the function read every log group", async () => {
    const weakened = mutate(permissions, "FilterTrailLogGroup", (s) => ({ ...s, Resource: "*" }));
    const q = asFunction("other", "logs:FilterLogEvents", OTHER_LOG_GROUP, IMPLICIT);
    expect(await decide(q)).toBe(IMPLICIT);
    expect(await decide({ ...q, identityPolicies: [weakened] })).toBe(ALLOWED);
  });

  test("without aws:SourceArn on the queue grant any rule could fill the dead-letter queue", async () => {
    const weakened = mutate(queuePolicy, "EventBridgeRuleDeadLetters", (s) => {
      const { Condition: _c, ...rest } = s;
      return rest;
    });
    const q: Question = {
      principal: "events.amazonaws.com",
      action: "sqs:SendMessage",
      resource: DLQ,
      resourceAccount: ACCOUNT,
      context: { "aws:SourceArn": OTHER_RULE, "aws:SourceAccount": ACCOUNT, ...TLS },
    };
    expect(await decide({ ...q, resourcePolicy: queuePolicy })).toBe(IMPLICIT);
    expect(await decide({ ...q, resourcePolicy: weakened })).toBe(ALLOWED);
  });
});
