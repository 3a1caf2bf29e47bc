/**
 * The HTML pages of the containment endpoint. Every value that comes from a link, a CloudTrail
 * record or AWS goes through `escape-html`; the pages load nothing (no scripts, images or external
 * styles) and the response headers forbid framing, caching and cross-origin referrers (the URL holds
 * a signature).
 */
import escapeHtml from "escape-html";
import type { ContainmentAction } from "./action";
import type { LinkClaims } from "./claims";
import type { Outcome } from "./effects/outcome";
import type { LedgerEntry } from "./ledger";

export interface Page {
  readonly status: number;
  readonly html: string;
}

/** Response headers for every page. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  // Not no-referrer: with it, browsers send "Origin: null" on the form's POST (Fetch standard),
  // and the handler refuses cross-origin posts. same-origin still never sends the URL elsewhere.
  "referrer-policy": "same-origin",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "x-robots-tag": "noindex, nofollow",
};

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}code{font-size:.9em;overflow-wrap:anywhere}li{margin:.3rem 0}
button{font-size:1rem;padding:.6rem 1.2rem;background:#b3261e;color:#fff;border:0;border-radius:4px;cursor:pointer}
.note{color:#555;font-size:.9rem}`;

const e = (s: unknown) => escapeHtml(String(s));

function page(status: number, title: string, body: string): Page {
  return {
    status,
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow"><title>${e(title)} - trailwatch</title><style>${STYLE}</style></head><body><h1>${e(title)}</h1>${body}</body></html>`,
  };
}

function list(items: readonly string[]): string {
  return `<ul>${items.map((i) => `<li>${e(i)}</li>`).join("")}</ul>`;
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function eventFacts(c: LinkClaims, detectionTitle: string): string {
  return `<dl>
<dt>Detection</dt><dd>${e(detectionTitle)} (${e(c.detection)})</dd>
<dt>Call</dt><dd>${e(c.call)}</dd>
<dt>By</dt><dd>${e(c.principal)}</dd>
<dt>At</dt><dd>${e(c.eventTime)}</dd>
<dt>Where</dt><dd>account ${e(c.account)}, ${e(c.region)}</dd>
<dt>Event id</dt><dd><code>${e(c.eventId)}</code></dd>
</dl>`;
}

/** GET: what will be done to what, and the one button that does it (a POST to the same URL). */
export function confirmationPage(
  c: LinkClaims,
  action: ContainmentAction<unknown>,
  steps: readonly string[],
  detectionTitle: string,
  rawQuery: string,
): Page {
  return page(
    200,
    `${action.title}?`,
    `<p>trailwatch will act on <strong>${e(action.describe(c.target))}</strong>, named by this CloudTrail event:</p>
${eventFacts(c, detectionTitle)}
<h2>What the button does</h2>${list(steps)}
<form method="post" action="?${e(rawQuery)}"><input type="hidden" name="confirm" value="yes"><button type="submit">${e(action.verb)}</button></form>
<p class="note">Nothing has been changed yet. This link works once and expires at ${e(when(c.expires * 1000))}. Who confirms (address and browser) is recorded and reported to the alert topic.</p>`,
  );
}

/** The result of the POST that acted. */
export function resultPage(
  c: LinkClaims,
  action: ContainmentAction<unknown>,
  outcome: Outcome,
  detectionTitle: string,
): Page {
  const headline = {
    done: "Done",
    unchanged: "Nothing to change",
    gone: "Nothing left to act on",
    partial: "Partly done",
    failed: "Not done",
  }[outcome.status];
  const intro = {
    done: `trailwatch acted on ${action.describe(c.target)}.`,
    unchanged: `${action.describe(c.target)} was already as tight as this action makes it.`,
    gone: `${action.describe(c.target)} no longer exists or no longer has what the alert described.`,
    partial: `Some steps on ${action.describe(c.target)} failed; the link can be used again to retry them.`,
    failed: `AWS refused the action on ${action.describe(c.target)}; the link can be used again.`,
  }[outcome.status];
  return page(
    outcome.status === "failed" ? 502 : 200,
    `${headline}: ${action.title}`,
    `<p>${e(intro)}</p>
${outcome.changes.length > 0 ? `<h2>Changed</h2>${list(outcome.changes)}` : ""}
${outcome.notes.length > 0 ? `<h2>Notes</h2>${list(outcome.notes)}` : ""}
${outcome.undo.length > 0 ? `<h2>To undo</h2>${list(outcome.undo)}` : ""}
<h2>The event</h2>${eventFacts(c, detectionTitle)}
<p class="note">A follow-up notification with this result went to the alert topic.</p>`,
  );
}

/** A second click, or someone else's: what happened the first time. */
export function alreadyUsedPage(
  c: LinkClaims,
  action: ContainmentAction<unknown>,
  entry: LedgerEntry,
  detectionTitle: string,
): Page {
  const by = `${entry.sourceIp} (${entry.userAgent || "unknown browser"}) at ${when(entry.claimedAt)}`;
  const body =
    entry.status === "started"
      ? `<p>Someone confirmed this link moments ago (${e(by)}); the action on ${e(action.describe(c.target))} is under way. Reload this page in a minute to see the result.</p>`
      : `<p>This link was already used by ${e(by)}: &ldquo;${e(action.title)}&rdquo; on ${e(action.describe(c.target))} ended with <strong>${e(entry.status)}</strong>.</p>
${entry.outcome && entry.outcome.changes.length > 0 ? `<h2>Changed</h2>${list(entry.outcome.changes)}` : ""}
${entry.outcome && entry.outcome.undo.length > 0 ? `<h2>To undo</h2>${list(entry.outcome.undo)}` : ""}`;
  return page(
    409,
    "Link already used",
    `${body}<h2>The event</h2>${eventFacts(c, detectionTitle)}`,
  );
}

/** Any refusal: bad, expired or disabled links, and unexpected failures. Nothing was done. */
export function errorPage(status: number, title: string, message: string): Page {
  return page(status, title, `<p>${e(message)}</p><p class="note">Nothing was changed.</p>`);
}
