import { describe, expect, it } from 'vitest';
import { frameFacts, knownFacts } from '../../src/shared/view/frameFacts';
import { logTicks } from '../../src/shared/view/logTicks';
import { columnStats } from '../../src/shared/view/timelineColumns';

/** The three checks as the timeline made them before, one pass each. */
function byHand(t: number[], used: number[], free: number[], logLine?: number[]) {
  let ordered = true;
  for (let i = 0; i < t.length; i++) if (!(t[i] >= (i ? t[i - 1] : -Infinity)) || t[i] === Infinity) ordered = false;
  let steady = !!logLine;
  if (logLine)
    for (let i = 0; i < t.length; i++)
      if (!Number.isFinite(t[i]) || !Number.isFinite(logLine[i]) || (i > 0 && (t[i] < t[i - 1] || logLine[i] < logLine[i - 1]))) steady = false;
  let heapTop = 0;
  for (let i = 0; i < t.length; i++) heapTop = Math.max(heapTop, (used[i] === used[i] ? used[i] : 0) + (free[i] === free[i] ? free[i] : 0));
  return { ordered, steady, heapTop };
}

describe('the frames’ facts in one pass', () => {
  const cases: Array<[string, number[], number[], number[], number[] | undefined]> = [
    ['a steady session', [0, 1, 1, 2, 5], [10, 20, 30, 20, 10], [90, 80, 70, 80, 90], [0, 0, 3, 3, 7]],
    ['a clock that steps back', [0, 1, 0.5, 2], [1, 2, 3, 4], [1, 1, 1, 1], [0, 1, 2, 3]],
    ['a log count that goes down', [0, 1, 2, 3], [1, 2, 3, 4], [1, 1, 1, 1], [0, 5, 4, 6]],
    ['an unknown time', [0, NaN, 2], [1, 2, 3], [1, 1, 1], [0, 1, 2]],
    ['an infinite time', [0, 1, Infinity], [1, 2, 3], [1, 1, 1], [0, 1, 2]],
    ['a time of −∞ first (ordered, not steady)', [-Infinity, 0, 1], [1, 2, 3], [1, 1, 1], [0, 1, 2]],
    ['an unknown log count', [0, 1, 2], [1, 2, 3], [1, 1, 1], [0, NaN, 2]],
    ['an infinite log count', [0, 1, 2], [1, 2, 3], [1, 1, 1], [0, 1, Infinity]],
    ['unknown used and free (count 0)', [0, 1, 2], [NaN, 5, 100], [7, NaN, NaN], [0, 1, 2]],
    ['no log column', [0, 1, 2], [1, 2, 3], [4, 5, 6], undefined],
    ['no frames', [], [], [], []],
  ];
  for (const [what, t, used, free, logLine] of cases) {
    it(`${what}: the same answers as the three passes`, () => {
      const f = frameFacts(Float64Array.from(t), Float64Array.from(used), Float64Array.from(free), logLine && Float64Array.from(logLine));
      expect({ ordered: f.ordered, steady: f.steady, heapTop: f.heapTop }).toEqual(byHand(t, used, free, logLine));
    });
  }

  it('is found once per arrays; other arrays with the same times are scanned again', () => {
    const t = Float64Array.from([0, 1, 2]);
    const used = Float64Array.from([1, 2, 3]);
    const free = Float64Array.from([5, 5, 5]);
    expect(knownFacts(t)).toBeUndefined();
    const a = frameFacts(t, used, free);
    expect(knownFacts(t)).toBe(a);
    expect(frameFacts(t, used, free)).toBe(a);
    const b = frameFacts(t, used, Float64Array.from([50, 5, 5]));
    expect(b).not.toBe(a);
    expect(b.heapTop).toBe(51);
  });

  it('logTicks and columnStats draw the same with the facts known first as without', () => {
    const n = 20_000;
    const t = new Float64Array(n);
    const logLine = new Float64Array(n);
    const used = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      t[i] = i * 0.35;
      logLine[i] = Math.floor(i / 3) + (i % 7 === 0 ? 1 : 0);
      used[i] = 1000 + (i % 97) * 13 + (i === 12_345 ? 50_000 : 0);
    }
    // Copies: the caches of either module hold nothing for them yet.
    const ticksCold = logTicks(t.slice(), logLine.slice(), 0, t[n - 1], 300);
    const colsCold = columnStats(t.slice(), [used], 0, t[n - 1], 500);
    frameFacts(t, used, used, logLine);
    expect(logTicks(t, logLine, 0, t[n - 1], 300)).toEqual(ticksCold);
    expect(columnStats(t, [used], 0, t[n - 1], 500)).toEqual(colsCold);
    // A clock that stepped back, known first: both take their walk, and agree with it done cold.
    const back = t.slice();
    back[5000] = back[4000];
    const ticksBack = logTicks(back.slice(), logLine, 0, back[n - 1], 300);
    const colsBack = columnStats(back.slice(), [used], 0, back[n - 1], 500);
    expect(frameFacts(back, used, used, logLine).ordered).toBe(false);
    expect(logTicks(back, logLine, 0, back[n - 1], 300)).toEqual(ticksBack);
    expect(columnStats(back, [used], 0, back[n - 1], 500)).toEqual(colsBack);
  });
});
