/**
 * The session's frames as columns (typed arrays that grow), built from the service's
 * snapshot index entries: what the timeline, the transport and the frame panel read. The
 * renderer keeps these numbers for every frame (a few dozen bytes each) and never the maps.
 */
import type { FrameSeries, SnapshotData, SnapshotIndexEntry, TimelineEvent } from '../api';

export type TimeBase = 'host' | 'device' | 'index';

const NUMERIC = [
  'hostMs',
  'deviceMs',
  'used',
  'free',
  'total',
  'largest',
  'largestBlocks',
  'fragmentation',
  'freeRuns',
  'oneBlocks',
  'twoBlocks',
  'largestAlloc',
  'blocks',
  'headBlocks',
  'logLine',
  'blockSize',
  'seq',
] as const;
export type Column = (typeof NUMERIC)[number];

/** What a frame series (getFrameSeries) does not carry: unknown in a light index. */
const UNKNOWN_IN_SERIES = ['deviceMs', 'largestBlocks', 'freeRuns', 'oneBlocks', 'twoBlocks', 'largestAlloc', 'blocks', 'headBlocks', 'blockSize', 'seq'] as const satisfies readonly Column[];

/** Flags per frame. */
export const F_COMPLETE = 1;
export const F_CONSISTENT = 2;
export const F_COLLECTED = 4;
export const F_COLLECT_KNOWN = 8;
export const F_HAS_MAP = 16;

export class FrameIndex {
  length = 0;
  private cap = 0;
  readonly cols = {} as Record<Column, Float64Array>;
  flags = new Uint8Array(0);
  /** Objects per kind letter (head counts), one column per letter seen. */
  readonly kinds = new Map<string, Float64Array>();
  /** Problems in words, only for the frames that have some. */
  readonly problems = new Map<number, string[]>();
  /** Area layouts, shared between frames with the same one. */
  private readonly shapes: string[] = [];
  private shapeOf = new Int32Array(0);
  private readonly shapeIds = new Map<string, number>();
  private readonly shapeAreas: { address: string; blocks: number }[][] = [];
  /** Seconds since the first frame, on the chosen time base. */
  t = new Float64Array(0);
  timeBase: TimeBase = 'index';
  /**
   * Built from the service's per-frame series (a big session), not its index entries: only
   * used, free, longest free run, fragmentation, time and log lines are known for every
   * frame; a frame's areas and block size are learnt when its map is read (`learn`), and
   * whether a map was complete and matched its printed figures is not known.
   */
  light = false;

  constructor(entries: readonly SnapshotIndexEntry[] = []) {
    for (const c of NUMERIC) this.cols[c] = new Float64Array(0);
    this.grow(Math.max(64, entries.length));
    for (const e of entries) this.push(e, false);
    this.retime();
  }

  /**
   * The frames of a big session from `getFrameSeries` (28 bytes a frame on the wire) instead
   * of an object per index entry: what lets the window open a day-long soak at once.
   */
  static fromSeries(s: FrameSeries): FrameIndex {
    const f = new FrameIndex();
    const n = s.frames;
    f.grow(n, UNKNOWN_IN_SERIES);
    f.light = true;
    const c = f.cols;
    // Whole columns at once (typed-array copies and fills): a day of frames in a few ms, where
    // a loop writing eighteen columns frame by frame took hundreds.
    // timeMs is host time where known, else the board's clock: either way a forward clock.
    c.hostMs.set(s.timeMs.subarray(0, n));
    c.used.set(s.usedBytes.subarray(0, n));
    c.free.set(s.freeBytes.subarray(0, n));
    c.largest.set(s.largestFreeBytes.subarray(0, n));
    c.fragmentation.set(s.fragmentation.subarray(0, n));
    c.logLine.set(s.logLine.subarray(0, n));
    // The figures a series does not carry are unknown for every frame: one column of NaN
    // serves them all (ten columns of a day's frames are 20 MB to allocate and fill) until a
    // frame is pushed or learnt (own()).
    const unknown = new Float64Array(f.cap).fill(NaN);
    for (const k of UNKNOWN_IN_SERIES) c[k] = unknown;
    f.shared = [...UNKNOWN_IN_SERIES];
    const used = c.used;
    const free = c.free;
    const total = c.total;
    const largest = c.largest;
    const flags = f.flags;
    for (let i = 0; i < n; i++) {
      total[i] = used[i] + free[i];
      const l = largest[i];
      flags[i] = l === l && l !== Infinity && l !== -Infinity ? F_HAS_MAP : 0;
    }
    f.shapeOf.fill(-1, 0, n);
    f.length = n;
    f.retime();
    return f;
  }

  /** A light index learns a frame's areas and block size from its map once read. */
  learn(d: SnapshotData): void {
    const i = d.index;
    if (!this.light || i < 0 || i >= this.length) return;
    this.own('blockSize');
    this.cols.blockSize[i] = d.blockSize ?? NaN;
    const areas = d.areas.map((a) => ({ address: a.address, blocks: a.blocks }));
    if (areas.length) this.flags[i] |= F_HAS_MAP;
    this.shapeOf[i] = this.shapeId(areas);
  }

  private shapeId(areas: { address: string; blocks: number }[]): number {
    const key = areas.map((a) => `${a.address}:${a.blocks}`).join(',');
    let sid = this.shapeIds.get(key);
    if (sid === undefined) {
      sid = this.shapes.length;
      this.shapes.push(key);
      this.shapeIds.set(key, sid);
      this.shapeAreas.push(areas);
    }
    return sid;
  }

  /** `skip`: columns not made (fromSeries puts one shared column there). */
  /** Columns of figures a series does not carry, sharing one array of NaN (see fromSeries). */
  private shared: Column[] = [];

  /** Gives a shared column (all of them by default) its own array before it is written. */
  private own(only?: Column): void {
    if (this.shared.length === 0) return;
    for (const c of only ? [only] : this.shared) if (this.shared.includes(c)) this.cols[c] = this.cols[c].slice();
    this.shared = only ? this.shared.filter((c) => c !== only) : [];
  }

  private grow(min: number, skip: readonly Column[] = []): void {
    if (min <= this.cap) return;
    const cap = Math.max(min, this.cap * 2);
    for (const c of NUMERIC) {
      if (skip.includes(c)) continue;
      const a = new Float64Array(cap);
      a.set(this.cols[c].subarray(0, this.length));
      this.cols[c] = a;
    }
    // Each column is its own once grown.
    this.shared = [];
    for (const [k, v] of this.kinds) {
      const a = new Float64Array(cap);
      a.set(v.subarray(0, this.length));
      this.kinds.set(k, a);
    }
    const f = new Uint8Array(cap);
    f.set(this.flags.subarray(0, this.length));
    this.flags = f;
    const s = new Int32Array(cap);
    s.set(this.shapeOf.subarray(0, this.length));
    this.shapeOf = s;
    const t = new Float64Array(cap);
    t.set(this.t.subarray(0, this.length));
    this.t = t;
    this.cap = cap;
  }

  /** Appends a frame; returns true when the time base changed (all times were recomputed). */
  push(e: SnapshotIndexEntry, retime = true): boolean {
    this.grow(this.length + 1);
    this.own();
    const i = this.length;
    const m = e.metrics;
    const c = this.cols;
    c.hostMs[i] = e.hostMs ?? NaN;
    c.deviceMs[i] = e.deviceMs ?? NaN;
    c.used[i] = m.usedBytes ?? NaN;
    c.free[i] = m.freeBytes ?? NaN;
    c.total[i] = m.totalBytes ?? NaN;
    c.largest[i] = m.largestFreeRunBytes ?? NaN;
    c.largestBlocks[i] = m.largestFreeRun;
    c.fragmentation[i] = m.fragmentation;
    c.freeRuns[i] = m.freeRuns;
    c.oneBlocks[i] = m.oneBlockAllocs;
    c.twoBlocks[i] = m.twoBlockAllocs;
    c.largestAlloc[i] = m.largestAlloc;
    c.blocks[i] = m.blocks;
    c.headBlocks[i] = m.headBlocks;
    c.logLine[i] = e.logLine;
    c.blockSize[i] = e.blockSize ?? NaN;
    c.seq[i] = e.seq ?? NaN;
    let f = 0;
    if (e.complete) f |= F_COMPLETE;
    if (e.consistent) f |= F_CONSISTENT;
    if (e.collected !== null) f |= F_COLLECT_KNOWN;
    if (e.collected) f |= F_COLLECTED;
    if (e.areas.length) f |= F_HAS_MAP;
    this.flags[i] = f;
    if (e.problems.length) this.problems.set(i, e.problems);
    for (const [k, v] of this.kinds) v[i] = m.kinds[k] ?? 0;
    for (const k of Object.keys(m.kinds)) {
      if (!this.kinds.has(k)) {
        const a = new Float64Array(this.cap);
        a[i] = m.kinds[k];
        this.kinds.set(k, a);
      }
    }
    this.shapeOf[i] = this.shapeId(e.areas.map((a) => ({ address: a.address, blocks: a.blocks })));
    this.length++;
    if (!retime) return false;
    const base = this.chooseBase();
    if (base !== this.timeBase || i === 0) {
      this.retime();
      return true;
    }
    this.t[i] = this.timeOf(i);
    return false;
  }

  /** Host time when every frame has it, else device ticks when every frame has them, else the index. */
  private chooseBase(): TimeBase {
    const n = this.length;
    if (n === 0) return 'index';
    let host = true;
    let dev = true;
    const h = this.cols.hostMs;
    const d = this.cols.deviceMs;
    // Only the first and the newest frame are checked when appending; retime checks all.
    for (const i of n > 2 ? [0, n - 1] : [...Array(n).keys()]) {
      if (!Number.isFinite(h[i])) host = false;
      if (!Number.isFinite(d[i])) dev = false;
    }
    return host ? 'host' : dev ? 'device' : 'index';
  }

  private timeOf(i: number): number {
    if (this.timeBase === 'host') return (this.cols.hostMs[i] - this.cols.hostMs[0]) / 1000;
    if (this.timeBase === 'device') {
      // Device ticks restart on a soft reboot: keep time moving forward.
      const d = this.cols.deviceMs;
      if (i === 0) return 0;
      const step = d[i] - d[i - 1];
      return this.t[i - 1] + (Number.isFinite(step) && step >= 0 ? step / 1000 : 0.001);
    }
    return i;
  }

  retime(): void {
    const n = this.length;
    let host = n > 0;
    let dev = n > 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(this.cols.hostMs[i])) host = false;
      if (!Number.isFinite(this.cols.deviceMs[i])) dev = false;
    }
    this.timeBase = host ? 'host' : dev ? 'device' : 'index';
    if (host) {
      // The common case in one tight loop (a day of frames is retimed on open).
      const h = this.cols.hostMs;
      const h0 = h[0];
      const t = this.t;
      for (let i = 0; i < n; i++) t[i] = (h[i] - h0) / 1000;
    } else for (let i = 0; i < n; i++) this.t[i] = this.timeOf(i);
  }

  /** A column trimmed to the frames there are. */
  col(c: Column): Float64Array {
    return this.cols[c].subarray(0, this.length);
  }

  times(): Float64Array {
    return this.t.subarray(0, this.length);
  }

  kindColumns(): Array<{ letter: string; values: Float64Array }> {
    return [...this.kinds].map(([letter, v]) => ({ letter, values: v.subarray(0, this.length) }));
  }

  areasOf(i: number): { address: string; blocks: number }[] {
    return this.shapeAreas[this.shapeOf[i]] ?? [];
  }

  has(i: number, flag: number): boolean {
    return (this.flags[i] & flag) !== 0;
  }

  /** Log lines of frame i: [start, end). */
  logRange(i: number): { start: number; end: number } {
    if (i < 0 || i >= this.length) return { start: 0, end: 0 };
    return { start: i === 0 ? 0 : this.cols.logLine[i - 1], end: this.cols.logLine[i] };
  }

  /** Time of an event, on the frames' time base. */
  eventTime(e: Pick<TimelineEvent, 'snapshot' | 'hostMs' | 'deviceMs'>): number {
    const n = this.length;
    if (n === 0) return 0;
    if (this.timeBase === 'host' && e.hostMs != null) return (e.hostMs - this.cols.hostMs[0]) / 1000;
    // Between frame snapshot-1 and snapshot: just after the frame before it.
    const before = Math.min(n - 1, Math.max(0, e.snapshot - 1));
    const after = Math.min(n - 1, e.snapshot);
    if (e.snapshot <= 0) return this.t[0];
    if (e.snapshot >= n) return this.t[n - 1];
    return this.t[before] + (this.t[after] - this.t[before]) * 0.5;
  }
}

/**
 * The frame an event takes you to: the last heap before it (where a MemoryError could not
 * fit its request), or the first frame for events before any dump.
 */
export function eventFrame(e: Pick<TimelineEvent, 'snapshot'>, frames: number): number {
  if (frames === 0) return -1;
  return Math.min(frames - 1, Math.max(0, e.snapshot - 1));
}

/** The next (dir 1) or previous (dir -1) event from a frame, among events that pass `keep`. */
export function stepEvent<T extends Pick<TimelineEvent, 'snapshot'>>(events: readonly T[], frames: number, from: number, dir: 1 | -1, keep: (e: T) => boolean = () => true): T | null {
  if (dir > 0) {
    for (const e of events) if (keep(e) && eventFrame(e, frames) > from) return e;
    return null;
  }
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (keep(e) && eventFrame(e, frames) < from) return e;
  }
  return null;
}
