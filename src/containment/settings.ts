/**
 * The functions' runtime settings, rendered by the Terraform construct (src/constructs/
 * containment.ts) from the validated `remediation` configuration: what is known at synth in a
 * JSON file packaged beside the bundle (`containment-settings.json`: actions, texts, names), what
 * only exists after apply in the `TRAILWATCH_CONTAINMENT` environment variable (the endpoint URL,
 * the secret ARN, the topic ARN). Read once per container and checked here, so a hand-edited value fails closed
 * (the function refuses to start) instead of acting on something unexpected.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ACCOUNT_ID, type ActionId } from "./action";
import { isActionId } from "./actions";
import { SETTINGS_FILE, SETTINGS_VARIABLE } from "./constants";
import type { DetectionText } from "./notice";
import { isObject } from "./record";

export { SETTINGS_FILE, SETTINGS_VARIABLE };

export interface ContainmentSettings {
  /** The account the functions run in and may act in. */
  readonly account: string;
  /** The HTTPS URL links point at (the API's `/contain` route). */
  readonly baseUrl: string;
  /** Secrets Manager secret holding the HMAC key (ARN). */
  readonly secretId: string;
  /** DynamoDB table of used links. */
  readonly table: string;
  /** Topic the notifications and follow-ups are published to. */
  readonly topicArn: string;
  /**
   * Severity -> the topic of its route (`alerts.routes`): a detection's notification and follow-up
   * go to its severity's topic. Absent: `topicArn` for every severity.
   */
  readonly topicArns?: Readonly<Record<string, string>>;
  /** Seconds a link stays valid. */
  readonly expirySeconds: number;
  /** Detection id -> the action its notifications offer. */
  readonly actions: Readonly<Record<string, ActionId>>;
  /** Detection id -> its title, severity and investigate line, for messages. */
  readonly detections: Readonly<Record<string, DetectionText>>;
  /** `lock-s3-bucket`'s default Object Lock retention in days; absent: no Object Lock. */
  readonly objectLockDays?: number;
  /** trailwatch's own resource names (buckets) the actions must never touch. */
  readonly protectedNames: readonly string[];
  /** Prefix of trailwatch's resource names (`trailwatch-`): such resources are refused too. */
  readonly protectedPrefix: string;
  /** The containment function's role, named in follow-up notifications (CloudTrail shows it). */
  readonly roleArn: string;
}

/** The part known at synth (the packaged file). */
export type StaticSettings = Omit<
  ContainmentSettings,
  "baseUrl" | "secretId" | "topicArn" | "topicArns"
>;

function fail(what: string): never {
  throw new Error(`${SETTINGS_VARIABLE}: ${what}`);
}

function str(o: Readonly<Record<string, unknown>>, k: string, pattern = /^.+$/): string {
  const v = o[k];
  if (typeof v !== "string" || !pattern.test(v)) fail(`"${k}" is missing or not valid`);
  return v;
}

const SNS_ARN = /^arn:aws[a-z-]*:sns:/;

/** The topic a detection's notifications and follow-ups go to: its severity's route, else `topicArn`. */
export function topicFor(s: ContainmentSettings, detection: string): string {
  const severity = s.detections[detection]?.severity;
  return (severity !== undefined && s.topicArns?.[severity]) || s.topicArn;
}

/** Parses and checks the settings. @throws Error naming the bad field */
export function parseSettings(text: string | undefined): ContainmentSettings {
  if (!text) fail("is not set");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    fail(`is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(raw)) fail("is not a JSON object");
  const actions = raw.actions;
  if (!isObject(actions)) fail('"actions" is not an object');
  for (const [d, a] of Object.entries(actions))
    if (typeof a !== "string" || !isActionId(a)) fail(`action of ${d} is not an action id`);
  const detections = raw.detections;
  if (!isObject(detections)) fail('"detections" is not an object');
  const expiry = raw.expirySeconds;
  if (typeof expiry !== "number" || !Number.isInteger(expiry) || expiry < 60)
    fail('"expirySeconds" must be a whole number of at least 60');
  const days = raw.objectLockDays;
  if (days !== undefined && (typeof days !== "number" || !Number.isInteger(days) || days < 1))
    fail('"objectLockDays" must be a whole number of days');
  const topicArns = raw.topicArns;
  if (
    topicArns !== undefined &&
    (!isObject(topicArns) ||
      !Object.values(topicArns).every((t) => typeof t === "string" && SNS_ARN.test(t)))
  )
    fail('"topicArns" must map severities to topic ARNs');
  const names = raw.protectedNames;
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string"))
    fail('"protectedNames" must be a list of names');
  return {
    account: str(raw, "account", ACCOUNT_ID),
    baseUrl: str(raw, "baseUrl", /^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost)[:/])\S+$/),
    secretId: str(raw, "secretId"),
    table: str(raw, "table"),
    topicArn: str(raw, "topicArn", SNS_ARN),
    ...(topicArns === undefined ? {} : { topicArns: topicArns as Record<string, string> }),
    expirySeconds: expiry,
    actions: actions as Record<string, ActionId>,
    detections: detections as ContainmentSettings["detections"],
    objectLockDays: days as number | undefined,
    protectedNames: names as string[],
    protectedPrefix: str(raw, "protectedPrefix", /^[a-z0-9-]+$/),
    roleArn: str(raw, "roleArn"),
  };
}

/**
 * The settings of the running function: the packaged file (beside the bundle, `dir`) merged with
 * the environment variable.
 */
export function loadSettings(
  env: NodeJS.ProcessEnv = process.env,
  dir = __dirname,
): ContainmentSettings {
  let file: unknown;
  try {
    file = JSON.parse(readFileSync(path.join(dir, SETTINGS_FILE), "utf8"));
  } catch (e) {
    fail(`cannot read ${SETTINGS_FILE}: ${(e as Error).message}`);
  }
  let variable: unknown;
  try {
    variable = JSON.parse(env[SETTINGS_VARIABLE] ?? "");
  } catch (e) {
    fail(`is not set to JSON: ${(e as Error).message}`);
  }
  if (!isObject(file) || !isObject(variable))
    fail("the file and the variable must be JSON objects");
  return parseSettings(JSON.stringify({ ...file, ...variable }));
}

/** Why a resource is trailwatch's own, or undefined. */
export function protectedReason(
  s: ContainmentSettings,
  names: readonly string[],
): string | undefined {
  const hit = names.find((n) => s.protectedNames.includes(n) || n.startsWith(s.protectedPrefix));
  return hit === undefined
    ? undefined
    : `"${hit}" is one of trailwatch's own resources (or named like one: prefix "${s.protectedPrefix}"); containment never acts on them`;
}
