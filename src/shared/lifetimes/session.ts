/**
 * Lifetimes of a stored session (or one being recorded): its index says where each dump and
 * each line sits, maps are fetched one at a time. `update` feeds only what arrived since the
 * last call, so a recording's tracker follows it frame by frame and is built once per session.
 */
import type { CaptureEvent, DeviceEvent, GapEvent, LogEvent, MarkEvent } from '../capture/events';
import { metricsOf, type SnapshotMetrics } from '../heap/metrics';
import type { HeapSnapshot, SnapshotIndexEntry } from '../heap/snapshot';
import { feedEvent, frameTime } from './feed';
import { leakVerdict, type HeapFigures, type LeakVerdict } from './leak';
import { LifetimeTracker } from './tracker';

type StoredEvent = (LogEvent | DeviceEvent | MarkEvent | GapEvent) & { hostMs: number | null };

export interface LifetimeSource {
  readonly snapshots: ReadonlyArray<SnapshotIndexEntry>;
  /** Every event but snapshots, in arrival order. */
  readonly events: ReadonlyArray<StoredEvent>;
  getSnapshot(i: number): HeapSnapshot;
}

export class SessionLifetimes {
  readonly tracker = new LifetimeTracker();
  private nextSnapshot = 0;
  private nextEvent = 0;
  private figures: HeapFigures = { blockSize: null, freeBytes: null, largestFreeRunBytes: null, largestAllocBytes: null };
  private largestAllocBlocks = 0;
  private failedRequest = 0;
  private verdict: LeakVerdict | null = null;

  /** Feeds the snapshots and events that arrived since the last call; returns how many frames were added. */
  update(src: LifetimeSource): number {
    const snaps = src.snapshots;
    const events = src.events;
    const before = this.nextSnapshot;
    const eventsBefore = this.nextEvent;
    while (this.nextSnapshot < snaps.length) {
      const e = snaps[this.nextSnapshot];
      // Lines and marks before the dump set the phase its newborn are blamed on.
      while (this.nextEvent < events.length && events[this.nextEvent].byteOffset < e.byteStart) this.event(events[this.nextEvent++]);
      if (e.areas.length > 0) this.frame(e, src.getSnapshot(this.nextSnapshot).areas, e.metrics, e.hostMs);
      this.nextSnapshot++;
    }
    while (this.nextEvent < events.length) this.event(events[this.nextEvent++]);
    if (this.nextSnapshot !== before || this.nextEvent !== eventsBefore) this.verdict = null;
    return this.nextSnapshot - before;
  }

  /**
   * A raw capture's events, in order (dumps with their maps): the same lifetimes as a session
   * of it would give.
   */
  addCaptureEvent(e: CaptureEvent): void {
    if (e.type === 'snapshot') {
      const s = e.snapshot;
      this.nextSnapshot = s.index + 1;
      if (s.areas.length > 0) this.frame(s, s.areas, metricsOf(s), null);
      this.verdict = null;
    } else this.event(e as StoredEvent);
  }

  private frame(
    e: { index: number; deviceMs: number | null; blockSize: number | null },
    areas: HeapSnapshot['areas'],
    m: SnapshotMetrics,
    hostMs: number | null,
  ): void {
    this.tracker.addFrame({ index: e.index, timeMs: frameTime(e, hostMs), areas });
    if (e.blockSize) this.figures.blockSize = e.blockSize;
    this.figures.freeBytes = m.freeBytes;
    this.figures.largestFreeRunBytes = m.largestFreeRunBytes;
    this.largestAllocBlocks = Math.max(this.largestAllocBlocks, m.largestAlloc);
    const bs = this.figures.blockSize;
    this.figures.largestAllocBytes = bs ? Math.max(this.largestAllocBlocks * bs, this.failedRequest) : null;
  }

  private event(e: StoredEvent | Exclude<CaptureEvent, { type: 'snapshot' }>): void {
    if (e.type === 'device' && e.kind === 'memoryError' && e.bytes !== undefined) {
      this.failedRequest = Math.max(this.failedRequest, e.bytes);
      const bs = this.figures.blockSize;
      if (bs) this.figures.largestAllocBytes = Math.max(this.largestAllocBlocks * bs, this.failedRequest);
      this.verdict = null;
    }
    feedEvent(this.tracker, e);
  }

  /** The leak verdict as of the frames fed so far (cached until more arrive). */
  leak(): LeakVerdict {
    this.verdict ??= leakVerdict(this.tracker, this.figures);
    return this.verdict;
  }

  heapFigures(): HeapFigures {
    return { ...this.figures };
  }
}
