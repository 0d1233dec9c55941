/**
 * The snapshots that open a segment, read from the segment's raw bytes alone (what the film
 * strip shows a whole day with): equal to the sequential parse, and read without decoding the
 * rest of the segment (a damaged record later in it does not stop them), while a segment cut in
 * the middle of a dump is not offered, or gives null (getSnapshot then reads it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionFormatError, SessionReader } from '../../src/main/session';
import { HEADER_SIZE, RECORD_HEADER_SIZE, RecordType } from '../../src/main/session/format';
import { expectedOf, tempDir, writeSession } from './helpers';
import { synthCapture } from './synth';

const dir = tempDir();

/** Maps as text, and where the dump lies in the raw stream. */
const shape = (s: { byteStart: number; byteEnd: number; areas: readonly { address: unknown; blocks: number; kinds: Uint8Array }[] }) => ({
  byteStart: s.byteStart,
  byteEnd: s.byteEnd,
  areas: s.areas.map((a) => ({ address: a.address, blocks: a.blocks, kinds: Buffer.from(a.kinds).toString('latin1') })),
});

/** File offsets of the records of a session file, with their types. */
function records(file: string): Array<{ type: number; at: number; length: number }> {
  const b = readFileSync(file);
  const out: Array<{ type: number; at: number; length: number }> = [];
  for (let at = HEADER_SIZE; at + RECORD_HEADER_SIZE <= b.length; ) {
    const length = b.readUInt32LE(at + 1);
    out.push({ type: b[at], at, length });
    at += RECORD_HEADER_SIZE + length;
  }
  return out;
}

describe('segment heads', () => {
  it('are the first snapshot of every segment, and read from the raw bytes equal the sequential parse', () => {
    for (const framed of [false, true]) {
      const bytes = synthCapture({ dumps: 90, seed: 5, framed });
      const file = path.join(dir, `heads-${framed}.hss`);
      writeSession(file, bytes, { pieces: [7000, 313], flushEvery: 3, segmentSnapshots: 16 });
      const want = expectedOf(bytes).snapshots;
      const r = SessionReader.open(file);
      const heads = r.segmentHeads();
      expect(heads).toEqual([0, 16, 32, 48, 64, 80]);
      // Out of order, and after other reads of the same segments (cursors gone on with, or not).
      for (const i of [48, 0, 80, 16, 64, 32]) {
        const s = r.headSnapshot(i)!;
        expect(s, `head ${i}`).not.toBeNull();
        expect(s.index).toBe(i);
        expect(shape(s)).toEqual(shape(want[i]));
        expect(shape(r.getSnapshot(i + 3))).toEqual(shape(want[i + 3]));
        expect(shape(r.headSnapshot(i)!)).toEqual(shape(want[i]));
      }
      expect(() => r.headSnapshot(5)).toThrow(RangeError);
      r.close();
    }
  });

  it('are read without decoding the rest of their segment', () => {
    const bytes = synthCapture({ dumps: 64, seed: 8 });
    const file = path.join(dir, 'heads-damage.hss');
    // Many raw records per segment: a flush after every piece of 30 KB (two dumps or so).
    writeSession(file, bytes, { pieces: [30000], flushEvery: 1, segmentSnapshots: 32 });
    const recs = records(file);
    const seg = recs.findIndex((x) => x.type === RecordType.Segment);
    const raws = recs.slice(seg + 1).filter((x) => x.type === RecordType.Raw);
    expect(raws.length).toBeGreaterThan(4);
    // Damage the fourth raw record of the second segment.
    const bad = raws[3];
    const b = readFileSync(file);
    b[bad.at + RECORD_HEADER_SIZE + (bad.length >> 1)] ^= 0xff;
    writeFileSync(file, b);
    const want = expectedOf(bytes).snapshots;
    // Checksums are checked when a record is read (not at open, for the damage to be met later).
    const r = SessionReader.open(file, { checkTail: 0 });
    expect(r.segmentHeads()).toEqual([0, 32]);
    expect(shape(r.headSnapshot(32)!)).toEqual(shape(want[32]));
    expect(() => r.getSnapshot(63)).toThrow(SessionFormatError);
    // The damage does not stick to the head: read again, it is still there.
    expect(shape(r.headSnapshot(32)!)).toEqual(shape(want[32]));
    r.close();
  });

  it('skip a segment cut inside a dump, and give null for a head whose dump runs into the next segment', () => {
    const bytes = synthCapture({ dumps: 40, seed: 11 });
    const file = path.join(dir, 'heads-unclean.hss');
    // Segments of at most 4 KiB of raw bytes: dumps of 12–15 KB are cut in their middle.
    writeSession(file, bytes, { pieces: [2500], segmentSnapshots: 2, segmentBytes: 4096 });
    const want = expectedOf(bytes).snapshots;
    const r = SessionReader.open(file);
    const heads = r.segmentHeads();
    expect(heads.length).toBeGreaterThan(3);
    let nulls = 0;
    for (const i of heads) {
      const s = r.headSnapshot(i);
      if (s !== null) {
        expect(shape(s)).toEqual(shape(want[i]));
        continue;
      }
      // Its dump runs on into the next segment: read the ordinary way, it is whole.
      nulls++;
      expect(shape(r.getSnapshot(i))).toEqual(shape(want[i]));
    }
    expect(nulls).toBeGreaterThan(0);
    r.close();
  });
});
