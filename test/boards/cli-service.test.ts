/**
 * Real firmware recorded the two other ways a user records: the `heapscope record` CLI (a real
 * process) on the Pico, and the service (what the window uses) on QEMU's asyncio build.
 * Skipped, saying why, where ../shared/boards or qemu-system-arm are missing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSerialLink } from '../../src/main/board/serial/serialLink';
import { RawRepl } from '../../src/main/board/repl/rawRepl';
import type { ServiceEvent } from '../../src/shared/api';
import { heapscope } from '../support/cli';
import { openSession } from '../record/support';
import { expectWhole } from './support/checks';
import { skipUnless, startBoard, type RunningBoard } from './support/boards';

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

const AIO = `import asyncio

async def worker(n, keep):
    for i in range(n):
        keep.append(bytearray(64 + i))
        await asyncio.sleep_ms(40)

async def main():
    keep = []
    await asyncio.gather(worker(25, keep), worker(25, keep))
    print("done", len(keep))

asyncio.run(main())
`;

describe.skipIf(skipUnless('pico'))('heapscope record on the Pico', () => {
  it('--no-write --dumps asyncio: says what it writes (nothing), dumps from the program\'s event loop, leaves no file', async () => {
    board = await startBoard('pico');
    const script = path.join(dir, 'aio.py');
    writeFileSync(script, AIO);
    const out = path.join(dir, 'aio.hss');
    const r = heapscope(['record', '--port', board.port, '--script', script, '--no-write', '--dumps', 'asyncio', '--period', '150', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Nothing is written to the board: the helper runs from RAM/);
    expect(r.stderr).toMatch(/aio\.py is sent from RAM, not written/);
    expect(r.stderr).toMatch(/asyncio task in the program's event loop/);
    expect(r.stderr).toMatch(/One dump measured on this board: [\d.]+ (KB|bytes), \d+ ms/);
    expect(r.stderr).toMatch(/the program ended/);
    const s = openSession(out);
    expect(s.snapshots.length).toBeGreaterThanOrEqual(3);
    expectWhole(s);
    expect(s.events.some((e) => e.type === 'device' && e.kind === 'helperStart' && /async/.test(e.text))).toBe(true);
    s.close();
    // Nothing on the board's filesystem.
    const repl = new RawRepl(await openSerialLink(board.port));
    try {
      await repl.takeControl();
      expect((await repl.execOk("import os\nprint('mem_dump.py' in os.listdir('/'))")).trim()).toBe('False');
    } finally {
      repl.dispose();
      await repl.link.close();
    }
  }, 180_000);
});

describe.skipIf(skipUnless('qemu-asyncio'))('the service on QEMU with asyncio', () => {
  it('records an unchanged asyncio.run program and tells the window how dumps are made and what one costs', async () => {
    board = await startBoard('qemu-asyncio');
    const script = path.join(dir, 'aio.py');
    writeFileSync(script, AIO);
    const { createDefaultService } = await import('../../src/main/service');
    const svc = createDefaultService({ dataDir: path.join(dir, 'home'), ports: { list: async () => [] } });
    try {
      const api = svc.api();
      const events: ServiceEvent[] = [];
      api.onEvent((e) => events.push(e));
      await api.startRecording({ port: board.port, run: { kind: 'script', path: script }, periodMs: 120, collect: false, sessionPath: path.join(dir, 's.hss') });
      const statuses = () => events.filter((e) => e.type === 'recording').map((e) => (e as Extract<ServiceEvent, { type: 'recording' }>).status);
      const t0 = Date.now();
      while (!statuses().some((st) => st.phase === 'stopped' || st.phase === 'failed')) {
        if (Date.now() - t0 > 60_000) throw new Error('the recording did not end');
        await new Promise((r) => setTimeout(r, 50));
      }
      const last = statuses().find((st) => st.dumps);
      expect(last?.dumps).toBe('async');
      expect(last?.dumpCost?.bytes).toBeGreaterThan(100);
      expect(statuses().some((st) => st.phase === 'failed')).toBe(false);
      const info = await api.getSessionInfo();
      expect(info.snapshots.length).toBeGreaterThanOrEqual(5);
      expect(info.snapshots.filter((x) => !x.complete || !x.consistent)).toEqual([]);
    } finally {
      await svc.dispose();
    }
  }, 180_000);
});
