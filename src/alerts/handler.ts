/**
 * The alarm enrichment Lambda function. EventBridge invokes it (asynchronously) with each
 * "CloudWatch Alarm State Change" event of a trailwatch alarm entering ALARM; it lists the
 * CloudTrail records behind the alarm with the detection's own filter pattern and publishes the
 * enriched message to the alert topic of the detection's severity (text), and to that route's
 * chat topic when chat channels are configured (AWS Chatbot custom notification).
 *
 * Failure design: an alert must never be lost to an enrichment failure.
 * - Listing the events fails (throttling, permissions, timeout budget): the message still goes
 *   out, saying so, with the Logs Insights link.
 * - Formatting fails (a bug): a plain message built from the alarm event alone goes out.
 * - Publishing fails: the invocation fails; Lambda retries it twice, then puts the event on the
 *   function's dead-letter queue, whose CloudWatch alarm notifies the alert topic directly.
 * - With `alerts.enrichment.alarmNotifications: "add"` (the default) CloudWatch also publishes
 *   its own alarm notification, independent of this function.
 *
 * Environment: LOG_GROUP_NAME (the trail's log group), ROUTES (JSON: severity → { topicArn,
 * chatTopicArn? }), MAX_EVENTS (records listed per message). Per-alarm data: catalog.json in
 * the package (src/alerts/catalog.ts). With containment on, containment-settings.json and
 * TRAILWATCH_CONTAINMENT let it put a signed containment link under each event it can contain
 * (src/containment/alarm-links.ts); a link that cannot be made never holds up the alert.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { Context } from "aws-lambda";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { alarmLinks, packagedSettings } from "../containment/alarm-links";
import { SigningKeys } from "../containment/signing-key";
import type { ContainmentSettings } from "../containment/settings";
import type { AlarmCatalog } from "./catalog";
import { evaluationWindow, type AlarmStateChangeEvent } from "./alarm-event";
import { insightsLink } from "./insights-link";
import { alarmMessage, type EventAction } from "./message";
import {
  DEFAULT_LIMITS,
  matchingEvents,
  realClock,
  type Clock,
  type PagingLimits,
} from "./matching-events";

export interface Route {
  readonly topicArn: string;
  readonly chatTopicArn?: string;
}

export interface EnrichmentSettings {
  readonly logGroupName: string;
  /** By severity. */
  readonly routes: Readonly<Record<string, Route>>;
  readonly limits: PagingLimits;
}

export interface HandlerDeps {
  readonly logs: CloudWatchLogsClient;
  readonly sns: SNSClient;
  readonly catalog: () => AlarmCatalog;
  readonly settings: () => EnrichmentSettings;
  readonly clock?: Clock;
  readonly actionsFor?: (record: Readonly<Record<string, unknown>>) => readonly EventAction[];
  /** Per alarm: the actions offered under each of its records (containment links). */
  readonly actionsForDetection?: (
    detectionId: string,
  ) => Promise<(record: Readonly<Record<string, unknown>>) => readonly EventAction[]>;
  readonly log?: (level: "info" | "warn" | "error", message: string, data?: object) => void;
}

export type Outcome =
  | { readonly kind: "ignored"; readonly reason: string }
  | {
      readonly kind: "published";
      readonly events: number | "unlisted";
      readonly topics: readonly string[];
    }
  | { readonly kind: "fallback"; readonly error: string; readonly topics: readonly string[] };

const jsonLog: NonNullable<HandlerDeps["log"]> = (level, message, data) =>
  console[level](JSON.stringify({ level, message, ...data }));

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): EnrichmentSettings {
  const logGroupName = env.LOG_GROUP_NAME;
  const routes = env.ROUTES ? (JSON.parse(env.ROUTES) as Record<string, Route>) : undefined;
  if (!logGroupName || !routes) throw new Error("LOG_GROUP_NAME and ROUTES must be set");
  const keep = Number(env.MAX_EVENTS ?? DEFAULT_LIMITS.keep);
  return {
    logGroupName,
    routes,
    limits: {
      ...DEFAULT_LIMITS,
      keep: Number.isInteger(keep) && keep > 0 ? keep : DEFAULT_LIMITS.keep,
    },
  };
}

function routeFor(s: EnrichmentSettings, severity: string): Route {
  const r = s.routes[severity];
  if (!r) throw new Error(`no route for severity ${severity}`);
  return r;
}

export function createHandler(deps: HandlerDeps) {
  const log = deps.log ?? jsonLog;
  const clock = deps.clock ?? realClock;
  return async (
    event: AlarmStateChangeEvent,
    context?: Pick<Context, "getRemainingTimeInMillis">,
  ): Promise<Outcome> => {
    const name = event?.detail?.alarmName;
    if (
      event?.["detail-type"] !== "CloudWatch Alarm State Change" ||
      event.detail?.state?.value !== "ALARM"
    )
      return { kind: "ignored", reason: "not an alarm entering ALARM" };
    const entry = deps.catalog().alarms[name];
    if (!entry) {
      log("warn", "alarm not in the catalog: ignored", { alarmName: name });
      return { kind: "ignored", reason: `alarm ${name} is not a trailwatch detection alarm` };
    }
    const settings = deps.settings();
    const route = routeFor(settings, entry.severity);
    const remaining = () => context?.getRemainingTimeInMillis() ?? 60_000;

    let subject: string;
    let text: string;
    let chat: string | undefined;
    let outcome: Outcome;
    try {
      const window = evaluationWindow(event, entry);
      let events: Awaited<ReturnType<typeof matchingEvents>> | { error: string };
      try {
        events = await matchingEvents(
          deps.logs,
          {
            logGroupName: settings.logGroupName,
            filterPattern: entry.filterPattern,
            start: window.start,
            end: window.end,
          },
          settings.limits,
          remaining,
          clock,
        );
      } catch (e) {
        const err = e as Error;
        events = { error: `${err.name}: ${err.message}` };
        log("error", "FilterLogEvents failed; publishing without the events", {
          alarmName: name,
          error: events.error,
        });
      }
      const url = insightsLink({
        region: event.region,
        logGroupName: settings.logGroupName,
        query: entry.insightsQuery,
        start: window.start,
        end: window.end,
      });
      let actionsFor = deps.actionsFor;
      if (deps.actionsForDetection)
        try {
          actionsFor = await deps.actionsForDetection(entry.detectionId);
        } catch (e) {
          log("warn", "no containment links: their settings could not be read", {
            alarmName: name,
            error: (e as Error).message,
          });
        }
      const m = alarmMessage({
        alarm: event,
        entry,
        window,
        events,
        insightsUrl: url,
        actionsFor,
      });
      subject = m.subject;
      text = m.text;
      chat = JSON.stringify(m.chat);
      outcome = {
        kind: "published",
        events: "error" in events ? "unlisted" : events.count,
        topics: [],
      };
    } catch (e) {
      const err = e as Error;
      log("error", "formatting failed; publishing the plain alarm", {
        alarmName: name,
        error: err.stack ?? err.message,
      });
      ({ subject, text, chat } = plainAlarm(event, entry.title, entry.severity));
      outcome = { kind: "fallback", error: `${err.name}: ${err.message}`, topics: [] };
    }
    const topics: string[] = [];
    // Publish errors propagate: Lambda retries, then the dead-letter queue keeps the event.
    await deps.sns.send(
      new PublishCommand({ TopicArn: route.topicArn, Subject: subject, Message: text }),
    );
    topics.push(route.topicArn);
    if (route.chatTopicArn && chat) {
      await deps.sns.send(new PublishCommand({ TopicArn: route.chatTopicArn, Message: chat }));
      topics.push(route.chatTopicArn);
    }
    log("info", "published", { alarmName: name, topics, outcome: outcome.kind });
    return { ...outcome, topics };
  };
}

/** The message when enrichment itself failed: what CloudWatch says, nothing computed. */
export function plainAlarm(
  e: AlarmStateChangeEvent,
  title: string,
  severity: string,
): { subject: string; text: string; chat: string } {
  const sev = severity.toUpperCase();
  const subject = `[${sev}] ${title}: alarm ${e.detail.alarmName}`
    .replace(/[^\x20-\x7e]/g, "")
    .slice(0, 100);
  const text = [
    `[${sev}] ${title}`,
    "",
    `Alarm ${e.detail.alarmName} went into ALARM at ${e.detail.state.timestamp} in account ${e.account}, ${e.region}.`,
    e.detail.state.reason ? `CloudWatch: ${e.detail.state.reason}` : undefined,
    e.detail.configuration?.description ? `\n${e.detail.configuration.description}` : undefined,
    "",
    "trailwatch could not list the events behind this alarm; see the function's log group for why.",
  ]
    .filter((l) => l !== undefined)
    .join("\n");
  const chat = JSON.stringify({
    version: "1.0",
    source: "custom",
    content: { textType: "client-markdown", title: `[${sev}] ${title}`, description: text },
  });
  return { subject, text, chat };
}

let catalogCache: AlarmCatalog | undefined;
let settingsCache: EnrichmentSettings | undefined;
let containment: ContainmentSettings | null | undefined;
let signingKeys: SigningKeys | undefined;

/** The Lambda entry point (`index.handler`): clients and data are created once per container. */
export const handler = createHandler({
  logs: new CloudWatchLogsClient({ maxAttempts: 5 }),
  sns: new SNSClient({ maxAttempts: 5 }),
  catalog: () =>
    (catalogCache ??= JSON.parse(
      readFileSync(path.join(__dirname, "catalog.json"), "utf8"),
    ) as AlarmCatalog),
  settings: () => (settingsCache ??= settingsFromEnv()),
  actionsForDetection: async (detectionId) => {
    // Read once per container: undefined (null here) when containment is off.
    containment ??= packagedSettings() ?? null;
    signingKeys ??= containment
      ? new SigningKeys(new SecretsManagerClient({}), containment.secretId)
      : undefined;
    return alarmLinks(detectionId, {
      settings: containment ?? undefined,
      keys: signingKeys ?? { signingKey: () => Promise.reject(new Error("containment is off")) },
      now: Date.now,
      log: (event, fields) => jsonLog("warn", event, fields),
    });
  },
});
