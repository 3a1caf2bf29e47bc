/**
 * What a detection's CloudWatch alarm would have done: the OK -> ALARM transitions of the alarm
 * trailwatch renders (metric filter value 1 per matching log event, no default value; statistic
 * Sum, `GreaterThanOrEqualToThreshold`, `treat_missing_data = notBreaching`), replayed on the
 * per-minute counts of the metric filter's matches.
 *
 * The model (README "## Backtest" lists its limits); sources are the CloudWatch User Guide
 * ("Alarm evaluation", "Alarm evaluation window", "High-resolution alarms") and the PutMetricAlarm
 * API reference:
 * - Data points: a metric filter publishes standard-resolution (one-minute) data: its
 *   MetricTransformation has no storage-resolution setting, and PutMetricData's high resolution
 *   is for custom metrics only. A match counts in the minute of its `eventTime`; a minute without
 *   matches has no data point (no default value), which the alarm treats as not breaching.
 * - Evaluation: with the default `EvaluationWindow` (`SlidingWindow`), an alarm whose period is a
 *   minute or longer is evaluated every minute over windows ending at that minute, not at clock
 *   boundaries that are multiples of the period; a 10 or 30 s period makes a high-resolution
 *   alarm, evaluated every 10 s. Data point k (1 = newest) of the evaluation at T is the Sum over
 *   [T - k * period, T - (k - 1) * period). On one-minute data a 10 or 30 s window holds a data
 *   point only when it contains the minute's start ("it does not receive data for the attempts that
 *   do not correspond to a one-minute data resolution").
 * - State: ALARM when at least `datapointsToAlarm` (M) of the `evaluationPeriods` (N) data points
 *   evaluated are breaching (Sum >= threshold), else OK. CloudWatch retrieves more data points than
 *   N (its "evaluation range", whose size it does not publish) and, when at least N of them exist,
 *   evaluates the N most recent existing ones; `evaluationRange` (data points, >= N) models that,
 *   and its default N evaluates exactly the last N periods.
 * - A transition is an evaluation in ALARM after one in OK (the state before the first match is
 *   OK); its time is the evaluation time T, the earliest moment the alarm could have fired.
 */

export interface AlarmModel {
  /** Seconds per data point: 10, 30 or a multiple of 60 (CloudWatch alarm periods). */
  readonly periodSeconds: number;
  /** Sum per period at or above which a data point breaches; >= 1. */
  readonly threshold: number;
  /** N: data points evaluated. */
  readonly evaluationPeriods: number;
  /** M: breaching data points among the N that put the alarm in ALARM; 1 <= M <= N. */
  readonly datapointsToAlarm: number;
  /** Data points retrieved per evaluation (>= N); the N most recent existing ones are evaluated. @default N */
  readonly evaluationRange?: number;
}

/**
 * The evaluation times (epoch seconds, ascending) at which the alarm went from OK to ALARM.
 * `minutes` are [epoch minute (floor(ms / 60000)), matches in that minute] in any order (a Map is
 * used as it is; in a list a minute may appear more than once and its counts add up). Throws
 * RangeError for a model CloudWatch refuses. Cost: proportional to the minutes within N (or the
 * evaluation range) periods after a match, not to the records; N data points per evaluation only
 * when the evaluation range exceeds N.
 */
export function alarmTransitions(
  minutes: ReadonlyMap<number, number> | Iterable<readonly [number, number]>,
  model: AlarmModel,
): number[] {
  const { periodSeconds: period, threshold } = model;
  const n = model.evaluationPeriods;
  const m = model.datapointsToAlarm;
  const range = model.evaluationRange ?? n;
  checkModel(model, range);

  // Time in ticks: evaluations happen every tick, data sits on minute starts.
  const tick = period >= 60 ? 60 : 10;
  const perMinute = 60 / tick;
  const p = period / tick;
  const span = range * p; // ticks an evaluation looks back

  let counts: ReadonlyMap<number, number>;
  if (minutes instanceof Map) counts = minutes;
  else {
    const sums = new Map<number, number>();
    for (const [minute, count] of minutes) sums.set(minute, (sums.get(minute) ?? 0) + count);
    counts = sums;
  }
  const sorted = [...counts.keys()].filter((k) => counts.get(k)! > 0).sort((a, b) => a - b);

  const out: number[] = [];
  // An evaluation at T sees a data point only when its minute start lies in [T - span, T): group
  // the minutes whose reach overlaps; between groups every evaluation is OK.
  for (let g = 0; g < sorted.length;) {
    let end = g + 1;
    while (end < sorted.length && (sorted[end] - sorted[end - 1]) * perMinute <= span) end++;
    const first = sorted[g] * perMinute;
    const last = sorted[end - 1] * perMinute;
    // Local index j is tick base + j. Evaluations run from T = first + 1 (j = span) to
    // T = last + span (j = top), when the last data point leaves their reach.
    const base = first + 1 - span;
    const top = last - first + 2 * span - 1;
    // prefix[j] = matches in ticks [base, base + j)
    const prefix = new Float64Array(top + 1);
    for (let i = g; i < end; i++) prefix[sorted[i] * perMinute - base + 1] = counts.get(sorted[i])!;
    for (let j = 1; j <= top; j++) prefix[j] += prefix[j - 1];
    const sum = (from: number, to: number) => prefix[to] - prefix[Math.max(0, from)];

    let alarm = false;
    if (range === n) {
      // breaching[j]: the data point ending at base + j breaches; running[j]: breaching data
      // points among the N ending at j, j - p, ..., j - (N - 1) p.
      const breaching = new Uint8Array(top + 1);
      const running = new Int32Array(top + 1);
      for (let j = 0; j <= top; j++) {
        breaching[j] = sum(j - p, j) >= threshold ? 1 : 0;
        running[j] =
          (j >= p ? running[j - p] : 0) + breaching[j] - (j >= n * p ? breaching[j - n * p] : 0);
        if (j < span) continue;
        const now = running[j] >= m;
        if (now && !alarm) out.push((base + j) * tick);
        alarm = now;
      }
    } else {
      for (let j = span; j <= top; j++) {
        let taken = 0;
        let breached = 0;
        for (let k = 1; k <= range && taken < n; k++) {
          const v = sum(j - k * p, j - (k - 1) * p);
          if (v === 0) continue; // missing: the N most recent existing data points are evaluated
          taken++;
          if (v >= threshold) breached++;
        }
        const now = breached >= m;
        if (now && !alarm) out.push((base + j) * tick);
        alarm = now;
      }
    }
    g = end;
  }
  return out;
}

function checkModel(model: AlarmModel, range: number): void {
  const { periodSeconds: p, threshold, evaluationPeriods: n, datapointsToAlarm: m } = model;
  const problems: string[] = [];
  if (!(p === 10 || p === 30 || (Number.isInteger(p) && p >= 60 && p % 60 === 0)))
    problems.push(`periodSeconds ${p} is not 10, 30 or a multiple of 60`);
  if (!(threshold >= 1)) problems.push(`threshold ${threshold} is below 1`);
  if (!(Number.isInteger(n) && n >= 1))
    problems.push(`evaluationPeriods ${n} is not a whole number >= 1`);
  if (!(Number.isInteger(m) && m >= 1 && m <= n))
    problems.push(
      `datapointsToAlarm ${m} is not a whole number from 1 to evaluationPeriods (${n})`,
    );
  if (!(Number.isInteger(range) && range >= n))
    problems.push(`evaluationRange ${range} is not a whole number >= evaluationPeriods (${n})`);
  if (problems.length > 0) throw new RangeError(`alarm model: ${problems.join("; ")}`);
}
