/**
 * SessionReader.continueFrom: a session read again after it grew (another process records it)
 * scans only from the segment of the last index page on, and gives what a fresh open of the
 * same bytes gives. The file grows by the prefixes of a real session (the writer only appends),
 * cut at record boundaries and inside records.
 */
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionReader } from '../../src/main/session';
import { rng, tempDir, writeSession } from './helpers';
import { synthCapture } from './synth';

const dir = tempDir();
const bytes = synthCapture({ dumps: 60, blocks: 1500, seed: 33 });
const full = path.join(dir, 'full.hss');
// Many segments, flushed often, never closed: the file a recording leaves as it goes.
writeSession(full, bytes, { pieces: [700, 1900], flushEvery: 2, segmentSnapshots: 5, abandon: true });
const fileBytes = readFileSync(full);

/** Record starts (after the 16-byte header). */
function recordStarts(b: Buffer): number[] {
  const out: number[] = [];
  for (let at = 16; at + 9 <= b.length; at += 9 + b.readUInt32LE(at + 1)) out.push(at);
  return out;
}

function sameAs(a: SessionReader, b: SessionReader): void {
  expect(a.snapshotCount).toBe(b.snapshotCount);
  expect(a.eventCount).toBe(b.eventCount);
  expect(a.rawLength).toBe(b.rawLength);
  expect(a.pageCount).toBe(b.pageCount);
  expect(a.snapshots).toEqual(b.snapshots);
  expect(a.events).toEqual(b.events);
  if (a.snapshotCount > 0) expect(a.getSnapshot(a.snapshotCount - 1)).toEqual(b.getSnapshot(b.snapshotCount - 1));
}

describe('SessionReader.continueFrom', () => {
  for (const finishedOnly of [false, true]) {
    it(`continues a growing file as a fresh open reads it${finishedOnly ? ' (finished items only)' : ''}`, () => {
      const p = path.join(dir, `grow-${finishedOnly}.hss`);
      const starts = recordStarts(fileBytes);
      const r = rng(7);
      // Cut points: at record starts and inside records, growing.
      const cuts: number[] = [];
      for (let k = 3; k < starts.length; k += 1 + Math.floor(r() * 4)) cuts.push(r() < 0.5 ? starts[k] : starts[k] + 1 + Math.floor(r() * 40));
      cuts.push(fileBytes.length);
      for (let k = 1; k < cuts.length; k++) cuts[k] = Math.max(cuts[k], cuts[k - 1]);
      writeFileSync(p, fileBytes.subarray(0, cuts[0]));
      let reader = SessionReader.open(p, { finishedOnly });
      let kept = 0;
      let at = cuts[0];
      for (const cut of cuts.slice(1)) {
        appendFileSync(p, fileBytes.subarray(at, cut));
        at = cut;
        const next = SessionReader.continueFrom(reader, { finishedOnly });
        const fresh = SessionReader.open(p, { finishedOnly });
        expect(next.pagesKept).toBe(Math.max(0, reader.pageCount - 1));
        kept = Math.max(kept, next.pagesKept);
        sameAs(next, fresh);
        fresh.close();
        reader.close();
        reader = next;
      }
      // The last reads kept most pages as they were.
      expect(kept).toBeGreaterThan(5);
      reader.close();
    });
  }

  it('opens whole when the path is another file now', () => {
    const p = path.join(dir, 'swapped.hss');
    writeFileSync(p, fileBytes.subarray(0, recordStarts(fileBytes)[100]));
    const first = SessionReader.open(p);
    expect(first.pageCount).toBeGreaterThan(3);
    // Another session, larger, in its place.
    const other = path.join(dir, 'other.hss');
    writeSession(other, synthCapture({ dumps: 80, blocks: 900, seed: 34 }), { pieces: [1300], flushEvery: 3, segmentSnapshots: 7, abandon: true });
    // Replaced by rename: a new inode under the same name.
    renameSync(other, p);
    const next = SessionReader.continueFrom(first);
    expect(next.pagesKept).toBe(0);
    const fresh = SessionReader.open(p);
    sameAs(next, fresh);
    for (const x of [first, next, fresh]) x.close();
  });
});
