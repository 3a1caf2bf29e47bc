import { EVENT_FIELDS, resourceEventPath } from "./event-fields";
import { resourceFieldsOf } from "./render";
import type { Detection } from "./types";

/**
 * EventBridge input transformer that turns a CloudTrail event into one readable sentence:
 * "[HIGH] IAM access key created: arn:aws:iam::...:user/alice (IAMUser) called
 * iam.amazonaws.com CreateAccessKey on bob in us-east-1, account 111122223333, from 203.0.113.5
 * (aws-cli/2.15) at 2026-11-26T10:00:00Z. Error: . Event id: ...".
 * Missing fields render empty, so one template serves every detection.
 */
export function notificationTransformer(d: Detection): {
  inputPaths: Record<string, string>;
  inputTemplate: string;
} {
  const inputPaths: Record<string, string> = Object.fromEntries(
    EVENT_FIELDS.map((f) => [f.key, f.eventPath]),
  );
  const fields = resourceFieldsOf(d);
  for (const f of fields) inputPaths[`r_${f}`] = resourceEventPath(f);
  // Usually one or two fields are present per call; absent ones render empty.
  const resource = fields.map((f) => `<r_${f}>`).join(" ") || "the account";
  // EventBridge reads <...> as a placeholder: the constant text must not contain angle brackets.
  const text = (s: string) => s.replace(/[<>]/g, "");
  const sentence =
    `[${d.severity.toUpperCase()}] ${text(d.title)}: <principal> (<principalType>) called ` +
    `<eventSource> <eventName> on ${resource} in <region>, account <account>, from <sourceIp> ` +
    `(<userAgent>) at <time>. Error: <errorCode>. Event id: <eventId>. Detection ${d.id}. ` +
    `Investigate: ${text(d.investigate)}${d.attribution ? ` ${text(d.attribution)}` : ""}`;
  return { inputPaths, inputTemplate: JSON.stringify(sentence) };
}
