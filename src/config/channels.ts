/**
 * Alert channels and routing by severity (`alerts.routes`, `alerts.channels`, `alerts.chatbotRegion`).
 *
 * A route is a named set of severities with its own SNS topic; the implicit route `default` keeps
 * today's topic (`<name>-alerts`), takes every severity no named route claims and carries
 * trailwatch's own failure alarms. A channel receives the routes it lists (all when it lists
 * none): an e-mail address, an HTTPS webhook (PagerDuty, Opsgenie, ...), an SQS queue for a SIEM,
 * or a Slack / Microsoft Teams channel through AWS Chatbot (now Amazon Q Developer in chat
 * applications). `alerts.emails` stays what it was: addresses subscribed to every route.
 *
 * Identifier formats, as the AWS Chatbot API and the chat products write them:
 * - Slack workspace (team) id: `T` (`E` for an Enterprise Grid organization) and 8 or more capital
 *   letters or digits; AWS Chatbot's console lists it once the workspace is authorized. Channel id:
 *   `C` (public or private) or `G` (older private channels) and 8 or more capital letters or
 *   digits, shown at the bottom of the channel's About tab in Slack. A name such as `#alerts` is
 *   not an id. (CreateSlackChannelConfiguration: SlackTeamId `^[0-9A-Z]{1,255}$`, SlackChannelId
 *   `^[A-Za-z0-9]+$`; ours are stricter so a pasted name or link is caught here.)
 * - Teams tenant and team ids are UUIDs; a channel id is `19:<id>@thread.tacv2` (or `.skype`), as
 *   in the channel's "Get link to channel" URL, where it appears URL-encoded; both forms are
 *   accepted, and Chatbot is given the URL-encoded one its API pattern requires (`%3A`, `%40`).
 */
import { z } from "zod";
import { SEVERITIES } from "../detections/types";
import { duplicatesBy, emailIdentity } from "../terraform/stable-id";
import { email } from "./fields";

/**
 * Regions that serve the AWS Chatbot API (AWS Chatbot API Reference, "Welcome"; AWS General
 * Reference, "AWS Chatbot endpoints and quotas"). Its console is in us-east-2 only.
 */
export const CHATBOT_REGIONS = ["us-east-2", "us-west-2", "eu-west-1", "ap-southeast-1"] as const;
export type ChatbotRegion = (typeof CHATBOT_REGIONS)[number];

export const DEFAULT_ROUTE = "default";
export const CHANNEL_TYPES = ["email", "webhook", "sqs", "slack", "teams"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Longest route name: it ends topic names (`<name>-chat-alerts-<route>`, SNS allows 256). */
export const MAX_ROUTE_NAME = 20;
/**
 * Longest channel name: it ends IAM role names (`<name>-chat-<channel>`, IAM allows 64 with a
 * 32-character `name`) and queue names (`<name>-alerts-<channel>-dlq`, SQS allows 80).
 */
export const MAX_CHANNEL_NAME = 24;

const routeName = z
  .string()
  .regex(new RegExp(`^[a-z][a-z0-9-]{0,${MAX_ROUTE_NAME - 1}}$`), {
    message: `must be 1-${MAX_ROUTE_NAME} lowercase letters, digits or hyphens, starting with a letter`,
  })
  .refine((r) => r !== DEFAULT_ROUTE, {
    message: `"${DEFAULT_ROUTE}" is the implicit route of every severity no other route takes; choose another name`,
  });

const channelName = z.string().regex(new RegExp(`^[a-z][a-z0-9-]{0,${MAX_CHANNEL_NAME - 1}}$`), {
  message: `must be 1-${MAX_CHANNEL_NAME} lowercase letters, digits or hyphens, starting with a letter (it names the channel's resources)`,
});

const severity = z.enum(SEVERITIES, { error: `not a severity; allowed: ${SEVERITIES.join(", ")}` });

const common = {
  name: channelName,
  /** Routes this channel receives. @default every route */
  routes: z
    .array(z.string())
    .min(1, { message: "lists no route; leave it out to receive every route" })
    .optional(),
};

export const SLACK_WORKSPACE_ID = /^[TE][A-Z0-9]{8,}$/;
export const SLACK_CHANNEL_ID = /^[CG][A-Z0-9]{8,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TEAMS_CHANNEL_ID = /^19:[A-Za-z0-9_-]+@thread\.(tacv2|skype)$/;

/** A Teams channel id as written in the Teams link (URL-encoded) or decoded: the decoded form. */
export function decodeTeamsChannelId(id: string): string {
  try {
    return /%3a/i.test(id) ? decodeURIComponent(id) : id;
  } catch {
    return id;
  }
}

/** The form AWS Chatbot's API takes: `19%3A...%40thread.tacv2`. */
export function encodeTeamsChannelId(id: string): string {
  return encodeURIComponent(decodeTeamsChannelId(id));
}

/** Why a webhook URL cannot be an SNS `https` endpoint, or undefined when it can. */
export function webhookUrlProblem(s: string): string | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return "not a URL (expected https://host/path)";
  }
  if (u.protocol !== "https:")
    return `must be an https:// URL: SNS would deliver alerts over ${u.protocol.replace(":", "")} in clear text`;
  if (u.username || u.password)
    return "must not carry a user name or password: use the endpoint's own token in its path or query";
  // SNS delivers from the public internet: an IP literal or single-label host is a mistake here.
  if (!/[a-z]/i.test(u.hostname.split(".").pop() ?? "") || !u.hostname.includes("."))
    return "needs a public DNS host name (SNS delivers from the internet, not to an IP address or local name)";
  return undefined;
}

/** An IAM role, user or account root ARN (IAM names: letters, digits and `+=,.@_-`, paths with `/`). */
export const IAM_PRINCIPAL_ARN =
  /^arn:aws:iam::\d{12}:(root|role\/[\w+=,.@/-]{1,512}|user\/[\w+=,.@/-]{1,512})$/;

const iamPrincipalArn = z.string().regex(IAM_PRINCIPAL_ARN, {
  message:
    "not an IAM principal ARN (arn:aws:iam::<12-digit account>:role/<name>, :user/<name> or :root)",
});

const webhookUrl = z.string().superRefine((s, ctx) => {
  const problem = webhookUrlProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const channel = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("email"), ...common, address: email }),
    z.strictObject({
      type: z.literal("webhook"),
      ...common,
      url: webhookUrl,
      /**
       * The endpoint confirms the SNS subscription by itself (PagerDuty and Opsgenie do). When
       * false, someone must open the SubscribeURL SNS posts to it. @default true
       */
      autoConfirms: z.boolean().default(true),
    }),
    z.strictObject({
      type: z.literal("sqs"),
      ...common,
      /**
       * IAM principals of another account that read the queue (a SIEM's collector role): the
       * queue policy lets them receive and delete messages. Principals of this account need only
       * their own IAM policy. @default none
       */
      readers: z.array(iamPrincipalArn).default([]),
    }),
    z.strictObject({
      type: z.literal("slack"),
      ...common,
      workspaceId: z.string().regex(SLACK_WORKSPACE_ID, {
        message:
          "not a Slack workspace id (T, or E for Enterprise Grid, followed by 8 or more capital letters or digits, e.g. T0123ABCDE; AWS Chatbot's console lists it once the workspace is authorized)",
      }),
      channelId: z.string().regex(SLACK_CHANNEL_ID, {
        message:
          "not a Slack channel id (C or G followed by 8 or more capital letters or digits, e.g. C0123ABCDEF; in Slack, open the channel details: the id is at the bottom of the About tab). A channel name such as #alerts is not an id",
      }),
    }),
    z.strictObject({
      type: z.literal("teams"),
      ...common,
      tenantId: z.string().regex(UUID, {
        message:
          "not a Microsoft Entra tenant id (a UUID such as 00000000-0000-0000-0000-000000000000: tenantId= in the channel link)",
      }),
      teamId: z.string().regex(UUID, {
        message: "not a Microsoft Teams team id (a UUID: groupId= in the channel link)",
      }),
      channelId: z.string().refine((id) => TEAMS_CHANNEL_ID.test(decodeTeamsChannelId(id)), {
        message:
          'not a Microsoft Teams channel id (19:<id>@thread.tacv2, from the channel\'s "Get link to channel", URL-encoded or not)',
      }),
    }),
  ],
  { error: `not a channel type; allowed: ${CHANNEL_TYPES.join(", ")}` },
);

export type Channel = z.output<typeof channel>;
export type ChatChannel = Extract<Channel, { type: "slack" | "teams" }>;

export const routes = z.record(
  routeName,
  z.array(severity).min(1, { message: "lists no severity" }),
);

export const chatbotRegion = z.enum(CHATBOT_REGIONS, {
  error: `not a region that serves the AWS Chatbot API; allowed: ${CHATBOT_REGIONS.join(", ")}`,
});

/** What the alert routing needs of the configuration. */
export interface AlertsConfig {
  readonly emails: readonly string[];
  readonly routes: Readonly<Record<string, readonly string[]>>;
  readonly channels: readonly Channel[];
  readonly chatbotRegion?: string;
}

export interface ChannelProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Rules between alert fields, every problem at once: each severity in one route at most; unique
 * channel names and endpoints (an address, URL or chat channel twice would deliver twice); every
 * route a channel names exists; every route reaches some channel (or its alerts would go nowhere);
 * `chatbotRegion` only with chat channels.
 */
export function channelProblems(a: AlertsConfig): ChannelProblem[] {
  const problems: ChannelProblem[] = [];
  const add = (path: (string | number)[], message: string) =>
    problems.push({ path: ["alerts", ...path], message });

  const owner = new Map<string, string>();
  for (const [route, severities] of Object.entries(a.routes))
    severities.forEach((s, i) => {
      const first = owner.get(s);
      if (first === route) add(["routes", route, i], `${s} is listed twice in this route`);
      else if (first !== undefined)
        add(
          ["routes", route, i],
          `${s} is already routed by "${first}"; a severity goes to one route`,
        );
      else owner.set(s, route);
    });

  const known = [DEFAULT_ROUTE, ...Object.keys(a.routes)];
  a.channels.forEach((ch, i) => {
    if (ch.type !== "sqs") return;
    duplicatesBy(ch.readers, (r) => r).forEach((d) =>
      add(["channels", i, "readers", d.index], `is listed twice (also readers[${d.firstIndex}])`),
    );
  });
  duplicatesBy(a.channels, (ch) => ch.name).forEach((d) =>
    add(
      ["channels", d.index, "name"],
      `"${d.item.name}" is also the name of alerts.channels[${d.firstIndex}]; names must be unique`,
    ),
  );
  a.channels.forEach((ch, i) => {
    const listed = ch.routes ?? [];
    listed.forEach((r, j) => {
      if (!known.includes(r))
        add(["channels", i, "routes", j], `not a route; allowed: ${known.join(", ")}`);
      else if (listed.indexOf(r) !== j) add(["channels", i, "routes", j], `"${r}" is listed twice`);
    });
  });

  // One endpoint, one channel: the same address, URL or chat channel twice delivers everything twice.
  const emailChannels = a.channels
    .map((ch, i) => ({ ch, i }))
    .filter(
      (x): x is { ch: Extract<Channel, { type: "email" }>; i: number } => x.ch.type === "email",
    );
  const addresses = [
    ...a.emails.map((address, i) => ({
      address,
      where: `alerts.emails[${i}]`,
      path: ["emails", i],
    })),
    ...emailChannels.map(({ ch, i }) => ({
      address: ch.address,
      where: `alerts.channels[${i}]`,
      path: ["channels", i, "address"],
    })),
  ];
  duplicatesBy(addresses, (x) => emailIdentity(x.address))
    // Two entries of alerts.emails: the rule on alerts.emails alone reports them (rules.ts).
    .filter((d) => d.index >= a.emails.length)
    .forEach((d) =>
      add(
        d.item.path,
        `${JSON.stringify(d.item.address)} is the address of ${addresses[d.firstIndex].where} (addresses are compared ignoring case)`,
      ),
    );
  const endpointOf = (ch: Channel): string | undefined => {
    switch (ch.type) {
      case "webhook":
        return `webhook ${ch.url}`;
      case "slack":
        return `slack ${ch.workspaceId}/${ch.channelId}`;
      case "teams":
        return `teams ${ch.tenantId.toLowerCase()}/${ch.teamId.toLowerCase()}/${decodeTeamsChannelId(ch.channelId)}`;
      default:
        return undefined;
    }
  };
  const endpoints = a.channels
    .map((ch, i) => ({ ch, i, endpoint: endpointOf(ch) }))
    .filter((x): x is { ch: Channel; i: number; endpoint: string } => x.endpoint !== undefined);
  duplicatesBy(endpoints, (x) => x.endpoint).forEach((d) => {
    const field = d.item.ch.type === "webhook" ? "url" : "channelId";
    add(
      ["channels", d.item.i, field],
      `is the same ${d.item.ch.type === "webhook" ? "URL" : `${d.item.ch.type} channel`} as alerts.channels[${endpoints[d.firstIndex].i}]: it would receive every alert twice`,
    );
  });

  // Every route must reach someone: a route without a channel silently drops its severities.
  const reached = new Set<string>();
  if (a.emails.length > 0) known.forEach((r) => reached.add(r));
  for (const ch of a.channels) (ch.routes ?? known).forEach((r) => reached.add(r));
  for (const r of known) {
    if (reached.has(r)) continue;
    if (r === DEFAULT_ROUTE) {
      const severities = SEVERITIES.filter((s) => !owner.has(s));
      add(
        a.channels.length > 0 ? ["channels"] : ["emails"],
        `no channel receives the route "${DEFAULT_ROUTE}" (${severities.length > 0 ? `severities ${severities.join(", ")} and ` : ""}trailwatch's own failure alarms): add an address to alerts.emails, or a channel without "routes" or with "${DEFAULT_ROUTE}" among them`,
      );
    } else
      add(
        ["routes", r],
        `no channel receives this route: its ${a.routes[r].join(", ")} alerts would reach nobody; name "${r}" in a channel's routes (or leave a channel's routes out to receive every route)`,
      );
  }

  if (a.chatbotRegion !== undefined && !a.channels.some(isChat))
    add(["chatbotRegion"], "is used only by slack and teams channels, and none is configured");
  return problems;
}

/**
 * The AWS Chatbot region for a home region: the home region when it serves the API, else the
 * nearest that does (Europe, the Middle East and Africa: eu-west-1; Asia Pacific: ap-southeast-1;
 * the Americas: us-east-2, or us-west-2 from the US west coast).
 */
export function defaultChatbotRegion(homeRegion: string): ChatbotRegion {
  if ((CHATBOT_REGIONS as readonly string[]).includes(homeRegion))
    return homeRegion as ChatbotRegion;
  if (/^us-west-/.test(homeRegion)) return "us-west-2";
  if (/^(eu|me|il|af)-/.test(homeRegion)) return "eu-west-1";
  if (/^ap-/.test(homeRegion)) return "ap-southeast-1";
  return "us-east-2";
}

/** The route of each severity: the named route that lists it, else `default`. */
export function routeOf(
  configured: Readonly<Record<string, readonly string[]>>,
  severity: string,
): string {
  for (const [name, severities] of Object.entries(configured))
    if (severities.includes(severity)) return name;
  return DEFAULT_ROUTE;
}

/** Route names: `default` first, then the named ones in configuration order. */
export function routeNames(configured: Readonly<Record<string, readonly string[]>>): string[] {
  return [DEFAULT_ROUTE, ...Object.keys(configured)];
}

/** The routes a channel receives (all when it names none), without repeats. */
export function channelRoutes(
  ch: Channel,
  configured: Readonly<Record<string, readonly string[]>>,
): string[] {
  return ch.routes ? [...new Set(ch.routes)] : routeNames(configured);
}

export const isChat = (ch: Channel): ch is ChatChannel =>
  ch.type === "slack" || ch.type === "teams";
