import type { SnapshotMetrics } from './metrics';

/** The figures the firmware printed in a dump's header lines (all optional). */
export interface PrintedFigures {
  /** `GC: total:` bytes, summed over areas. */
  total: number | null;
  used: number | null;
  free: number | null;
  /** `max new split:` bytes (v1.21+ split heaps). */
  maxNewSplit: number | null;
  /** `No. of 1-blocks:` — allocations of exactly one block. */
  oneBlocks: number | null;
  twoBlocks: number | null;
  /** `max blk sz:` in blocks — the largest allocation. */
  maxBlockSize: number | null;
  /** `max free sz:` in blocks — the longest free run (since v1.8.2). */
  maxFreeSize: number | null;
  stackUsed: number | null;
  stackLimit: number | null;
  /** `mem: total=…, current=…, peak=…` (unix/windows ports only). */
  mem: { total: number; current: number; peak: number } | null;
}

/** One heap area (one `GC memory layout; from ADDR:` section). */
export interface HeapArea {
  /** The pool address as the dump prints it: lower case, no `0x`. */
  address: string;
  /** Number of blocks the map covers. */
  blocks: number;
  /** One byte per block: see blockKinds.ts. Length === blocks. */
  kinds: Uint8Array;
}

/** How the dump told us about itself (and how it was framed). */
export type DumpFraming = 'helper' | 'pimst' | 'bare';

/**
 * The address column style of the map, which tells the MicroPython era:
 * `index4` block index (v1.0–v1.3.4), `abs5` absolute 20-bit pointer (v1.3.5–v1.8.0),
 * `off5` offset from pool start (v1.8.1–v1.19.1), `off8` per-area offset (v1.20+).
 */
export type AddressStyle = 'index4' | 'abs5' | 'off5' | 'off8';

export interface HeapSnapshot {
  /** 0-based position among the snapshots of its capture. */
  index: number;
  /** 1-based line of the raw capture where the dump starts. */
  line: number;
  /** Byte range of the dump in the raw capture (ground truth kept in the session). */
  byteStart: number;
  byteEnd: number;
  framing: DumpFraming;
  /** Sequence number of the helper's frame, when framed by it. */
  seq: number | null;
  /** Device `ticks_ms` at the dump, when known. */
  deviceMs: number | null;
  /** Whether `gc.collect()` ran just before the dump, when known. */
  collected: boolean | null;
  printed: PrintedFigures | null;
  /** Bytes per block, inferred (address step ÷ 64, or total ÷ blocks); null if unknown. */
  blockSize: number | null;
  addressStyle: AddressStyle | null;
  areas: HeapArea[];
  /** A stats-only frame (no map): used/free as `gc.mem_alloc()`/`gc.mem_free()` report them. */
  stats: { alloc: number; free: number } | null;
  /** The map covers the whole heap the header describes (or, with no header, has no holes). */
  complete: boolean;
  /** The map agrees with the printed total/used/free. */
  consistent: boolean;
  /** What was wrong or repaired, in words. */
  problems: string[];
}

export function emptyPrinted(): PrintedFigures {
  return {
    total: null,
    used: null,
    free: null,
    maxNewSplit: null,
    oneBlocks: null,
    twoBlocks: null,
    maxBlockSize: null,
    maxFreeSize: null,
    stackUsed: null,
    stackLimit: null,
    mem: null,
  };
}

export function totalBlocks(s: Pick<HeapSnapshot, 'areas'>): number {
  let n = 0;
  for (const a of s.areas) n += a.blocks;
  return n;
}

export function hasMap(s: Pick<HeapSnapshot, 'areas'>): boolean {
  return s.areas.length > 0;
}

/** A snapshot as an index keeps it: everything but the map itself, plus its metrics. */
export interface SnapshotIndexEntry extends Omit<HeapSnapshot, 'areas'> {
  /** Host clock (ms since the epoch) when the dump's last byte arrived; null for imports. */
  hostMs: number | null;
  /** The areas' shapes, without their blocks. */
  areas: Array<{ address: string; blocks: number }>;
  metrics: SnapshotMetrics;
}
