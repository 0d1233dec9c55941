import { describe, expect, it } from 'vitest';
import { AGE_BUCKETS, AGE_CODE, AGE_UNTRACKED, ageBucket, ageCodes, bucketLabel } from '../../src/shared/lifetimes/ageMap';
import { objectsAnswer, sortedRows } from '../../src/shared/lifetimes/objects';
import { LifetimeTracker } from '../../src/shared/lifetimes';
import { FREE, TAIL, UNKNOWN } from '../../src/shared/heap/blockKinds';

const map = (s: string) => new Uint8Array([...s].map((c) => (c === '?' ? UNKNOWN : c.charCodeAt(0))));

describe('age buckets', () => {
  it('are powers of two, each label covering exactly its frames', () => {
    for (let f = 1; f <= 300; f++) {
      const b = ageBucket(f);
      const label = bucketLabel(b);
      const m = /^(\d+)(?:–(\d+)|\+)? frames?$/.exec(label)!;
      const lo = Number(m[1]);
      const hi = m[2] ? Number(m[2]) : label.includes('+') ? Infinity : lo;
      expect(f >= lo && f <= hi, `${f} in ${label}`).toBe(true);
    }
    expect(ageBucket(1)).toBe(0);
    expect(ageBucket(1e9)).toBe(AGE_BUCKETS - 1);
  });
});

describe('ageCodes', () => {
  it('replaces heads by their bucket, keeps tails, free and lost blocks', () => {
    const t = new LifetimeTracker();
    // Frame 0: L (3 blocks) and S; frame 1: the S has gone, a D is new; frame 2: same.
    const frames = ['L==S...', 'L==.D=.', 'L==.D=?'];
    frames.forEach((m, i) => t.addFrame({ index: i, timeMs: i * 1000, areas: [{ address: '0', kinds: map(m) }] }));
    const a = objectsAnswer(t, 2).alive!;
    const codes = ageCodes([{ kinds: map(frames[2]) }], a)[0];
    expect([...codes]).toEqual([AGE_CODE + ageBucket(3), TAIL, TAIL, FREE, AGE_CODE + ageBucket(2), TAIL, UNKNOWN]);
    // A head no object accounts for is marked untracked, never given an age.
    const other = ageCodes([{ kinds: map('T=.') }], { area: [], start: [], ageFrames: [] })[0];
    expect([...other]).toEqual([AGE_UNTRACKED, TAIL, FREE]);
  });

  it('compare: New, Gone and Survived with ages counted to each one\'s last sighting', () => {
    const t = new LifetimeTracker();
    ['L==S..', 'L==.D=', 'L==.D='].forEach((m, i) => t.addFrame({ index: i, timeMs: i * 1000, areas: [{ address: '0', kinds: map(m) }] }));
    const c = objectsAnswer(t, 2, 0).compare!;
    expect(c.added.kind).toBe('D');
    expect(c.gone.kind).toBe('S');
    expect(c.gone.diedFrame).toEqual([1]);
    expect(c.gone.ageFrames).toEqual([1]);
    expect(c.survived.kind).toBe('L');
    expect(c.survived.ageFrames).toEqual([3]);
    expect(c.added.ageFrames).toEqual([2]);
    expect(c.totals.survived).toEqual([{ kind: 'L', count: 1, blocks: 3 }]);
  });
});

describe('sortedRows', () => {
  it('orders by any column either way, ties by address', () => {
    const t = new LifetimeTracker();
    // Born at frames 0, 1 and 2: L (3 blocks) at 0, S (2) at 4, D (2) at 7, T (1) at 10.
    ['L==.........', 'L==.S=......', 'L==.S=.D=.T.'].forEach((m, i) => t.addFrame({ index: i, timeMs: i, areas: [{ address: '0', kinds: map(m) }] }));
    const a = objectsAnswer(t, 2).alive!;
    const starts = (key: Parameters<typeof sortedRows>[1], dir: 1 | -1) => [...sortedRows(a, key, dir)].map((j) => a.start[j]);
    expect(starts('address', 1)).toEqual([0, 4, 7, 10]);
    expect(starts('address', -1)).toEqual([10, 7, 4, 0]);
    expect(starts('size', -1)).toEqual([0, 4, 7, 10]); // 3 blocks, then the two of 2 by address, then 1
    expect(starts('size', 1)).toEqual([10, 4, 7, 0]);
    expect(starts('kind', 1)).toEqual([7, 0, 4, 10]); // D L S T
    expect(starts('born', 1)).toEqual([0, 4, 7, 10]);
    expect(starts('born', -1)).toEqual([7, 10, 4, 0]);
  });
});
