/**
 * Issue 9, point 8: a session followed while another process records it grows incrementally.
 * A real `heapscope record --attach` reads a socat PTY this test writes a long log and dumps
 * into; the service follows the session as it grows. What was pushed, and what it serves at
 * the end, equal a fresh open of the file; and the service holds a few MB, not the log: the
 * old growth read the whole index again as objects at every growth and kept it (the log's
 * lines as objects, ~230 B each).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { testService } from '../support/service';
import { held } from '../support/memory';
import { SessionReader } from '../../src/main/session';
import { lockPath } from '../../src/main/session/lock';
import type { ServiceEvent } from '../../src/shared/api';
import { ptyPair, type PtyPair } from '../board/support/pty';
import { until } from '../board/support/rig';
import { BIN, FIXTURES } from './support';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const BURSTS = 40;
const PER_BURST = 10_000;
const LINES = BURSTS * PER_BURST;
const line = (j: number) => `sensor ${j % 7} reading ${j} ok status nominal`;

let dir = '';
let pair: PtyPair | null = null;
let rec: ChildProcess | null = null;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hs-hostile-grow-'));
});
afterAll(async () => {
  rec?.kill('SIGKILL');
  await pair?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function put(ws: WriteStream, b: Buffer | string): Promise<void> {
  if (!ws.write(b)) await once(ws, 'drain');
}

describe('serve follows a growing session a page at a time', () => {
  it('pushes what the file gains, serves what a fresh open serves, and holds a few MB, not the log', async () => {
    pair = await ptyPair();
    const out = join(dir, 'grow.hss');
    rec = spawn(process.execPath, [BIN, 'record', '--attach', '--port', pair.b, '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    rec.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => rec!.on('exit', (c) => r(c)));
    // What is written before the recorder listens is not recorded.
    await until(() => /^Recording/m.test(err), 90_000, 'the recorder to listen');
    const ws = createWriteStream(pair.a);
    const dump = readFileSync(join(FIXTURES, 'full.txt'));
    let j = 0;
    const burst = async () => {
      let chunk = '';
      for (let k = 0; k < PER_BURST; k++) chunk += line(j++) + '\n';
      await put(ws, chunk);
    };
    await put(ws, dump);
    let dumps = 1;
    await burst();
    // The session holds the first dump and the recorder's lock.
    await until(() => {
      if (!existsSync(lockPath(out))) return false;
      try {
        const r = SessionReader.open(out);
        const n = r.snapshotCount;
        r.close();
        return n >= 1;
      } catch {
        return false;
      }
    }, 90_000, 'a session being written');

    const svc = testService(join(dir, 'svc'));
    let pushedSnaps = 0;
    let nextLine = -1;
    const wrong: string[] = [];
    let liveEnded = false;
    let sawLive = false;
    let growths = 0;
    svc.onEvent((e: ServiceEvent) => {
      // Counted, not kept: the memory figure is the service's.
      if (e.type === 'snapshot') pushedSnaps++;
      if (e.type === 'log') {
        growths++;
        if (nextLine >= 0 && e.lines[0].n !== nextLine) wrong.push(`push from ${e.lines[0].n}, expected ${nextLine}`);
        for (let k = 1; k < e.lines.length; k++) if (e.lines[k].n !== e.lines[k - 1].n + 1) wrong.push(`line ${e.lines[k].n} after ${e.lines[k - 1].n}`);
        for (const l of e.lines) if (l.text !== line(l.n) && wrong.length < 5) wrong.push(`line ${l.n}: ${JSON.stringify(l.text)}`);
        nextLine = e.lines[e.lines.length - 1].n + 1;
      }
      // Opened (not live yet), followed (live), then the recording ended (not live).
      if (e.type === 'session' && e.meta?.live === true) sawLive = true;
      if (e.type === 'session' && e.meta?.live === false && sawLive) liveEnded = true;
    });
    try {
      const before = held();
      const meta = await svc.openSession(out);
      expect(meta.live).toBe(true);
      const first = await svc.getSessionInfo();
      if (nextLine < 0) nextLine = first.logLineCount;
      const n0 = first.snapshotCount;
      // The log goes on for several looks of the follower, a dump every fourth burst.
      for (let b = 1; b < BURSTS; b++) {
        await burst();
        if (b % 4 === 0) {
          await put(ws, dump);
          dumps++;
        }
        await sleep(60);
      }
      await put(ws, dump);
      dumps++;
      ws.end();
      // Everything written has reached the session file before the recording stops.
      await until(() => {
        try {
          const r = SessionReader.open(out);
          const n = r.snapshotCount;
          r.close();
          return n >= dumps - 1;
        } catch {
          return false;
        }
      }, 60_000, 'the last lines in the session');
      await sleep(1500);
      rec.kill('SIGINT');
      expect(await exited, err).toBe(0);
      await until(() => liveEnded, 20_000, 'the follower to see the recording end');

      const info = await svc.getSessionInfo();
      expect(info.meta.live).toBe(false);
      expect(info.logLineCount).toBe(LINES);
      expect(info.snapshotCount).toBe(dumps);
      expect(growths, 'the log arrived over several growths').toBeGreaterThan(2);
      expect(wrong).toEqual([]);
      expect(nextLine).toBe(LINES);
      expect(n0 + pushedSnaps).toBe(info.snapshotCount);
      const last = await svc.getLogLines(LINES - 50, 50);
      expect(last.lines.map((l) => l.text)).toEqual(Array.from({ length: 50 }, (_, k) => line(LINES - 50 + k)));
      const series = await svc.getFrameSeries();
      const grown = held() - before;

      // A fresh open of the same file serves the same.
      const fresh = testService(join(dir, 'fresh'));
      try {
        await fresh.openSession(out);
        const fInfo = await fresh.getSessionInfo();
        expect(info.snapshotCount).toBe(fInfo.snapshotCount);
        expect(info.snapshots).toEqual(fInfo.snapshots);
        expect(info.events).toEqual(fInfo.events);
        expect(info.logLineCount).toBe(fInfo.logLineCount);
        const fSeries = await fresh.getFrameSeries();
        expect(series).toEqual(fSeries);
        const mid = LINES / 2;
        expect(await svc.getLogLines(mid, 20)).toEqual(await fresh.getLogLines(mid, 20));
      } finally {
        await fresh.dispose();
      }
      // 400,000 lines: ~19 MB of text; as objects (the old growth) about 90 MB.
      console.log(`followed growth: ${(grown / 1e6).toFixed(1)} MB held after`);
      expect(grown, `held ${(grown / 1e6).toFixed(1)} MB more after`).toBeLessThan(16e6);
    } finally {
      await svc.dispose();
    }
  }, 300_000);
});
