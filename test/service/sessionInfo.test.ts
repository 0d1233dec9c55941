/**
 * Issue 9: getSessionInfo is bounded. A session of more than 20,000 frames gives at most 20,000
 * index entries a call (the window reads big sessions through getFrameSeries); `from`/`count`
 * page through the rest; each page equals the same entries of the whole index as objects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testService } from '../support/service';
import { indexFromReader } from '../../src/main/service/sessionStore';
import { importCapture, SessionReader } from '../../src/main/session';
import type { SessionInfo } from '../../src/shared/api';

const FRAMES = 20_100;
let dir = '';
let session = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hs-info-'));
  session = join(dir, 'stats.hss');
  // Stats-only helper frames (CircuitPython's kind): small, so 20,100 of them import in seconds.
  let s = '@@HS:H 1 0 manual 0 circuitpython\n';
  for (let i = 0; i < FRAMES; i++) s += `@@HS:S ${i} ${536807771 + i * 10} 0 ${1376 + i} ${162144 - i}\n` + (i % 3 === 0 ? `tick ${i}\n` : '');
  await importCapture(Buffer.from(s), session);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('getSessionInfo on a session of more than 20,000 frames', () => {
  it('gives at most 20,000 entries a call, and pages through the rest', async () => {
    const r = SessionReader.open(session);
    const whole = indexFromReader(r);
    r.close();
    expect(whole.entries.length).toBe(FRAMES);
    const svc = testService(dir);
    try {
      await svc.openSession(session);
      const first = await svc.getSessionInfo();
      expect(first.snapshotCount).toBe(FRAMES);
      expect(first.from).toBe(0);
      expect(first.snapshots.length).toBe(20_000);
      expect(first.logLineCount).toBe(whole.lines.length);
      expect(first.events).toEqual(whole.events);
      expect(first.snapshots[19_999]).toEqual(whole.entries[19_999]);
      const rest = await svc.getSessionInfo({ from: 20_000 });
      expect(rest.from).toBe(20_000);
      expect(rest.snapshots).toEqual(whole.entries.slice(20_000));
      const few = await svc.getSessionInfo({ from: 7, count: 3 });
      expect(few.snapshots).toEqual(whole.entries.slice(7, 10));
      const past = await svc.getSessionInfo({ from: FRAMES + 5 });
      expect(past).toMatchObject({ from: FRAMES, snapshots: [], snapshotCount: FRAMES });
      // Over the API's validation: more than 20,000 at once is refused in words.
      const err = await svc.call('getSessionInfo', { count: 20_001 }).then(
        () => null,
        (e: { code?: string; message?: string }) => e,
      );
      expect(err?.code).toBe('BAD_REQUEST');
      const viaCall = (await svc.call('getSessionInfo', undefined)) as SessionInfo;
      expect(viaCall.snapshots.length).toBe(20_000);
    } finally {
      await svc.dispose();
    }
  }, 120_000);
});
