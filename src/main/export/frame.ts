/**
 * Drawing a heap map into pixels, for PNG and GIF. Each block is a `scale`×`scale` square,
 * `columns` blocks per row; each heap area is its own band, bands separated by one cell of
 * background. Colours come from src/shared/heap/palette.ts, as in the UI (tails tinted by
 * their head, the window's default).
 */
import { FREE, TAIL, UNKNOWN } from '../../shared/heap/blockKinds';
import { KIND_COLOURS, OVERLAY_COLOURS, kindColour, tailTint, type RGB, type Theme } from '../../shared/heap/palette';

export interface FrameLayout {
  columns: number;
  scale: number;
  /** Pixel size. */
  width: number;
  height: number;
  /** Top row (in cells) of each area's band. */
  bandTop: number[];
}

/** Blocks per row: a power of two ≥ 64 (a mem_info line) that keeps the picture about square. */
export function defaultColumns(totalBlocks: number): number {
  let c = 64;
  while (c < 1024 && c * c < totalBlocks) c *= 2;
  return c;
}

export function frameLayout(areas: readonly { blocks: number }[], scale: number, columns?: number): FrameLayout {
  const total = areas.reduce((n, a) => n + a.blocks, 0);
  const cols = columns ?? defaultColumns(total);
  const bandTop: number[] = [];
  let rows = 0;
  areas.forEach((a, i) => {
    if (i > 0) rows += 1; // gap between bands
    bandTop.push(rows);
    rows += Math.max(1, Math.ceil(a.blocks / cols));
  });
  if (areas.length === 0) rows = 1;
  return { columns: cols, scale, width: cols * scale, height: rows * scale, bandTop };
}

/**
 * The indexed palette used for GIF (and for drawing): index 0 background, 1 band filler (past
 * the end of an area's last row), then one entry per KIND_COLOURS row ("other" last), then the
 * tinted tail of each head kind. `indexOf[code]` is a block's entry; a tail takes
 * `tailOf[code of its head]` (the plain tail colour when there is no head before it).
 */
export function indexedPalette(theme: Theme): { colours: RGB[]; indexOf: Uint8Array; tailOf: Uint8Array } {
  const colours: RGB[] = [OVERLAY_COLOURS.background[theme], OVERLAY_COLOURS.band[theme]];
  const indexOf = new Uint8Array(256);
  const otherIndex = colours.length + KIND_COLOURS.length - 1;
  indexOf.fill(otherIndex);
  for (const k of KIND_COLOURS) {
    if (k.code >= 0) indexOf[k.code] = colours.length;
    colours.push(k[theme]);
  }
  const tailOf = new Uint8Array(256).fill(indexOf[TAIL]);
  let otherTail = indexOf[TAIL];
  for (const k of KIND_COLOURS) {
    if (k.code === FREE || k.code === TAIL) continue;
    const at = colours.length;
    colours.push(tailTint(k[theme], theme));
    if (k.code >= 0) tailOf[k.code] = at;
    else otherTail = at;
  }
  // Head letters outside the palette share "other"'s tint.
  for (let code = 0; code < 256; code++) if (indexOf[code] === otherIndex && code !== UNKNOWN) tailOf[code] = otherTail;
  return { colours, indexOf, tailOf };
}

/** Fills `out` (width×height palette indices) with the frame; tails take their head's tint. */
export function drawIndexed(
  areas: readonly { blocks: number; kinds: Uint8Array }[],
  layout: FrameLayout,
  pal: { indexOf: Uint8Array; tailOf: Uint8Array },
  out: Uint8Array,
): void {
  const { columns: cols, scale, width } = layout;
  const { indexOf, tailOf } = pal;
  out.fill(0);
  areas.forEach((a, ai) => {
    const top = layout.bandTop[ai];
    // The head the next tail belongs to; none before the area's first head.
    let head = TAIL;
    const rows = Math.max(1, Math.ceil(a.blocks / cols));
    for (let r = 0; r < rows; r++) {
      const y0 = (top + r) * scale;
      const rowStart = r * cols;
      // Draw the first pixel row of this cell row, then copy it scale-1 times.
      const base = y0 * width;
      for (let c = 0; c < cols; c++) {
        const b = rowStart + c;
        let idx = 1;
        if (b < a.blocks) {
          const k = a.kinds[b];
          if (k === TAIL) idx = tailOf[head];
          else {
            idx = indexOf[k];
            head = k === FREE || k === UNKNOWN ? TAIL : k;
          }
        }
        const x0 = base + c * scale;
        for (let dx = 0; dx < scale; dx++) out[x0 + dx] = idx;
      }
      for (let dy = 1; dy < scale; dy++) out.copyWithin(base + dy * width, base, base + width);
    }
  });
}

/** RGBA pixels of a frame. */
export function drawRGBA(
  areas: readonly { blocks: number; kinds: Uint8Array }[],
  layout: FrameLayout,
  theme: Theme,
): Uint8Array {
  const pal = indexedPalette(theme);
  const { colours } = pal;
  const idx = new Uint8Array(layout.width * layout.height);
  drawIndexed(areas, layout, pal, idx);
  const rgba = new Uint8Array(idx.length * 4);
  for (let i = 0; i < idx.length; i++) {
    const c = colours[idx[i]];
    rgba[i * 4] = c[0];
    rgba[i * 4 + 1] = c[1];
    rgba[i * 4 + 2] = c[2];
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

export { kindColour };
