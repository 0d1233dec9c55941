/**
 * The heap map's geometry: blocks laid out row by row, one band per heap area, each band
 * headed by its address. Pure arithmetic in device pixels (no DOM), so the renderer, the
 * tests and the bench share one mapping between blocks and pixels (exported PNG/GIF pictures,
 * which have no pane to fill, use the simpler fixed-width layout in src/main/export/frame.ts).
 */

/** What the layout needs to know about an area (a HeapArea fits). */
export interface AreaShape {
  address: string;
  blocks: number;
}

export interface Band {
  /** Position of the area in the snapshot's `areas`. */
  area: number;
  address: string;
  blocks: number;
  /** Index of the band's first block in the whole map (areas concatenated). */
  firstBlock: number;
  /** Top of the band's header, in content pixels. */
  headerY: number;
  /** Top of the band's first row of blocks. */
  y: number;
  rows: number;
  /** Height of the rows (rows × cell). */
  height: number;
}

export interface MapLayout {
  /** Pixels per block side (≥ 1). */
  cell: number;
  /** Blocks per row. */
  cols: number;
  /** Left edge of the blocks (room for the address gutter). */
  x: number;
  /** Width of a row of blocks. */
  rowWidth: number;
  bands: Band[];
  /** Total blocks over all bands. */
  blocks: number;
  /** Height of all bands, headers included. */
  height: number;
  headerHeight: number;
  gap: number;
}

export interface LayoutOptions {
  /** Pixels available across (the canvas width). */
  width: number;
  cell: number;
  /** Height of the address header above each band. */
  headerHeight?: number;
  /** Space between bands. */
  gap?: number;
  /** Left gutter for row addresses. */
  gutter?: number;
}

/** The zoom steps: pixels per block. Letters are drawn from LETTER_CELL up. */
export const CELL_STEPS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 20, 24] as const;
export const LETTER_CELL = 10;

/**
 * Blocks per row for a width: a multiple of 16 when 64 fit, else a multiple of 8, else what
 * fits. Sixteen keeps row addresses round (256 B steps at 16 B blocks) and every 4th row
 * boundary on a `mem_info` line, while wasting at most 15 columns; a multiple of 64 (whole
 * `mem_info` lines) wasted up to a third of a narrow pane and forced Fit a zoom step down.
 */
export function columnsFor(width: number, cell: number): number {
  const fit = Math.max(1, Math.floor(width / cell));
  if (fit >= 64) return fit - (fit % 16);
  if (fit >= 8) return fit - (fit % 8);
  return fit;
}

export function layoutMap(areas: readonly AreaShape[], o: LayoutOptions): MapLayout {
  const cell = Math.max(1, Math.floor(o.cell));
  const headerHeight = o.headerHeight ?? 18;
  const gap = o.gap ?? 8;
  const gutter = o.gutter ?? 0;
  const cols = columnsFor(Math.max(1, o.width - gutter), cell);
  const bands: Band[] = [];
  let y = 0;
  let first = 0;
  areas.forEach((a, i) => {
    if (i > 0) y += gap;
    const headerY = y;
    y += headerHeight;
    const rows = Math.ceil(a.blocks / cols);
    bands.push({ area: i, address: a.address, blocks: a.blocks, firstBlock: first, headerY, y, rows, height: rows * cell });
    y += rows * cell;
    first += a.blocks;
  });
  return { cell, cols, x: gutter, rowWidth: cols * cell, bands, blocks: first, height: y, headerHeight, gap };
}

/** The largest zoom step at which the whole map fits in width × height (at least 1 px). */
export function fitCell(areas: readonly AreaShape[], width: number, height: number, opts: Omit<LayoutOptions, 'width' | 'cell'> = {}): number {
  let best: number = CELL_STEPS[0];
  for (const cell of CELL_STEPS) {
    const l = layoutMap(areas, { ...opts, width, cell });
    if (l.height <= height) best = cell;
    else break;
  }
  return best;
}

export interface BlockAt {
  /** Band (and area) index. */
  area: number;
  /** Block index inside the area. */
  block: number;
  /** Block index in the whole map. */
  global: number;
}

/** The block under a content point, or null over headers, gaps, gutters and past the end. */
export function blockAtPoint(l: MapLayout, x: number, y: number): BlockAt | null {
  if (x < l.x || x >= l.x + l.rowWidth) return null;
  const col = Math.floor((x - l.x) / l.cell);
  for (const b of l.bands) {
    if (y < b.y) return null; // in this band's header (or the gap before it)
    if (y < b.y + b.height) {
      const row = Math.floor((y - b.y) / l.cell);
      const block = row * l.cols + col;
      if (block >= b.blocks) return null;
      return { area: b.area, block, global: b.firstBlock + block };
    }
  }
  return null;
}

/** Top-left content pixel of a block of an area. */
export function pointOfBlock(l: MapLayout, area: number, block: number): { x: number; y: number } {
  const b = l.bands[area];
  const row = Math.floor(block / l.cols);
  const col = block - row * l.cols;
  return { x: l.x + col * l.cell, y: b.y + row * l.cell };
}

/** Area and block of a global block index, or null past the end. */
export function locateGlobal(l: MapLayout, global: number): { area: number; block: number } | null {
  for (const b of l.bands) {
    if (global < b.firstBlock + b.blocks) return global < b.firstBlock ? null : { area: b.area, block: global - b.firstBlock };
  }
  return null;
}

/**
 * The rectangles covering blocks [start, start + length) of an area: one per row it spans
 * (a run that wraps is drawn as several row pieces), in content pixels.
 */
export function runRects(l: MapLayout, area: number, start: number, length: number): Array<{ x: number; y: number; w: number; h: number }> {
  const out: Array<{ x: number; y: number; w: number; h: number }> = [];
  let i = start;
  const end = start + length;
  while (i < end) {
    const row = Math.floor(i / l.cols);
    const col = i - row * l.cols;
    const n = Math.min(end - i, l.cols - col);
    const p = pointOfBlock(l, area, i);
    out.push({ x: p.x, y: p.y, w: n * l.cell, h: l.cell });
    i += n;
  }
  return out;
}

/**
 * The new scroll offset that keeps the block under a point where it is when the zoom
 * changes (the cursor's anchor for wheel zoom).
 */
export function anchorScroll(before: MapLayout, after: MapLayout, scrollY: number, px: number, py: number): number {
  const at = blockAtPoint(before, px, py + scrollY);
  if (!at) {
    // Keep the same fraction of the content in view.
    const f = before.height > 0 ? (scrollY + py) / before.height : 0;
    return f * after.height - py;
  }
  const p = pointOfBlock(after, at.area, at.block);
  return p.y + after.cell / 2 - py;
}

export function clampScroll(l: MapLayout, viewHeight: number, scrollY: number): number {
  const max = Math.max(0, l.height - viewHeight);
  return Math.round(Math.min(max, Math.max(0, scrollY)));
}

/** Byte address of a block: the area's pool address plus block × block size. */
export function blockAddress(areaAddress: string, block: number, blockSize: number | null): string {
  const base = BigInt('0x' + (areaAddress || '0'));
  const addr = base + BigInt(block) * BigInt(blockSize ?? 16);
  return '0x' + addr.toString(16).padStart(Math.max(8, areaAddress.length), '0');
}

/**
 * The outline of blocks [start, start + length) of an area as one polygon (the shape of a
 * text selection: a partial first row, whole middle rows, a partial last row), in content
 * pixels, clockwise from the top-left of the first block.
 */
export function runOutline(l: MapLayout, area: number, start: number, length: number): Array<[number, number]> {
  if (length <= 0) return [];
  const b = l.bands[area];
  const c = l.cell;
  const x0 = l.x;
  const x1 = l.x + l.cols * c;
  const end = start + length - 1;
  const r0 = Math.floor(start / l.cols);
  const c0 = start - r0 * l.cols;
  const r1 = Math.floor(end / l.cols);
  const c1 = end - r1 * l.cols + 1; // exclusive column
  const y = (r: number) => b.y + r * c;
  const x = (col: number) => x0 + col * c;
  if (r0 === r1) return [[x(c0), y(r0)], [x(c1), y(r0)], [x(c1), y(r0 + 1)], [x(c0), y(r0 + 1)]];
  if (r1 === r0 + 1 && c1 <= c0) {
    // Two pieces that do not touch: not one polygon; callers draw runRects instead.
    return [];
  }
  return [
    [x(c0), y(r0)],
    [x1, y(r0)],
    [x1, y(r1)],
    [x(c1), y(r1)],
    [x(c1), y(r1 + 1)],
    [x0, y(r1 + 1)],
    [x0, y(r0 + 1)],
    [x(c0), y(r0 + 1)],
  ];
}
