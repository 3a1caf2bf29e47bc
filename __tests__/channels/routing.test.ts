/**
 * Alert routing in the home stack (`alerts.routes`, `alerts.channels`): one topic per route, each
 * alarm, EventBridge rule and enriched message on its severity's route, and every channel kind
 * rendered, on examples/alerts.json (every channel kind) and variants of it.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { buildApp } from "../../src/app";
import { parseConfig } from "../../src/config/load";
import type { TrailwatchConfigInput } from "../../src/config/schema";
import { SETTINGS_VARIABLE as CONTAINMENT_SETTINGS_VARIABLE } from "../../src/containment/constants";
import { WEBHOOK_DELIVERY_POLICY } from "../../src/constructs/alert-topic";
import { CHATBOT_GUARDRAIL_POLICY } from "../../src/constructs/chat-channels";
import { catalog } from "../../src/detections/catalog";
import { applyInputTransformer } from "../support/input-transformer";
import { WATCHED } from "../support/records";
import { build, ROOT, resourcesOf, synthJson, type TerraformJson } from "../helpers";

const ALERTS_EXAMPLE = path.join(ROOT, "examples", "alerts.json");
const ACCOUNT = "111122223333";
const REGION = "ap-northeast-1";
const topicArn = (name: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;

function alertsInput(): TrailwatchConfigInput {
  return JSON.parse(readFileSync(ALERTS_EXAMPLE, "utf8"));
}

function homeJson(input: TrailwatchConfigInput): TerraformJson {
  const { home } = buildApp(parseConfig(input), Testing.app().outdir);
  return synthJson(home);
}

/** `${type.name}` reference of the resource of `type` whose `attr` is `value`. */
function refOf(json: TerraformJson, type: string, attr: string, value: string): string {
  const found = Object.entries(json.resource[type] ?? {}).filter(([, r]) => r[attr] === value);
  if (found.length !== 1) throw new Error(`${found.length} ${type} with ${attr} = ${value}`);
  return `\${${type}.${found[0][0]}.arn}`;
}

/** Every resource of the stack by `type.name`, without cdktf's metadata. */
function addresses(json: TerraformJson): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [type, byName] of Object.entries(json.resource))
    for (const [name, body] of Object.entries(byName)) {
      const { "//": _metadata, ...attributes } = body as Record<string, unknown>;
      out.set(`${type}.${name}`, attributes);
    }
  return out;
}

describe("default configuration (no routes, no channels)", () => {
  const json = synthJson(build().home);

  test("the alert topic, its policy and subscription keep the addresses trailwatch always had", () => {
    // Addresses of the stack rendered before routing existed (main at 71a6a43): the same addresses
    // mean Terraform plans no change to them on upgrade.
    const alerting = [...addresses(json).keys()].filter((a) => /^aws_(sns|chatbot)_/.test(a));
    expect(alerting.sort()).toEqual([
      "aws_sns_topic.alerts_topic_3313844B",
      "aws_sns_topic_policy.alerts_policy_B19E4474",
      "aws_sns_topic_subscription.alerts_email-security-alerts-example-com-8ca9c909_432245BC",
    ]);
    expect(resourcesOf(json, "aws_sqs_queue").map((q) => q.name)).toEqual([
      "trailwatch-alert-enrichment-dlq",
    ]);
    expect(json.provider.aws).toHaveLength(1);
  });

  test("every alarm and rule notifies that one topic, as before", () => {
    const topic = "${aws_sns_topic.alerts_topic_3313844B.arn}";
    const alarms = resourcesOf(json, "aws_cloudwatch_metric_alarm");
    for (const a of alarms.filter((x) => x.namespace === "trailwatch"))
      expect(a.alarm_actions).toEqual([topic]);
    // The enrichment failure alarm names the topic by its ARN (it must not depend on the topic).
    expect(alarms.find((a) => a.namespace === "AWS/SQS")!.alarm_actions).toEqual([
      topicArn("trailwatch-alerts"),
    ]);
    const targets = resourcesOf(json, "aws_cloudwatch_event_target").filter(
      (t) => t.target_id !== "alert-enrichment",
    );
    expect(targets.length).toBeGreaterThan(10);
    for (const t of targets) expect([t.target_id, t.arn]).toEqual(["alert-topic", topic]);
  });
});

describe("examples/alerts.json: routes and every channel kind", () => {
  const input = alertsInput();
  const json = homeJson(input);
  const topicRef = (name: string) => refOf(json, "aws_sns_topic", "name", name);
  const DEFAULT = topicRef("acme-alerts-alerts");
  const PAGE = topicRef("acme-alerts-alerts-page");
  const CHAT_DEFAULT = topicRef("acme-alerts-chat-alerts");
  const CHAT_PAGE = topicRef("acme-alerts-chat-alerts-page");
  // trailwatch's own failure alarms name the default route's topics by ARN.
  const FAILURE_TOPICS = [topicArn("acme-alerts-alerts"), topicArn("acme-alerts-chat-alerts")];
  const severityOf = new Map(catalog(WATCHED).map((d) => [d.id, d.severity]));
  const detectionOf = (name: string) => name.replace(/^acme-alerts-/, "");

  test("one topic per route and per chat route, each encrypted with the trail key and with its own policy", () => {
    const topics = resourcesOf(json, "aws_sns_topic");
    expect(topics.map((t) => t.name).sort()).toEqual([
      "acme-alerts-alerts",
      "acme-alerts-alerts-page",
      "acme-alerts-chat-alerts",
      "acme-alerts-chat-alerts-page",
    ]);
    const key = Object.keys(json.resource.aws_kms_key)[0];
    for (const t of topics) expect(t.kms_master_key_id).toBe(`\${aws_kms_key.${key}.arn}`);
    const policies = resourcesOf(json, "aws_sns_topic_policy");
    expect(policies.map((p) => p.arn).sort()).toEqual(
      [DEFAULT, PAGE, CHAT_DEFAULT, CHAT_PAGE].sort(),
    );
    for (const p of policies) {
      const name = topics.find((t) => p.arn === topicRef(t.name))!.name;
      const resources = JSON.parse(p.policy).Statement.map((s: any) => s.Resource);
      expect(new Set(resources.flat())).toEqual(new Set([topicArn(name)]));
    }
  });

  test("alarms notify their severity's route: critical and high the page topic, the rest the default one", () => {
    const alarms = resourcesOf(json, "aws_cloudwatch_metric_alarm").filter(
      (a) => a.namespace === "trailwatch",
    );
    expect(alarms.length).toBeGreaterThan(10);
    const seen = new Set<string>();
    for (const a of alarms) {
      const severity = severityOf.get(detectionOf(a.alarm_name))!;
      seen.add(severity);
      // Enrichment is on ("add"): raw alarms go to the text topic; chat gets the enriched card only.
      expect(a.alarm_actions).toEqual([
        severity === "critical" || severity === "high" ? PAGE : DEFAULT,
      ]);
    }
    expect([...seen].sort()).toEqual(["critical", "high", "low", "medium"]);
  });

  test("EventBridge rules publish the sentence to the route's topic and a chat card to its chat topic", () => {
    const targets = resourcesOf(json, "aws_cloudwatch_event_target").filter(
      (t) => t.target_id !== "alert-enrichment",
    );
    const byRule = new Map<string, any[]>();
    for (const t of targets) byRule.set(t.rule, [...(byRule.get(t.rule) ?? []), t]);
    expect(byRule.size).toBeGreaterThan(5);
    const rules = json.resource.aws_cloudwatch_event_rule;
    for (const [ruleRef, ts] of byRule) {
      const ruleName = rules[ruleRef.match(/aws_cloudwatch_event_rule\.([^.]+)\./)![1]].name;
      const paged = ["critical", "high"].includes(severityOf.get(detectionOf(ruleName))!);
      expect(ts.map((t) => [t.target_id, t.arn]).sort()).toEqual([
        ["alert-topic", paged ? PAGE : DEFAULT],
        ["chat-topic", paged ? CHAT_PAGE : CHAT_DEFAULT],
      ]);
      const chat = ts.find((t) => t.target_id === "chat-topic")!;
      const card = applyInputTransformer(
        {
          inputPaths: chat.input_transformer.input_paths,
          inputTemplate: chat.input_transformer.input_template,
        },
        {},
      );
      expect(JSON.parse(card)).toEqual(
        expect.objectContaining({ version: "1.0", source: "custom" }),
      );
    }
  });

  test("the enrichment function publishes each severity to its route (text and chat) and may publish to those topics only", () => {
    const fn = resourcesOf(json, "aws_lambda_function")[0];
    const routes = JSON.parse(fn.environment.variables.ROUTES);
    const page = {
      topicArn: topicArn("acme-alerts-alerts-page"),
      chatTopicArn: topicArn("acme-alerts-chat-alerts-page"),
    };
    const rest = {
      topicArn: topicArn("acme-alerts-alerts"),
      chatTopicArn: topicArn("acme-alerts-chat-alerts"),
    };
    expect(routes).toEqual({ critical: page, high: page, medium: rest, low: rest });
    const publish = resourcesOf(json, "aws_iam_role_policy")
      .flatMap((p) => JSON.parse(p.policy).Statement)
      .filter((s: any) => [s.Action].flat().includes("sns:Publish"));
    expect(publish).toHaveLength(1);
    expect([publish[0].Resource].flat().sort()).toEqual(
      [page.topicArn, page.chatTopicArn, rest.topicArn, rest.chatTopicArn].sort(),
    );
  });

  test("e-mail: alerts.emails on every route, an e-mail channel on its routes only", () => {
    const subs = resourcesOf(json, "aws_sns_topic_subscription").filter(
      (s) => s.protocol === "email",
    );
    expect(subs.map((s) => [s.topic_arn, s.endpoint]).sort()).toEqual(
      [
        [DEFAULT, "security-alerts@example.com"],
        [PAGE, "security-alerts@example.com"],
        [PAGE, "oncall@example.com"],
      ].sort(),
    );
  });

  test("webhook: an https subscription with a delivery retry policy and a dead-letter queue", () => {
    const [hook] = resourcesOf(json, "aws_sns_topic_subscription").filter(
      (s) => s.protocol === "https",
    );
    expect(hook).toMatchObject({
      topic_arn: PAGE,
      endpoint: input.alerts.channels!.find((c) => c.type === "webhook")!.url,
      endpoint_auto_confirms: true,
    });
    expect(JSON.parse(hook.delivery_policy)).toEqual(WEBHOOK_DELIVERY_POLICY);
    expect(JSON.parse(hook.redrive_policy)).toEqual({
      deadLetterTargetArn: refOf(json, "aws_sqs_queue", "name", "acme-alerts-alerts-undelivered"),
    });
  });

  test("SIEM queue: encrypted, with a dead-letter queue, subscribed to every route (raw SNS envelope kept)", () => {
    const queue = resourcesOf(json, "aws_sqs_queue").find(
      (q) => q.name === "acme-alerts-alerts-siem",
    )!;
    expect(queue.sqs_managed_sse_enabled).toBe(true);
    expect(JSON.parse(queue.redrive_policy)).toEqual({
      deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:acme-alerts-alerts-siem-dlq`,
      maxReceiveCount: 5,
    });
    const dlq = resourcesOf(json, "aws_sqs_queue").find(
      (q) => q.name === "acme-alerts-alerts-siem-dlq",
    )!;
    expect(dlq.sqs_managed_sse_enabled).toBe(true);
    const queueRef = refOf(json, "aws_sqs_queue", "name", "acme-alerts-alerts-siem");
    const subs = resourcesOf(json, "aws_sns_topic_subscription").filter(
      (s) => s.protocol === "sqs",
    );
    expect(subs.map((s) => [s.topic_arn, s.endpoint, s.raw_message_delivery]).sort()).toEqual(
      [
        [DEFAULT, queueRef, false],
        [PAGE, queueRef, false],
      ].sort(),
    );
    // Each dead-letter queue has an alarm on the default route (text and chat).
    const alarmed = resourcesOf(json, "aws_cloudwatch_metric_alarm")
      .filter((a) => a.namespace === "AWS/SQS")
      .map((a) => [a.dimensions.QueueName, a.alarm_actions]);
    expect(alarmed.sort()).toEqual(
      [
        ["acme-alerts-alert-enrichment-dlq", FAILURE_TOPICS],
        ["acme-alerts-alerts-siem-dlq", FAILURE_TOPICS],
        ["acme-alerts-alerts-undelivered", FAILURE_TOPICS],
      ].sort(),
    );
  });

  test("Slack and Teams: AWS Chatbot configurations in the Chatbot region, on their chat topics, with the read-only guardrail", () => {
    const chatbot = json.provider.aws.find((p: any) => p.alias === "chatbot");
    expect(chatbot).toMatchObject({ region: "ap-southeast-1", allowed_account_ids: [ACCOUNT] });
    const [slack] = resourcesOf(json, "aws_chatbot_slack_channel_configuration");
    expect(slack).toMatchObject({
      provider: "aws.chatbot",
      configuration_name: "acme-alerts-slack-security",
      slack_team_id: "T0123ABCDE",
      slack_channel_id: "C0123ABCDEF",
      guardrail_policy_arns: [CHATBOT_GUARDRAIL_POLICY],
      user_authorization_required: true,
      logging_level: "ERROR",
    });
    expect(slack.sns_topic_arns.sort()).toEqual([CHAT_DEFAULT, CHAT_PAGE].sort());
    const [teams] = resourcesOf(json, "aws_chatbot_teams_channel_configuration");
    expect(teams).toMatchObject({
      provider: "aws.chatbot",
      configuration_name: "acme-alerts-teams-soc",
      tenant_id: "11111111-2222-3333-4444-555555555555",
      team_id: "66666666-7777-8888-9999-000000000000",
      channel_id: "19%3Aa1b2c3d4e5f60718293a4b5c6d7e8f90%40thread.tacv2",
      sns_topic_arns: [CHAT_PAGE],
      guardrail_policy_arns: [CHATBOT_GUARDRAIL_POLICY],
    });
  });

  test("Chatbot's region defaults to the nearest one serving its API", () => {
    const without = alertsInput();
    delete without.alerts.chatbotRegion;
    const provider = homeJson(without).provider.aws.find((p: any) => p.alias === "chatbot");
    // ap-northeast-1 has no Chatbot API: ap-southeast-1 serves Asia Pacific.
    expect(provider.region).toBe("ap-southeast-1");
  });
});

describe("stable identities: editing alerts.channels or alerts.routes replaces nothing else", () => {
  const base = addresses(homeJson(alertsInput()));

  function edited(mutate: (c: TrailwatchConfigInput) => void) {
    const input = alertsInput();
    mutate(input);
    const after = addresses(homeJson(input));
    const removed = [...base.keys()].filter((k) => !after.has(k));
    const added = [...after.keys()].filter((k) => !base.has(k));
    const changed = [...base.keys()].filter(
      (k) => after.has(k) && JSON.stringify(after.get(k)) !== JSON.stringify(base.get(k)),
    );
    return { removed, added, changed };
  }

  test("removing the first channel (the webhook) removes its subscription only", () => {
    const d = edited((c) => c.alerts.channels!.shift());
    expect(d.removed).toEqual([
      expect.stringMatching(/^aws_sns_topic_subscription\.alerts-page_webhook-pagerduty_/),
    ]);
    expect(d.added).toEqual([]);
    // The undelivered queue's policy still admits the page topic (the SIEM queue subscribes to it).
    expect(d.changed).toEqual([]);
  });

  test("reordering the channels changes nothing", () => {
    const d = edited((c) => c.alerts.channels!.reverse());
    expect(d).toEqual({ removed: [], added: [], changed: [] });
  });

  test("an address moved from alerts.emails to an e-mail channel of every route keeps its subscriptions", () => {
    const d = edited((c) => {
      c.alerts.emails = [];
      c.alerts.channels!.push({
        type: "email",
        name: "security-mail",
        address: "security-alerts@example.com",
      });
    });
    expect(d).toEqual({ removed: [], added: [], changed: [] });
  });

  test("adding a Slack channel adds its configuration and role only", () => {
    const d = edited((c) =>
      c.alerts.channels!.unshift({
        type: "slack",
        name: "oncall-chat",
        routes: ["page"],
        workspaceId: "T0123ABCDE",
        channelId: "C0999ZZZZZZ",
      }),
    );
    expect(d.removed).toEqual([]);
    expect(d.changed).toEqual([]);
    expect(d.added.map((a) => a.replace(/_[0-9A-F]{8}$/, "")).sort()).toEqual([
      "aws_chatbot_slack_channel_configuration.chat-channels_slack-oncall-chat",
      "aws_iam_role.chat-channels_slack-oncall-chat-role",
      "aws_iam_role_policy.chat-channels_slack-oncall-chat-role-policy",
    ]);
  });

  test("removing the SIEM channel removes its queues, alarm and subscriptions, and nothing else is replaced", () => {
    const d = edited(
      (c) => (c.alerts.channels = c.alerts.channels!.filter((x) => x.type !== "sqs")),
    );
    expect(d.added).toEqual([]);
    expect(d.removed.every((a) => /siem/.test(a))).toBe(true);
    expect(d.removed.length).toBeGreaterThanOrEqual(7);
    // Only the undelivered queue's policy changes: the default topic no longer redrives to it.
    expect(d.changed).toEqual([
      expect.stringMatching(/^aws_sqs_queue_policy\.alert-queues_undelivered_policy_/),
    ]);
  });
});

describe("with containment: notices with a link follow the routes too", () => {
  const input = alertsInput();
  const containment = JSON.parse(
    readFileSync(path.join(ROOT, "examples", "containment.json"), "utf8"),
  );
  input.remediation = containment.remediation;
  const json = homeJson(input);
  const topicRef = (name: string) => refOf(json, "aws_sns_topic", "name", name);
  const [fnId, fn] = Object.entries(json.resource.aws_lambda_function).find(
    ([, f]) => f.function_name === "acme-alerts-containment-notifier",
  )!;

  test("a contained detection's rule invokes the notifier and still sends the chat card", () => {
    const [ruleId] = Object.entries(json.resource.aws_cloudwatch_event_rule).find(
      ([, r]) => r.name === "acme-alerts-iam-access-key-created",
    )!;
    const targets = resourcesOf(json, "aws_cloudwatch_event_target").filter(
      (t) => t.rule === `\${aws_cloudwatch_event_rule.${ruleId}.name}`,
    );
    expect(targets.map((t) => [t.target_id, t.arn]).sort()).toEqual([
      ["chat-topic", topicRef("acme-alerts-chat-alerts-page")],
      ["containment-notifier", `\${aws_lambda_function.${fnId}.arn}`],
    ]);
  });

  test("the notifier publishes each severity to its route's topic, and may publish to those only", () => {
    const settings = JSON.parse(fn.environment.variables[CONTAINMENT_SETTINGS_VARIABLE]);
    const page = topicArn("acme-alerts-alerts-page");
    const rest = topicArn("acme-alerts-alerts");
    expect(settings.topicArns).toEqual({ critical: page, high: page, medium: rest, low: rest });
    const publish = resourcesOf(json, "aws_iam_role_policy")
      .flatMap((p) => JSON.parse(p.policy).Statement)
      .filter((st: any) => st.Sid === "PublishToTheAlertTopic");
    expect(publish.length).toBeGreaterThan(0);
    for (const st of publish) expect(st.Resource).toEqual([rest, page]);
  });
});
