/** Backtest output: the `--json` document and the human-readable report. */
import type { DetectionTotals, Disagreement, Example, RenderingTotals } from "./tally";
import type { BacktestResult } from "./pool";

/** What is reported: the run's result and the hidden entries the directory walk passed over. */
export type Report = BacktestResult & { readonly hidden?: readonly string[] };

/** The `--json` document; README "## Backtest" documents it. */
export function toJson(r: Report): object {
  return {
    records: r.records,
    files: r.files,
    skipped: r.skipped.map((s) => ({ file: s.file, error: s.error })),
    hidden: r.hidden ?? [],
    detections: r.detections.map((d) => ({
      id: d.id,
      title: d.title,
      severity: d.severity,
      delivery: d.delivery,
      alarm: d.alarm,
      filter: renderingJson(d.filter),
      event: renderingJson(d.event),
      disagreements: d.disagreements,
      disagreementCount: d.disagreementCount,
    })),
  };
}

function renderingJson(t: RenderingTotals): object {
  return {
    matches: t.matches,
    eventIds: t.eventIds,
    principals: t.principals,
    first: t.first,
    last: t.last,
    examples: t.examples,
    alarms: t.alarms,
  };
}

export interface HumanContext {
  readonly seconds: number;
}

/** Times listed per alarm in the report; `--json` lists them all. */
export const MAX_ALARM_TIMES = 5;

/** Summary line, aligned table, alarm times, examples, disagreements, skipped files. */
export function formatHuman(r: Report, ctx: HumanContext): string {
  const out: string[] = [];
  const rate = ctx.seconds > 0 ? Math.round(r.records / ctx.seconds) : 0;
  out.push(
    `Backtest: ${num(r.records)} records in ${num(r.files)} file${r.files === 1 ? "" : "s"}` +
      (r.skipped.length > 0 ? ` (${r.skipped.length} skipped)` : "") +
      `, ${r.detections.length} detection${r.detections.length === 1 ? "" : "s"}, ${ctx.seconds.toFixed(2)} s (${num(rate)} records/s)`,
    "",
  );
  out.push(
    table(
      ["id", "severity", "filter", "event", "principals", "first", "last", "alarms"],
      r.detections.map((d) => [
        d.id,
        d.severity,
        num(d.filter.matches),
        num(d.event.matches),
        num(new Set([...d.filter.principals, ...d.event.principals]).size),
        earliest(d.filter.first, d.event.first) ?? "-",
        latest(d.filter.last, d.event.last) ?? "-",
        d.filter.alarms === null ? "-" : num(d.filter.alarms.count),
      ]),
      new Set([2, 3, 4, 7]),
    ),
    "",
    "filter/event: matches of the metric filter (raw record) and of the event pattern (EventBridge",
    "envelope); alarms: times the detection's CloudWatch alarm would have gone from OK to ALARM",
    '(- when it is not delivered as an alarm; README "Backtest" gives the model).',
    "",
  );

  const alarming = r.detections.filter((d) => (d.filter.alarms?.count ?? 0) > 0);
  if (alarming.length > 0) {
    out.push("Alarms (evaluation time of each OK -> ALARM transition, UTC):");
    for (const d of alarming) out.push(...alarmLines(d));
    out.push("");
  }

  const withExamples = r.detections.filter((d) => d.filter.matches + d.event.matches > 0);
  out.push(withExamples.length > 0 ? "Examples (earliest matches):" : "Examples: no matches.");
  for (const d of withExamples) {
    out.push(`  ${d.id}`);
    const examples = d.filter.examples.length > 0 ? d.filter.examples : d.event.examples;
    out.push(
      ...indent(
        table(["time", "region", "call", "principal", "resource"], examples.map(exampleRow)),
        4,
      ),
    );
  }
  out.push("");

  const disagreeing = r.detections.filter((d) => d.disagreementCount > 0);
  if (disagreeing.length === 0)
    out.push(
      "Disagreements: none (both renderings agree on every record EventBridge would deliver).",
    );
  else {
    out.push("Disagreements (a rendering bug: both renderings should match the same records):");
    for (const d of disagreeing) out.push(...disagreementLines(d));
  }
  out.push("");

  if (r.skipped.length === 0) out.push("Skipped files: none.");
  else {
    out.push(`Skipped files (${r.skipped.length}):`);
    for (const s of r.skipped) out.push(`  ${s.file}: ${s.error}`);
  }
  const hidden = r.hidden ?? [];
  if (hidden.length > 0) {
    const shown = hidden.slice(0, MAX_HIDDEN).join(", ");
    const more = hidden.length > MAX_HIDDEN ? `, and ${num(hidden.length - MAX_HIDDEN)} more` : "";
    out.push(`Hidden entries passed over (names starting with "."): ${shown}${more}.`);
  }
  return out.join("\n") + "\n";
}

const MAX_HIDDEN = 5;

function alarmLines(d: DetectionTotals): string[] {
  const a = d.alarm!;
  const { count, times } = d.filter.alarms!;
  const model =
    `period ${a.periodSeconds} s, threshold ${a.threshold}, ` +
    `${a.datapointsToAlarm} of ${a.evaluationPeriods} data point${a.evaluationPeriods === 1 ? "" : "s"}` +
    (a.evaluationRange > a.evaluationPeriods ? `, evaluation range ${a.evaluationRange}` : "");
  const more = count - Math.min(count, MAX_ALARM_TIMES);
  return [
    `  ${d.id}: ${num(count)} (${model})`,
    ...times.slice(0, MAX_ALARM_TIMES).map((t) => `    ${t}`),
    ...(more > 0 ? [`    ... and ${num(more)} more (--json lists every one)`] : []),
  ];
}

function exampleRow(e: Example): string[] {
  return [e.time, e.region, e.call, e.principal, e.resource ?? "-"];
}

function disagreementLines(d: DetectionTotals): string[] {
  const more = d.disagreementCount - d.disagreements.length;
  return [
    `  ${d.id}: ${num(d.disagreementCount)} record${d.disagreementCount === 1 ? "" : "s"}`,
    ...indent(
      table(
        ["eventID", "eventName", "eventTime", "filter", "event", "file"],
        d.disagreements.map((x: Disagreement) => [
          x.eventId,
          x.eventName,
          x.eventTime,
          x.filter ? "match" : "no",
          x.event ? "match" : "no",
          x.file,
        ]),
      ),
      4,
    ),
    ...(more > 0 ? [`    ... and ${num(more)} more`] : []),
  ];
}

/** Columns padded to the widest cell; `right` holds the indexes of right-aligned columns. */
export function table(header: string[], rows: string[][], right = new Set<number>()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

const indent = (text: string, n: number): string[] =>
  text.split("\n").map((l) => " ".repeat(n) + l);

const num = (n: number): string => n.toLocaleString("en-US");

function earliest(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return a ?? b;
  return Date.parse(b) < Date.parse(a) ? b : a;
}

function latest(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return a ?? b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}
