/**
 * Backtest engine: evaluates each detection's two renderings (the CloudWatch Logs metric filter
 * on the raw record, the EventBridge event pattern on the envelope EventBridge would deliver) on
 * CloudTrail records, and tallies what each would have reported.
 *
 * Work is per file (`scanFile`) so files can run on worker threads and a file that fails halfway
 * contributes nothing; results are plain data (tally.ts), merged in input order so the output does
 * not depend on scheduling.
 */
import type { AlarmTuning } from "../constructs/detection-alarms";
import { deliversAlarm, eventPatternOf, filterPatternOf } from "../detections/render";
import type { Delivery, Detection, Severity } from "../detections/types";
import { compileEventPattern } from "../patterns/event-pattern";
import { cloudTrailRecordToEvent } from "../patterns/event-envelope";
import { compileFilterPattern } from "../patterns/filter-pattern";
import type { AlarmModel } from "./alarm";
import { compileGate, INDEX_FIELDS, type Gate, type IndexField } from "./gate";
import { readRecords, type CloudTrailRecord, type ReadOptions } from "./readers";
import {
  matchedRecord,
  MAX_DISAGREEMENTS,
  RenderingAccumulator,
  type SentByThread,
  str,
  type Disagreement,
  type FileTally,
  type MatchedRecord,
} from "./tally";

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
  /** For alarm-delivered detections: the CloudWatch alarm the backtest emulates (alarm.ts). */
  readonly alarm?: Required<AlarmModel>;
}

export interface PlanOptions {
  /** Alarm period for every detection instead of its tuning's (`--period`). */
  readonly periodSeconds?: number;
  /** Data points CloudWatch retrieves per evaluation (`--evaluation-range`); at least N is used. */
  readonly evaluationRange?: number;
}

export function planDetections(
  detections: readonly Detection[],
  alarms: Readonly<Partial<Record<string, AlarmTuning>>> = {},
  options: PlanOptions = {},
): PlannedDetection[] {
  // Absent tuning takes the rendered alarm's defaults (src/constructs/detection-alarms.ts).
  return detections.map((d) => ({
    id: d.id,
    title: d.title,
    severity: d.severity,
    delivery: d.delivery,
    filterPattern: filterPatternOf(d),
    eventPattern: eventPatternOf(d),
    recordTypes: d.recordTypes ?? ["AwsApiCall"],
    alarm: deliversAlarm(d) ? alarmModel({ ...d.alarm, ...alarms[d.id] }, options) : undefined,
  }));
}

function alarmModel(t: AlarmTuning, options: PlanOptions): Required<AlarmModel> {
  const evaluationPeriods = t.evaluationPeriods ?? 1;
  return {
    periodSeconds: options.periodSeconds ?? t.periodSeconds ?? 60,
    threshold: t.threshold ?? 1,
    evaluationPeriods,
    datapointsToAlarm: t.datapointsToAlarm ?? evaluationPeriods,
    evaluationRange: Math.max(evaluationPeriods, options.evaluationRange ?? evaluationPeriods),
  };
}

export interface EngineOptions {
  /** Collect the eventID of every match (for --json). */
  readonly eventIds?: boolean;
  /** Evaluate every rendering on every record, without the gate (slower; for checking the gate). */
  readonly exhaustive?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Per-record evaluation

interface CompiledDetection {
  readonly plan: PlannedDetection;
  readonly filter: (r: CloudTrailRecord) => boolean;
  readonly event: (e: object) => boolean;
  readonly recordTypes: ReadonlySet<unknown>;
  /** Count filter matches per minute: the detection is delivered as an alarm. */
  readonly perMinute: boolean;
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
    perMinute: p.alarm !== undefined,
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
      if (filter) this.filters[i].add(m, this.file, c.perMinute, withIds);
      if (event) this.events[i].add(m, this.file, false, withIds);
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

  /** The file's tally; with `sent`, only what this thread has not sent yet (see tally.ts). */
  tally(sent?: SentByThread): FileTally {
    return {
      file: this.file,
      records: this.records,
      detections: this.compiled.detections.map((c, i) => ({
        id: c.plan.id,
        filter: this.filters[i].tally(sent?.filters[i]),
        event: this.events[i].tally(sent?.events[i]),
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
 * (from the reader) when the file must be skipped. `sent`: what the calling thread has sent of
 * earlier files, so the tally leaves that out (one per thread, kept across its files).
 */
export async function scanFile(
  compiled: CompiledPlan,
  file: string,
  options: EngineOptions & ReadOptions,
  onProgress?: (records: number) => void,
  input?: Promise<AsyncIterable<Buffer>>,
  sent?: SentByThread,
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
  return scanner.tally(sent);
}
