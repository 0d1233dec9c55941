/**
 * Issue 9, point 8: one writer per session. While `heapscope record` writes a session, a
 * second `record` onto it (even with --force) is refused before it starts a board, and the
 * first one's session comes out whole; a lock left by a dead process is taken over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './support';
import { SessionReader, SessionWriter } from '../../src/main/session';
import { lockPath, SessionLockedError } from '../../src/main/session/lock';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hs-hostile-lock-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('session lock', () => {
  it('a second record onto a session being recorded is refused; the first completes', async () => {
    const out = join(dir, 'rec.hss');
    const first = spawn(process.execPath, [BIN, 'record', '--port', 'virtual', '--duration', '6s', '--period', '200', '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err1 = '';
    first.stderr.on('data', (d) => (err1 += d));
    const t0 = Date.now();
    while (!existsSync(lockPath(out)) && Date.now() - t0 < 90_000 && first.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(lockPath(out)), err1).toBe(true);
    const second = spawnSync(process.execPath, [BIN, 'record', '--port', 'virtual', '--duration', '2s', '--force', '-o', out], { encoding: 'utf8', timeout: 60_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`${out}: is being written by another HeapScope (process ${first.pid})`);
    const code = await new Promise<number | null>((r) => (first.exitCode !== null ? r(first.exitCode) : first.on('exit', r)));
    expect(code, err1).toBe(0);
    const reader = SessionReader.open(out);
    expect(reader.complete).toBe(true);
    expect(reader.damage).toBeNull();
    expect(reader.snapshots.length).toBeGreaterThan(0);
    reader.close();
    expect(existsSync(lockPath(out))).toBe(false);
  }, 180_000);

  it('in process: a second writer is refused; a stale lock (dead pid) is taken over', () => {
    const p = join(dir, 'w.hss');
    const w = SessionWriter.create(p, {});
    expect(() => SessionWriter.create(p, {})).toThrow(SessionLockedError);
    w.close();
    expect(existsSync(lockPath(p))).toBe(false);
    writeFileSync(lockPath(p), '999999999\n');
    const again = SessionWriter.create(p, {});
    again.close();
    expect(existsSync(lockPath(p))).toBe(false);
  });
});
