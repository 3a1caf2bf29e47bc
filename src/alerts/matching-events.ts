/**
 * The CloudTrail records behind an alarm: the detection's own metric filter pattern run with
 * CloudWatch Logs `FilterLogEvents` over the alarm's window, every page, within bounds.
 *
 * API facts (CloudWatch Logs API Reference, FilterLogEvents; service quotas): a page holds at most
 * 1 MB or 10,000 events and may be EMPTY while `nextToken` is still set, so paging stops only when
 * the token is gone; the API is throttled at about 5 requests per second per account and Region,
 * shared with every other caller. So: calls are paced (`minIntervalMs`), capped per invocation
 * (`maxPages`), stopped before the function's deadline, and the function's reserved concurrency
 * caps how many invocations page at once. The SDK's standard retry mode backs off on throttling.
 */
import { FilterLogEventsCommand, type CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

export interface MatchingEventsQuery {
  readonly logGroupName: string;
  readonly filterPattern: string;
  /** ms since the epoch, inclusive */
  readonly start: number;
  readonly end: number;
}

export interface PagingLimits {
  /** Records kept for the message (all are counted). */
  readonly keep: number;
  /** FilterLogEvents calls per invocation. */
  readonly maxPages: number;
  /** Minimum ms between two calls. */
  readonly minIntervalMs: number;
  /** Stop paging when fewer ms than this remain before the function's deadline. */
  readonly reserveMs: number;
}

export const DEFAULT_LIMITS: PagingLimits = {
  keep: 10,
  maxPages: 20,
  minIntervalMs: 400,
  reserveMs: 10_000,
};

export interface MatchingEvents {
  /** The earliest `keep` records, oldest first. */
  readonly records: readonly Record<string, unknown>[];
  /** Log events that matched (records that could not be parsed count too). */
  readonly count: number;
  /** True when paging stopped with a token left: `count` is then a lower bound. */
  readonly truncated: boolean;
  readonly pages: number;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export async function matchingEvents(
  logs: CloudWatchLogsClient,
  q: MatchingEventsQuery,
  limits: PagingLimits,
  remainingMs: () => number,
  clock: Clock = realClock,
): Promise<MatchingEvents> {
  const kept: { t: number; record: Record<string, unknown> }[] = [];
  let count = 0;
  let pages = 0;
  let nextToken: string | undefined;
  let lastCall = -Infinity;
  do {
    if (pages >= limits.maxPages || remainingMs() < limits.reserveMs)
      return { records: sorted(kept, limits.keep), count, truncated: true, pages };
    const wait = lastCall + limits.minIntervalMs - clock.now();
    if (wait > 0) await clock.sleep(wait);
    lastCall = clock.now();
    const page = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: q.logGroupName,
        filterPattern: q.filterPattern,
        startTime: q.start,
        endTime: q.end,
        nextToken,
      }),
    );
    pages++;
    for (const e of page.events ?? []) {
      count++;
      const record = parseRecord(e.message);
      if (record) {
        kept.push({ t: e.timestamp ?? 0, record });
        // Keep memory flat however many events match: only the earliest `keep` are shown.
        if (kept.length > limits.keep * 2)
          kept.splice(0, kept.length, ...sortedPairs(kept, limits.keep));
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return { records: sorted(kept, limits.keep), count, truncated: false, pages };
}

function parseRecord(message: string | undefined): Record<string, unknown> | undefined {
  if (!message) return undefined;
  try {
    const r = JSON.parse(message) as unknown;
    return typeof r === "object" && r !== null && !Array.isArray(r)
      ? (r as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function sortedPairs<T extends { t: number }>(xs: T[], n: number): T[] {
  return [...xs].sort((a, b) => a.t - b.t).slice(0, n);
}

function sorted(xs: { t: number; record: Record<string, unknown> }[], n: number) {
  return sortedPairs(xs, n).map((x) => x.record);
}
