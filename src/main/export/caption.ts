/**
 * A one-line caption over each GIF frame ("frame 22/25  5.3 s  used 160.3 KiB  free 27.2 KiB
 * longest free 2.75 KiB"), so a GIF passed around on its own still says which moment each
 * picture is and why it matters. Drawn straight into palette indices with a 5×7 bitmap font
 * of just the characters captions use: the exporter has no canvas and needs none.
 */
import type { SnapshotIndexEntry } from '../../shared/api';
import { bytes } from '../../shared/view/format';

/** Rows of each glyph, 5 columns wide, '#' for ink. */
const GLYPHS: Record<string, readonly string[]> = {
  '0': [' ### ', '#   #', '#  ##', '# # #', '##  #', '#   #', ' ### '],
  '1': ['  #  ', ' ##  ', '  #  ', '  #  ', '  #  ', '  #  ', ' ### '],
  '2': [' ### ', '#   #', '    #', '   # ', '  #  ', ' #   ', '#####'],
  '3': ['#####', '   # ', '  #  ', '   # ', '    #', '#   #', ' ### '],
  '4': ['   # ', '  ## ', ' # # ', '#  # ', '#####', '   # ', '   # '],
  '5': ['#####', '#    ', '#### ', '    #', '    #', '#   #', ' ### '],
  '6': ['  ## ', ' #   ', '#    ', '#### ', '#   #', '#   #', ' ### '],
  '7': ['#####', '    #', '   # ', '  #  ', ' #   ', ' #   ', ' #   '],
  '8': [' ### ', '#   #', '#   #', ' ### ', '#   #', '#   #', ' ### '],
  '9': [' ### ', '#   #', '#   #', ' ####', '    #', '   # ', ' ##  '],
  '.': ['     ', '     ', '     ', '     ', '     ', ' ##  ', ' ##  '],
  ':': ['     ', ' ##  ', ' ##  ', '     ', ' ##  ', ' ##  ', '     '],
  '%': ['##   ', '##  #', '   # ', '  #  ', ' #   ', '#  ##', '   ##'],
  '/': ['     ', '    #', '   # ', '  #  ', ' #   ', '#    ', '     '],
  '-': ['     ', '     ', '     ', '#####', '     ', '     ', '     '],
  '−': ['     ', '     ', '     ', '#####', '     ', '     ', '     '],
  ' ': ['     ', '     ', '     ', '     ', '     ', '     ', '     '],
  a: ['     ', '     ', ' ### ', '    #', ' ####', '#   #', ' ####'],
  c: ['     ', '     ', ' ### ', '#    ', '#    ', '#   #', ' ### '],
  d: ['    #', '    #', ' ## #', '#  ##', '#   #', '#   #', ' ####'],
  e: ['     ', '     ', ' ### ', '#   #', '#####', '#    ', ' ### '],
  f: ['  ## ', ' #  #', ' #   ', '###  ', ' #   ', ' #   ', ' #   '],
  g: ['     ', ' ####', '#   #', '#   #', ' ####', '    #', ' ### '],
  i: ['  #  ', '     ', ' ##  ', '  #  ', '  #  ', '  #  ', ' ### '],
  l: [' ##  ', '  #  ', '  #  ', '  #  ', '  #  ', '  #  ', ' ### '],
  m: ['     ', '     ', '## # ', '# # #', '# # #', '#   #', '#   #'],
  n: ['     ', '     ', '# ## ', '##  #', '#   #', '#   #', '#   #'],
  o: ['     ', '     ', ' ### ', '#   #', '#   #', '#   #', ' ### '],
  r: ['     ', '     ', '# ## ', '##  #', '#    ', '#    ', '#    '],
  s: ['     ', '     ', ' ####', '#    ', ' ### ', '    #', '#### '],
  t: [' #   ', ' #   ', '###  ', ' #   ', ' #   ', ' #  #', '  ## '],
  u: ['     ', '     ', '#   #', '#   #', '#   #', '#  ##', ' ## #'],
  B: ['#### ', '#   #', '#   #', '#### ', '#   #', '#   #', '#### '],
  G: [' ### ', '#   #', '#    ', '# ###', '#   #', '#   #', ' ####'],
  K: ['#   #', '#  # ', '# #  ', '##   ', '# #  ', '#  # ', '#   #'],
  M: ['#   #', '## ##', '# # #', '# # #', '#   #', '#   #', '#   #'],
};

export const GLYPH_W = 5;
export const GLYPH_H = 7;
/** Pixels from one character to the next. */
const ADVANCE = GLYPH_W + 1;
const PAD = 2;

/** Height of the caption band, in pixels, at a font scale. */
export function captionHeight(scale: number): number {
  return (GLYPH_H + 2 * PAD) * scale;
}

export function textWidth(text: string, scale: number): number {
  return text.length ? (text.length * ADVANCE - 1) * scale : 0;
}

/**
 * Candidate captions for a frame, longest first: the caller uses the first that fits.
 * `t0` is the first frame's entry of the session, for the time since the start.
 */
export function captionLines(e: SnapshotIndexEntry, frames: number, t0: SnapshotIndexEntry | null): string[] {
  const m = e.metrics;
  let time = '';
  if (t0 && e.hostMs !== null && t0.hostMs !== null) time = `${((e.hostMs - t0.hostMs) / 1000).toFixed(1)} s`;
  else if (t0 && e.deviceMs !== null && t0.deviceMs !== null && e.deviceMs >= t0.deviceMs) time = `${((e.deviceMs - t0.deviceMs) / 1000).toFixed(1)} s`;
  const frame = `frame ${e.index + 1}/${frames}`;
  const used = m.usedBytes !== null ? bytes(m.usedBytes) : '';
  const free = m.freeBytes !== null ? bytes(m.freeBytes) : '';
  const longest = m.largestFreeRunBytes !== null ? bytes(m.largestFreeRunBytes) : '';
  const join = (parts: string[]) => parts.filter((p) => p && !p.endsWith(' ')).join('  ');
  return [
    join([frame, time, `used ${used}`, `free ${free}`, `longest free ${longest}`]),
    join([frame, `used ${used}`, `free ${free}`, `longest ${longest}`]),
    join([`${e.index + 1}`, `free ${free}`, `longest ${longest}`]),
    join([`${e.index + 1}`, `longest ${longest}`]),
    `${e.index + 1}`,
  ];
}

/** Draws `text` into `out` (palette indices, `width` wide) with its top-left at (x, y). */
export function drawText(out: Uint8Array, width: number, x: number, y: number, text: string, ink: number, scale = 1): void {
  let cx = x;
  for (const ch of text) {
    const g = GLYPHS[ch] ?? GLYPHS[' '];
    for (let r = 0; r < GLYPH_H; r++) {
      const row = g[r];
      for (let c = 0; c < GLYPH_W; c++) {
        if (row.charCodeAt(c) !== 35) continue; // '#'
        for (let dy = 0; dy < scale; dy++) {
          const at = (y + r * scale + dy) * width + cx + c * scale;
          if (cx + c * scale + scale > width) continue;
          out.fill(ink, at, at + scale);
        }
      }
    }
    cx += ADVANCE * scale;
  }
}

/** Fills the caption band (rows `y`…) with `paper` and writes the longest caption that fits. */
export function drawCaption(out: Uint8Array, width: number, y: number, lines: string[], ink: number, paper: number, scale = 1): void {
  out.fill(paper, y * width, (y + captionHeight(scale)) * width);
  const text = lines.find((l) => textWidth(l, scale) + 2 * PAD * scale <= width) ?? '';
  drawText(out, width, PAD * scale, y + PAD * scale, text, ink, scale);
}

/** Characters the font draws (the rest print as spaces). */
export function hasGlyph(ch: string): boolean {
  return ch in GLYPHS;
}
