/**
 * Issue 9, case 8: a session another process is recording, opened while a dump is half
 * written. The open leaves that dump out (it is not whole yet), and the growth that completes
 * it pushes it: counted at open, cut short, it would never have been pushed whole.
 */
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionReader } from '../../src/main/session';
import { lockPath } from '../../src/main/session/lock';
import { FileSessionView } from '../../src/main/service/sessionStore';
import { tempDir, writeSession } from '../session/helpers';
import { synthCapture } from '../session/synth';

const dir = tempDir();
const full = path.join(dir, 'full.hss');
// Flushed every piece and never closed: what a recording leaves on disk as it goes.
writeSession(full, synthCapture({ dumps: 30, blocks: 1500, seed: 9 }), { pieces: [900, 2300], flushEvery: 1, segmentSnapshots: 6, abandon: true });
const fileBytes = readFileSync(full);

/** Record starts (after the 16-byte header). */
function recordStarts(b: Buffer): number[] {
  const out: number[] = [];
  for (let at = 16; at + 9 <= b.length; at += 9 + b.readUInt32LE(at + 1)) out.push(at);
  return out;
}

describe('a session being recorded, opened mid-dump', () => {
  it('is opened without the half-written dump, and its growth pushes it whole', async () => {
    const p = path.join(dir, 'growing.hss');
    // A prefix whose recovered tail ends inside a dump: an open that keeps unfinished items counts one more.
    const cut = recordStarts(fileBytes).find((at, k) => {
      if (k < 4) return false;
      writeFileSync(p, fileBytes.subarray(0, at));
      return SessionReader.open(p).snapshotCount > SessionReader.open(p, { finishedOnly: true }).snapshotCount;
    });
    expect(cut, 'a prefix ending inside a dump').toBeDefined();
    writeFileSync(p, fileBytes.subarray(0, cut));
    const whole = SessionReader.open(p, { finishedOnly: true }).snapshotCount;
    // The recorder's lock, held by a live process (this one).
    writeFileSync(lockPath(p), `${process.pid}\n`);
    try {
      const view = FileSessionView.open(p);
      expect(view.snapshotCount()).toBe(whole);
      await view.frameSeries();
      await view.ready();
      appendFileSync(p, fileBytes.subarray(cut!));
      const d = view.grow();
      expect(d).not.toBeNull();
      // What a fresh look at the same bytes finds whole (the last dump may still be open too).
      const fresh = SessionReader.open(p, { finishedOnly: true });
      // The dump that was half written at open is among those pushed, whole.
      expect(d!.snapshots[0].entry.index).toBe(whole);
      expect(d!.snapshots.map((s) => s.entry.byteEnd)).toEqual(fresh.snapshots.slice(whole).map((e) => e.byteEnd));
      expect(view.snapshotCount()).toBe(fresh.snapshotCount);
    } finally {
      rmSync(lockPath(p), { force: true });
    }
  });
});
