/** A Terraform error or warning, from its JSON output or, for `init`, its text output. */
export interface Diagnostic {
  /** The command that reported it. */
  readonly step: "init" | "validate" | "plan" | "show";
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail?: string;
  /** Resource address, e.g. `aws_sns_topic_subscription.alerts_email-0_ECD0CBB7`. */
  readonly address?: string;
  /** `cdk.tf.json:123` (line numbers of the offline copy, which is pretty-printed). */
  readonly where?: string;
}

type Step = Diagnostic["step"];
// Terraform's JSON, read field by field with checks.
type JsonObject = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A diagnostic object of Terraform's machine-readable output: `terraform validate -json`'s
 * `diagnostics[]` and the `diagnostic` of `terraform plan -json` messages (Terraform docs,
 * "Machine-Readable UI": severity, summary, detail, address, range.filename/start.line).
 */
export function fromJsonDiagnostic(step: Step, d: JsonObject): Diagnostic {
  const range = d.range as { filename?: string; start?: { line?: number } } | undefined;
  return {
    step,
    severity: d.severity === "warning" ? "warning" : "error",
    summary: String(d.summary ?? "").trim(),
    ...(d.detail ? { detail: String(d.detail).trim() } : {}),
    ...(d.address ? { address: String(d.address) } : {}),
    ...(range?.filename
      ? { where: `${range.filename}${range.start?.line ? `:${range.start.line}` : ""}` }
      : {}),
  };
}

/**
 * Diagnostics in Terraform's human output (`init` has no JSON form in every version): blocks
 * drawn as `╷ / │ Error: summary / │ detail... / ╵`, or plain `Error: summary` paragraphs.
 */
export function parseHumanDiagnostics(step: Step, text: string): Diagnostic[] {
  const lines = text.split(/\r?\n/).map((l) => l.replace(/^[│|] ?/, ""));
  const found: Diagnostic[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(Error|Warning): (.*)$/.exec(lines[i]);
    if (!m) continue;
    const detail: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      if (/^[╵╷]/.test(lines[j]) || /^(Error|Warning): /.test(lines[j])) break;
      detail.push(lines[j]);
    }
    found.push({
      step,
      severity: m[1] === "Error" ? "error" : "warning",
      summary: m[2].trim(),
      ...(detail.join("\n").trim() ? { detail: detail.join("\n").trim() } : {}),
    });
    i = j - 1;
  }
  return found;
}

/** One line for a report: `Error: summary (address, cdk.tf.json:12): first line of detail`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.address, d.where].filter(Boolean).join(", ");
  const detail = d.detail?.split("\n").find((l) => l.trim());
  return `${d.severity === "error" ? "Error" : "Warning"} (${d.step}): ${d.summary}${where ? ` [${where}]` : ""}${detail ? `: ${detail.trim()}` : ""}`;
}
