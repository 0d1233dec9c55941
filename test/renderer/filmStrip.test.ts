/**
 * The film strip's binning (src/shared/view/filmStrip.ts): tails counted for the head before
 * them across bins, map lines and not across areas; free majority; lost blocks; frames without
 * a map; fewer blocks than rows; the column choice; and x ↔ frame.
 */
import { describe, expect, it } from 'vitest';
import { FREE, TAIL, UNKNOWN } from '../../src/shared/heap/blockKinds';
import { binBlocks, binBounds, binHeap, chooseColumns, frameToX, STRIP_NO_MAP, usedRows, xToFrame } from '../../src/shared/view/filmStrip';

const k = (s: string) => Uint8Array.from(s, (ch) => (ch === '?' ? UNKNOWN : ch.charCodeAt(0)));
const area = (s: string) => ({ kinds: k(s) });
const str = (b: Uint8Array) => Array.from(b, (c) => (c === UNKNOWN ? '?' : c === STRIP_NO_MAP ? '#' : String.fromCharCode(c))).join('');

/** The rule written out the slow way: each block's owner first, then a vote per bin. */
function reference(areas: { kinds: Uint8Array }[], rows: number): string {
  const owners: number[] = [];
  for (const a of areas) {
    let owner = TAIL;
    for (const c of a.kinds) {
      if (c === FREE) {
        owners.push(FREE);
        owner = TAIL;
      } else if (c === TAIL) owners.push(owner);
      else {
        owners.push(c);
        owner = c;
      }
    }
  }
  if (owners.length === 0) return '#'.repeat(rows);
  let out = '';
  for (let r = 0; r < rows; r++) {
    const [s, e] = binBounds(owners.length, rows, r);
    const bin = owners.slice(s, e);
    const free = bin.filter((c) => c === FREE).length;
    if (free * 2 > bin.length) {
      out += '.';
      continue;
    }
    // The most blocks; a tie goes to the owner whose count got there first.
    const counts = new Map<number, number>();
    let best = -1;
    let most = 0;
    for (const c of bin) {
      if (c === FREE) continue;
      const n = (counts.get(c) ?? 0) + 1;
      counts.set(c, n);
      if (n > most) [best, most] = [c, n];
    }
    out += best === UNKNOWN ? '?' : String.fromCharCode(best);
  }
  return out;
}

describe('binHeap', () => {
  it('counts tails for the head before them, across bin boundaries', () => {
    // Bins of 2: [D =] [= =] [= .] [. .]
    expect(str(binHeap([area('D====...')], 4))).toBe('DDD.');
  });

  it('carries the head across map lines (one array per area)', () => {
    // Two 64-block map lines: an S object of 16 blocks straddles the line break.
    const line1 = '.'.repeat(56) + 'S' + '='.repeat(7);
    const line2 = '='.repeat(8) + '.'.repeat(56);
    expect(str(binHeap([area(line1 + line2)], 16))).toBe('.......SS.......');
  });

  it('does not carry a head from one area into the next', () => {
    expect(str(binHeap([area('L='), area('==')], 2))).toBe('L=');
    expect(str(binHeap([area('L==='), area('.'.repeat(4))], 2))).toBe('L.');
  });

  it('is free only when more than half of the bin is free', () => {
    expect(str(binHeap([area('...h')], 1))).toBe('.');
    expect(str(binHeap([area('..h=')], 1))).toBe('h');
    expect(str(binHeap([area('.h.L')], 1))).toBe('h'); // a tie between owners: the first to get there
  });

  it('gives the bin to the kind owning most of its used blocks', () => {
    expect(str(binHeap([area('hL==')], 1))).toBe('L');
    expect(str(binHeap([area('hhhT=..')], 1))).toBe('h');
    expect(str(binHeap([area('TTT=..L=====')], 2))).toBe('TL');
  });

  it('keeps lost blocks unknown, and the tails after them', () => {
    expect(str(binHeap([area('??==h...')], 2))).toBe('?.');
    expect(str(binHeap([area('L?==')], 1))).toBe('?');
    expect(str(binHeap([area('L=?=')], 1))).toBe('L'); // L 2, lost 2: L got there first
    expect(str(binHeap([area('hLL=h=')], 1))).toBe('L'); // L 3, h 3: L got there first
  });

  it('marks tails with no head before them', () => {
    expect(str(binHeap([area('==..')], 2))).toBe('=.');
    expect(str(binHeap([area('L.==')], 2))).toBe('L='); // a free block ends the object
  });

  it('fills a frame without a map with the no-map class', () => {
    expect(str(binHeap([], 16))).toBe('#'.repeat(16));
    expect(str(binHeap([area('')], 16))).toBe('#'.repeat(16));
  });

  it('stretches a heap with fewer blocks than rows', () => {
    expect(str(binHeap([area('L=.T')], 16))).toBe('LLLLLLLL....TTTT');
    expect(str(binHeap([area('S='), area('.')], 6))).toBe('SSSS..');
  });

  it('writes into a column of a bigger buffer', () => {
    const out = new Uint8Array(12).fill(0x7e);
    binHeap([area('hh..')], 4, out, 4);
    expect(str(out)).toBe('~~~~hh..~~~~');
  });

  it('agrees with the rule written out the slow way on random heaps', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const alphabet = '..........======hLDTS?';
    for (let t = 0; t < 300; t++) {
      const areas = Array.from({ length: 1 + rand(3) }, () => area(Array.from({ length: rand(700) }, () => alphabet[rand(alphabet.length)]).join('')));
      const rows = 16 + rand(200);
      expect(str(binHeap(areas, rows))).toBe(reference(areas, rows));
    }
  });
});

describe('chooseColumns', () => {
  it('takes every frame when they fit', () => {
    expect(chooseColumns(0, 10)).toEqual([]);
    expect(chooseColumns(3, 10)).toEqual([0, 1, 2]);
    expect(chooseColumns(10, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('spaces them evenly otherwise, first and last always', () => {
    expect(chooseColumns(5, 2)).toEqual([0, 4]);
    expect(chooseColumns(11, 3)).toEqual([0, 5, 10]);
    expect(chooseColumns(5, 1)).toEqual([4]);
    const c = chooseColumns(10_000, 1200);
    expect(c.length).toBe(1200);
    expect(c[0]).toBe(0);
    expect(c[c.length - 1]).toBe(9999);
    for (let i = 1; i < c.length; i++) {
      expect(c[i] - c[i - 1]).toBeGreaterThanOrEqual(8);
      expect(c[i] - c[i - 1]).toBeLessThanOrEqual(9);
    }
  });
});

describe('positions', () => {
  it('maps each column centre to its frame, and frames back to x in order', () => {
    for (const [n, cols] of [
      [100, 10],
      [7, 7],
      [10_000, 1200],
    ] as const) {
      const frames = chooseColumns(n, cols);
      const W = 1000;
      frames.forEach((f, i) => {
        const centre = ((i + 0.5) / frames.length) * W;
        expect(xToFrame(centre, frames, W)).toBe(f);
        expect(frameToX(f, frames, W)).toBeCloseTo(centre, 6);
      });
      expect(xToFrame(-50, frames, W)).toBe(0);
      expect(xToFrame(W + 50, frames, W)).toBe(n - 1);
    }
    expect(xToFrame(10, [4], 100)).toBe(4);
    expect(frameToX(4, [4], 100)).toBe(50);
  });

  it('says which blocks a bin covers, across areas', () => {
    const areas = [{ blocks: 10 }, { blocks: 6 }];
    expect(binBlocks(areas, 16, 3)).toEqual({ first: { area: 0, block: 3 }, last: { area: 0, block: 3 }, blocks: 1 });
    expect(binBlocks(areas, 16, 10)).toEqual({ first: { area: 1, block: 0 }, last: { area: 1, block: 0 }, blocks: 1 });
    expect(binBlocks(areas, 2, 0)).toEqual({ first: { area: 0, block: 0 }, last: { area: 0, block: 7 }, blocks: 8 });
    expect(binBlocks(areas, 2, 1)).toEqual({ first: { area: 0, block: 8 }, last: { area: 1, block: 5 }, blocks: 8 });
    expect(binBlocks([], 16, 0)).toBeNull();
  });

  it('finds the rows the session used', () => {
    const col = (t: string) => k(t.replace(/#/g, String.fromCharCode(STRIP_NO_MAP)));
    const data = (...cols: string[]) => Uint8Array.from(cols.flatMap((c) => [...col(c)]));
    expect(usedRows(data('h...', '....'), 2, 4)).toEqual([0, 1]);
    expect(usedRows(data('..h.', '.L=.', '####'), 3, 4)).toEqual([1, 3]);
    expect(usedRows(data('....', '####'), 2, 4)).toBeNull();
    expect(usedRows(data('?...', '...h'), 2, 4)).toEqual([0, 4]);
  });
});
