import { describe, expect, it } from 'vitest';
import type { SnapshotIndexEntry } from '../../src/shared/api';
import { eventFrame, FrameIndex, stepEvent } from '../../src/shared/view/frameIndex';
import { layoutMap, runOutline } from '../../src/shared/view/mapLayout';
import { SnapshotCache } from '../../src/renderer/state/snapshotCache';

function entry(i: number, o: Partial<SnapshotIndexEntry> = {}, kinds: Record<string, number> = { h: i + 1 }): SnapshotIndexEntry {
  return {
    index: i,
    line: i * 10 + 1,
    byteStart: 0,
    byteEnd: 0,
    framing: 'helper',
    seq: i,
    deviceMs: 1000 + i * 500,
    hostMs: null,
    collected: false,
    blockSize: 16,
    addressStyle: 'off8',
    areas: [{ address: '20000000', blocks: 100 }],
    printed: null,
    stats: null,
    complete: true,
    consistent: true,
    problems: [],
    metrics: {
      blocks: 100,
      unknownBlocks: 0,
      freeBlocks: 50,
      headBlocks: 10,
      tailBlocks: 40,
      usedBytes: 800 + i,
      freeBytes: 800 - i,
      totalBytes: 1600,
      largestFreeRun: 20,
      largestFreeRunBytes: 320,
      freeRuns: 3,
      fragmentation: 0.6,
      kinds,
      oneBlockAllocs: 1,
      twoBlockAllocs: 1,
      largestAlloc: 9,
    },
    logLine: i * 2 + 1,
    ...o,
  };
}

describe('frame index', () => {
  it('keeps columns, kinds and shared area layouts, and grows', () => {
    const f = new FrameIndex();
    for (let i = 0; i < 200; i++) f.push(entry(i, {}, i === 150 ? { h: 3, S: 7 } : { h: i + 1 }));
    expect(f.length).toBe(200);
    expect(f.col('used')[199]).toBe(999);
    expect(f.kinds.get('S')![150]).toBe(7);
    expect(f.kinds.get('S')![149]).toBe(0);
    expect(f.kinds.get('S')![151]).toBe(0);
    expect(f.areasOf(0)).toBe(f.areasOf(199));
    expect(f.logRange(0)).toEqual({ start: 0, end: 1 });
    expect(f.logRange(3)).toEqual({ start: 5, end: 7 });
  });
  it('uses host time, else device ticks (forward across reboots), else the index', () => {
    const dev = new FrameIndex([entry(0), entry(1), entry(2, { deviceMs: 10 }), entry(3, { deviceMs: 510 })]);
    expect(dev.timeBase).toBe('device');
    expect(Array.from(dev.times())).toEqual([0, 0.5, 0.501, 1.001].map((x) => expect.closeTo(x, 6)) as unknown as number[]);
    const host = new FrameIndex([entry(0, { hostMs: 5000 }), entry(1, { hostMs: 5250 })]);
    expect(host.timeBase).toBe('host');
    expect(host.t[1]).toBeCloseTo(0.25);
    const none = new FrameIndex([entry(0, { deviceMs: null }), entry(1, { deviceMs: null })]);
    expect(none.timeBase).toBe('index');
    expect(none.t[1]).toBe(1);
    // A frame without a clock arriving later switches the base for all.
    const live = new FrameIndex();
    live.push(entry(0, { hostMs: 1 }));
    live.push(entry(1, { hostMs: 2 }));
    expect(live.timeBase).toBe('host');
    live.push(entry(2, { hostMs: null, deviceMs: null }));
    expect(live.timeBase).toBe('index');
  });
  it('steps between events, landing on the last heap before each', () => {
    const evs = [
      { snapshot: 0, kind: 'banner' },
      { snapshot: 4, kind: 'memoryError' },
      { snapshot: 7, kind: 'mark' },
      { snapshot: 10, kind: 'memoryError' },
    ];
    expect(eventFrame(evs[1], 10)).toBe(3);
    expect(eventFrame(evs[3], 10)).toBe(9); // after the last dump: the last frame
    expect(eventFrame(evs[0], 10)).toBe(0);
    const isME = (e: { kind: string }) => e.kind === 'memoryError';
    expect(stepEvent(evs, 10, 0, 1, isME)).toBe(evs[1]);
    expect(stepEvent(evs, 10, 3, 1, isME)).toBe(evs[3]);
    expect(stepEvent(evs, 10, 9, 1, isME)).toBeNull();
    expect(stepEvent(evs, 10, 9, -1, isME)).toBe(evs[1]);
    expect(stepEvent(evs, 10, 5, -1)).toBe(evs[1]);
  });
});

describe('run outline', () => {
  const l = layoutMap([{ address: '0', blocks: 1000 }], { width: 64, cell: 1, headerHeight: 0 });
  it('is a rectangle on one row and a selection shape across rows', () => {
    expect(runOutline(l, 0, 2, 3)).toEqual([[2, 0], [5, 0], [5, 1], [2, 1]]);
    expect(runOutline(l, 0, 60, 70)).toEqual([[60, 0], [64, 0], [64, 2], [2, 2], [2, 3], [0, 3], [0, 1], [60, 1]]);
    // Two pieces that do not touch: no single polygon.
    expect(runOutline(l, 0, 62, 4)).toEqual([]);
  });
});

describe('snapshot cache', () => {
  const snap = (i: number, n: number) => ({ index: i, blockSize: 16, addressStyle: null, areas: [{ address: 'a', blocks: n, kinds: new Uint8Array(n) }] });
  it('evicts the least recently used past its byte bound', () => {
    const c = new SnapshotCache(3 * 1300, 100);
    for (let i = 0; i < 3; i++) c.put(snap(i, 1000));
    expect(c.size).toBe(3);
    c.get(0); // 0 is now the most recent
    c.put(snap(3, 1000));
    expect(c.has(0)).toBe(true);
    expect(c.has(1)).toBe(false);
    expect(c.byteSize).toBeLessThanOrEqual(3 * 1300);
  });
});
