/**
 * Containment links in enriched alarm messages: an alarm-delivered detection (S3 bucket created,
 * the CIS security-group alarm) is reported by the alarm enrichment function (src/alerts), which
 * lists the CloudTrail records behind the alarm. For each record it asks this module for the
 * link to offer under it.
 *
 * The signing key is read (or created) once per alarm, before the message is written, so the
 * per-record function is synchronous. Containment never holds up an alert: without settings,
 * for a detection without an action, or when the key cannot be read, records simply get no link
 * (and the reason is logged).
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { ACTIONS } from "./actions";
import { issueLink } from "./claims";
import { SETTINGS_FILE } from "./constants";
import { describeError } from "./effects/outcome";
import type { CloudTrailRecord } from "./record";
import { loadSettings, type ContainmentSettings } from "./settings";
import type { SigningKeys } from "./signing-key";

/** A link shown under one event of a message. */
export interface LinkAction {
  readonly label: string;
  readonly url: string;
}

export interface AlarmLinkDeps {
  /** Containment settings, or undefined when containment is off. */
  readonly settings: ContainmentSettings | undefined;
  readonly keys: Pick<SigningKeys, "signingKey">;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/** The settings packaged with a function when containment is on (undefined when it is off). */
export function packagedSettings(
  env: NodeJS.ProcessEnv = process.env,
  dir = __dirname,
): ContainmentSettings | undefined {
  return existsSync(path.join(dir, SETTINGS_FILE)) ? loadSettings(env, dir) : undefined;
}

/** For one alarm's detection: the function giving each record its containment link, if any. */
export async function alarmLinks(
  detectionId: string,
  deps: AlarmLinkDeps,
): Promise<(record: CloudTrailRecord) => LinkAction[]> {
  const none = () => [];
  const s = deps.settings;
  const action = s?.actions[detectionId];
  if (!s || !action) return none;
  let key: Buffer;
  try {
    key = await deps.keys.signingKey();
  } catch (e) {
    deps.log("containment-link-not-signed", { detection: detectionId, error: describeError(e) });
    return none;
  }
  const now = deps.now();
  const label = `Containment (${ACTIONS[action].title}; opens a confirmation page)`;
  return (record) => {
    const issued = issueLink({
      baseUrl: s.baseUrl,
      record,
      detection: detectionId,
      action,
      expirySeconds: s.expirySeconds,
      now,
      key,
    });
    return issued?.kind === "link" ? [{ label, url: issued.url }] : [];
  };
}
