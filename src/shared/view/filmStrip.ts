/**
 * The film strip: a whole session as one picture, time (frames) across, heap address down.
 * Memory that is never freed draws a band that never ends; fragmentation draws confetti.
 *
 * Each column is one frame. Its heap (the areas' blocks concatenated in address order) is cut
 * into `rows` bins of (nearly) equal block count, and each bin becomes one class byte:
 *
 * - `FREE` ('.') when more than half of the bin's blocks are free;
 * - else the code of whatever owns most of its other blocks: a head's kind code ('h', 'L',
 *   'D'…), with every tail `=` counted for the head before it (carried across bins and across
 *   the dump's map lines, which are already one array here);
 * - `UNKNOWN` (0) when blocks the capture lost win (tails after a lost block stay unknown);
 * - `TAIL` ('=') for tails with no head before them in their area (a map cut short);
 * - `STRIP_NO_MAP` (1) for a whole column whose frame has no map (a stats-only dump).
 *
 * Bins are `[floor(r·N/R), floor((r+1)·N/R))` of the N blocks; with fewer blocks than rows a
 * block spans several rows. A tie goes to the owner whose count got there first.
 *
 * Pure: no Node or DOM imports.
 */
import { FREE, TAIL } from '../heap/blockKinds';

/** The class of every row of a frame that has no map. */
export const STRIP_NO_MAP = 0x01;
export const STRIP_MIN_ROWS = 16;
export const STRIP_MAX_ROWS = 1024;
export const STRIP_MAX_COLUMNS = 4096;

/** Blocks [start, end) of bin `r` of `rows` over `total` blocks (at least one block when total > 0). */
export function binBounds(total: number, rows: number, r: number): [number, number] {
  if (total <= 0) return [0, 0];
  const s = Math.floor((r * total) / rows);
  const e = Math.floor(((r + 1) * total) / rows);
  return e > s ? [s, e] : [Math.min(s, total - 1), Math.min(s, total - 1) + 1];
}

const counts = new Int32Array(256);
const touched = new Int32Array(256);

/**
 * One frame's column: `rows` class bytes written to `out[offset …]` (a new array by default).
 * `areas` in address order, each with one byte per block (see heap/blockKinds.ts).
 *
 * One pass over the blocks by runs of one owner (an object is its head and tails; a free run;
 * heads of one kind in a row), each run split where bins end: ~1 ns a block.
 */
export function binHeap(areas: readonly { kinds: Uint8Array }[], rows: number, out?: Uint8Array, offset = 0): Uint8Array {
  const dst = out ?? new Uint8Array(rows);
  let total = 0;
  for (const a of areas) total += a.kinds.length;
  if (total === 0) {
    dst.fill(STRIP_NO_MAP, offset, offset + rows);
    return dst;
  }
  if (total < rows) return binSmallHeap(areas, total, rows, dst, offset);
  let r = 0;
  let binStart = 0;
  let binEnd = Math.floor(total / rows);
  let best = FREE;
  let most = 0;
  let nTouched = 0;
  let g = 0; // blocks before this area
  for (const a of areas) {
    const kinds = a.kinds;
    const len = kinds.length;
    let i = 0;
    let cur = TAIL; // objects never span areas: a tail at an area's start has no head
    while (i < len) {
      // A run of one owner: [i, q).
      const k = kinds[i];
      const cls = k === TAIL ? cur : k;
      // A free block ends the object before it; a lost block keeps the tails after it unknown.
      if (k !== TAIL) cur = k === FREE ? TAIL : k;
      const tailsJoin = cur === cls;
      let q = i + 1;
      while (q < len) {
        const x = kinds[q];
        if (x === cls || (x === TAIL && tailsJoin)) q++;
        else break;
      }
      // Add it to the bins it covers.
      let at = g + i;
      const stop = g + q;
      while (at < stop) {
        const end = stop < binEnd ? stop : binEnd;
        const n = (counts[cls] += end - at);
        if (n === end - at) touched[nTouched++] = cls;
        if (n > most && cls !== FREE) {
          most = n;
          best = cls;
        }
        at = end;
        if (at === binEnd) {
          dst[offset + r] = counts[FREE] * 2 > binEnd - binStart ? FREE : best;
          for (let t = 0; t < nTouched; t++) counts[touched[t]] = 0;
          nTouched = 0;
          best = FREE;
          most = 0;
          r++;
          binStart = binEnd;
          binEnd = Math.floor(((r + 1) * total) / rows);
        }
      }
      i = q;
    }
    g += len;
  }
  return dst;
}

/** Fewer blocks than rows: each block's owner, then one or more rows per block. */
function binSmallHeap(areas: readonly { kinds: Uint8Array }[], total: number, rows: number, dst: Uint8Array, offset: number): Uint8Array {
  const owner = new Uint8Array(total);
  let j = 0;
  for (const a of areas) {
    let cur = TAIL;
    for (const k of a.kinds) {
      owner[j++] = k === TAIL ? cur : k;
      if (k !== TAIL) cur = k === FREE ? TAIL : k;
    }
  }
  for (let r = 0; r < rows; r++) dst[offset + r] = owner[binBounds(total, rows, r)[0]];
  return dst;
}

/**
 * Which frames get a column: every frame when they fit, else `maxColumns` evenly spaced frame
 * indices, always the first and the last (one column: the last frame).
 */
export function chooseColumns(frameCount: number, maxColumns: number): number[] {
  const n = Math.max(0, Math.floor(frameCount));
  const c = Math.max(1, Math.floor(maxColumns));
  if (n === 0) return [];
  if (n <= c) return Array.from({ length: n }, (_, i) => i);
  if (c === 1) return [n - 1];
  const out = new Array<number>(c);
  for (let k = 0; k < c; k++) out[k] = Math.round((k * (n - 1)) / (c - 1));
  return out;
}

/** Where bin `r` lies: first and last block, each as (area, block within the area). */
export function binBlocks(
  areas: readonly { blocks: number }[],
  rows: number,
  r: number,
): { first: { area: number; block: number }; last: { area: number; block: number }; blocks: number } | null {
  let total = 0;
  for (const a of areas) total += a.blocks;
  if (total === 0) return null;
  const [s, e] = binBounds(total, rows, r);
  const at = (b: number) => {
    let base = 0;
    for (let i = 0; i < areas.length; i++) {
      if (b < base + areas[i].blocks) return { area: i, block: b - base };
      base += areas[i].blocks;
    }
    return { area: areas.length - 1, block: areas[areas.length - 1].blocks - 1 };
  };
  return { first: at(s), last: at(e - 1), blocks: e - s };
}

/**
 * Frame → horizontal position on a strip `width` wide: column k's centre shows frames[k];
 * frames between two columns fall in between.
 */
export function frameToX(frame: number, frames: readonly number[], width: number): number {
  const c = frames.length;
  if (c === 0) return 0;
  if (frame <= frames[0]) return (0.5 / c) * width;
  if (frame >= frames[c - 1]) return ((c - 0.5) / c) * width;
  // The last column at or before the frame.
  let lo = 0;
  let hi = c - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (frames[mid] <= frame) lo = mid;
    else hi = mid - 1;
  }
  const span = frames[lo + 1] - frames[lo];
  const u = lo + (span > 0 ? (frame - frames[lo]) / span : 0);
  return ((u + 0.5) / c) * width;
}

/** The frame at horizontal position `x` (the inverse of frameToX, rounded to a frame). */
export function xToFrame(x: number, frames: readonly number[], width: number): number {
  const c = frames.length;
  if (c === 0) return 0;
  if (c === 1 || width <= 0) return frames[c - 1];
  const u = Math.max(0, Math.min(c - 1, (x / width) * c - 0.5));
  const k = Math.min(c - 2, Math.floor(u));
  return Math.round(frames[k] + (u - k) * (frames[k + 1] - frames[k]));
}

/**
 * The rows any column shows something other than free space in, [first, last + 1), or null
 * when every shown frame is all free (or has no map): the part of the heap the session used.
 */
export function usedRows(data: Uint8Array, columns: number, rows: number): [number, number] | null {
  let first = rows;
  let last = -1;
  for (let c = 0; c < columns; c++) {
    const at = c * rows;
    for (let r = 0; r < first; r++) {
      const v = data[at + r];
      if (v !== FREE && v !== STRIP_NO_MAP) {
        first = r;
        break;
      }
    }
    for (let r = rows - 1; r > last; r--) {
      const v = data[at + r];
      if (v !== FREE && v !== STRIP_NO_MAP) {
        last = r;
        break;
      }
    }
  }
  return last < 0 ? null : [first, last + 1];
}
