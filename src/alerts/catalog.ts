/**
 * What the alarm enrichment function knows about each alarm, generated at synth and packaged as
 * `catalog.json` beside the function's code. Why a packaged file: the data (patterns, titles,
 * rationales) of 18 alarm detections is about 15 KB, over Lambda's 4 KB environment limit; a
 * file in the zip is read once per cold start, needs no extra AWS call or permission, and
 * changes the package hash (so Terraform updates the function) exactly when the data changes.
 * Small per-deployment settings (topic ARNs, log group) travel in environment variables.
 */
import { Token } from "cdktf";
import { filterPatternOf, resourceFieldsOf } from "../detections/render";
import type { Detection, Severity } from "../detections/types";
import { insightsQuery } from "../patterns/insights-query";

export const CATALOG_FILE = "catalog.json";

export interface AlarmCatalogEntry {
  readonly detectionId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly rationale: string;
  readonly investigate: string;
  /** "Security Hub CloudWatch.1", "CIS 1.4 4.3", ... */
  readonly references: readonly string[];
  /** Attribution every message must carry (a Sigma rule's author, under DRL 1.1). */
  readonly attribution?: string;
  /** The metric filter pattern, as deployed: FilterLogEvents runs exactly this. */
  readonly filterPattern: string;
  /** The same condition as a Logs Insights query, for the console link. */
  readonly insightsQuery: string;
  /** `requestParameters` members that name the resource, in order of preference. */
  readonly resourceFields: readonly string[];
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly threshold: number;
}

export interface AlarmCatalog {
  readonly version: 1;
  /** By alarm name. */
  readonly alarms: Readonly<Record<string, AlarmCatalogEntry>>;
}

export interface AlarmTuningLike {
  readonly periodSeconds?: number;
  readonly threshold?: number;
  readonly evaluationPeriods?: number;
}

/**
 * The catalog for the alarm detections of a stack. Throws when a value is an unresolved
 * Terraform reference (a file in the package cannot hold one).
 */
export function alarmCatalog(
  detections: readonly Detection[],
  alarmNamePrefix: string,
  tuning: Readonly<Partial<Record<string, AlarmTuningLike>>> = {},
): AlarmCatalog {
  const alarms: Record<string, AlarmCatalogEntry> = {};
  for (const d of detections) {
    // The configuration's tuning over the detection's own alarm defaults, as the alarm has it.
    const t = { ...d.alarm, ...tuning[d.id] };
    const entry: AlarmCatalogEntry = {
      detectionId: d.id,
      title: d.title,
      severity: d.severity,
      rationale: d.rationale,
      investigate: d.investigate,
      references: [
        ...(d.references.securityHub ? [`Security Hub ${d.references.securityHub}`] : []),
        ...(d.references.cis ?? []),
        ...(d.references.attack ?? []).map((t) => `ATT&CK ${t}`),
      ],
      ...(d.attribution ? { attribution: d.attribution } : {}),
      filterPattern: filterPatternOf(d),
      insightsQuery: insightsQuery(d.condition),
      resourceFields: resourceFieldsOf(d),
      periodSeconds: t.periodSeconds ?? 60,
      evaluationPeriods: t.evaluationPeriods ?? 1,
      threshold: t.threshold ?? 1,
    };
    const text = JSON.stringify(entry);
    if (Token.isUnresolved(text))
      throw new Error(
        `detection ${d.id}: its alarm data holds a Terraform reference, which a packaged file cannot resolve`,
      );
    alarms[`${alarmNamePrefix}${d.id}`] = entry;
  }
  return { version: 1, alarms };
}
