/**
 * Issue 9, point 8 (second half): `heapscope serve --session FILE` on a session another
 * process is recording (its lock is held) shows it as live and follows it: new dumps reach the
 * window as they are written, without reopening; when the recording ends it is no longer live
 * and holds what the recorder wrote. A real `heapscope record` (virtual board) and a real
 * `heapscope serve`, over a real WebSocket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createWsClient, type ServiceEvent } from '../../src/shared/api';
import { SessionReader } from '../../src/main/session';
import { lockPath } from '../../src/main/session/lock';
import { BIN, startServe, type Served } from './support';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hs-hostile-follow-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('serve --session on a session being recorded', () => {
  it('is live, pushes the dumps as the recorder writes them, and ends when the recording does', async () => {
    const out = join(dir, 'rec.hss');
    const rec = spawn(process.execPath, [BIN, 'record', '--port', 'virtual', '--demo', 'steady', '--duration', '12s', '--period', '200', '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    rec.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => rec.on('exit', (c) => r(c)));
    let served: Served | null = null;
    try {
      // Wait for a session with a dump or two in it, its lock held.
      const t0 = Date.now();
      for (;;) {
        if (Date.now() - t0 > 90_000 || rec.exitCode !== null) throw new Error(`no session being written: ${err}`);
        if (existsSync(lockPath(out))) {
          try {
            const r = SessionReader.open(out);
            const n = r.snapshots.length;
            r.close();
            if (n >= 2) break;
          } catch {
            // Not readable yet.
          }
        }
        await sleep(100);
      }
      served = await startServe(['--session', out], { HEAPSCOPE_HOME: join(dir, 'home') });
      const api = createWsClient(`ws://127.0.0.1:${served.port}/ws?token=${served.token}`, WebSocket as never);
      const events: ServiceEvent[] = [];
      api.onEvent((e) => events.push(e));
      await api.ready;
      const first = await api.getSessionInfo();
      expect(first.meta.live).toBe(true);
      const n0 = first.snapshots.length;
      // New dumps arrive as pushed snapshots, numbered after those first read.
      const t1 = Date.now();
      while (events.filter((e) => e.type === 'snapshot').length < 5 && Date.now() - t1 < 30_000) await sleep(100);
      const pushed = events.flatMap((e) => (e.type === 'snapshot' ? [e] : []));
      expect(pushed.length, served.stderr()).toBeGreaterThanOrEqual(5);
      expect(pushed[0].entry.index).toBe(n0);
      expect(pushed.map((e) => e.entry.index)).toEqual(pushed.map((_, i) => n0 + i));
      expect(pushed[0].data.areas.length).toBeGreaterThan(0);
      const mid = await api.getSessionInfo();
      expect(mid.snapshots.length).toBeGreaterThanOrEqual(n0 + 5);
      expect(await exited, err).toBe(0);
      // The recording ended: no longer live, and every dump the recorder wrote is shown.
      const t2 = Date.now();
      while (!events.some((e) => e.type === 'session' && e.meta?.live === false) && Date.now() - t2 < 10_000) await sleep(100);
      const last = await api.getSessionInfo();
      expect(last.meta.live).toBe(false);
      const r = SessionReader.open(out);
      expect(last.snapshots.length).toBe(r.snapshots.length);
      r.close();
      api.close();
    } finally {
      rec.kill('SIGKILL');
      await served?.stop();
    }
  }, 240_000);
});
