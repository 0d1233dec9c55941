import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionFormatError, SessionReader } from '../../src/main/session';
import { entryOf, expectedOf, plain, rng, tempDir, withoutHost, writeSession } from './helpers';
import { synthCapture } from './synth';

const dir = tempDir();

/** A small session with many records: small segments, a flush every few pieces. */
const bytes = synthCapture({ dumps: 30, blocks: 1500, seed: 9 });
const full = path.join(dir, 'full.hss');
writeSession(full, bytes, { pieces: [700, 1300], flushEvery: 2, segmentSnapshots: 6 });
const fileBytes = readFileSync(full);

/** [record start, record end, raw bytes covered once it is complete] for every record. */
function records(): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  let at = 16;
  let raw = 0;
  while (at < fileBytes.length) {
    const len = fileBytes.readUInt32LE(at + 1);
    if (fileBytes[at] === 3) {
      // payload: varint rawStart, varint rawLength, …
      let p = at + 9;
      const uvar = () => {
        let v = 0;
        let m = 1;
        for (;;) {
          const b = fileBytes[p++];
          v += (b & 0x7f) * m;
          if (b < 0x80) return v;
          m *= 128;
        }
      };
      uvar();
      raw += uvar();
    }
    out.push([at, at + 9 + len, raw]);
    at += 9 + len;
  }
  return out;
}

const expectations = new Map<number, ReturnType<typeof expectedOf>>();
function expectedPrefix(n: number) {
  let e = expectations.get(n);
  if (!e) {
    e = expectedOf(bytes.subarray(0, n));
    expectations.set(n, e);
  }
  return e;
}

/** Opens the file cut at `cut` bytes and checks it holds exactly what the raw bytes before the cut hold. */
function checkCut(cut: number, recs: Array<[number, number, number]>, fetchLast: boolean): void {
  const f = path.join(dir, 'cut.hss');
  writeFileSync(f, fileBytes.subarray(0, cut));
  let r: SessionReader;
  try {
    r = SessionReader.open(f);
  } catch (err) {
    expect(err).toBeInstanceOf(SessionFormatError);
    // Only a file cut inside its header or description may refuse to open.
    expect(cut).toBeLessThan(recs[0][1]);
    expect((err as SessionFormatError).code).toBe('empty');
    return;
  }
  try {
    expect(r.damage).toBeNull();
    expect(r.complete).toBe(cut === fileBytes.length);
    // Every raw byte of every complete record is there, and nothing else.
    const covered = recs.filter(([, end]) => end <= cut).reduce((m, [, , raw]) => Math.max(m, raw), 0);
    expect(r.rawLength).toBe(covered);
    expect(Buffer.from(r.readRaw(0, r.rawLength)).equals(Buffer.from(bytes.subarray(0, covered)))).toBe(true);
    // Everything the parser finds in those bytes: the index, and what a crash kept out of it.
    const want = expectedPrefix(covered);
    expect(r.snapshots.map(withoutHost)).toEqual(want.snapshots.map(entryOf));
    expect(r.events.map(withoutHost)).toEqual(want.events);
    if (fetchLast && r.snapshots.length) {
      const i = r.snapshots.length - 1;
      expect(plain(r.getSnapshot(i))).toEqual(plain(want.snapshots[i]));
    }
  } finally {
    r.close();
  }
}

describe('a session cut short (a crash while writing)', () => {
  const recs = records();

  it('has many records to cut through', () => {
    expect(recs.length).toBeGreaterThan(40);
    expect(recs.filter((r) => fileBytes[r[0]] === 2).length).toBeGreaterThan(3);
  });

  it('opens with everything before the cut, cut at every byte of its last records', () => {
    const from = recs[recs.length - 4][0];
    for (let cut = from; cut <= fileBytes.length; cut++) checkCut(cut, recs, cut % 97 === 0);
  }, 300_000);

  it('opens with everything before the cut, cut at random places and at every record edge', () => {
    const rand = rng(77);
    const cuts = new Set<number>();
    for (let i = 0; i < 150; i++) cuts.add(Math.floor(rand() * fileBytes.length));
    for (const [s, e] of recs) {
      cuts.add(s);
      cuts.add(s + 5);
      cuts.add(e - 1);
    }
    for (let c = 0; c < 40; c++) cuts.add(c);
    for (const cut of [...cuts].sort((a, b) => a - b)) checkCut(cut, recs, true);
  }, 300_000);

  it('a writer that dies mid-dump leaves a file that opens with that dump read as far as it got', () => {
    const cutAt = Math.floor(bytes.length * 0.62);
    const f = path.join(dir, 'abandoned.hss');
    writeSession(f, bytes.subarray(0, cutAt), { pieces: [999], abandon: true, segmentSnapshots: 4 });
    const r = SessionReader.open(f);
    expect(r.complete).toBe(false);
    expect(r.rawLength).toBe(cutAt);
    const want = expectedOf(bytes.subarray(0, cutAt));
    expect(r.snapshots.map(withoutHost)).toEqual(want.snapshots.map(entryOf));
    expect(r.recovered.snapshots).toBeGreaterThanOrEqual(1);
    const last = r.snapshots.length - 1;
    expect(plain(r.getSnapshot(last))).toEqual(plain(want.snapshots[last]));
    r.close();
  });
});

describe('damaged and foreign files', () => {
  it('bytes flipped anywhere: only SessionFormatError, whatever is read', () => {
    const rand = rng(5);
    const f = path.join(dir, 'flipped.hss');
    let damaged = 0;
    for (let t = 0; t < 250; t++) {
      const b = Buffer.from(fileBytes);
      const flips = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
      writeFileSync(f, b);
      try {
        const r = SessionReader.open(f);
        if (r.damage) damaged++;
        for (let i = 0; i < r.snapshots.length; i += 3) {
          try {
            r.getSnapshot(i);
          } catch (err) {
            expect(err).toBeInstanceOf(SessionFormatError);
            expect((err as Error).message).toMatch(/damaged at byte \d+: .*; \d+ snapshots? before it (is|are) readable/);
          }
        }
        try {
          r.readRaw(0, r.rawLength);
          for (const e of r.events) if (e.type === 'log') void e.text;
        } catch (err) {
          expect(err).toBeInstanceOf(SessionFormatError);
        }
        r.close();
      } catch (err) {
        expect(err).toBeInstanceOf(SessionFormatError);
        damaged++;
      }
    }
    expect(damaged).toBeGreaterThan(10);
  });

  it('says where the damage is and how much before it is readable; strict opening throws it', () => {
    const recs = records();
    const idx = recs.filter((r) => fileBytes[r[0]] === 6)[5]; // a COLUMNS (index) record
    const b = Buffer.from(fileBytes);
    b[idx[0] + 12] ^= 0x40;
    const f = path.join(dir, 'damaged-index.hss');
    writeFileSync(f, b);
    const r = SessionReader.open(f);
    expect(r.damage).toBeInstanceOf(SessionFormatError);
    expect(r.damage!.code).toBe('damaged');
    expect(r.damage!.message).toContain(`damaged at byte ${idx[0]}: a record’s checksum does not match; ${r.snapshots.length} snapshots before it are readable`);
    expect(r.snapshots.length).toBeGreaterThan(0);
    r.close();
    expect(() => SessionReader.open(f, { strict: true })).toThrow(SessionFormatError);
  });

  it('a tail of zeros (power lost while writing) is a torn tail, not damage', () => {
    const f = path.join(dir, 'zeros.hss');
    copyFileSync(full, f);
    appendFileSync(f, Buffer.alloc(8192));
    const r = SessionReader.open(f);
    expect(r.damage).toBeNull();
    expect(r.rawLength).toBe(bytes.length);
    expect(r.snapshots.length).toBe(30);
    r.close();
  });

  it('a file from a newer HeapScope says so, with both format numbers', () => {
    const b = Buffer.from(fileBytes);
    b.writeUInt16LE(4, 8);
    b.writeUInt16LE(4, 10);
    const f = path.join(dir, 'newer.hss');
    writeFileSync(f, b);
    expect(() => SessionReader.open(f)).toThrow(SessionFormatError);
    try {
      SessionReader.open(f);
    } catch (err) {
      expect((err as SessionFormatError).code).toBe('newer');
      expect((err as Error).message).toMatch(/written by a newer HeapScope \(format 4, .*this version reads up to 3\)/);
    }
    // A newer writer that only adds what old readers may skip still opens.
    b.writeUInt16LE(3, 10);
    writeFileSync(f, b);
    const r = SessionReader.open(f);
    expect(r.snapshots.length).toBe(30);
    r.close();
  });

  it('record types it does not know: skipped when marked optional, damage otherwise', () => {
    const rec = (type: number) => {
      const r = Buffer.alloc(9 + 3);
      r[0] = type;
      r.writeUInt32LE(3, 1);
      r.set([1, 2, 3], 9);
      // A valid checksum, so only the type is in question.
      const zlib = require('node:zlib') as typeof import('node:zlib');
      r.writeUInt32LE(zlib.crc32(r.subarray(9), zlib.crc32(r.subarray(0, 5))) >>> 0, 5);
      return r;
    };
    const recs = records();
    const mid = recs[Math.floor(recs.length / 2)][0];
    const f = path.join(dir, 'unknown.hss');
    writeFileSync(f, Buffer.concat([fileBytes.subarray(0, mid), rec(0x91), fileBytes.subarray(mid)]));
    let r = SessionReader.open(f);
    expect(r.damage).toBeNull();
    expect(r.snapshots.length).toBe(30);
    r.close();
    writeFileSync(f, Buffer.concat([fileBytes.subarray(0, mid), rec(0x11), fileBytes.subarray(mid)]));
    r = SessionReader.open(f);
    expect(r.damage?.message).toMatch(/unknown type 17 \(written by a newer HeapScope\?\)/);
    r.close();
  });

  it('not a session, empty, missing: clear words', () => {
    const text = path.join(dir, 'capture.txt');
    writeFileSync(text, 'GC: total: 100, used: 10, free: 90\n');
    expect(() => SessionReader.open(text)).toThrow(/is not a HeapScope session/);
    const empty = path.join(dir, 'empty.hss');
    writeFileSync(empty, '');
    expect(() => SessionReader.open(empty)).toThrow(/empty or ends inside its header/);
    expect(() => SessionReader.open(path.join(dir, 'nothing-here.hss'))).toThrow(SessionFormatError);
  });
});
