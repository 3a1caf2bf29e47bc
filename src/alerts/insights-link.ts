/**
 * A CloudWatch Logs Insights console link with the log group, the query and an absolute time
 * range filled in. The console keeps its state in the URL fragment:
 *
 *   https://<region>.console.aws.amazon.com/cloudwatch/home?region=<region>
 *     #logsV2:logs-insights$3FqueryDetail$3D~(end~'<ISO>~start~'<ISO>~timeType~'ABSOLUTE
 *       ~tz~'UTC~editorString~'<query>~source~(~'<log group>))
 *
 * `$3F` and `$3D` are `?` and `=` URL-encoded with `$` for `%`; the detail is a Rison-like
 * object (`~` separates, `'` starts a string, `(`/`)` group) whose string values are URL-encoded
 * with `*` for `%`. AWS does not document the format; it is what the console writes when a query
 * is run, and what public link builders reproduce (e.g. naomichi-y/cloudwatch-insights-url-builder,
 * No-Backspace-Crew/Speedrun's CWLInsights template). Every character outside `[A-Za-z0-9_.-]`
 * is encoded, so no query text can close a string or group early.
 */

/** `*XX` per UTF-8 byte of every character outside `[A-Za-z0-9_.-]`. */
export function encodeInsightsValue(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.-]/.test(c) ? c : `*${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

export interface InsightsLink {
  readonly region: string;
  readonly logGroupName: string;
  readonly query: string;
  /** ms since the epoch */
  readonly start: number;
  readonly end: number;
}

export function insightsLink(l: InsightsLink): string {
  const iso = (ms: number) => encodeInsightsValue(new Date(ms).toISOString());
  const detail =
    `~(end~'${iso(l.end)}~start~'${iso(l.start)}~timeType~'ABSOLUTE~tz~'UTC` +
    `~editorString~'${encodeInsightsValue(l.query)}` +
    `~source~(~'${encodeInsightsValue(l.logGroupName)}))`;
  const region = encodeURIComponent(l.region);
  return (
    `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}` +
    `#logsV2:logs-insights$3FqueryDetail$3D${detail}`
  );
}
