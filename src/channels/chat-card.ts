/**
 * The EventBridge input transformer that turns a CloudTrail event into an AWS Chatbot custom
 * notification (src/channels/chatbot-notification.ts), for the rule target that publishes to a
 * route's chat topic. The e-mail sentence (src/detections/notification.ts) is plain text, which
 * Chatbot drops; this card is what Slack and Teams show:
 *
 *   🚨 [CRITICAL] trailwatch's trail stopped, deleted or changed
 *   *cloudtrail.amazonaws.com StopLogging* by `arn:aws:iam::111122223333:user/alice` (IAMUser)
 *   in account 111122223333, ap-northeast-1, from 203.0.113.5 at 2026-01-31T10:00:00Z.
 *   *Why it matters:* Every alarm depends on this trail delivering events.
 *   Next steps: • Investigate: ... • Event id: ...
 *
 * How EventBridge fills a JSON template (EventBridge User Guide, "Amazon EventBridge input
 * transformation", and the InputTransformer API reference): a placeholder standing as a JSON value
 * (`"id": <eventId>`) becomes the value as JSON, quoted and escaped; a placeholder inside a JSON
 * string (`"by <principal>"`) is replaced by the raw text, NOT escaped; a path that is absent gives
 * an empty value. So:
 * - inside strings go only fields whose values AWS writes and which cannot hold `"` or `\`: the
 *   envelope (account, region, time), eventSource, eventName, eventID, errorCode, sourceIPAddress,
 *   userIdentity.type and .arn (IAM and STS names allow only `\w+=,.@-`), and resource names the
 *   detection's own pattern requires to be present;
 * - the user agent (free text any caller chooses: a `"` in it would break the JSON and Chatbot would
 *   drop the card, hiding the alert from chat) goes only as a JSON value;
 * - a field goes into the text only where the detection's condition guarantees it is present (an
 *   error code only for detections of failed calls, a resource only when the pattern names it), so
 *   no card has an empty placeholder.
 * Values sit in code spans, so an ARN's `_` or `*` is not read as Slack or Teams markdown.
 */
import { isLeaf, leafOperator, type Condition } from "../detections/condition";
import { resourceFieldsOf } from "../detections/render";
import { resourceEventPath } from "../detections/event-fields";
import type { Detection } from "../detections/types";
import { SEVERITY_EMOJI } from "./severity-emoji";

/** Fields that may be placed inside template strings: AWS writes them, without `"` or `\`. */
const TEXT_FIELDS = {
  principal: "$.detail.userIdentity.arn",
  principalType: "$.detail.userIdentity.type",
  eventSource: "$.detail.eventSource",
  eventName: "$.detail.eventName",
  region: "$.region",
  account: "$.account",
  sourceIp: "$.detail.sourceIPAddress",
  time: "$.time",
  eventId: "$.detail.eventID",
  errorCode: "$.detail.errorCode",
} as const;

/** Fields placed only as JSON values (EventBridge escapes those). */
const VALUE_FIELDS = { userAgent: "$.detail.userAgent" } as const;

/**
 * Whether every record satisfying `c` has `field` (`present`), none has it (`absent`), or either
 * may happen (`unknown`). Every operator but `exists: false` needs the field present
 * (src/detections/condition.ts).
 */
export function fieldPresence(c: Condition, field: string): "present" | "absent" | "unknown" {
  if (isLeaf(c)) {
    if (c.field !== field) return "unknown";
    const op = leafOperator(c);
    return op.op === "exists" && !op.exists ? "absent" : "present";
  }
  const parts = ("all" in c ? c.all : c.any).map((x) => fieldPresence(x, field));
  if ("all" in c) {
    if (parts.includes("present")) return "present";
    if (parts.includes("absent")) return "absent";
    return "unknown";
  }
  if (parts.length > 0 && parts.every((p) => p === "present")) return "present";
  if (parts.length > 0 && parts.every((p) => p === "absent")) return "absent";
  return "unknown";
}

/** Markdown-safe constant text: no `<` or `>` (EventBridge reads them as placeholders). */
const constant = (s: string) => s.replace(/[<>]/g, "");

/**
 * The chat card's input transformer for a detection: `inputTemplate` is a JSON object in the
 * Chatbot custom-notification schema once EventBridge fills it. Throws if the template would exceed
 * EventBridge's 8192 characters.
 */
export function chatCardTransformer(d: Detection): {
  inputPaths: Record<string, string>;
  inputTemplate: string;
} {
  const inputPaths: Record<string, string> = { ...TEXT_FIELDS, ...VALUE_FIELDS };
  const resources = resourceFieldsOf(d).filter(
    (f) => fieldPresence(d.condition, `requestParameters.${f}`) === "present",
  );
  for (const f of resources) inputPaths[`r_${f}`] = resourceEventPath(f);
  const failed = fieldPresence(d.condition, "errorCode") === "present";
  // Declare only what the card shows.
  if (!failed) delete inputPaths.errorCode;
  const sev = d.severity.toUpperCase();
  // Placeholders are written into the template text after JSON encoding of the constant parts.
  const on = resources.length > 0 ? ` on ${resources.map((f) => `\`<r_${f}>\``).join(", ")}` : "";
  // One paragraph: whether EventBridge keeps a `\n` escape inside a JSON template as an escape is
  // not documented, and a raw line break inside a JSON string would make Chatbot drop the card.
  const description = [
    `*<eventSource> <eventName>* by \`<principal>\` (<principalType>)${on} in account <account>, <region>, from <sourceIp> at <time>${failed ? `, failed with <errorCode>` : ""}.`,
    `*Why it matters:* ${constant(d.rationale)}`,
    ...(d.attribution ? [constant(d.attribution)] : []),
  ].join(" ");
  const card = {
    version: "1.0",
    source: "custom",
    id: "@eventId@",
    content: {
      textType: "client-markdown",
      title: `${SEVERITY_EMOJI[d.severity]} [${sev}] ${constant(d.title)}`,
      description,
      nextSteps: [`Investigate: ${constant(d.investigate)}`, "Event id: <eventId>"],
      keywords: [d.severity, d.id],
    },
    metadata: {
      summary: `[${sev}] ${constant(d.title)}`,
      eventType: "trailwatch detection",
      additionalContext: { detection: d.id, eventId: "@eventId@", userAgent: "@userAgent@" },
    },
  };
  // JSON-encode the constant parts, then put the JSON-valued placeholders in place of their markers.
  const inputTemplate = JSON.stringify(card)
    .replaceAll('"@eventId@"', "<eventId>")
    .replaceAll('"@userAgent@"', "<userAgent>");
  if (inputTemplate.length > 8192)
    throw new Error(
      `detection ${d.id}: the chat card's input template is ${inputTemplate.length} characters; EventBridge allows 8192`,
    );
  return { inputPaths, inputTemplate };
}
