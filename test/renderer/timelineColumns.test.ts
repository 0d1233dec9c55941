import { describe, expect, it } from 'vitest';
import { columnStats, seriesBlocks, stackLayers, ticksFrom, DECIMAL_STEPS, TIME_STEPS } from '../../src/shared/view/timelineColumns';

describe('the timeline reduced to pixel columns', () => {
  it('keeps first, last, min and max of each column', () => {
    // Frames at 0..7 s over 4 columns of 2 s each (the last frame lands in the last column).
    const t = [0, 1, 2, 3, 4, 5, 6, 7];
    const v = [5, 3, 9, 1, 4, 4, NaN, 2];
    const c = columnStats(t, [v], 0, 8, 4);
    expect([...c.count]).toEqual([2, 2, 2, 2]);
    expect([...c.first[0]]).toEqual([5, 9, 4, 2]);
    expect([...c.last[0]]).toEqual([3, 1, 4, 2]);
    expect([...c.min[0]]).toEqual([3, 1, 4, 2]);
    expect([...c.max[0]]).toEqual([5, 9, 4, 2]);
  });

  it('keeps a one-frame spike among 250,000 frames at the width of a screen', () => {
    const n = 250_000;
    const t = new Float64Array(n);
    const used = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      t[i] = i * 0.35;
      used[i] = 100_000 + (i % 7);
    }
    const spike = 123_457;
    used[spike] = 180_000;
    const dip = 200_001;
    used[dip] = 10;
    const cols = 1200;
    const c = columnStats(t, [used], t[0], t[n - 1], cols);
    let total = 0;
    for (const k of c.count) total += k;
    expect(total).toBe(n);
    const at = (i: number) => Math.min(cols - 1, Math.floor(((t[i] - t[0]) / (t[n - 1] - t[0])) * cols));
    expect(c.max[0][at(spike)]).toBe(180_000);
    expect(c.min[0][at(dip)]).toBe(10);
    // Nowhere else does the line reach either.
    let above = 0;
    let below = 0;
    for (let k = 0; k < cols; k++) {
      if (c.max[0][k] > 100_006) above++;
      if (c.min[0][k] < 100_000) below++;
    }
    expect([above, below]).toEqual([1, 1]);
  });

  it('leaves columns without frames empty, and frames out of range at the edges', () => {
    const c = columnStats([-5, 0, 10, 99], [[1, 2, 3, 4]], 0, 10, 5);
    expect([...c.count]).toEqual([2, 0, 0, 0, 2]);
    expect(c.first[0][1]).toBeNaN();
    expect([c.first[0][0], c.last[0][0], c.first[0][4], c.last[0][4]]).toEqual([1, 2, 3, 4]);
  });

  it('puts every frame in the column its time falls in, found by binary search on ordered times', () => {
    // Many frames per column (the search path), with repeated times, uneven gaps and frames
    // outside [t0, t1]: each column's count and figures equal a frame-by-frame reference.
    let x = 7;
    const rnd = () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const n = 20_000;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    let now = -50;
    for (let i = 0; i < n; i++) {
      now += rnd() < 0.2 ? 0 : rnd() * rnd() * 3;
      t[i] = now;
      v[i] = rnd() < 0.01 ? NaN : Math.round(rnd() * 1000);
    }
    for (const [t0, t1, cols] of [[t[0], t[n - 1], 700], [0, t[n - 1] / 2, 333], [t[100], t[n - 1] + 500, 1000]] as const) {
      const c = columnStats(t, [v], t0, t1, cols);
      const count = new Array(cols).fill(0);
      const max = new Array(cols).fill(-Infinity);
      const min = new Array(cols).fill(Infinity);
      for (let i = 0; i < n; i++) {
        const col = Math.min(cols - 1, Math.max(0, Math.floor((t[i] - t0) * (cols / (t1 - t0)))));
        count[col]++;
        if (v[i] === v[i]) {
          max[col] = Math.max(max[col], v[i]);
          min[col] = Math.min(min[col], v[i]);
        }
      }
      expect([...c.count]).toEqual(count);
      expect([...c.max[0]].map((m) => (m === m ? m : -Infinity))).toEqual(max);
      expect([...c.min[0]].map((m) => (m === m ? m : Infinity))).toEqual(min);
    }
  });

  it('stays in order when the clock steps back', () => {
    const c = columnStats([0, 5, 2, 9], [[1, 2, 3, 4]], 0, 10, 2);
    expect([...c.count]).toEqual([1, 3]);
    expect([c.first[0][1], c.last[0][1]]).toEqual([2, 4]);
  });

  it('stacks layers frame by frame, unknown counting as none', () => {
    const s = stackLayers([[1, 2, NaN], [10, 20, 30]], 3);
    expect([...s[0]]).toEqual([1, 2, 0]);
    expect([...s[1]]).toEqual([11, 22, 30]);
  });

  it('picks ticks a clock reads, far enough apart', () => {
    // A day over 1000 px, labels at least 90 px apart: every 3 hours.
    expect(ticksFrom(0, 86400, 1000, 90, TIME_STEPS)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24].map((h) => h * 3600));
    // Frame numbers.
    expect(ticksFrom(0, 100, 500, 100, DECIMAL_STEPS)).toEqual([0, 20, 40, 60, 80, 100]);
    // Past the longest step: whole days.
    expect(ticksFrom(0, 10 * 86400, 100, 50, TIME_STEPS)).toEqual([0, 5 * 86400, 10 * 86400]);
    expect(ticksFrom(3, 3, 100, 50, TIME_STEPS)).toEqual([3]);
  });
});

describe('columns from blocks', () => {
  it('gives what the frame-by-frame reduction gives, unknown values and all', () => {
    const n = 40_000;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    let x = 3;
    const rnd = () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    for (let i = 0; i < n; i++) {
      t[i] = i + (i > 20_000 ? 5000 : 0); // a gap: empty columns
      v[i] = rnd() < 0.05 ? NaN : Math.floor(rnd() * 1000);
    }
    for (let i = 1000; i < 1200; i++) v[i] = NaN; // a stretch with nothing known
    v[777] = 5000;
    for (const cols of [7, 100, 333, 640]) {
      const plain = columnStats(t, [v], t[0], t[n - 1], cols);
      const fast = columnStats(t, [v], t[0], t[n - 1], cols, [seriesBlocks(v)]);
      for (const k of ['first', 'last', 'min', 'max'] as const) expect([...fast[k][0]]).toEqual([...plain[k][0]]);
      expect(Math.max(...fast.max[0].filter((y) => y === y))).toBe(5000);
    }
  });
});
