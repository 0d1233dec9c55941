/**
 * Opening a session file without its index as objects: the count and summary at open, and the
 * frame series from one paged walk, checked against the full index (getSessionInfo) of the same
 * file. The capture has more dumps than one index page (~256), log lines between dumps, and a
 * MemoryError, so the walk's merge of snapshots and events crosses pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testService } from '../support/service';
import { CORPUS as corpusDir } from '../support/corpus';
import { FileSessionView } from '../../src/main/service';

let dir: string;
let sessionPath: string;
const DUMPS = 700;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hs-series-'));
  const a = readFileSync(join(corpusDir, '022-rp2-v1.23plus-picow-after-soft-reset.txt'), 'utf8');
  const b = readFileSync(join(corpusDir, '024-rp2-v1.23plus-picow-heap-nearly-full.txt'), 'utf8');
  const parts = ['MicroPython v1.23.0 on 2024-06-02; Raspberry Pi Pico W with RP2040'];
  for (let i = 0; i < DUMPS; i++) {
    // Some dumps with no line between them, some with several.
    for (let k = 0; k < i % 3; k++) parts.push(`reading ${i}.${k} = ${i * 7} mV`);
    if (i === 650) parts.push('MemoryError: memory allocation failed, allocating 582 bytes');
    parts.push(i % 5 === 4 ? b : a);
  }
  parts.push('done', '');
  const capture = join(dir, 'many.txt');
  writeFileSync(capture, parts.join('\r\n'));
  sessionPath = join(dir, 'many.hss');
  await testService(dir).importCapture({ path: capture, sessionPath });
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a session file opened without its index as objects', () => {
  it('counts and summarises from the paged index at open', () => {
    const view = FileSessionView.open(sessionPath);
    try {
      expect(view.snapshotCount()).toBe(DUMPS);
      const quick = view.summary();
      const full = FileSessionView.open(sessionPath);
      const frames = full.entries().length;
      const whole = full.summary();
      expect(whole.frames).toBe(frames);
      full.close();
      // Only the first MemoryError needs a walk; everything else is known at open.
      expect({ ...quick, memoryError: whole.memoryError }).toEqual(whole);
      expect(whole.frames).toBe(DUMPS);
      expect(whole.memoryError).toEqual({ bytes: 582 });
    } finally {
      view.close();
    }
  });

  it('serves a frame series equal to the full index, figure for figure', async () => {
    const paged = testService(dir);
    await paged.openSession(sessionPath);
    const series = await paged.getFrameSeries();
    const whole = testService(dir);
    await whole.openSession(sessionPath);
    const info = await whole.getSessionInfo();
    expect(series.frames).toBe(info.snapshots.length);
    expect(series.logLineCount).toBe(info.logLineCount);
    expect(series.events).toEqual(info.events);
    expect(series.events.some((e) => e.kind === 'memoryError')).toBe(true);
    const f = (x: number | null) => (x === null ? NaN : Math.fround(x));
    for (let i = 0; i < info.snapshots.length; i++) {
      const e = info.snapshots[i];
      expect(series.logLine[i]).toBe(e.logLine);
      expect(series.usedBytes[i]).toBe(f(e.metrics.usedBytes));
      expect(series.freeBytes[i]).toBe(f(e.metrics.freeBytes));
      expect(series.largestFreeBytes[i]).toBe(f(e.metrics.largestFreeRunBytes));
      expect(series.fragmentation[i]).toBe(Math.fround(e.metrics.fragmentation));
      expect(series.timeMs[i]).toEqual(e.hostMs ?? e.deviceMs ?? NaN);
    }
    // The log lines run in pages: the logLine of a frame is where its lines end.
    const mid = info.snapshots[400];
    const lines = await whole.getLogLines(0, mid.logLine);
    expect(lines.lines.every((l) => l.snapshot <= 400)).toBe(true);
    await paged.closeSession();
    await whole.closeSession();
  }, 60_000);

  it('completes the recent list with the MemoryError once the background walk is done', async () => {
    const svc = testService(dir);
    await svc.openSession(sessionPath);
    await svc.getFrameSeries();
    // The walk's own recent.add follows the series; give it its turn.
    for (let k = 0; k < 50; k++) {
      const row = (await svc.recentSessions()).find((r) => r.path === sessionPath);
      if (row?.summary?.memoryError) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const row = (await svc.recentSessions()).find((r) => r.path === sessionPath)!;
    expect(row.summary?.frames).toBe(DUMPS);
    expect(row.summary?.memoryError).toEqual({ bytes: 582 });
    await svc.closeSession();
  }, 60_000);
});
