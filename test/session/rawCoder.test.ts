import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { importCapture, SessionReader } from '../../src/main/session';
import { LineDeltaEncoder } from '../../src/main/session/lineDelta';
import { CodedEndMirror } from '../../src/main/session/rawCoder';
import { corpusFile } from '../support/corpus';
import { entryOf, expectedOf, plain, tempDir, withoutHost } from './helpers';
import { synthCapture } from './synth';

const dir = tempDir();
// Built from the sources under test by the suite's global setup (scripts/build-cli.mjs).
const WORKER = new URL('../../out/cli/rawCoderWorker.js', import.meta.url);

function checkSession(file: string, bytes: Uint8Array): void {
  const r = SessionReader.open(file);
  try {
    expect(r.damage).toBeNull();
    expect(r.complete).toBe(true);
    expect(Buffer.concat([...r.rawChunks()]).equals(Buffer.from(bytes))).toBe(true);
    const want = expectedOf(bytes);
    expect(r.snapshots.map(withoutHost)).toEqual(want.snapshots.map(entryOf));
    for (const i of [0, want.snapshots.length >> 1, want.snapshots.length - 1]) expect(plain(r.getSnapshot(i))).toEqual(plain(want.snapshots[i]));
  } finally {
    r.close();
  }
}

/** How many bytes of two files of the same length differ (two imports' times and their checks). */
function bytesDiffering(a: string, b: string): number {
  const fa = readFileSync(a);
  const fb = readFileSync(b);
  let diff = 0;
  for (let i = 0; i < fa.length; i++) if (fa[i] !== fb[i]) diff++;
  return diff;
}

describe('raw coding in a worker (import)', () => {
  it('knows where the coded bytes end as the encoder does, for any bytes and chunking (property)', () => {
    const line = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 90 }),
      fc.constantFrom('\n', '\r\n', '00000400: hhh===...\n'),
      // Lines longer than the encoder holds back (MAX_CARRY, 64 KiB): let go as fragments.
      fc.integer({ min: 60_000, max: 140_000 }).map((n) => 'x'.repeat(n) + (n % 2 ? '\n' : '')),
    );
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.constantFrom('none', 'flush', 'split'), { minLength: 1, maxLength: 8 }),
        (lines, pieces, acts) => {
          const bytes = Buffer.from(lines.join(''), 'latin1');
          const e = new LineDeltaEncoder({ cells: true });
          const m = new CodedEndMirror();
          let at = 0;
          for (let k = 0; at < bytes.length; k++) {
            const piece = bytes.subarray(at, at + pieces[k % pieces.length]);
            at += piece.length;
            e.push(piece);
            m.push(piece);
            const act = acts[k % acts.length];
            if (act === 'flush') {
              e.flushPartial();
              m.flushPartial();
            } else if (act === 'split') {
              const p = e.codedEnd + Math.floor((e.pushed - e.codedEnd) / 3);
              e.splitAt(p);
              m.splitAt(p);
            }
            expect(m.codedEnd).toBe(e.codedEnd);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('makes the same session as the coding in this thread: same records, every byte and snapshot back', async () => {
    expect(statSync(fileURLToPath(WORKER)).isFile()).toBe(true);
    const captures: Array<[string, Uint8Array]> = [
      ['synth', synthCapture({ dumps: 400, blocks: 3000, seed: 5 })],
      ['framed', synthCapture({ dumps: 200, framed: true, eol: '\n', seed: 9 })],
      ['corpus', corpusFile('016-rp2-v1.20.0-pico-stubber-dropped-map-char.txt')],
    ];
    for (const [name, bytes] of captures) {
      const src = path.join(dir, `${name}.txt`);
      writeFileSync(src, bytes);
      // Small segments and records, so that many cuts and FLUSH_OPS records cross the thread;
      // a timer that would fire while closeAsync waits for the worker (it must write nothing).
      const opts = { flushIntervalMs: 1, segmentSnapshots: 16, segmentBytes: 64 << 10 };
      const inThread = path.join(dir, `${name}-thread.hss`);
      const inWorker = path.join(dir, `${name}-worker.hss`);
      // From bytes in memory: appended with no turn of the event loop between, so no timed
      // flush cuts a record in one and not the other.
      const a = await importCapture(bytes, inThread, { title: name }, { ...opts, worker: undefined });
      const b = await importCapture(bytes, inWorker, { title: name }, { ...opts, worker: WORKER });
      expect(b.snapshots).toBe(a.snapshots);
      expect(b.segments).toBe(a.segments);
      checkSession(inWorker, bytes);
      // Same bytes but the META record's creation time.
      expect(b.fileBytes).toBe(a.fileBytes);
      expect(bytesDiffering(inThread, inWorker)).toBeLessThanOrEqual(24);
      // From the file, read as the CLI reads it (the reads wait for the worker to keep up).
      const fromFile = path.join(dir, `${name}-file.hss`);
      await importCapture(src, fromFile, {}, { ...opts, worker: WORKER });
      checkSession(fromFile, bytes);
    }
  });

  it('a worker that fails fails the import with its error, and the file is never made complete', async () => {
    const bad = path.join(dir, 'badWorker.mjs');
    writeFileSync(bad, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => { throw new Error('coder broke'); });\n");
    const out = path.join(dir, 'bad.hss');
    const bytes = synthCapture({ dumps: 50, seed: 2 });
    await expect(importCapture(bytes, out, {}, { worker: pathToFileURL(bad) })).rejects.toThrow(/coder broke/);
    const r = SessionReader.open(out);
    try {
      expect(r.complete).toBe(false);
    } finally {
      r.close();
    }
  });
});

describe("an import's big index records compressed on the thread pool (asyncIndex)", () => {
  // Big segments: index records of hundreds of items, the ones tried with brotli.
  const opts = { flushIntervalMs: 1000, segmentSnapshots: 4096, segmentBytes: 64 << 20, worker: undefined };

  it('make the same file as compressing them in this thread', async () => {
    const bytes = synthCapture({ dumps: 700, blocks: 1500, seed: 11 });
    const calls = { n: 0 };
    const real = zlib.brotliCompress;
    const spy = vi.spyOn(zlib, 'brotliCompress').mockImplementation(((...args: Parameters<typeof real>) => {
      calls.n++;
      return (real as (...a: unknown[]) => void)(...args);
    }) as typeof real);
    try {
      const inThread = path.join(dir, 'index-thread.hss');
      const onPool = path.join(dir, 'index-pool.hss');
      const a = await importCapture(bytes, inThread, { title: 'i' }, { ...opts, asyncIndex: false });
      expect(calls.n).toBe(0);
      const b = await importCapture(bytes, onPool, { title: 'i' }, opts);
      // Not a test of nothing: the records did go to the pool.
      expect(calls.n).toBeGreaterThan(0);
      expect(b.snapshots).toBe(a.snapshots);
      checkSession(onPool, bytes);
      expect(b.fileBytes).toBe(a.fileBytes);
      // The META record's creation time, the END record's closing time, and their checks.
      expect(bytesDiffering(inThread, onPool)).toBeLessThanOrEqual(24);
    } finally {
      spy.mockRestore();
    }
  });

  it('one that fails fails the import with its error, and the file is never made complete', async () => {
    const spy = vi.spyOn(zlib, 'brotliCompress').mockImplementation(((_b: unknown, _o: unknown, cb: (err: Error | null, r?: Buffer) => void) => {
      setImmediate(() => cb(new Error('brotli broke')));
    }) as unknown as typeof zlib.brotliCompress);
    const out = path.join(dir, 'index-bad.hss');
    try {
      await expect(importCapture(synthCapture({ dumps: 700, blocks: 1500, seed: 12 }), out, {}, opts)).rejects.toThrow(/brotli broke/);
    } finally {
      spy.mockRestore();
    }
    const r = SessionReader.open(out);
    try {
      expect(r.complete).toBe(false);
    } finally {
      r.close();
    }
  });
});
