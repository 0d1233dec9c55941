/**
 * The service end to end on real captures: import, session info, snapshots, log, search, every
 * export (checked by decoding it), cancel, validation errors, and a live recording fed by a
 * recorder that replays a capture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testService, type ServiceOptions } from '../support/service';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { ApiError, type ServiceEvent } from '../../src/shared/api';
import { HeapScopeService, looksLikeSession } from '../../src/main/service';
import type { Recorder } from '../../src/main/service';
import { frameLayout } from '../../src/main/export/frame';
import { pictureLayout, picturePalette } from '../../src/main/export/picture';
import { readGif } from '../support/gif';
import { readCapture } from '../../src/shared/capture/captureReader';

import { CORPUS as corpusDir, SEEDS as seedsDir } from '../support/corpus';
const expected = JSON.parse(readFileSync(join(corpusDir, 'expected.json'), 'utf8')) as Record<
  string,
  Array<{ areas: { address: string; blocks: number }[]; blockSize: number | null; counts: { free: number; head: number; tail: number } }>
>;

let dir: string;
function service(extra: Partial<ServiceOptions> = {}): HeapScopeService {
  return testService(dir, extra);
}

async function rejects(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a rejection');
}

/** A capture with several dumps, program output and a MemoryError, made from corpus files. */
function multiCapture(): string {
  const p = join(dir, 'multi.txt');
  if (existsSync(p)) return p;
  const part = (f: string) => readFileSync(join(corpusDir, f), 'utf8');
  const text = [
    'MicroPython v1.23.0 on 2024-06-02; Raspberry Pi Pico W with RP2040',
    'starting demo',
    part('022-rp2-v1.23plus-picow-after-soft-reset.txt'),
    'reading 1 = 37 mV',
    part('023-rp2-v1.23plus-picow-after-help-modules.txt'),
    'reading 2 = 74 mV',
    part('024-rp2-v1.23plus-picow-heap-nearly-full.txt'),
    'Traceback (most recent call last):',
    '  File "main.py", line 12, in <module>',
    'MemoryError: memory allocation failed, allocating 582 bytes',
    part('022-rp2-v1.23plus-picow-after-soft-reset.txt'),
    'done',
    '',
  ].join('\r\n');
  writeFileSync(p, text);
  return p;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hs-service-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('service on the corpus', () => {
  const files = readdirSync(corpusDir).filter((f) => f.endsWith('.txt'));

  it.each(files)('imports %s and serves it', async (file) => {
    const svc = service();
    const api = svc.api();
    const src = join(corpusDir, file);
    const sessionPath = join(dir, file.replace(/\.txt$/, '.hss'));
    const meta = await api.importCapture({ path: src, sessionPath });
    expect(meta.path).toBe(sessionPath);
    expect(looksLikeSession(sessionPath)).toBe(true);

    const info = await api.getSessionInfo();
    const exp = expected[file];
    expect(info.snapshots.length).toBe(exp.length);
    for (let i = 0; i < exp.length; i++) {
      const e = info.snapshots[i];
      expect(e.areas).toEqual(exp[i].areas);
      expect(e.metrics.freeBlocks).toBe(exp[i].counts.free);
      expect(e.metrics.tailBlocks).toBe(exp[i].counts.tail);
      expect(e.metrics.headBlocks).toBe(exp[i].counts.head);
      const snap = await api.getSnapshot({ index: i });
      expect(snap.areas.map((a) => ({ address: a.address, blocks: a.blocks }))).toEqual(exp[i].areas);
      for (const a of snap.areas) {
        expect(a.kinds).toBeInstanceOf(Uint8Array);
        expect(a.kinds.length).toBe(a.blocks);
      }
    }

    // Log window and the snapshot ↔ log line link.
    const log = await api.getLogLines({ from: 0, count: 10_000 });
    expect(log.total).toBe(info.logLineCount);
    expect(log.lines.length).toBe(info.logLineCount);
    for (const e of info.snapshots) expect(e.logLine).toBeLessThanOrEqual(info.logLineCount);

    // Raw: byte-identical to the capture.
    const raw = await api.exportSession({ format: 'raw', path: join(dir, `${file}.raw.txt`) });
    expect(Buffer.compare(readFileSync(raw.path), readFileSync(src))).toBe(0);

    // CSV: a header and one row per snapshot.
    const csv = await api.exportSession({ format: 'csv', path: join(dir, `${file}.csv`) });
    const rows = readFileSync(csv.path, 'utf8').trimEnd().split('\n');
    expect(rows.length).toBe(1 + exp.length);
    const header = rows[0].split(',');
    expect(header).toContain('printed_used');
    expect(header).toContain('used_bytes');
    expect(header).toContain('kind_h');
    expect(csv.items).toBe(exp.length);
    if (exp.length) {
      const row = rows[1].split(',');
      expect(Number(row[header.indexOf('free_blocks')])).toBe(exp[0].counts.free);
    }

    // JSON metrics.
    const json = await api.exportSession({ format: 'json', path: join(dir, `${file}.json`) });
    const j = JSON.parse(readFileSync(json.path, 'utf8'));
    expect(j.snapshots.length).toBe(exp.length);

    // PNG of the first frame: decodes, and has the layout's size.
    if (exp.length && exp[0].areas.length) {
      const png = await api.exportSession({ format: 'png', snapshot: 0, scale: 3, path: join(dir, `${file}.png`) });
      const img = PNG.sync.read(readFileSync(png.path));
      // The map with its address gutter, caption and legend (src/main/export/picture.ts).
      const layout = pictureLayout(frameLayout(exp[0].areas, 3), exp[0].areas, [], picturePalette('light'));
      expect(img.width).toBe(layout.width);
      expect(img.height).toBeGreaterThanOrEqual(layout.height);
      // Dark variant has the same size.
      const dark = await api.exportSession({ format: 'png', snapshot: 0, scale: 3, theme: 'dark', path: join(dir, `${file}.dark.png`) });
      const d = PNG.sync.read(readFileSync(dark.path));
      expect([d.width, d.height]).toEqual([img.width, img.height]);
      expect(Buffer.compare(d.data, img.data)).not.toBe(0);

      // GIF of all frames.
      const gif = await api.exportSession({ format: 'gif', path: join(dir, `${file}.gif`) });
      const g = readFileSync(gif.path);
      expect(g.subarray(0, 6).toString('latin1')).toBe('GIF89a');
      expect(g.readUInt16LE(6)).toBe(pictureLayout(frameLayout(exp[0].areas, 4), exp[0].areas, [], picturePalette('light')).width);
      const info = readGif(g);
      expect(info.frames).toBe(exp.filter((s) => s.areas.length > 0).length);
      expect(info.loops).toBe(true);
    }
    await svc.dispose();
  });
});

describe('service behaviour', () => {
  it('opens a plain capture in place, searches the log, and reopens the session file', async () => {
    const svc = service();
    const api = svc.api();
    const capture = multiCapture();
    const meta = await api.openSession({ path: capture });
    expect(meta.source).toBe('import');
    const info = await api.getSessionInfo();
    expect(info.snapshots.length).toBeGreaterThan(1);
    const mem = info.events.filter((e) => e.kind === 'memoryError');
    expect(mem.length).toBeGreaterThan(0);
    const hits = await api.searchLog({ query: 'memoryerror' });
    expect(hits.matches.length).toBeGreaterThan(0);
    const lines = await api.getLogLines({ from: hits.matches[0], count: 1 });
    expect(lines.lines[0].text.toLowerCase()).toContain('memoryerror');
    expect(lines.lines[0].device).toBe('memoryError');
    const re = await api.searchLog({ query: 'Memory(Error)', regex: true, caseSensitive: true, limit: 1 });
    expect(re.matches.length).toBe(1);
    const bad = await rejects(api.searchLog({ query: '(', regex: true }));
    expect(bad.code).toBe('BAD_REQUEST');

    // Save as a session file, open it: the same index.
    const saved = join(dir, 'seed0.hss');
    await api.saveSessionAs({ path: saved });
    await api.openSession({ path: saved });
    const again = await api.getSessionInfo();
    expect(again.meta.path).toBe(saved);
    expect(again.snapshots.length).toBe(info.snapshots.length);
    expect(again.snapshots.map((s) => s.metrics)).toEqual(info.snapshots.map((s) => s.metrics));
    expect(again.logLineCount).toBe(info.logLineCount);
    expect(again.snapshots.map((s) => s.logLine)).toEqual(info.snapshots.map((s) => s.logLine));
    const a = await api.getSnapshot({ index: 1 });
    await api.openSession({ path: capture });
    const b = await api.getSnapshot({ index: 1 });
    expect(a.areas.map((x) => Buffer.from(x.kinds).toString('latin1'))).toEqual(b.areas.map((x) => Buffer.from(x.kinds).toString('latin1')));

    const recent = await api.recentSessions();
    expect(recent[0].path).toBe(capture);
    expect(recent.map((r) => r.path)).toContain(saved);
    // Each row says what the session holds, noted when it was opened (no session is decoded to list them).
    expect(recent[0].summary).toMatchObject({ source: 'import', frames: info.snapshots.length, memoryError: { bytes: 582 } });
    expect(recent.find((r) => r.path === saved)!.summary?.frames).toBe(info.snapshots.length);

    // Range GIF and CSV.
    const gif = await api.exportSession({ format: 'gif', range: { from: 0, to: 1 }, path: join(dir, 'range.gif') });
    expect(gif.items).toBe(2);
    const csv = await api.exportSession({ format: 'csv', range: { from: 1, to: 1 }, path: join(dir, 'range.csv') });
    expect(readFileSync(csv.path, 'utf8').trimEnd().split('\n').length).toBe(2);
    // Default export path: beside the session, never overwriting.
    const d1 = await api.exportSession({ format: 'json' });
    const d2 = await api.exportSession({ format: 'json' });
    expect(d1.path).not.toBe(d2.path);
    // Frames in file names count from 1, as the window does.
    expect((await api.exportSession({ format: 'png', snapshot: 0 })).path).toMatch(/-frame1\.png$/);
    expect((await api.exportSession({ format: 'gif', range: { from: 0, to: 1 } })).path).toMatch(/-1-2\.gif$/);
    expect(existsSync(d1.path) && existsSync(d2.path)).toBe(true);
    await svc.dispose();
  });

  it('rejects bad payloads in words', async () => {
    const svc = service();
    const e1 = await rejects(svc.call('getSnapshot', { index: -1 }));
    expect(e1.code).toBe('BAD_REQUEST');
    expect(e1.message).toMatch(/getSnapshot: index/);
    const e2 = await rejects(svc.call('exportSession', { format: 'bmp' }));
    expect(e2.code).toBe('BAD_REQUEST');
    expect(e2.message).toMatch(/format/);
    const e3 = await rejects(svc.call('startRecording', { port: 'virtual', run: { kind: 'script' }, periodMs: 10, collect: 'yes' }));
    expect(e3.message).toMatch(/run/);
    expect(e3.message).toMatch(/periodMs/);
    expect(e3.message).toMatch(/collect/);
    const e4 = await rejects(svc.call('getSessionInfo', undefined));
    expect(e4.code).toBe('NO_SESSION');
    const e5 = await rejects(svc.call('rmrf', {}));
    expect(e5.code).toBe('UNKNOWN_METHOD');
    const e6 = await rejects(svc.call('openSession', { path: join(dir, 'nope.hss') }));
    expect(e6.code).toBe('NOT_FOUND');
    expect(e6.message).toContain('nope.hss');
    const e7 = await rejects(svc.call('openSession', { path: 'x', extra: 1 }));
    expect(e7.code).toBe('BAD_REQUEST');
    const e8 = await rejects(svc.call('chooseFile', { mode: 'open', purpose: 'session' }));
    expect(e8.code).toBe('UNSUPPORTED');
    expect(e8.fix).toBeTruthy();
  });

  it('says so when a session file is damaged or from a newer writer', async () => {
    const svc = service();
    const good = join(dir, 'for-damage.hss');
    await svc.importCapture({ path: join(corpusDir, '024-rp2-v1.23plus-picow-heap-nearly-full.txt'), sessionPath: good });
    const bytes = readFileSync(good);
    const newer = Buffer.from(bytes);
    newer.writeUInt16LE(99, 8); // format 99…
    newer.writeUInt16LE(99, 10); // …that needs a reader of format 99
    const p = join(dir, 'newer.hss');
    writeFileSync(p, newer);
    const e = await rejects(svc.call("openSession", { path: p }));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/newer HeapScope/);
    expect(e.message).not.toMatch(/\.ts:\d+/);
    const damaged = Buffer.from(bytes.subarray(0, 12));
    const q = join(dir, 'short.hss');
    writeFileSync(q, damaged);
    const e2 = await rejects(svc.call("openSession", { path: q }));
    expect(e2.code).toBe('BAD_FILE');
    await svc.dispose();
  });

  it('cancels an export and leaves no file', async () => {
    const svc = service();
    await svc.openSession(multiCapture());
    const events: ServiceEvent[] = [];
    svc.onEvent((e) => events.push(e));
    const out = join(dir, 'cancelled.gif');
    const p = svc.exportSession({ format: 'gif', jobId: 'job-1', path: out, scale: 16 });
    svc.cancelJob('job-1');
    const e = await rejects(p);
    expect(e.code).toBe('CANCELLED');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('cancelled.gif'))).toEqual([]);
    expect(events.some((x) => x.type === 'progress' && x.jobId === 'job-1' && x.finished)).toBe(true);
    await svc.dispose();
  });

  it('records live: pushes snapshots and log lines as they arrive, and leaves a session that opens', async () => {
    const capture = readFileSync(multiCapture());
    const expectedSnaps = readCapture(new Uint8Array(capture)).filter((e) => e.type === 'snapshot').length;
    let stopFeeding = () => {};
    const recorder: Recorder = {
      async start(_req, hooks) {
        hooks.phase('takingControl', 'Taking control…');
        hooks.board({ name: 'Replay', version: '1.0' });
        hooks.phase('recording', 'Recording.');
        let off = 0;
        const timer = setInterval(() => {
          if (off >= capture.length) return;
          hooks.data(new Uint8Array(capture.subarray(off, off + 997)), Date.now());
          off += 997;
        }, 1);
        stopFeeding = () => clearInterval(timer);
        await new Promise<void>((r) => {
          const t = setInterval(() => {
            if (off >= capture.length) {
              clearInterval(t);
              r();
            }
          }, 2);
        });
        return { stop: async () => stopFeeding() };
      },
    };
    const svc = service({ recorder });
    const events: ServiceEvent[] = [];
    const lag: number[] = [];
    svc.onEvent((e) => {
      events.push(e);
      // A dump is pushed as soon as the chunk with its last byte is in (≤ 50 ms budget).
      if (e.type === 'snapshot' && e.entry.hostMs !== null) lag.push(Date.now() - e.entry.hostMs);
    });
    const sessionPath = join(dir, 'live.hss');
    const st = await svc.call('startRecording', { port: 'virtual', run: { kind: 'main' }, periodMs: 500, collect: true, sessionPath });
    expect((st as { phase: string }).phase).toBe('recording');
    const live = events.filter((e) => e.type === 'snapshot');
    expect(live.length).toBeGreaterThan(0);
    expect(lag.length).toBe(live.length);
    expect(Math.max(...lag)).toBeLessThan(50);
    // A pushed snapshot carries its map.
    const first = live[0] as Extract<ServiceEvent, { type: 'snapshot' }>;
    expect(first.data.areas.length).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'log')).toBe(true);
    expect(events.some((e) => e.type === 'recording' && e.status.phase === 'takingControl')).toBe(true);
    // While recording: marks, info, snapshots.
    await svc.call('addMark', { label: 'button pressed' });
    const mid = await svc.getSessionInfo();
    expect(mid.meta.live).toBe(true);
    expect(mid.events.some((e) => e.type === 'mark' && e.text === 'button pressed')).toBe(true);
    const busy = await rejects(svc.call('openSession', { path: join(seedsDir, '001_875b3f0662365714.txt') }));
    expect(busy.code).toBe('BUSY');
    const meta = await svc.stopRecording();
    expect(meta?.live).toBe(false);
    expect(events.some((e) => e.type === 'recording' && e.status.phase === 'stopped')).toBe(true);
    const info = await svc.getSessionInfo();
    expect(info.snapshots.length).toBe(expectedSnaps);
    // Older snapshots (out of the live cache) come back from the file.
    const s0 = await svc.getSnapshot(0);
    expect(s0.areas.length).toBeGreaterThan(0);
    // The file on disk opens with the same figures, and its raw bytes are the capture's.
    await svc.openSession(sessionPath);
    const reopened = await svc.getSessionInfo();
    expect(reopened.snapshots.length).toBe(expectedSnaps);
    expect(reopened.events.some((e) => e.type === 'mark')).toBe(true);
    expect(reopened.meta.board?.name).toBe('Replay');
    // The program is kept in the file; the recent row names the board and program, counts the frames, times them.
    expect(reopened.meta.program).toBe('main.py');
    const row = (await svc.recentSessions()).find((r) => r.path === sessionPath)!;
    expect(row.summary).toMatchObject({ source: 'recording', board: 'Virtual board', program: 'main.py', frames: expectedSnaps, memoryError: { bytes: 582 } });
    const hs = reopened.snapshots.map((s) => s.hostMs!);
    expect(row.summary!.durationMs).toBe(hs[hs.length - 1] - hs[0]);
    const raw = await svc.exportSession({ format: 'raw', path: join(dir, 'live.raw.txt') });
    expect(Buffer.compare(readFileSync(raw.path), capture)).toBe(0);
    await svc.dispose();
  });

  it('reports a recorder failure in words and keeps nothing half-open', async () => {
    const recorder: Recorder = {
      async start() {
        throw Object.assign(new Error('Permission denied opening /dev/ttyACM0.'), {
          kind: 'permission',
          what: 'Permission denied opening /dev/ttyACM0.',
          advice: 'Add yourself to the dialout group, then log out and in again.',
        });
      },
    };
    const svc = service({ recorder });
    const sessionPath = join(dir, 'failed.hss');
    const e = await rejects(svc.call('startRecording', { port: '/dev/ttyACM0', run: { kind: 'attach' }, periodMs: 1000, collect: false, sessionPath }));
    expect(e.code).toBe('PERMISSION');
    expect(e.fix).toMatch(/dialout/);
    expect(svc.getStatus().recording).toBeNull();
    expect(existsSync(sessionPath)).toBe(false);
    // No session stays open on the file that was never written, and none is listed as recent.
    expect(svc.getStatus().session).toBeNull();
    expect((await svc.recentSessions()).some((r) => r.path === sessionPath)).toBe(false);
  });

  it('lists the virtual board even with no ports, preferred when nothing is plugged in', async () => {
    const svc = service({ ports: { list: async () => [] } });
    const ports = await svc.api().listPorts();
    expect(ports).toHaveLength(1);
    expect(ports[0].kind).toBe('virtual');
    expect(ports[0].preferred).toBe(true);
  });
});

describe('the virtual board through the service', () => {
  it('is preferred with no board plugged in, and Record works', async () => {
    const { createDefaultService } = await import('../../src/main/service');
    const svc = createDefaultService({ dataDir: join(dir, 'virtual-home'), ports: { list: async () => [] } });
    const api = svc.api();
    const ports = await api.listPorts();
    const port = ports.find((p) => p.preferred)!;
    expect(port.kind).toBe('virtual');
    const demos = await api.listDemos();
    expect(demos.map((d) => d.id)).toContain('leak');
    const events: ServiceEvent[] = [];
    api.onEvent((e) => events.push(e));
    const st = await api.startRecording({ port: port.path, run: { kind: 'main' }, demo: 'leak', periodMs: 200, collect: true });
    expect(st.phase).toBe('recording');
    const t0 = Date.now();
    while (Date.now() - t0 < 15_000 && events.filter((e) => e.type === 'snapshot').length < 3) await new Promise((r) => setTimeout(r, 50));
    const meta = await api.stopRecording();
    expect(meta?.path).toMatch(/\.hss$/);
    const phases = events.filter((e) => e.type === 'recording').map((e) => (e as Extract<ServiceEvent, { type: 'recording' }>).status.phase);
    for (const p of ['opening', 'takingControl', 'recording', 'stopped']) expect(phases).toContain(p);
    const info = await api.getSessionInfo();
    expect(info.snapshots.length).toBeGreaterThanOrEqual(3);
    expect(info.meta.board?.platform).toBeTruthy();
    expect(looksLikeSession(meta!.path)).toBe(true);
    await api.openSession({ path: meta!.path });
    expect((await api.getSessionInfo()).snapshots.length).toBe(info.snapshots.length);
    const row = (await api.recentSessions())[0];
    expect(row.summary).toMatchObject({ board: 'Virtual board', program: 'Demo: Leak', frames: info.snapshots.length });
    await svc.dispose();
  });
});
