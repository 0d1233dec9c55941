/**
 * pi-mst's mem_dump.py as it really prints: first `@@@ <ticks_ms> (<localtime()[:8]>)` on a
 * line of its own, then every dump as `@@@ <ticks_ms>`, mem_info(1), `@@@`. The clock line is
 * no dump and no event of the program's; its date and time become the session's clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/shared/capture/captureReader';
import { importCapture, SessionReader } from '../../src/main/session';
import { corpusFile, enc, snapshotsOf } from '../support/corpus';

const dump = Buffer.from(corpusFile('022-rp2-v1.23plus-picow-after-soft-reset.txt')).toString('latin1').trimEnd();
// What mem_dump() prints from a Timer at 350 ms, with a line of the program's between.
const capture = ['@@@ 84213 (2026, 11, 23, 14, 5, 9, 0, 327)', '@@@ 84213', dump, '@@@', 'step 1', '@@@ 84563', dump, '@@@', ''].join('\r\n');
const wall0 = new Date(2026, 10, 23, 14, 5, 9).getTime();

const dir = mkdtempSync(path.join(tmpdir(), 'hs-pimst-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("pi-mst's capture", () => {
  it('reads two dumps and its clock line, and invents no traceback', () => {
    const events = readCapture(enc(capture));
    expect(snapshotsOf(events).map((s) => [s.framing, s.deviceMs, s.complete, s.consistent])).toEqual([
      ['pimst', 84213, true, true],
      ['pimst', 84563, true, true],
    ]);
    const device = events.filter((e) => e.type === 'device');
    expect(device.map((e) => (e.type === 'device' ? e.kind : ''))).toEqual(['helperStart']);
    expect(device[0]).toMatchObject({ detail: { helper: 'pi-mst', deviceMs: 84213, wallMs: wall0 } });
    // 022 ends on the `True` its notebook printed: the program's lines are all there is besides.
    expect(events.filter((e) => e.type === 'log').map((e) => (e.type === 'log' ? e.text : ''))).toEqual(['True', 'step 1', 'True']);
  });

  it("an imported capture's dumps take the board's date and time", async () => {
    const file = path.join(dir, 'pimst.hss');
    await importCapture(enc(capture), file);
    const r = SessionReader.open(file);
    try {
      expect(r.snapshots.map((s) => s.hostMs)).toEqual([wall0, wall0 + 350]);
    } finally {
      r.close();
    }
  });

  it('a capture with no clock line keeps no host time', async () => {
    const file = path.join(dir, 'pimst-noclock.hss');
    await importCapture(enc(capture.slice(capture.indexOf('\r\n') + 2)), file);
    const r = SessionReader.open(file);
    try {
      expect(r.snapshots.map((s) => s.hostMs)).toEqual([null, null]);
    } finally {
      r.close();
    }
  });
});
