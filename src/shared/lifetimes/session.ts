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
import { LifetimeTracker, type LifetimeFrame } from './tracker';

export type StoredEvent = (LogEvent | DeviceEvent | MarkEvent | GapEvent) & { hostMs: number | null };

export interface LifetimeSource {
  /** Snapshots in the session; entry(i) is snapshot i's index entry. */
  readonly snapshotCount: number;
  entry(i: number): SnapshotIndexEntry;
  /** Every event but snapshots, in arrival order (eventCount of them). */
  readonly eventCount: number;
  event(i: number): StoredEvent;
  getSnapshot(i: number): HeapSnapshot;
}

/** A dump's maps, and where they may differ from the last dump's (null: anywhere). */
export interface FrameMaps {
  areas: LifetimeFrame['areas'];
  changed: ReadonlyArray<ArrayLike<number>> | null;
}

export interface UpdateOptions {
  /** Where the maps come from (default: src.getSnapshot(i), compared whole). */
  maps?: (i: number, e: SnapshotIndexEntry) => FrameMaps;
  /** Told of each snapshot's index entry as it is fed (one pass for whoever needs both). */
  onEntry?: (e: SnapshotIndexEntry) => void;
  /** Told of each other event as it is fed. */
  onEvent?: (e: StoredEvent) => void;
}

export class SessionLifetimes {
  readonly tracker = new LifetimeTracker();
  private nextSnapshot = 0;
  private nextEvent = 0;
  private figures: HeapFigures = { blockSize: null, freeBytes: null, largestFreeRunBytes: null, largestAllocBytes: null };
  private largestAllocBlocks = 0;
  private failedRequest = 0;
  private verdict: LeakVerdict | null = null;

  /** Snapshots fed so far (the next update starts after them). */
  get fed(): number {
    return this.nextSnapshot;
  }

  /**
   * Feeds the snapshots and events that arrived since the last call; returns how many frames
   * were added. The index is read entry by entry, so memory follows the objects, not the dumps.
   */
  update(src: LifetimeSource, opts: UpdateOptions = {}): number {
    const before = this.nextSnapshot;
    const eventsBefore = this.nextEvent;
    const nSnaps = src.snapshotCount;
    const nEvents = src.eventCount;
    while (this.nextSnapshot < nSnaps) {
      const e = src.entry(this.nextSnapshot);
      // Lines and marks before the dump set the phase its newborn are blamed on.
      while (this.nextEvent < nEvents) {
        const ev = src.event(this.nextEvent);
        if (ev.byteOffset >= e.byteStart) break;
        opts.onEvent?.(ev);
        this.event(ev);
        this.nextEvent++;
      }
      if (e.areas.length > 0) {
        const m = opts.maps ? opts.maps(this.nextSnapshot, e) : { areas: src.getSnapshot(this.nextSnapshot).areas, changed: null };
        this.frame(e, m.areas, e.metrics, e.hostMs, m.changed);
      }
      opts.onEntry?.(e);
      this.nextSnapshot++;
    }
    while (this.nextEvent < nEvents) {
      const ev = src.event(this.nextEvent);
      opts.onEvent?.(ev);
      this.event(ev);
      this.nextEvent++;
    }
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

  /** One dump with its map (callers that order dumps and lines themselves). */
  frame(
    e: { index: number; deviceMs: number | null; blockSize: number | null },
    areas: LifetimeFrame['areas'],
    m: SnapshotMetrics,
    hostMs: number | null,
    changed: ReadonlyArray<ArrayLike<number>> | null = null,
  ): void {
    this.tracker.addFrame({ index: e.index, timeMs: frameTime(e, hostMs), areas }, changed);
    this.verdict = null;
    if (e.blockSize) this.figures.blockSize = e.blockSize;
    this.figures.freeBytes = m.freeBytes;
    this.figures.largestFreeRunBytes = m.largestFreeRunBytes;
    this.largestAllocBlocks = Math.max(this.largestAllocBlocks, m.largestAlloc);
    const bs = this.figures.blockSize;
    this.figures.largestAllocBytes = bs ? Math.max(this.largestAllocBlocks * bs, this.failedRequest) : null;
  }

  /** A line, mark or device event, in order between the dumps. */
  event(e: StoredEvent | Exclude<CaptureEvent, { type: 'snapshot' }>): void {
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
