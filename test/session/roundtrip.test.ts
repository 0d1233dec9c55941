import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importCapture, SessionReader } from '../../src/main/session';
import { corpusFile, corpusNames, SEEDS } from '../support/corpus';
import { entryOf, expectedOf, plain, rng, tempDir, withoutHost, writeSession } from './helpers';
import { synthCapture } from './synth';

const dir = tempDir();

/** Everything a session must give back for these bytes. */
async function checkSession(file: string, bytes: Uint8Array, fetch: 'all' | number = 'all'): Promise<SessionReader> {
  const r = SessionReader.open(file);
  expect(r.damage).toBeNull();
  expect(r.complete).toBe(true);
  expect(r.rawLength).toBe(bytes.length);
  // The raw capture, byte for byte: whole, in pieces, exported.
  expect(Buffer.concat([...r.rawChunks()]).equals(Buffer.from(bytes))).toBe(true);
  const a = Math.floor(bytes.length / 3);
  expect(Buffer.from(r.readRaw(a, a + 5000)).equals(Buffer.from(bytes.subarray(a, a + 5000)))).toBe(true);
  const out = `${file}.raw`;
  await r.exportRaw(out);
  expect(readFileSync(out).equals(Buffer.from(bytes))).toBe(true);
  // The index: every snapshot's figures and metrics, every event, as a sequential parse has them.
  const want = expectedOf(bytes);
  expect(r.snapshots.map(withoutHost)).toEqual(want.snapshots.map(entryOf));
  expect(r.events.map(withoutHost)).toEqual(want.events);
  // Random access: any snapshot, in any order, equals the sequential parse.
  const order = want.snapshots.map((_, i) => i);
  const rand = rng(order.length);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const i of fetch === 'all' ? order : order.slice(0, fetch)) {
    expect(plain(r.getSnapshot(i))).toEqual(plain(want.snapshots[i]));
  }
  return r;
}

describe('session round trip', () => {
  for (const name of corpusNames()) {
    it(`corpus ${name}`, async () => {
      const bytes = corpusFile(name);
      const file = path.join(dir, `${name}.hss`);
      await importCapture(bytes, file);
      (await checkSession(file, bytes)).close();
    });
  }

  it('the seed captures (old eras, tracebacks, t tails)', async () => {
    for (const name of readdirSync(SEEDS).filter((n) => n.endsWith('.txt'))) {
      const bytes = new Uint8Array(readFileSync(path.join(SEEDS, name)));
      const file = path.join(dir, `seed-${name}.hss`);
      await importCapture(path.join(SEEDS, name), file);
      (await checkSession(file, bytes)).close();
    }
  });

  it('a long synthetic recording in small segments, fed in odd pieces with flushes between', async () => {
    const bytes = synthCapture({ dumps: 300, seed: 3 });
    const file = path.join(dir, 'synth-pieces.hss');
    writeSession(file, bytes, { pieces: [1, 63, 4000, 977, 20000], flushEvery: 7, segmentSnapshots: 16 });
    const r = await checkSession(file, bytes, 80);
    expect(r.snapshots.length).toBe(300);
    // Host times are kept: each snapshot's is the time of the piece that completed it (the one
    // holding the end of the line after the dump; the test's clock is the piece's offset).
    for (const s of r.snapshots) {
      const t = s.hostMs! - 1_700_000_000_000;
      expect(t).toBeGreaterThan(s.byteEnd - 20000);
      expect(t).toBeLessThan(s.byteEnd + 40);
    }
    r.close();
  });

  it('a format-2 file (map lines as text patches, no cell streams) still opens and gives back the same', async () => {
    const bytes = synthCapture({ dumps: 120, seed: 9 });
    const file = path.join(dir, 'synth-format2.hss');
    writeSession(file, bytes, { pieces: [5000, 333], flushEvery: 5, segmentSnapshots: 32, format: 2 });
    const head = readFileSync(file).subarray(8, 12);
    expect([head.readUInt16LE(0), head.readUInt16LE(2)]).toEqual([2, 1]);
    const r = await checkSession(file, bytes, 40);
    expect(r.format).toBe(2);
    r.close();
    // The same recording in format 3 is smaller: what the heap model is for.
    const file3 = path.join(dir, 'synth-format3.hss');
    writeSession(file3, bytes, { pieces: [5000, 333], flushEvery: 5, segmentSnapshots: 32 });
    expect(statSync(file3).size).toBeLessThan(statSync(file).size);
  });

  it('framed dumps (the helper), LF line ends, many segments cut by size', async () => {
    const bytes = synthCapture({ dumps: 120, seed: 5, framed: true, eol: '\n', blocks: 20000 });
    const file = path.join(dir, 'synth-framed.hss');
    writeSession(file, bytes, { pieces: [65536], segmentBytes: 100_000 });
    (await checkSession(file, bytes, 40)).close();
  });

  it('is never larger than gzip -6 of the raw capture (a recording); a single pasted dump costs a bounded index on top', async () => {
    const report: string[] = [];
    const sizes = (bytes: Uint8Array, file: string) => {
      const size = statSync(file).size;
      const gz = zlib.gzipSync(bytes, { level: 6 }).length;
      return { size, gz, line: `raw ${bytes.length}, gzip -6 ${gz}, session ${size} (${((100 * size) / gz).toFixed(1)} % of gzip)` };
    };
    for (const [name, churn] of [
      ['3 %', 0.04],
      ['0.5 %', 0.005],
    ] as const) {
      const bytes = synthCapture({ dumps: 600, seed: 11, churn });
      const file = path.join(dir, `synth-size-${churn}.hss`);
      await importCapture(bytes, file);
      const s = sizes(bytes, file);
      report.push(`synthetic RP2040 recording, 600 dumps, ~${name} of blocks change per dump: ${s.line}`);
      expect(s.size).toBeLessThanOrEqual(s.gz);
    }
    for (const name of corpusNames()) {
      // One dump each: nothing to take a delta from, and the header, description and index
      // (a few hundred bytes) come on top of what is, for the raw bytes, about gzip's size.
      const file = path.join(dir, `size-${name}.hss`);
      await importCapture(corpusFile(name), file);
      const s = sizes(corpusFile(name), file);
      report.push(`${name}: ${s.line}`);
      expect(s.size - s.gz).toBeLessThan(900);
    }
    console.log(report.join('\n'));
  });
});
