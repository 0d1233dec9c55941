import { FREE, TAIL, UNKNOWN } from './blockKinds';
import type { HeapSnapshot } from './snapshot';

/**
 * Figures derived from a snapshot's map, computed once at ingest and stored in the session
 * index so charts never decode maps. Byte figures are null when the block size is unknown.
 */
export interface SnapshotMetrics {
  blocks: number;
  /** Blocks the capture lost (holes in a damaged map); counted in neither used nor free. */
  unknownBlocks: number;
  freeBlocks: number;
  headBlocks: number;
  tailBlocks: number;
  usedBytes: number | null;
  freeBytes: number | null;
  totalBytes: number | null;
  /** Longest run of free blocks (runs do not continue across areas). */
  largestFreeRun: number;
  largestFreeRunBytes: number | null;
  freeRuns: number;
  /** 1 − longest free run ÷ total free; 0 when nothing is free. */
  fragmentation: number;
  /** Head blocks per kind letter, e.g. { h: 120, T: 12, S: 40 }. */
  kinds: Record<string, number>;
  oneBlockAllocs: number;
  twoBlockAllocs: number;
  /** Largest allocation in blocks (head + its tails). */
  largestAlloc: number;
}

/** Accumulators for scanArea, kept in one typed array so the hot loop stays monomorphic. */
const LARGEST_FREE = 0;
const FREE_RUNS = 1;
const ONE = 2;
const TWO = 3;
const LARGEST_ALLOC = 4;

/**
 * One pass over an area's blocks. Free runs and allocations end at the area's edge and at
 * blocks the capture lost. Kept small and free of closures: it runs over every block of
 * every snapshot at ingest.
 *
 * The map is walked a run at a time rather than a block at a time: a free run is a maximal
 * stretch of `.`; an allocation is a head (or a tail with no head before it, when a map
 * starts mid-object) followed by its tails. Where a run ends is found by runEnd from the
 * four blocks after its first, read as one word wherever they start, so most runs (one to
 * four blocks) cost one comparison and a count of zero bits. What is counted per run is
 * counted with arithmetic, not branches: the length of the next allocation is as good as
 * random, and the branches on it (one block? two? tails after it?) were mispredicted so
 * often that they were most of this function's time.
 */
function scanArea(k: Uint8Array, hist: Uint32Array, acc: Float64Array): void {
  const n = k.length;
  const view = new DataView(k.buffer, k.byteOffset, n);
  // Small integers in the loop (the accumulators are doubles), added to acc at the end.
  let largestFree = 0;
  let freeRuns = 0;
  let one = 0;
  let two = 0;
  let largestAlloc = 0;
  let freeCount = 0;
  let tailCount = 0;
  let i = 0;
  while (i < n) {
    const c = k[i];
    if (c === FREE) {
      const end = runEnd(k, view, i + 1, n, FREE, FREE4, FREE8);
      const run = end - i;
      freeRuns++;
      freeCount += run;
      if (run > largestFree) largestFree = run;
      i = end;
    } else if (c === UNKNOWN) {
      // A lost block: part of no run and no allocation.
      hist[UNKNOWN]++;
      i++;
    } else {
      // Most allocations are one block (four in five on a real heap), so the block after a
      // head is looked at before any run is searched for.
      let end = i + 1;
      if (end < n && k[end] === TAIL) end = runEnd(k, view, end + 1, n, TAIL, TAIL4, TAIL8);
      const alloc = end - i;
      // Its tails; a tail with no head before it (rare) is one more of them, and no head.
      tailCount += alloc - 1;
      if (c === TAIL) tailCount++;
      else hist[c & 0x7f]++;
      // 1 when alloc is 1 (alloc − 2 is negative), and when alloc is 2 (alloc ^ 2 is 0).
      one += (alloc - 2) >>> 31;
      two += ((alloc ^ 2) - 1) >>> 31;
      if (alloc > largestAlloc) largestAlloc = alloc;
      i = end;
    }
  }
  hist[FREE] += freeCount;
  hist[TAIL] += tailCount;
  if (largestFree > acc[LARGEST_FREE]) acc[LARGEST_FREE] = largestFree;
  acc[FREE_RUNS] += freeRuns;
  acc[ONE] += one;
  acc[TWO] += two;
  if (largestAlloc > acc[LARGEST_ALLOC]) acc[LARGEST_ALLOC] = largestAlloc;
}

/**
 * The end of the run of `code` blocks that continues at k[i]: the first index from i whose
 * block is not `code` (n at the end). `view` is k as a DataView; `code4` is `code` in all
 * four bytes of a 32-bit word, `code8` in all eight of a float64.
 *
 * Four blocks read little-endian as a word, XOR `code4`, are zero where all four are `code`;
 * otherwise the lowest non-zero byte is the first that is not, found from the count of
 * trailing zero bits: no branch per block. The reads need no alignment (DataView), so the
 * first one starts at i itself. Past four blocks the run is a long one (free space, a big
 * buffer) and is skipped eight blocks per comparison: two float64s are equal exactly when
 * their bits are (`code8` is a normal number, neither NaN nor zero).
 */
export function runEnd(k: Uint8Array, view: DataView, i: number, n: number, code: number, code4: number, code8: number): number {
  while (i + 4 <= n) {
    const x = view.getInt32(i, true) ^ code4;
    if (x !== 0) return i + ((31 - Math.clz32(x & -x)) >>> 3);
    i += 4;
    // Four comparisons per turn: on a heap's long free stretches the loop is the cost.
    while (i + 32 <= n && view.getFloat64(i, true) === code8 && view.getFloat64(i + 8, true) === code8 && view.getFloat64(i + 16, true) === code8 && view.getFloat64(i + 24, true) === code8) i += 32;
    while (i + 8 <= n && view.getFloat64(i, true) === code8) i += 8;
  }
  while (i < n && k[i] === code) i++;
  return i;
}

/** `code` in all four bytes of a 32-bit word (see runEnd). */
export function repeated4(code: number): number {
  return (code * 0x01010101) | 0;
}

/** `code` in all eight bytes of a float64, as a number (see runEnd). */
function repeated8(code: number): number {
  const v = new DataView(new ArrayBuffer(8));
  for (let b = 0; b < 8; b++) v.setUint8(b, code);
  return v.getFloat64(0, true);
}

export const FREE4 = repeated4(FREE);
export const TAIL4 = repeated4(TAIL);
const FREE8 = repeated8(FREE);
const TAIL8 = repeated8(TAIL);

const cache = new WeakMap<HeapSnapshot, SnapshotMetrics>();
/**
 * The snapshot metricsOf last answered for, and its metrics: the reader computes a dump's
 * metrics to check them against its header, and whoever takes the dump from it asks next, so
 * that answer costs no WeakMap lookup. It holds on to that one snapshot until the next call.
 */
let lastSnapshot: HeapSnapshot | null = null;
let lastMetrics: SnapshotMetrics | null = null;

/** computeMetrics, once per snapshot object. */
export function metricsOf(s: HeapSnapshot): SnapshotMetrics {
  if (s === lastSnapshot) return lastMetrics!;
  let m = cache.get(s);
  if (!m) {
    m = computeMetrics(s);
    cache.set(s, m);
  }
  lastSnapshot = s;
  lastMetrics = m;
  return m;
}

const HIST = new Uint32Array(128);
const ACC = new Float64Array(5);
/** Each kind code's letter, made once. */
const LETTERS = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));

/** Metrics from the map, or from stats/printed figures when the snapshot has no map. */
export function computeMetrics(s: HeapSnapshot): SnapshotMetrics {
  // Scratch, cleared per call (computeMetrics never re-enters): a fresh 512-byte typed array
  // per snapshot is an allocation outside the JS heap, each one slow to make and to collect.
  const hist = HIST.fill(0);
  const acc = ACC.fill(0);
  let blocks = 0;
  for (const area of s.areas) {
    blocks += area.kinds.length;
    scanArea(area.kinds, hist, acc);
  }
  const largestFreeRun = acc[LARGEST_FREE];
  const freeRuns = acc[FREE_RUNS];
  const oneBlockAllocs = acc[ONE];
  const twoBlockAllocs = acc[TWO];
  const largestAlloc = acc[LARGEST_ALLOC];
  const freeBlocks = hist[FREE];
  const tailBlocks = hist[TAIL];
  const unknownBlocks = hist[UNKNOWN];
  const headBlocks = blocks - freeBlocks - tailBlocks - unknownBlocks;
  const kinds: Record<string, number> = {};
  for (let c = UNKNOWN + 1; c < 128; c++) {
    if (hist[c] !== 0 && c !== FREE && c !== TAIL) kinds[LETTERS[c]] = hist[c];
  }
  const bs = s.blockSize;
  if (s.areas.length === 0) {
    // No map: fall back to what the board reported.
    const used = s.stats?.alloc ?? s.printed?.used ?? null;
    const free = s.stats?.free ?? s.printed?.free ?? null;
    const total = s.printed?.total ?? (used !== null && free !== null ? used + free : null);
    const maxFree = s.printed?.maxFreeSize ?? 0;
    return {
      blocks: 0,
      unknownBlocks: 0,
      freeBlocks: 0,
      headBlocks: 0,
      tailBlocks: 0,
      usedBytes: used,
      freeBytes: free,
      totalBytes: total,
      largestFreeRun: maxFree,
      largestFreeRunBytes: bs && maxFree ? maxFree * bs : null,
      freeRuns: 0,
      fragmentation: free && bs && maxFree ? Math.max(0, 1 - (maxFree * bs) / free) : 0,
      kinds: {},
      oneBlockAllocs: s.printed?.oneBlocks ?? 0,
      twoBlockAllocs: s.printed?.twoBlocks ?? 0,
      largestAlloc: s.printed?.maxBlockSize ?? 0,
    };
  }
  return metricsFromCounts(
    { blocks, unknownBlocks, freeBlocks, headBlocks, tailBlocks, largestFreeRun, freeRuns, oneBlockAllocs, twoBlockAllocs, largestAlloc, kinds },
    bs,
  );
}

/** The block counts a map yields; everything else in SnapshotMetrics follows from them. */
export type MapCounts = Pick<
  SnapshotMetrics,
  | 'blocks'
  | 'unknownBlocks'
  | 'freeBlocks'
  | 'headBlocks'
  | 'tailBlocks'
  | 'largestFreeRun'
  | 'freeRuns'
  | 'oneBlockAllocs'
  | 'twoBlockAllocs'
  | 'largestAlloc'
  | 'kinds'
>;

/** Byte figures and fragmentation from the counts (also used to rebuild stored metrics). */
export function metricsFromCounts(c: MapCounts, bs: number | null): SnapshotMetrics {
  // The counts are listed, not spread (`...c`): the spread showed in ingest profiles at
  // several times the cost of the rest of computeMetrics bar the map scan. The keys come out
  // in the same order as before, the order both callers build the counts in.
  return {
    blocks: c.blocks,
    unknownBlocks: c.unknownBlocks,
    freeBlocks: c.freeBlocks,
    headBlocks: c.headBlocks,
    tailBlocks: c.tailBlocks,
    largestFreeRun: c.largestFreeRun,
    freeRuns: c.freeRuns,
    oneBlockAllocs: c.oneBlockAllocs,
    twoBlockAllocs: c.twoBlockAllocs,
    largestAlloc: c.largestAlloc,
    kinds: c.kinds,
    usedBytes: bs ? (c.headBlocks + c.tailBlocks) * bs : null,
    freeBytes: bs ? c.freeBlocks * bs : null,
    totalBytes: bs ? (c.blocks - c.unknownBlocks) * bs : null,
    largestFreeRunBytes: bs ? c.largestFreeRun * bs : null,
    fragmentation: c.freeBlocks ? 1 - c.largestFreeRun / c.freeBlocks : 0,
  };
}
