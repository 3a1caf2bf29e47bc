import type { Severity } from "../detections/types";

/**
 * The emoji that opens a chat card's title, by severity. Unicode characters, because they render in
 * both Slack and Microsoft Teams; shortcodes such as `:warning:` render only in Slack (Teams shows
 * the text). Kept apart from the card builders so the alarm enrichment bundle imports only this.
 */
export const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = {
  critical: "🚨",
  high: "⚠️",
  medium: "🔶",
  low: "ℹ️",
};
