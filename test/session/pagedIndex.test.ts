/**
 * The paged index (format 2): opening reads INDEX_COUNTS records instead of inflating every
 * index record, and a segment's index is decoded when one of its entries is asked for.
 * `checkTail: 0` makes the reader lazy for the whole file (by default the last MiB is read at
 * open, which holds all of a small test file).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionFormatError, SessionReader } from '../../src/main/session';
import { entryOf, expectedOf, plain, rng, tempDir, withoutHost, writeSession } from './helpers';
import { synthCapture } from './synth';

const dir = tempDir();

const bytes = synthCapture({ dumps: 60, blocks: 1500, seed: 21 });
const want = expectedOf(bytes);
const file = path.join(dir, 'paged.hss');
writeSession(file, bytes, { pieces: [900, 2100], flushEvery: 3, segmentSnapshots: 5 });
const fileBytes = readFileSync(file);

/** [type, start, end] of every record. */
function records(b: Buffer): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let at = 16; at + 9 <= b.length; ) {
    const end = at + 9 + b.readUInt32LE(at + 1);
    out.push([b[at], at, end]);
    at = end;
  }
  return out;
}

/** The same session without its INDEX_COUNTS records (optional: the reader decodes as it scans). */
function withoutCounts(b: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from(b.subarray(0, 16))];
  for (const [type, s, e] of records(b)) if (type !== 0x81) parts.push(b.subarray(s, e));
  return Buffer.concat(parts);
}

/** COLUMNS: format 3's index records. */
const INDEX = 6;

function checkAll(r: SessionReader): void {
  expect(r.damage).toBeNull();
  expect(r.snapshotCount).toBe(want.snapshots.length);
  expect(r.eventCount).toBe(want.events.length);
  // Entries in a random order (pages decoded, dropped and decoded again), then all at once.
  const rand = rng(5);
  for (let k = 0; k < 200; k++) {
    const i = Math.floor(rand() * want.snapshots.length);
    expect(withoutHost(r.entry(i))).toEqual(entryOf(want.snapshots[i]));
    const j = Math.floor(rand() * want.events.length);
    expect(withoutHost(r.event(j))).toEqual(want.events[j]);
  }
  for (const i of [0, 17, want.snapshots.length - 1]) expect(plain(r.getSnapshot(i))).toEqual(plain(want.snapshots[i]));
  expect(r.snapshots.map(withoutHost)).toEqual(want.snapshots.map(entryOf));
  expect(r.events.map(withoutHost)).toEqual(want.events);
  expect(() => r.entry(want.snapshots.length)).toThrow(RangeError);
}

describe('the paged index', () => {
  it('has many segments, each index record counted', () => {
    const recs = records(fileBytes);
    expect(recs.filter(([t]) => t === 2).length).toBeGreaterThan(8);
    const idx = recs.filter(([t]) => t === INDEX).length;
    expect(idx).toBeGreaterThan(8);
    expect(recs.filter(([t]) => t === 0x81).length).toBe(idx);
  });

  it('opens without decoding the index and serves every entry on demand', () => {
    const r = SessionReader.open(file, { checkTail: 0 });
    checkAll(r);
    r.close();
  });

  it('a file without counts (decoded as the scan goes, as format 1 was) opens with the same index, lazily or not', () => {
    const f = path.join(dir, 'nocounts.hss');
    writeFileSync(f, withoutCounts(fileBytes));
    for (const checkTail of [0, undefined]) {
      const r = SessionReader.open(f, { checkTail });
      expect(r.info.format).toBe(3);
      checkAll(r);
      r.close();
    }
  });

  it('damage in an index record it did not read at open is found when its page is asked for, in words', () => {
    const recs = records(fileBytes);
    const idx = recs.filter(([t]) => t === INDEX);
    const [, at, end] = idx[Math.floor(idx.length / 2)];
    const b = Buffer.from(fileBytes);
    b[end - 3] ^= 0x55;
    const f = path.join(dir, 'damaged-page.hss');
    writeFileSync(f, b);
    const r = SessionReader.open(f, { checkTail: 0 });
    // Not read yet: the counts say what is there.
    expect(r.damage).toBeNull();
    expect(r.snapshotCount).toBe(want.snapshots.length);
    // The first entry is in an undamaged page.
    expect(withoutHost(r.entry(0))).toEqual(entryOf(want.snapshots[0]));
    let thrown: unknown = null;
    for (let i = 0; i < r.snapshotCount && thrown === null; i++) {
      try {
        r.entry(i);
      } catch (err) {
        thrown = err;
      }
    }
    expect(thrown).toBeInstanceOf(SessionFormatError);
    expect((thrown as Error).message).toContain(`damaged at byte ${at}: a record’s checksum does not match`);
    // The whole list stops at the damaged page, and says so.
    const n = r.snapshots.length;
    expect(n).toBeLessThan(want.snapshots.length);
    expect(r.snapshots.map(withoutHost)).toEqual(want.snapshots.slice(0, n).map(entryOf));
    expect(r.damage).toBeInstanceOf(SessionFormatError);
    expect(r.snapshotCount).toBe(n);
    r.close();
    // Read at open (the default for the end of a small file): the scan stops there.
    const r2 = SessionReader.open(f);
    expect(r2.damage?.message).toContain(`damaged at byte ${at}`);
    r2.close();
  });

  it('a file cut anywhere opens lazily with everything before the cut', () => {
    const recs = records(fileBytes);
    const rand = rng(3);
    const cuts = new Set<number>();
    for (let i = 0; i < 25; i++) cuts.add(16 + Math.floor(rand() * (fileBytes.length - 16)));
    for (const [t, s, e] of recs) if (t === 0x81 || t === INDEX) cuts.add(e), cuts.add(s + 4);
    const f = path.join(dir, 'cut.hss');
    for (const cut of cuts) {
      writeFileSync(f, fileBytes.subarray(0, cut));
      const r = SessionReader.open(f, { checkTail: 0 });
      expect(r.damage).toBeNull();
      const w = expectedOf(bytes.subarray(0, r.rawLength));
      expect(r.snapshotCount).toBe(w.snapshots.length);
      for (let i = 0; i < r.snapshotCount; i += 7) expect(withoutHost(r.entry(i))).toEqual(entryOf(w.snapshots[i]));
      expect(r.events.map(withoutHost)).toEqual(w.events);
      r.close();
    }
  }, 120_000);
});
