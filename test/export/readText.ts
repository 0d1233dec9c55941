/**
 * Reads the text drawn into an exported picture back out of its pixels, by matching each
 * character cell against the exporter's bitmap font: what someone sees in the GIF, as text.
 */
import { GLYPHS, GLYPH_H, GLYPH_W } from '../../src/main/export/caption';
import { LINE_H, PAD, TEXT_SCALE } from '../../src/main/export/picture';

export interface Pixels {
  width: number;
  height: number;
  /** RGBA, row by row. */
  data: Uint8Array | Uint8ClampedArray;
}

const BY_SHAPE = new Map<string, string>();
for (const [ch, rows] of Object.entries(GLYPHS)) if (!BY_SHAPE.has(rows.join('|'))) BY_SHAPE.set(rows.join('|'), ch === '−' || ch === '–' ? '-' : ch);

const same = (a: ArrayLike<number>, i: number, ink: readonly number[]) => Math.abs(a[i] - ink[0]) + Math.abs(a[i + 1] - ink[1]) + Math.abs(a[i + 2] - ink[2]) < 24;

/** The characters of one line drawn in `ink` with its top-left at (x, y); '?' for a cell no glyph matches. */
export function readLine(img: Pixels, x: number, y: number, ink: readonly number[], scale = TEXT_SCALE): string {
  let out = '';
  for (let cx = x; cx + GLYPH_W * scale <= img.width; cx += (GLYPH_W + 1) * scale) {
    const rows: string[] = [];
    for (let r = 0; r < GLYPH_H; r++) {
      let row = '';
      for (let c = 0; c < GLYPH_W; c++) {
        // The middle of each font pixel.
        const px = cx + c * scale + (scale >> 1);
        const py = y + r * scale + (scale >> 1);
        row += py < img.height && same(img.data, (py * img.width + px) * 4, ink) ? '#' : ' ';
      }
      rows.push(row);
    }
    out += BY_SHAPE.get(rows.join('|')) ?? '?';
  }
  return out.trimEnd();
}

/** The text lines at the top of a picture (caption, then why) in either ink, until a blank line. */
export function readTopText(img: Pixels, inks: ReadonlyArray<readonly number[]>): string[] {
  const lines: string[] = [];
  for (let y = PAD; y + LINE_H <= img.height; y += LINE_H) {
    let line = '';
    for (const ink of inks) {
      line = readLine(img, PAD, y, ink);
      if (line) break;
    }
    if (!line) break;
    lines.push(line);
  }
  return lines;
}

/** The colour of palette entry `i` as the exporter uses it (for the inks). */
export function colourAt(img: Pixels, x: number, y: number): number[] {
  const i = (y * img.width + x) * 4;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}
