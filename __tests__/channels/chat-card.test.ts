/**
 * The chat card EventBridge rules send to a route's chat topic (src/channels/chat-card.ts): filled
 * from real CloudTrail records (fixtures/records.jsonl) the way EventBridge fills an input template
 * (support/input-transformer.ts), it must be an AWS Chatbot custom notification (or Chatbot drops
 * it) and read as a sentence with no empty placeholder.
 */
import { chatCardTransformer, fieldPresence } from "../../src/channels/chat-card";
import { chatbotNotificationSchema } from "../../src/channels/chatbot-notification";
import { absent, all, any, eq, present } from "../../src/detections/condition";
import { catalog } from "../../src/detections/catalog";
import { deliversEvent, eventPatternOf } from "../../src/detections/render";
import type { Detection } from "../../src/detections/types";
import { cloudTrailRecordToEvent } from "../../src/patterns/event-envelope";
import { matchesEventPattern } from "../../src/patterns/event-pattern";
import { applyInputTransformer } from "../support/input-transformer";
import { REAL_RECORDS, WATCHED, type CloudTrailRecord } from "../support/records";

const DETECTIONS = catalog(WATCHED);
const EVENT_DETECTIONS = DETECTIONS.filter(deliversEvent);

/** The EventBridge events of the real records a detection's rule matches. */
function matchingEvents(d: Detection): { record: CloudTrailRecord; event: any }[] {
  const pattern = eventPatternOf(d);
  return REAL_RECORDS.flatMap((record) => {
    let event: any;
    try {
      event = cloudTrailRecordToEvent(record);
    } catch {
      return []; // an eventType EventBridge does not deliver
    }
    return matchesEventPattern(pattern, event) ? [{ record, event }] : [];
  });
}

function card(d: Detection, event: unknown) {
  return chatbotNotificationSchema.parse(
    JSON.parse(applyInputTransformer(chatCardTransformer(d), event)),
  );
}

const covered = EVENT_DETECTIONS.filter((d) => matchingEvents(d).length > 0);

test("real records cover the event-delivered detections below", () => {
  // The watcher detections other than the key's name trailwatch's own resources, which no public
  // record touches; constructed records cover them in the detection tests.
  // The threat pack's event detections have real records too (Stratus Red Team detonations,
  // Panther's test events) but for those whose records are constructed.
  expect(covered.map((d) => d.id).sort()).toEqual([
    "bedrock-model-access-enabled",
    "cloudtrail-logging-stopped",
    "cloudtrail-selectors-narrowed",
    "cloudtrail-tampering",
    "dns-query-logging-deleted",
    "ebs-snapshot-shared",
    "ec2-ami-shared",
    "ec2-gpu-instances-requested",
    "ec2-serial-console-access",
    "ec2-user-data-modified",
    "iam-access-key-created",
    "iam-access-key-created-for-user",
    "iam-admin-policy-attached",
    "iam-console-password-set",
    "iam-policy-changed",
    "iam-role-created-cross-account",
    "iam-role-trust-policy-changed",
    "iam-user-created",
    "lambda-code-updated",
    "lambda-function-policy-opened",
    "lambda-layer-attached",
    "nacl-changed",
    "organizations-leave-attempted",
    "rds-snapshot-shared",
    "root-console-signin",
    "s3-lifecycle-short-expiration",
    "security-group-rule-changed",
    "ssm-shell-command-sent",
    "vpc-flow-logs-deleted",
    "watcher-trail-key-changed",
  ]);
});

describe.each(covered.map((d) => [d.id, d] as const))("%s", (_id, d) => {
  const events = matchingEvents(d);

  test("every matching real record gives a valid AWS Chatbot custom notification", () => {
    for (const { event } of events) expect(() => card(d, event)).not.toThrow();
  });

  test("who, what, where and when come from the record, and no placeholder is left empty", () => {
    for (const { record, event } of events) {
      const c = card(d, event);
      const text = c.content.description;
      expect(text).toContain(`*${record.eventSource} ${record.eventName}*`);
      expect(text).toContain(`by \`${record.userIdentity.arn}\` (${record.userIdentity.type})`);
      expect(text).toContain(`in account ${event.account}, ${record.awsRegion}`);
      expect(text).toContain(`from ${record.sourceIPAddress} at ${record.eventTime}`);
      expect(c.content.nextSteps).toContain(`Event id: ${record.eventID}`);
      expect(c.id).toBe(record.eventID);
      expect(c.metadata?.additionalContext?.userAgent).toBe(record.userAgent);
      // Empty placeholders would read as "``", "()", "on ," or "from  at".
      expect(text).not.toMatch(/``|\(\)|\s,|\s{2}|\s\.$/);
      expect(c.content.title).toMatch(/^\S+ \[(CRITICAL|HIGH|MEDIUM|LOW)\] \S/);
    }
  });
});

test("a root console sign-in reads as a sentence (reviewed card)", () => {
  const d = DETECTIONS.find((x) => x.id === "root-console-signin")!;
  const { record, event } = matchingEvents(d)[0];
  const c = card(d, event);
  expect(c.content.title).toBe(`🚨 [CRITICAL] ${d.title}`);
  expect(c.content.description).toBe(
    `*signin.amazonaws.com ConsoleLogin* by \`${record.userIdentity.arn}\` (Root) in account ` +
      `${event.account}, ${record.awsRegion}, from ${record.sourceIPAddress} at ${record.eventTime}. ` +
      `*Why it matters:* ${d.rationale}${d.attribution ? ` ${d.attribution}` : ""}`,
  );
});

test("a resource the detection names is shown when its pattern guarantees it (IAM access key: the user)", () => {
  const d = DETECTIONS.find((x) => x.id === "iam-access-key-created")!;
  const withUser = matchingEvents(d).filter(({ record }) => record.requestParameters?.userName);
  const { template } = { template: chatCardTransformer(d).inputTemplate };
  // CreateAccessKey without userName creates a key for the caller: the pattern does not require it.
  if (template.includes("<r_userName>")) {
    expect(withUser.length).toBeGreaterThan(0);
    for (const { record, event } of withUser)
      expect(card(d, event).content.description).toContain(
        `on \`${record.requestParameters.userName}\``,
      );
  } else {
    for (const { event } of matchingEvents(d))
      expect(card(d, event).content.description).not.toMatch(/ on /);
  }
});

test("a user agent with quotes and backslashes stays valid JSON (it is placed as an escaped JSON value)", () => {
  const d = EVENT_DETECTIONS.find((x) => x.id === "cloudtrail-tampering")!;
  const { event } = matchingEvents(d)[0];
  const hostile = structuredClone(event);
  hostile.detail.userAgent = 'curl/8 "}, "x": "\\ injected';
  expect(card(d, hostile).metadata?.additionalContext?.userAgent).toBe(hostile.detail.userAgent);
});

test("every detection's card template fits EventBridge's 8192 characters and holds no stray placeholder", () => {
  for (const d of DETECTIONS) {
    const t = chatCardTransformer(d);
    expect(t.inputTemplate.length).toBeLessThanOrEqual(8192);
    for (const [, name] of t.inputTemplate.matchAll(/<([A-Za-z0-9_]+)>/g))
      expect(Object.keys(t.inputPaths)).toContain(name);
  }
});

describe("fieldPresence: what a condition guarantees about a field", () => {
  test.each([
    [eq("errorCode", "AccessDenied"), "present"],
    [absent("errorCode"), "absent"],
    [all(eq("eventName", "X"), present("errorCode")), "present"],
    [any(eq("errorCode", "A"), eq("eventName", "X")), "unknown"],
    [any(eq("errorCode", "A"), eq("errorCode", "B")), "present"],
    [eq("eventName", "X"), "unknown"],
  ] as const)("%j: %s", (c, expected) => {
    expect(fieldPresence(c, "errorCode")).toBe(expected);
  });
});
