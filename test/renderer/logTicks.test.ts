import { describe, expect, it } from 'vitest';
import { logTicks } from '../../src/shared/view/logTicks';

describe('log lines on the timeline', () => {
  it('puts the lines printed before each dump in that dump’s bucket', () => {
    // Frames at 0, 1, 2, 3 s; 2 lines before the first dump, none, 5, 1.
    const t = [0, 1, 2, 3];
    const before = [2, 2, 7, 8];
    expect([...logTicks(t, before, 0, 3, 4)]).toEqual([2, 0, 5, 1]);
    // Fewer buckets than frames: counts add up, none lost.
    const two = logTicks(t, before, 0, 3, 2);
    expect(two[0] + two[1]).toBe(8);
  });

  it('skips frames without a line count and never goes backwards', () => {
    expect([...logTicks([0, 1, 2], [3, NaN, 4], 0, 2, 3)]).toEqual([3, 0, 1]);
    expect([...logTicks([0], [0], 0, 0, 5)]).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('log ticks over a day of frames', () => {
  it('counts the same by binary search as frame by frame', () => {
    const n = 50_000;
    const t = new Float64Array(n);
    const lines = new Float64Array(n);
    let x = 7;
    const rnd = () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    for (let i = 0, l = 0; i < n; i++) {
      t[i] = i * 0.35 + (rnd() < 0.01 ? 30 : 0) + (i > 0 ? t[i - 1] - (i - 1) * 0.35 : 0);
      l += rnd() < 0.3 ? Math.floor(rnd() * 5) : 0;
      lines[i] = l;
    }
    const fast = logTicks(t, lines, t[0], t[n - 1], 600);
    // The same counts frame by frame (a NaN anywhere takes the frame-by-frame path).
    const slowLines = Float64Array.from(lines);
    slowLines[n - 1] = NaN;
    const slow = logTicks(t, slowLines, t[0], t[n - 1], 600);
    const last = lines[n - 1] - lines[n - 2];
    slow[599] += last;
    expect([...fast]).toEqual([...slow]);
    expect(fast.reduce((a, b) => a + b, 0)).toBe(lines[n - 1]);
  });
});
