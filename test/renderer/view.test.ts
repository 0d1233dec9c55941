import { describe, expect, it } from 'vitest';
import {
  anchorScroll,
  blockAddress,
  blockAtPoint,
  columnsFor,
  fitCell,
  layoutMap,
  locateGlobal,
  pointOfBlock,
  runRects,
} from '../../src/shared/view/mapLayout';
import { ALLOCATED, changeRuns, diffHeaps, extentAt, FREED, longestFreeRun, SAME, untypedShare } from '../../src/shared/view/heapAnalysis';
import { decimateMinMax, floorIndex, nearestIndex } from '../../src/shared/view/decimate';
import { findInLines, frameOfLine, LinePageCache, linesOfFrame, matcher, stepMatch } from '../../src/shared/view/logIndex';
import { hexColor, rasterizeMap, type RasterPalette } from '../../src/shared/view/rasterize';

const k = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('map layout: block ↔ pixel', () => {
  it('uses rows of a multiple of 16 blocks once 64 fit, else of 8', () => {
    expect(columnsFor(1000, 1)).toBe(992);
    expect(columnsFor(1000, 16)).toBe(56);
    expect(columnsFor(1024, 16)).toBe(64);
    expect(columnsFor(5, 8)).toBe(1);
  });

  it('maps every block to its own pixel and back, at every zoom, over several areas', () => {
    const areas = [
      { address: '3ffcf6f0', blocks: 1000 },
      { address: '3ffe4c00', blocks: 333 },
    ];
    for (const cell of [1, 2, 3, 7, 16]) {
      const l = layoutMap(areas, { width: 700, cell, headerHeight: 14, gap: 6, gutter: 20 });
      expect(l.blocks).toBe(1333);
      const seen = new Set<string>();
      for (let a = 0; a < areas.length; a++) {
        for (let b = 0; b < areas[a].blocks; b++) {
          const p = pointOfBlock(l, a, b);
          // every pixel of the cell maps back to the block
          for (const [dx, dy] of [[0, 0], [cell - 1, cell - 1], [cell >> 1, 0]]) {
            const at = blockAtPoint(l, p.x + dx, p.y + dy);
            expect(at).toEqual({ area: a, block: b, global: l.bands[a].firstBlock + b });
          }
          const key = `${p.x},${p.y}`;
          expect(seen.has(key)).toBe(false);
          seen.add(key);
        }
      }
      // headers, gutter and the space past the last block are not blocks
      expect(blockAtPoint(l, 25, l.bands[1].headerY + 1)).toBeNull();
      expect(blockAtPoint(l, 5, l.bands[0].y)).toBeNull();
      const last = pointOfBlock(l, 1, 332);
      expect(blockAtPoint(l, last.x + cell, last.y)).toBeNull();
      expect(locateGlobal(l, 1000)).toEqual({ area: 1, block: 0 });
      expect(locateGlobal(l, 1333)).toBeNull();
    }
  });

  it('512 Ki blocks fit a 1024-pixel-wide canvas at one pixel per block', () => {
    const l = layoutMap([{ address: '0', blocks: 512 * 1024 }], { width: 1024, cell: 1 });
    expect(l.cols).toBe(1024);
    expect(l.bands[0].rows).toBe(512);
    expect(fitCell([{ address: '0', blocks: 8192 }], 1024, 800)).toBeGreaterThanOrEqual(8);
  });

  it('splits runs into one rectangle per row', () => {
    const l = layoutMap([{ address: '0', blocks: 300 }], { width: 64, cell: 1, headerHeight: 0 });
    expect(runRects(l, 0, 60, 70)).toEqual([
      { x: 60, y: 0, w: 4, h: 1 },
      { x: 0, y: 1, w: 64, h: 1 },
      { x: 0, y: 2, w: 2, h: 1 },
    ]);
  });

  it('keeps the block under the cursor in place when zooming', () => {
    const areas = [{ address: '0', blocks: 100000 }];
    const a = layoutMap(areas, { width: 640, cell: 2 });
    const b = layoutMap(areas, { width: 640, cell: 8 });
    const scroll = 300;
    const at = blockAtPoint(a, 100, 200 + scroll)!;
    const s2 = anchorScroll(a, b, scroll, 100, 200);
    const p = pointOfBlock(b, 0, at.block);
    expect(Math.abs(p.y - s2 - 200)).toBeLessThanOrEqual(8);
  });

  it('prints block addresses from the pool address and block size', () => {
    expect(blockAddress('3ffcf6f0', 2, 16)).toBe('0x3ffcf710');
    expect(blockAddress('7f2951dbdde0', 1, 32)).toBe('0x7f2951dbde00');
  });
});

describe('object extent', () => {
  const kinds = k('..h===S=..=.LT==.');
  it('finds the head and all tails from any block of an object', () => {
    for (const i of [2, 3, 4, 5]) expect(extentAt(kinds, i)).toEqual({ kind: 'object', start: 2, length: 4, code: 0x68 });
    expect(extentAt(kinds, 7)).toEqual({ kind: 'object', start: 6, length: 2, code: 0x53 });
    expect(extentAt(kinds, 12)).toEqual({ kind: 'object', start: 12, length: 1, code: 0x4c });
    expect(extentAt(kinds, 14)).toEqual({ kind: 'object', start: 13, length: 3, code: 0x54 });
  });
  it('reports free runs and headless tails for what they are', () => {
    expect(extentAt(kinds, 1)).toEqual({ kind: 'free', start: 0, length: 2, code: 0x2e });
    expect(extentAt(kinds, 10)).toEqual({ kind: 'orphanTail', start: 10, length: 1, code: 0x3d });
    expect(extentAt(k('==h'), 0)).toEqual({ kind: 'orphanTail', start: 0, length: 2, code: 0x3d });
    expect(extentAt(kinds, 99)).toBeNull();
  });
});

describe('longest free run', () => {
  it('takes the longest over all areas, runs end at area edges', () => {
    expect(longestFreeRun([{ kinds: k('h...h....') }, { kinds: k('.....h') }])).toEqual({ area: 1, start: 0, length: 5 });
    expect(longestFreeRun([{ kinds: k('hh==') }])).toBeNull();
    expect(longestFreeRun([{ kinds: k('..h..') }])).toEqual({ area: 0, start: 0, length: 2 });
  });
});

describe('diff of two frames', () => {
  it('marks allocated, freed and unchanged blocks object by object', () => {
    const a = [{ address: 'a0', kinds: k('h=..S=h===..L.') }];
    const b = [{ address: 'a0', kinds: k('h=T.S=...h=.LD') }];
    const d = diffHeaps(a, b);
    const codes = d.areas[0];
    // h= same; T new; . same; S= same; h=== freed (now ...h=.); h= new at 9; L same; D new
    expect(Array.from(codes)).toEqual([SAME, SAME, ALLOCATED, SAME, SAME, SAME, FREED, FREED, FREED, ALLOCATED, ALLOCATED, SAME, SAME, ALLOCATED]);
    expect(d.allocatedBlocks).toBe(4);
    expect(d.freedBlocks).toBe(3);
    const h = d.kinds.find((x) => x.kind === 'h')!;
    expect(h).toMatchObject({ objectsA: 2, objectsB: 2, blocksA: 6, blocksB: 4, allocated: 1, freed: 1 });
    expect(d.kinds.find((x) => x.kind === 'T')).toMatchObject({ objectsA: 0, objectsB: 1, allocated: 1, freed: 0 });
    expect(changeRuns(codes)).toEqual([
      { start: 2, length: 1, code: ALLOCATED },
      { start: 6, length: 3, code: FREED },
      { start: 9, length: 2, code: ALLOCATED },
      { start: 13, length: 1, code: ALLOCATED },
    ]);
  });
  it('treats an object that grew or changed kind at the same address as new', () => {
    const d = diffHeaps([{ address: 'x', kinds: k('h=.') }], [{ address: 'x', kinds: k('h==') }]);
    expect(Array.from(d.areas[0])).toEqual([ALLOCATED, ALLOCATED, ALLOCATED]);
    const e = diffHeaps([{ address: 'x', kinds: k('S.') }], [{ address: 'x', kinds: k('L.') }]);
    expect(Array.from(e.areas[0])).toEqual([ALLOCATED, SAME]);
  });
  it('matches areas by address, not position', () => {
    const a = [{ address: 'one', kinds: k('hh') }, { address: 'two', kinds: k('L.') }];
    const b = [{ address: 'two', kinds: k('L.') }, { address: 'three', kinds: k('T.') }];
    const d = diffHeaps(a, b);
    expect(Array.from(d.areas[0])).toEqual([SAME, SAME]);
    expect(Array.from(d.areas[1])).toEqual([ALLOCATED, SAME]);
    expect(d.goneAreas).toEqual(['one']);
    expect(d.kinds.find((x) => x.kind === 'h')).toMatchObject({ objectsA: 2, objectsB: 0, freed: 2 });
  });
  it('a frame against itself changes nothing', () => {
    const a = [{ address: 'a', kinds: k('hh=S..T==.') }];
    const d = diffHeaps(a, a);
    expect(d.allocatedBlocks + d.freedBlocks).toBe(0);
  });
  it('counts blocks held by h objects', () => {
    expect(untypedShare([{ kinds: k('h==S=..h.') }])).toEqual({ blocks: 4, used: 6 });
  });
});

describe('decimation keeps peaks', () => {
  it('keeps every bucket min and max of every series, in time order', () => {
    const n = 10000;
    const x = Array.from({ length: n }, (_, i) => i * 0.5);
    const used = Array.from({ length: n }, (_, i) => 1000 + Math.sin(i / 50) * 100);
    used[4321] = 99999; // a one-sample spike
    const free = used.map((u) => 200000 - u);
    free[777] = -5; // a one-sample dip
    const d = decimateMinMax(x, [used, free], 300);
    expect(d.x.length).toBeLessThanOrEqual(600);
    expect(Math.max(...d.series[0])).toBe(99999);
    expect(Math.min(...d.series[1])).toBe(-5);
    expect(Math.min(...d.series[0])).toBe(Math.min(...used));
    expect(Math.max(...d.series[1])).toBe(Math.max(...free));
    for (let i = 1; i < d.x.length; i++) expect(d.x[i]).toBeGreaterThanOrEqual(d.x[i - 1]);
    // Every kept value is a real sample value of its series.
    const setUsed = new Set(used);
    for (const v of d.series[0]) expect(setUsed.has(v)).toBe(true);
  });
  it('passes short series through and skips unknown values', () => {
    const d = decimateMinMax([0, 1, 2], [[1, 2, 3]], 10);
    expect(d.series[0]).toEqual([1, 2, 3]);
    const e = decimateMinMax([0, 1, 2, 3, 4, 5], [[NaN, NaN, 3, NaN, 1, 9]], 1);
    expect(e.series[0]).toEqual([1, 9]);
  });
  it('finds nearest and floor indexes', () => {
    const xs = [0, 10, 20, 30];
    expect(nearestIndex(xs, 14)).toBe(1);
    expect(nearestIndex(xs, 16)).toBe(2);
    expect(nearestIndex(xs, -3)).toBe(0);
    expect(nearestIndex(xs, 99)).toBe(3);
    expect(floorIndex(xs, 25)).toBe(2);
    expect(floorIndex(xs, -1)).toBe(-1);
  });
});

describe('log index and search', () => {
  // 3 lines before frame 0, 2 between 0 and 1, none between 1 and 2, 4 after 2 (9 lines).
  const before = [3, 5, 5];
  it('gives each frame the lines printed since the previous frame', () => {
    expect(linesOfFrame(before, 0)).toEqual({ start: 0, end: 3 });
    expect(linesOfFrame(before, 1)).toEqual({ start: 3, end: 5 });
    expect(linesOfFrame(before, 2)).toEqual({ start: 5, end: 5 });
  });
  it('jumps from a line to the first frame after it', () => {
    expect(frameOfLine(before, 0)).toBe(0);
    expect(frameOfLine(before, 2)).toBe(0);
    expect(frameOfLine(before, 3)).toBe(1);
    expect(frameOfLine(before, 4)).toBe(1);
    expect(frameOfLine(before, 8)).toBe(2);
    expect(frameOfLine([], 3)).toBe(-1);
  });
  it('searches plain text and regular expressions', () => {
    const lines = ['alloc 10', 'MemoryError: memory allocation failed, allocating 582 bytes', 'ok', 'memoryerror?'];
    expect(findInLines(lines, 'memoryerror')).toEqual([1, 3]);
    expect(findInLines(lines, 'MemoryError', { caseSensitive: true }, 100)).toEqual([101]);
    expect(findInLines(lines, 'allocating \\d+', { regex: true })).toEqual([1]);
    expect(matcher('(', { regex: true })).toHaveProperty('error');
    expect(stepMatch([2, 5, 9], 5, 1)).toBe(9);
    expect(stepMatch([2, 5, 9], 9, 1)).toBe(2);
    expect(stepMatch([2, 5, 9], 2, -1)).toBe(9);
    expect(stepMatch([], 2, -1)).toBe(-1);
  });
  it('holds a bounded window of pages and refetches after appends', async () => {
    let fetches = 0;
    const cache = new LinePageCache<string>(async (start, count) => {
      fetches++;
      return Array.from({ length: count }, (_, i) => `line ${start + i}`);
    }, 10, 3);
    expect(cache.get(25)).toBeUndefined();
    await cache.load(2);
    expect(cache.get(25)).toBe('line 25');
    for (const p of [0, 1, 3, 4]) await cache.load(p);
    expect(cache.size).toBe(3);
    expect(cache.has(25)).toBe(false);
    const f = fetches;
    cache.invalidateFrom(41);
    expect(cache.has(41)).toBe(false);
    await cache.load(4);
    expect(fetches).toBe(f + 1);
  });
});

describe('rasterizer', () => {
  const pal: RasterPalette = {
    head: new Uint32Array(128).fill(hexColor('#ff0000')),
    tail: new Uint32Array(128).fill(hexColor('#880000')),
    free: hexColor('#ffffff'),
    unknown: hexColor('#888888'),
    background: 0,
    grid: 0,
    allocated: hexColor('#00ff00'),
    freed: hexColor('#0000ff'),
    same: hexColor('#333333'),
  };
  it('draws one pixel per block at cell 1, tails in their head colour', () => {
    const kinds = k('h==.S');
    const l = layoutMap([{ address: '0', blocks: 5 }], { width: 8, cell: 1, headerHeight: 1, gap: 0 });
    expect(l.cols).toBe(8);
    const px = new Uint32Array(8 * 2);
    rasterizeMap({ pixels: px, stride: 8, height: 2 }, l, [{ kinds }], pal, { scrollY: 0 });
    expect(Array.from(px.slice(8, 13))).toEqual([pal.head[0], pal.tail[0], pal.tail[0], pal.free, pal.head[0]]);
    expect(px[0]).toBe(0); // header row stays background
  });
  it('fills whole cells and scrolls', () => {
    const kinds = k('h.');
    const l = layoutMap([{ address: '0', blocks: 2 }], { width: 4, cell: 2, headerHeight: 0 });
    const px = new Uint32Array(4 * 2);
    rasterizeMap({ pixels: px, stride: 4, height: 2 }, l, [{ kinds }], pal, { scrollY: 0 });
    expect(Array.from(px)).toEqual([pal.head[0], pal.head[0], pal.free, pal.free, pal.head[0], pal.head[0], pal.free, pal.free]);
    rasterizeMap({ pixels: px, stride: 4, height: 2 }, l, [{ kinds }], pal, { scrollY: 1 });
    expect(Array.from(px.slice(0, 4))).toEqual([pal.head[0], pal.head[0], pal.free, pal.free]);
    expect(Array.from(px.slice(4))).toEqual([0, 0, 0, 0]);
  });
  it('colours the diff map', () => {
    const kinds = k('hS.');
    const l = layoutMap([{ address: '0', blocks: 3 }], { width: 3, cell: 1, headerHeight: 0 });
    const px = new Uint32Array(3);
    rasterizeMap({ pixels: px, stride: 3, height: 1 }, l, [{ kinds }], pal, { scrollY: 0, diff: [Uint8Array.of(SAME, ALLOCATED, FREED)] });
    expect(Array.from(px)).toEqual([pal.same, pal.allocated, pal.freed]);
  });
});

describe('rasterizer at a fractional scroll', () => {
  it('never draws into the gutter', () => {
    const kinds = new Uint8Array(3136).fill(0x68);
    const W = 1073;
    const H = 475;
    const l = layoutMap([{ address: 'a', blocks: 3136 }], { width: W, cell: 12, headerHeight: 22, gap: 12, gutter: 76 });
    const pal: RasterPalette = { head: new Uint32Array(128).fill(1), tail: new Uint32Array(128).fill(2), free: 3, unknown: 4, background: 0, grid: 0, allocated: 5, freed: 6, same: 7 };
    const px = new Uint32Array(W * H);
    rasterizeMap({ pixels: px, stride: W, height: H }, l, [{ kinds }], pal, { scrollY: 27.5 });
    for (let y = 0; y < H; y++) for (let x = 0; x < 76; x++) expect(px[y * W + x]).toBe(0);
  });
});
