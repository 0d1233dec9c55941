/**
 * getFilmStrip through the service, on real dumps from the corpus: its shape, each column equal
 * to binning that frame's snapshot directly, a stats-only frame as a "no map" column, frames
 * read once each in ascending order, the cache (kept, and dropped when a live session grows or
 * another session opens), and payload validation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testService, type ServiceOptions } from '../support/service';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, type FilmStrip } from '../../src/shared/api';
import { HeapScopeService, SessionFileStore, type Recorder, type RecorderHooks, type SessionStore } from '../../src/main/service';
import { binHeap, chooseColumns, STRIP_NO_MAP } from '../../src/shared/view/filmStrip';
import { writeSession } from '../session/helpers';
import { synthCapture } from '../session/synth';
import { FREE } from '../../src/shared/heap/blockKinds';

import { CORPUS } from '../support/corpus';

let dir: string;

/** Seven frames from four boards: two Pico W heaps, a stats-only frame, a nearly full heap, a split heap… */
function capture(): string {
  const p = join(dir, 'strip.txt');
  if (existsSync(p)) return p;
  const part = (f: string) => readFileSync(join(CORPUS, f), 'utf8').trimEnd();
  const text = [
    'MicroPython v1.23.0; Raspberry Pi Pico W with RP2040',
    part('022-rp2-v1.23plus-picow-after-soft-reset.txt'),
    'step 1',
    part('023-rp2-v1.23plus-picow-after-help-modules.txt'),
    '@@HS:S 0 1000 0 12345 6789',
    'step 2',
    part('024-rp2-v1.23plus-picow-heap-nearly-full.txt'),
    part('025-esp32-v1.21plus-split-heap-two-areas.txt'),
    part('022-rp2-v1.23plus-picow-after-soft-reset.txt'),
    part('026-esp32-v1.21plus-split-heap-one-area.txt'),
    'done',
    '',
  ].join('\r\n');
  writeFileSync(p, text);
  return p;
}

function service(extra: Partial<ServiceOptions> = {}): HeapScopeService {
  return testService(dir, extra);
}

/** Every column equals binning its frame's snapshot, fetched on its own. */
async function expectColumnsMatch(svc: HeapScopeService, strip: FilmStrip): Promise<void> {
  const info = await svc.getSessionInfo();
  for (let c = 0; c < strip.frames.length; c++) {
    const f = strip.frames[c];
    const col = strip.data.subarray(c * strip.rows, (c + 1) * strip.rows);
    if (info.snapshots[f].areas.length === 0) {
      expect(col.every((b) => b === STRIP_NO_MAP)).toBe(true);
      continue;
    }
    const snap = await svc.getSnapshot(f);
    expect(Buffer.from(col).toString('latin1'), `column ${c} (frame ${f})`).toBe(Buffer.from(binHeap(snap.areas, strip.rows)).toString('latin1'));
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hs-strip-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('getFilmStrip', () => {
  it('bins every frame of an imported session like its snapshot, and a stats-only frame as no map', async () => {
    const svc = service();
    await svc.importCapture({ path: capture(), sessionPath: join(dir, 'strip.hss') });
    const info = await svc.getSessionInfo();
    const n = info.snapshots.length;
    expect(n).toBe(7);
    const statsOnly = info.snapshots.findIndex((s) => s.areas.length === 0);
    expect(statsOnly).toBe(2);
    const strip = (await svc.call('getFilmStrip', { columns: 100, rows: 64 })) as FilmStrip;
    expect(strip.frames).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(strip.rows).toBe(64);
    expect(strip.data).toBeInstanceOf(Uint8Array);
    expect(strip.data.length).toBe(n * 64);
    await expectColumnsMatch(svc, strip);
    // Real heaps: the fresh heap is mostly free, the nearly full one mostly used.
    const col = (c: number) => strip.data.subarray(c * 64, (c + 1) * 64);
    const freeRows = (c: number) => col(c).filter((b) => b === FREE).length;
    expect(freeRows(0)).toBeGreaterThan(32);
    expect(freeRows(3)).toBeLessThan(8);
    expect(col(3).some((b) => b !== FREE && b !== STRIP_NO_MAP)).toBe(true);
    // Fewer columns than frames: evenly spaced, first and last.
    const three = await svc.getFilmStrip({ columns: 3, rows: 16 });
    expect(three.frames).toEqual([0, 3, 6]);
    expect(three.data.length).toBe(3 * 16);
    await expectColumnsMatch(svc, three);
    // The last strip is kept.
    expect(await svc.getFilmStrip({ columns: 3, rows: 16 })).toBe(three);
    await svc.dispose();
  });

  it('serves a capture opened in place (in memory) the same way', async () => {
    const svc = service();
    await svc.openSession(capture());
    const strip = await svc.getFilmStrip({ columns: 4096, rows: 1024 });
    expect(strip.frames.length).toBe(7);
    expect(strip.data.length).toBe(7 * 1024);
    await expectColumnsMatch(svc, strip);
    await svc.dispose();
  });

  it('shows, on a session of many segments, the frames that open a segment nearest each column, binned like their snapshots', async () => {
    const bytes = synthCapture({ dumps: 200, seed: 21 });
    const file = join(dir, 'segments.hss');
    writeSession(file, bytes, { pieces: [9000], flushEvery: 2, segmentSnapshots: 16 });
    const svc = service();
    await svc.openSession(file);
    const strip = await svc.getFilmStrip({ columns: 8, rows: 64 });
    const even = chooseColumns(200, 8);
    expect(strip.frames.length).toBe(8);
    expect(strip.frames[0]).toBe(0);
    expect(strip.frames[7]).toBe(199);
    for (let c = 1; c < 7; c++) {
      // A segment's first frame (16 a segment), within half a column's spacing of the even one.
      expect(strip.frames[c] % 16, `column ${c}: frame ${strip.frames[c]}`).toBe(0);
      expect(Math.abs(strip.frames[c] - even[c])).toBeLessThanOrEqual(199 / 7 / 2);
    }
    await expectColumnsMatch(svc, strip);
    // As many columns as frames: every frame, read the ordinary way where it is not cheap.
    const all = await svc.getFilmStrip({ columns: 4096, rows: 16 });
    expect(all.frames).toEqual(chooseColumns(200, 4096));
    await expectColumnsMatch(svc, all);
    await svc.dispose();
  });

  it('reads the frames it shows once each, in ascending order', async () => {
    const reads: number[] = [];
    const files = new SessionFileStore();
    const store: SessionStore = {
      extension: files.extension,
      open: (p) => files.open(p),
      createLive: (p, m) => files.createLive(p, m),
      saveAs: (v, p) => files.saveAs(v, p),
      async importCapture(c, s, h) {
        const view = await files.importCapture(c, s, h);
        const get = view.getSnapshot.bind(view);
        view.getSnapshot = (i: number) => {
          reads.push(i);
          return get(i);
        };
        // A frame that opens a segment is read from its raw bytes: a read all the same.
        const cheap = view.cheapAreas?.bind(view);
        if (cheap) {
          view.cheapAreas = (i: number) => {
            reads.push(i);
            return cheap(i);
          };
        }
        return view;
      },
    };
    const svc = service({ store });
    await svc.importCapture({ path: capture(), sessionPath: join(dir, 'order.hss') });
    await svc.getFilmStrip({ columns: 4, rows: 32 });
    // Frames 0, 3, 4, 6: the nearly full heap (3) between two fresh ones is a spike the strip
    // keeps in place of frame 2 (which has no map anyway).
    expect(reads).toEqual([0, 3, 4, 6]);
    reads.length = 0;
    // Another width: only the frames not binned yet at this height.
    await svc.getFilmStrip({ columns: 7, rows: 32 });
    expect(reads).toEqual([1, 5]);
    reads.length = 0;
    // Another height: the maps read for the strips before are binned again, not read again.
    const again = await svc.getFilmStrip({ columns: 7, rows: 48 });
    expect(reads).toEqual([]);
    await expectColumnsMatch(svc, again);
    await svc.dispose();
  });

  it('follows a live recording: a new strip as the session grows, live dumps binned as they arrive', async () => {
    const bytes = readFileSync(capture());
    let hooks: RecorderHooks | null = null;
    const recorder: Recorder = {
      async start(_req, h) {
        hooks = h;
        h.phase('recording', 'Recording.');
        return { stop: async () => undefined };
      },
    };
    const svc = service({ recorder });
    await svc.startRecording({ port: 'virtual', run: { kind: 'main' }, periodMs: 500, collect: false, sessionPath: join(dir, 'live.hss') });
    const text = bytes.toString('latin1');
    // Up to the end of the stats-only frame: three frames.
    const cut = text.indexOf('step 2');
    hooks!.data(new Uint8Array(bytes.subarray(0, cut)), Date.now());
    const a = await svc.getFilmStrip({ columns: 64, rows: 32 });
    expect(a.frames).toEqual([0, 1, 2]);
    await expectColumnsMatch(svc, a);
    hooks!.data(new Uint8Array(bytes.subarray(cut)), Date.now());
    const b = await svc.getFilmStrip({ columns: 64, rows: 32 });
    expect(b).not.toBe(a);
    expect(b.frames.length).toBeGreaterThan(3);
    expect(Buffer.from(b.data.subarray(0, 3 * 32))).toEqual(Buffer.from(a.data));
    await expectColumnsMatch(svc, b);
    await svc.stopRecording();
    const c = await svc.getFilmStrip({ columns: 64, rows: 32 });
    expect(c.frames).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await expectColumnsMatch(svc, c);
    // Another session: another strip.
    await svc.openSession(join(CORPUS, '025-esp32-v1.21plus-split-heap-two-areas.txt'));
    const d = await svc.getFilmStrip({ columns: 64, rows: 32 });
    expect(d.frames).toEqual([0]);
    await expectColumnsMatch(svc, d);
    await svc.dispose();
  });

  it('checks its payload, and needs a session', async () => {
    const svc = service();
    const fails = async (params: unknown, code: string, re?: RegExp) => {
      try {
        await svc.call('getFilmStrip', params);
      } catch (e) {
        expect(e).toBeInstanceOf(ApiError);
        expect((e as ApiError).code).toBe(code);
        if (re) expect((e as ApiError).message).toMatch(re);
        return;
      }
      throw new Error('expected a rejection');
    };
    await fails({ columns: 10, rows: 64 }, 'NO_SESSION');
    await fails({ columns: 0, rows: 64 }, 'BAD_REQUEST', /columns/);
    await fails({ columns: 4097, rows: 64 }, 'BAD_REQUEST', /columns/);
    await fails({ columns: 10, rows: 15 }, 'BAD_REQUEST', /rows/);
    await fails({ columns: 10, rows: 1025 }, 'BAD_REQUEST', /rows/);
    await fails({ columns: 10.5, rows: 64 }, 'BAD_REQUEST', /columns/);
    await fails({ columns: 10, rows: 64, extra: 1 }, 'BAD_REQUEST');
    await fails({ columns: 10 }, 'BAD_REQUEST', /rows/);
    await svc.dispose();
  });
});
