/**
 * "Would an N-byte allocation fit now, and where?" MicroPython's gc_alloc takes the first run
 * of enough free blocks, searching upwards from the lowest block that may be free (after a
 * collection, the start of the heap), area by area. So the answer is a first-fit search from
 * the start: the place a fresh allocation would most likely land, or that none would.
 */
import { FREE } from '../heap/blockKinds';

export interface FitAnswer {
  /** Blocks the request needs. */
  blocks: number;
  /** Where it would go: area and first block; null when no free run is long enough. */
  at: { area: number; block: number; runBlocks: number } | null;
  /** The longest free run, in blocks (what the largest request that fits needs). */
  longest: number;
}

export function blocksFor(bytes: number, blockSize: number): number {
  return Math.max(1, Math.ceil(bytes / blockSize));
}

export function firstFit(areas: readonly { kinds: Uint8Array }[], blocks: number): FitAnswer {
  let at: FitAnswer['at'] = null;
  let longest = 0;
  areas.forEach((a, area) => {
    const k = a.kinds;
    let i = 0;
    while (i < k.length) {
      if (k[i] !== FREE) {
        i++;
        continue;
      }
      const start = i;
      while (i < k.length && k[i] === FREE) i++;
      const run = i - start;
      if (run > longest) longest = run;
      if (!at && run >= blocks) at = { area, block: start, runBlocks: run };
    }
  });
  return { blocks, at, longest };
}
