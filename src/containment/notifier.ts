/**
 * The signing step for event-delivered detections: an EventBridge input transformer cannot
 * compute an HMAC, so the rules of detections with a containment action target this function
 * instead of the topic. It receives `{"detection": "<id>", "event": <the EventBridge event>}`,
 * writes the notification sentence, appends a signed link for the resource the CloudTrail record
 * names, and publishes to the alert topic.
 *
 * The alert always goes out: when no link can be made (the record does not name the resource
 * exactly, the signing key cannot be read) the sentence is published with the reason instead.
 * Only a failure to publish throws, so Lambda's asynchronous retries and the dead-letter queue
 * take over.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { issueLink, type IssueResult } from "./claims";
import { describeError } from "./effects/outcome";
import { containmentParagraph, eventSentence, resourceOf, subjectLine } from "./notice";
import { isObject, stringAt } from "./record";
import { loadSettings, topicFor, type ContainmentSettings } from "./settings";
import { SigningKeys } from "./signing-key";

export interface NotifierInput {
  readonly detection: string;
  readonly event: { readonly detail?: unknown };
}

export interface NotifierDeps {
  readonly settings: ContainmentSettings;
  readonly keys: Pick<SigningKeys, "signingKey">;
  readonly sns: SNSClient;
  readonly now: () => number;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/** The subject and message for one event. */
export async function composeNotice(
  input: NotifierInput,
  deps: Omit<NotifierDeps, "sns">,
): Promise<{
  subject: string;
  message: string;
  issued: IssueResult | { kind: "error"; reason: string };
}> {
  const s = deps.settings;
  const record = input.event.detail;
  if (!isObject(record)) throw new Error("the event has no CloudTrail record in detail");
  const text = s.detections[input.detection] ?? { title: input.detection, severity: "info" };
  const action = s.actions[input.detection];
  let issued: IssueResult | { kind: "error"; reason: string } = undefined;
  if (action) {
    try {
      issued = issueLink({
        baseUrl: s.baseUrl,
        record,
        detection: input.detection,
        action,
        expirySeconds: s.expirySeconds,
        now: deps.now(),
        key: await deps.keys.signingKey(),
      });
    } catch (e) {
      deps.log("link-not-signed", { detection: input.detection, error: describeError(e) });
      issued = { kind: "error", reason: `the link could not be signed (${describeError(e)})` };
    }
  }
  const paragraph = containmentParagraph(issued);
  const sentence = eventSentence(text, record);
  const resource = resourceOf(record);
  return {
    subject: subjectLine(
      `[${text.severity.toUpperCase()}] ${text.title}${resource ? `: ${resource}` : ""}${issued?.kind === "link" ? " (containment link)" : ""}`,
    ),
    message: paragraph ? `${sentence}\n\n${paragraph}` : sentence,
    issued,
  };
}

export function createNotifier(deps: NotifierDeps): (input: NotifierInput) => Promise<void> {
  return async (input) => {
    const notice = await composeNotice(input, deps);
    await deps.sns.send(
      new PublishCommand({
        TopicArn: topicFor(deps.settings, input.detection),
        Subject: notice.subject,
        Message: notice.message,
      }),
    );
    deps.log("notified", {
      detection: input.detection,
      eventId: stringAt(input.event.detail, "eventID"),
      link: notice.issued?.kind ?? "none",
    });
  };
}

let notifier: ((input: NotifierInput) => Promise<void>) | undefined;

/** The Lambda entry point (asynchronous invocation by EventBridge). */
export async function handler(input: NotifierInput): Promise<void> {
  if (!notifier) {
    const settings = loadSettings();
    notifier = createNotifier({
      settings,
      keys: new SigningKeys(new SecretsManagerClient({}), settings.secretId),
      sns: new SNSClient({}),
      now: Date.now,
      log: (event, fields) => console.log(JSON.stringify({ event, ...fields })),
    });
  }
  await notifier(input);
}
