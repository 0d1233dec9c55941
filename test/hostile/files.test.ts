/**
 * Issue 9, point 4: over the bridge of a real `heapscope serve`, a client opens only regular
 * files (a FIFO or /dev/zero is refused at once, the server stays responsive), a capture too
 * large for memory is refused with words, and no write replaces an existing file unless the
 * request says `overwrite: true`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createWsClient, type HeapScopeApi } from '../../src/shared/api';
import { FIXTURES, startServe, type Served } from './support';

let dir: string;
let served: Served;
let api: HeapScopeApi & { close(): void; ready: Promise<void> };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hs-hostile-files-'));
  copyFileSync(join(FIXTURES, 'full.txt'), join(dir, 'cap.txt'));
  served = await startServe(['--session', join(dir, 'cap.txt')], { HEAPSCOPE_HOME: join(dir, 'home') });
  api = createWsClient(`ws://127.0.0.1:${served.port}/ws?token=${served.token}`, WebSocket as never) as never;
  await api.ready;
}, 90_000);

afterAll(async () => {
  api?.close();
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('reading: regular files only', () => {
  it('refuses a FIFO at once, without freezing the server', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    for (const call of [() => api.openSession({ path: fifo }), () => api.importCapture({ path: fifo, sessionPath: join(dir, 'p.hss') })]) {
      const err = await call().then(
        () => null,
        (e) => e,
      );
      expect(err).toMatchObject({ code: 'BAD_REQUEST' });
      expect(err.message).toContain('named pipe');
      expect(err.message).toContain(fifo);
    }
    expect((await api.getStatus()).session?.name).toBe('cap.txt');
  }, 30_000);

  it('refuses /dev/zero (a device that never ends) before reading a byte', async () => {
    const err = await api.openSession({ path: '/dev/zero' }).then(
      () => null,
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'BAD_REQUEST' });
    expect(err.message).toMatch(/\/dev\/zero is a character device/);
    expect((await api.getStatus()).session?.name).toBe('cap.txt');
  }, 30_000);

  it('refuses a capture too large to hold in memory, and says to import it', async () => {
    const big = join(dir, 'big.txt');
    closeSync(openSync(big, 'w'));
    truncateSync(big, 300 << 20); // sparse: costs no disk
    const err = await api.openSession({ path: big }).then(
      () => null,
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'BAD_FILE' });
    expect(err.message).toContain(big);
    expect(err.message).toMatch(/300\.0 MB/);
    expect(err.fix).toMatch(/[Ii]mport/);
  }, 30_000);
});

describe('writing: nothing is replaced unless asked', () => {
  it('export: EXISTS and the file untouched; replaced with overwrite: true', async () => {
    const out = join(dir, 'mine.csv');
    writeFileSync(out, 'precious');
    await expect(api.exportSession({ format: 'csv', path: out })).rejects.toMatchObject({ code: 'EXISTS' });
    expect(readFileSync(out, 'utf8')).toBe('precious');
    const r = await api.exportSession({ format: 'csv', path: out, overwrite: true });
    expect(r.path).toBe(out);
    expect(readFileSync(out, 'utf8')).toMatch(/^index,/);
  }, 30_000);

  it('a raw export onto the open capture itself (by another name) is refused', async () => {
    const alias = join(dir, 'alias.txt');
    symlinkSync(join(dir, 'cap.txt'), alias);
    await expect(api.exportSession({ format: 'raw', path: alias, overwrite: true })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(readFileSync(join(dir, 'cap.txt'))).toEqual(readFileSync(join(FIXTURES, 'full.txt')));
  }, 30_000);

  it('save as: EXISTS unless overwrite', async () => {
    const out = join(dir, 'mine.hss');
    writeFileSync(out, 'precious');
    await expect(api.saveSessionAs({ path: out })).rejects.toMatchObject({ code: 'EXISTS' });
    expect(readFileSync(out, 'utf8')).toBe('precious');
    await api.saveSessionAs({ path: out, overwrite: true });
    expect(readFileSync(out).subarray(0, 4).toString('latin1')).not.toBe('prec');
  }, 30_000);

  it('import: EXISTS for an existing session; never onto its own capture (hard link)', async () => {
    const out = join(dir, 'taken.hss');
    writeFileSync(out, 'precious');
    await expect(api.importCapture({ path: join(dir, 'cap.txt'), sessionPath: out })).rejects.toMatchObject({ code: 'EXISTS' });
    expect(readFileSync(out, 'utf8')).toBe('precious');
    const src = join(dir, 'src.txt');
    copyFileSync(join(FIXTURES, 'dump.txt'), src);
    linkSync(src, join(dir, 'same.hss'));
    await expect(api.importCapture({ path: src, sessionPath: join(dir, 'same.hss'), overwrite: true })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(readFileSync(src)).toEqual(readFileSync(join(FIXTURES, 'dump.txt')));
  }, 30_000);
});
