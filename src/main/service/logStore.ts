/**
 * The log lines of an open session, kept small: a JS object and a string per line cost about
 * 100 bytes more than the line itself, so a capture of millions of short lines grew the service
 * to gigabytes. Here each line costs fixed-size typed-array slots (16 bytes for an import,
 * 25 with arrival times) plus its UTF-8 text in a shared byte pool, or nothing more when its text
 * is its raw bytes and those are in memory (useRaw); `LogLine` objects are made only for the
 * window asked for, and a small cache keeps the most recently asked ones.
 *
 * Columns grow in fixed chunks (never a doubling copy of everything), so memory follows the
 * lines held, with at most one chunk of slack per column.
 */
import type { LogLine } from '../../shared/api';
import type { DeviceEventKind } from '../../shared/capture/events';

/** Lines per column chunk. */
const ROWS = 1 << 16;
/** Bytes per text-pool chunk; a longer line gets a chunk of its own. */
const POOL = 1 << 20;
/** Pool addresses: chunk number times this, plus the offset (a chunk is never this long). */
const POOL_SPAN = 2 ** 32;
/**
 * A text that is its raw bytes is stored as -(1 + offset * RAW_SPAN + length): the capture's
 * bytes are held anyway (an opened capture), so such a line costs no pool bytes. Its length is
 * under RAW_SPAN (a line is cut at 64 KiB) and offsets reach 2^35 (32 GB) within 2^53.
 */
const RAW_SPAN = 2 ** 18;
/** LogLine objects kept for re-asked windows (the log view asks the same window again). */
const CACHE = 4096;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * UTF-8 bytes to a string. Most log lines are short ASCII, where TextDecoder's per-call cost
 * dominates (a search decodes every line): those are made directly.
 */
function decode(b: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) if (b[i] > 0x7f) ascii = false;
    if (ascii) return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
  }
  return decoder.decode(b.subarray(start, end));
}

/**
 * A column of numbers in chunks of ROWS. A chunk that would hold only the default value is
 * never made (an import's lines have no arrival time and few are device events).
 */
class Column<T extends Float64Array | Uint32Array | Uint8Array> {
  private readonly chunks: (T | undefined)[] = [];
  constructor(
    private readonly make: (n: number) => T,
    private readonly dflt = 0,
  ) {}
  set(i: number, v: number): void {
    const c = (i / ROWS) | 0;
    let chunk = this.chunks[c];
    if (!chunk) {
      if (Object.is(v, this.dflt)) return;
      chunk = this.chunks[c] = this.make(ROWS);
      if (this.dflt !== 0) chunk.fill(this.dflt);
    }
    chunk[i % ROWS] = v;
  }
  get(i: number): number {
    const chunk = this.chunks[(i / ROWS) | 0];
    return chunk ? chunk[i % ROWS] : this.dflt;
  }
}

/** A capture's bytes held in memory, from offset 0 (no copy is made to read them). */
export interface RawBytes {
  readonly length: number;
  /** The store's own buffer: bytes [0, length) are the capture's (it may be longer, and replaced as it grows). */
  buffer(): Uint8Array;
}

export class LogStore {
  private n = 0;
  private readonly lineNo = new Column((k) => new Uint32Array(k));
  private readonly snapshot = new Column((k) => new Uint32Array(k));
  /** NaN stands for null (an import's lines have no arrival time). */
  private readonly hostMs = new Column((k) => new Float64Array(k), NaN);
  /** 0: no device event; else 1 + the kind's place in `kinds`. */
  private readonly device = new Column((k) => new Uint8Array(k));
  private readonly kinds: DeviceEventKind[] = [];
  /**
   * Where line i's text starts in the pool, as pool chunk * POOL_SPAN + offset in that chunk.
   * It ends where line i + 1 starts, or at the end of what its chunk holds: one number a line.
   */
  private readonly textAt = new Column((k) => new Float64Array(k));
  private readonly pool: Uint8Array[] = [];
  /** Bytes used in each pool chunk. */
  private readonly poolUsed: number[] = [];
  private readonly cache = new Map<number, LogLine>();
  /** The capture's raw bytes, when they are held in memory (see useRaw). */
  private raw: RawBytes | null = null;

  /**
   * The capture's bytes are in memory: a line pushed with its byte offset whose text is exactly
   * those bytes (printable ASCII, nothing stripped: nearly every line) points into them instead
   * of being copied into the pool.
   */
  useRaw(raw: RawBytes): void {
    this.raw = raw;
  }

  get length(): number {
    return this.n;
  }

  /**
   * Adds a line; returns it as the API's object (for the delta pushed to clients). `byteOffset`:
   * where its bytes start in the raw capture (see useRaw).
   */
  push(text: string, line: number, snapshot: number, hostMs: number | null, byteOffset = -1): LogLine {
    const i = this.n;
    this.lineNo.set(i, line);
    this.snapshot.set(i, snapshot);
    this.hostMs.set(i, hostMs ?? NaN);
    this.device.set(i, 0);
    if (!this.pointRaw(i, text, byteOffset)) this.putText(i, text);
    this.n++;
    return { n: i, text, line, snapshot, hostMs };
  }

  /** Stores line i's text as a reference into the raw bytes if it is exactly them. */
  private pointRaw(i: number, text: string, at: number): boolean {
    if (this.raw === null || at < 0 || text.length === 0 || text.length >= RAW_SPAN || at >= 2 ** 35) return false;
    if (at + text.length > this.raw.length) return false;
    const raw = this.raw.buffer();
    for (let j = 0; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c !== raw[at + j] || c > 0x7e) return false;
    }
    this.textAt.set(i, -(1 + at * RAW_SPAN + text.length));
    return true;
  }

  /**
   * Into the pool: the text's UTF-8 length (LEB128, padded to the width its most needs, so it
   * is written before the text is), then the text.
   */
  private putText(i: number, text: string): void {
    // A UTF-8 text takes at most 3 bytes per UTF-16 unit.
    const most = text.length * 3;
    const width = most < 0x80 ? 1 : most < 0x4000 ? 2 : most < 0x200000 ? 3 : 5;
    let k = this.pool.length - 1;
    if (k < 0 || this.pool[k].length - this.poolUsed[k] < most + width) {
      this.pool.push(new Uint8Array(Math.max(POOL, most + width)));
      this.poolUsed.push(0);
      k++;
    }
    const chunk = this.pool[k];
    const at = this.poolUsed[k];
    const { written } = encoder.encodeInto(text, chunk.subarray(at + width));
    let v = written;
    for (let b = 0; b < width; b++) {
      chunk[at + b] = (v & 0x7f) | (b < width - 1 ? 0x80 : 0);
      v = Math.floor(v / 128);
    }
    this.textAt.set(i, k * POOL_SPAN + at);
    this.poolUsed[k] = at + width + written;
  }

  /** Bytes of text copied into the pool (a line that points into the raw bytes costs none). */
  get poolBytes(): number {
    let n = 0;
    for (const u of this.poolUsed) n += u;
    return n;
  }

  /** The 1-based capture line of log line i. */
  lineOf(i: number): number {
    return this.lineNo.get(i);
  }

  deviceOf(i: number): DeviceEventKind | undefined {
    const d = this.device.get(i);
    return d ? this.kinds[d - 1] : undefined;
  }

  setDevice(i: number, kind: DeviceEventKind): void {
    let k = this.kinds.indexOf(kind);
    if (k < 0) k = this.kinds.push(kind) - 1;
    this.device.set(i, k + 1);
    this.cache.delete(i);
  }

  text(i: number): string {
    const at = this.textAt.get(i);
    if (at < 0) {
      const ref = -at - 1;
      const start = Math.floor(ref / RAW_SPAN);
      return decode(this.raw!.buffer(), start, start + (ref - start * RAW_SPAN));
    }
    const k = Math.floor(at / POOL_SPAN);
    const chunk = this.pool[k];
    let p = at - k * POOL_SPAN;
    let len = 0;
    for (let scale = 1; ; scale *= 128) {
      const b = chunk[p++];
      len += (b & 0x7f) * scale;
      if (b < 0x80) break;
    }
    return decode(chunk, p, p + len);
  }

  /** Line i as the API's object. */
  at(i: number): LogLine {
    if (!(i >= 0 && i < this.n) || !Number.isInteger(i)) throw new RangeError(`log line ${i} (the log has ${this.n})`);
    const hit = this.cache.get(i);
    if (hit) return hit;
    const h = this.hostMs.get(i);
    const l: LogLine = { n: i, text: this.text(i), line: this.lineNo.get(i), snapshot: this.snapshot.get(i), hostMs: Number.isNaN(h) ? null : h };
    const d = this.deviceOf(i);
    if (d) l.device = d;
    if (this.cache.size >= CACHE) this.cache.delete(this.cache.keys().next().value as number);
    this.cache.set(i, l);
    return l;
  }

  /** Lines [from, to), clamped to the log, as fresh objects the caller may keep. */
  slice(from = 0, to = this.n): LogLine[] {
    // As Array.prototype.slice: bounds are whole numbers (no NaN row is ever made).
    const s = Math.max(0, Math.min(Math.trunc(from) || 0, this.n));
    const e = Math.max(s, Math.min(Math.trunc(to) || 0, this.n));
    const out: LogLine[] = [];
    for (let i = s; i < e; i++) out.push({ ...this.at(i) });
    return out;
  }

  /** Every text, in order, one at a time (search reads them without an array of them all). */
  *texts(): Generator<string> {
    for (let i = 0; i < this.n; i++) yield this.text(i);
  }
}
