/**
 * Cross-field rules of the configuration: what AWS (or trailwatch's design) refuses about fields
 * in combination. They run on whatever parsed (`salvage`), each only when the fields it reads are
 * valid, so every problem is reported in one pass.
 */
import {
  ALARM_DEFAULTS,
  ALARM_DETECTION_IDS,
  DETECTION_IDS,
  NAMELESS,
  enabledDetections,
} from "../detections/catalog";
import { customDetections } from "../detections/custom";
import { remediationProblems } from "../containment/config";
import { existingTrailProblems } from "../trail-source/requirements";
import { customDetectionIssues, type CustomDetectionConfig } from "./custom-detections";
import { defaultAthenaResultsBucketName } from "../athena/names";
import { dataEventBucketName, s3ObjectArnPrefix } from "../s3-arn";
import { duplicatesBy, emailIdentity } from "../terraform/stable-id";
import { defaultAccessLogBucketName, defaultArchiveBucketName } from "./bucket-names";
import {
  TRANSITION_STORAGE_CLASSES,
  alarmTuningProblems,
  bucketNameProblem,
  trailNameProblem,
} from "./fields";
import { modeProblems, type ModeInputs } from "./modes";
import { channelProblems } from "./channels";
import type { Salvaged } from "./salvage";
import { GLOBAL_EVENTS_REGION } from "./regions";
import { stateKey, trailLogsRoleName } from "../names";
import type { TrailwatchConfig } from "./schema";

export type Path = readonly (string | number)[];

/** A problem at a path of the configuration; the loader adds the value found there. */
export interface Problem {
  readonly path: Path;
  readonly message: string;
  /** False when the message names its fields itself: no value is appended. */
  readonly showValue?: false;
}

type Config = Salvaged<TrailwatchConfig>;

/** What the rules may ask of the configuration file beyond what parsed. */
export interface Source {
  /**
   * Whether the file has a value at `path`: a field that is given but invalid is absent from the
   * salvaged configuration, and must not be mistaken for a field left to its default.
   */
  given(path: Path): boolean;
  /** A whole top-level section, parsed, or undefined when any part of it is invalid. */
  section<K extends keyof TrailwatchConfig>(key: K): TrailwatchConfig[K] | undefined;
  /** The value at `path`, parsed by its field's schema, or undefined when any part is invalid. */
  parsedAt(path: Path): unknown;
}

/** Every cross-field problem of `c` (see the module comment). */
export function crossFieldProblems(c: Config, source: Source): Problem[] {
  const problems: Problem[] = [];
  const add: Add = (path, message, showValue) =>
    problems.push(showValue === false ? { path, message, showValue } : { path, message });
  for (const rule of RULES) rule(c, add, source);
  return problems;
}

type Add = (path: Path, message: string, showValue?: false) => void;
type Rule = (c: Config, add: Add, source: Source) => void;

/** Items of a salvaged list that parsed, with their positions. */
function valid<T>(items: readonly (T | undefined)[] | undefined): { item: T; index: number }[] {
  return (items ?? []).flatMap((item, index) => (item === undefined ? [] : [{ item, index }]));
}

/** Reports every item whose identity an earlier item already has. */
function listedTwice<T>(
  add: Add,
  path: Path,
  items: readonly (T | undefined)[] | undefined,
  identity: (item: T) => string,
  message: (item: T, first: number) => string = (_item, first) =>
    `is listed twice (also ${formatPath(path)}[${first}])`,
) {
  const present = valid(items);
  for (const d of duplicatesBy(present, (p) => identity(p.item)))
    add([...path, d.item.index], message(d.item.item, present[d.firstIndex].index));
}

export function formatPath(p: readonly PropertyKey[]): string {
  return p
    .map((k, i) => {
      if (typeof k === "number") return `[${k}]`;
      const key = String(k);
      if (!/^[A-Za-z0-9_$-]+$/.test(key)) return `[${JSON.stringify(key)}]`;
      return `${i === 0 ? "" : "."}${key}`;
    })
    .join("");
}

/** Names derived from `name`, `accountId` and `homeRegion`, when all three are valid. */
function nameInputs(c: Config) {
  const { name, accountId, homeRegion } = c;
  return name !== undefined && accountId !== undefined && homeRegion !== undefined
    ? { name, accountId, homeRegion }
    : undefined;
}

const homeAmongRegions: Rule = (c, add) => {
  const regions = valid(c.regions).map((r) => r.item);
  if (c.homeRegion !== undefined && c.regions !== undefined && !regions.includes(c.homeRegion))
    add(["homeRegion"], `must be one of "regions" (${regions.join(", ")})`);
};

const noDuplicates: Rule = (c, add) => {
  listedTwice(add, ["regions"], c.regions, (r) => r);
  listedTwice(
    add,
    ["alerts", "emails"],
    c.alerts?.emails,
    emailIdentity,
    (item, first) =>
      `${JSON.stringify(item)} is the address of alerts.emails[${first}] (addresses are compared ignoring case)`,
  );
  const events = c.trail?.s3DataEvents;
  const present = valid(events).filter((e) => e.item.bucket !== undefined);
  for (const d of duplicatesBy(present, (e) => s3ObjectArnPrefix(e.item.bucket as string)))
    add(
      ["trail", "s3DataEvents", d.item.index, "bucket"],
      `${JSON.stringify(d.item.item.bucket)} selects the same objects as trail.s3DataEvents[${present[d.firstIndex].index}]`,
    );
  listedTwice(
    add,
    ["trail", "excludeManagementEventSources"],
    c.trail?.excludeManagementEventSources,
    (s) => s,
  );
  listedTwice(add, ["detections", "enable"], c.detections?.enable, (id) => id);
  listedTwice(add, ["detections", "disable"], c.detections?.disable, (id) => id);
};

const enabledAndDisabled: Rule = (c, add) => {
  const disabled = new Set(valid(c.detections?.disable).map((d) => d.item));
  for (const { item, index } of valid(c.detections?.enable))
    if (disabled.has(item))
      add(["detections", "enable", index], "is also listed in detections.disable");
};

/**
 * Detection ids in enable, disable and alarms name a catalog detection or one of
 * detections.custom; alarm tuning is for detections delivered as alarms; custom detections'
 * own rules (`custom-detections.ts`). Checked only once every custom detection parsed: an invalid
 * one's id is unknown, and must not make its mentions look like typos.
 */
const detectionIds: Rule = (c, add, { given, parsedAt }) => {
  const d = c.detections;
  const custom = parsedAt(["detections", "custom"]) as CustomDetectionConfig[] | undefined;
  if (custom === undefined) return;
  const knownIds = [...DETECTION_IDS, ...custom.map((x) => x.id)];
  const unknown = `not a detection id; allowed: ${DETECTION_IDS.join(", ")} and the ids of detections.custom${custom.length ? ` (${custom.map((x) => x.id).join(", ")})` : " (none)"}`;
  for (const list of ["enable", "disable"] as const)
    for (const { item, index } of valid(d?.[list]))
      if (!knownIds.includes(item)) add(["detections", list, index], unknown);
  const alarmIds = [
    ...ALARM_DETECTION_IDS,
    ...custom.filter((x) => x.delivery !== "event").map((x) => x.id),
  ];
  for (const [id, tuning] of Object.entries(d?.alarms ?? {})) {
    const path = ["detections", "alarms", id];
    if (!knownIds.includes(id)) add(path, unknown);
    else if (!alarmIds.includes(id))
      add(
        path,
        `${id} is delivered by EventBridge, not an alarm; alarms can be tuned for: ${alarmIds.join(", ")}`,
      );
    if (!tuning) continue;
    // A given but invalid field is reported on its own; its default would mislead the others.
    const fields = [
      "periodSeconds",
      "threshold",
      "evaluationPeriods",
      "datapointsToAlarm",
    ] as const;
    if (fields.some((f) => tuning[f] === undefined && given([...path, f]))) continue;
    // A custom detection's own alarm tuning is overridden field by field (alarmTuningById): the
    // limits hold for the alarm that is rendered, so the merged tuning is checked; problems of
    // the custom detection's tuning alone are reported at detections.custom[i].alarm.
    const index = custom.findIndex((x) => x.id === id);
    const own = index >= 0 ? custom[index].alarm : undefined;
    const ownProblems = new Set(own ? alarmTuningProblems(own).map((p) => p.message) : []);
    // Over the detection's own defaults too (a volume signal's 300 s period, ...).
    for (const p of alarmTuningProblems({ ...ALARM_DEFAULTS[id], ...own, ...tuning }))
      if (!ownProblems.has(p.message))
        add(
          [...path, p.field],
          tuning[p.field] === undefined && own?.[p.field] !== undefined
            ? `${p.message}, with detections.custom[${index}].alarm.${p.field} (${own[p.field]})`
            : p.message,
        );
  }
  if (c.name !== undefined)
    for (const issue of customDetectionIssues(custom, c.name)) add(issue.path, issue.message);
};

/**
 * The buckets trailwatch creates (state in the bootstrap stack; archive, access logs and Athena
 * results in the home stack), with the field that names each; a derived name is checked against
 * S3's naming rules here, where the fields it comes from are known.
 */
function buckets(c: Config, add: Add, given: (path: Path) => boolean) {
  const out: { field: string; name: string }[] = [];
  if (c.state?.bucket !== undefined) out.push({ field: "state.bucket", name: c.state.bucket });
  const inputs = nameInputs(c);
  const derived = (field: string, explicit: string | undefined, fallback?: string) => {
    if (explicit !== undefined) out.push({ field, name: explicit });
    else if (given(field.split(".")))
      return; // invalid: reported on its own
    else if (fallback !== undefined) {
      const problem = bucketNameProblem(fallback);
      if (!problem) out.push({ field, name: fallback });
      else
        add(
          field.split("."),
          `the default name "${fallback}" (from name, accountId and homeRegion) ${problem}; set ${field} explicitly`,
        );
    }
  };
  const archive = c.archive;
  const mode = c.trail?.mode ?? (given(["trail", "mode"]) ? undefined : "create");
  if (mode === "existing") {
    // The existing trail's bucket is not trailwatch's, but no trailwatch bucket may be it.
    const existing = c.trail?.existing?.bucket;
    if (existing !== undefined) out.push({ field: "trail.existing.bucket", name: existing });
  } else if (mode !== undefined) {
    // An adopted bucket keeps its name (a new name would replace it).
    const adopted = c.adopt?.bucket;
    if (archive?.bucketName === undefined && adopted !== undefined)
      out.push({ field: "adopt.bucket", name: adopted });
    else if (archive?.bucketName !== undefined || !given(["adopt", "bucket"]))
      derived(
        "archive.bucketName",
        archive?.bucketName,
        inputs && defaultArchiveBucketName(inputs),
      );
    if (archive?.accessLogs?.enabled !== false)
      derived(
        "archive.accessLogs.bucketName",
        archive?.accessLogs?.bucketName,
        inputs && defaultAccessLogBucketName(inputs),
      );
  }
  if (c.athena?.enabled === true)
    derived(
      "athena.resultsBucketName",
      c.athena.resultsBucketName,
      inputs && defaultAthenaResultsBucketName({ ...inputs, athena: {} }),
    );
  return out;
}

const bucketsDistinct: Rule = (c, add, { given }) => {
  const named = buckets(c, add, given);
  named.forEach((b, i) => {
    const first = named.findIndex((other) => other.name === b.name);
    if (first < i)
      add(
        b.field.split("."),
        `must differ from ${named[first].field} ("${b.name}"): each trailwatch bucket has its own stack, policy and lifecycle`,
      );
  });
  // Objects written to these buckets would log themselves: each archive delivery writes an access
  // log, each query writes results. s3DataEventsAllBuckets leaves them out for the same reason.
  const own = named.filter((b) => b.field !== "state.bucket");
  for (const { item, index } of valid(c.trail?.s3DataEvents)) {
    if (item.bucket === undefined) continue;
    const hit = own.find((b) => b.name === dataEventBucketName(item.bucket as string));
    if (hit)
      add(
        ["trail", "s3DataEvents", index, "bucket"],
        `must not be trailwatch's ${BUCKET_ROLES[hit.field]} (${hit.field}): the trail would log its own writes in a loop`,
      );
  }
};

const BUCKET_ROLES: Record<string, string> = {
  "archive.bucketName": "log archive bucket",
  "adopt.bucket": "log archive bucket",
  "trail.existing.bucket": "trail's bucket",
  "archive.accessLogs.bucketName": "access-log bucket",
  "athena.resultsBucketName": "Athena results bucket",
};

const lifecycle: Rule = (c, add) => {
  const archive = c.archive;
  if (!archive) return;
  const retentionDays = archive.retentionDays;
  let previous:
    { days: number; storageClass: (typeof TRANSITION_STORAGE_CLASSES)[number] } | undefined;
  for (const { item: t, index: i } of valid(archive.transitions)) {
    if (t.days === undefined || t.storageClass === undefined) {
      previous = undefined;
      continue;
    }
    const path = ["archive", "transitions", i, "days"];
    const ia = (s: string) => s === "STANDARD_IA" || s === "ONEZONE_IA";
    if (ia(t.storageClass) && t.days < 30) add(path, `${t.storageClass} needs at least 30 days`);
    if (previous && t.days <= previous.days)
      add(
        path,
        `must be greater than the previous transition's ${previous.days} days (transitions are ordered)`,
      );
    if (previous && ia(previous.storageClass) && t.days - previous.days < 30)
      add(
        path,
        `objects must stay 30 days in ${previous.storageClass} before the next transition (at least ${previous.days + 30})`,
      );
    if (
      previous &&
      TRANSITION_STORAGE_CLASSES.indexOf(t.storageClass) <=
        TRANSITION_STORAGE_CLASSES.indexOf(previous.storageClass)
    )
      add(
        ["archive", "transitions", i, "storageClass"],
        `must be a colder class than ${previous.storageClass}; allowed order: ${TRANSITION_STORAGE_CLASSES.join(" < ")}`,
      );
    if (retentionDays !== undefined && t.days >= retentionDays)
      add(
        path,
        `must be less than archive.retentionDays (${retentionDays}); a transition at or after expiry never happens`,
      );
    previous = { days: t.days, storageClass: t.storageClass };
  }
  const lockDays = archive.objectLock?.days;
  if (lockDays !== undefined && retentionDays !== undefined && lockDays > retentionDays)
    add(
      ["archive", "objectLock", "days"],
      `must not exceed archive.retentionDays (${retentionDays}): expiry cannot remove locked versions`,
    );
};

const minimumRetention: Rule = (c, add) => {
  if (c.allowShortRetention !== false) return; // true, or invalid (reported on its own)
  if (c.archive?.retentionDays !== undefined && c.archive.retentionDays < 365)
    add(
      ["archive", "retentionDays"],
      "must be at least 365 (CIS and PCI DSS keep a year of logs); set allowShortRetention: true to allow less",
    );
  if (c.logGroup?.retentionDays !== undefined && c.logGroup.retentionDays < 90)
    add(
      ["logGroup", "retentionDays"],
      "must be at least 90; set allowShortRetention: true to allow less",
    );
};

/** IAM role names are at most 64 characters (IAM quotas, "Names of IAM entities"). */
const IAM_ROLE_NAME_MAX = 64;
/** S3 object keys are at most 1,024 bytes of UTF-8 (S3 User Guide, "Naming objects"). */
const S3_KEY_MAX_BYTES = 1024;

/** Names AWS limits that trailwatch derives from several fields. */
const derivedNames: Rule = (c, add, { given }) => {
  const trailNameGiven = given(["trail", "name"]);
  if (c.name !== undefined && !trailNameGiven) {
    // The trail is named after `name` unless trail.name is set.
    const problem = trailNameProblem(c.name);
    if (problem)
      add(
        ["name"],
        `names the trail unless trail.name is set, and a CloudTrail trail name ${problem}`,
      );
  }
  const trailName = trailNameGiven ? c.trail?.name : c.name;
  if (trailName !== undefined) {
    const role = trailLogsRoleName(trailName);
    const room = IAM_ROLE_NAME_MAX - (role.length - trailName.length);
    if (role.length > IAM_ROLE_NAME_MAX)
      add(
        trailNameGiven ? ["trail", "name"] : ["name"],
        `names the trail's CloudWatch Logs role "${role}" (${role.length} characters), and IAM role names are at most ${IAM_ROLE_NAME_MAX}: use at most ${room} characters`,
      );
  }
  const prefix = c.state?.keyPrefix;
  if (prefix !== undefined && c.name !== undefined) {
    // Every regional stack keeps its state at `<keyPrefix>/<name>-<region>.tfstate`.
    const regions = [...valid(c.regions).map((r) => r.item), GLOBAL_EVENTS_REGION];
    const longest = Math.max(
      ...regions.map((r) => Buffer.byteLength(stateKey(prefix, c.name!, r))),
    );
    if (longest > S3_KEY_MAX_BYTES)
      add(
        ["state", "keyPrefix"],
        `is too long: the state key "${stateKey(prefix, c.name, "<region>")}" reaches ${longest} bytes, and S3 object keys are at most ${S3_KEY_MAX_BYTES}`,
      );
  }
};

/**
 * The trail mode's own rules (`modes.ts`), on what parsed: they need the name, account, home
 * region and the trail's mode, profile, data events and Insights; an adopt section runs only when
 * all of it is valid (a field left out would read as "not adopted").
 */
const trailMode: Rule = (c, add, { section, given }) => {
  const { name, accountId, homeRegion, trail, logGroup, archive, organization } = c;
  if (name === undefined || accountId === undefined || homeRegion === undefined) return;
  if (!trail || !logGroup || !archive) return;
  const { mode, profile, s3DataEvents, insights } = trail;
  if (mode === undefined || profile === undefined || s3DataEvents === undefined) return;
  if (insights?.apiCallRate === undefined || insights.apiErrorRate === undefined) return;
  const adopt = section("adopt");
  if (adopt === undefined && given(["adopt"])) return;
  const inputs = {
    name,
    accountId,
    homeRegion,
    trail: { ...trail, mode, profile, s3DataEvents, insights: { ...insights } },
    logGroup,
    archive,
    organization: organization as ModeInputs["organization"],
    adopt,
  } as ModeInputs;
  for (const p of modeProblems(inputs)) add(p.path, p.message);
};

/**
 * Containment's own rules (`src/containment/config.ts`): each action's detection exists, is
 * enabled, reports a call the action answers, and has the alarm enrichment when an alarm reports
 * it. They run once remediation, detections and alerts.enrichment.enabled all parsed: an invalid
 * custom detection would otherwise make a valid action look like a typo.
 */
const remediation: Rule = (c, add, { section }) => {
  const r = section("remediation");
  const detections = section("detections");
  const enrichment = c.alerts?.enrichment?.enabled;
  if (r === undefined || detections === undefined || enrichment === undefined) return;
  const every = [...NAMELESS, ...customDetections({ detections })];
  for (const p of remediationProblems(r, every, enabledDetections(every, detections), enrichment))
    add(p.path, p.message);
};

/**
 * trail.mode "existing": the enabled detections the described trail can never serve
 * (`src/trail-source/requirements.ts`). What a detection needs of a trail depends on its event
 * names and sources, never on resource names, so the nameless catalog answers; it runs once the
 * trail and detections sections parsed, whatever else failed.
 */
const existingTrail: Rule = (_c, add, { section }) => {
  const trail = section("trail");
  const detections = section("detections");
  if (trail?.mode !== "existing" || !trail.existing || detections === undefined) return;
  const every = [...NAMELESS, ...customDetections({ detections })];
  for (const message of existingTrailProblems(trail.existing, enabledDetections(every, detections)))
    add(["trail", "existing"], message, false);
};

/**
 * Alert routes and channels (src/config/channels.ts): run once the whole alerts section parsed,
 * since a channel's routes, endpoints and the routes' receivers are read together.
 */
const alertChannels: Rule = (_c, add, { section }) => {
  const alerts = section("alerts");
  if (alerts) for (const p of channelProblems(alerts)) add(p.path, p.message);
};

const RULES: readonly Rule[] = [
  trailMode,
  remediation,
  homeAmongRegions,
  noDuplicates,
  enabledAndDisabled,
  detectionIds,
  bucketsDistinct,
  lifecycle,
  minimumRetention,
  derivedNames,
  existingTrail,
  alertChannels,
];
