/**
 * A push parser for the one shape CloudTrail log files have: a top-level JSON object holding a
 * big array (`{"Records":[...]}` from S3, `{"Events":[...]}` from `aws cloudtrail
 * lookup-events`). It hands out each array element as it completes and keeps only the element in
 * progress, so memory does not grow with the file.
 *
 * It finds element boundaries without tokenizing: outside strings it tracks nesting depth byte by
 * byte; inside a string it jumps to the next quote with `Buffer.indexOf` (native), which is where
 * nearly all of a record's bytes are. The element's bytes are then given to `JSON.parse`, which
 * does the real validation. Scanning bytes is safe for UTF-8: `"`, `\`, braces and brackets never
 * occur inside a multi-byte sequence.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** The input is not the expected JSON; the message says where and why. */
export class JsonShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonShapeError";
  }
}

export interface ArrayElement {
  /** The key of the top-level array the element came from. */
  readonly key: string;
  readonly index: number;
  readonly value: unknown;
}

/**
 * Feed chunks with `push`, then call `end`. Elements of the first top-level array whose key is in
 * `keys` are passed to `onElement`; other top-level members are skipped.
 */
export class TopLevelArrayParser {
  private depth = 0;
  private inString = false;
  /** At depth 1: the next string is a member name (after `{` or `,`), not a value. */
  private expectKey = false;
  private started = false;
  private finished = false;
  /** Bytes of the member name being read at depth 1, or of the current element. */
  private pending: Buffer[] = [];
  private capturing: "none" | "key" | "element" = "none";
  private lastKey = "";
  private arrayKey: string | undefined;
  private foundKey: string | undefined;
  private index = 0;
  /** Bytes seen before the current chunk, for error offsets. */
  private offset = 0;
  /** Backslashes ending the previous chunk inside a string: they may escape a quote in this one. */
  private trailingBackslashes = 0;

  constructor(
    private readonly keys: readonly string[],
    private readonly onElement: (e: ArrayElement) => void,
  ) {}

  /** The key of the array found so far, if any. */
  get key(): string | undefined {
    return this.foundKey;
  }

  push(chunk: Buffer): void {
    let i = 0;
    // A UTF-8 byte order mark is allowed before the document.
    if (!this.started && this.offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb) i = 3;
    let captureFrom = this.capturing === "none" ? -1 : 0;
    const n = chunk.length;
    while (i < n) {
      if (this.inString) {
        // Jump to the next quote; it closes the string unless an odd run of backslashes escapes it.
        const q = chunk.indexOf(QUOTE, i);
        if (q < 0) {
          this.trailingBackslashes = countBackslashesBefore(chunk, n, this.trailingBackslashes, i);
          i = n;
          break;
        }
        const slashes = countBackslashesBefore(chunk, q, this.trailingBackslashes, i);
        this.trailingBackslashes = 0;
        i = q + 1;
        if (slashes % 2 === 1) continue;
        this.inString = false;
        if (this.capturing === "key") {
          this.pending.push(chunk.subarray(captureFrom, q));
          this.lastKey = Buffer.concat(this.pending).toString("utf8");
          this.pending = [];
          this.capturing = "none";
          captureFrom = -1;
        }
        continue;
      }
      const b = chunk[i];
      if (isSpace(b)) {
        i++;
        continue;
      }
      if (this.finished) throw this.error(i, "unexpected data after the top-level object");
      if (!this.started) {
        if (b !== OPEN_OBJECT) throw this.error(i, "not a JSON object");
        this.started = true;
      }
      if (this.depth === 2 && this.arrayKey !== undefined && this.capturing === "none") {
        // Between elements of the wanted array: only `,`, `]` or the start of an object.
        if (b === COMMA) {
          i++;
          continue;
        }
        if (b === CLOSE_ARRAY) {
          this.arrayKey = undefined;
          this.depth = 1;
          i++;
          continue;
        }
        if (b !== OPEN_OBJECT)
          throw this.error(i, `${this.foundKey}[${this.index}] is not a JSON object`);
        this.capturing = "element";
        captureFrom = i;
      }
      if (b === QUOTE) {
        this.inString = true;
        this.trailingBackslashes = 0;
        if (this.depth === 1 && this.expectKey) {
          this.capturing = "key";
          captureFrom = i + 1;
          this.expectKey = false;
        }
        i++;
        continue;
      }
      switch (b) {
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          if (this.depth === 1 && b === OPEN_ARRAY && this.foundKey === undefined) {
            if (this.keys.includes(this.lastKey)) this.arrayKey = this.foundKey = this.lastKey;
          }
          this.depth++;
          if (this.depth === 1) this.expectKey = true;
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          this.depth--;
          if (this.depth < 0) throw this.error(i, "unbalanced brackets");
          if (this.depth === 0) this.finished = true;
          if (this.depth === 2 && this.capturing === "element") {
            this.pending.push(chunk.subarray(captureFrom, i + 1));
            this.emit();
            captureFrom = -1;
          }
          break;
        case COMMA:
          if (this.depth === 1) this.expectKey = true;
          break;
        case COLON:
          break;
      }
      i++;
    }
    if (this.capturing !== "none" && captureFrom >= 0 && captureFrom < n)
      this.pending.push(chunk.subarray(captureFrom));
    this.offset += n;
  }

  /** Call after the last chunk: throws when the document is incomplete or has no wanted array. */
  end(): void {
    if (!this.started) throw new JsonShapeError("the file is empty");
    if (!this.finished || this.inString)
      throw new JsonShapeError(
        `unexpected end of the JSON document after ${this.offset} bytes (truncated?)`,
      );
    if (this.foundKey === undefined)
      throw new JsonShapeError(`no top-level ${this.keys.map((k) => `"${k}"`).join(" or ")} array`);
  }

  private emit(): void {
    const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    this.capturing = "none";
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      throw new JsonShapeError(
        `${this.foundKey}[${this.index}] is not valid JSON: ${(e as Error).message}`,
      );
    }
    this.onElement({ key: this.foundKey!, index: this.index++, value });
  }

  private error(i: number, message: string): JsonShapeError {
    return new JsonShapeError(`${message} at byte ${this.offset + i}`);
  }
}

/**
 * Backslashes immediately before `end` in `chunk` (not before `from`), plus `carried` ones from
 * the end of the previous chunk when the run reaches back to the start of the string's bytes here.
 */
function countBackslashesBefore(chunk: Buffer, end: number, carried: number, from: number): number {
  let k = end - 1;
  while (k >= from && chunk[k] === BACKSLASH) k--;
  const here = end - 1 - k;
  return k < from ? here + carried : here;
}
