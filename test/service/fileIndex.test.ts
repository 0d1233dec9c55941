/**
 * A session file's log, timeline and entries read a record at a time (src/main/service/fileIndex.ts)
 * give exactly what the whole index built as objects gives (indexFromReader): every log line with
 * its snapshot, arrival time and device mark, every timeline event, every entry's logLine, at any
 * window and in any order of reads. On captures with tracebacks and a MemoryError across many
 * index pages, real firmware streams, host marks and gaps, and files cut short (recovered tails).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS as corpusDir } from '../support/corpus';
import { FileSessionView } from '../../src/main/service';
import { indexFromReader } from '../../src/main/service/sessionStore';
import { indexFile, indexFromPages } from '../../src/main/service/fileIndex';
import { SessionReader, SessionWriter, importCapture } from '../../src/main/session';

let dir: string;
const sessions: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hs-fileindex-'));
  const a = readFileSync(join(corpusDir, '022-rp2-v1.23plus-picow-after-soft-reset.txt'), 'utf8');
  const b = readFileSync(join(corpusDir, '024-rp2-v1.23plus-picow-heap-nearly-full.txt'), 'utf8');
  const parts = ['MicroPython v1.23.0 on 2024-06-02; Raspberry Pi Pico W with RP2040'];
  for (let i = 0; i < 600; i++) {
    for (let k = 0; k < i % 4; k++) parts.push(`reading ${i}.${k} = ${i * 7} mV`);
    if (i % 97 === 5) parts.push('Traceback (most recent call last):', `  File "main.py", line ${i}, in <module>`, 'OSError: [Errno 5] EIO');
    if (i === 550) parts.push('MemoryError: memory allocation failed, allocating 582 bytes');
    parts.push(i % 5 === 4 ? b : a);
  }
  parts.push('done', '');
  const many = join(dir, 'many.hss');
  await importCapture(Buffer.from(parts.join('\r\n')), many);
  sessions.push(many);
  for (const name of ['qemu', 'pico', 'circuitpython']) {
    const p = join(dir, `${name}.hss`);
    await importCapture(join(import.meta.dirname, `../fixtures/boards/${name}-stream.bin`), p);
    sessions.push(p);
  }
  // A recording: bytes in pieces, with marks and gaps between them, arrival times.
  const rec = join(dir, 'rec.hss');
  const w = SessionWriter.create(rec, { source: 'virtual' }, { flushIntervalMs: 1e9 });
  const bytes = Buffer.from(parts.slice(0, 900).join('\r\n'));
  let t = 1_000_000;
  for (let o = 0, k = 0; o < bytes.length; o += 3001, k++) {
    w.appendRaw(bytes.subarray(o, o + 3001), (t += 17));
    if (k % 7 === 3) w.addMark(`mark ${k}`, t);
    if (k % 29 === 11) w.addGap('link lost', t, t + 500);
    if (k % 50 === 0) w.flush();
  }
  w.close();
  sessions.push(rec);
  // The same files cut short: the reader re-reads their tails from the raw bytes.
  for (const [src, frac] of [[many, 0.8], [rec, 0.6]] as const) {
    const p = join(dir, `cut-${frac}.hss`);
    copyFileSync(src, p);
    truncateSync(p, Math.floor(statSync(p).size * frac));
    sessions.push(p);
  }
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a session file read a record at a time', () => {
  it('gives the same log, timeline and entries as its whole index as objects', async () => {
    for (const path of sessions) {
      const r = SessionReader.open(path);
      const whole = indexFromReader(r);
      r.close();
      const view = FileSessionView.open(path);
      try {
        const n = whole.lines.length;
        expect(n, path).toBeGreaterThan(0);
        const info = await view.info(0, view.snapshotCount());
        expect(info.logLineCount, path).toBe(n);
        expect(info.snapshots, path).toEqual(whole.entries);
        expect(info.events, path).toEqual(whole.events);
        expect(view.entries(), path).toEqual(whole.entries);
        expect(await view.logCount(), path).toBe(n);
        expect(await view.logLines(0, n), path).toEqual(whole.lines.slice(0, n));
        // Windows in any order: backwards, overlapping, past the end, one line.
        for (const [from, count] of [[n - 7, 100], [0, 3], [Math.floor(n / 2), 50], [Math.floor(n / 3), 1], [n - 1, 1], [Math.floor(n / 2) + 10, 20], [n + 5, 10]]) {
          expect(await view.logLines(from, count), `${path} ${from}+${count}`).toEqual(whole.lines.slice(from, from + count));
        }
        expect(await view.logTexts(0, n), path).toEqual([...whole.lines.texts()]);
        const series = await view.frameSeries();
        expect(series?.logLineCount, path).toBe(n);
        expect(Array.from(series!.logLine), path).toEqual(whole.entries.map((e) => e.logLine));
      } finally {
        view.close();
      }
    }
  }, 120_000);

  it('reads the same index in one pass over the pages\' columns as the walk over their items, page states included', async () => {
    for (const path of sessions) {
      const r = SessionReader.open(path);
      try {
        const walked = indexFile(r, () => true, true);
        const paged = await indexFromPages(r);
        expect(paged, path).not.toBeNull();
        expect(paged!.logCount, path).toBe(walked.logCount);
        expect(paged!.pages, path).toEqual(walked.pages);
        expect(paged!.series.events, path).toEqual(walked.series.events);
        for (const key of ['usedBytes', 'freeBytes', 'largestFreeBytes', 'fragmentation', 'timeMs', 'logLine'] as const) {
          expect(Array.from(paged!.series[key]), `${path} ${key}`).toEqual(Array.from(walked.series[key]));
        }
        expect(paged!.pages.length, path).toBe(r.pageCount + 1);
      } finally {
        r.close();
      }
    }
  }, 120_000);

  it('serves the log from page states that keep only where waiting snapshots end', async () => {
    for (const path of sessions) {
      const r = SessionReader.open(path);
      const whole = indexFromReader(r);
      r.close();
      const view = FileSessionView.open(path);
      try {
        expect(await view.frameSeries(), path).not.toBeNull();
        const n = whole.lines.length;
        for (const [from, count] of [[Math.floor(n / 2), 50], [0, 3], [n - 7, 100], [Math.floor(n / 5), 400]]) {
          expect(await view.logLines(from, count), `${path} ${from}+${count}`).toEqual(whole.lines.slice(from, from + count));
        }
      } finally {
        view.close();
      }
    }
  }, 120_000);

  it('the device marks and the recovered tails are there to compare', () => {
    // The comparison above covers a traceback's mark on its line and a tail re-read at open.
    const r = SessionReader.open(sessions[0]);
    const whole = indexFromReader(r);
    r.close();
    expect(whole.lines.slice(0, whole.lines.length).some((l) => l.device === 'traceback')).toBe(true);
    for (const cut of sessions.filter((p) => p.includes('cut-'))) {
      const c = SessionReader.open(cut);
      expect(c.recovered.snapshots + c.recovered.events, cut).toBeGreaterThan(0);
      c.close();
    }
  });
});
