import type { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { channelRoutes, isChat, type AlertsConfig } from "../config/channels";
import { routeForSeverity, type AlertRoute } from "../channels/routes";
import type { Names } from "../names";
import { AlertQueues } from "./alert-queues";
import { AlertTopic, type TopicSubscription } from "./alert-topic";
import { ChatChannels } from "./chat-channels";
import type { RouteTargets } from "./detection-rules";

export interface AlertRoutingProps {
  readonly names: Names;
  readonly alerts: AlertsConfig;
  /** The key that encrypts every alert topic. */
  readonly kmsKeyArn: string;
  /** An AWS provider in the AWS Chatbot region; needed only with Slack or Teams channels. */
  readonly chatbotProvider?: TerraformProvider;
}

/** The alert topics, queues and chat channels of a home stack, and who notifies which topic. */
export interface AlertRouting {
  /** Every route's topic, by route name (`default`: construct `alerts`, as it always was). */
  readonly topics: Readonly<Record<string, AlertTopic>>;
  /** Chat topics, by route name, for the routes a chat channel receives. */
  readonly chatTopics: Readonly<Record<string, AlertTopic>>;
  readonly queues?: AlertQueues;
  readonly chat?: ChatChannels;
  /** The topics (Terraform references) of a severity's route. */
  targets(severity: string): RouteTargets;
  /** The default route's topics (trailwatch's own failure alarms notify these). */
  readonly defaultTargets: RouteTargets;
}

/**
 * Builds the alert routing in a stack: the SIEM and dead-letter queues first (subscriptions refer
 * to them), then one encrypted topic per route with its e-mail, webhook and SQS subscriptions, a
 * chat topic per route that Slack or Teams receives, and the AWS Chatbot channel configurations.
 *
 * Resource identities (never list positions, so editing `alerts.channels` replaces nothing else):
 * route topics by route name (`alerts-<route>`; the default route keeps `alerts`), chat topics by
 * route name (`chat-alerts[-<route>]`), e-mail subscriptions by address under their route's topic
 * (an address moved between `alerts.emails` and an e-mail channel keeps its subscription), webhook
 * and SQS subscriptions, queues and chat configurations by channel name.
 */
export function createAlertRouting(scope: Construct, p: AlertRoutingProps): AlertRouting {
  const { names: n, alerts: a } = p;
  const routes = n.alertRoutes;
  const receives = (route: AlertRoute) =>
    a.channels.filter((ch) => channelRoutes(ch, a.routes).includes(route.name));

  const siemQueues = a.channels.flatMap((ch) =>
    ch.type === "sqs"
      ? [
          {
            name: ch.name,
            topicArns: routes
              .filter((r) => channelRoutes(ch, a.routes).includes(r.name))
              .map((r) => r.topicArn),
            readers: ch.readers,
          },
        ]
      : [],
  );
  const redriven = routes
    .filter((r) => receives(r).some((ch) => ch.type === "webhook" || ch.type === "sqs"))
    .map((r) => r.topicArn);
  const defaultRoute = routes[0];
  const defaultAlarmTopics = [
    defaultRoute.topicArn,
    ...(defaultRoute.chat ? [defaultRoute.chat.topicArn] : []),
  ];
  const queues =
    siemQueues.length > 0 || redriven.length > 0
      ? new AlertQueues(scope, "alert-queues", {
          account: n.account,
          region: n.homeRegion,
          resourcePrefix: n.resourcePrefix,
          siemQueues,
          undeliveredFrom: redriven,
          alarmTopicArns: defaultAlarmTopics,
        })
      : undefined;

  const topics: Record<string, AlertTopic> = {};
  const chatTopics: Record<string, AlertTopic> = {};
  for (const route of routes) {
    const isDefault = route === defaultRoute;
    const subscriptions: TopicSubscription[] = [
      ...a.emails.map((address) => ({ kind: "email" as const, address })),
      ...receives(route).flatMap((ch): TopicSubscription[] => {
        switch (ch.type) {
          case "email":
            return [{ kind: "email", address: ch.address }];
          case "webhook":
            return [
              {
                kind: "webhook",
                channel: ch.name,
                url: ch.url,
                autoConfirms: ch.autoConfirms,
                deadLetterQueueArn: queues!.undelivered!.queue.arn,
              },
            ];
          case "sqs":
            return [
              {
                kind: "sqs",
                channel: ch.name,
                queueArn: queues!.siem[ch.name].queue.queue.arn,
                deadLetterQueueArn: queues!.undelivered!.queue.arn,
              },
            ];
          default:
            return [];
        }
      }),
    ];
    topics[route.name] = new AlertTopic(scope, isDefault ? "alerts" : `alerts-${route.name}`, {
      names: n,
      kmsKeyArn: p.kmsKeyArn,
      topicName: route.topicName,
      topicArn: route.topicArn,
      displayName: isDefault ? "trailwatch alerts" : `trailwatch ${route.name} alerts`,
      subscriptions,
      legacyEmailOrder: isDefault ? a.emails : undefined,
    });
    if (route.chat)
      chatTopics[route.name] = new AlertTopic(
        scope,
        isDefault ? "chat-alerts" : `chat-alerts-${route.name}`,
        {
          names: n,
          kmsKeyArn: p.kmsKeyArn,
          topicName: route.chat.topicName,
          topicArn: route.chat.topicArn,
          displayName: isDefault
            ? "trailwatch chat alerts"
            : `trailwatch ${route.name} chat alerts`,
        },
      );
  }

  const chatChannels = a.channels.filter(isChat);
  let chat: ChatChannels | undefined;
  if (chatChannels.length > 0) {
    if (!p.chatbotProvider)
      throw new Error("createAlertRouting: Slack or Teams channels need a chatbotProvider");
    chat = new ChatChannels(scope, "chat-channels", {
      account: n.account,
      resourcePrefix: n.resourcePrefix,
      chatbotProvider: p.chatbotProvider,
      channels: chatChannels.map((channel) => ({
        channel,
        topicArns: channelRoutes(channel, a.routes).map((r) => chatTopics[r].topic.arn),
      })),
    });
  }

  const targetsOf = (route: AlertRoute): RouteTargets => ({
    topicArn: topics[route.name].topic.arn,
    chatTopicArn: chatTopics[route.name]?.topic.arn,
  });
  return {
    topics,
    chatTopics,
    queues,
    chat,
    targets: (severity) => targetsOf(routeForSeverity(routes, severity)),
    defaultTargets: targetsOf(defaultRoute),
  };
}
