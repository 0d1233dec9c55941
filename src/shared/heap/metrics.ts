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

/** Metrics from the map, or from stats/printed figures when the snapshot has no map. */
export function computeMetrics(s: HeapSnapshot): SnapshotMetrics {
  const hist = new Uint32Array(128);
  let blocks = 0;
  let largestFreeRun = 0;
  let freeRuns = 0;
  let oneBlockAllocs = 0;
  let twoBlockAllocs = 0;
  let largestAlloc = 0;
  for (const area of s.areas) {
    const k = area.kinds;
    const n = k.length;
    blocks += n;
    let run = 0; // current free run
    let alloc = 0; // current allocation length (head + tails), 0 outside one
    for (let i = 0; i < n; i++) {
      const c = k[i];
      hist[c & 0x7f]++;
      if (c === UNKNOWN) {
        if (run > largestFreeRun) largestFreeRun = run;
        run = 0;
        if (alloc) {
          if (alloc === 1) oneBlockAllocs++;
          else if (alloc === 2) twoBlockAllocs++;
          if (alloc > largestAlloc) largestAlloc = alloc;
          alloc = 0;
        }
      } else if (c === FREE) {
        if (run === 0) freeRuns++;
        run++;
        if (alloc) {
          if (alloc === 1) oneBlockAllocs++;
          else if (alloc === 2) twoBlockAllocs++;
          if (alloc > largestAlloc) largestAlloc = alloc;
          alloc = 0;
        }
      } else {
        if (run > largestFreeRun) largestFreeRun = run;
        run = 0;
        if (c === TAIL) {
          // A tail with no head before it (map starts mid-object, or a lost char) still
          // counts towards an allocation's length.
          alloc++;
        } else {
          if (alloc) {
            if (alloc === 1) oneBlockAllocs++;
            else if (alloc === 2) twoBlockAllocs++;
            if (alloc > largestAlloc) largestAlloc = alloc;
          }
          alloc = 1;
        }
      }
    }
    if (run > largestFreeRun) largestFreeRun = run;
    if (alloc) {
      if (alloc === 1) oneBlockAllocs++;
      else if (alloc === 2) twoBlockAllocs++;
      if (alloc > largestAlloc) largestAlloc = alloc;
    }
  }
  const freeBlocks = hist[FREE];
  const tailBlocks = hist[TAIL];
  const unknownBlocks = hist[UNKNOWN];
  const headBlocks = blocks - freeBlocks - tailBlocks - unknownBlocks;
  const kinds: Record<string, number> = {};
  for (let c = 0; c < 128; c++) {
    if (hist[c] && c !== FREE && c !== TAIL && c !== UNKNOWN) kinds[String.fromCharCode(c)] = hist[c];
  }
  const bs = s.blockSize;
  if (blocks === 0) {
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
  return {
    blocks,
    unknownBlocks,
    freeBlocks,
    headBlocks,
    tailBlocks,
    usedBytes: bs ? (headBlocks + tailBlocks) * bs : null,
    freeBytes: bs ? freeBlocks * bs : null,
    totalBytes: bs ? (blocks - unknownBlocks) * bs : null,
    largestFreeRun,
    largestFreeRunBytes: bs ? largestFreeRun * bs : null,
    freeRuns,
    fragmentation: freeBlocks ? 1 - largestFreeRun / freeBlocks : 0,
    kinds,
    oneBlockAllocs,
    twoBlockAllocs,
    largestAlloc,
  };
}
