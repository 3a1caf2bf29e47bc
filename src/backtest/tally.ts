/**
 * What the backtest reports per detection and rendering: per-file accumulators (matches,
 * eventIDs, principals, time range, earliest examples, matches per minute) and their merge over
 * files, where the alarm emulation (alarm.ts) runs on the merged minutes. File tallies are plain
 * data so they cross from worker threads.
 */
import { RESOURCE_FIELDS, RESOURCE_FIELDS_BY_SOURCE } from "../detections/render";
import { alarmTransitions } from "./alarm";
import type { Delivery, Severity } from "../detections/types";
import type { PlannedDetection } from "./engine";
import type { CloudTrailRecord } from "./readers";

export interface Example {
  readonly time: string;
  readonly principal: string;
  readonly region: string;
  /** `service:eventName`, the service being eventSource's first label. */
  readonly call: string;
  /** The first resource-naming request parameter present, as `field=value`. */
  readonly resource: string | null;
  readonly eventId: string;
  readonly file: string;
}

export interface Disagreement {
  readonly eventId: string;
  readonly eventName: string;
  readonly eventTime: string;
  readonly file: string;
  readonly filter: boolean;
  readonly event: boolean;
}

/** One rendering's tally over some records; plain data. */
export interface RenderingTally {
  matches: number;
  eventIds: string[];
  principals: string[];
  first: string | null;
  last: string | null;
  examples: Example[];
  /**
   * Minutes with matches: [epoch minute (floor(eventTime ms / 60000)), matches], for the filter
   * rendering of a detection delivered as an alarm (what its metric filter would have published).
   */
  minutes: [number, number][];
}

export interface DetectionTally {
  readonly id: string;
  readonly filter: RenderingTally;
  readonly event: RenderingTally;
  disagreements: Disagreement[];
  disagreementCount: number;
}

export interface FileTally {
  readonly file: string;
  readonly records: number;
  readonly detections: DetectionTally[];
}

export const MAX_EXAMPLES = 3;
/** Disagreements listed per detection; beyond that they are only counted. */
export const MAX_DISAGREEMENTS = 100;

/** What every tally needs from a matched record, worked out once per record. */
export interface MatchedRecord {
  readonly record: CloudTrailRecord;
  readonly eventId: string;
  readonly principal: string;
  readonly time: string;
  /** eventTime in epoch ms; NaN when it does not parse. */
  readonly ms: number;
}

export function matchedRecord(r: CloudTrailRecord): MatchedRecord {
  const time = str(r.eventTime);
  return {
    record: r,
    eventId: str(r.eventID),
    principal: principalOf(r),
    time,
    ms: Date.parse(time),
  };
}

/** Accumulates one rendering over one file, with sets and maps the plain tally cannot hold. */
export class RenderingAccumulator {
  matches = 0;
  readonly eventIds: string[] = [];
  readonly principals = new Set<string>();
  firstMs = Infinity;
  lastMs = -Infinity;
  first: string | null = null;
  last: string | null = null;
  /** The earliest matches so far; their Example is built in tally(), for at most MAX_EXAMPLES. */
  readonly examples: {
    readonly ms: number;
    readonly eventId: string;
    readonly match: MatchedRecord;
    readonly file: string;
  }[] = [];
  readonly minutes = new Map<number, number>();
  // Records come roughly in time order: count runs of one minute before touching the map.
  private minute = NaN;
  private inMinute = 0;

  /** `perMinute`: count the match in its eventTime's minute (alarm-delivered filter rendering). */
  add(m: MatchedRecord, file: string, perMinute: boolean, withIds: boolean): void {
    this.matches++;
    if (withIds) this.eventIds.push(m.eventId);
    this.principals.add(m.principal);
    const ms = m.ms;
    if (ms < this.firstMs) {
      this.firstMs = ms;
      this.first = m.time;
    }
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.last = m.time;
    }
    if (perMinute && Number.isFinite(ms)) {
      const minute = Math.floor(ms / 60_000);
      if (minute !== this.minute) {
        this.flushMinute();
        this.minute = minute;
      }
      this.inMinute++;
    }
    // Checked before building the entry: this runs for every match.
    if (this.examples.length < MAX_EXAMPLES || exampleBefore(ms, m.eventId, this.examples.at(-1)!))
      keepEarliest(this.examples, {
        ms: Number.isFinite(ms) ? ms : Infinity,
        eventId: m.eventId,
        match: m,
        file,
      });
  }

  private flushMinute(): void {
    if (this.inMinute === 0) return;
    this.minutes.set(this.minute, (this.minutes.get(this.minute) ?? 0) + this.inMinute);
    this.inMinute = 0;
  }

  /**
   * The file's tally. With `sent` (what this thread already sent for this detection and
   * rendering), principals already sent and examples that cannot be among the earliest are left
   * out, and `sent` takes in the rest: the merged totals come out the same (principals are a set;
   * an example later than MAX_EXAMPLES already sent is never among the earliest), at a fraction of
   * the copying between threads and the merging.
   */
  tally(sent?: SentRendering): RenderingTally {
    this.flushMinute();
    let principals = [...this.principals];
    let examples = this.examples;
    if (sent) {
      principals = principals.filter((p) => !sent.principals.has(p));
      for (const p of principals) sent.principals.add(p);
      examples = examples.filter((e) => keepEarliest(sent.examples, e));
    }
    return {
      matches: this.matches,
      eventIds: this.eventIds,
      principals,
      first: this.first,
      last: this.last,
      examples: examples.map((e) => exampleOf(e.match.record, e.match.principal, e.file)),
      minutes: [...this.minutes],
    };
  }
}

/** What one thread has sent of one detection's rendering, over the files it scanned. */
export class SentRendering {
  readonly principals = new Set<string>();
  /** The earliest examples sent, at most MAX_EXAMPLES, earliest first. */
  readonly examples: Ordered[] = [];
}

/** What one thread has sent, per detection of the plan: see RenderingAccumulator.tally. */
export class SentByThread {
  readonly filters: SentRendering[];
  readonly events: SentRendering[];
  constructor(detections: number) {
    this.filters = Array.from({ length: detections }, () => new SentRendering());
    this.events = Array.from({ length: detections }, () => new SentRendering());
  }
}

export const str = (v: unknown): string =>
  typeof v === "string" ? v : v === undefined ? "" : String(v);

/** userIdentity.arn, else type:principalId (AWS services have invokedBy instead). */
export function principalOf(r: CloudTrailRecord): string {
  const u = r.userIdentity as Record<string, unknown> | undefined;
  if (typeof u !== "object" || u === null) return "unknown";
  if (typeof u.arn === "string" && u.arn !== "") return u.arn;
  const who = u.principalId ?? u.invokedBy ?? u.userName;
  return `${str(u.type) || "unknown"}:${str(who) || "unknown"}`;
}

function exampleOf(r: CloudTrailRecord, principal: string, file: string): Example {
  const source = str(r.eventSource);
  return {
    time: str(r.eventTime),
    principal,
    region: str(r.awsRegion),
    call: `${source.split(".")[0]}:${str(r.eventName)}`,
    resource: resourceOf(source, r.requestParameters),
    eventId: str(r.eventID),
    file,
  };
}

/** The call's resource: the record's service's resource fields first, then any service's. */
function resourceOf(source: string, params: unknown): string | null {
  if (typeof params !== "object" || params === null) return null;
  const p = params as Record<string, unknown>;
  for (const fields of [RESOURCE_FIELDS_BY_SOURCE[source] ?? [], RESOURCE_FIELDS])
    for (const field of fields) {
      const v = p[field];
      if (v !== undefined && v !== null)
        return `${field}=${typeof v === "string" ? v : JSON.stringify(v)}`;
    }
  return null;
}

type Ordered = { readonly ms: number; readonly eventId: string };
/** Examples are the earliest matches (by time, then eventID): the same whatever the file order. */
const compareExamples = (a: Ordered, b: Ordered): number =>
  a.ms - b.ms || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
const exampleBefore = (ms: number, eventId: string, last: Ordered): boolean =>
  compareExamples({ ms: Number.isFinite(ms) ? ms : Infinity, eventId }, last) < 0;

/**
 * Puts `e` into `earliest` (ordered by compareExamples, at most MAX_EXAMPLES long) when it is
 * among the earliest; whether it was kept. One rule for a file's examples, what a thread has sent
 * and the merged totals.
 */
function keepEarliest<T extends Ordered>(earliest: T[], e: T): boolean {
  if (earliest.length === MAX_EXAMPLES) {
    if (compareExamples(e, earliest[MAX_EXAMPLES - 1]) >= 0) return false;
    earliest.pop();
  }
  earliest.push(e);
  earliest.sort(compareExamples);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Totals over files

/** What the detection's CloudWatch alarm would have done (alarm.ts has the model). */
export interface AlarmOutcome {
  /** OK -> ALARM transitions: the alarm notifications there would have been. */
  readonly count: number;
  /** Evaluation time of each transition, ISO 8601 UTC, ascending. */
  readonly times: string[];
}

export interface RenderingTotals extends Omit<RenderingTally, "minutes"> {
  /** The alarm this rendering feeds; null for the event rendering and for detections without one. */
  readonly alarms: AlarmOutcome | null;
}

export interface DetectionTotals {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly delivery: Delivery;
  readonly alarm: PlannedDetection["alarm"] | null;
  readonly filter: RenderingTotals;
  readonly event: RenderingTotals;
  readonly disagreements: Disagreement[];
  readonly disagreementCount: number;
}

/** Merges file tallies; call `add` in input order for an output independent of scheduling. */
export class Totals {
  records = 0;
  files = 0;
  private readonly filters: MergedRendering[];
  private readonly events: MergedRendering[];
  private readonly disagreements: Disagreement[][];
  private readonly disagreementCounts: number[];

  constructor(private readonly plan: readonly PlannedDetection[]) {
    this.filters = plan.map(() => new MergedRendering());
    this.events = plan.map(() => new MergedRendering());
    this.disagreements = plan.map(() => []);
    this.disagreementCounts = plan.map(() => 0);
  }

  add(t: FileTally): void {
    this.records += t.records;
    this.files++;
    t.detections.forEach((d, i) => {
      this.filters[i].add(d.filter);
      this.events[i].add(d.event);
      this.disagreementCounts[i] += d.disagreementCount;
      const room = MAX_DISAGREEMENTS - this.disagreements[i].length;
      if (room > 0) this.disagreements[i].push(...d.disagreements.slice(0, room));
    });
  }

  result(): DetectionTotals[] {
    return this.plan.map((p, i) => ({
      id: p.id,
      title: p.title,
      severity: p.severity,
      delivery: p.delivery,
      alarm: p.alarm ?? null,
      filter: this.filters[i].totals(p.alarm),
      event: this.events[i].totals(undefined),
      disagreements: this.disagreements[i],
      disagreementCount: this.disagreementCounts[i],
    }));
  }
}

class MergedRendering {
  matches = 0;
  readonly eventIds: string[] = [];
  readonly principals = new Set<string>();
  first: string | null = null;
  last: string | null = null;
  private firstMs = Infinity;
  private lastMs = -Infinity;
  readonly examples: (Example & Ordered)[] = [];
  readonly minutes = new Map<number, number>();

  add(t: RenderingTally): void {
    this.matches += t.matches;
    for (const id of t.eventIds) this.eventIds.push(id);
    for (const p of t.principals) this.principals.add(p);
    const firstMs = t.first === null ? NaN : Date.parse(t.first);
    const lastMs = t.last === null ? NaN : Date.parse(t.last);
    if (firstMs < this.firstMs) [this.firstMs, this.first] = [firstMs, t.first];
    if (lastMs > this.lastMs) [this.lastMs, this.last] = [lastMs, t.last];
    for (const [minute, n] of t.minutes)
      this.minutes.set(minute, (this.minutes.get(minute) ?? 0) + n);
    for (const e of t.examples) keepEarliest(this.examples, { ...e, ms: msOrInfinity(e.time) });
  }

  totals(alarm: PlannedDetection["alarm"]): RenderingTotals {
    const transitions = alarm && alarmTransitions(this.minutes, alarm);
    return {
      matches: this.matches,
      eventIds: this.eventIds,
      principals: [...this.principals].sort(),
      first: this.first,
      last: this.last,
      examples: this.examples.map(({ ms: _ms, ...e }) => e),
      alarms: transitions
        ? { count: transitions.length, times: transitions.map((s) => isoSeconds(s)) }
        : null,
    };
  }
}

function msOrInfinity(time: string): number {
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? ms : Infinity;
}

/** Epoch seconds as `2024-03-01T10:06:00Z` (CloudTrail's own eventTime format). */
function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
}
