/**
 * The alarm enrichment handler on real CloudTrail records (__tests__/fixtures/records.jsonl).
 * AWS is faked only at the SDK-client boundary (aws-sdk-client-mock): the fake FilterLogEvents
 * serves the fixture records as a log group, filtered by trailwatch's own filter-pattern evaluator
 * (src/patterns/filter-pattern.ts) and the requested time range, in small pages with an empty page
 * that still carries a token. Window, pagination, pacing, formatting and publishing are the real code.
 */
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type FilterLogEventsCommandInput,
} from "@aws-sdk/client-cloudwatch-logs";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { alarmCatalog, type AlarmCatalog } from "../../src/alerts/catalog";
import { createHandler, type Route } from "../../src/alerts/handler";
import type { AlarmStateChangeEvent } from "../../src/alerts/alarm-event";
import { DEFAULT_LIMITS, type Clock } from "../../src/alerts/matching-events";
import { alarmDetections, selectDetections } from "../../src/detections/select";
import { chatbotNotificationSchema } from "../../src/channels/chatbot-notification";
import { compileFilterPattern } from "../../src/patterns/filter-pattern";
import { config } from "../helpers";
import { REAL_RECORDS, WATCHED } from "../support/records";

const PREFIX = "trailwatch-";
const TOPIC = "arn:aws:sns:ap-northeast-1:111122223333:trailwatch-alerts";
const CHAT_TOPIC = "arn:aws:sns:ap-northeast-1:111122223333:trailwatch-alerts-chat";
const LOG_GROUP = "/trailwatch/cloudtrail";
const CATALOG: AlarmCatalog = alarmCatalog(
  alarmDetections(selectDetections(config(), WATCHED)),
  PREFIX,
);

/**
 * The fixture records as CloudWatch Logs would hold them: the record JSON, timestamped eventTime
 * (records whose eventTime was redacted cannot be placed in time and are left out).
 */
const LOG_EVENTS = REAL_RECORDS.filter((r) => Number.isFinite(Date.parse(r.eventTime)))
  .map((r) => {
    const record = Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith("_")));
    return {
      timestamp: Date.parse(r.eventTime),
      message: JSON.stringify(record),
      eventId: r.eventID,
    };
  })
  .sort((a, b) => a.timestamp - b.timestamp);

const PAGE_SIZE = 2;
const logs = mockClient(CloudWatchLogsClient);
const sns = mockClient(SNSClient);
let filterCalls: FilterLogEventsCommandInput[];

/** FilterLogEvents over LOG_EVENTS: first an empty page with a token, then PAGE_SIZE per page. */
function serveLogGroup(): void {
  logs.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => {
    filterCalls.push(input);
    expect(input.logGroupName).toBe(LOG_GROUP);
    const match = compileFilterPattern(input.filterPattern ?? "");
    const hits = LOG_EVENTS.filter(
      (e) =>
        e.timestamp >= (input.startTime ?? 0) &&
        e.timestamp <= (input.endTime ?? Infinity) &&
        match(e.message),
    );
    if (!input.nextToken) return { events: [], nextToken: "page-0" };
    const page = Number(input.nextToken.slice(5));
    const slice = hits.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    const more = (page + 1) * PAGE_SIZE < hits.length;
    return {
      events: slice.map((e) => ({ ...e, logStreamName: "111122223333_CloudTrail_us-east-1" })),
      nextToken: more ? `page-${page + 1}` : undefined,
    };
  });
}

/** A fake clock: time advances only by sleeping, and every sleep is recorded. */
function fakeClock(): Clock & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

const routes = (chat = false): Record<string, Route> =>
  Object.fromEntries(
    ["critical", "high", "medium", "low"].map((s) => [
      s,
      { topicArn: TOPIC, ...(chat ? { chatTopicArn: CHAT_TOPIC } : {}) },
    ]),
  );

function handlerWith(opts: { chat?: boolean; limits?: Partial<typeof DEFAULT_LIMITS> } = {}) {
  const clock = fakeClock();
  const handler = createHandler({
    logs: new CloudWatchLogsClient({ region: "ap-northeast-1" }),
    sns: new SNSClient({ region: "ap-northeast-1" }),
    catalog: () => CATALOG,
    settings: () => ({
      logGroupName: LOG_GROUP,
      routes: routes(opts.chat),
      limits: { ...DEFAULT_LIMITS, ...opts.limits },
    }),
    clock,
    log: () => undefined,
  });
  return { handler, clock };
}

/** Matching fixture events for a detection, and the minute holding the most of them. */
function busiestMinute(detectionId: string) {
  const entry = CATALOG.alarms[`${PREFIX}${detectionId}`];
  const match = compileFilterPattern(entry.filterPattern);
  const hits = LOG_EVENTS.filter((e) => match(e.message));
  const byMinute = new Map<number, typeof hits>();
  for (const h of hits) {
    const m = Math.floor(h.timestamp / 60000) * 60000;
    byMinute.set(m, [...(byMinute.get(m) ?? []), h]);
  }
  const [minute, events] = [...byMinute.entries()].sort(
    (a, b) => b[1].length - a[1].length || a[0] - b[0],
  )[0];
  return { minute, events };
}

const cwTime = (ms: number) => new Date(ms).toISOString().replace("Z", "+0000");

/** A "CloudWatch Alarm State Change" event as EventBridge delivers it (AWS documentation's shape). */
function alarmEvent(detectionId: string, minute: number, count: number): AlarmStateChangeEvent {
  const alarmName = `${PREFIX}${detectionId}`;
  const stateTime = minute + 60000 + 45000;
  return {
    version: "0",
    id: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    account: "111122223333",
    time: new Date(stateTime).toISOString().replace(/\.\d+Z$/, "Z"),
    region: "ap-northeast-1",
    resources: [`arn:aws:cloudwatch:ap-northeast-1:111122223333:alarm:${alarmName}`],
    detail: {
      alarmName,
      configuration: {
        description: "trailwatch alarm",
        metrics: [
          {
            id: "m1",
            metricStat: {
              metric: { name: detectionId, namespace: "trailwatch", dimensions: {} },
              period: 60,
              stat: "Sum",
            },
            returnData: true,
          },
        ],
      },
      previousState: { value: "OK", timestamp: cwTime(minute - 600000) },
      state: {
        value: "ALARM",
        reason: `Threshold Crossed: 1 out of the last 1 datapoints [${count}.0 (${new Date(minute).toISOString()})] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).`,
        reasonData: JSON.stringify({
          version: "1.0",
          queryDate: cwTime(stateTime),
          startDate: cwTime(minute),
          statistic: "Sum",
          period: 60,
          recentDatapoints: [count],
          threshold: 1,
          evaluatedDatapoints: [{ timestamp: cwTime(minute), sampleCount: count, value: count }],
        }),
        timestamp: cwTime(stateTime),
      },
    },
  } as AlarmStateChangeEvent;
}

function published(): { TopicArn?: string; Subject?: string; Message?: string }[] {
  return sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
}

beforeEach(() => {
  logs.reset();
  sns.reset();
  filterCalls = [];
  serveLogGroup();
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
});

describe.each([
  ["cis-root-usage"],
  ["cis-unauthorized-api-calls"],
  ["cis-console-signin-without-mfa"],
])("%s alarm on the fixture records", (detectionId) => {
  const { minute, events } = busiestMinute(detectionId);

  test("lists exactly the matching records of the alarm's minute, and publishes once", async () => {
    const { handler } = handlerWith();
    const outcome = await handler(alarmEvent(detectionId, minute, events.length));
    expect(outcome).toEqual({ kind: "published", events: events.length, topics: [TOPIC] });
    const [msg] = published();
    expect(msg.TopicArn).toBe(TOPIC);
    const shown = Math.min(events.length, DEFAULT_LIMITS.keep);
    const listedIds = [...msg.Message!.matchAll(/Event id: (\S+)/g)].map((m) => m[1]);
    expect(listedIds).toEqual(events.slice(0, shown).map((e) => e.eventId));
    // The query ran the deployed pattern over the alarm's one-minute window.
    expect(filterCalls[0]).toMatchObject({
      filterPattern: CATALOG.alarms[`${PREFIX}${detectionId}`].filterPattern,
      startTime: minute,
      endTime: minute + 59999,
    });
    expect(filterCalls).toHaveLength(1 + Math.max(1, Math.ceil(events.length / PAGE_SIZE)));
  });

  test("message (snapshot, reviewed for readability)", async () => {
    const { handler } = handlerWith();
    await handler(alarmEvent(detectionId, minute, events.length));
    const [msg] = published();
    expect(msg.Subject!.length).toBeLessThanOrEqual(100);
    expect(msg.Subject).toMatch(/^[\x20-\x7e]+$/);
    expect(`Subject: ${msg.Subject}\n\n${msg.Message}`).toMatchSnapshot();
  });

  test("no empty placeholders", async () => {
    const { handler } = handlerWith();
    await handler(alarmEvent(detectionId, minute, events.length));
    const text = published()[0].Message!;
    expect(text).not.toMatch(/undefined|null|NaN|\(\)|: *$|: \.|, ,|^\s+\S+:\s*$/m);
  });
});

test("root usage lists who, what and from where for the real record", async () => {
  const { minute, events } = busiestMinute("cis-root-usage");
  const { handler } = handlerWith();
  await handler(alarmEvent("cis-root-usage", minute, events.length));
  const record = JSON.parse(events[0].message);
  const text = published()[0].Message!;
  expect(text).toContain(`Principal: ${record.userIdentity.arn} (Root)`);
  expect(text).toContain(`${record.eventSource.split(".")[0]}:${record.eventName}`);
  expect(text).toContain(record.sourceIPAddress);
  expect(text).toContain("Why it matters: ");
  expect(text).toContain("Investigate: ");
  expect(text).toMatch(/All events in CloudWatch Logs Insights: https:\/\/ap-northeast-1\.console/);
});

test("an empty page that carries a token does not end paging; calls are paced", async () => {
  const { minute, events } = busiestMinute("cis-unauthorized-api-calls");
  expect(events.length).toBeGreaterThan(PAGE_SIZE);
  const { handler, clock } = handlerWith();
  await handler(alarmEvent("cis-unauthorized-api-calls", minute, events.length));
  const pages = 1 + Math.ceil(events.length / PAGE_SIZE);
  expect(filterCalls).toHaveLength(pages);
  expect(filterCalls[0].nextToken).toBeUndefined();
  expect(filterCalls[1].nextToken).toBe("page-0");
  // One wait of the minimum interval before every call but the first.
  expect(clock.sleeps).toEqual(Array(pages - 1).fill(DEFAULT_LIMITS.minIntervalMs));
});

test("paging stops at maxPages: the count becomes a lower bound", async () => {
  const { minute, events } = busiestMinute("cis-unauthorized-api-calls");
  const { handler } = handlerWith({ limits: { maxPages: 2, keep: 1 } });
  await handler(alarmEvent("cis-unauthorized-api-calls", minute, events.length));
  expect(filterCalls).toHaveLength(2);
  expect(published()[0].Message).toContain(
    "Showing the first 1 of at least 2 events (listing stopped after 2 pages).",
  );
  expect(published()[0].Subject).toContain("at least 2 events");
});

test("paging stops before the function's deadline", async () => {
  const { minute, events } = busiestMinute("cis-unauthorized-api-calls");
  const { handler } = handlerWith();
  let remaining = 12_000;
  const ctx = { getRemainingTimeInMillis: () => (remaining -= 1_000) };
  await handler(alarmEvent("cis-unauthorized-api-calls", minute, events.length), ctx);
  expect(filterCalls.length).toBeLessThan(1 + Math.ceil(events.length / PAGE_SIZE));
  expect(published()[0].Message).toMatch(/at least/);
});

test("FilterLogEvents failing still publishes the alarm, saying why, with the Insights link", async () => {
  logs.reset();
  logs.on(FilterLogEventsCommand).rejects(
    Object.assign(new Error("User is not authorized to perform: logs:FilterLogEvents"), {
      name: "AccessDeniedException",
    }),
  );
  const { minute } = busiestMinute("cis-root-usage");
  const { handler } = handlerWith();
  const outcome = await handler(alarmEvent("cis-root-usage", minute, 1));
  expect(outcome).toMatchObject({ kind: "published", events: "unlisted" });
  const text = published()[0].Message!;
  expect(text).toContain(
    "trailwatch could not list the events (AccessDeniedException: User is not authorized to perform: logs:FilterLogEvents).",
  );
  expect(text).toContain("logs-insights$3FqueryDetail$3D");
});

test("publishing failing fails the invocation (Lambda retries, then the dead-letter queue)", async () => {
  sns.reset();
  sns.on(PublishCommand).rejects(new Error("KMS.AccessDeniedException"));
  const { minute } = busiestMinute("cis-root-usage");
  const { handler } = handlerWith();
  await expect(handler(alarmEvent("cis-root-usage", minute, 1))).rejects.toThrow(/KMS/);
});

test("with a chat route, a readable AWS Chatbot custom notification goes to the chat topic", async () => {
  const { minute, events } = busiestMinute("cis-console-signin-without-mfa");
  const { handler } = handlerWith({ chat: true });
  const outcome = await handler(
    alarmEvent("cis-console-signin-without-mfa", minute, events.length),
  );
  expect(outcome).toMatchObject({ topics: [TOPIC, CHAT_TOPIC] });
  const chat = published().find((p) => p.TopicArn === CHAT_TOPIC)!;
  expect(chat.Subject).toBeUndefined();
  const card = JSON.parse(chat.Message!);
  expect(card).toMatchObject({
    version: "1.0",
    source: "custom",
    content: { textType: "client-markdown" },
    metadata: { threadId: `${PREFIX}cis-console-signin-without-mfa` },
  });
  expect(card.content.title).toMatch(/^⚠️ \[HIGH\] /);
  // AWS Chatbot drops a message that is not in its custom-notification schema.
  expect(() => chatbotNotificationSchema.parse(card)).not.toThrow();
  expect(card.content.description).toContain(JSON.parse(events[0].message).userIdentity.arn);
  expect(card.content.nextSteps[1]).toMatch(
    /^<https:\/\/ap-northeast-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=ap-northeast-1#logsV2:logs-insights\$3FqueryDetail\$3D.*\|Open the events in CloudWatch Logs Insights>$/,
  );
  expect(card.content.description.length).toBeLessThanOrEqual(3800);
});

test("actions offered per event are appended under it (containment links)", async () => {
  const { minute, events } = busiestMinute("cis-root-usage");
  const handler = createHandler({
    logs: new CloudWatchLogsClient({ region: "ap-northeast-1" }),
    sns: new SNSClient({ region: "ap-northeast-1" }),
    catalog: () => CATALOG,
    settings: () => ({ logGroupName: LOG_GROUP, routes: routes(), limits: DEFAULT_LIMITS }),
    clock: fakeClock(),
    log: () => undefined,
    actionsFor: (r) => [
      { label: "Contain", url: `https://example.invalid/x?e=${String(r.eventID)}` },
    ],
  });
  await handler(alarmEvent("cis-root-usage", minute, events.length));
  expect(published()[0].Message).toContain(
    `   Contain: https://example.invalid/x?e=${events[0].eventId}`,
  );
});

test("alarms that are not trailwatch detections, and other states, are ignored without AWS calls", async () => {
  const { handler } = handlerWith();
  const other = alarmEvent("cis-root-usage", 0, 1);
  const foreign = {
    ...other,
    detail: { ...other.detail, alarmName: "trailwatch-alert-enrichment-dlq-not-empty" },
  };
  expect((await handler(foreign)).kind).toBe("ignored");
  const ok = {
    ...other,
    detail: { ...other.detail, state: { ...other.detail.state, value: "OK" } },
  };
  expect((await handler(ok)).kind).toBe("ignored");
  expect(filterCalls).toHaveLength(0);
  expect(published()).toHaveLength(0);
});

test("a formatting failure still publishes the plain alarm", async () => {
  const { minute } = busiestMinute("cis-root-usage");
  const handler = createHandler({
    logs: new CloudWatchLogsClient({ region: "ap-northeast-1" }),
    sns: new SNSClient({ region: "ap-northeast-1" }),
    catalog: () => CATALOG,
    settings: () => ({ logGroupName: LOG_GROUP, routes: routes(), limits: DEFAULT_LIMITS }),
    clock: fakeClock(),
    log: () => undefined,
    actionsFor: () => {
      throw new Error("boom");
    },
  });
  const outcome = await handler(alarmEvent("cis-root-usage", minute, 1));
  expect(outcome).toMatchObject({ kind: "fallback", error: "Error: boom" });
  const text = published()[0].Message!;
  expect(text).toContain(`Alarm ${PREFIX}cis-root-usage went into ALARM`);
  expect(text).toContain("CloudWatch: Threshold Crossed");
});
