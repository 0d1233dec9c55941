import { describe, expect, it } from 'vitest';
import { BreakupDetector, breakupRange, findBreakups } from '../../src/shared/view/breakup';

/** Columns for a 100 KiB heap from (free KiB, longest free run KiB) pairs. */
function cols(frames: Array<[number, number]>) {
  const K = 1024;
  return {
    free: frames.map(([f]) => f * K),
    largest: frames.map(([, l]) => l * K),
    total: frames.map(() => 100 * K),
    fragmentation: frames.map(([f, l]) => (f ? 1 - l / f : 0)),
  };
}

describe('where the heap broke apart', () => {
  it('marks the first frame where plenty is free but only in small pieces', () => {
    // Filling up in one piece, then half the buffers freed in between the others.
    const c = cols([
      [90, 89],
      [60, 59],
      [30, 29],
      [5, 4],
      [40, 3],
      [45, 3],
      [44, 2],
    ]);
    const b = findBreakups(c);
    expect(b.map((x) => x.frame)).toEqual([4]);
    expect(b[0].freeBytes).toBe(40 * 1024);
    expect(b[0].largestBytes).toBe(3 * 1024);
  });

  it('does not call a nearly full heap with one small hole broken apart', () => {
    expect(findBreakups(cols([[90, 90], [3, 0.5], [2, 0.25]]))).toEqual([]);
  });

  it('fires once while the heap stays broken, and again after it heals', () => {
    const c = cols([
      [50, 49],
      [50, 10], // 0.8: breaks
      [50, 20], // 0.6: still broken (above OFF)
      [50, 8], // 0.84: no second marker
      [50, 40], // 0.2: healed
      [50, 5], // 0.9: breaks again
    ]);
    expect(findBreakups(c).map((x) => x.frame)).toEqual([1, 5]);
  });

  it('skips frames without figures (stats-only or damaged)', () => {
    const c = cols([[50, 49], [50, 5]]);
    c.fragmentation.splice(1, 0, NaN);
    c.free.splice(1, 0, NaN);
    c.largest.splice(1, 0, NaN);
    c.total.splice(1, 0, NaN);
    expect(findBreakups(c).map((x) => x.frame)).toEqual([2]);
  });

  it('gives the same answer fed live, frame by frame, as over the whole session', () => {
    const c = cols([[80, 79], [40, 3], [70, 69], [30, 2], [30, 1]]);
    const whole = findBreakups(c);
    const d = new BreakupDetector();
    const live = [];
    for (let n = 1; n <= c.free.length; n++) {
      const part = { free: c.free.slice(0, n), largest: c.largest.slice(0, n), total: c.total.slice(0, n), fragmentation: c.fragmentation.slice(0, n) };
      live.push(...findBreakups(part, d.frames, d));
    }
    expect(live).toEqual(whole);
    expect(whole.map((x) => x.frame)).toEqual([1, 3]);
  });

  it('picks the range from before the last break-up to the MemoryError', () => {
    const b = findBreakups(cols([[80, 79], [40, 3], [70, 69], [30, 2], [30, 1]]));
    expect(breakupRange(b, 4, 2)).toEqual([1, 4]);
    expect(breakupRange(b, 2, 2)).toEqual([0, 2]);
    expect(breakupRange(b, 4)).toEqual([0, 4]); // ten frames of lead, clamped at the start
    expect(breakupRange(b, 0)).toBeNull();
  });
});
