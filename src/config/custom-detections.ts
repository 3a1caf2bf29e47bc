/**
 * `detections.custom`: a team's own detections, in the catalog's data model (src/detections/
 * types.ts), validated like the rest of the configuration. Besides the shape (unknown fields,
 * field paths and operators: condition-schema.ts), each entry must:
 * - have an id unique among the custom detections and not taken by the catalog;
 * - fit in the EventBridge rule name `<name>-<id>` (64 characters, PutRule);
 * - render in every language (filter pattern, event pattern, Athena SQL) within the service
 *   limits (1,024 and 2,048 characters): src/detections/renderable.ts;
 * - tune its alarm only when it is delivered as an alarm.
 */
import { z } from "zod";
import { DETECTION_IDS } from "../detections/catalog";
import { customDetection } from "../detections/custom";
import { renderingProblems } from "../detections/renderable";
import { alarmTuning, alarmTuningProblems } from "./fields";
import { conditionSchema } from "./condition-schema";

/** Kebab-case: used in resource names and docs anchors. */
export const DETECTION_ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** PutRule's `Name`: at most 64 characters (EventBridge API reference). */
export const RULE_NAME_MAX_LENGTH = 64;

const RECORD_TYPES = [
  "AwsApiCall",
  "AwsConsoleSignIn",
  "AwsConsoleAction",
  "AwsServiceEvent",
] as const;

const text = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: `must not be empty (${what})` })
    .max(max, { message: `must be at most ${max} characters` });

export const customDetectionEntry = z.strictObject({
  /** Stable kebab-case id, unique among all detections. */
  id: z.string().regex(DETECTION_ID_PATTERN, {
    message: "must be kebab-case: lowercase letters and digits separated by single hyphens",
  }),
  title: text("a short name of what happened", 256),
  severity: z.enum(["critical", "high", "medium", "low"]),
  /** Why it matters: who legitimately does this and how to tell it apart. */
  rationale: text("why it matters", 2000),
  /** Where to look first when it fires (goes into the alarm description and the notification). */
  investigate: text("where to look first", 1000),
  references: z
    .strictObject({
      /** MITRE ATT&CK technique ids. */
      attack: z
        .array(
          z.string().regex(/^T\d{4}(\.\d{3})?$/, {
            message: "must be a MITRE ATT&CK technique id such as T1078 or T1078.004",
          }),
        )
        .optional(),
      /** Links or other references. */
      other: z.array(z.string().min(1)).optional(),
      /** The Sigma rule it was converted from (`npm run sigma` fills this in). */
      sigma: z
        .strictObject({
          id: z.string().optional(),
          title: z.string().min(1),
          author: z.string().optional(),
          license: z.string().min(1),
          source: z.string().min(1),
        })
        .optional(),
    })
    .default({}),
  /** Text every notification carries, e.g. the author a Sigma rule's licence requires. */
  attribution: z.string().trim().min(1).max(300).optional(),
  /** The CloudTrail condition, in the condition language (see the JSON Schema's $defs.condition). */
  condition: conditionSchema,
  delivery: z.enum(["alarm", "event", "both"]).default("event"),
  /** Where its events reach EventBridge: global (us-east-1), regional (every region) or home. */
  scope: z.enum(["global", "regional", "home"]).default("regional"),
  /** CloudTrail eventType values it applies to (their EventBridge detail-types). */
  recordTypes: z.array(z.enum(RECORD_TYPES)).min(1).optional(),
  /** Matches read-only calls (Describe*, Get*, List*): the EventBridge rule then asks for them. */
  matchesReadOnly: z.boolean().default(false),
  /** On unless turned off here or in detections.disable. */
  enabled: z.boolean().default(true),
  /** Default alarm tuning; detections.alarms.<id> overrides it. */
  alarm: alarmTuning.optional(),
});

export type CustomDetectionInput = z.input<typeof customDetectionEntry>;
export type CustomDetectionConfig = z.output<typeof customDetectionEntry>;

type Issue = { path: (string | number)[]; message: string };

/**
 * Problems between custom detections, with the catalog and with the rest of the configuration.
 * `name` is the configuration's name (the prefix of rule names).
 */
export function customDetectionIssues(
  custom: readonly CustomDetectionConfig[],
  name: string,
): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  custom.forEach((entry, i) => {
    const at = (...p: (string | number)[]) => ["detections", "custom", i, ...p];
    if (DETECTION_IDS.includes(entry.id))
      issues.push({
        path: at("id"),
        message: `"${entry.id}" is a catalog detection's id; choose another (turn catalog detections on or off with detections.enable/disable)`,
      });
    const first = seen.get(entry.id);
    if (first !== undefined)
      issues.push({
        path: at("id"),
        message: `"${entry.id}" is also the id of detections.custom[${first}]`,
      });
    else seen.set(entry.id, i);
    const ruleName = `${name}-${entry.id}`;
    if (ruleName.length > RULE_NAME_MAX_LENGTH)
      issues.push({
        path: at("id"),
        message: `the EventBridge rule name "${ruleName}" would be ${ruleName.length} characters; AWS allows ${RULE_NAME_MAX_LENGTH}, so with name "${name}" an id has at most ${RULE_NAME_MAX_LENGTH - name.length - 1}`,
      });
    for (const message of renderingProblems(customDetection(entry)))
      issues.push({ path: at("condition"), message });
    if (entry.alarm) {
      if (entry.delivery === "event")
        issues.push({
          path: at("alarm"),
          message: 'tunes an alarm, but delivery is "event"; use "alarm" or "both"',
        });
      for (const p of alarmTuningProblems(entry.alarm))
        issues.push({ path: at("alarm", p.field), message: p.message });
    }
  });
  return issues;
}
