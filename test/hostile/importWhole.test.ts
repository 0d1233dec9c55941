/**
 * Issue 9: the service's import into a session file is whole or nothing. It writes a `.part`
 * beside the file asked for and renames it once closed: while it runs, and after it fails or is
 * cancelled, a session it was asked to replace is still whole; nothing is left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from './support';
import { testService } from '../support/service';
import { SessionReader } from '../../src/main/session';
import { importCapture } from '../../src/main/session/importCapture';
import { lockSession } from '../../src/main/session/lock';

let dir = '';
const dump = readFileSync(join(FIXTURES, 'full.txt'));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hs-import-whole-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('service import into a session file', () => {
  it('replacing a session: the old one stays whole while the import runs and after it is cancelled', async () => {
    const old = join(dir, 'old.hss');
    await importCapture(dump, old);
    const oldBytes = readFileSync(old);
    // Several MiB, so the import reads it in several chunks (a progress event after each).
    const big = join(dir, 'big.txt');
    writeFileSync(big, Buffer.concat(Array.from({ length: Math.ceil((3 << 20) / dump.length) }, () => dump)));
    const service = testService(dir);
    const seen: string[] = [];
    const off = service.onEvent((e) => {
      if (e.type !== 'progress' || e.job !== 'import' || e.finished) return;
      // Mid-import: the file asked for is still the old session, byte for byte, and opens.
      const r = SessionReader.open(old);
      seen.push(`${r.snapshotCount} ${readFileSync(old).equals(oldBytes)}`);
      r.close();
      service.cancelJob('imp');
    });
    try {
      const err = await service.importCapture({ path: big, sessionPath: old, overwrite: true, jobId: 'imp' }).then(
        () => null,
        (e: Error & { code?: string }) => e,
      );
      expect(err?.code).toBe('CANCELLED');
      expect(seen[0]).toBe('1 true');
      expect(readFileSync(old).equals(oldBytes)).toBe(true);
      // No .part, no lock left beside it.
      expect(readdirSync(dir).filter((f) => f.startsWith('old.hss')).sort()).toEqual(['old.hss']);
      // Asked again without a cancel, it replaces the session whole.
      await service.importCapture({ path: big, sessionPath: old, overwrite: true });
      const r = SessionReader.open(old);
      expect(r.complete).toBe(true);
      expect(r.snapshotCount).toBeGreaterThan(100);
      r.close();
      expect(readdirSync(dir).filter((f) => f.startsWith('old.hss')).sort()).toEqual(['old.hss']);
    } finally {
      off();
      await service.dispose();
    }
  }, 120_000);

  it('onto a session another writer holds: refused in words, the file left as it is', async () => {
    const held = join(dir, 'held.hss');
    await importCapture(dump, held);
    const before = readFileSync(held);
    const release = lockSession(held);
    const service = testService(dir);
    try {
      const err = await service.importCapture({ path: join(FIXTURES, 'full.txt'), sessionPath: held, overwrite: true }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).toContain(`${held} is being written by another HeapScope`);
      expect(err?.message).not.toContain('.part');
      expect(readFileSync(held).equals(before)).toBe(true);
    } finally {
      release();
      await service.dispose();
    }
  });
});
