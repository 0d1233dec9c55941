/**
 * Which frames a film strip of a long session shows: the cheap frame (a segment's first) nearest
 * each evenly spaced position, and a spike in a column's stretch in place of its frame.
 */
import { describe, expect, it } from 'vitest';
import { chooseStripFrames, keepSpikes } from '../../src/main/service/stripFrames';
import { chooseColumns } from '../../src/shared/view/filmStrip';

describe('strip frames', () => {
  it('takes the cheap frame within half a column of each evenly spaced one, else that one', () => {
    const heads = Array.from({ length: 40 }, (_, k) => k * 256);
    const f = chooseStripFrames(10_000, 20, heads);
    const even = chooseColumns(10_000, 20);
    expect(f[0]).toBe(0);
    expect(f[f.length - 1]).toBe(9_999);
    for (let c = 1; c < f.length - 1; c++) {
      expect(heads.includes(f[c])).toBe(true);
      expect(Math.abs(f[c] - even[c])).toBeLessThanOrEqual(9_999 / 19 / 2);
    }
    // Columns closer together than segments: the even frames where no head is near.
    const dense = chooseStripFrames(1_000, 500, [0, 256, 512, 768]);
    expect(dense).toEqual([...new Set(dense)].sort((a, b) => a - b));
    // Columns next to a head may take it both: at most as many as asked, a few fewer at most.
    expect(dense.length).toBeLessThanOrEqual(500);
    expect(dense.length).toBeGreaterThanOrEqual(500 - 2 * 3);
    expect(dense.filter((x) => x % 256 === 0)).toEqual([0, 256, 512, 768]);
    // Every frame fits: every frame.
    expect(chooseStripFrames(30, 64, [0, 16])).toEqual(chooseColumns(30, 64));
  });

  it('keeps a one-dump spike, and no frame of a heap that only grows', () => {
    const n = 1_000;
    const used = new Float32Array(n).fill(40_000);
    const free = new Float32Array(n).fill(60_000);
    used[300] = 90_000;
    free[300] = 10_000;
    const frames = chooseColumns(n, 10);
    const kept = keepSpikes(frames, used, free);
    expect(frames).not.toContain(300);
    expect(kept.filter((x) => !frames.includes(x))).toEqual([300]);
    // A heap growing by 40 % of itself across the session: no spike anywhere.
    const grow = Float32Array.from({ length: n }, (_, i) => 20_000 + 40 * i);
    const rest = Float32Array.from(grow, (u) => 100_000 - u);
    expect(keepSpikes(frames, grow, rest)).toEqual(frames);
    // A spike on a stretch's edge is kept too; frames with no figures (NaN) are never picked.
    const edge = new Float32Array(n).fill(40_000);
    const mid = Math.floor((frames[3] + frames[4]) / 2);
    edge[mid] = 95_000;
    edge[500] = NaN;
    const k2 = keepSpikes(frames, edge, free);
    expect(k2).toContain(mid);
    expect(k2).not.toContain(500);
  });
});
