/**
 * The timeline's per-frame figures as typed arrays: built from an index in memory, or read from
 * a session file's index pages as columns (seriesFromReader), no entry built (the day-long
 * soak: 250,000 frames in ~7 MB and well under a second, instead of ~400 MB of entry objects).
 */
import type { FrameSeries, SnapshotIndexEntry, TimelineEvent } from '../../shared/api';
import type { SessionReader } from '../session';
import { emptySeries, putFrame } from './fileIndex';
import { timelineEventOf } from './indexBuilder';

/**
 * The walk yields to the event loop after this long, so calls (a seek) go on while it runs in
 * the background: a page decoded is ~10 ms, so a count of items would hold the loop for 100s of ms.
 */
const SLICE_MS = 8;

/** From an index already in memory (imports of plain captures, live recordings). */
export function seriesOf(entries: readonly SnapshotIndexEntry[], events: readonly TimelineEvent[], logLineCount: number): FrameSeries {
  const s = emptySeries(entries.length);
  for (let i = 0; i < entries.length; i++) putFrame(s, i, entries[i], entries[i].logLine);
  s.events = events.slice();
  s.logLineCount = logLineCount;
  return s;
}

/**
 * From a session file, a page at a time: snapshots and events merged in arrival order as
 * FileSessionView's full index merges them (an event at or after a snapshot's last byte came
 * after it). The figures and the events' offsets come from the reader's index pages as typed
 * arrays (no entry is built); only device events, marks and gaps become objects. `alive`
 * false stops the walk (the session was closed): it then returns null.
 */
export async function seriesFromReader(r: SessionReader, alive: () => boolean = () => true): Promise<FrameSeries | null> {
  const n = r.snapshotCount;
  const m = r.eventCount;
  const s = emptySeries(n);
  let si = 0;
  let lines = 0;
  let slice = performance.now();
  let k = 0;
  /** Call every 256 items (`(++k & 255) === 0`): the clock is read no more often than that. */
  const pause = async () => {
    if (performance.now() - slice < SLICE_MS) return true;
    await new Promise((res) => setImmediate(res));
    slice = performance.now();
    return alive();
  };
  // The page of figures that holds snapshot si, and the one of offsets that holds event ei.
  let fig = n > 0 ? r.snapshotFigures(0) : null;
  let off = m > 0 ? r.eventOffsets(0) : null;
  const putFrom = (i: number) => {
    if (i - fig!.first >= fig!.figures.byteEnd.length) fig = r.snapshotFigures(i);
    const f = fig!.figures;
    const at = i - fig!.first;
    s.usedBytes[i] = f.usedBytes[at];
    s.freeBytes[i] = f.freeBytes[at];
    s.largestFreeBytes[i] = f.largestFreeBytes[at];
    s.fragmentation[i] = f.fragmentation[at];
    s.timeMs[i] = f.timeMs[at];
    s.logLine[i] = lines;
  };
  const endOf = (i: number) => {
    if (i - fig!.first >= fig!.figures.byteEnd.length) fig = r.snapshotFigures(i);
    return fig!.figures.byteEnd[i - fig!.first];
  };
  for (let ei = 0; ei < m; ei++) {
    if (ei - off!.first >= off!.offsets.byteOffset.length) off = r.eventOffsets(ei);
    const at = ei - off!.first;
    const byteOffset = off!.offsets.byteOffset[at];
    while (si < n && endOf(si) <= byteOffset) {
      putFrom(si++);
      if ((++k & 255) === 0 && !(await pause())) return null;
    }
    if (off!.offsets.isLog[at]) lines++;
    else {
      const ev = r.event(ei);
      if (ev.type !== 'log') s.events.push(timelineEventOf(ev, s.events.length, si, lines, ev.hostMs));
    }
    if ((++k & 255) === 0 && !(await pause())) return null;
  }
  for (; si < n; si++) {
    putFrom(si);
    if ((++k & 255) === 0 && !(await pause())) return null;
  }
  s.logLineCount = lines;
  return s;
}
