import { describe, expect, it } from 'vitest';
import { fragmentationBlame } from '../../src/shared/view/fragmentationBlame';
import { readCapture } from '../../src/shared/capture/captureReader';
import { computeMetrics } from '../../src/shared/heap/metrics';
import { corpusFile, snapshotsOf } from '../support/corpus';

const k = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** The slow way: free each object on a copy and measure the longest run. */
function slow(areas: { kinds: Uint8Array }[]): number[] {
  const longestOf = (xs: Uint8Array) => {
    let best = 0;
    let run = 0;
    for (const c of xs) best = Math.max(best, (run = c === 46 ? run + 1 : 0));
    return best;
  };
  const now = Math.max(0, ...areas.map((a) => longestOf(a.kinds)));
  const out: number[] = [];
  areas.forEach((a) => {
    for (let i = 0; i < a.kinds.length; i++) {
      const c = a.kinds[i];
      if (c === 46 || c === 61) continue;
      let end = i + 1;
      while (end < a.kinds.length && a.kinds[end] === 61) end++;
      const touches = (i > 0 && a.kinds[i - 1] === 46) || (end < a.kinds.length && a.kinds[end] === 46);
      const copy = a.kinds.slice();
      copy.fill(46, i, end);
      // The run containing the freed object.
      let s = i;
      while (s > 0 && copy[s - 1] === 46) s--;
      let e = end;
      while (e < copy.length && copy[e] === 46) e++;
      if (touches && e - s > now) out.push(e - s);
    }
  });
  return out.sort((x, y) => y - x);
}

describe('fragmentation blame', () => {
  it('names the small objects that keep two holes apart', () => {
    //            0123456789012345678
    const a = [{ kinds: k('....S=....h....T===') }];
    const r = fragmentationBlame(a);
    expect(r.longest).toBe(4);
    expect(r.objects.map((o) => [o.head, o.blocks, String.fromCharCode(o.code), o.runIfFreed])).toEqual([
      [4, 2, 'S', 10],
      [10, 1, 'h', 9],
      [15, 4, 'T', 8],
    ]);
    expect(r.count).toBe(3);
  });

  it('leaves out objects with no free space beside them, and runs no longer than the longest', () => {
    expect(fragmentationBlame([{ kinds: k('hh=hS==') }]).objects).toEqual([]); // no free space at all
    // The longest run is 10; freeing the h would give 2 + 1 + 10 = 13, so it is named.
    expect(fragmentationBlame([{ kinds: k('..h..........') }]).objects.map((o) => o.runIfFreed)).toEqual([13]);
    // An object between short holes, with a longer run in another area: not named.
    expect(fragmentationBlame([{ kinds: k('..h..') }, { kinds: k('..........') }]).objects).toEqual([]);
  });

  it('agrees with freeing each object on a copy, on random heaps and across areas', () => {
    let x = 7;
    const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let t = 0; t < 200; t++) {
      const areas = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
        const n = 1 + Math.floor(rnd() * 120);
        return { kinds: Uint8Array.from({ length: n }, () => (rnd() < 0.45 ? 46 : rnd() < 0.5 ? 61 : 'hSLT'.charCodeAt(Math.floor(rnd() * 4)))) };
      });
      const r = fragmentationBlame(areas, 1000);
      expect(r.objects.map((o) => o.runIfFreed)).toEqual(slow(areas));
      expect(r.count).toBe(r.objects.length);
    }
  });

  it('finds the blockers in a real dump from a board', () => {
    const snap = snapshotsOf(readCapture(corpusFile('024-rp2-v1.23plus-picow-heap-nearly-full.txt'))).find((s) => s.areas.length > 0)!;
    const r = fragmentationBlame(snap.areas);
    expect(r.longest).toBe(computeMetrics(snap).largestFreeRun);
    expect(r.objects.map((o) => o.runIfFreed)).toEqual(slow(snap.areas).slice(0, 10));
  });
});
