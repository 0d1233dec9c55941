/**
 * Where the heap broke apart: the frames at which plenty of memory is still free but only in
 * pieces too small for the allocations to come. This is the moment a user hunting a
 * `MemoryError` with free memory left wants to see, and the start of the range worth
 * exporting as a GIF.
 *
 * Fragmentation here is `1 − longest free run ÷ free` (the metrics' own figure). A frame
 * starts a break-up when it crosses ON while at least MIN_FREE_SHARE of the heap is free (a
 * full heap with one small hole is "full", not "broken apart"). The detector then waits until
 * fragmentation falls below OFF before it can fire again, so a heap hovering around the
 * threshold gives one marker, not one per frame.
 */

export const BREAKUP_ON = 0.75;
export const BREAKUP_OFF = 0.5;
export const MIN_FREE_SHARE = 0.05;

export interface Breakup {
  /** The first frame (0-based) of the broken-apart heap. */
  frame: number;
  freeBytes: number;
  largestBytes: number;
  fragmentation: number;
}

/** Feeds frames one at a time (live) and reports the ones that start a break-up. */
export class BreakupDetector {
  private armed = true;
  private next = 0;

  /** Frame `i` (in order); NaN figures (stats-only or damaged frames) are skipped. */
  push(i: number, fragmentation: number, freeBytes: number, totalBytes: number, largestBytes: number): Breakup | null {
    this.next = i + 1;
    if (!Number.isFinite(fragmentation) || !Number.isFinite(freeBytes) || !Number.isFinite(totalBytes) || totalBytes <= 0) return null;
    if (fragmentation < BREAKUP_OFF) {
      this.armed = true;
      return null;
    }
    if (!this.armed || fragmentation < BREAKUP_ON || freeBytes < MIN_FREE_SHARE * totalBytes) return null;
    this.armed = false;
    return { frame: i, freeBytes, largestBytes: Number.isFinite(largestBytes) ? largestBytes : 0, fragmentation };
  }

  /** The next frame it expects. */
  get frames(): number {
    return this.next;
  }
}

/** Columns as the frame index keeps them. */
export interface BreakupColumns {
  fragmentation: ArrayLike<number>;
  free: ArrayLike<number>;
  total: ArrayLike<number>;
  largest: ArrayLike<number>;
}

export function findBreakups(c: BreakupColumns, from = 0, detector = new BreakupDetector()): Breakup[] {
  const out: Breakup[] = [];
  for (let i = from; i < c.fragmentation.length; i++) {
    const b = detector.push(i, c.fragmentation[i], c.free[i], c.total[i], c.largest[i]);
    if (b) out.push(b);
  }
  return out;
}

/**
 * The range worth watching before a MemoryError: from `lead` frames before the last break-up
 * that precedes it (the allocations that set it up: a heap usually breaks apart when objects
 * made earlier, interleaved, are freed) to the last heap before it. Null when there is no
 * such pair.
 */
export function breakupRange(breakups: readonly Breakup[], memoryErrorFrame: number, lead = 10): [number, number] | null {
  let b: Breakup | null = null;
  for (const x of breakups) if (x.frame <= memoryErrorFrame) b = x;
  if (!b) return null;
  return [Math.max(0, b.frame - lead), memoryErrorFrame];
}
