import { Construct } from "constructs";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { Detection } from "../detections/types";
import { filterPatternOf } from "../detections/render";

export interface AlarmTuning {
  /** Seconds per evaluation period. @default 60 */
  readonly periodSeconds?: number;
  /** Events per period that trigger the alarm. @default 1 */
  readonly threshold?: number;
  /** Most recent periods evaluated (the N of "M out of N"). @default 1 */
  readonly evaluationPeriods?: number;
  /**
   * Breaching periods among the last `evaluationPeriods` that raise the alarm (the M; at most
   * `evaluationPeriods`, PutMetricAlarm `DatapointsToAlarm`). @default evaluationPeriods
   */
  readonly datapointsToAlarm?: number;
}

export interface DetectionAlarmsProps {
  readonly detections: readonly Detection[];
  readonly logGroupName: string;
  /**
   * The topics an alarm notifies (CloudWatch allows 5 actions): its severity's route topic, and
   * that route's chat topic where chat shows raw alarms.
   */
  readonly alarmTopics: (d: Detection) => readonly string[];
  /** Prefix of alarm names. */
  readonly resourcePrefix: string;
  /** CloudWatch metric namespace. @default "trailwatch" */
  readonly namespace?: string;
  /**
   * The log group is an organization trail's: events of every member account count toward the
   * alarm, and the description says where to find which account. @default false
   */
  readonly organizationTrail?: boolean;
  /** Per-detection tuning by id, over each detection's `alarm` defaults. @default none */
  readonly tuning?: Readonly<Partial<Record<string, AlarmTuning>>>;
}

/** One metric filter on the trail's log group and one alarm per detection delivered as an alarm. */
export class DetectionAlarms extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: DetectionAlarmsProps) {
    super(scope, id);
    const namespace = props.namespace ?? "trailwatch";
    for (const d of props.detections) {
      const filter = new CloudwatchLogMetricFilter(this, `${d.id}-filter`, {
        name: d.id,
        logGroupName: props.logGroupName,
        pattern: filterPatternOf(d),
        // Value 1 per matching event and no default value: no data points when nothing matches.
        metricTransformation: { name: d.id, namespace, value: "1" },
      });
      // The configuration's tuning overrides the detection's own defaults field by field.
      const t: AlarmTuning = { ...d.alarm, ...props.tuning?.[d.id] };
      const evaluationPeriods = t.evaluationPeriods ?? 1;
      this.alarms.push(
        new CloudwatchMetricAlarm(this, `${d.id}-alarm`, {
          alarmName: `${props.resourcePrefix}${d.id}`,
          alarmDescription: alarmDescription(d, props.organizationTrail),
          namespace,
          metricName: d.id,
          // Sum, not Average: with Average a threshold above 1 never fires.
          statistic: "Sum",
          period: t.periodSeconds ?? 60,
          threshold: t.threshold ?? 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          evaluationPeriods,
          datapointsToAlarm: t.datapointsToAlarm ?? evaluationPeriods,
          treatMissingData: "notBreaching",
          alarmActions: [...props.alarmTopics(d)],
          actionsEnabled: true,
          dependsOn: [filter],
        }),
      );
    }
  }
}

/** What happened, why it matters and where to look; CloudWatch allows 1024 characters. */
export function alarmDescription(d: Detection, organizationTrail = false): string {
  const refs = [
    d.references.securityHub,
    ...(d.references.cis ?? []),
    ...(d.references.attack ?? []).map((t) => `ATT&CK ${t}`),
  ]
    .filter(Boolean)
    .join(", ");
  // An alarm counts matches of every account of an organization trail; the events name theirs.
  const where = organizationTrail
    ? "the organization trail's CloudWatch Logs log group (any member account: recipientAccountId names it)"
    : "the trail's CloudWatch Logs log group";
  const text =
    `[${d.severity.toUpperCase()}] ${d.title} (trailwatch detection ${d.id}${refs ? `; ${refs}` : ""}). ` +
    `${d.attribution ? `${d.attribution} ` : ""}${d.rationale} Investigate: ${d.investigate} ` +
    `Matching events are in ${where}: run the metric filter pattern in Logs Insights or query the ` +
    `archive with Athena.`;
  return text.length <= 1024 ? text : `${text.slice(0, 1021)}...`;
}
