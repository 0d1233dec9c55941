#!/usr/bin/env node
// Draws HeapScope's icon, a little heap map, into build/icon.png (512×512; electron-builder
// makes the other sizes and formats from it). Run by hand when the design changes; the PNG is
// committed so packaging needs no drawing step.
//
// The map: a dark rounded tile holding 8 rows of 8 blocks. Allocated objects are runs of one
// colour (the head block full strength, its tail blocks paler, as HeapScope draws them), free
// blocks are grey; the last row's long free run is outlined, the app's "largest free run".
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 512;
// Okabe–Ito colours (colour-blind safe), as in the app's kind palette.
const KINDS = { s: [0, 114, 178], t: [230, 159, 0], l: [0, 158, 115], d: [204, 121, 167], b: [86, 180, 233] };
const FREE = [70, 76, 84];
const BACK = [24, 28, 33];
const OUTLINE = [240, 228, 66];
// One letter per block: a kind letter starts an object, '=' continues it, '.' is free.
const MAP = ['s==t=...', 'l===b=d.', '..s=t===', 'd.....l=', 'b==s=.t.', '..l=====', 't=d...s=', 'b.......'];

const png = new PNG({ width: SIZE, height: SIZE });
const put = (x, y, [r, g, b], a = 255) => {
  const i = (y * SIZE + x) * 4;
  png.data[i] = r;
  png.data[i + 1] = g;
  png.data[i + 2] = b;
  png.data[i + 3] = a;
};
const paler = (c) => c.map((v) => Math.round(v + (255 - v) * 0.45));

// Rounded tile, transparent outside.
const R = 96;
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const cx = x < R ? R - x : x >= SIZE - R ? x - (SIZE - R - 1) : 0;
    const cy = y < R ? R - y : y >= SIZE - R ? y - (SIZE - R - 1) : 0;
    const inside = cx * cx + cy * cy <= R * R;
    put(x, y, inside ? BACK : [0, 0, 0], inside ? 255 : 0);
  }
}

const PAD = 64;
const CELL = (SIZE - 2 * PAD) / 8;
const GAP = 6;
const fill = (x0, y0, x1, y1, c) => {
  for (let y = Math.round(y0); y < Math.round(y1); y++) for (let x = Math.round(x0); x < Math.round(x1); x++) put(x, y, c);
};
for (let row = 0; row < 8; row++) {
  let kind = null;
  for (let col = 0; col < 8; col++) {
    const ch = MAP[row][col];
    let c;
    if (ch === '.') {
      kind = null;
      c = FREE;
    } else if (ch === '=') {
      c = paler(KINDS[kind]);
    } else {
      kind = ch;
      c = KINDS[ch];
    }
    const x0 = PAD + col * CELL + (ch === '=' ? -GAP / 2 : GAP / 2);
    const y0 = PAD + row * CELL + GAP / 2;
    // A tail block joins its neighbour on the left: an object reads as one bar.
    fill(x0, y0, PAD + (col + 1) * CELL - GAP / 2, PAD + (row + 1) * CELL - GAP / 2, c);
  }
}
// The largest free run (last row, blocks 1–7): outlined.
const ox0 = PAD + CELL, ox1 = PAD + 8 * CELL, oy0 = PAD + 7 * CELL, oy1 = PAD + 8 * CELL;
const T = 5;
fill(ox0, oy0, ox1, oy0 + T, OUTLINE);
fill(ox0, oy1 - T, ox1, oy1, OUTLINE);
fill(ox0, oy0, ox0 + T, oy1, OUTLINE);
fill(ox1 - T, oy0, ox1, oy1, OUTLINE);

const out = join(root, 'build', 'icon.png');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, PNG.sync.write(png));
process.stderr.write(`wrote ${out}\n`);
