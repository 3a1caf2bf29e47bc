/**
 * The "CloudWatch Alarm State Change" event EventBridge delivers (source `aws.cloudwatch`), and
 * the time window whose data points made the alarm fire. Shape: AWS CloudWatch User Guide,
 * "Alarm events and EventBridge" (single-metric alarm example); `state.reasonData` is a JSON
 * string with `period`, `startDate` and `evaluatedDatapoints[{timestamp, value}]`, timestamps
 * written `2019-10-02T16:59:00.000+0000`.
 */
export interface AlarmStateChangeEvent {
  readonly version?: string;
  readonly id?: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly account: string;
  readonly region: string;
  readonly time: string;
  readonly resources?: readonly string[];
  readonly detail: {
    readonly alarmName: string;
    readonly configuration?: {
      readonly description?: string;
      readonly metrics?: readonly {
        readonly id?: string;
        readonly returnData?: boolean;
        readonly metricStat?: {
          readonly metric?: {
            readonly name?: string;
            readonly namespace?: string;
            readonly dimensions?: Readonly<Record<string, string>>;
          };
          readonly period?: number;
          readonly stat?: string;
        };
      }[];
    };
    readonly state: {
      readonly value: string;
      readonly reason?: string;
      readonly reasonData?: string;
      readonly timestamp: string;
    };
    readonly previousState?: { readonly value?: string; readonly timestamp?: string };
  };
}

export interface ReasonData {
  readonly period?: number;
  readonly startDate?: string;
  readonly threshold?: number;
  readonly recentDatapoints?: readonly number[];
  readonly evaluatedDatapoints?: readonly {
    readonly timestamp: string;
    readonly value?: number;
    readonly sampleCount?: number;
  }[];
}

/** Milliseconds since the epoch of a CloudWatch timestamp (`+0000` offsets included); NaN if none. */
export function parseCloudWatchTime(s: string | undefined): number {
  if (!s) return NaN;
  return Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
}

export function reasonDataOf(e: AlarmStateChangeEvent): ReasonData {
  try {
    const r = JSON.parse(e.detail.state.reasonData ?? "{}") as ReasonData;
    return typeof r === "object" && r !== null ? r : {};
  } catch {
    return {};
  }
}

export interface TimeWindow {
  /** Inclusive start and end, ms since the epoch (FilterLogEvents' startTime / endTime). */
  readonly start: number;
  readonly end: number;
  /** Where the window came from, for the message and the logs. */
  readonly basis: "evaluated data points" | "alarm time and period";
}

/**
 * The log-event time range the alarm evaluated: from the earliest evaluated data point to the end
 * of the latest one's period (a metric filter's data point at T with period P sums the log
 * events timestamped in [T, T+P)). Without data points (not documented to happen, but the field
 * is optional) it falls back to `evaluationPeriods` periods before the state change.
 */
export function evaluationWindow(
  e: AlarmStateChangeEvent,
  fallback: { readonly periodSeconds: number; readonly evaluationPeriods: number },
): TimeWindow {
  const r = reasonDataOf(e);
  const period =
    (r.period ??
      e.detail.configuration?.metrics?.[0]?.metricStat?.period ??
      fallback.periodSeconds) * 1000;
  const stamps = (r.evaluatedDatapoints ?? [])
    .map((p) => parseCloudWatchTime(p.timestamp))
    .filter((t) => Number.isFinite(t));
  if (stamps.length > 0)
    return {
      start: Math.min(...stamps),
      end: Math.max(...stamps) + period - 1,
      basis: "evaluated data points",
    };
  const at = parseCloudWatchTime(e.detail.state.timestamp);
  const end = Number.isFinite(at) ? at : Date.parse(e.time);
  return { start: end - period * fallback.evaluationPeriods, end, basis: "alarm time and period" };
}
