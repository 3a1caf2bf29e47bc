/**
 * The alert topics of a configuration: one per route, plus one chat topic per route that a Slack or
 * Teams channel receives. Names and ARNs are built as plain strings (like every name in
 * src/names.ts) so that policies, the KMS key, the watcher detections and the enrichment function
 * can name every topic before any exists.
 *
 * Topic names (SNS: up to 256 letters, digits, hyphens, underscores):
 * - route `default`: `<name>-alerts` (the topic trailwatch has always had; its address and
 *   subscriptions never move);
 * - route `r`: `<name>-alerts-<r>`;
 * - chat topics: `<name>-chat-alerts` and `<name>-chat-alerts-<r>`. The `chat-` infix (rather than
 *   a suffix) keeps the two families apart: a route named `x-chat` cannot collide with the chat
 *   topic of a route named `x`.
 *
 * Why chat has topics of its own: AWS Chatbot renders CloudWatch alarm notifications natively but
 * drops any other message that is not in its custom-notification schema; the e-mail sentence the
 * EventBridge rules send is plain text. Chat topics receive only what Chatbot can show.
 */
import {
  DEFAULT_ROUTE,
  channelRoutes,
  isChat,
  routeNames,
  routeOf,
  type AlertsConfig,
} from "../config/channels";
import { SEVERITIES, type Severity } from "../detections/types";

export interface AlertRoute {
  /** Route name (`default` or a key of `alerts.routes`). */
  readonly name: string;
  /** Severities routed here (for `default`: every one no named route claims; may be none). */
  readonly severities: readonly Severity[];
  readonly topicName: string;
  readonly topicArn: string;
  /** Present when a Slack or Teams channel receives this route. */
  readonly chat?: { readonly topicName: string; readonly topicArn: string };
}

/** Every route of the configuration, `default` first, then `alerts.routes` in its order. */
export function alertRoutes(
  a: AlertsConfig,
  p: { readonly name: string; readonly region: string; readonly account: string },
): AlertRoute[] {
  const chatRoutes = new Set(
    a.channels.filter(isChat).flatMap((ch) => channelRoutes(ch, a.routes)),
  );
  const arn = (topic: string) => `arn:aws:sns:${p.region}:${p.account}:${topic}`;
  return routeNames(a.routes).map((name) => {
    const suffix = name === DEFAULT_ROUTE ? "" : `-${name}`;
    const topicName = `${p.name}-alerts${suffix}`;
    const chatName = `${p.name}-chat-alerts${suffix}`;
    return {
      name,
      severities: SEVERITIES.filter((s) => routeOf(a.routes, s) === name),
      topicName,
      topicArn: arn(topicName),
      chat: chatRoutes.has(name) ? { topicName: chatName, topicArn: arn(chatName) } : undefined,
    };
  });
}

/** The route a severity goes to. */
export function routeForSeverity(routes: readonly AlertRoute[], severity: string): AlertRoute {
  const r = routes.find((x) => (x.severities as readonly string[]).includes(severity));
  if (!r) throw new Error(`no alert route for severity ${severity}`);
  return r;
}

/** Every topic ARN (text and chat), in route order. */
export function allTopicArns(routes: readonly AlertRoute[]): string[] {
  return routes.flatMap((r) => [r.topicArn, ...(r.chat ? [r.chat.topicArn] : [])]);
}

/** The default route (always present): trailwatch's own failure alarms go here. */
export function defaultRoute(routes: readonly AlertRoute[]): AlertRoute {
  const r = routes.find((x) => x.name === DEFAULT_ROUTE);
  if (!r) throw new Error("alert routes without the default route");
  return r;
}
