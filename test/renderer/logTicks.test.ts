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
