/**
 * The session index of format 3: columns (see docs/session-format.md, "Index records, format 3").
 *
 * An INDEX record's items are stored field by field — every item's kind, then every line
 * delta, every byte-offset delta, … every snapshot's `used` — as varints, then deflated. A
 * column of one field changes slowly, so deflate finds long repeats in it that the row-wise
 * JSON of format 2 interleaved with everything else; figures that follow from others (the
 * printed header from the map's counts, head blocks from the kinds, free blocks from the
 * rest) are coded as their difference from that prediction, which is 0 on a consistent dump.
 *
 * Decoding gives typed arrays, not objects: the timeline's figures come straight from them
 * (`figures()`), and an entry or an event is built only when asked for (`entry`, `event`).
 */
import { ByteSink, ByteSource, MalformedError } from './bytes';
import { metricsFromCounts, type SnapshotMetrics } from '../../shared/heap/metrics';
import type { AddressStyle, DumpFraming, PrintedFigures } from '../../shared/heap/snapshot';
import type { DeviceEvent } from '../../shared/capture/events';
import {
  F_COLLECTED,
  F_COLLECTED_KNOWN,
  F_COMPLETE,
  F_CONSISTENT,
  F_PRINTED,
  F_STATS,
  FRAMINGS,
  IndexShapeError,
  numbersOf,
  learnShape,
  shapeOfText,
  SNAPSHOT_NUMBERS,
  STYLES,
  type SessionEvent,
  type SnapshotIndexEntry,
  type SnapshotSummary,
} from './indexCodec';

const N = SNAPSHOT_NUMBERS.length;

// Positions in SNAPSHOT_NUMBERS.
const SEQ = 0;
const DEVICE_MS = 1;
const P_USED = 3;
const P_FREE = 4;
const P_ONE = 6;
const P_TWO = 7;
const P_MAX_BLOCK = 8;
const P_MAX_FREE = 9;
const BLOCK_SIZE = 15;
const BLOCKS = 18;
const UNKNOWN = 19;
const FREE = 20;
const HEAD = 21;
const TAIL = 22;
const LARGEST_FREE = 23;
const ONE = 25;
const TWO = 26;
const LARGEST_ALLOC = 27;

/**
 * The order numbers are coded in: every figure a prediction uses comes before it (the block
 * size and the map's counts before the printed header that repeats them).
 */
const ORDER = [15, 18, 19, 21, 22, 20, 23, 24, 25, 26, 27, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0, 1, 16, 17];

/**
 * Map counts that move with the head blocks (allocations come with their tails, take free
 * runs, are mostly of one or two blocks): each is predicted as its last value plus the change
 * in head blocks times a ratio learnt from the segment so far (see LinearModel).
 */
const LINEAR = [22, 23, 24, 25, 26];
/** Numbers predicted as their last value (no other figure, no step): decoded in a plain loop. */
const PLAIN: boolean[] = Array.from({ length: N }, (_, k) => ![SEQ, DEVICE_MS, FREE, P_USED, P_FREE, P_ONE, P_TWO, P_MAX_BLOCK, P_MAX_FREE].includes(k) && !LINEAR.includes(k));

/**
 * Numbers the timeline draws (putChunkFigures) and those their predictions use: decoded with
 * the record. The others wait until an entry is made (ColumnChunk.decodeNums): a whole-day
 * timeline reads 8 columns of 28.
 */
const EAGER: boolean[] = Array.from({ length: N }, (_, k) => [DEVICE_MS, BLOCK_SIZE, BLOCKS, UNKNOWN, HEAD, TAIL, FREE, LARGEST_FREE].includes(k));

/** How fast a LinearModel forgets (per snapshot). */
const DECAY = 0.98;

/** What the writer hands the packer. */
export type PackItem = { snap: SnapshotSummary; hostMs: number | null; metrics: SnapshotMetrics } | { ev: SessionEvent; inRaw: boolean };

/** Item kinds, as in format 2. */
const K_SNAPSHOT = 0;
const K_LOG = 1;
const K_DEVICE = 2;
const K_MARK = 3;
const K_GAP = 4;

/** Log modes (the log column): a literal text, its length in the raw stream, or a known shape. */
const LOG_TEXT = 0;
const LOG_RAW = 1;
const LOG_SHAPE = 2;

/** Columns, in the order they follow each other in a record. */
const enum C {
  Kind,
  Line,
  Offset,
  Host,
  Size,
  Form,
  Areas,
  Problems,
  Odd,
  Kinds,
  Extra,
  Log,
  LogNum,
  Text,
  /** The numbers, in ORDER. */
  Nums,
}
const COLUMNS = C.Nums + N;

/** Below this a number (and so a difference of two) is coded as a varint; above, as JSON. */
const SMALL = 2 ** 50;
const small = (v: number) => Number.isSafeInteger(v) && v < SMALL && v > -SMALL;

/**
 * Running state of the codec: positions, times and figures of the items before. It starts
 * again at each segment, so a segment's index reads on its own.
 */
class ColumnState {
  line = 0;
  offset = 0;
  host = 0;
  /** Last known value of each number (NaN: none yet in the segment), and the step of seq and deviceMs. */
  last = new Float64Array(N).fill(NaN);
  step = new Float64Array(N);
  /** Head blocks per kind letter of the last snapshot with a map. */
  kinds = new Map<string, number>();
  /** The models of the LINEAR numbers, and of each kind letter. */
  lin: Array<LinearModel | undefined> = Array.from({ length: N }, (_, k) => (LINEAR.includes(k) ? new LinearModel() : undefined));
  kindModels = new Map<string, LinearModel>();
  areas: Array<{ address: string; blocks: number }> = [];
  shapeIds = new Map<string, number>();
  shapes: Array<{ pieces: string[]; nums: number[] }> = [];

  kindModel(letter: string): LinearModel {
    let m = this.kindModels.get(letter);
    if (m === undefined) this.kindModels.set(letter, (m = new LinearModel()));
    return m;
  }

  learn(text: string): void {
    learnShape(this.shapeIds, this.shapes, text);
  }

  /** What number k of a snapshot is predicted to be, from the figures coded before it. */
}

/**
 * What number k of snapshot i is predicted to be, from the numbers coded before it (`vals`:
 * number x of snapshot i at [x * n + i], NaN for null), the last value of its own column
 * (NaN: none yet) and, for seq and deviceMs, the last step. Written without closures: it runs
 * for every number of every snapshot.
 */
function predict(k: number, vals: Float64Array, n: number, i: number, last: number, step: number): number {
  let x = NaN;
  switch (k) {
    case SEQ:
    case DEVICE_MS:
      return last === last ? last + step : 0;
    case FREE:
      x = vals[BLOCKS * n + i] - vals[UNKNOWN * n + i] - vals[HEAD * n + i] - vals[TAIL * n + i];
      break;
    case P_USED:
      x = (vals[HEAD * n + i] + vals[TAIL * n + i]) * vals[BLOCK_SIZE * n + i];
      break;
    case P_FREE:
      x = vals[FREE * n + i] * vals[BLOCK_SIZE * n + i];
      break;
    case P_ONE:
      x = vals[ONE * n + i];
      break;
    case P_TWO:
      x = vals[TWO * n + i];
      break;
    case P_MAX_BLOCK:
      x = vals[LARGEST_ALLOC * n + i];
      break;
    case P_MAX_FREE:
      x = vals[LARGEST_FREE * n + i];
      break;
  }
  // NaN (an input unknown) falls back to the last value.
  return x === x ? x : last === last ? last : 0;
}

/**
 * A figure that changes in step with the head blocks: it is predicted as its last value plus
 * the change in head blocks since then times the least-squares ratio of the two changes,
 * over the segment so far with older changes weighing less. Plain double arithmetic, the same
 * on both sides.
 */
class LinearModel {
  private sxy = 0;
  private sxx = 0;
  private lastHead = NaN;

  predict(last: number, head: number): number {
    if (last !== last) return 0;
    const dh = head - this.lastHead;
    if (dh !== dh || !(this.sxx > 0)) return last;
    const d = Math.round((this.sxy / this.sxx) * dh);
    return small(d) && small(last + d) ? last + d : last;
  }

  /** Value `v` came after `last`, with `head` head blocks. */
  learn(last: number, v: number, head: number): void {
    const dh = head - this.lastHead;
    if (dh === dh && last === last) {
      const dx = v - last;
      this.sxy = this.sxy * DECAY + dx * dh;
      this.sxx = this.sxx * DECAY + dh * dh;
    }
    if (head === head) this.lastHead = head;
  }
}

/** The step seq and deviceMs are predicted to take, after a value `v` that followed `last`. */
function stepOf(k: number, last: number, v: number): number {
  return (k === SEQ || k === DEVICE_MS) && last === last && small(v - last) ? v - last : 0;
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });

function putText(s: ByteSink, t: string): void {
  const b = utf8.encode(t);
  s.uvar(b.length);
  s.bytes(b);
}

function sameAreas(a: ReadonlyArray<{ address: string; blocks: number }>, b: ReadonlyArray<{ address: string; blocks: number }>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].address !== b[i].address || a[i].blocks !== b[i].blocks) return false;
  return true;
}

const zig = (d: number) => (d < 0 ? -2 * d - 1 : 2 * d);

/** The letter with the most head blocks (the first in character order of equals), or null. */
function mostCommon(kinds: Map<string, number>): string | null {
  let best: string | null = null;
  let most = -Infinity;
  for (const [l, v] of [...kinds].sort((a, b) => a[0].charCodeAt(0) - b[0].charCodeAt(0) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (v > most) {
      most = v;
      best = l;
    }
  }
  return best;
}

/** Packs index items into the columns of one record (the writer deflates what it returns). */
export class ColumnPacker {
  private st = new ColumnState();

  /** Deltas start again from zero (at each segment). */
  reset(): void {
    this.st = new ColumnState();
  }

  pack(items: readonly PackItem[], p: number, ended: boolean): Uint8Array {
    const st = this.st;
    const cols: ByteSink[] = [];
    for (let c = 0; c < COLUMNS; c++) cols.push(new ByteSink(1024));
    const snaps: Array<{ s: SnapshotSummary; m: SnapshotMetrics; v: Array<number | null>; odd: Record<number, number> | null }> = [];
    for (const it of items) {
      if ('snap' in it) {
        const s = it.snap;
        cols[C.Kind].byte(K_SNAPSHOT);
        this.pos(cols, s.line, s.byteStart, it.hostMs);
        st.offset = s.byteEnd;
        cols[C.Size].uvar(s.byteEnd - s.byteStart);
        snaps.push({ s, m: it.metrics, v: numbersOf(s, it.metrics), odd: null });
        continue;
      }
      const e = it.ev;
      const kind = e.type === 'log' ? K_LOG : e.type === 'device' ? K_DEVICE : e.type === 'mark' ? K_MARK : K_GAP;
      cols[C.Kind].byte(kind);
      this.pos(cols, e.line, e.byteOffset, e.hostMs);
      switch (e.type) {
        case 'log': {
          if (it.inRaw) {
            cols[C.Log].uvar(LOG_RAW);
            cols[C.LogNum].uvar(e.text.length);
            break;
          }
          const sh = shapeOfText(e.text);
          const id = sh === null ? undefined : st.shapeIds.get(sh.shape);
          if (sh !== null && id !== undefined) {
            cols[C.Log].uvar(LOG_SHAPE + id);
            const prev = st.shapes[id].nums;
            for (let k = 0; k < sh.nums.length; k++) cols[C.LogNum].svar(sh.nums[k] - prev[k]);
            st.shapes[id].nums = sh.nums;
          } else {
            cols[C.Log].uvar(LOG_TEXT);
            putText(cols[C.Text], e.text);
            st.learn(e.text);
          }
          break;
        }
        case 'device': {
          const extra: Record<string, unknown> = {};
          if (e.bytes !== undefined) extra.bytes = e.bytes;
          if (e.lost !== undefined) extra.lost = e.lost;
          if (e.detail !== undefined) extra.detail = e.detail;
          putText(cols[C.Text], JSON.stringify(Object.keys(extra).length ? [e.kind, e.text, extra] : [e.kind, e.text]));
          break;
        }
        case 'mark':
          putText(cols[C.Text], JSON.stringify([e.label, e.deviceMs]));
          break;
        case 'gap':
          putText(cols[C.Text], JSON.stringify([e.reason, e.hostMsStart, e.hostMsEnd]));
          break;
      }
    }
    this.packSnapshots(cols, snaps);
    const out = new ByteSink(1 << 12);
    out.uvar(p);
    out.uvar(ended ? 1 : 0);
    out.uvar(items.length);
    out.uvar(snaps.length);
    for (const c of cols) {
      const v = c.view();
      out.uvar(v.length);
      out.bytes(v);
    }
    return out.take();
  }

  private pos(cols: ByteSink[], line: number, offset: number, hostMs: number | null): void {
    const st = this.st;
    cols[C.Line].svar(line - st.line);
    cols[C.Offset].svar(offset - st.offset);
    st.line = line;
    st.offset = offset;
    if (hostMs === null) {
      cols[C.Host].uvar(0);
    } else if (small(hostMs) && small(hostMs - st.host)) {
      cols[C.Host].uvar(zig(hostMs - st.host) + 2);
      st.host = hostMs;
    } else {
      cols[C.Host].uvar(1);
      putText(cols[C.Text], JSON.stringify(hostMs));
    }
  }

  /** The snapshots' fields, a column at a time. */
  private packSnapshots(cols: ByteSink[], snaps: Array<{ s: SnapshotSummary; m: SnapshotMetrics; v: Array<number | null>; odd: Record<number, number> | null }>): void {
    const st = this.st;
    for (const x of snaps) {
      const { s, m } = x;
      let flags = (s.complete ? F_COMPLETE : 0) | (s.consistent ? F_CONSISTENT : 0) | (s.printed ? F_PRINTED : 0) | (s.stats ? F_STATS : 0);
      if (s.collected !== null) flags |= F_COLLECTED_KNOWN | (s.collected ? F_COLLECTED : 0);
      // Numbers a varint cannot carry (fractions, huge values) go as JSON, whatever the input held.
      for (let k = 0; k < N; k++) {
        const val = x.v[k];
        if (val === null) continue;
        if (!Number.isFinite(val)) x.v[k] = null;
        else if (!small(val)) (x.odd ??= {})[k] = val;
      }
      const style = s.addressStyle === null ? 0 : STYLES.indexOf(s.addressStyle) + 1;
      cols[C.Form].uvar(Math.max(0, FRAMINGS.indexOf(s.framing)) | (style << 2) | (flags << 5));
      if (sameAreas(s.areas, st.areas)) {
        cols[C.Areas].uvar(0);
      } else {
        cols[C.Areas].uvar(s.areas.length + 1);
        for (const a of s.areas) {
          putText(cols[C.Areas], a.address);
          cols[C.Areas].uvar(a.blocks);
        }
        st.areas = s.areas.map((a) => ({ address: a.address, blocks: a.blocks }));
      }
      cols[C.Problems].uvar(s.problems.length);
      for (const t of s.problems) putText(cols[C.Problems], t);
      if (s.areas.length === 0) putText(cols[C.Extra], JSON.stringify(m));
    }
    const n = snaps.length;
    const vals = new Float64Array(N * n);
    for (let i = 0; i < n; i++) {
      const v = snaps[i].v;
      for (let k = 0; k < N; k++) vals[k * n + i] = v[k] ?? NaN;
    }
    // Numbers: a column each, in ORDER, as differences from their predictions.
    for (let o = 0; o < N; o++) {
      const k = ORDER[o];
      const col = cols[C.Nums + o];
      const lm = st.lin[k];
      let last = st.last[k];
      let step = st.step[k];
      for (let i = 0; i < n; i++) {
        const x = snaps[i];
        const v = vals[k * n + i];
        if (v !== v) {
          col.uvar(0);
          continue;
        }
        const head = vals[HEAD * n + i];
        if (x.odd && k in x.odd) {
          col.uvar(0);
        } else {
          const pred = lm ? lm.predict(last, head) : predict(k, vals, n, i, last, step);
          if (small(pred) && small(v - pred)) {
            col.uvar(zig(v - pred) + 1);
          } else {
            // Rare: a prediction out of range. The value itself, as JSON.
            col.uvar(0);
            (x.odd ??= {})[k] = v;
          }
        }
        lm?.learn(last, v, head);
        step = stepOf(k, last, v);
        last = v;
      }
      st.last[k] = last;
      st.step[k] = step;
    }
    // Kinds: the letters of the record (and of the state before it), then a column per letter,
    // over the snapshots with a map; the most common letter last, as what the head blocks leave.
    const mapped: number[] = [];
    for (let i = 0; i < n; i++) if (snaps[i].s.areas.length > 0) mapped.push(i);
    const letterSet = new Set<string>(st.kinds.keys());
    for (const i of mapped) for (const k in snaps[i].m.kinds) letterSet.add(k);
    const letters = [...letterSet].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0) || (a < b ? -1 : a > b ? 1 : 0));
    const rest = mostCommon(st.kinds);
    const kc = cols[C.Kinds];
    kc.uvar(letters.length);
    for (const l of letters) putText(kc, l);
    const others = new Float64Array(n);
    for (const l of letters) {
      if (l === rest) continue;
      let prev = st.kinds.get(l);
      const lm = st.kindModel(l);
      for (const i of mapped) {
        const val = snaps[i].m.kinds[l];
        if (val === undefined) {
          kc.uvar(0);
          prev = undefined;
          continue;
        }
        if (!small(val)) throw new RangeError(`a kind count of ${val}`);
        const head = vals[HEAD * n + i];
        kc.uvar(zig(val - lm.predict(prev ?? 0, head)) + 1);
        lm.learn(prev ?? 0, val, head);
        others[i] += val;
        prev = val;
      }
    }
    if (rest !== null) {
      // 0 absent, 1 the head blocks less the other letters, else its change + 2.
      let prev = st.kinds.get(rest);
      for (const i of mapped) {
        const val = snaps[i].m.kinds[rest];
        if (val === undefined) kc.uvar(0);
        else if (vals[HEAD * n + i] - others[i] === val) kc.uvar(1);
        else kc.uvar(zig(val - (prev ?? 0)) + 2);
        prev = val;
      }
    }
    if (mapped.length) st.kinds = new Map(Object.entries(snaps[mapped[mapped.length - 1]].m.kinds));
    // The values coded as themselves (the reader reads this column before the numbers).
    for (const x of snaps) putText(cols[C.Odd], x.odd ? JSON.stringify(x.odd) : '');
  }
}

/** The problems of every snapshot that has none (shared; frozen, as index entries are read-only). */
const NO_PROBLEMS: string[] = Object.freeze([]) as unknown as string[];

type Areas = Array<{ address: string; blocks: number }>;

/** One INDEX record, decoded into arrays. Entries and events are built from them when asked. */
export class ColumnChunk {
  /** Snapshots and other events in the record. */
  n = 0;
  m = 0;
  line!: Float64Array;
  byteStart!: Float64Array;
  byteEnd!: Float64Array;
  /** NaN: no host time. */
  hostMs!: Float64Array;
  form!: Uint16Array;
  areas!: Areas[];
  problems!: string[][];
  /** Number k of snapshot i at [k * n + i], NaN for null. */
  vals!: Float64Array;
  letters: string[] = [];
  /**
   * Count of letter l of snapshot i at [l * n + i], NaN where absent (or the snapshot has no
   * map). Null until an entry is asked for: the timeline does not need them (see ensureKinds).
   */
  kindVals: Float64Array | null = null;
  /** Decodes the kinds (and those of the chunks before it in its page, in order). */
  decodeKinds: (() => void) | null = null;
  /** Decodes the log lines (and those of the chunks before it in its page, in order); null once done or none. */
  decodeLogs: (() => void) | null = null;
  /** Decodes the numbers not EAGER (and those of the chunks before it, in order); null once done. */
  decodeNums: (() => void) | null = null;
  /** Snapshots with a map. */
  mapped: number[] = [];
  /** Metrics of snapshots without a map, kept whole. */
  extra: Array<SnapshotMetrics | undefined> = [];
  evKind!: Uint8Array;
  evLine!: Float64Array;
  evOffset!: Float64Array;
  evHost!: Float64Array;
  /** A literal log text, or the JSON payload of a device event, mark or gap. */
  evPayload: unknown[] = [];
  /** A shaped log line's pieces (its numbers at evNumAt in evNums), or a raw one's length. */
  evPieces: Array<string[] | undefined> = [];
  evNumAt!: Int32Array;
  evNums: number[] = [];
}

/** Zigzag back to signed: with 32-bit arithmetic when it fits (nearly always). */
const unzig = (z: number) => (z < 0x80000000 ? (z >>> 1) ^ -(z & 1) : z % 2 === 1 ? -(z + 1) / 2 : z / 2);

function getText(src: ByteSource): string {
  const n = src.uvar();
  return utf8d.decode(src.bytes(n));
}

function jsonText(src: ByteSource): unknown {
  try {
    return JSON.parse(getText(src));
  } catch (err) {
    if (err instanceof MalformedError) throw err;
    throw new IndexShapeError(`unreadable text in the index (${(err as Error).message})`);
  }
}

/**
 * Columns of codes read whole before use, kept from record to record (the series' pass unpacks
 * hundreds): shared by every unpacker, as each uses them only within one synchronous call.
 */
const scratchCols: Float64Array[] = [];

/** Past this many codes a column is not kept (a record of a long log holds millions of lines). */
const SCRATCH_KEPT = 1 << 16;

function scratch(k: number, length: number): Float64Array {
  const a = scratchCols[k];
  if (a !== undefined && a.length >= length) return a;
  if (length > SCRATCH_KEPT) return new Float64Array(length);
  return (scratchCols[k] = new Float64Array(Math.max(length, 2 * (a?.length ?? 0), 64)));
}

/** Decodes a page's records in order, carrying the state from one to the next. */
export class ColumnUnpacker {
  private readonly st = new ColumnState();

  /** One record's columns (inflated). Throws MalformedError or IndexShapeError on damage. */
  unpack(body: Uint8Array): { chunk: ColumnChunk; p: number; ended: boolean } {
    const st = this.st;
    const head = new ByteSource(body);
    const p = head.uvar();
    const endedFlag = head.uvar();
    const items = head.uvar();
    const n = head.uvar();
    // Every item takes a byte of the kind column at least.
    if (endedFlag > 1 || n > items || items > body.length) throw new MalformedError('an index record whose counts make no sense');
    const src: ByteSource[] = [];
    for (let c = 0; c < COLUMNS; c++) {
      const len = head.uvar();
      src.push(new ByteSource(body, head.pos, head.pos + len));
      head.bytes(len);
    }
    if (!head.done) throw new MalformedError('an index record with bytes after its columns');
    const m = items - n;
    const ch = new ColumnChunk();
    ch.n = n;
    ch.m = m;
    ch.line = new Float64Array(n);
    ch.byteStart = new Float64Array(n);
    ch.byteEnd = new Float64Array(n);
    ch.hostMs = new Float64Array(n);
    ch.form = new Uint16Array(n);
    ch.areas = new Array<Areas>(n);
    ch.problems = new Array<string[]>(n);
    ch.vals = new Float64Array(N * n);
    ch.evKind = new Uint8Array(m);
    ch.evLine = new Float64Array(m);
    ch.evOffset = new Float64Array(m);
    ch.evHost = new Float64Array(m);
    ch.evNumAt = new Int32Array(m);
    const textC = src[C.Text];
    // The item columns, read whole; then the items in order.
    // Scratch, kept from record to record (read only up to this record's counts).
    const kinds = scratch(0, items);
    const lines = scratch(1, items);
    const offsets = scratch(2, items);
    const hosts = scratch(3, items);
    const sizes = scratch(4, n);
    readUvars(src[C.Kind], kinds, items);
    readUvars(src[C.Line], lines, items);
    readUvars(src[C.Offset], offsets, items);
    readUvars(src[C.Host], hosts, items);
    readUvars(src[C.Size], sizes, n);
    const logC = src[C.Log];
    /** Where each literal log text starts in the text column, in order (for decodeLogs). */
    const textAt: number[] = [];
    let logs = 0;
    let si = 0;
    let ei = 0;
    for (let it = 0; it < items; it++) {
      const kind = kinds[it];
      const line = st.line + unzig(lines[it]);
      const offset = st.offset + unzig(offsets[it]);
      st.line = line;
      st.offset = offset;
      const h = hosts[it];
      let host = NaN;
      if (h === 1) {
        const x = jsonText(textC);
        if (typeof x !== 'number') throw new IndexShapeError('a host time that is not a number');
        host = x;
      } else if (h > 1) {
        host = st.host + unzig(h - 2);
        st.host = host;
      }
      if (kind === K_SNAPSHOT) {
        if (si >= n) throw new MalformedError('an index record with more snapshots than it says');
        const end = offset + sizes[si];
        st.offset = end;
        ch.line[si] = line;
        ch.byteStart[si] = offset;
        ch.byteEnd[si] = end;
        ch.hostMs[si] = host;
        si++;
        continue;
      }
      if (ei >= m) throw new MalformedError('an index record with more events than it says');
      ch.evKind[ei] = kind;
      ch.evLine[ei] = line;
      ch.evOffset[ei] = offset;
      ch.evHost[ei] = host;
      switch (kind) {
        case K_LOG: {
          // Only the mode now (a literal text is stepped over in the shared text column): the
          // pieces, numbers and texts wait until an event is made (decodeLogs). A timeline
          // counts log lines and never reads them.
          const mode = logC.uvar();
          ch.evNumAt[ei] = mode;
          logs++;
          if (mode === LOG_TEXT) {
            textAt.push(textC.pos);
            textC.bytes(textC.uvar());
          }
          break;
        }
        case K_DEVICE:
        case K_MARK:
        case K_GAP: {
          const x = jsonText(textC);
          if (!Array.isArray(x)) throw new IndexShapeError('an event that is not a list');
          ch.evPayload[ei] = x;
          break;
        }
        default:
          throw new IndexShapeError(`unknown item kind ${kind}`);
      }
      ei++;
    }
    if (si !== n || ei !== m) throw new MalformedError('an index record with fewer items than it says');
    if (logs > 0) {
      this.pendingLogs.push({ ch, nums: src[C.LogNum], text: textC.buf, textEnd: textC.end, textAt });
      ch.decodeLogs = () => this.logsThrough(ch);
    }
    this.unpackSnapshots(ch, src);
    return { chunk: ch, p, ended: endedFlag === 1 };
  }

  private unpackSnapshots(ch: ColumnChunk, src: ByteSource[]): void {
    const st = this.st;
    const n = ch.n;
    const formC = src[C.Form];
    const areaC = src[C.Areas];
    const probC = src[C.Problems];
    const oddC = src[C.Odd];
    const odd: Array<Record<string, unknown> | null> = new Array(n);
    const mapped: number[] = [];
    for (let i = 0; i < n; i++) {
      const f = formC.uvar();
      if ((f & 3) >= FRAMINGS.length || ((f >> 2) & 7) > STYLES.length || f >= 1 << 11) throw new IndexShapeError('a snapshot of an unknown form');
      ch.form[i] = f;
      const a = areaC.uvar();
      if (a > 0) {
        const areas: Areas = [];
        for (let k = 0; k < a - 1; k++) areas.push({ address: getText(areaC), blocks: areaC.uvar() });
        st.areas = areas;
      }
      ch.areas[i] = st.areas;
      if (st.areas.length > 0) mapped.push(i);
      const np = probC.uvar();
      if (np > 1 << 16) throw new MalformedError('a snapshot with too many problems');
      if (np === 0) ch.problems[i] = NO_PROBLEMS;
      else {
        const ps: string[] = [];
        for (let k = 0; k < np; k++) ps.push(getText(probC));
        ch.problems[i] = ps;
      }
      const oddLength = oddC.uvar();
      const o = oddLength === 0 ? '' : utf8d.decode(oddC.bytes(oddLength));
      if (o === '') odd[i] = null;
      else {
        let x: unknown;
        try {
          x = JSON.parse(o);
        } catch {
          throw new IndexShapeError('unreadable numbers in the index');
        }
        if (x === null || typeof x !== 'object') throw new IndexShapeError('unreadable numbers in the index');
        odd[i] = x as Record<string, unknown>;
      }
      if (st.areas.length === 0) {
        const x = jsonText(src[C.Extra]);
        if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new IndexShapeError('metrics missing');
        ch.extra[i] = x as SnapshotMetrics;
      }
    }
    // Numbers, a column at a time in ORDER (a prediction uses only columns before its own): the
    // timeline's now, the rest when an entry first needs them (in the order of the chunks).
    let anyOdd = false;
    for (let i = 0; i < n && !anyOdd; i++) anyOdd = odd[i] !== null;
    const codes = scratch(5, n);
    for (let o = 0; o < N; o++) if (EAGER[ORDER[o]]) this.numberColumn(ch, o, src[C.Nums + o], odd, anyOdd, codes);
    missingMetric(ch, mapped, true);
    ch.mapped = mapped;
    this.pendingNums.push({ ch, src: src.slice(C.Nums), odd: anyOdd ? odd : null });
    ch.decodeNums = () => this.numsThrough(ch);
    // Kinds are decoded when an entry needs them, in the order of the chunks.
    this.pendingKinds.push({ ch, src: src[C.Kinds] });
    ch.decodeKinds = () => this.kindsThrough(ch);
  }

  /** Number column ORDER[o] of a chunk from its codes (`odd`: the values coded as JSON, null when none). */
  private numberColumn(ch: ColumnChunk, o: number, col: ByteSource, odd: Array<Record<string, unknown> | null> | null, anyOdd: boolean, codes: Float64Array): void {
    const st = this.st;
    const n = ch.n;
    const vals = ch.vals;
    const k = ORDER[o];
    readUvars(col, codes, n);
    const lm = st.lin[k];
    let last = st.last[k];
    let step = st.step[k];
    const base = k * n;
    if (!anyOdd && lm === undefined && PLAIN[k]) {
      // Most columns: the last value plus the difference (one loop, no calls).
      for (let i = 0; i < n; i++) {
        const code = codes[i];
        if (code === 0) {
          vals[base + i] = NaN;
          continue;
        }
        const z = code - 1;
        const v = (last === last ? last : 0) + (z < 0x80000000 ? (z >>> 1) ^ -(z & 1) : unzig(z));
        vals[base + i] = v;
        last = v;
      }
      st.last[k] = last;
      return;
    }
    for (let i = 0; i < n; i++) {
      const code = codes[i];
      const head = vals[HEAD * n + i];
      let v: number;
      if (code === 0) {
        const oi = odd === null ? null : odd[i];
        const x = oi === null ? undefined : oi[k];
        if (x !== undefined && (typeof x !== 'number' || !Number.isFinite(x))) throw new IndexShapeError('a number was expected');
        v = x ?? NaN;
      } else if (lm !== undefined) {
        v = lm.predict(last, head) + unzig(code - 1);
      } else {
        v = predict(k, vals, n, i, last, step) + unzig(code - 1);
      }
      vals[base + i] = v;
      if (v === v) {
        if (lm !== undefined) lm.learn(last, v, head);
        step = stepOf(k, last, v);
        last = v;
      }
    }
    st.last[k] = last;
    st.step[k] = step;
  }

  /** Chunks whose other numbers (not EAGER) are still coded, in order: each carries the state on. */
  private pendingNums: Array<{ ch: ColumnChunk; src: ByteSource[]; odd: Array<Record<string, unknown> | null> | null }> = [];

  /** Damage found in the numbers decoded late: every chunk from there on says it. */
  private numsError: Error | null = null;

  private numsThrough(ch: ColumnChunk): void {
    while (ch.decodeNums !== null) {
      if (this.numsError) throw this.numsError;
      const next = this.pendingNums.shift();
      if (next === undefined) throw new Error('numbers of a chunk this unpacker did not read');
      try {
        const c = next.ch;
        const codes = scratch(5, c.n);
        for (let o = 0; o < N; o++) if (!EAGER[ORDER[o]]) this.numberColumn(c, o, next.src[o], next.odd, next.odd !== null, codes);
        missingMetric(c, c.mapped, false);
        c.decodeNums = null;
      } catch (err) {
        this.numsError = err as Error;
        throw err;
      }
    }
  }

  /** Chunks whose log lines are still coded, in order: a shape learnt in one is used by the next. */
  private pendingLogs: Array<{ ch: ColumnChunk; nums: ByteSource; text: Uint8Array; textEnd: number; textAt: number[] }> = [];

  /** Damage found in the log lines decoded late: every chunk from there on says it. */
  private logsError: Error | null = null;

  private logsThrough(ch: ColumnChunk): void {
    while (ch.decodeLogs !== null) {
      if (this.logsError) throw this.logsError;
      const next = this.pendingLogs.shift();
      if (next === undefined) throw new Error('log lines of a chunk this unpacker did not read');
      try {
        this.unpackLogs(next.ch, next.nums, next.text, next.textEnd, next.textAt);
      } catch (err) {
        this.logsError = err as Error;
        throw err;
      }
    }
  }

  /** A chunk's log lines from their modes (in evNumAt until now): pieces and numbers, texts, raw lengths. */
  private unpackLogs(ch: ColumnChunk, logNumC: ByteSource, text: Uint8Array, textEnd: number, textAt: number[]): void {
    const st = this.st;
    ch.decodeLogs = null;
    let t = 0;
    for (let ei = 0; ei < ch.m; ei++) {
      if (ch.evKind[ei] !== K_LOG) continue;
      const mode = ch.evNumAt[ei];
      if (mode === LOG_RAW) {
        ch.evNumAt[ei] = logNumC.uvar();
      } else if (mode === LOG_TEXT) {
        const x = getText(new ByteSource(text, textAt[t++], textEnd));
        ch.evPayload[ei] = x;
        st.learn(x);
      } else {
        const sh = st.shapes[mode - LOG_SHAPE];
        if (sh === undefined) throw new IndexShapeError('a log line of an unknown shape');
        ch.evPieces[ei] = sh.pieces;
        ch.evNumAt[ei] = ch.evNums.length;
        // In place: the state's numbers of a shape are its own (learn() replaces them whole).
        const nums = sh.nums;
        for (let k = 0; k < nums.length; k++) {
          nums[k] += logNumC.svar();
          ch.evNums.push(nums[k]);
        }
      }
    }
  }

  private pendingKinds: Array<{ ch: ColumnChunk; src: ByteSource }> = [];

  /** Damage found in the kinds: every chunk from there on says it. */
  private kindsError: Error | null = null;

  private kindsThrough(ch: ColumnChunk): void {
    while (ch.kindVals === null) {
      if (this.kindsError) throw this.kindsError;
      const next = this.pendingKinds.shift();
      if (next === undefined) throw new Error('kinds of a chunk this unpacker did not read');
      try {
        this.unpackKinds(next.ch, next.src);
      } catch (err) {
        this.kindsError = err as Error;
        throw err;
      }
    }
  }

  private unpackKinds(ch: ColumnChunk, kc: ByteSource): void {
    const st = this.st;
    const n = ch.n;
    const mapped = ch.mapped;
    const vals = ch.vals;
    ch.decodeKinds = null;
    // A column per letter, over the snapshots with a map; the most common letter last.
    const L = kc.uvar();
    if (L > 256) throw new IndexShapeError('too many kinds of block');
    const letters: string[] = [];
    for (let l = 0; l < L; l++) letters.push(getText(kc));
    ch.letters = letters;
    const rest = mostCommon(st.kinds);
    const kv = new Float64Array(L * n).fill(NaN);
    const others = new Float64Array(n);
    let restAt = -1;
    for (let l = 0; l < L; l++) {
      if (letters[l] === rest) {
        restAt = l;
        continue;
      }
      let prev = st.kinds.get(letters[l]);
      const lm = st.kindModel(letters[l]);
      for (const i of mapped) {
        const code = kc.uvar();
        if (code === 0) {
          prev = undefined;
          continue;
        }
        const head = vals[HEAD * n + i];
        const v = lm.predict(prev ?? 0, head) + unzig(code - 1);
        lm.learn(prev ?? 0, v, head);
        kv[l * n + i] = v;
        others[i] += v;
        prev = v;
      }
    }
    if (rest !== null) {
      if (restAt < 0) throw new IndexShapeError('a kind of block missing from its record');
      let prev = st.kinds.get(rest);
      for (const i of mapped) {
        const code = kc.uvar();
        if (code === 0) {
          prev = undefined;
          continue;
        }
        const v = code === 1 ? vals[HEAD * n + i] - others[i] : (prev ?? 0) + unzig(code - 2);
        kv[restAt * n + i] = v;
        prev = v;
      }
    }
    ch.kindVals = kv;
    if (mapped.length) {
      const last = mapped[mapped.length - 1];
      const k = new Map<string, number>();
      for (let l = 0; l < L; l++) {
        const v = kv[l * n + last];
        if (v === v) k.set(letters[l], v);
      }
      st.kinds = k;
    }
  }
}

/** Throws when a snapshot with a map lacks one of its map's numbers (the EAGER ones, or the others). */
function missingMetric(ch: ColumnChunk, mapped: number[], eager: boolean): void {
  const v = ch.vals;
  const n = ch.n;
  for (let k = BLOCKS; k <= LARGEST_ALLOC; k++) {
    if (EAGER[k] !== eager) continue;
    const base = k * n;
    for (let j = 0; j < mapped.length; j++) {
      const x = v[base + mapped[j]];
      if (x !== x) throw new IndexShapeError('a metric is missing');
    }
  }
}

/** Reads `count` varints into `out` (a column of codes), without a call per number. */
function readUvars(src: ByteSource, out: Float64Array, count: number): void {
  const buf = src.buf;
  const end = src.end;
  let pos = src.pos;
  for (let i = 0; i < count; i++) {
    if (pos >= end) throw new MalformedError('unexpected end of data in a number');
    let b = buf[pos++];
    if (b < 0x80) {
      out[i] = b;
      continue;
    }
    let v = b & 0x7f;
    let mul = 0x80;
    for (let j = 1; ; j++) {
      if (pos >= end) throw new MalformedError('unexpected end of data in a number');
      if (j >= 8) throw new MalformedError('number too long');
      b = buf[pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 0x80;
    }
    out[i] = v;
  }
  src.pos = pos;
}

/** Kinds are listed in character order, as computeMetrics lists them. */
function kindsOf(ch: ColumnChunk, i: number): Record<string, number> {
  if (ch.kindVals === null) ch.decodeKinds!();
  const kv = ch.kindVals!;
  const out: Record<string, number> = {};
  const n = ch.n;
  for (let l = 0; l < ch.letters.length; l++) {
    const v = kv[l * n + i];
    if (v === v) out[ch.letters[l]] = v;
  }
  return out;
}

/** Number k of snapshot i, NaN for null. */
const vals = (ch: ColumnChunk, k: number, i: number): number => ch.vals[k * ch.n + i];

const val = (ch: ColumnChunk, k: number, i: number): number | null => {
  const v = ch.vals[k * ch.n + i];
  return v === v ? v : null;
};

/** Snapshot i of a chunk as an index entry (`index`: its place in the session). */
export function chunkEntry(ch: ColumnChunk, i: number, index: number): SnapshotIndexEntry {
  if (ch.decodeNums !== null) ch.decodeNums();
  const f = ch.form[i];
  const flags = f >> 5;
  const style = (f >> 2) & 7;
  const printed: PrintedFigures | null =
    flags & F_PRINTED
      ? {
          total: val(ch, 2, i),
          used: val(ch, 3, i),
          free: val(ch, 4, i),
          maxNewSplit: val(ch, 5, i),
          oneBlocks: val(ch, 6, i),
          twoBlocks: val(ch, 7, i),
          maxBlockSize: val(ch, 8, i),
          maxFreeSize: val(ch, 9, i),
          stackUsed: val(ch, 10, i),
          stackLimit: val(ch, 11, i),
          mem: val(ch, 12, i) === null ? null : { total: val(ch, 12, i)!, current: val(ch, 13, i) ?? 0, peak: val(ch, 14, i) ?? 0 },
        }
      : null;
  const blockSize = val(ch, BLOCK_SIZE, i);
  const areas = ch.areas[i];
  const metrics =
    areas.length > 0
      ? metricsFromCounts(
          {
            blocks: val(ch, 18, i)!,
            unknownBlocks: val(ch, 19, i)!,
            freeBlocks: val(ch, 20, i)!,
            headBlocks: val(ch, 21, i)!,
            tailBlocks: val(ch, 22, i)!,
            largestFreeRun: val(ch, 23, i)!,
            freeRuns: val(ch, 24, i)!,
            oneBlockAllocs: val(ch, 25, i)!,
            twoBlockAllocs: val(ch, 26, i)!,
            largestAlloc: val(ch, 27, i)!,
            kinds: kindsOf(ch, i),
          },
          blockSize,
        )
      : ch.extra[i]!;
  const host = ch.hostMs[i];
  return {
    index,
    line: ch.line[i],
    byteStart: ch.byteStart[i],
    byteEnd: ch.byteEnd[i],
    framing: FRAMINGS[f & 3] as DumpFraming,
    seq: val(ch, 0, i),
    deviceMs: val(ch, 1, i),
    hostMs: host === host ? host : null,
    collected: flags & F_COLLECTED_KNOWN ? (flags & F_COLLECTED) !== 0 : null,
    printed,
    blockSize,
    addressStyle: style === 0 ? null : (STYLES[style - 1] as AddressStyle),
    areas,
    stats: flags & F_STATS ? { alloc: val(ch, 16, i) ?? 0, free: val(ch, 17, i) ?? 0 } : null,
    complete: (flags & F_COMPLETE) !== 0,
    consistent: (flags & F_CONSISTENT) !== 0,
    problems: ch.problems[i],
    metrics,
  };
}

/**
 * Event j of a chunk. A log line whose text is in the raw stream comes back as `logAt` (the
 * reader makes it an event that reads its text when first asked).
 */
export function chunkEvent(ch: ColumnChunk, j: number): { event: SessionEvent } | { logAt: { line: number; byteOffset: number; hostMs: number | null; length: number } } {
  const h = ch.evHost[j];
  const at = { line: ch.evLine[j], byteOffset: ch.evOffset[j], hostMs: h === h ? h : null };
  if (ch.decodeLogs !== null && ch.evKind[j] === K_LOG) ch.decodeLogs();
  const p = ch.evPayload[j];
  switch (ch.evKind[j]) {
    case K_LOG: {
      const pieces = ch.evPieces[j];
      if (pieces !== undefined) {
        let text = pieces[0];
        const base = ch.evNumAt[j];
        for (let k = 1; k < pieces.length; k++) text += String(ch.evNums[base + k - 1]) + pieces[k];
        return { event: { type: 'log', text, ...at } };
      }
      if (typeof p === 'string') return { event: { type: 'log', text: p, ...at } };
      return { logAt: { ...at, length: ch.evNumAt[j] } };
    }
    case K_DEVICE: {
      const a = p as unknown[];
      const e: SessionEvent = { type: 'device', kind: str(a[0]) as DeviceEvent['kind'], text: str(a[1]), ...at };
      if (a[2] !== undefined && a[2] !== null && typeof a[2] === 'object') Object.assign(e, a[2]);
      return { event: e };
    }
    case K_MARK: {
      const a = p as unknown[];
      return { event: { type: 'mark', label: str(a[0]), deviceMs: a[1] === null ? null : num(a[1]), ...at } };
    }
    default: {
      const a = p as unknown[];
      return { event: { type: 'gap', reason: str(a[0]), hostMsStart: num(a[1]), hostMsEnd: a[2] === null ? null : num(a[2]), ...at } };
    }
  }
}

function str(x: unknown): string {
  if (typeof x !== 'string') throw new IndexShapeError('text was expected');
  return x;
}

function num(x: unknown): number {
  if (typeof x !== 'number') throw new IndexShapeError('a number was expected');
  return x;
}

/** What the timeline draws of each snapshot (see FrameSeries), and where each ends. */
export interface SnapshotFigures {
  byteEnd: Float64Array;
  /** Host time, else the board's, else NaN. */
  timeMs: Float64Array;
  usedBytes: Float64Array;
  freeBytes: Float64Array;
  largestFreeBytes: Float64Array;
  fragmentation: Float64Array;
}

export function emptyFigures(n: number): SnapshotFigures {
  return {
    byteEnd: new Float64Array(n),
    timeMs: new Float64Array(n),
    usedBytes: new Float64Array(n),
    freeBytes: new Float64Array(n),
    largestFreeBytes: new Float64Array(n),
    fragmentation: new Float64Array(n),
  };
}

function nn(x: number | null | undefined): number {
  return typeof x === 'number' ? x : NaN;
}

/** The figures of an entry, as computeMetrics's formulas give them (NaN for null). */
export function putEntryFigures(f: SnapshotFigures, at: number, e: SnapshotIndexEntry): void {
  const m = e.metrics;
  f.byteEnd[at] = e.byteEnd;
  f.timeMs[at] = nn(e.hostMs ?? e.deviceMs);
  f.usedBytes[at] = nn(m.usedBytes);
  f.freeBytes[at] = nn(m.freeBytes);
  f.largestFreeBytes[at] = nn(m.largestFreeRunBytes);
  f.fragmentation[at] = m.fragmentation;
}

/** Snapshots [0, count) of a chunk into `f` from `at`, straight from the columns. */
export function putChunkFigures(f: SnapshotFigures, at: number, ch: ColumnChunk, count: number): void {
  const n = ch.n;
  const v = ch.vals;
  for (let i = 0; i < count; i++) {
    const o = at + i;
    f.byteEnd[o] = ch.byteEnd[i];
    const host = ch.hostMs[i];
    f.timeMs[o] = host === host ? host : v[DEVICE_MS * n + i];
    if (ch.areas[i].length === 0) {
      const m = ch.extra[i]!;
      f.usedBytes[o] = nn(m.usedBytes);
      f.freeBytes[o] = nn(m.freeBytes);
      f.largestFreeBytes[o] = nn(m.largestFreeRunBytes);
      f.fragmentation[o] = m.fragmentation;
      continue;
    }
    // As metricsFromCounts computes them.
    const bs = v[BLOCK_SIZE * n + i];
    const free = v[FREE * n + i];
    const lfr = v[LARGEST_FREE * n + i];
    const has = bs === bs && bs !== 0;
    f.usedBytes[o] = has ? (v[HEAD * n + i] + v[TAIL * n + i]) * bs : NaN;
    f.freeBytes[o] = has ? free * bs : NaN;
    f.largestFreeBytes[o] = has ? lfr * bs : NaN;
    f.fragmentation[o] = free ? 1 - lfr / free : 0;
  }
}
