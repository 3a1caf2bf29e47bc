/**
 * The notification sent after a link was used: who confirmed it (source address and browser),
 * what was done to what, and how to undo it. It goes to the alert topic, so everyone who got the
 * alert learns that someone acted on it.
 */
import type { ContainmentAction } from "./action";
import type { LinkClaims } from "./claims";
import type { Outcome } from "./effects/outcome";

/** SNS e-mail subjects are at most 100 characters (SNS Publish API reference). */
export const MAX_SUBJECT = 100;

export interface FollowUp {
  readonly subject: string;
  readonly message: string;
}

const STATUS_WORDS: Record<Outcome["status"], string> = {
  done: "done",
  unchanged: "nothing to change (already tight)",
  gone: "nothing to do (resource gone or changed)",
  partial: "partly done",
  failed: "failed",
};

const SUBJECT_WORDS: Record<Outcome["status"], string> = {
  done: "done",
  unchanged: "no change",
  gone: "nothing to do",
  partial: "partly done",
  failed: "FAILED",
};

/** SNS subjects must be printable ASCII without line breaks, under 100 characters. */
function subjectOf(s: string): string {
  const ascii = s.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length < MAX_SUBJECT ? ascii : `${ascii.slice(0, MAX_SUBJECT - 4)}...`;
}

export function followUp(
  c: LinkClaims,
  action: ContainmentAction<unknown>,
  outcome: Outcome,
  who: { readonly sourceIp: string; readonly userAgent: string; readonly at: number },
  roleArn: string,
): FollowUp {
  const section = (title: string, items: readonly string[]) =>
    items.length > 0 ? [``, `${title}:`, ...items.map((i) => `- ${i}`)] : [];
  const lines = [
    `${who.sourceIp} (${who.userAgent || "unknown browser"}) confirmed the containment link at ${new Date(who.at).toISOString()}.`,
    ``,
    `Action: ${action.title} on ${action.describe(c.target)}: ${STATUS_WORDS[outcome.status]}.`,
    `Alerted event: ${c.principal} called ${c.call} at ${c.eventTime} in ${c.region}, account ${c.account} (event id ${c.eventId}, detection ${c.detection}).`,
    ...section("Changed", outcome.changes),
    ...section("Notes", outcome.notes),
    ...section("To undo", outcome.undo),
    ``,
    `The AWS calls were made by ${roleArn}; CloudTrail records them under that role.`,
  ];
  return {
    subject: subjectOf(
      `trailwatch containment ${SUBJECT_WORDS[outcome.status]}: ${action.describe(c.target)}`,
    ),
    message: lines.join("\n"),
  };
}
