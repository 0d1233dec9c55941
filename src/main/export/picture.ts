/**
 * A shared picture of the heap (PNG, and each GIF frame) that explains itself to someone who
 * never saw the window: the caption (frame, time, used, free, longest free run), the why line
 * on the frames before a MemoryError ("next: MemoryError, 9.38 KiB asked; the longest free run
 * is 3.13 KiB"), the map with its rows' addresses, the longest free run outlined, and the
 * legend of colours. Text wraps rather than being cut, so a narrow heap still carries every
 * word. Drawn into palette indices (the GIF's own form); PNG turns them into RGBA.
 */
import type { SnapshotArea, SnapshotIndexEntry, TimelineEvent } from '../../shared/api';
import { FREE, TAIL } from '../../shared/heap/blockKinds';
import { OVERLAY_COLOURS, type RGB, type Theme } from '../../shared/heap/palette';
import { longestFreeRun } from '../../shared/view/heapAnalysis';
import { blockAddress } from '../../shared/view/mapLayout';
import { bytes } from '../../shared/view/format';
import { GLYPH_H, drawText, textWidth } from './caption';
import { drawIndexed, frameLayout, indexedPalette, type FrameLayout } from './frame';

/** Font scale of every text in a picture: 5×7 glyphs drawn 10×14, readable pasted anywhere. */
export const TEXT_SCALE = 2;
/** Pixels around text and between parts of the picture (at TEXT_SCALE). */
export const PAD = 2 * TEXT_SCALE;
/** One line of text, top to top. */
export const LINE_H = (GLYPH_H + 4) * TEXT_SCALE;
/** A picture is never narrower than this: its caption must be legible, whatever the heap. */
export const MIN_WIDTH = 640;

/** Ink colours added after the map's palette. */
const INKS = {
  text: { light: [0x1b, 0x20, 0x26], dark: [0xe2, 0xe5, 0xe9] },
  why: { light: [0xb4, 0x1c, 0x1c], dark: [0xff, 0x7b, 0x72] },
  muted: { light: [0x5f, 0x66, 0x6d], dark: [0x9a, 0xa1, 0xa8] },
} as const satisfies Record<string, Record<Theme, RGB>>;

export interface PicturePalette {
  colours: RGB[];
  indexOf: Uint8Array;
  tailOf: Uint8Array;
  text: number;
  why: number;
  muted: number;
  outline: number;
  /** The picture's background (palette index 0). */
  paper: number;
}

export function picturePalette(theme: Theme): PicturePalette {
  const p = indexedPalette(theme);
  const colours = [...p.colours];
  const add = (c: RGB) => colours.push(c) - 1;
  const text = add(INKS.text[theme]);
  const why = add(INKS.why[theme]);
  const muted = add(INKS.muted[theme]);
  const outline = add(OVERLAY_COLOURS.largestFree[theme]);
  return { colours, indexOf: p.indexOf, tailOf: p.tailOf, text, why, muted, outline, paper: 0 };
}

/** What a frame's text says, in parts that wrap as wholes. */
export interface PictureText {
  caption: string[];
  /** Why this frame matters (the MemoryError ahead), or none. */
  why: string[];
}

/** The time of `e` since `t0`, by host clock, else device clock. */
function since(e: SnapshotIndexEntry, t0: SnapshotIndexEntry | null): string {
  if (t0 && e.hostMs !== null && t0.hostMs !== null) return `${((e.hostMs - t0.hostMs) / 1000).toFixed(1)} s`;
  if (t0 && e.deviceMs !== null && t0.deviceMs !== null && e.deviceMs >= t0.deviceMs) return `${((e.deviceMs - t0.deviceMs) / 1000).toFixed(1)} s`;
  return '';
}

/**
 * The words of frame `e`: its caption, and on the frames before a MemoryError, the request
 * that failed against the longest free run here.
 */
export function pictureText(e: SnapshotIndexEntry, frames: number, t0: SnapshotIndexEntry | null, events: readonly Pick<TimelineEvent, 'kind' | 'snapshot' | 'bytes'>[] = []): PictureText {
  const m = e.metrics;
  const caption = [`frame ${e.index + 1}/${frames}`, since(e, t0), m.usedBytes !== null ? `used ${bytes(m.usedBytes)}` : '', m.freeBytes !== null ? `free ${bytes(m.freeBytes)}` : '', m.largestFreeRunBytes !== null ? `longest free run ${bytes(m.largestFreeRunBytes)}` : ''].filter(Boolean);
  // The first MemoryError after this frame (it sits between snapshot n-1 and n).
  const oom = events.find((x) => x.kind === 'memoryError' && x.snapshot > e.index);
  const why: string[] = [];
  if (oom) {
    const asked = oom.bytes ? `${bytes(oom.bytes)} asked;` : 'size not printed;';
    const head = oom.snapshot === e.index + 1 ? 'next: MemoryError,' : `MemoryError after frame ${oom.snapshot}:`;
    why.push(head, asked);
    if (m.largestFreeRunBytes !== null) why.push(oom.snapshot === e.index + 1 ? 'the longest free run is' : 'the longest free run here is', `${bytes(m.largestFreeRunBytes)}`);
  }
  return { caption, why };
}

/** Greedy wrap of parts (each kept whole, joined by `sep`) into lines at most `width` px wide. */
export function wrapParts(parts: readonly string[], width: number, sep = '  ', scale = TEXT_SCALE): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const p of parts) {
    const next = cur ? cur + sep + p : p;
    if (cur && textWidth(next, scale) + 2 * PAD > width) {
      lines.push(cur);
      cur = p;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines;
}

export interface LegendItem {
  label: string;
  colour: number;
  /** Drawn as an outline (the longest free run), not a filled swatch. */
  outline?: boolean;
}

export function legendItems(pal: PicturePalette): LegendItem[] {
  const named: Array<[number, string]> = [
    [FREE, 'free'],
    [TAIL, 'tail'],
    ['h'.charCodeAt(0), 'h other'],
    ['T'.charCodeAt(0), 'T tuple'],
    ['L'.charCodeAt(0), 'L list'],
    ['D'.charCodeAt(0), 'D dict'],
    ['S'.charCodeAt(0), 'S str or bytes'],
    ['A'.charCodeAt(0), 'A bytearray or array'],
    ['F'.charCodeAt(0), 'F float'],
    ['B'.charCodeAt(0), 'B bytecode fn'],
    ['M'.charCodeAt(0), 'M module'],
  ];
  const items: LegendItem[] = named.map(([code, label]) => ({ label, colour: code === TAIL ? pal.tailOf[TAIL] : pal.indexOf[code] }));
  items.push({ label: 'longest free run', colour: pal.outline, outline: true });
  return items;
}

const SWATCH = GLYPH_H * TEXT_SCALE;

function legendWidth(it: LegendItem): number {
  return SWATCH + PAD + textWidth(it.label, TEXT_SCALE) + 3 * PAD;
}

/** Rows of legend items that fit `width`. */
export function legendRows(items: readonly LegendItem[], width: number): LegendItem[][] {
  const rows: LegendItem[][] = [];
  let row: LegendItem[] = [];
  let x = PAD;
  for (const it of items) {
    const w = legendWidth(it);
    if (row.length && x + w > width) {
      rows.push(row);
      row = [];
      x = PAD;
    }
    row.push(it);
    x += w;
  }
  if (row.length) rows.push(row);
  return rows;
}

export interface PictureLayout {
  width: number;
  height: number;
  /** Lines of text above the map (caption, then why), the same for every frame of a GIF. */
  textLines: number;
  map: FrameLayout;
  mapLeft: number;
  mapTop: number;
  legendTop: number;
  legend: LegendItem[][];
  /** Address labels every this many rows. */
  labelEvery: number;
}

/**
 * The size of a picture holding `map` and texts: as wide as the map with its address gutter,
 * and at least MIN_WIDTH; as many text lines as the wordiest frame needs.
 */
export function pictureLayout(map: FrameLayout, areas: readonly { address: string; blocks: number }[], texts: readonly PictureText[], pal: PicturePalette): PictureLayout {
  const addrChars = Math.max(10, ...areas.map((a) => Math.max(8, a.address.length) + 2));
  const gutter = textWidth('0'.repeat(addrChars), TEXT_SCALE) + 3 * PAD;
  const width = Math.max(MIN_WIDTH, gutter + map.width + 2 * PAD);
  let textLines = 1;
  for (const t of texts) textLines = Math.max(textLines, wrapParts(t.caption, width).length + wrapParts(t.why, width, ' ').length);
  const legend = legendRows(legendItems(pal), width);
  const mapTop = textLines * LINE_H + PAD;
  // At least one address label high, however small the heap.
  const legendTop = mapTop + Math.max(map.height, GLYPH_H * TEXT_SCALE) + 2 * PAD;
  const height = legendTop + legend.length * LINE_H + PAD;
  // A label every power-of-two rows, with room to breathe between labels.
  let labelEvery = 1;
  while (labelEvery * map.scale < GLYPH_H * TEXT_SCALE + 3 * PAD) labelEvery *= 2;
  return { width, height, textLines, map, mapLeft: gutter, mapTop, legendTop, legend, labelEvery };
}

/**
 * Draws one picture into `out` (layout.width × layout.height palette indices): the texts, the
 * map of `areas` (laid out as `layout.map`), its addresses, the longest free run's outline,
 * the legend.
 */
export function drawPicture(out: Uint8Array, layout: PictureLayout, areas: readonly SnapshotArea[], blockSize: number | null, text: PictureText, pal: PicturePalette): void {
  const { width } = layout;
  out.fill(pal.paper);
  // Text: the caption, then the why line in red.
  let y = PAD;
  for (const line of wrapParts(text.caption, width)) {
    drawText(out, width, PAD, y, line, pal.text, TEXT_SCALE);
    y += LINE_H;
  }
  for (const line of wrapParts(text.why, width, ' ')) {
    drawText(out, width, PAD, y, line, pal.why, TEXT_SCALE);
    y += LINE_H;
  }
  // The map, drawn on its own then placed right of the address gutter.
  const m = layout.map;
  const map = new Uint8Array(m.width * m.height);
  drawIndexed(areas, m, pal, map);
  for (let r = 0; r < m.height; r++) out.set(map.subarray(r * m.width, (r + 1) * m.width), (layout.mapTop + r) * width + layout.mapLeft);
  // Row addresses, right-aligned in the gutter.
  areas.forEach((a, ai) => {
    const rows = Math.max(1, Math.ceil(a.blocks / m.columns));
    for (let r = 0; r < rows; r += layout.labelEvery) {
      const label = blockAddress(a.address, r * m.columns, blockSize);
      const ty = layout.mapTop + (m.bandTop[ai] + r) * m.scale;
      if (r > 0 && ty + GLYPH_H * TEXT_SCALE > layout.mapTop + m.height) break;
      drawText(out, width, layout.mapLeft - 2 * PAD - textWidth(label, TEXT_SCALE), ty, label, pal.muted, TEXT_SCALE);
    }
  });
  // The longest free run, outlined cell edge by cell edge.
  const run = longestFreeRun(areas);
  if (run && run.length > 0) outlineRun(out, layout, run.area, run.start, run.length, areas[run.area].blocks, pal.outline);
  // The legend.
  let ly = layout.legendTop;
  for (const row of layout.legend) {
    let x = PAD;
    for (const it of row) {
      fillRect(out, width, x, ly, SWATCH, SWATCH, it.outline ? pal.paper : it.colour);
      strokeRect(out, width, x, ly, SWATCH, SWATCH, it.outline ? it.colour : pal.muted, it.outline ? TEXT_SCALE : 1);
      drawText(out, width, x + SWATCH + PAD, ly, it.label, pal.text, TEXT_SCALE);
      x += legendWidth(it);
    }
    ly += LINE_H;
  }
}

function fillRect(out: Uint8Array, width: number, x: number, y: number, w: number, h: number, c: number): void {
  for (let r = y; r < y + h; r++) out.fill(c, r * width + x, r * width + x + w);
}

function strokeRect(out: Uint8Array, width: number, x: number, y: number, w: number, h: number, c: number, t: number): void {
  fillRect(out, width, x, y, w, t, c);
  fillRect(out, width, x, y + h - t, w, t, c);
  fillRect(out, width, x, y, t, h, c);
  fillRect(out, width, x + w - t, y, t, h, c);
}

/** Paints the inner edge of every run cell that borders a cell outside the run. */
function outlineRun(out: Uint8Array, layout: PictureLayout, area: number, start: number, length: number, blocks: number, c: number): void {
  const m = layout.map;
  const { columns: cols, scale } = m;
  const t = Math.max(1, Math.floor(scale / 4));
  const end = Math.min(blocks, start + length);
  const inRun = (b: number) => b >= start && b < end;
  for (let b = start; b < end; b++) {
    const row = Math.floor(b / cols);
    const col = b - row * cols;
    const x = layout.mapLeft + col * scale;
    const y = layout.mapTop + (m.bandTop[area] + row) * scale;
    if (!inRun(b - cols)) fillRect(out, layout.width, x, y, scale, t, c);
    if (!inRun(b + cols)) fillRect(out, layout.width, x, y + scale - t, scale, t, c);
    if (col === 0 || !inRun(b - 1)) fillRect(out, layout.width, x, y, t, scale, c);
    if (col === cols - 1 || !inRun(b + 1)) fillRect(out, layout.width, x + scale - t, y, t, scale, c);
  }
}

/** RGBA of palette indices. */
export function toRGBA(idx: Uint8Array, colours: readonly RGB[]): Uint8Array {
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

/** A whole picture of one frame (PNG). */
export function renderPicture(
  areas: readonly SnapshotArea[],
  blockSize: number | null,
  text: PictureText,
  scale: number,
  theme: Theme,
): { width: number; height: number; rgba: Uint8Array } {
  const pal = picturePalette(theme);
  const map = frameLayout(areas, scale);
  const layout = pictureLayout(map, areas, [text], pal);
  const idx = new Uint8Array(layout.width * layout.height);
  drawPicture(idx, layout, areas, blockSize, text, pal);
  return { width: layout.width, height: layout.height, rgba: toRGBA(idx, pal.colours) };
}

