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
 * starts mid-object) followed by its tails. Most allocations are one or two blocks, so the
 * two blocks after a head are looked at directly; longer runs go to runEnd, which finds
 * where a run stops four blocks per comparison.
 */
function scanArea(k: Uint8Array, hist: Uint32Array, acc: Float64Array): void {
  const n = k.length;
  let largestFree = acc[LARGEST_FREE];
  let freeRuns = acc[FREE_RUNS];
  let one = acc[ONE];
  let two = acc[TWO];
  let largestAlloc = acc[LARGEST_ALLOC];
  let freeCount = 0;
  let tailCount = 0;
  const words = wordsOf(k);
  let i = 0;
  while (i < n) {
    const c = k[i];
    if (c === FREE) {
      const end = runEnd(k, words, i + 1, n, FREE, FREE4);
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
      let end = i + 1;
      if (end < n && k[end] === TAIL) {
        end++;
        if (end < n && k[end] === TAIL) end = runEnd(k, words, end + 1, n, TAIL, TAIL4);
      }
      const alloc = end - i;
      if (c === TAIL) tailCount += alloc;
      else {
        hist[c & 0x7f]++;
        tailCount += alloc - 1;
      }
      if (alloc === 1) one++;
      else if (alloc === 2) two++;
      if (alloc > largestAlloc) largestAlloc = alloc;
      i = end;
    }
  }
  hist[FREE] += freeCount;
  hist[TAIL] += tailCount;
  acc[LARGEST_FREE] = largestFree;
  acc[FREE_RUNS] = freeRuns;
  acc[ONE] = one;
  acc[TWO] = two;
  acc[LARGEST_ALLOC] = largestAlloc;
}

/** Whether a 32-bit word holds its lowest-addressed byte in its low bits (see runEnd). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** k as 32-bit words for runEnd, or null (not 4-byte aligned, or a big-endian machine). */
export function wordsOf(k: Uint8Array): Int32Array | null {
  return LITTLE_ENDIAN && (k.byteOffset & 3) === 0 ? new Int32Array(k.buffer, k.byteOffset, k.length >>> 2) : null;
}

/**
 * The end of the run of `code` blocks that continues at k[i]: the first index from i whose
 * block is not `code` (n at the end). `words` views k as 32-bit words (wordsOf; null: a
 * block at a time); `code4` is `code` in all four bytes of one.
 *
 * A word XOR `code4` is zero where all four blocks are `code`; otherwise its lowest non-zero
 * byte is the first block that is not (little-endian), found from the count of trailing
 * zero bits. The blocks of the first word before i are masked off. So a run of any length
 * costs one comparison per four blocks and no branch per block, and a run that ends within
 * its first word costs one.
 */
export function runEnd(k: Uint8Array, words: Int32Array | null, i: number, n: number, code: number, code4: number): number {
  if (words !== null) {
    let w = i >>> 2;
    const nw = words.length;
    if (w < nw) {
      let x = (words[w] ^ code4) & (-1 << ((i & 3) << 3));
      for (;;) {
        if (x !== 0) return (w << 2) + ((31 - Math.clz32(x & -x)) >>> 3);
        if (++w >= nw) break;
        x = words[w] ^ code4;
      }
      i = w << 2;
    }
  }
  while (i < n && k[i] === code) i++;
  return i;
}

/** `code` in all four bytes of a 32-bit word (see runEnd). */
export function repeated4(code: number): number {
  return (code * 0x01010101) | 0;
}

export const FREE4 = repeated4(FREE);
export const TAIL4 = repeated4(TAIL);

const cache = new WeakMap<HeapSnapshot, SnapshotMetrics>();

/** computeMetrics, once per snapshot object. */
export function metricsOf(s: HeapSnapshot): SnapshotMetrics {
  let m = cache.get(s);
  if (!m) {
    m = computeMetrics(s);
    cache.set(s, m);
  }
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
  for (let c = 0; c < 128; c++) {
    if (hist[c] && c !== FREE && c !== TAIL && c !== UNKNOWN) kinds[LETTERS[c]] = hist[c];
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
