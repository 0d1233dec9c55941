/**
 * A pass over every dump of a session in order (inspect, check, the leak verdict) against
 * reading each dump on its own: the decoder's fast paths for such a pass (a MAP op written from
 * the text the same op wrote last time, a segment's output buffer handed on to the next
 * segment's decoder) must give the same bytes, and on a damaged file fail on the same dumps.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionFormatError, SessionReader } from '../../src/main/session';
import { FollowedSessionMaps } from '../../src/main/session/followMaps';
import { damagedCopy, tempDir, writeSession } from './helpers';

const dir = tempDir();
const leakDemo = new Uint8Array(readFileSync(new URL('../lifetimes/fixtures/leak-demo.txt', import.meta.url)));

/** Recorded MicroPython in many small segments (more than the reader keeps decoded at once). */
function session(name: string): string {
  const file = path.join(dir, name);
  writeSession(file, leakDemo, { pieces: [900, 4000, 333], flushEvery: 3, segmentSnapshots: 5 });
  return file;
}

/** Each dump's bytes, or the error reading it gave, with the dumps read in the given order. */
function readEach(file: string, order: number[], copy: boolean): Map<number, string> {
  // Raw records are checked when read, not at open (checkTail 0): the damage is met mid-pass.
  const r = SessionReader.open(file, { checkTail: 0 });
  const out = new Map<number, string>();
  try {
    for (const i of order) {
      const e = r.entry(i);
      try {
        const b = copy ? r.readRaw(e.byteStart, e.byteEnd) : r.rawView(e.byteStart, e.byteEnd);
        out.set(i, Buffer.from(b).toString('latin1'));
      } catch (err) {
        if (!(err instanceof SessionFormatError)) throw err;
        out.set(i, `error: ${err.message}`);
      }
    }
  } finally {
    r.close();
  }
  return out;
}

describe('a pass over every dump in order', () => {
  it('gives each dump the bytes of the capture, and going back to an early segment on the way changes nothing', () => {
    const file = session('pass.hss');
    const r = SessionReader.open(file);
    try {
      expect(r.snapshotCount).toBeGreaterThan(50);
      for (let i = 0; i < r.snapshotCount; i++) {
        const e = r.entry(i);
        expect(Buffer.from(r.rawView(e.byteStart, e.byteEnd)).equals(Buffer.from(leakDemo.subarray(e.byteStart, e.byteEnd))), `snapshot ${i}`).toBe(true);
        if (i % 9 === 8) {
          // A segment long let go is decoded again (into a buffer another segment lent).
          const back = r.entry(Math.max(0, i - 40));
          expect(Buffer.from(r.rawView(back.byteStart, back.byteEnd)).equals(Buffer.from(leakDemo.subarray(back.byteStart, back.byteEnd)))).toBe(true);
        }
      }
    } finally {
      r.close();
    }
  });

  it('follows every map as the parser reads it, across many segments', () => {
    const file = session('follow.hss');
    const r = SessionReader.open(file);
    const check = SessionReader.open(file);
    try {
      const maps = new FollowedSessionMaps(r);
      for (let i = 0; i < r.snapshotCount; i++) {
        const e = r.entry(i);
        if (e.areas.length === 0) continue;
        const got = maps.maps(i, e);
        const want = check.getSnapshot(i).areas;
        expect(got.areas.length).toBe(want.length);
        for (let a = 0; a < want.length; a++) expect(Buffer.from(got.areas[a].kinds).equals(Buffer.from(want[a].kinds)), `snapshot ${i}`).toBe(true);
      }
      expect(maps.followed).toBeGreaterThan(maps.parsed);
    } finally {
      r.close();
      check.close();
    }
  });

  it('on a damaged file, fails on the same dumps as reading each on its own, and gives the same bytes for the rest', () => {
    const file = session('damaged.hss');
    // A byte flipped in the payload of a raw record near the middle of the file.
    const damaged = damagedCopy(file, path.join(dir, 'damaged-flipped.hss'));
    const n = SessionReader.open(damaged, { checkTail: 0 });
    const count = n.snapshotCount;
    n.close();
    const forward = Array.from({ length: count }, (_, i) => i);
    const inOrder = readEach(damaged, forward, false);
    const alone = readEach(damaged, [...forward].reverse(), true);
    expect([...inOrder.values()].some((v) => v.startsWith('error: '))).toBe(true);
    expect([...inOrder.values()].filter((v) => !v.startsWith('error: ')).length).toBeGreaterThan(count / 3);
    for (const i of forward) expect(inOrder.get(i), `snapshot ${i}`).toBe(alone.get(i));
  });
});
