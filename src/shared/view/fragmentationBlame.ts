/**
 * Fragmentation blame: which objects keep the free space apart. MicroPython's GC never moves
 * objects, so a small object sitting between two holes splits them for as long as it lives.
 * For every object with free space on at least one side, the run that freeing it would give
 * is (free run before it) + (its own blocks) + (free run after it); the objects whose freeing
 * would give the longest runs, beyond the longest run there already is, are the ones to look
 * at. One pass over the blocks, no allocation per block.
 */
import { FREE, TAIL } from '../heap/blockKinds';
import { longestFreeRun } from './heapAnalysis';

export interface Blamed {
  /** Area index and the object's head block in it. */
  area: number;
  head: number;
  /** Head + tails. */
  blocks: number;
  /** The head's kind code (a letter). */
  code: number;
  /** Blocks of the free run freeing it would give. */
  runIfFreed: number;
}

export interface BlameReport {
  /** The longest free run now, in blocks. */
  longest: number;
  /** Objects whose freeing would give a run longer than `longest`, longest first (at most `limit`). */
  objects: Blamed[];
  /** How many objects in all would do that. */
  count: number;
}

export function fragmentationBlame(areas: readonly { kinds: Uint8Array }[], limit = 10): BlameReport {
  const longest = longestFreeRun(areas)?.length ?? 0;
  const top: Blamed[] = [];
  let count = 0;
  areas.forEach((a, area) => {
    const k = a.kinds;
    const n = k.length;
    let freeBefore = 0; // free blocks right before the current position
    let i = 0;
    while (i < n) {
      const c = k[i];
      if (c === FREE) {
        freeBefore++;
        i++;
        continue;
      }
      if (c === TAIL) {
        // A tail with no head before it in this area: not an object we can name.
        freeBefore = 0;
        i++;
        continue;
      }
      const head = i;
      let end = i + 1;
      while (end < n && k[end] === TAIL) end++;
      let after = 0;
      while (end + after < n && k[end + after] === FREE) after++;
      const run = freeBefore + (end - head) + after;
      if ((freeBefore > 0 || after > 0) && run > longest) {
        count++;
        const b: Blamed = { area, head, blocks: end - head, code: c, runIfFreed: run };
        if (top.length < limit || run > top[top.length - 1].runIfFreed) {
          let at = top.length;
          while (at > 0 && top[at - 1].runIfFreed < run) at--;
          top.splice(at, 0, b);
          if (top.length > limit) top.pop();
        }
      }
      freeBefore = 0;
      i = end;
    }
  });
  return { longest, objects: top, count };
}
