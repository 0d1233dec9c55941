/**
 * Draws a heap map into a 32-bit RGBA pixel buffer (an ImageData's memory seen as a
 * Uint32Array): every block exactly, one pixel or more per block, only the rows in view.
 * No DOM, so the renderer, the PNG/GIF exporters and the bench run the same code.
 */
import { FREE, TAIL, UNKNOWN } from '../heap/blockKinds';
import type { MapLayout } from './mapLayout';
import { ALLOCATED, FREED } from './heapAnalysis';

/** Colours as 0xAABBGGRR (little-endian RGBA bytes), indexed by block code. */
export interface RasterPalette {
  /** Colour of a head block, by its code (0..127). */
  head: Uint32Array;
  /** Colour of the tail blocks of an object, by its head's code. */
  tail: Uint32Array;
  free: number;
  unknown: number;
  background: number;
  /** Grid lines between objects at large cells. */
  grid: number;
  /** Diff map colours. */
  allocated: number;
  freed: number;
  /** Unchanged used blocks in the diff map (unchanged free blocks use `free`). */
  same: number;
}

export interface RasterTarget {
  pixels: Uint32Array;
  /** Pixels per row of the buffer. */
  stride: number;
  /** Rows of the buffer. */
  height: number;
}

export interface RasterOptions {
  /** Content row at the buffer's top. */
  scrollY: number;
  /** Per area, diff codes (draw the diff map instead of kinds). */
  diff?: readonly Uint8Array[] | null;
}

/** Colour from CSS-style rgb (0..255) to 0xAABBGGRR. */
export function rgba(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** '#rrggbb' → 0xAABBGGRR. */
export function hexColor(hex: string, alpha = 255): number {
  const h = hex.replace('#', '');
  const v = parseInt(h.length === 3 ? h.replace(/./g, (c) => c + c) : h.slice(0, 6), 16);
  return rgba((v >> 16) & 255, (v >> 8) & 255, v & 255, alpha);
}

/** Grid gaps between objects from this cell size up. */
export const GRID_CELL = 5;

/**
 * Fills the target: background everywhere, then each visible row of each band. At cells of
 * GRID_CELL and up, a one-pixel gap separates rows and objects (tails join their head).
 */
export function rasterizeMap(t: RasterTarget, l: MapLayout, areas: readonly { kinds: Uint8Array }[], pal: RasterPalette, o: RasterOptions): void {
  const { pixels, stride, height } = t;
  pixels.fill(pal.background);
  const cell = l.cell;
  const grid = cell >= GRID_CELL;
  // Whole pixel rows only: a fractional scroll would offset every index into the buffer.
  const top = Math.round(o.scrollY);
  const bottom = top + height;
  const cols = l.cols;
  const maxCols = Math.min(cols, Math.floor((stride - l.x) / cell));
  for (const band of l.bands) {
    if (band.y + band.height <= top || band.y >= bottom) continue;
    const k = areas[band.area]?.kinds;
    if (!k) continue;
    const diff = o.diff ? o.diff[band.area] ?? null : null;
    const r0 = Math.max(0, Math.floor((top - band.y) / cell));
    const r1 = Math.min(band.rows, Math.ceil((bottom - band.y) / cell));
    // The head of the object the first visible block belongs to (for its tails' colour).
    let first = r0 * cols;
    let head = FREE;
    if (first < k.length && k[first] === TAIL) {
      let h = first;
      while (h > 0 && k[h] === TAIL) h--;
      head = k[h] === TAIL ? TAIL : k[h];
    }
    for (let r = r0; r < r1; r++) {
      const rowStart = r * cols;
      const rowEnd = Math.min(k.length, rowStart + cols);
      const py0 = band.y + r * cell - top; // buffer row of this block row's top
      const visibleY0 = Math.max(0, py0);
      const visibleY1 = Math.min(height, py0 + cell - (grid ? 1 : 0));
      if (visibleY1 <= visibleY0) {
        // Still track the head across the row.
        for (let i = rowStart; i < rowEnd; i++) if (k[i] !== TAIL) head = k[i];
        continue;
      }
      let line = visibleY0 * stride + l.x;
      const end = Math.min(rowEnd, rowStart + maxCols);
      if (cell === 1) {
        for (let i = rowStart; i < end; i++) {
          const c = k[i];
          let col: number;
          if (c === TAIL) col = pal.tail[head & 127];
          else {
            head = c;
            col = c === FREE ? pal.free : c === UNKNOWN ? pal.unknown : pal.head[c & 127];
          }
          if (diff !== null) col = diffColour(diff[i], c, col, pal);
          pixels[line++] = col;
        }
        for (let i = end; i < rowEnd; i++) if (k[i] !== TAIL) head = k[i];
      } else {
        for (let i = rowStart; i < end; i++) {
          const c = k[i];
          let col: number;
          if (c === TAIL) col = pal.tail[head & 127];
          else {
            head = c;
            col = c === FREE ? pal.free : c === UNKNOWN ? pal.unknown : pal.head[c & 127];
          }
          if (diff !== null) col = diffColour(diff[i], c, col, pal);
          // Gap on the right unless the next block continues this object.
          const w = grid && (i + 1 >= rowEnd || k[i + 1] !== TAIL || c === FREE) ? cell - 1 : cell;
          pixels.fill(col, line, line + w);
          line += cell;
        }
        for (let i = end; i < rowEnd; i++) if (k[i] !== TAIL) head = k[i];
        // Copy the first pixel row down the rest of the block row.
        const src = visibleY0 * stride + l.x;
        const len = (end - rowStart) * cell;
        for (let y = visibleY0 + 1; y < visibleY1; y++) pixels.copyWithin(y * stride + l.x, src, src + len);
      }
    }
  }
}

function diffColour(code: number, c: number, kindColour: number, pal: RasterPalette): number {
  if (code === ALLOCATED) return pal.allocated;
  if (code === FREED) return pal.freed;
  if (c === FREE) return pal.free;
  if (c === UNKNOWN) return pal.unknown;
  return pal.same;
}
