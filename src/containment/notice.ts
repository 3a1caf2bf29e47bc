/**
 * The notification for an event-delivered detection whose action is enabled: the same sentence
 * the plain EventBridge notification gives (who called what on which resource, where, from
 * where, when), with only the fields the record has, followed by the containment link or the
 * reason there is none.
 */
import { ACTIONS } from "./actions";
import type { IssueResult } from "./claims";
import { RESOURCE_FIELDS_BY_SOURCE } from "../detections/render";
import { principalOf, stringAt, accountOf, type CloudTrailRecord } from "./record";

export interface DetectionText {
  readonly title: string;
  readonly severity: string;
  readonly investigate?: string;
}

/** SNS e-mail subjects: printable ASCII, under 100 characters (SNS Publish API reference). */
export function subjectLine(s: string): string {
  const ascii = s.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length < 100 ? ascii : `${ascii.slice(0, 96)}...`;
}

/** The resource a call names: the request parameters its service uses for that, present ones only. */
export function resourceOf(record: CloudTrailRecord): string | undefined {
  const fields = RESOURCE_FIELDS_BY_SOURCE[String(record.eventSource)] ?? [];
  const values = fields
    .map((f) => stringAt(record, `requestParameters.${f}`))
    .filter((v): v is string => v !== undefined);
  return values.length > 0 ? values.join(" ") : undefined;
}

/** "[HIGH] IAM access key created: alice (IAMUser) called iam.amazonaws.com CreateAccessKey on bob in ...". */
export function eventSentence(d: DetectionText, record: CloudTrailRecord): string {
  const type = stringAt(record, "userIdentity.type");
  const resource = resourceOf(record);
  const ip = stringAt(record, "sourceIPAddress");
  const agent = stringAt(record, "userAgent");
  const error = stringAt(record, "errorCode");
  const account = accountOf(record);
  const parts = [
    `[${d.severity.toUpperCase()}] ${d.title}: ${principalOf(record)}${type ? ` (${type})` : ""}`,
    ` called ${String(record.eventSource)} ${String(record.eventName)}`,
    resource ? ` on ${resource}` : "",
    ` in ${String(record.awsRegion)}`,
    account ? `, account ${account}` : "",
    ip ? `, from ${ip}` : "",
    agent ? ` (${agent})` : "",
    ` at ${String(record.eventTime)}.`,
    error ? ` It failed: ${error}.` : "",
    ` Event id: ${String(record.eventID)}.`,
    d.investigate ? ` Investigate: ${d.investigate}` : "",
  ];
  return parts.join("");
}

/** The containment paragraph under the sentence (empty when the record is not the action's business). */
export function containmentParagraph(
  issued: IssueResult | { kind: "error"; reason: string },
): string {
  if (issued === undefined) return "";
  if (issued.kind !== "link") return `No containment link: ${issued.reason}.`;
  const action = ACTIONS[issued.claims.action];
  return [
    `Containment available: ${action.title} (${action.describe(issued.claims.target)}).`,
    `The link opens a confirmation page; nothing changes until someone presses its button. It works once, until ${new Date(issued.claims.expires * 1000).toISOString()}:`,
    issued.url,
  ].join("\n");
}
