/**
 * Files written by the format-2 writer (JSON index, test/fixtures/sessions, see its README)
 * still open, in full and a page at a time, with the index the format-2 reader gave, their
 * raw bytes, and the timeline's figures; cut anywhere, they open with what comes before.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionReader, type SessionEvent, type SnapshotIndexEntry } from '../../src/main/session';
import { FIXTURES } from '../support/corpus';
import { rng, tempDir, withoutHost } from './helpers';

const dir = path.join(FIXTURES, 'sessions');
const capture = readFileSync(path.join(dir, 'legacy-capture.txt'));
const expected = JSON.parse(readFileSync(path.join(dir, 'legacy.expected.json'), 'utf8')) as { snapshots: SnapshotIndexEntry[]; events: SessionEvent[] };
const tmp = tempDir();

/** Through JSON, as the expected index was stored. */
const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

describe.each([
  ['legacy-f1.hss', 1],
  ['legacy-f2.hss', 2],
  ['legacy-f2-rawtext.hss', 2],
])('%s (header format %i)', (name, headerFormat) => {
  const file = path.join(dir, name);

  it('opens with the index the format-2 reader gave, lazily or not', () => {
    expect(readFileSync(file).readUInt16LE(8)).toBe(headerFormat);
    for (const checkTail of [0, undefined]) {
      const r = SessionReader.open(file, { checkTail });
      expect(r.damage).toBeNull();
      expect(r.complete).toBe(true);
      expect(r.snapshotCount).toBe(expected.snapshots.length);
      expect(r.eventCount).toBe(expected.events.length);
      const rand = rng(9);
      for (let k = 0; k < 60; k++) {
        const i = Math.floor(rand() * r.snapshotCount);
        expect(json(r.entry(i))).toEqual(expected.snapshots[i]);
        const j = Math.floor(rand() * r.eventCount);
        expect(json(r.event(j))).toEqual(expected.events[j]);
      }
      // The timeline's figures, page by page, are the entries'.
      for (let i = 0; i < r.snapshotCount; i++) {
        const { first, figures } = r.snapshotFigures(i);
        const m = expected.snapshots[i].metrics;
        expect(figures.byteEnd[i - first]).toBe(expected.snapshots[i].byteEnd);
        expect(figures.usedBytes[i - first]).toBe(m.usedBytes ?? NaN);
        expect(figures.fragmentation[i - first]).toBe(m.fragmentation);
      }
      for (let j = 0; j < r.eventCount; j++) {
        const { first, offsets } = r.eventOffsets(j);
        expect(offsets.byteOffset[j - first]).toBe(expected.events[j].byteOffset);
        expect(offsets.isLog[j - first]).toBe(expected.events[j].type === 'log' ? 1 : 0);
      }
      expect(json(r.snapshots)).toEqual(expected.snapshots);
      expect(json(r.events)).toEqual(expected.events);
      expect(Buffer.from(r.readRaw(0, r.rawLength)).equals(capture)).toBe(true);
      const s = r.getSnapshot(5);
      expect(s.byteStart).toBe(expected.snapshots[5].byteStart);
      expect(s.areas.map((a) => a.blocks)).toEqual(expected.snapshots[5].areas.map((a) => a.blocks));
      r.close();
    }
  });

  it('cut anywhere, opens with everything before the cut', () => {
    const bytes = readFileSync(file);
    const rand = rng(headerFormat * 7 + name.length);
    const f = path.join(tmp, `cut-${name}`);
    for (let k = 0; k < 12; k++) {
      const cut = 16 + Math.floor(rand() * (bytes.length - 16));
      writeFileSync(f, bytes.subarray(0, cut));
      const r = SessionReader.open(f, { checkTail: k % 2 ? 0 : undefined });
      expect(r.damage).toBeNull();
      // What the index holds is as it was; what was re-read from the raw bytes ends at the cut
      // (a dump cut short there is one, incomplete).
      const indexed = r.snapshots.slice(0, r.snapshotCount - r.recovered.snapshots).map(withoutHost);
      expect(json(indexed)).toEqual(expected.snapshots.slice(0, indexed.length).map((e) => json(withoutHost(e))));
      expect(r.snapshotCount).toBeLessThanOrEqual(expected.snapshots.length);
      r.close();
    }
  });
});
