/**
 * Backtest engine: evaluates each detection's two renderings (the CloudWatch Logs metric filter
 * on the raw record, the EventBridge event pattern on the envelope EventBridge would deliver) on
 * CloudTrail records, and tallies what each would have reported.
 *
 * Work is per file (`scanFile`) so files can run on worker threads and a file that fails halfway
 * contributes nothing; results are plain data, merged in input order (`Totals`) so the output does
 * not depend on scheduling.
 */
import type { TrailwatchConfig } from "../config/schema";
import {
  deliversAlarm,
  eventPatternOf,
  filterPatternOf,
  RESOURCE_FIELDS,
  RESOURCE_FIELDS_BY_SOURCE,
} from "../detections/render";
import type { Delivery, Detection, Severity } from "../detections/types";
import { cloudTrailRecordToEvent, compileEventPattern } from "../patterns/event-pattern";
import { compileFilterPattern } from "../patterns/filter-pattern";
import { compileGate, INDEX_FIELDS, type Gate, type IndexField } from "./gate";
import { readRecords, type CloudTrailRecord, type ReadOptions } from "./readers";

/**
 * What the engine evaluates for one detection: plain data, so it can be posted to a worker. It is
 * also the test seam: a test can pair a filter pattern with an event pattern that differs from it.
 */
export interface PlannedDetection {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly delivery: Delivery;
  readonly filterPattern: string;
  readonly eventPattern: Record<string, unknown>;
  /** CloudTrail eventType values the event rendering applies to. */
  readonly recordTypes: readonly string[];
  /** For alarm-delivered detections: how the CloudWatch alarm buckets and compares. */
  readonly alarm?: { readonly periodSeconds: number; readonly threshold: number };
}

export function planDetections(
  detections: readonly Detection[],
  alarms: TrailwatchConfig["detections"]["alarms"] = {},
  periodOverride?: number,
): PlannedDetection[] {
  return detections.map((d) => ({
    id: d.id,
    title: d.title,
    severity: d.severity,
    delivery: d.delivery,
    filterPattern: filterPatternOf(d),
    eventPattern: eventPatternOf(d),
    recordTypes: d.recordTypes ?? ["AwsApiCall"],
    alarm: deliversAlarm(d)
      ? {
          periodSeconds: periodOverride ?? alarms[d.id]?.periodSeconds ?? 60,
          threshold: alarms[d.id]?.threshold ?? 1,
        }
      : undefined,
  }));
}

export interface EngineOptions {
  /** Collect the eventID of every match (for --json). */
  readonly eventIds?: boolean;
  /** Evaluate every rendering on every record, without the gate (slower; for checking the gate). */
  readonly exhaustive?: boolean;
}

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
  /** Alarm periods with matches: [period start (epoch s), matches]; filter rendering only. */
  periods: [number, number][];
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

// ---------------------------------------------------------------------------------------------
// Per-record evaluation

interface CompiledDetection {
  readonly plan: PlannedDetection;
  readonly filter: (r: CloudTrailRecord) => boolean;
  readonly event: (e: object) => boolean;
  readonly recordTypes: ReadonlySet<unknown>;
  readonly periodMs: number;
}

/**
 * The plan compiled once per thread, with the dispatch that picks which detections to evaluate
 * on a record: detections whose renderings both require `eventName` (else `eventSource`) to be one
 * of some strings are found by one map lookup on the record's value, then their gate (gate.ts)
 * runs; the rest run their gate on every record, or are always evaluated when they have none (or
 * with `exhaustive`).
 */
export interface CompiledPlan {
  readonly detections: readonly CompiledDetection[];
  readonly indexes: readonly FieldIndex[];
  readonly others: readonly number[];
  readonly gates: readonly (Gate | undefined)[];
}

interface FieldIndex {
  readonly field: IndexField;
  readonly byValue: Map<string, number[]>;
  /** Every detection in the index: all are candidates when the record's value is not a string. */
  readonly all: number[];
}

export function compilePlan(
  plan: readonly PlannedDetection[],
  options: EngineOptions,
): CompiledPlan {
  const detections = plan.map((p) => ({
    plan: p,
    filter: compileFilterPattern(p.filterPattern),
    event: compileEventPattern(p.eventPattern),
    recordTypes: new Set<unknown>(p.recordTypes),
    periodMs: (p.alarm?.periodSeconds ?? 0) * 1000,
  }));
  const indexes: FieldIndex[] = INDEX_FIELDS.map((field) => ({
    field,
    byValue: new Map(),
    all: [],
  }));
  const others: number[] = [];
  const gates = plan.map((p, i) => {
    const g = options.exhaustive ? undefined : compileGate(p.filterPattern, p.eventPattern);
    const index = g?.index && indexes.find((x) => x.field === g.index!.field)!;
    if (!index) others.push(i);
    else {
      index.all.push(i);
      for (const v of g!.index!.values) {
        const list = index.byValue.get(v);
        if (list) list.push(i);
        else index.byValue.set(v, [i]);
      }
    }
    return g?.gate;
  });
  return { detections, indexes: indexes.filter((x) => x.all.length > 0), others, gates };
}

/** What every tally needs from a matched record, worked out once per record. */
interface MatchedRecord {
  readonly record: CloudTrailRecord;
  readonly eventId: string;
  readonly principal: string;
  readonly time: string;
  /** eventTime in epoch ms; NaN when it does not parse. */
  readonly ms: number;
}

function matchedRecord(r: CloudTrailRecord): MatchedRecord {
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
class RenderingAccumulator {
  matches = 0;
  readonly eventIds: string[] = [];
  readonly principals = new Set<string>();
  firstMs = Infinity;
  lastMs = -Infinity;
  first: string | null = null;
  last: string | null = null;
  readonly examples: (Example & { readonly ms: number })[] = [];
  readonly periods = new Map<number, number>();

  add(m: MatchedRecord, file: string, periodMs: number, withIds: boolean): void {
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
    if (periodMs > 0 && Number.isFinite(ms)) {
      const start = Math.floor(ms / periodMs) * (periodMs / 1000);
      this.periods.set(start, (this.periods.get(start) ?? 0) + 1);
    }
    if (
      this.examples.length < MAX_EXAMPLES ||
      exampleBefore(ms, m.eventId, this.examples.at(-1)!)
    ) {
      const example = {
        ...exampleOf(m.record, m.principal, file),
        ms: Number.isFinite(ms) ? ms : Infinity,
      };
      this.examples.push(example);
      this.examples.sort(compareExamples);
      if (this.examples.length > MAX_EXAMPLES) this.examples.pop();
    }
  }

  tally(): RenderingTally {
    return {
      matches: this.matches,
      eventIds: this.eventIds,
      principals: [...this.principals],
      first: this.first,
      last: this.last,
      examples: this.examples.map(({ ms: _ms, ...e }) => e),
      periods: [...this.periods],
    };
  }
}

const str = (v: unknown): string => (typeof v === "string" ? v : v === undefined ? "" : String(v));

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

/** Scans records of one file; `tally()` when the file is done. */
export class FileScanner {
  records = 0;
  private readonly filters: RenderingAccumulator[];
  private readonly events: RenderingAccumulator[];
  private readonly disagreements: Disagreement[][];
  private readonly disagreementCounts: number[];

  constructor(
    private readonly compiled: CompiledPlan,
    private readonly file: string,
    options: EngineOptions,
  ) {
    this.withIds = options.eventIds === true;
    const n = compiled.detections.length;
    this.filters = Array.from({ length: n }, () => new RenderingAccumulator());
    this.events = Array.from({ length: n }, () => new RenderingAccumulator());
    this.disagreements = Array.from({ length: n }, () => []);
    this.disagreementCounts = new Array<number>(n).fill(0);
  }

  readonly add = (r: CloudTrailRecord): void => {
    this.records++;
    // The envelope is built at most once per record, and only when some detection needs it.
    this.envelope = undefined;
    this.matched = undefined;
    const { indexes, others, gates } = this.compiled;
    for (const i of others) if (gates[i] === undefined || gates[i](r)) this.evaluate(i, r);
    for (const index of indexes) {
      const v = r[index.field];
      // An absent field fails every requirement on it; a non-string one goes to the gates.
      const candidates =
        typeof v === "string" ? index.byValue.get(v) : v === undefined ? undefined : index.all;
      if (candidates !== undefined)
        for (const i of candidates) if (gates[i]!(r)) this.evaluate(i, r);
    }
  };

  private envelope: object | null | undefined;
  private matched: MatchedRecord | undefined;
  private readonly withIds: boolean;

  private evaluate(i: number, r: CloudTrailRecord): void {
    const c = this.compiled.detections[i];
    const withIds = this.withIds;
    const filter = c.filter(r);
    let event = false;
    let comparable = false;
    if (c.recordTypes.has(r.eventType)) {
      if (this.envelope === undefined) this.envelope = envelopeOf(r);
      if (this.envelope !== null) {
        comparable = true;
        event = c.event(this.envelope);
      }
    }
    if (filter || event) {
      const m = (this.matched ??= matchedRecord(r));
      if (filter) this.filters[i].add(m, this.file, c.periodMs, withIds);
      if (event) this.events[i].add(m, this.file, 0, withIds);
    }
    if (comparable && filter !== event && this.disagreementCounts[i]++ < MAX_DISAGREEMENTS)
      this.disagreements[i].push({
        eventId: str(r.eventID),
        eventName: str(r.eventName),
        eventTime: str(r.eventTime),
        file: this.file,
        filter,
        event,
      });
  }

  tally(): FileTally {
    return {
      file: this.file,
      records: this.records,
      detections: this.compiled.detections.map((c, i) => ({
        id: c.plan.id,
        filter: this.filters[i].tally(),
        event: this.events[i].tally(),
        disagreements: this.disagreements[i],
        disagreementCount: this.disagreementCounts[i],
      })),
    };
  }
}

/** The EventBridge event for a record, or null for records EventBridge would never deliver. */
function envelopeOf(r: CloudTrailRecord): object | null {
  try {
    return cloudTrailRecordToEvent(r as Record<string, unknown>);
  } catch {
    return null;
  }
}

/**
 * Reads and scans one file (already opened with `openInput` when prefetching). Throws InputError
 * (from the reader) when the file must be skipped.
 */
export async function scanFile(
  compiled: CompiledPlan,
  file: string,
  options: EngineOptions & ReadOptions,
  onProgress?: (records: number) => void,
  input?: Promise<AsyncIterable<Buffer>>,
): Promise<FileTally> {
  const scanner = new FileScanner(compiled, file, options);
  // Progress in batches of 16k records keeps callbacks (and worker messages) off the hot path.
  const add = onProgress
    ? (r: CloudTrailRecord) => {
        scanner.add(r);
        if ((scanner.records & 0x3fff) === 0) onProgress(0x4000);
      }
    : scanner.add;
  await readRecords(file, add, options, input);
  if (onProgress) onProgress(scanner.records & 0x3fff);
  return scanner.tally();
}

// ---------------------------------------------------------------------------------------------
// Totals over files

export interface RenderingTotals extends Omit<RenderingTally, "periods"> {
  /** Alarm periods whose Sum reached the threshold; null when the rendering raises no alarm. */
  readonly breachedPeriods: number | null;
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
      filter: this.filters[i].totals(p.alarm?.threshold),
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
  examples: (Example & Ordered)[] = [];
  readonly periods = new Map<number, number>();

  add(t: RenderingTally): void {
    this.matches += t.matches;
    for (const id of t.eventIds) this.eventIds.push(id);
    for (const p of t.principals) this.principals.add(p);
    const firstMs = t.first === null ? NaN : Date.parse(t.first);
    const lastMs = t.last === null ? NaN : Date.parse(t.last);
    if (firstMs < this.firstMs) [this.firstMs, this.first] = [firstMs, t.first];
    if (lastMs > this.lastMs) [this.lastMs, this.last] = [lastMs, t.last];
    for (const [start, n] of t.periods) this.periods.set(start, (this.periods.get(start) ?? 0) + n);
    if (t.examples.length > 0) {
      const withMs = t.examples.map((e) => ({ ...e, ms: msOrInfinity(e.time) }));
      this.examples = [...this.examples, ...withMs].sort(compareExamples).slice(0, MAX_EXAMPLES);
    }
  }

  totals(threshold: number | undefined): RenderingTotals {
    let breached = 0;
    if (threshold !== undefined)
      for (const n of this.periods.values()) if (n >= threshold) breached++;
    return {
      matches: this.matches,
      eventIds: this.eventIds,
      principals: [...this.principals].sort(),
      first: this.first,
      last: this.last,
      examples: this.examples.map(({ ms: _ms, ...e }) => e),
      breachedPeriods: threshold === undefined ? null : breached,
    };
  }
}

function msOrInfinity(time: string): number {
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? ms : Infinity;
}
