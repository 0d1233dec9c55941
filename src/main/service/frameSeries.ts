/**
 * The timeline's per-frame figures as typed arrays, from an index in memory. A session file's
 * are read from its index pages as columns with the rest of its index (indexFromPages in
 * fileIndex.ts), no entry built (the day-long soak: 250,000 frames in ~7 MB, instead of ~400 MB
 * of entry objects).
 */
import type { FrameSeries, SnapshotIndexEntry, TimelineEvent } from '../../shared/api';
import { emptySeries, putFrame } from './fileIndex';

/** From an index already in memory (imports of plain captures, live recordings). */
export function seriesOf(entries: readonly SnapshotIndexEntry[], events: readonly TimelineEvent[], logLineCount: number): FrameSeries {
  const s = emptySeries(entries.length);
  for (let i = 0; i < entries.length; i++) putFrame(s, i, entries[i], entries[i].logLine);
  s.events = events.slice();
  s.logLineCount = logLineCount;
  return s;
}
