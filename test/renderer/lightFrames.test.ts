/**
 * A big session opens in the window from the per-frame series (FrameIndex.fromSeries), not
 * from an object per index entry: the light index must give the timeline, the transport and
 * the break-up detector the same figures as the full one, for a real session file made from
 * real MicroPython dumps (more than one index page, log lines between dumps, a MemoryError).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testService } from '../support/service';
import { CORPUS as corpusDir } from '../support/corpus';
import { FrameIndex, F_HAS_MAP } from '../../src/shared/view/frameIndex';
import { findBreakups, BreakupDetector } from '../../src/shared/view/breakup';
import type { FrameSeries, SessionInfo } from '../../src/shared/api';

let dir: string;
let info: SessionInfo;
let series: FrameSeries;
let firstMap: Awaited<ReturnType<ReturnType<typeof testService>['getSnapshot']>>;
const DUMPS = 600;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hs-light-'));
  const a = readFileSync(join(corpusDir, '022-rp2-v1.23plus-picow-after-soft-reset.txt'), 'utf8');
  const b = readFileSync(join(corpusDir, '024-rp2-v1.23plus-picow-heap-nearly-full.txt'), 'utf8');
  const parts = ['MicroPython v1.23.0 on 2024-06-02; Raspberry Pi Pico W with RP2040'];
  for (let i = 0; i < DUMPS; i++) {
    for (let k = 0; k < i % 3; k++) parts.push(`reading ${i}.${k} = ${i * 7} mV`);
    if (i === 450) parts.push('MemoryError: memory allocation failed, allocating 582 bytes');
    parts.push(i % 7 === 6 ? b : a);
  }
  parts.push('done', '');
  const capture = join(dir, 'many.txt');
  writeFileSync(capture, parts.join('\r\n'));
  const sessionPath = join(dir, 'many.hss');
  await testService(dir).importCapture({ path: capture, sessionPath });
  const svc = testService(dir);
  await svc.openSession(sessionPath);
  info = await svc.getSessionInfo();
  series = await svc.getFrameSeries();
  firstMap = await svc.getSnapshot(0);
  await svc.closeSession();
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const f32 = (a: Float64Array) => Array.from(Float32Array.from(a));
const breakups = (f: FrameIndex) => findBreakups({ fragmentation: f.col('fragmentation'), free: f.col('free'), total: f.col('total'), largest: f.col('largest') }, 0, new BreakupDetector());

describe('the window’s light frame index (big sessions)', () => {
  it('gives the timeline the same figures as the full index', () => {
    const full = new FrameIndex(info.snapshots);
    const light = FrameIndex.fromSeries(series);
    expect(light.light).toBe(true);
    expect(light.length).toBe(DUMPS);
    expect(light.length).toBe(full.length);
    // The series travels as 32-bit floats: the same figures at that precision.
    for (const c of ['used', 'free', 'largest', 'fragmentation'] as const) expect(f32(light.col(c)), c).toEqual(f32(full.col(c)));
    expect(Array.from(light.col('logLine'))).toEqual(Array.from(full.col('logLine')));
    expect(light.timeBase).toBe(full.timeBase);
    expect(Array.from(light.times())).toEqual(Array.from(full.times()));
    for (let i = 0; i < DUMPS; i += 37) expect(light.logRange(i)).toEqual(full.logRange(i));
    expect(light.has(0, F_HAS_MAP)).toBe(full.has(0, F_HAS_MAP));
    const e = series.events.find((x) => x.kind === 'memoryError')!;
    expect(e).toBeTruthy();
    expect(light.eventTime(e)).toBe(full.eventTime(e));
  });

  it('finds the same break-ups', () => {
    const full = breakups(new FrameIndex(info.snapshots)).map((b) => b.frame);
    expect(breakups(FrameIndex.fromSeries(series)).map((b) => b.frame)).toEqual(full);
  });

  it('learns a frame’s areas and block size when its map is read, and only then', () => {
    const full = new FrameIndex(info.snapshots);
    const light = FrameIndex.fromSeries(series);
    expect(light.areasOf(0)).toEqual([]);
    expect(Number.isNaN(light.cols.blockSize[0])).toBe(true);
    light.learn(firstMap);
    expect(light.areasOf(0)).toEqual(full.areasOf(0));
    expect(light.cols.blockSize[0]).toBe(full.cols.blockSize[0]);
    expect(light.areasOf(1)).toEqual([]);
    // The figures a series does not carry share one column of NaN: learning the block size
    // of frame 0 leaves every other unknown figure unknown.
    expect(Number.isNaN(light.cols.blockSize[1])).toBe(true);
    for (const c of ['deviceMs', 'blocks', 'headBlocks', 'seq', 'freeRuns'] as const) expect(light.col(c).every(Number.isNaN), c).toBe(true);
  });

  it('grows from a light open with frames pushed after it (a session followed live)', () => {
    const full = new FrameIndex(info.snapshots);
    const light = FrameIndex.fromSeries({ ...series, frames: DUMPS - 2 });
    light.push(info.snapshots[DUMPS - 2]);
    light.push(info.snapshots[DUMPS - 1]);
    expect(light.length).toBe(DUMPS);
    // The pushed frames have every figure; those read from the series still have none.
    for (const c of ['blocks', 'headBlocks', 'freeRuns', 'blockSize'] as const) {
      expect(light.cols[c][DUMPS - 1], c).toBe(full.cols[c][DUMPS - 1]);
      expect(light.cols[c][DUMPS - 2], c).toBe(full.cols[c][DUMPS - 2]);
      expect(light.col(c).subarray(0, DUMPS - 2).every(Number.isNaN), c).toBe(true);
    }
    expect(f32(light.col('used'))).toEqual(f32(full.col('used')));
    // A short series leaves room: the frame pushed is written in place, not into the shared column.
    const short = FrameIndex.fromSeries({ ...series, frames: 100 });
    short.push(info.snapshots[100]);
    expect(short.cols.blocks[100]).toBe(full.cols.blocks[100]);
    expect(short.col('blocks').subarray(0, 100).every(Number.isNaN)).toBe(true);
    expect(short.col('headBlocks').subarray(0, 100).every(Number.isNaN)).toBe(true);
  });
});
