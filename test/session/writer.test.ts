import { copyFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMAT_VERSION, SessionReader, SessionWriter } from '../../src/main/session';
import { enc } from '../support/corpus';
import { entryOf, expectedOf, tempDir, withoutHost } from './helpers';
import { synthCapture } from './synth';

const dir = tempDir();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('writing while recording', () => {
  it('puts appended bytes on disk within a second, without close, readable by a second reader', async () => {
    const file = path.join(dir, 'live.hss');
    const w = SessionWriter.create(file, { title: 'live', source: 'virtual' });
    const bytes = synthCapture({ dumps: 6, blocks: 4000 });
    const half = Math.floor(bytes.length / 2);
    const before = statSync(file).size;
    const t0 = Date.now();
    const events = w.appendRaw(bytes.subarray(0, half));
    expect(events.some((e) => e.type === 'snapshot')).toBe(true);
    // Real timers: poll the file's size until it grows; it must within a second.
    let grewAfter = -1;
    while (Date.now() - t0 < 1500) {
      if (statSync(file).size > before + 100) {
        grewAfter = Date.now() - t0;
        break;
      }
      await sleep(20);
    }
    expect(grewAfter).toBeGreaterThanOrEqual(0);
    expect(grewAfter).toBeLessThanOrEqual(1000);
    // What is on disk now opens (as a crash would leave it) with every byte appended.
    const copy = path.join(dir, 'live-copy.hss');
    copyFileSync(file, copy);
    const r = SessionReader.open(copy);
    expect(r.complete).toBe(false);
    expect(r.rawLength).toBe(half);
    expect(Buffer.from(r.readRaw(0, half)).equals(Buffer.from(bytes.subarray(0, half)))).toBe(true);
    expect(r.snapshots.map(withoutHost)).toEqual(expectedOf(bytes.subarray(0, half)).snapshots.map(entryOf));
    r.close();
    w.appendRaw(bytes.subarray(half));
    const sum = w.close();
    expect(sum.rawLength).toBe(bytes.length);
    expect(sum.snapshots).toBe(6);
    expect(sum.fileBytes).toBe(statSync(file).size);
  });

  it('keeps the meta, host times, the host’s marks and link gaps, in arrival order', () => {
    const file = path.join(dir, 'marks.hss');
    const w = SessionWriter.create(file, { title: 'marks', board: 'rp2040', nested: { a: [1, 2] } });
    const a = enc('hello 1\r\nMPY: soft reboot\r\nhello 2\r\n');
    w.appendRaw(a, 1000);
    const mark = w.addMark('button pressed', 1500);
    const gap = w.addGap('USB disconnected', 1600, 2600);
    w.appendRaw(enc('back again\r\nMemoryError: memory allocation failed, allocating 582 bytes\r\n'), 2700);
    w.close();
    const r = SessionReader.open(file);
    expect(r.meta).toEqual({ title: 'marks', board: 'rp2040', nested: { a: [1, 2] } });
    expect(r.info.format).toBe(FORMAT_VERSION);
    const kinds = r.events.map((e) => `${e.type}${e.type === 'device' ? `:${e.kind}` : ''}@${e.hostMs}`);
    expect(kinds).toEqual([
      'log@1000',
      'log@1000',
      'device:softReboot@1000',
      'log@1000',
      'mark@1500',
      'gap@2600',
      'log@2700',
      'log@2700',
      'device:memoryError@2700',
    ]);
    expect(r.events[4]).toMatchObject({ type: 'mark', label: 'button pressed', byteOffset: a.length, line: mark.line });
    expect(r.events[5]).toMatchObject({ type: 'gap', reason: 'USB disconnected', hostMsStart: 1600, hostMsEnd: 2600, byteOffset: gap.byteOffset });
    expect(r.events[8]).toMatchObject({ bytes: 582, text: 'MemoryError: memory allocation failed, allocating 582 bytes' });
    expect(r.events.map((e) => e.type === 'log' && e.text).filter(Boolean)).toEqual(['hello 1', 'MPY: soft reboot', 'hello 2', 'back again', 'MemoryError: memory allocation failed, allocating 582 bytes']);
    r.close();
  });

  it('log text that is not its bytes (escapes, UTF-8) is kept as the parser gave it', () => {
    const file = path.join(dir, 'escapes.hss');
    const w = SessionWriter.create(file);
    const bytes = enc('\x1b]0;title\x1b\\héllo wörld\r\n\x1b[0m>>> \r\nplain\r\n');
    w.appendRaw(bytes, null);
    w.close();
    const r = SessionReader.open(file);
    expect(r.events.map(withoutHost)).toEqual(expectedOf(bytes).events);
    r.close();
  });

  it("logText: 'raw' keeps a log line's text only in the raw bytes, read back when first asked", () => {
    const bytes = synthCapture({ dumps: 40, blocks: 3000, seed: 4 });
    const inIndex = path.join(dir, 'text-index.hss');
    const inRaw = path.join(dir, 'text-raw.hss');
    for (const [file, logText] of [
      [inIndex, 'index'],
      [inRaw, 'raw'],
    ] as const) {
      const w = SessionWriter.create(file, {}, { logText, segmentSnapshots: 8 });
      for (let i = 0; i < bytes.length; i += 5000) w.appendRaw(bytes.subarray(i, i + 5000), null);
      w.close();
    }
    expect(statSync(inRaw).size).toBeLessThan(statSync(inIndex).size);
    const want = expectedOf(bytes).events;
    for (const file of [inIndex, inRaw]) {
      const r = SessionReader.open(file);
      expect(r.events.map(withoutHost)).toEqual(want);
      r.close();
    }
  });

  it('refuses bytes after close, and says why', () => {
    const file = path.join(dir, 'closed.hss');
    const w = SessionWriter.create(file);
    w.close();
    expect(() => w.appendRaw(enc('x'))).toThrow(/closed/);
    expect(() => w.close()).toThrow(/already closed/);
  });
});
