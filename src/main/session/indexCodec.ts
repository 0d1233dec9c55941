/**
 * The session index: what an index record holds for each event, packed as positional JSON
 * arrays (see docs/session-format.md, "Index records"). Line, byte offset and host time are
 * deltas from the item before in the same record, so a steady recording deflates to a few
 * bytes per item. Metrics that are plain arithmetic on others (bytes, fragmentation) are
 * recomputed on load with the same formulas as shared/heap/metrics.ts.
 */
import type { DeviceEvent, GapEvent, LogEvent, MarkEvent } from '../../shared/capture/events';
import { metricsFromCounts, type SnapshotMetrics } from '../../shared/heap/metrics';
import type { AddressStyle, DumpFraming, HeapSnapshot, PrintedFigures } from '../../shared/heap/snapshot';

export type { SnapshotIndexEntry } from '../../shared/heap/snapshot';
import type { SnapshotIndexEntry } from '../../shared/heap/snapshot';

/** Every event but snapshots, with the host time it arrived (null for imports). */
export type SessionEvent = (LogEvent | DeviceEvent | MarkEvent | GapEvent) & { hostMs: number | null };

export type IndexItem = { snapshot: SnapshotIndexEntry } | { event: SessionEvent } | { logAt: { line: number; byteOffset: number; hostMs: number | null; length: number } };

export const FRAMINGS: DumpFraming[] = ['helper', 'pimst', 'bare'];
export const STYLES: AddressStyle[] = ['index4', 'abs5', 'off5', 'off8'];

type Json = unknown;

/**
 * The numbers of a snapshot, in this order, each coded as the difference from the same number
 * in the snapshot before (when both are known), else as itself or null.
 */
export const SNAPSHOT_NUMBERS = [
  'seq',
  'deviceMs',
  'printed.total',
  'printed.used',
  'printed.free',
  'printed.maxNewSplit',
  'printed.oneBlocks',
  'printed.twoBlocks',
  'printed.maxBlockSize',
  'printed.maxFreeSize',
  'printed.stackUsed',
  'printed.stackLimit',
  'printed.mem.total',
  'printed.mem.current',
  'printed.mem.peak',
  'blockSize',
  'stats.alloc',
  'stats.free',
  'metrics.blocks',
  'metrics.unknownBlocks',
  'metrics.freeBlocks',
  'metrics.headBlocks',
  'metrics.tailBlocks',
  'metrics.largestFreeRun',
  'metrics.freeRuns',
  'metrics.oneBlockAllocs',
  'metrics.twoBlockAllocs',
  'metrics.largestAlloc',
] as const;
const N = SNAPSHOT_NUMBERS.length;

/** Flags of a snapshot item. */
export const F_COMPLETE = 1;
export const F_CONSISTENT = 2;
export const F_PRINTED = 4;
export const F_STATS = 8;
export const F_COLLECTED_KNOWN = 16;
export const F_COLLECTED = 32;

export function numbersOf(s: SnapshotSummary, m: SnapshotMetrics): Array<number | null> {
  const p = s.printed;
  const mapped = s.areas.length > 0;
  return [
    s.seq,
    s.deviceMs,
    p?.total ?? null,
    p?.used ?? null,
    p?.free ?? null,
    p?.maxNewSplit ?? null,
    p?.oneBlocks ?? null,
    p?.twoBlocks ?? null,
    p?.maxBlockSize ?? null,
    p?.maxFreeSize ?? null,
    p?.stackUsed ?? null,
    p?.stackLimit ?? null,
    p?.mem?.total ?? null,
    p?.mem?.current ?? null,
    p?.mem?.peak ?? null,
    s.blockSize,
    s.stats?.alloc ?? null,
    s.stats?.free ?? null,
    mapped ? m.blocks : null,
    mapped ? m.unknownBlocks : null,
    mapped ? m.freeBlocks : null,
    mapped ? m.headBlocks : null,
    mapped ? m.tailBlocks : null,
    mapped ? m.largestFreeRun : null,
    mapped ? m.freeRuns : null,
    mapped ? m.oneBlockAllocs : null,
    mapped ? m.twoBlockAllocs : null,
    mapped ? m.largestAlloc : null,
  ];
}

/** A snapshot without its maps' blocks: what the index needs of it. */
export type SnapshotSummary = Omit<HeapSnapshot, 'areas'> & { areas: Array<{ address: string; blocks: number }> };

export function summarize(s: HeapSnapshot): SnapshotSummary {
  return { ...s, areas: s.areas.map((a) => ({ address: a.address, blocks: a.blocks })) };
}

/**
 * Running state of the index codec: positions, times and snapshot numbers of the item before.
 * It starts from zero at each segment, so a segment's index reads on its own.
 */
class DeltaState {
  line = 0;
  offset = 0;
  host = 0;
  nums: Array<number | null> = new Array<number | null>(N).fill(null);
  kinds: Record<string, number> = {};
  /** Log line shapes seen in the segment, by shape text, and their last numbers. */
  shapeIds = new Map<string, number>();
  shapes: Array<{ pieces: string[]; nums: number[] }> = [];

  reset(): void {
    this.line = 0;
    this.offset = 0;
    this.host = 0;
    this.nums = new Array<number | null>(N).fill(null);
    this.kinds = {};
    this.shapeIds = new Map();
    this.shapes = [];
  }

  /** Remembers a log line's shape (the packer and the unpacker both, for each literal text). */
  learn(text: string): void {
    learnShape(this.shapeIds, this.shapes, text);
  }
}

const DIGITS = /[0-9]+/g;

/**
 * A log line's shape: its text with every canonical decimal number (1–15 digits, no leading
 * zero) taken out (as in the raw stream's NUMS op). Null when it has none, or holds a NUL.
 */
/**
 * Adds a log line's shape to a segment's table, or updates its last numbers: the packer and
 * the unpacker of both index codings (JSON and columns) keep their tables the same way.
 */
export function learnShape(ids: Map<string, number>, shapes: Array<{ pieces: string[]; nums: number[] }>, text: string): void {
  const sh = shapeOfText(text);
  if (sh === null) return;
  const id = ids.get(sh.shape);
  if (id === undefined) {
    ids.set(sh.shape, shapes.length);
    shapes.push({ pieces: sh.shape.split('\u0000'), nums: sh.nums });
  } else {
    shapes[id].nums = sh.nums;
  }
}

export function shapeOfText(text: string): { shape: string; nums: number[] } | null {
  if (text.length > 512 || text.includes('\u0000')) return null;
  const nums: number[] = [];
  const shape = text.replace(DIGITS, (m) => {
    if (m.length > 15 || (m.length > 1 && m.charCodeAt(0) === 0x30)) return m;
    nums.push(Number(m));
    return '\u0000';
  });
  return nums.length ? { shape, nums } : null;
}

export class IndexPacker {
  private readonly st = new DeltaState();

  /** Deltas start again from zero (at each segment). */
  reset(): void {
    this.st.reset();
  }

  private pos(line: number, offset: number, hostMs: number | null): [number, number, number | null] {
    const st = this.st;
    const r: [number, number, number | null] = [line - st.line, offset - st.offset, hostMs === null ? null : hostMs - st.host];
    st.line = line;
    st.offset = offset;
    if (hostMs !== null) st.host = hostMs;
    return r;
  }

  snapshot(s: SnapshotSummary, hostMs: number | null, m: SnapshotMetrics): Json {
    const st = this.st;
    const [dl, ds, dh] = this.pos(s.line, s.byteStart, hostMs);
    st.offset = s.byteEnd;
    const nums = numbersOf(s, m);
    const coded = nums.map((v, i) => {
      const prev = st.nums[i];
      return v === null ? null : prev === null ? v : v - prev;
    });
    st.nums = nums;
    let flags = (s.complete ? F_COMPLETE : 0) | (s.consistent ? F_CONSISTENT : 0) | (s.printed ? F_PRINTED : 0) | (s.stats ? F_STATS : 0);
    if (s.collected !== null) flags |= F_COLLECTED_KNOWN | (s.collected ? F_COLLECTED : 0);
    let kinds: Json = 0;
    if (s.areas.length > 0) {
      // The counts per kind that changed (null: gone).
      const d: Record<string, number | null> = {};
      for (const k of Object.keys(m.kinds)) if (m.kinds[k] !== (st.kinds[k] ?? 0)) d[k] = m.kinds[k] - (st.kinds[k] ?? 0);
      for (const k of Object.keys(st.kinds)) if (!(k in m.kinds)) d[k] = null;
      st.kinds = m.kinds;
      kinds = d;
    } else {
      kinds = m; // no map: the metrics come from the printed figures; kept whole
    }
    return [
      0,
      dl,
      ds,
      dh,
      s.byteEnd - s.byteStart,
      FRAMINGS.indexOf(s.framing),
      flags,
      s.addressStyle === null ? null : STYLES.indexOf(s.addressStyle),
      s.areas.map((a) => [a.address, a.blocks]),
      s.problems,
      coded,
      kinds,
    ];
  }

  /**
   * An event. A log line whose text is exactly its bytes in the raw stream (`textInRaw`) is
   * stored as the byte length of that text: the reader reads it back from the raw bytes.
   */
  event(e: SessionEvent, textInRaw = false): Json {
    const [dl, ds, dh] = this.pos(e.line, e.byteOffset, e.hostMs);
    switch (e.type) {
      case 'log': {
        if (textInRaw) return [1, dl, ds, dh, e.text.length];
        // A line of a shape seen before in the segment: [shape, number deltas…].
        const st = this.st;
        const sh = shapeOfText(e.text);
        const id = sh === null ? undefined : st.shapeIds.get(sh.shape);
        if (sh !== null && id !== undefined) {
          const prev = st.shapes[id].nums;
          const coded = [id, ...sh.nums.map((v, k) => v - prev[k])];
          st.shapes[id].nums = sh.nums;
          return [1, dl, ds, dh, coded];
        }
        st.learn(e.text);
        return [1, dl, ds, dh, e.text];
      }
      case 'device': {
        const extra: Record<string, unknown> = {};
        if (e.bytes !== undefined) extra.bytes = e.bytes;
        if (e.lost !== undefined) extra.lost = e.lost;
        if (e.detail !== undefined) extra.detail = e.detail;
        return Object.keys(extra).length ? [2, dl, ds, dh, e.kind, e.text, extra] : [2, dl, ds, dh, e.kind, e.text];
      }
      case 'mark':
        return [3, dl, ds, dh, e.label, e.deviceMs];
      case 'gap':
        return [4, dl, ds, dh, e.reason, e.hostMsStart, e.hostMsEnd];
    }
  }
}

/** Thrown on an index item that does not have the shape this version writes. */
export class IndexShapeError extends Error {}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): number | null => {
  if (v === null) return null;
  if (!isNum(v)) throw new IndexShapeError('a number was expected');
  return v;
};
const num = (v: unknown): number => {
  if (!isNum(v)) throw new IndexShapeError('a number was expected');
  return v;
};
const str = (v: unknown): string => {
  if (typeof v !== 'string') throw new IndexShapeError('text was expected');
  return v;
};
const arr = (v: unknown): unknown[] => {
  if (!Array.isArray(v)) throw new IndexShapeError('a list was expected');
  return v;
};

/** The problems of every snapshot that has none (shared; frozen, as index entries are read-only). */
const NO_PROBLEMS: string[] = Object.freeze([]) as unknown as string[];

export class IndexUnpacker {
  private readonly st = new DeltaState();
  private lastAreas: Array<{ address: string; blocks: number }> | null = null;

  reset(): void {
    this.st.reset();
  }

  /** One packed item; `index` is the snapshot's position in the session. */
  item(raw: unknown, index: number): IndexItem {
    const a = arr(raw);
    const st = this.st;
    const tag = a[0];
    const line = st.line + num(a[1]);
    const offset = st.offset + num(a[2]);
    const dh = numOrNull(a[3]);
    const hostMs = dh === null ? null : st.host + dh;
    st.line = line;
    st.offset = offset;
    if (hostMs !== null) st.host = hostMs;
    switch (tag) {
      case 0:
        return { snapshot: this.snapshot(a, index, line, offset, hostMs) };
      case 1: {
        const t = a[4];
        if (typeof t === 'number') return { logAt: { line, byteOffset: offset, hostMs, length: t } };
        if (Array.isArray(t)) return { event: { type: 'log', text: this.shaped(t), line, byteOffset: offset, hostMs } };
        const text = str(t);
        st.learn(text);
        return { event: { type: 'log', text, line, byteOffset: offset, hostMs } };
      }
      case 2: {
        const e: SessionEvent = { type: 'device', kind: str(a[4]) as DeviceEvent['kind'], text: str(a[5]), line, byteOffset: offset, hostMs };
        if (a[6] !== undefined) Object.assign(e, a[6] as object);
        return { event: e };
      }
      case 3:
        return { event: { type: 'mark', label: str(a[4]), deviceMs: numOrNull(a[5]), line, byteOffset: offset, hostMs } };
      case 4:
        return { event: { type: 'gap', reason: str(a[4]), hostMsStart: num(a[5]), hostMsEnd: numOrNull(a[6]), line, byteOffset: offset, hostMs } };
      default:
        throw new IndexShapeError(`unknown item kind ${String(tag)}`);
    }
  }

  /**
   * A snapshot's areas; the same array as the snapshot before when they are the same (nearly
   * always): an index entry is read-only, and a day-long session holds a quarter of a million
   * of them, so what they share is memory and garbage-collection time the reader does not spend.
   */
  private areasOf(packed: unknown[]): Array<{ address: string; blocks: number }> {
    const last = this.lastAreas;
    if (last !== null && last.length === packed.length) {
      let same = true;
      for (let i = 0; i < packed.length && same; i++) {
        const ar = arr(packed[i]);
        same = ar[0] === last[i].address && ar[1] === last[i].blocks;
      }
      if (same) return last;
    }
    const areas = packed.map((x) => {
      const ar = arr(x);
      return { address: str(ar[0]), blocks: num(ar[1]) };
    });
    this.lastAreas = areas;
    return areas;
  }

  /** A log line's text from [shape, number deltas…]. */
  private shaped(t: unknown[]): string {
    const sh = this.st.shapes[num(t[0])];
    if (sh === undefined || t.length !== sh.nums.length + 1) throw new IndexShapeError('a log line of an unknown shape');
    let text = sh.pieces[0];
    for (let k = 0; k < sh.nums.length; k++) {
      const v = sh.nums[k] + num(t[k + 1]);
      sh.nums[k] = v;
      text += String(v) + sh.pieces[k + 1];
    }
    return text;
  }

  private snapshot(a: unknown[], index: number, line: number, byteStart: number, hostMs: number | null): SnapshotIndexEntry {
    const st = this.st;
    const byteEnd = byteStart + num(a[4]);
    st.offset = byteEnd;
    const framing = FRAMINGS[num(a[5])];
    if (framing === undefined) throw new IndexShapeError('unknown framing');
    const flags = num(a[6]);
    const addressStyle = a[7] === null ? null : (STYLES[num(a[7])] ?? null);
    const areas = this.areasOf(arr(a[8]));
    const pr = arr(a[9]);
    const problems = pr.length === 0 ? NO_PROBLEMS : pr.map(str);
    const coded = arr(a[10]);
    if (coded.length !== N) throw new IndexShapeError('a snapshot with the wrong count of numbers');
    const v: Array<number | null> = new Array<number | null>(N);
    for (let i = 0; i < N; i++) {
      const d = numOrNull(coded[i]);
      const prev = st.nums[i];
      v[i] = d === null ? null : prev === null ? d : prev + d;
    }
    st.nums = v;
    const printed: PrintedFigures | null =
      flags & F_PRINTED
        ? {
            total: v[2],
            used: v[3],
            free: v[4],
            maxNewSplit: v[5],
            oneBlocks: v[6],
            twoBlocks: v[7],
            maxBlockSize: v[8],
            maxFreeSize: v[9],
            stackUsed: v[10],
            stackLimit: v[11],
            mem: v[12] === null ? null : { total: v[12], current: v[13] ?? 0, peak: v[14] ?? 0 },
          }
        : null;
    const blockSize = v[15];
    let metrics: SnapshotMetrics;
    if (areas.length > 0) {
      const d = a[11];
      if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new IndexShapeError('kinds missing');
      let kinds: Record<string, number>;
      let added = false;
      let changed = false;
      const changes = d as Record<string, unknown>;
      for (const k in changes) {
        changed = true;
        if (!(k in st.kinds)) added = true;
      }
      if (!changed) {
        // The same counts as the snapshot before: its object is shared (st.kinds is never
        // changed in place, only replaced).
        kinds = st.kinds;
      } else if (added) {
        // A letter not seen before: rebuild in character order, as computeMetrics lists them.
        const all: Record<string, number> = { ...st.kinds };
        for (const k in changes) if (!(k in all)) all[k] = 0;
        kinds = sortKinds(all);
      } else {
        kinds = { ...st.kinds };
      }
      for (const k in changes) {
        const x = changes[k];
        if (x === null) delete kinds[k];
        else kinds[k] = (kinds[k] ?? 0) + num(x);
      }
      st.kinds = kinds;
      metrics = unpackMetrics(v, blockSize, kinds);
    } else {
      const m = a[11];
      if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new IndexShapeError('metrics missing');
      metrics = m as SnapshotMetrics;
    }
    return {
      index,
      line,
      byteStart,
      byteEnd,
      framing,
      seq: v[0],
      deviceMs: v[1],
      hostMs,
      collected: flags & F_COLLECTED_KNOWN ? (flags & F_COLLECTED) !== 0 : null,
      printed,
      blockSize,
      addressStyle,
      areas,
      stats: flags & F_STATS ? { alloc: v[16] ?? 0, free: v[17] ?? 0 } : null,
      complete: (flags & F_COMPLETE) !== 0,
      consistent: (flags & F_CONSISTENT) !== 0,
      problems,
      metrics,
    };
  }
}

/** Kinds in character order, as computeMetrics lists them. */
function sortKinds(k: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(k).sort((x, y) => x.charCodeAt(0) - y.charCodeAt(0))) out[key] = k[key];
  return out;
}

/** The metrics of a snapshot with a map, from the counts stored (as computeMetrics derives them). */
function unpackMetrics(v: Array<number | null>, bs: number | null, kinds: Record<string, number>): SnapshotMetrics {
  const at = (i: number) => {
    const x = v[i];
    if (x === null) throw new IndexShapeError('a metric is missing');
    return x;
  };
  return metricsFromCounts(
    {
      blocks: at(18),
      unknownBlocks: at(19),
      freeBlocks: at(20),
      headBlocks: at(21),
      tailBlocks: at(22),
      largestFreeRun: at(23),
      freeRuns: at(24),
      oneBlockAllocs: at(25),
      twoBlockAllocs: at(26),
      largestAlloc: at(27),
      kinds,
    },
    bs,
  );
}
