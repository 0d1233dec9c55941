import { afterEach, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/shared/capture/captureReader';
import { findBreakups } from '../../src/shared/view/breakup';
import type { HeapSnapshot } from '../../src/shared/heap/snapshot';
import { demoSource, HELPER, launcher, startBoard, type WorkerBoard } from './boardHarness';
import { parseFrames } from './frames';

let board: WorkerBoard | null = null;
afterEach(async () => {
  await board?.close();
  board = null;
});

async function runDemo(name: string, opts: { seconds: number; period?: number; collect?: boolean }) {
  board = await startBoard({ files: { '/mem_dump.py': HELPER, '/main.py': demoSource(name) } });
  const t0 = Date.now();
  const end = await board.execFor(launcher(opts.period ?? 350, opts.collect ?? false), opts.seconds * 1000);
  const text = board.text();
  const events = readCapture(new Uint8Array(Buffer.from(text, 'latin1')));
  const snaps = events.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : []));
  const logs = events.flatMap((e) => (e.type === 'log' ? [e.text] : []));
  return { end, text, events, snaps, logs, seconds: (end.at! - t0) / 1000 };
}

const used = (s: HeapSnapshot) => s.printed?.used ?? 0;

function expectGoodFrames(text: string, snaps: HeapSnapshot[]) {
  const f = parseFrames(text);
  expect(f.problems).toEqual([]);
  expect(snaps.length).toBe(f.frames.filter((x) => x.kind === 'B').length);
  for (const s of snaps) {
    expect(s.problems).toEqual([]);
    expect(s.complete && s.consistent).toBe(true);
  }
  return f;
}

describe('demos on the virtual board (launched like HeapScope does)', () => {
  it('fragment, at the default 500 ms, breaks apart dumps before its MemoryError', async () => {
    const r = await runDemo('fragment', { seconds: 20, period: 500 });
    expect(r.end.ok).toBe(false);
    expect(r.seconds).toBeLessThan(20);
    const m = /Traceback \(most recent call last\):\r\n(?: {2}File .*\r\n)+MemoryError: memory allocation failed, allocating (\d+) bytes\r\n$/.exec(r.text);
    expect(m, r.text.slice(-600)).not.toBeNull();
    const oom = r.events.find((e) => e.type === 'device' && e.kind === 'memoryError');
    expect(oom && oom.type === 'device' && oom.bytes).toBe(Number(m![1]));
    expectGoodFrames(r.text, r.snaps);
    expect(r.snaps.length).toBeGreaterThanOrEqual(12);
    // Fragmented, not full: much more free than was asked for, but no run long enough.
    const asked = /asking for (\d+) B/.exec(r.text);
    expect(asked).not.toBeNull();
    const last = r.snaps[r.snaps.length - 1];
    expect(last.printed!.free!).toBeGreaterThan(8 * Number(asked![1]));
    expect(last.printed!.maxFreeSize! * 16).toBeLessThan(Number(asked![1]));
    expect(r.logs.some((l) => /^fragment: \d+ pairs of/.test(l))).toBe(true);
    // The story at the default period: the break-up is seen for several dumps before the end.
    const free = r.snaps.map((s) => s.printed!.free!);
    const largest = r.snaps.map((s) => s.printed!.maxFreeSize! * 16);
    const total = r.snaps.map((s) => s.printed!.total!);
    const frag = free.map((f, i) => (f > 0 ? 1 - largest[i] / f : 0));
    const breakups = findBreakups({ fragmentation: frag, free, total, largest });
    expect(breakups.length, JSON.stringify(frag)).toBeGreaterThan(0);
    expect(r.snaps.length - 1 - breakups[0].frame).toBeGreaterThanOrEqual(3);
    console.log(`fragment: broke apart at dump ${breakups[0].frame + 1}, MemoryError after ${r.seconds.toFixed(1)} s, ${r.snaps.length} dumps`);
  });

  it('steady churns without growing', async () => {
    const r = await runDemo('steady', { seconds: 5, period: 300, collect: true });
    expect(r.text).toMatch(/KeyboardInterrupt: \r\n$/); // ran until Ctrl-C
    expect(r.text).not.toMatch(/MemoryError/);
    expectGoodFrames(r.text, r.snaps);
    expect(r.snaps.length).toBeGreaterThanOrEqual(12);
    expect(r.logs.filter((l) => /^steady: step \d+, 24 records/.test(l)).length).toBeGreaterThanOrEqual(3);
    // Live data (collected dumps) is flat once the program runs: compare the second half.
    const live = r.snaps.slice(3).map(used);
    expect(Math.max(...live) - Math.min(...live)).toBeLessThan(3000);
  });

  it('leak grows, says so, and ends in a MemoryError that says its size, within 40 s', async () => {
    const r = await runDemo('leak', { seconds: 45, period: 500 });
    expect(r.end.ok).toBe(false);
    expect(r.seconds).toBeLessThan(40);
    const m = /MemoryError: memory allocation failed, allocating (\d+) bytes\r\n$/.exec(r.text);
    expect(m, r.text.slice(-600)).not.toBeNull();
    expectGoodFrames(r.text, r.snaps);
    expect(r.snaps.length).toBeGreaterThanOrEqual(20);
    const live = r.snaps.map(used);
    expect(live[live.length - 1] - live[0]).toBeGreaterThan(0.5 * r.snaps[0].printed!.total!);
    const lines = r.logs.filter((l) => /^leak: \d+ readings kept, used grows \d+ KiB\/min and never comes back \(\d+ KiB held, \d+ B free\)$/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(5);
    console.log(`leak: MemoryError after ${r.seconds.toFixed(1)} s, ${r.snaps.length} dumps; ${lines[lines.length - 1]}`);
  });

  it('leak, with collected dumps, rises step by step', async () => {
    const r = await runDemo('leak', { seconds: 5, period: 300, collect: true });
    expect(r.text).toMatch(/KeyboardInterrupt: \r\n$/);
    expectGoodFrames(r.text, r.snaps);
    const live = r.snaps.slice(2).map(used);
    expect(live[live.length - 1] - live[0]).toBeGreaterThan(2000);
    let rises = 0;
    for (let i = 1; i < live.length; i++) if (live[i] > live[i - 1]) rises++;
    expect(rises).toBeGreaterThanOrEqual(live.length - 3);
  });

  it('asyncio runs tasks and dumps from an asyncio task (start_async)', async () => {
    const r = await runDemo('asyncio', { seconds: 5 });
    expect(r.text).toMatch(/KeyboardInterrupt: \r\n$/);
    const f = expectGoodFrames(r.text, r.snaps);
    // The launcher's timer first, then the demo's own switch to async mode.
    expect(f.hello.map((h) => h.mode)).toEqual(['timer', 'async']);
    const afterSwitch = r.text.slice(r.text.indexOf('@@HS:H 1 350 async'));
    expect(afterSwitch.match(/@@HS:B /g)!.length).toBeGreaterThanOrEqual(8);
    expect(r.logs.some((l) => /^asyncio: \d+ made, \d+ B consumed, \d+ queued, \d+ B free$/.test(l))).toBe(true);
  });
});
