/**
 * The enriched alarm message: who did what, where and from where, for each CloudTrail record that
 * made the alarm fire, with the detection's title, severity, rationale, what to check and a Logs
 * Insights link. Two renderings of the same content:
 * - `text`: plain text for e-mail, HTTPS webhooks and SQS (SNS `default`);
 * - `chat`: an AWS Chatbot (Amazon Q Developer in chat applications) custom notification
 *   (`version` "1.0", `source` "custom", `content.textType` "client-markdown"; AWS Chatbot
 *   Administrator Guide, "Custom notifications"), which Slack and Teams render as a card; Chatbot
 *   drops SNS messages in any other shape.
 * Only fields a record has are printed: no empty placeholders.
 */
import { EVENT_FIELDS, resourceRecordPath, type EventFieldKey } from "../detections/event-fields";
import { SEVERITY_EMOJI } from "../channels/severity-emoji";
import type { AlarmCatalogEntry } from "./catalog";
import type { AlarmStateChangeEvent, TimeWindow } from "./alarm-event";
import type { MatchingEvents } from "./matching-events";

/** A link appended under an event, e.g. a containment action (issue 14). */
export interface EventAction {
  readonly label: string;
  readonly url: string;
}

export interface MessageInput {
  readonly alarm: AlarmStateChangeEvent;
  readonly entry: AlarmCatalogEntry;
  readonly window: TimeWindow;
  /** The records, or why they could not be listed. */
  readonly events: MatchingEvents | { readonly error: string };
  readonly insightsUrl: string;
  /** Actions offered for one record (none by default). */
  readonly actionsFor?: (record: Readonly<Record<string, unknown>>) => readonly EventAction[];
}

export interface AlarmMessage {
  /** SNS subject: at most 100 printable ASCII characters, no line breaks (SNS Publish). */
  readonly subject: string;
  readonly text: string;
  readonly chat: ChatbotNotification;
}

/** AWS Chatbot custom notification (event schema of the Chatbot Administrator Guide). */
export interface ChatbotNotification {
  readonly version: "1.0";
  readonly source: "custom";
  readonly id?: string;
  readonly content: {
    readonly textType: "client-markdown";
    readonly title: string;
    readonly description: string;
    readonly nextSteps?: readonly string[];
    readonly keywords?: readonly string[];
  };
  readonly metadata?: {
    readonly threadId?: string;
    readonly summary?: string;
    readonly eventType?: string;
    readonly relatedResources?: readonly string[];
    readonly additionalContext?: Readonly<Record<string, string>>;
  };
}

/** The value at a dotted path of a record, as text; undefined when absent, empty or not a scalar. */
export function valueAt(
  record: Readonly<Record<string, unknown>>,
  dotted: string,
): string | undefined {
  let node: unknown = record;
  for (const step of dotted.split(".")) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  if (typeof node === "string") return node.trim() === "" ? undefined : node;
  if (typeof node === "number" || typeof node === "boolean") return String(node);
  return undefined;
}

export interface EventSummary {
  readonly time?: string;
  /** `service:eventName`, e.g. `iam:CreateAccessKey`. */
  readonly call?: string;
  readonly principal?: string;
  readonly principalType?: string;
  /** `name=value` for every resource field present, e.g. `bucketName=logs`. */
  readonly resource?: string;
  readonly region?: string;
  readonly account?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  readonly eventId?: string;
}

const MAX_USER_AGENT = 120;

/** The notification fields of one CloudTrail record (the same fields as the event notifications). */
export function summarize(
  record: Readonly<Record<string, unknown>>,
  resourceFields: readonly string[],
): EventSummary {
  const f = Object.fromEntries(
    EVENT_FIELDS.map((x) => [x.key, valueAt(record, x.recordPath)]),
  ) as Record<EventFieldKey, string | undefined>;
  const resource = resourceFields
    .map((name) => [name, valueAt(record, resourceRecordPath(name))] as const)
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => `${name}=${v}`)
    .join(", ");
  const service = f.eventSource?.replace(/\.amazonaws\.com$/, "");
  const principal =
    f.principal ??
    valueAt(record, "userIdentity.invokedBy") ??
    valueAt(record, "userIdentity.principalId");
  const ua = f.userAgent;
  return {
    time: f.time,
    call: f.eventName ? `${service ? `${service}:` : ""}${f.eventName}` : undefined,
    principal,
    principalType: f.principalType,
    resource: resource || undefined,
    region: f.region,
    account: f.account,
    sourceIp: f.sourceIp,
    userAgent: ua && ua.length > MAX_USER_AGENT ? `${ua.slice(0, MAX_USER_AGENT - 3)}...` : ua,
    errorCode: f.errorCode,
    eventId: f.eventId,
  };
}

const joinDefined = (parts: (string | undefined)[], sep: string) =>
  parts.filter((p): p is string => p !== undefined && p !== "").join(sep);

function who(s: EventSummary): string | undefined {
  if (!s.principal) return s.principalType;
  return s.principalType ? `${s.principal} (${s.principalType})` : s.principal;
}

function eventLines(s: EventSummary, actions: readonly EventAction[]): string[] {
  const lines = [
    ["Principal", who(s)],
    ["Resource", s.resource],
    ["Where", joinDefined([s.region, s.account && `account ${s.account}`], ", ")],
    ["From", joinDefined([s.sourceIp, s.userAgent], ", ")],
    ["Error", s.errorCode],
    ["Event id", s.eventId],
  ]
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}: ${v}`);
  for (const a of actions) lines.push(`${a.label}: ${a.url}`);
  return lines;
}

const isoMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

function windowText(w: TimeWindow): string {
  const start = isoMinute(w.start);
  const end = isoMinute(w.end + 1);
  return start.slice(0, 10) === end.slice(0, 10)
    ? `${start}-${end.slice(11)} UTC`
    : `${start} to ${end} UTC`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function countText(e: MatchingEvents): string {
  return e.truncated ? `at least ${e.count} events` : plural(e.count, "event");
}

function asciiSubject(s: string): string {
  const ascii = s
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return ascii.length <= 100 ? ascii : `${ascii.slice(0, 97)}...`;
}

function ruleText(entry: AlarmCatalogEntry): string {
  const p = entry.periodSeconds;
  const per = p === 60 ? "minute" : p % 60 === 0 ? `${p / 60} minutes` : `${p} seconds`;
  const periods =
    entry.evaluationPeriods > 1 ? `, in ${entry.evaluationPeriods} periods in a row` : "";
  return `threshold: ${entry.threshold} or more events per ${per}${periods}`;
}

/** Builds both renderings; see the module comment. */
export function alarmMessage(m: MessageInput): AlarmMessage {
  const { entry, alarm, window } = m;
  const sev = entry.severity.toUpperCase();
  const listed = "error" in m.events ? undefined : m.events;
  const summaries = (listed?.records ?? []).map((r) => ({
    s: summarize(r, entry.resourceFields),
    actions: m.actionsFor?.(r) ?? [],
  }));
  const headline = listed
    ? `${entry.title}: ${countText(listed)}, ${windowText(window)}`
    : `${entry.title}, ${windowText(window)}`;
  const subject = asciiSubject(`[${sev}] ${headline}`);
  const firedAt = alarm.detail.state.timestamp.replace(/\.\d+\+0000$/, "Z");

  const intro = `trailwatch alarm ${alarm.detail.alarmName} went into ALARM at ${firedAt} (${ruleText(entry)}), in account ${alarm.account}, ${alarm.region}.`;
  const body: string[] = [`[${sev}] ${headline}`, "", intro, ""];
  if (!listed) {
    body.push(
      `trailwatch could not list the events (${(m.events as { error: string }).error}). Open the Logs Insights link below to see them.`,
    );
  } else if (listed.count === 0) {
    body.push(
      "No matching events were found in the log group for this window. CloudTrail can deliver events to CloudWatch Logs several minutes late: the Logs Insights link below shows them once they arrive.",
    );
  } else {
    summaries.forEach(({ s, actions }, i) => {
      body.push(
        `${i + 1}. ${joinDefined([s.time, s.call], "  ") || "(event without time or name)"}`,
      );
      for (const line of eventLines(s, actions)) body.push(`   ${line}`);
      body.push("");
    });
    const shown = summaries.length;
    const stopped = listed.truncated
      ? ` (listing stopped after ${plural(listed.pages, "page")})`
      : "";
    body.push(
      shown === listed.count
        ? `${shown === 1 ? "This is the only event" : `These are all ${shown} events`} in the window.`
        : `Showing the first ${shown} of ${countText(listed)}${stopped}.`,
    );
  }
  body.push(
    "",
    `Why it matters: ${entry.rationale}`,
    `Investigate: ${entry.investigate}`,
    `All events in CloudWatch Logs Insights: ${m.insightsUrl}`,
    "",
    `Detection ${entry.detectionId}${entry.references.length > 0 ? `; ${entry.references.join("; ")}` : ""}.`,
    ...(entry.attribution ? [entry.attribution] : []),
  );

  const chatEvents = summaries.slice(0, 5).map(({ s, actions }) => {
    const head = joinDefined([s.time && `\`${s.time}\``, s.call && `*${s.call}*`], " ");
    const parts = joinDefined(
      [
        who(s) && `by ${who(s)}`,
        s.resource && `on ${s.resource}`,
        s.region && `in ${s.region}`,
        s.sourceIp && `from ${s.sourceIp}`,
        s.errorCode && `error ${s.errorCode}`,
      ],
      " ",
    );
    const links = actions.map((a) => `<${a.url}|${a.label}>`).join(" · ");
    return `• ${joinDefined([head, parts, links], " ")}`;
  });
  let description: string;
  if (!listed)
    description = `trailwatch could not list the events (${(m.events as { error: string }).error}).`;
  else if (listed.count === 0)
    description = "No matching events in the log group yet (CloudTrail delivery can lag).";
  else
    description = [
      ...chatEvents,
      ...(summaries.length < listed.count || chatEvents.length < summaries.length
        ? [`_${chatEvents.length} of ${countText(listed)} shown._`]
        : []),
    ].join("\n");
  const chat: ChatbotNotification = {
    version: "1.0",
    source: "custom",
    id: `${alarm.detail.alarmName}/${alarm.detail.state.timestamp}`,
    content: {
      textType: "client-markdown",
      title: `${SEVERITY_EMOJI[entry.severity]} [${sev}] ${headline}`,
      description: `${description}\n\n*Why it matters:* ${entry.rationale}`.slice(0, 3800),
      nextSteps: [
        `Investigate: ${entry.investigate}`,
        `<${m.insightsUrl}|Open the events in CloudWatch Logs Insights>`,
        ...(entry.attribution ? [entry.attribution] : []),
      ],
      keywords: [entry.severity, entry.detectionId, alarm.region],
    },
    metadata: {
      threadId: alarm.detail.alarmName,
      summary: subject,
      eventType: "trailwatch alarm",
      relatedResources: [
        ...new Set(summaries.map(({ s }) => s.principal).filter((p): p is string => !!p)),
      ].slice(0, 5),
      additionalContext: { alarmName: alarm.detail.alarmName, detection: entry.detectionId },
    },
  };
  return { subject, text: body.join("\n"), chat };
}
