/**
 * Recording real firmware (../shared/boards) exactly as a user's board is recorded: the real
 * serialport binding on the board's PTY, the recorder, the session writer, the session read
 * back. Skipped, saying why, where the boards or qemu-system-arm are missing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordToSession } from '../../src/main/record/toSession';
import type { SessionReader } from '../../src/main/session/reader';
import { openSession, sleep } from '../record/support';
import { skipUnless, startBoard, type RunningBoard } from './support/boards';
import { expectWhole } from './support/checks';

let board: RunningBoard | null = null;
let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hs-boards-'));
});
afterEach(async () => {
  await board?.stop();
  board = null;
  rmSync(dir, { recursive: true, force: true });
});

function logs(s: SessionReader): string[] {
  return s.events.filter((e) => e.type === 'log').map((e) => (e as { text: string }).text);
}

const CALLS = `import mem_dump
keep = []
for i in range(12):
    keep.append(bytearray(100 * (i + 1)))
    mem_dump.dump()
    if i == 5:
        mem_dump.mark("half")
print("done", len(keep))
`;

const ASYNC = `import asyncio

async def worker(n, keep):
    for i in range(n):
        keep.append(bytearray(64 + i))
        await asyncio.sleep_ms(50)

async def main():
    keep = []
    await asyncio.gather(worker(30, keep), worker(30, keep))
    print("done", len(keep))

asyncio.run(main())
`;

const TIMER = `import time
keep = []
n = 0
while True:
    n += 1
    keep.append(bytearray(64 + n % 300))
    if len(keep) > 100:
        keep = keep[50:]
    if n % 20 == 0:
        print("tick", n)
    time.sleep_ms(10)
`;

describe.skipIf(skipUnless('qemu'))('MicroPython on QEMU (no Timer, no filesystem)', () => {
  it("records a program that calls mem_dump.dump() itself, the helper from RAM imported like the file", async () => {
    board = await startBoard('qemu');
    const out = path.join(dir, 'calls.hss');
    const notes: string[] = [];
    const h = recordToSession(
      { port: board.port, run: { kind: 'script', path: 'calls.py', source: Buffer.from(CALLS) }, periodMs: 200, collect: false, sessionPath: out },
      { note: (m) => notes.push(m) },
    );
    const { summary, counts } = await h.done;
    expect(summary.error).toBeUndefined();
    expect(summary.endedBy).toBe('program-ended');
    expect(summary.programError).toBe('');
    expect(summary.helper).toBe('ram');
    expect(summary.dumps).toBe('calls');
    expect(notes.join('\n')).toMatch(/only where the program calls mem_dump\.dump\(\)/);
    const s = openSession(out);
    // The launcher's first dump, then the program's twelve.
    expect(s.snapshots.length).toBe(13);
    expect(counts.snapshots).toBe(13);
    expectWhole(s);
    expect(s.snapshots.every((x) => x.framing === 'helper' && x.areas.length > 0)).toBe(true);
    expect(s.events.some((e) => e.type === 'mark' && e.label === 'half')).toBe(true);
    expect(logs(s)).toContain('done 12');
    expect(s.events.some((e) => e.type === 'device' && e.kind === 'traceback')).toBe(false);
    s.close();
  }, 120_000);
});

describe.skipIf(skipUnless('qemu-asyncio'))('MicroPython on QEMU with asyncio (no Timer)', () => {
  it('gives an unchanged asyncio.run program periodic dumps from a task in its event loop', async () => {
    board = await startBoard('qemu-asyncio');
    const out = path.join(dir, 'async.hss');
    const h = recordToSession({ port: board.port, run: { kind: 'script', path: 'aio.py', source: Buffer.from(ASYNC) }, periodMs: 150, collect: false, sessionPath: out });
    const { summary } = await h.done;
    expect(summary.error).toBeUndefined();
    expect(summary.endedBy).toBe('program-ended');
    expect(summary.programError).toBe('');
    expect(summary.dumps).toBe('async');
    const s = openSession(out);
    // 30 × 50 ms of program at a dump every 150 ms: about ten, however slow the emulator.
    expect(s.snapshots.length).toBeGreaterThanOrEqual(5);
    expectWhole(s);
    const seqs = s.snapshots.map((x) => x.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(s.events.some((e) => e.type === 'device' && e.kind === 'helperStart' && /async/.test(e.text))).toBe(true);
    expect(logs(s)).toContain('done 60');
    s.close();
  }, 120_000);
});

describe.skipIf(skipUnless('pico'))('MicroPython on the Raspberry Pi Pico (real Timer)', () => {
  it('records a Timer program; ten stops in a row are prompt and cut no dump', async () => {
    board = await startBoard('pico');
    const stopsMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const out = path.join(dir, `stop${i}.hss`);
      const notes: string[] = [];
      const trace: string[] = [];
      const h = recordToSession(
        { port: board.port, run: { kind: 'script', path: 'timer.py', source: Buffer.from(TIMER) }, periodMs: 100 + 20 * i, collect: false, sessionPath: out, log: (l) => trace.push(l) },
        { note: (m) => notes.push(m) },
      );
      await h.started;
      // Stop at a different moment each time: before, inside and after dumps.
      const want = 1 + (i % 3);
      while (h.counts.snapshots < want) await sleep(10);
      await sleep((i * 37) % 150);
      const t0 = Date.now();
      const { summary } = await h.stop();
      stopsMs.push(Date.now() - t0);
      expect(summary.error).toBeUndefined();
      expect(summary.endedBy).toBe('stopped');
      expect(summary.dumps).toBe('timer');
      expect(notes.join('\n')).not.toMatch(/did not stop|Could not reset/);
      const s = openSession(out);
      expect(s.snapshots.length).toBeGreaterThanOrEqual(want);
      expectWhole(s);
      // The KeyboardInterrupt is the program's (stopped by the user), never the helper's.
      expect(logs(s).filter((l) => /mem_dump/.test(l))).toEqual([]);
      s.close();
      // No blind retry: each Ctrl-C after the first answered a dump that ended meanwhile.
      expect(trace.filter((l) => l.startsWith('stop: ctrl-C')).length, trace.join('\n')).toBeLessThanOrEqual(4);
    }
    console.log(`[pico] stop → session closed, ms: ${stopsMs.join(', ')}`);
    // Generous (a loaded machine runs the emulated Pico slower): the figure that matters is printed.
    expect(Math.max(...stopsMs)).toBeLessThan(5000);
  }, 600_000);
});
