/**
 * A decoded index page (the INDEX records of one segment): entries and events on demand, and
 * the timeline's figures in typed arrays. Format 3's pages keep the columns and build an entry
 * only when asked; formats 1 and 2 decode to objects (JSON), served through the same interface.
 */
import { MalformedError } from './bytes';
import { chunkEntry, chunkEvent, type ColumnChunk, emptyFigures, putChunkFigures, putEntryFigures, type SnapshotFigures } from './indexColumns';
import type { IndexItem, SessionEvent, SnapshotIndexEntry } from './indexCodec';

export type LogAt = Extract<IndexItem, { logAt: unknown }>['logAt'];

/** Where each event is in the raw stream, and whether it is a log line (the timeline counts those). */
export interface EventOffsets {
  byteOffset: Float64Array;
  isLog: Uint8Array;
}

export interface PageData {
  /** Snapshots served (cut to the raw bytes kept: see cutSnapshots). */
  readonly snapshots: number;
  readonly events: number;
  /**
   * Snapshot k's entry and event k. `keep` false makes them without keeping them: a walk over
   * every item of a page (pageItems) must not leave the page holding an object per item.
   */
  entry(k: number, keep?: boolean): SnapshotIndexEntry;
  event(k: number, keep?: boolean): SessionEvent;
  byteEnd(k: number): number;
  /** Snapshots past n are not served (their bytes are not in the file). */
  cutSnapshots(n: number): void;
  figures(): SnapshotFigures;
  eventOffsets(): EventOffsets;
}

/** A page of entry objects: formats 1 and 2 (JSON), and the snapshots recovered from raw bytes. */
export class ObjectPage implements PageData {
  private figs: SnapshotFigures | null = null;
  private offs: EventOffsets | null = null;

  constructor(
    readonly snaps: SnapshotIndexEntry[] = [],
    readonly evs: SessionEvent[] = [],
  ) {}

  get snapshots(): number {
    return this.snaps.length;
  }
  get events(): number {
    return this.evs.length;
  }
  entry(k: number): SnapshotIndexEntry {
    return this.snaps[k];
  }
  event(k: number): SessionEvent {
    return this.evs[k];
  }
  byteEnd(k: number): number {
    return this.snaps[k].byteEnd;
  }
  cutSnapshots(n: number): void {
    this.snaps.length = Math.min(n, this.snaps.length);
    this.figs = null;
  }
  figures(): SnapshotFigures {
    if (this.figs && this.figs.byteEnd.length === this.snaps.length) return this.figs;
    const f = emptyFigures(this.snaps.length);
    for (let k = 0; k < this.snaps.length; k++) putEntryFigures(f, k, this.snaps[k]);
    return (this.figs = f);
  }
  eventOffsets(): EventOffsets {
    if (this.offs && this.offs.byteOffset.length === this.evs.length) return this.offs;
    const o: EventOffsets = { byteOffset: new Float64Array(this.evs.length), isLog: new Uint8Array(this.evs.length) };
    for (let k = 0; k < this.evs.length; k++) {
      o.byteOffset[k] = this.evs[k].byteOffset;
      o.isLog[k] = this.evs[k].type === 'log' ? 1 : 0;
    }
    return (this.offs = o);
  }
}

/** A format-3 page: its records' columns; entries and events are made (and kept) when asked for. */
export class ColumnPage implements PageData {
  private readonly chunks: ColumnChunk[] = [];
  /** First snapshot and first event of each chunk, in the page. */
  private readonly chunkSnap: number[] = [];
  private readonly chunkEv: number[] = [];
  private nSnaps = 0;
  private nEvs = 0;
  private entries: Array<SnapshotIndexEntry | undefined> = [];
  private evObjs: Array<SessionEvent | undefined> = [];
  private figs: SnapshotFigures | null = null;
  private offs: EventOffsets | null = null;

  constructor(
    /** The page's first snapshot in the session (an entry's `index`). */
    private readonly firstSnapshot: number,
    /** Makes the event of a log line whose text is in the raw stream. */
    private readonly lazyLog: (at: LogAt) => SessionEvent,
  ) {}

  /** An empty page whose first snapshot is `first`, making log events as this one does. */
  emptyAfter(first: number): ColumnPage {
    return new ColumnPage(first, this.lazyLog);
  }

  add(ch: ColumnChunk): void {
    this.chunks.push(ch);
    this.chunkSnap.push(this.nSnaps);
    this.chunkEv.push(this.nEvs);
    this.nSnaps += ch.n;
    this.nEvs += ch.m;
    this.figs = null;
    this.offs = null;
  }

  get snapshots(): number {
    return this.nSnaps;
  }
  get events(): number {
    return this.nEvs;
  }

  /** The last chunk whose first item is at or before k (a page of a long import has many). */
  private chunkOf(k: number, firsts: number[]): number {
    let lo = 0;
    let hi = firsts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (firsts[mid] <= k) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  entry(k: number, keep = true): SnapshotIndexEntry {
    if (!(k >= 0 && k < this.nSnaps)) throw new RangeError(`no snapshot ${k} in the page`);
    let e = this.entries[k];
    if (e === undefined) {
      const c = this.chunkOf(k, this.chunkSnap);
      e = chunkEntry(this.chunks[c], k - this.chunkSnap[c], this.firstSnapshot + k);
      if (keep) this.entries[k] = e;
    }
    return e;
  }

  event(k: number, keep = true): SessionEvent {
    if (!(k >= 0 && k < this.nEvs)) throw new RangeError(`no event ${k} in the page`);
    let e = this.evObjs[k];
    if (e === undefined) {
      const c = this.chunkOf(k, this.chunkEv);
      const it = chunkEvent(this.chunks[c], k - this.chunkEv[c]);
      e = 'event' in it ? it.event : this.lazyLog(it.logAt);
      if (keep) this.evObjs[k] = e;
    }
    return e;
  }

  byteEnd(k: number): number {
    const c = this.chunkOf(k, this.chunkSnap);
    return this.chunks[c].byteEnd[k - this.chunkSnap[c]];
  }

  cutSnapshots(n: number): void {
    if (n >= this.nSnaps) return;
    if (n < 0) throw new MalformedError('a negative count');
    this.nSnaps = n;
    this.entries.length = Math.min(this.entries.length, n);
    this.figs = null;
  }

  figures(): SnapshotFigures {
    if (this.figs) return this.figs;
    const f = emptyFigures(this.nSnaps);
    for (let c = 0; c < this.chunks.length; c++) {
      const at = this.chunkSnap[c];
      if (at >= this.nSnaps) break;
      putChunkFigures(f, at, this.chunks[c], Math.min(this.chunks[c].n, this.nSnaps - at));
    }
    return (this.figs = f);
  }

  eventOffsets(): EventOffsets {
    if (this.offs) return this.offs;
    const o: EventOffsets = { byteOffset: new Float64Array(this.nEvs), isLog: new Uint8Array(this.nEvs) };
    for (let c = 0; c < this.chunks.length; c++) {
      const ch = this.chunks[c];
      const at = this.chunkEv[c];
      o.byteOffset.set(ch.evOffset, at);
      for (let j = 0; j < ch.m; j++) o.isLog[at + j] = ch.evKind[j] === 1 ? 1 : 0;
    }
    return (this.offs = o);
  }
}
