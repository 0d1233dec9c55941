/**
 * What the service needs from an open session, whatever stores it: the snapshot index with
 * metrics, log lines by window, timeline events, one snapshot's map, and the raw bytes.
 *
 * `MemorySession` indexes raw capture bytes in memory (imports of plain captures, and live
 * recordings while they are written). Session files on disk are served by the adapter in
 * sessionStore.ts over src/main/session.
 */
import { CaptureReader } from '../../shared/capture/captureReader';
import type { CaptureEvent } from '../../shared/capture/events';
import type { FrameSeries, LogLine, SessionMeta, SessionSummary, SnapshotData, SnapshotIndexEntry, TimelineEvent } from '../../shared/api';
import { summarizeSession } from '../../shared/view/sessionSummary';
import { seriesOf } from './frameSeries';
import { IndexBuilder, type IndexDelta } from './indexBuilder';

export interface SessionView {
  meta: SessionMeta;
  /** Snapshots in the session, without building the index (a session file counts them at open). */
  snapshotCount(): number;
  /** Snapshot i's index entry lists heap areas (the film strip skips frames without a map). */
  hasMap(i: number): boolean;
  /**
   * Frames cheap to read for a picture of the whole session, ascending (a session file: those
   * that open a segment, see SessionReader.segmentHeads); absent: every frame costs the same.
   */
  cheapFrames?(): readonly number[];
  /** One of cheapFrames' heap areas, read the cheapest way (null: read it with getSnapshot). */
  cheapAreas?(i: number): readonly { kinds: Uint8Array }[] | null;
  /** What the recent list shows. A session file gives it from its counts and first and last entries. */
  summary(): SessionSummary;
  /** summary() has looked at every event (else its memoryError is null for want of a walk). */
  memoryErrorKnown(): boolean;
  /** Per-frame figures of the whole session as typed arrays (null: the session was closed meanwhile). */
  frameSeries(alive?: () => boolean): Promise<FrameSeries | null> | FrameSeries | null;
  /**
   * Resolves once entries() and events() answer without holding the event loop (a session file
   * walks its index first, yielding as it goes); absent: they always do.
   */
  ready?(): Promise<void>;
  /** The whole index as objects: costly on a long session file (see snapshotCount, frameSeries, info). */
  entries(): readonly SnapshotIndexEntry[];
  /**
   * Entries [from, from + count) (fewer past the end), made for the caller and kept by nobody:
   * a pass over every frame (lifetimes) holds a page of them, not the whole index.
   */
  entriesFrom(from: number, count: number): Promise<SnapshotIndexEntry[]> | SnapshotIndexEntry[];
  events(): readonly TimelineEvent[];
  /** Entries [from, from + count), the timeline events and the log's length (getSessionInfo). */
  info(from: number, count: number): Promise<ViewInfo> | ViewInfo;
  /** A session file counts its log lines by walking its index once (in the background). */
  logCount(): Promise<number> | number;
  logLines(from: number, count: number): Promise<LogLine[]> | LogLine[];
  /** The texts of log lines [from, from + count), for search (made on demand: the index keeps no string per line). */
  logTexts(from: number, count: number): Promise<string[]> | string[];
  getSnapshot(index: number): Promise<SnapshotData> | SnapshotData;
  /** The raw capture bytes, [start, end) (default all). */
  readRaw(start?: number, end?: number): Promise<Uint8Array> | Uint8Array;
  rawLength(): number;
  close(): Promise<void> | void;
}

export interface ViewInfo {
  snapshots: SnapshotIndexEntry[];
  events: TimelineEvent[];
  logLineCount: number;
}

/** `info` of an index in memory. */
export function infoOf(entries: readonly SnapshotIndexEntry[], events: readonly TimelineEvent[], logLineCount: number, from: number, count: number): ViewInfo {
  return { snapshots: entries.slice(from, from + count), events: events.slice(), logLineCount };
}

/** `logTexts` of an index in memory. */
export function textsOf(index: IndexBuilder, from: number, count: number): string[] {
  const out: string[] = [];
  const end = Math.min(index.lines.length, from + count);
  for (let i = Math.max(0, from); i < end; i++) out.push(index.lines.text(i));
  return out;
}

/** A growable byte store (raw capture). */
export class ByteLog {
  private chunks: Uint8Array[] = [];
  private buf: Uint8Array = new Uint8Array(64 * 1024);
  private len = 0;
  /**
   * A store that will be fed `whole` from its start, chunk by chunk (an opened capture): it
   * holds `whole` itself rather than a second, doubling copy.
   */
  static over(whole: Uint8Array): ByteLog {
    const b = new ByteLog();
    b.buf = whole;
    return b;
  }
  get length(): number {
    return this.len;
  }
  push(chunk: Uint8Array): void {
    if (chunk.buffer === this.buf.buffer && chunk.byteOffset === this.buf.byteOffset + this.len && this.len + chunk.length <= this.buf.length) {
      // The next piece of the buffer this store was made over: already in place.
      this.len += chunk.length;
      return;
    }
    if (this.len + chunk.length > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < this.len + chunk.length) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
    void this.chunks;
  }
  /** The buffer itself, not a copy: bytes [0, length) are the store's (it is replaced as it grows). */
  buffer(): Uint8Array {
    return this.buf;
  }
  slice(start = 0, end = this.len): Uint8Array {
    const s = Math.max(0, Math.min(start, this.len));
    const e = Math.max(s, Math.min(end, this.len));
    return this.buf.slice(s, e);
  }
}

/**
 * What a view answers from its index alone: the in-memory session and the one being recorded
 * to a file both keep an IndexBuilder and answer these the same way.
 */
export abstract class IndexedView {
  readonly index = new IndexBuilder();
  abstract meta: SessionMeta;

  snapshotCount(): number {
    return this.index.entries.length;
  }
  hasMap(i: number): boolean {
    return this.index.entries[i].areas.length > 0;
  }
  summary(): SessionSummary {
    return summarizeSession(this.meta, this.index.entries, this.index.events);
  }
  memoryErrorKnown(): boolean {
    return true;
  }
  frameSeries(): FrameSeries {
    return seriesOf(this.index.entries, this.index.events, this.index.lines.length);
  }
  entries(): readonly SnapshotIndexEntry[] {
    return this.index.entries;
  }
  entriesFrom(from: number, count: number): SnapshotIndexEntry[] {
    return this.index.entries.slice(from, from + count);
  }
  events(): readonly TimelineEvent[] {
    return this.index.events;
  }
  logCount(): number {
    return this.index.lines.length;
  }
  logLines(from: number, count: number): LogLine[] {
    return this.index.lines.slice(from, from + count);
  }
  logTexts(from: number, count: number): string[] {
    return textsOf(this.index, from, count);
  }
  info(from: number, count: number): ViewInfo {
    return infoOf(this.index.entries, this.index.events, this.index.lines.length, from, count);
  }
}

export class MemorySession extends IndexedView implements SessionView {
  private readonly reader = new CaptureReader();
  private readonly raw: ByteLog;
  private readonly maps: SnapshotData[] = [];
  private ended = false;

  /** `whole`: the bytes that will be fed, when known (see ByteLog.over). */
  constructor(
    public meta: SessionMeta,
    whole?: Uint8Array,
  ) {
    super();
    this.raw = whole ? ByteLog.over(whole) : new ByteLog();
    // The raw bytes are held here anyway: a log line that is its bytes points into them.
    this.index.lines.useRaw(this.raw);
  }

  /** Feeds bytes as they arrive; returns what they added to the index. */
  feed(chunk: Uint8Array, hostMs: number | null = null): IndexDelta {
    this.raw.push(chunk);
    this.meta.rawBytes = this.raw.length;
    return this.apply(this.reader.feed(chunk), hostMs);
  }

  /** Events not read from bytes (a link gap). */
  addEvents(evs: CaptureEvent[], hostMs: number | null = null): IndexDelta {
    return this.apply(evs, hostMs);
  }

  end(hostMs: number | null = null): IndexDelta {
    if (this.ended) return { snapshots: [], lines: [], events: [] };
    this.ended = true;
    this.meta.live = false;
    return this.apply(this.reader.end(), hostMs);
  }

  private apply(evs: CaptureEvent[], hostMs: number | null): IndexDelta {
    const d = this.index.add(evs, hostMs);
    for (const s of d.snapshots) this.maps.push(s.data);
    return d;
  }

  getSnapshot(index: number): SnapshotData {
    const s = this.maps[index];
    if (!s) throw new RangeError(`snapshot ${index}`);
    return s;
  }
  readRaw(start?: number, end?: number): Uint8Array {
    return this.raw.slice(start, end);
  }
  rawLength(): number {
    return this.raw.length;
  }
  close(): void {
    /* nothing held */
  }
}
