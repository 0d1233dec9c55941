/**
 * Opens a session file: scans its records (skipping raw payloads by seeking), reads the index,
 * and serves any snapshot by decoding only its segment and re-reading the dump's raw bytes
 * with the capture parser. A file cut short by a crash opens with everything up to the cut:
 * what the index had not recorded yet is re-read from the raw bytes.
 */
import { closeSync, createWriteStream, fstatSync, readSync } from 'node:fs';
import { FileRefusedError, openRegularSync } from './files';
import { once } from 'node:events';
import zlib from 'node:zlib';
import { CaptureReader } from '../../shared/capture/captureReader';
import type { CaptureEvent } from '../../shared/capture/events';
import { lineText } from '../../shared/capture/text';
import { metricsOf } from '../../shared/heap/metrics';
import type { HeapSnapshot } from '../../shared/heap/snapshot';
import { ByteSource, MalformedError, windowTail } from './bytes';
import {
  decodeIndexCounts,
  HEADER_SIZE,
  INDEX_BROTLI,
  INDEX_DEFLATE,
  type IndexCounts,
  MAGIC,
  MAX_RECORD,
  OPTIONAL_RECORD,
  parseJson,
  READS_UP_TO,
  CELLS_FROM,
  RECORD_HEADER_SIZE,
  recordCrc,
  RecordType,
  SessionFormatError,
} from './format';
import { IndexShapeError, IndexUnpacker, type SessionEvent, type SnapshotIndexEntry } from './indexCodec';
import { ColumnUnpacker, emptyFigures, putEntryFigures, type SnapshotFigures } from './indexColumns';
import { ColumnPage, type EventOffsets, type LogAt, ObjectPage, type PageData } from './indexPages';
import { LineDeltaDecoder, LineDeltaError } from './lineDelta';
import type { SegmentInfo, SessionMeta, StoredMeta } from './writer';

export interface OpenOptions {
  /** Throw the damage error instead of opening what comes before the damage. */
  strict?: boolean;
  /** Re-read from the raw bytes what a crash kept out of the index (default true). */
  recover?: boolean;
  /**
   * Recovery leaves out what only the end of the bytes would finish (a line without its end, a
   * dump cut short): a session still being written gives them later, whole (see continueFrom).
   */
  finishedOnly?: boolean;
  /**
   * Bytes at the end of the file whose records are all read and checked at open (default
   * 1 MiB: where a crash leaves its marks); before them, raw and counted index records are
   * read when needed.
   */
  checkTail?: number;
}

interface RawRecord {
  /** File offset of the record's payload. */
  at: number;
  length: number;
  crc: number;
  head5: Uint8Array;
  rawStart: number;
  rawLength: number;
  opLength: number;
  hostMs: number | null;
  /** Offset in the payload where the deflated ops begin. */
  dataAt: number;
  /** Offset in the payload of the cell stream (format 3), and its length (0: none). */
  cellsAt: number;
  cellsLength: number;
}

interface Segment {
  info: SegmentInfo;
  /** File offset of the SEGMENT record. */
  at: number;
  /** File offset of the record after it (where a scan of the segment's records starts). */
  bodyAt: number;
  records: RawRecord[];
  rawEnd: number;
}

/** A segment being decoded, kept so that the next fetch nearby continues from it. */
class SegmentCursor {
  readonly decoder: LineDeltaDecoder;
  next = 0;
  dict: Uint8Array = new Uint8Array(0);
  /** Record `next`, begun and decoded only part of the way (the decoder's length when it began). */
  partial: { len0: number; where: number; before: () => number } | null = null;

  constructor(readonly seg: Segment) {
    // Grown as it decodes: a read of a segment's first dump needs a fraction of it.
    this.decoder = new LineDeltaDecoder(Math.min(1 << 16, Math.max(1 << 12, seg.rawEnd - seg.info.rawStart)));
  }

  get rawEnd(): number {
    return this.seg.info.rawStart + this.decoder.length;
  }
}

/** An INDEX record, found by the scan; its payload is read when its page is decoded. */
interface IndexRef {
  /** File offset of the record (its header). */
  at: number;
  length: number;
  crc: number;
  head5: Uint8Array;
  /** Read (and checked) at the scan, in the last stretch of the file. */
  payload: Uint8Array | null;
  /** RecordType.Index (JSON, formats 1–2) or RecordType.Columns (format 3). */
  type: number;
  /** From the INDEX_COUNTS record before it (format 2); null in older files. */
  counts: IndexCounts | null;
}

/**
 * The index records of one segment: they decode only together (the deflate dictionary and
 * the deltas run through them and start again at each SEGMENT record).
 */
interface IndexPage {
  records: IndexRef[];
  /** The segment it indexes, and the scan's parse position when the segment began (see continueFrom). */
  seg: number;
  parsedBefore: number;
  endedBefore: boolean;
  /** Position in the session of the page's first snapshot and first other event. */
  firstSnapshot: number;
  firstEvent: number;
  snapshots: number;
  events: number;
  /** Kept decoded: a page decoded while scanning (no counts, an older file) and the last page. */
  decoded: PageData | null;
}

/** Decodes a page's records in order, carrying the dictionary and the deltas from one to the next. */
class PageDecoder {
  /** Formats 1–2: JSON items; format 3: columns (a page holds one or the other). */
  json: { unpacker: IndexUnpacker; out: ObjectPage } | null = null;
  columns: { unpacker: ColumnUnpacker; out: ColumnPage } | null = null;
  private dictBase: Uint8Array = new Uint8Array(0);
  /** The last record's text, not yet added to dictBase (most pages' last record is never followed). */
  private dictNext: Uint8Array | null = null;

  /** The dictionary the next deflated record inflates with: the page's last 32 KiB so far. */
  get dict(): Uint8Array {
    if (this.dictNext !== null) {
      this.dictBase = windowTail(this.dictBase, this.dictNext);
      this.dictNext = null;
    }
    return this.dictBase;
  }

  /** A record's text joins the dictionary (made when a record after it needs it). */
  follows(text: Uint8Array): void {
    if (this.dictNext !== null) this.dictBase = windowTail(this.dictBase, this.dictNext);
    this.dictNext = text;
  }
  /** Records of the page decoded so far. */
  next = 0;
  p = 0;
  ended = false;

  /** Snapshots and events of the page before those in `out` (see restart). */
  snapBase = 0;
  eventBase = 0;

  constructor(readonly page: IndexPage) {}

  get out(): PageData {
    return this.columns?.out ?? (this.json ??= { unpacker: new IndexUnpacker(), out: new ObjectPage() }).out;
  }

  /** Empties `out`, keeping the state the next record decodes from (a walk keeps one record). */
  restart(): void {
    const d = this.out;
    this.snapBase += d.snapshots;
    this.eventBase += d.events;
    if (this.json) this.json.out = new ObjectPage();
    if (this.columns) this.columns.out = this.columns.out.emptyAfter(this.page.firstSnapshot + this.snapBase);
  }
}

/** An index item of a session file, in arrival order (see SessionReader.pageItems). */
export type PageItem =
  | { snapshot: SnapshotIndexEntry; event?: undefined; lines?: undefined; ref?: undefined }
  | { event: SessionEvent; snapshot?: undefined; lines?: undefined; ref?: undefined }
  /** Log lines `from`..`from + lines` of `offsets` (pageItems asked to count them): no object per line. */
  | { lines: number; from: number; offsets: Float64Array; snapshot?: undefined; event?: undefined; ref?: undefined }
  /** A snapshot whose entry is made only when asked for (pageItems asked for refs). */
  | { ref: SnapshotRef; snapshot?: undefined; event?: undefined; lines?: undefined };

/**
 * A snapshot of a page walked: where it ends (what places it among the events), and its entry
 * made on demand (a walk that has the figures already makes none; one that keeps a few makes those).
 */
export interface SnapshotRef {
  readonly byteEnd: number;
  entry(): SnapshotIndexEntry;
}

/** Snapshot j of a page walked (a class, not a closure a snapshot: a walk makes 100,000s). */
class PageSnapshot implements SnapshotRef {
  constructor(
    readonly byteEnd: number,
    private readonly j: number,
    private readonly make: (j: number) => SnapshotIndexEntry,
  ) {}
  entry(): SnapshotIndexEntry {
    return this.make(this.j);
  }
}

const CACHE = 4;
/** Index pages (about 256 snapshots each) kept decoded beyond those kept for good. */
const PAGE_CACHE = 16;
/** Snapshots and events the pages kept hold at most (the most recent page is always kept). */
const PAGE_CACHE_ITEMS = 65_536;

/**
 * The most one record inflates to. The writer emits raw records of about 1 MiB of ops and
 * index records of 2048 items; a record claiming more is damage, not data.
 */
const MAX_INFLATED = 64 << 20;
/** Bytes the scan reads ahead at a time (records are a few KB; one read serves a dozen heads). */
const SCAN_WINDOW = 64 << 10;

/**
 * The dump a snapshot's bytes hold, as the capture parser reads it alone (its maps; the index
 * holds its verdicts, so the map is not checked again); null if they hold none.
 */
export function dumpIn(bytes: Uint8Array): HeapSnapshot | null {
  const r = new CaptureReader({ checkFigures: false });
  const evs = r.feed(bytes);
  for (const ev of r.end()) evs.push(ev);
  // The dump is the snapshot that starts at the first byte (foreign text inside a frame may
  // come out as log lines around it).
  let s: HeapSnapshot | null = null;
  for (const ev of evs) {
    if (ev.type === 'snapshot' && (s === null || (ev.snapshot.byteStart === 0 && s.byteStart !== 0))) s = ev.snapshot;
  }
  return s;
}

export class SessionReader {
  readonly meta: SessionMeta;
  readonly info: Omit<StoredMeta, 'meta'>;
  /** Snapshots in the session (the index is read a page at a time: see entry()). */
  snapshotCount = 0;
  /** Events other than snapshots in the session (see event()). */
  eventCount = 0;
  /** Length of the raw capture kept in the file. */
  rawLength = 0;
  /** The format the file's writer wrote (its header). */
  format = 0;
  /** The writer closed the session (an end record is present). */
  complete = false;
  /** Snapshots and events re-read from raw bytes because the index stopped short of them. */
  readonly recovered = { snapshots: 0, events: 0 };
  /** Damage that stopped the scan before the end of the file, if any. */
  damage: SessionFormatError | null = null;
  /** The file ended in the middle of a record (a crash while writing). */
  torn = false;

  private fd: number | null;
  private readonly size: number;
  private readonly segments: Segment[] = [];
  private readonly pages: IndexPage[] = [];
  /** Pages decoded on demand, most recent first. */
  private pageCache: Array<{ page: IndexPage; decoded: PageData }> = [];
  /** Snapshots and events re-read from raw bytes after the last page (recovery). */
  private readonly tailSnapshots: SnapshotIndexEntry[] = [];
  private readonly tailEvents: SessionEvent[] = [];
  private allSnapshots: SnapshotIndexEntry[] | null = null;
  private allEvents: SessionEvent[] | null = null;
  private cursors: SegmentCursor[] = [];
  private parsedThrough = 0;
  private parserEnded = false;

  /** Index pages taken as they were from the reader this one continues (see continueFrom). */
  readonly pagesKept: number = 0;

  private constructor(
    readonly path: string,
    fd: number,
    options: OpenOptions,
    prev?: SessionReader,
  ) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
    let start: Segment | undefined;
    if (prev) {
      this.format = prev.format;
      this.meta = prev.meta;
      this.info = prev.info;
      start = this.keepFrom(prev);
      this.pagesKept = this.pages.length;
    } else {
      const stored = this.readHeaderAndMeta();
      const { meta, ...info } = stored;
      this.meta = meta ?? {};
      this.info = info;
    }
    this.scan(options.checkTail ?? 1 << 20, start);
    if (!this.complete && !this.parserEnded && options.recover !== false) this.recover(options.finishedOnly === true);
    if (this.stoppedAt) {
      // Said once everything before the damage is counted (the index and what was re-read).
      this.damage = SessionFormatError.damaged(this.path, this.stoppedAt.at, this.stoppedAt.what, this.snapshotCount);
    }
    if (this.damage && options.strict) throw this.damage;
  }

  private stoppedAt: { at: number; what: string } | null = null;

  /** Opens a session file. Throws SessionFormatError for anything that is not a readable session. */
  static open(path: string, options: OpenOptions = {}): SessionReader {
    let fd: number;
    try {
      fd = openRegularSync(path).fd;
    } catch (err) {
      if (err instanceof FileRefusedError) throw new SessionFormatError('io', err.message);
      throw new SessionFormatError('io', `cannot open ${path}: ${(err as Error).message}`);
    }
    try {
      return new SessionReader(path, fd, options);
    } catch (err) {
      closeSync(fd);
      if (err instanceof SessionFormatError) throw err;
      throw new SessionFormatError('damaged', `${path} could not be read: ${(err as Error).message}`);
    }
  }

  /**
   * The same file read again after it grew (a session another process is recording), scanning
   * only from the segment of `prev`'s last index page on: the segments and pages before it are
   * closed (the writer never goes back to them) and are taken as they are. What was re-read from
   * raw bytes after the index is read again. Falls back to a whole open when the path is no
   * longer the file `prev` read. `prev` stays open and unchanged.
   */
  static continueFrom(prev: SessionReader, options: OpenOptions = {}): SessionReader {
    let fd: number;
    try {
      fd = openRegularSync(prev.path).fd;
    } catch (err) {
      if (err instanceof FileRefusedError) throw new SessionFormatError('io', err.message);
      throw new SessionFormatError('io', `cannot open ${prev.path}: ${(err as Error).message}`);
    }
    try {
      const a = fstatSync(fd);
      const same = prev.fd !== null && prev.complete === false && prev.damage === null && (() => {
        const b = fstatSync(prev.fd!);
        return a.dev === b.dev && a.ino === b.ino && a.size >= b.size;
      })();
      return new SessionReader(prev.path, fd, options, same ? prev : undefined);
    } catch (err) {
      closeSync(fd);
      if (err instanceof SessionFormatError) throw err;
      throw new SessionFormatError('damaged', `${prev.path} could not be read: ${(err as Error).message}`);
    }
  }

  /** Takes `prev`'s closed segments and pages; returns the segment the scan starts again from. */
  private keepFrom(prev: SessionReader): Segment {
    const last = prev.pages[prev.pages.length - 1];
    const s = last ? last.seg : 0;
    for (let k = 0; k < s; k++) this.segments.push(prev.segments[k]);
    for (let k = 0; k < prev.pages.length - 1; k++) this.pages.push(prev.pages[k]);
    this.snapshotCount = last ? last.firstSnapshot : 0;
    this.eventCount = last ? last.firstEvent : 0;
    this.parsedThrough = last ? last.parsedBefore : 0;
    this.parserEnded = last ? last.endedBefore : false;
    const seg = prev.segments[s];
    return { info: seg.info, at: seg.at, bodyAt: seg.bodyAt, records: [], rawEnd: seg.info.rawStart };
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.cursors = [];
    this.headCursor = null;
    this.pageCache = [];
  }

  /**
   * Every snapshot's index entry, in one array: the whole index decoded and kept (a day-long
   * session: seconds and a few hundred MB). A reader that needs only some uses snapshotCount
   * and entry(i). Damage found on the way ends the list there and is kept in `damage`.
   */
  get snapshots(): SnapshotIndexEntry[] {
    if (this.allSnapshots === null) this.materialize();
    return this.allSnapshots!;
  }

  /** Every event but snapshots, in arrival order: the whole index (see `snapshots`). */
  get events(): SessionEvent[] {
    if (this.allEvents === null) this.materialize();
    return this.allEvents!;
  }

  /** Snapshot i's index entry; its index page is decoded (and kept among the recent ones) when needed. */
  entry(i: number): SnapshotIndexEntry {
    if (!(i >= 0 && i < this.snapshotCount) || !Number.isInteger(i)) throw new RangeError(`no snapshot ${i} (the session has ${this.snapshotCount})`);
    if (this.allSnapshots) return this.allSnapshots[i];
    const k = this.pageOf(i, 'firstSnapshot', 'snapshots');
    if (k < 0) return this.tailSnapshots[i - this.pagedSnapshots()];
    const page = this.pages[k];
    const d = this.decodedPage(page);
    try {
      return d.entry(i - page.firstSnapshot);
    } catch (err) {
      // Format 3 decodes a page's kinds when an entry first needs them.
      if (!isIndexError(err)) throw err;
      throw SessionFormatError.damaged(this.path, page.records[0].at, (err as Error).message, page.firstSnapshot);
    }
  }

  /** Event i (every event but snapshots, in arrival order). */
  event(i: number): SessionEvent {
    if (!(i >= 0 && i < this.eventCount) || !Number.isInteger(i)) throw new RangeError(`no event ${i} (the session has ${this.eventCount})`);
    if (this.allEvents) return this.allEvents[i];
    const k = this.pageOf(i, 'firstEvent', 'events');
    if (k < 0) return this.tailEvents[i - this.pagedEvents()];
    const page = this.pages[k];
    const d = this.decodedPage(page);
    try {
      return d.event(i - page.firstEvent);
    } catch (err) {
      // Format 3 decodes a page's log lines when an event first needs them.
      if (!isIndexError(err)) throw err;
      throw SessionFormatError.damaged(this.path, page.records[0].at, (err as Error).message, page.firstSnapshot);
    }
  }

  /**
   * The timeline's figures of the snapshots around snapshot i (its index page: `first` is the
   * position of figures[0] in the session), in typed arrays, without building an entry: a
   * whole-day timeline reads them a page at a time. Throws SessionFormatError like entry().
   */
  snapshotFigures(i: number): { first: number; figures: SnapshotFigures } {
    if (!(i >= 0 && i < this.snapshotCount) || !Number.isInteger(i)) throw new RangeError(`no snapshot ${i} (the session has ${this.snapshotCount})`);
    if (this.allSnapshots) {
      this.allFigures ??= new ObjectPage(this.allSnapshots).figures();
      return { first: 0, figures: this.allFigures };
    }
    const k = this.pageOf(i, 'firstSnapshot', 'snapshots');
    if (k < 0) return { first: this.pagedSnapshots(), figures: this.tailPage().figures() };
    const page = this.pages[k];
    return { first: page.firstSnapshot, figures: this.decodedPage(page).figures() };
  }

  /** Where the events around event i are, and which are log lines (as snapshotFigures, for events). */
  eventOffsets(i: number): { first: number; offsets: EventOffsets } {
    if (!(i >= 0 && i < this.eventCount) || !Number.isInteger(i)) throw new RangeError(`no event ${i} (the session has ${this.eventCount})`);
    if (this.allEvents) return { first: 0, offsets: new ObjectPage([], this.allEvents).eventOffsets() };
    const k = this.pageOf(i, 'firstEvent', 'events');
    if (k < 0) return { first: this.pagedEvents(), offsets: this.tailPage().eventOffsets() };
    const page = this.pages[k];
    return { first: page.firstEvent, offsets: this.decodedPage(page).eventOffsets() };
  }

  /**
   * Page k's figures and event offsets (k = pageCount: the recovered tail), cut to what it serves:
   * the series and its walk in one pass over the pages (see indexFromPages). Damage is a
   * SessionFormatError, as for entry(i).
   */
  pageColumns(k: number): { firstSnapshot: number; firstEvent: number; figures: SnapshotFigures; offsets: EventOffsets } {
    if (k === this.pages.length) {
      const t = this.tailPage();
      return { firstSnapshot: this.pagedSnapshots(), firstEvent: this.pagedEvents(), figures: t.figures(), offsets: t.eventOffsets() };
    }
    const page = this.pages[k];
    if (!page) throw new RangeError(`no index page ${k} (the session has ${this.pages.length})`);
    const d = this.decodedPage(page);
    const f = d.figures();
    const o = d.eventOffsets();
    const cutF = (x: Float64Array) => (x.length > page.snapshots ? x.subarray(0, page.snapshots) : x);
    const figures: SnapshotFigures =
      f.byteEnd.length > page.snapshots
        ? { byteEnd: cutF(f.byteEnd), timeMs: cutF(f.timeMs), usedBytes: cutF(f.usedBytes), freeBytes: cutF(f.freeBytes), largestFreeBytes: cutF(f.largestFreeBytes), fragmentation: cutF(f.fragmentation) }
        : f;
    const offsets: EventOffsets = o.byteOffset.length > page.events ? { byteOffset: o.byteOffset.subarray(0, page.events), isLog: o.isLog.subarray(0, page.events) } : o;
    return { firstSnapshot: page.firstSnapshot, firstEvent: page.firstEvent, figures, offsets };
  }

  private allFigures: SnapshotFigures | null = null;
  private tailObjects: ObjectPage | null = null;

  /** What was re-read from raw bytes after the last page (recovery), as a page. */
  private tailPage(): ObjectPage {
    return (this.tailObjects ??= new ObjectPage(this.tailSnapshots, this.tailEvents));
  }

  /** The snapshot with its maps: its segment decoded, its dump's bytes read again. */
  getSnapshot(i: number): HeapSnapshot {
    if (!(i >= 0 && i < this.snapshotCount)) throw new RangeError(`no snapshot ${i} (the session has ${this.snapshotCount})`);
    const e = this.entry(i);
    const s = dumpIn(this.rawBytes(e.byteStart, e.byteEnd, false));
    if (s === null) {
      throw SessionFormatError.damaged(this.path, e.byteStart, `the bytes of snapshot ${i} hold no heap dump`, i);
    }
    return {
      ...s,
      index: e.index,
      line: e.line,
      byteStart: e.byteStart,
      byteEnd: e.byteEnd,
      framing: e.framing,
      seq: e.seq,
      deviceMs: e.deviceMs,
      collected: e.collected,
      complete: e.complete,
      consistent: e.consistent,
      problems: e.problems,
    };
  }

  /**
   * Snapshots that open a clean segment, ascending: the cheapest to read without the index
   * (headSnapshot), for a picture of the whole session that must not decode all of it.
   */
  segmentHeads(): number[] {
    const out: number[] = [];
    for (const seg of this.segments) {
      const i = seg.info.snapshotsBefore;
      if (!seg.info.clean || !(i < this.snapshotCount) || seg.rawEnd <= seg.info.rawStart) continue;
      if (out.length === 0 || out[out.length - 1] < i) out.push(i);
    }
    return out;
  }

  /**
   * The cursor head reads decode with, apart from the recent ones: a strip's many heads, read
   * while a walk over every dump (lifetimes) goes on, must not push the walk's cursor out.
   */
  private headCursor: SegmentCursor | null = null;

  /**
   * Snapshot i, one of segmentHeads(), read from its segment's raw bytes alone: no index page is
   * decoded, and the segment only as far as the dump goes. Its maps and figures are the capture
   * parser's (the index's verdicts and device fields are not added: see getSnapshot). Null when
   * its segment does not hold the whole dump (then getSnapshot reads it).
   */
  headSnapshot(i: number): HeapSnapshot | null {
    let k = -1;
    for (let lo = 0, hi = this.segments.length - 1; lo <= hi; ) {
      const mid = (lo + hi) >> 1;
      const b = this.segments[mid].info.snapshotsBefore;
      if (b < i) lo = mid + 1;
      else {
        if (b === i) k = mid;
        hi = mid - 1;
      }
    }
    if (k < 0) throw new RangeError(`snapshot ${i} does not open a segment`);
    // Segments without a dump (cut by a long log) share their count with the next.
    for (; k < this.segments.length && this.segments[k].info.snapshotsBefore === i; k++) {
      const seg = this.segments[k];
      if (!seg.info.clean) return null;
      const start = seg.info.rawStart;
      // A parser from a clean segment's start is in the state the writer's was there.
      const parser = new CaptureReader({ checkFigures: false });
      let fed = start;
      let step = 1 << 13;
      while (fed < seg.rawEnd) {
        const end = Math.min(seg.rawEnd, fed + step);
        const c = this.headCursor?.seg === seg ? this.headCursor : (this.headCursor = new SegmentCursor(seg));
        try {
          this.advance(c, end);
        } catch (err) {
          this.headCursor = null;
          throw err;
        }
        for (const ev of parser.feed(c.decoder.view().subarray(fed - start, end - start))) {
          if (ev.type === 'snapshot') return { ...ev.snapshot, index: i, byteStart: ev.snapshot.byteStart + start, byteEnd: ev.snapshot.byteEnd + start };
        }
        fed = end;
        step *= 2;
      }
      // A dump begun here and ended in the next segment, or none at all: the next may hold it.
      if (parser.inDump) return null;
    }
    return null;
  }

  /** Raw capture bytes [start, end), the caller's own copy. */
  readRaw(start: number, end: number): Uint8Array {
    return this.rawBytes(start, end, true);
  }

  /**
   * Raw capture bytes [start, end) without a copy when one segment holds them: a view of the
   * segment's decoded bytes, valid only until the next read from this reader. Read in order,
   * each segment is decoded once (what a pass over every dump needs).
   */
  rawView(start: number, end: number): Uint8Array {
    return this.rawBytes(start, end, false);
  }

  /**
   * Raw capture bytes [start, end); `copy` false may give a view of a segment's decoded bytes,
   * valid only until the next read (getSnapshot parses it at once: one copy less per dump).
   */
  private rawBytes(start: number, end: number, copy: boolean): Uint8Array {
    start = Math.max(0, start);
    end = Math.min(end, this.rawLength);
    if (end <= start) return new Uint8Array(0);
    const parts: Uint8Array[] = [];
    // A view only when one segment holds it all (a later segment's decode may reuse a cursor).
    if (!copy && this.segmentAt(end - 1) !== this.segmentAt(start)) copy = true;
    for (let k = this.segmentAt(start); k < this.segments.length; k++) {
      const seg = this.segments[k];
      if (seg.info.rawStart >= end) break;
      const c = this.decodeThrough(seg, end);
      const from = Math.max(start, seg.info.rawStart) - seg.info.rawStart;
      const to = Math.min(end, seg.rawEnd) - seg.info.rawStart;
      const v = c.decoder.view();
      parts.push(copy ? v.slice(from, to) : v.subarray(from, to));
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(end - start);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** The whole raw capture, a segment at a time (for export). */
  *rawChunks(): Generator<Uint8Array> {
    for (const seg of this.segments) {
      if (seg.rawEnd === seg.info.rawStart) continue;
      const c = new SegmentCursor(seg);
      this.advance(c, seg.rawEnd);
      yield c.decoder.view();
    }
  }

  /** The raw capture as an async stream of chunks. */
  async *rawStream(): AsyncGenerator<Uint8Array> {
    for (const chunk of this.rawChunks()) yield chunk;
  }

  /** Writes the raw capture, byte for byte as it arrived, to a file. */
  async exportRaw(outPath: string): Promise<number> {
    const ws = createWriteStream(outPath);
    let n = 0;
    try {
      for (const chunk of this.rawChunks()) {
        n += chunk.length;
        if (!ws.write(Buffer.from(chunk))) await once(ws, 'drain');
      }
    } finally {
      ws.end();
      await once(ws, 'close');
    }
    return n;
  }

  // ---- scanning ----

  private read(at: number, n: number): Uint8Array {
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const k = readSync(this.fd!, buf, got, n - got, at + got);
      if (k === 0) break;
      got += k;
    }
    return got === n ? buf : buf.subarray(0, got);
  }

  private readHeaderAndMeta(): StoredMeta {
    const p = this.path;
    const head = this.read(0, Math.min(this.size, HEADER_SIZE));
    const magicPart = head.subarray(0, Math.min(head.length, MAGIC.length));
    for (let i = 0; i < magicPart.length; i++) {
      if (magicPart[i] !== MAGIC[i]) throw SessionFormatError.notASession(p, 'it does not start with the HeapScope session header');
    }
    if (head.length < HEADER_SIZE) {
      throw new SessionFormatError('empty', `${p} is empty or ends inside its header: the recording stopped before anything was written`);
    }
    const v = new DataView(head.buffer, head.byteOffset, head.length);
    const version = v.getUint16(8, true);
    const minReader = v.getUint16(10, true);
    this.format = version;
    if (minReader > READS_UP_TO || version === 0 || minReader === 0) {
      if (version === 0 || minReader === 0) throw SessionFormatError.damaged(p, 8, 'its header names no format version', 0);
      throw SessionFormatError.newer(p, version, minReader);
    }
    const rec = this.readRecordAt(HEADER_SIZE);
    if (rec === 'torn') {
      throw new SessionFormatError('empty', `${p} ends before the session's description: the recording stopped before anything was written`);
    }
    if (typeof rec === 'string' || rec.type !== RecordType.Meta) {
      throw SessionFormatError.damaged(p, HEADER_SIZE, typeof rec === 'string' ? `its description is unreadable (${rec})` : 'its first record is not the session description', 0);
    }
    try {
      const m = parseJson(rec.payload) as StoredMeta;
      if (m === null || typeof m !== 'object') throw new Error('not an object');
      return m;
    } catch (err) {
      throw SessionFormatError.damaged(p, HEADER_SIZE, `its description is not valid JSON (${(err as Error).message})`, 0);
    }
  }

  /**
   * The record at a file offset, fully read and checked: 'torn' when the file ends inside it,
   * a string saying what is wrong when it is damaged.
   */
  private readRecordAt(at: number): { type: number; payload: Uint8Array; next: number } | 'torn' | string {
    const h = this.readRecordHead(at);
    if (typeof h === 'string') return h;
    const payload = this.read(at + RECORD_HEADER_SIZE, h.length);
    if (recordCrc(h.head5, payload) !== h.crc) return at + RECORD_HEADER_SIZE + h.length >= this.size ? 'torn' : 'its checksum does not match';
    return { type: h.type, payload, next: at + RECORD_HEADER_SIZE + h.length };
  }

  private readRecordHead(at: number): { type: number; length: number; crc: number; head5: Uint8Array } | 'torn' | string {
    if (at + RECORD_HEADER_SIZE > this.size) return 'torn';
    const h = this.scanRead(at, RECORD_HEADER_SIZE);
    const v = new DataView(h.buffer, h.byteOffset, h.length);
    const type = h[0];
    const length = v.getUint32(1, true);
    if (at + RECORD_HEADER_SIZE + length > this.size) return 'torn';
    if (length > MAX_RECORD) return `a record claims ${length} bytes`;
    return { type, length, crc: v.getUint32(5, true), head5: h.subarray(0, 5) };
  }

  /**
   * What the scan read last: it walks record heads a few KB apart, and a read call per head
   * (two per raw record) costs more than the bytes. Only while a scan runs: a file is only ever
   * appended to, but a later scan may follow a writer that cut a torn tail and wrote again.
   */
  private scanWindow: { at: number; buf: Uint8Array } | null = null;

  /** `read`, served from a window read ahead while scanning; a copy, so nothing keeps the window. */
  private scanRead(at: number, n: number): Uint8Array {
    if (this.scanWindow === null || n > SCAN_WINDOW) return this.read(at, n);
    let w = this.scanWindow;
    if (at < w.at || at + n > w.at + w.buf.length) {
      w = this.scanWindow = { at, buf: this.read(at, Math.max(n, Math.min(SCAN_WINDOW, this.size - at))) };
    }
    const from = at - w.at;
    return w.buf.slice(from, Math.min(w.buf.length, from + n));
  }

  /** Scans the records from the file's first segment, or from `start` (continueFrom). */
  private scan(checkTail: number, start?: Segment): void {
    this.scanWindow = { at: 0, buf: new Uint8Array(0) };
    try {
      this.scanRecords(checkTail, start);
    } finally {
      this.scanWindow = null;
    }
  }

  private scanRecords(checkTail: number, start?: Segment): void {
    let at = HEADER_SIZE;
    let seg: Segment;
    if (start) {
      seg = start;
      at = start.bodyAt;
    } else {
      // Skip the META record (already read).
      const meta = this.readRecordHead(at);
      if (typeof meta === 'string') return;
      at += RECORD_HEADER_SIZE + meta.length;
      // Segment 0 is implied: it starts at raw offset 0, where line 1 starts.
      seg = { info: { n: 0, rawStart: 0, clean: true, anchor: [1, 0], snapshotsBefore: 0 }, at, bodyAt: at, records: [], rawEnd: 0 };
    }
    this.segments.push(seg);
    let page = this.newPage();
    /** The page being decoded as the scan goes (an INDEX record without counts), if any. */
    let eager: PageDecoder | null = null;
    /** Counts from the record just before, for the INDEX record that follows it. */
    let counts: IndexCounts | null = null;
    let rawEnd = seg.rawEnd;
    // Raw and index payloads are checked when decoded, except in the last stretch of the file,
    // where a crash or power loss leaves its marks: there their checksums are checked now.
    const checkFrom = Math.max(0, this.size - checkTail);
    const stop = (at: number, what: string) => {
      this.stoppedAt = { at, what };
    };
    while (at < this.size) {
      const h = this.readRecordHead(at);
      if (h === 'torn') {
        this.torn = true;
        break;
      }
      if (typeof h === 'string') {
        if (this.zerosFrom(at)) this.torn = true;
        else stop(at, h);
        break;
      }
      const payloadAt = at + RECORD_HEADER_SIZE;
      const next = payloadAt + h.length;
      const last = next >= this.size;
      const countsBefore = counts;
      counts = null;
      const isIndex = h.type === RecordType.Index || h.type === RecordType.Columns;
      if (at < checkFrom && (h.type === RecordType.Raw || (isIndex && countsBefore !== null && eager === null))) {
        if (h.type === RecordType.Raw) {
          // Only the small varint header: the data is read when a snapshot needs it.
          const head = this.scanRead(payloadAt, Math.min(h.length, 40));
          const r = this.rawRecord(head, payloadAt, h);
          if (typeof r === 'string' || r.rawStart !== rawEnd) {
            stop(at, typeof r === 'string' ? r : `raw bytes out of order (${r.rawStart}, expected ${rawEnd})`);
            break;
          }
          seg.records.push(r);
          rawEnd += r.rawLength;
          seg.rawEnd = rawEnd;
        } else {
          // Counted: read when someone asks for an entry of this page.
          this.addCounted(page, { at, length: h.length, crc: h.crc, head5: h.head5, payload: null, type: h.type, counts: countsBefore! });
        }
        at = next;
        continue;
      }
      const payload = this.scanRead(payloadAt, h.length);
      if (recordCrc(h.head5, payload) !== h.crc) {
        if (last || this.zerosFrom(at)) this.torn = true;
        else stop(at, 'a record’s checksum does not match');
        break;
      }
      try {
        switch (h.type) {
          case RecordType.Segment: {
            const info = parseJson(payload) as SegmentInfo;
            if (!info || typeof info.rawStart !== 'number' || info.rawStart !== rawEnd) throw new MalformedError('a segment that does not start where the raw bytes end');
            seg = { info, at, bodyAt: next, records: [], rawEnd };
            this.segments.push(seg);
            this.closePage(page, eager);
            page = this.newPage();
            eager = null;
            break;
          }
          case RecordType.Raw: {
            const r = this.rawRecord(payload, payloadAt, h);
            if (typeof r === 'string') throw new MalformedError(r);
            if (r.rawStart !== rawEnd) throw new MalformedError(`raw bytes out of order (${r.rawStart}, expected ${rawEnd})`);
            seg.records.push(r);
            rawEnd += r.rawLength;
            seg.rawEnd = rawEnd;
            break;
          }
          case RecordType.IndexCounts:
            counts = decodeIndexCounts(payload);
            break;
          case RecordType.Index:
          case RecordType.Columns: {
            const ref: IndexRef = { at, length: h.length, crc: h.crc, head5: h.head5, payload, type: h.type, counts: countsBefore };
            if (countsBefore !== null && eager === null) {
              this.addCounted(page, ref);
              break;
            }
            // No counts (a format-1 file): the page is decoded now, as the scan goes.
            if (eager === null) eager = new PageDecoder(page);
            page.records.push(ref);
            try {
              while (eager.next < page.records.length) this.decodeRecord(eager, page, page.records[eager.next]);
            } catch (err) {
              page.records.length = eager.next;
              throw err;
            }
            this.parsedThrough = eager.p;
            if (eager.ended) this.parserEnded = true;
            break;
          }
          case RecordType.End:
            this.complete = true;
            break;
          case RecordType.Meta:
            throw new MalformedError('a second session description');
          default:
            if ((h.type & OPTIONAL_RECORD) === 0) {
              throw new MalformedError(`a record of unknown type ${h.type} (written by a newer HeapScope?)`);
            }
        }
      } catch (err) {
        if (isIndexError(err)) {
          stop(at, (err as Error).message);
          break;
        }
        throw err;
      }
      at = next;
    }
    this.rawLength = rawEnd;
    // The last page is decoded now: recovery starts from it, and a session being recorded is
    // read again from there.
    if (eager === null && page.records.length > 0) {
      eager = new PageDecoder(page);
      try {
        while (eager.next < page.records.length) this.decodeRecord(eager, page, page.records[eager.next]);
      } catch (err) {
        if (!isIndexError(err)) throw err;
        const bad = page.records[eager.next];
        this.stoppedAt ??= { at: bad.at, what: (err as Error).message };
        page.records.length = eager.next;
        // What the page's counts promised past the damage is not there.
        this.parsedThrough = eager.p;
        this.parserEnded = eager.ended;
      }
    }
    this.closePage(page, eager);
    // Anything the index says beyond the raw bytes kept cannot be served.
    const lastPage = this.pages[this.pages.length - 1];
    if (lastPage?.decoded) {
      const d = lastPage.decoded;
      let k = d.snapshots;
      while (k > 0 && d.byteEnd(k - 1) > this.rawLength) k--;
      d.cutSnapshots(k);
      this.snapshotCount = lastPage.firstSnapshot + k;
      lastPage.snapshots = k;
    }
    if (this.parsedThrough > this.rawLength) {
      this.parsedThrough = this.rawLength;
      this.parserEnded = false;
    }
  }

  private newPage(): IndexPage {
    return {
      records: [],
      seg: this.segments.length - 1,
      parsedBefore: this.parsedThrough,
      endedBefore: this.parserEnded,
      firstSnapshot: this.snapshotCount,
      firstEvent: this.eventCount,
      snapshots: 0,
      events: 0,
      decoded: null,
    };
  }

  /** An INDEX record whose counts were given: its page grows without decoding it. */
  private addCounted(page: IndexPage, ref: IndexRef): void {
    const c = ref.counts!;
    page.records.push(ref);
    page.snapshots += c.snapshots;
    page.events += c.events;
    this.snapshotCount += c.snapshots;
    this.eventCount += c.events;
    this.parsedThrough = c.p;
    if (c.ended) this.parserEnded = true;
  }

  /** The segment's index ends: a page decoded as the scan went keeps what it decoded. */
  private closePage(page: IndexPage, dec: PageDecoder | null): void {
    if (dec !== null) {
      page.decoded = dec.out;
      page.snapshots = dec.out.snapshots;
      page.events = dec.out.events;
      this.snapshotCount = page.firstSnapshot + page.snapshots;
      this.eventCount = page.firstEvent + page.events;
    }
    if (page.records.length > 0) this.pages.push(page);
  }

  /** Inflates and unpacks the next record of a page. Throws MalformedError and the like on damage. */
  private decodeRecord(dec: PageDecoder, page: IndexPage, ref: IndexRef): void {
    let payload = ref.payload;
    if (payload === null) {
      payload = this.read(ref.at + RECORD_HEADER_SIZE, ref.length);
      if (payload.length !== ref.length || recordCrc(ref.head5, payload) !== ref.crc) throw new MalformedError('a record’s checksum does not match');
    }
    const src = new ByteSource(payload);
    const textLength = src.uvar();
    if (textLength > MAX_INFLATED) throw new MalformedError(`an index record that claims ${textLength} bytes, more than any record holds`);
    const coder = ref.type === RecordType.Columns ? src.uvar() : INDEX_DEFLATE;
    // Inflation stops at the declared length: a small record cannot grow into gigabytes.
    const opts: zlib.ZlibOptions = { maxOutputLength: Math.max(1, textLength) };
    let text: Uint8Array;
    if (coder === INDEX_BROTLI) {
      text = zlib.brotliDecompressSync(payload.subarray(src.pos), opts);
    } else if (coder === INDEX_DEFLATE) {
      if (dec.dict.length) opts.dictionary = dec.dict;
      text = zlib.inflateRawSync(payload.subarray(src.pos), opts);
    } else {
      throw new MalformedError(`an index record compressed in an unknown way (${coder})`);
    }
    if (text.length !== textLength) throw new MalformedError('index record of the wrong length');
    const c = ref.counts;
    const checkCounts = (snaps: number, evs: number) => {
      if (c !== null && (c.snapshots !== snaps || c.events !== evs)) {
        throw new MalformedError(`an index record holds ${snaps} snapshots and ${evs} events where its counts say ${c.snapshots} and ${c.events}`);
      }
    };
    if (ref.type === RecordType.Columns) {
      if (dec.json) throw new MalformedError('an index page that mixes formats');
      dec.columns ??= { unpacker: new ColumnUnpacker(), out: new ColumnPage(page.firstSnapshot, (at) => this.lazyLog(at)) };
      const { chunk, p, ended } = dec.columns.unpacker.unpack(text);
      checkCounts(chunk.n, chunk.m);
      // Only a whole record joins the page (a damaged one leaves the page as it was).
      dec.follows(text);
      dec.columns.out.add(chunk);
      dec.p = p;
      if (ended) dec.ended = true;
      dec.next++;
      return;
    }
    if (dec.columns) throw new MalformedError('an index page that mixes formats');
    const json = (dec.json ??= { unpacker: new IndexUnpacker(), out: new ObjectPage() });
    const body = parseJson(text) as { p: number; e: unknown[]; x?: number };
    if (!body || !Array.isArray(body.e) || typeof body.p !== 'number') throw new MalformedError('index record without events');
    const snaps: SnapshotIndexEntry[] = [];
    const evs: SessionEvent[] = [];
    let n = page.firstSnapshot + dec.snapBase + json.out.snapshots;
    for (const item of body.e) {
      const it = json.unpacker.item(item, n);
      if ('snapshot' in it) {
        snaps.push(it.snapshot);
        n++;
      } else {
        evs.push('event' in it ? it.event : this.lazyLog(it.logAt));
      }
    }
    checkCounts(snaps.length, evs.length);
    // Only a whole record joins the page (a damaged one leaves the page as it was).
    dec.follows(text);
    for (const x of snaps) json.out.snaps.push(x);
    for (const x of evs) json.out.evs.push(x);
    dec.p = body.p;
    if (body.x === 1) dec.ended = true;
    dec.next++;
  }

  /** Index pages: the index records of one segment (see pageItems). */
  get pageCount(): number {
    return this.pages.length;
  }

  /**
   * Page k's snapshots and events in arrival order: a snapshot before the first event at or after
   * its last byte (the order `snapshots` and `events` imply). The page is decoded apart from the
   * page cache (neither used nor filled): a walk over every page keeps one page, whatever the
   * cache holds. Format 3 keeps a page as columns (a few bytes a log line); formats 1–2 as objects.
   * Damage is a SessionFormatError, as for entry(i).
   */
  *pageItems(k: number, countLogs = false, refs = false): Generator<PageItem> {
    const page = this.pages[k];
    if (!page) throw new RangeError(`no index page ${k} (the session has ${this.pages.length})`);
    // The last page may end with snapshots past the raw bytes kept (cut at open): not served.
    let snapshotsLeft = page.snapshots;
    let eventsLeft = page.events;
    if (page.decoded) {
      yield* this.itemsOf(page, page.decoded, 0, snapshotsLeft, eventsLeft, countLogs, refs);
      return;
    }
    // A record at a time: a page of a long log holds many records, and the walk keeps one.
    const dec = new PageDecoder(page);
    while (dec.next < page.records.length) {
      try {
        this.decodeRecord(dec, page, page.records[dec.next]);
      } catch (err) {
        if (!isIndexError(err)) throw err;
        throw SessionFormatError.damaged(this.path, page.records[dec.next].at, (err as Error).message, page.firstSnapshot + dec.snapBase + dec.out.snapshots);
      }
      const d = dec.out;
      yield* this.itemsOf(page, d, dec.snapBase, snapshotsLeft, eventsLeft, countLogs, refs);
      snapshotsLeft -= Math.min(snapshotsLeft, d.snapshots);
      eventsLeft -= Math.min(eventsLeft, d.events);
      dec.restart();
    }
  }

  /** The items of decoded index data, in arrival order; `base`: its first snapshot in the page. */
  private *itemsOf(page: IndexPage, d: PageData, base: number, maxSnapshots: number, maxEvents: number, countLogs: boolean, refs: boolean): Generator<PageItem> {
    const ns = Math.min(maxSnapshots, d.snapshots);
    const ne = Math.min(maxEvents, d.events);
    const eo = ne > 0 ? d.eventOffsets() : null;
    const offsets = eo?.byteOffset ?? null;
    const entry = (j: number): SnapshotIndexEntry => {
      try {
        return d.entry(j, false);
      } catch (err) {
        if (!isIndexError(err)) throw err;
        throw SessionFormatError.damaged(this.path, page.records[0].at, (err as Error).message, page.firstSnapshot + base + j);
      }
    };
    const event = (j: number): SessionEvent => {
      try {
        return d.event(j, false);
      } catch (err) {
        // Format 3 decodes log lines when an event first needs them: damage there says where.
        if (!isIndexError(err)) throw err;
        throw SessionFormatError.damaged(this.path, page.records[0].at, (err as Error).message, page.firstSnapshot + base);
      }
    };
    const snapshot = (j: number): PageItem => (refs ? { ref: new PageSnapshot(d.byteEnd(j), j, entry) } : { snapshot: entry(j) });
    let si = 0;
    let nextEnd = ns > 0 ? d.byteEnd(0) : Infinity;
    /** Log lines counted and not yet given, from event `run`. */
    let run = -1;
    for (let ei = 0; ei < ne; ei++) {
      const at = offsets![ei];
      if (nextEnd <= at) {
        if (run >= 0) {
          yield { lines: ei - run, from: run, offsets: offsets! };
          run = -1;
        }
        while (si < ns && nextEnd <= at) {
          yield snapshot(si++);
          nextEnd = si < ns ? d.byteEnd(si) : Infinity;
        }
      }
      if (countLogs && eo!.isLog[ei] === 1) {
        if (run < 0) run = ei;
        continue;
      }
      if (run >= 0) {
        yield { lines: ei - run, from: run, offsets: offsets! };
        run = -1;
      }
      yield { event: event(ei) };
    }
    if (run >= 0) yield { lines: ne - run, from: run, offsets: offsets! };
    while (si < ns) yield snapshot(si++);
  }

  /**
   * What recovery re-read from the raw bytes after the last page, snapshots placed before the
   * events at or after their last byte (the order `snapshots` and `events` imply).
   */
  *tailItems(): Generator<PageItem> {
    let si = 0;
    for (const ev of this.tailEvents) {
      while (si < this.tailSnapshots.length && this.tailSnapshots[si].byteEnd <= ev.byteOffset) yield { snapshot: this.tailSnapshots[si++] };
      yield { event: ev };
    }
    while (si < this.tailSnapshots.length) yield { snapshot: this.tailSnapshots[si++] };
  }

  /** A page's entries: kept, or decoded again (damage then is a SessionFormatError). */
  private decodedPage(page: IndexPage): PageData {
    if (page.decoded) return page.decoded;
    const hit = this.pageCache.findIndex((c) => c.page === page);
    if (hit >= 0) {
      const c = this.pageCache[hit];
      if (hit > 0) {
        this.pageCache.splice(hit, 1);
        this.pageCache.unshift(c);
      }
      return c.decoded;
    }
    const decoded = this.decodePage(page);
    this.pageCache.unshift({ page, decoded });
    // Bounded in pages and in items: a page of a long log holds tens of thousands of events.
    let items = 0;
    for (let c = 0; c < this.pageCache.length; c++) {
      items += this.pageCache[c].page.snapshots + this.pageCache[c].page.events;
      if (c > 0 && (c >= PAGE_CACHE || items > PAGE_CACHE_ITEMS)) {
        this.pageCache.length = c;
        break;
      }
    }
    return decoded;
  }

  /** Decodes a page's records from its first (damage is a SessionFormatError). */
  private decodePage(page: IndexPage): PageData {
    const dec = new PageDecoder(page);
    try {
      while (dec.next < page.records.length) this.decodeRecord(dec, page, page.records[dec.next]);
    } catch (err) {
      if (!isIndexError(err)) throw err;
      throw SessionFormatError.damaged(this.path, page.records[dec.next].at, (err as Error).message, page.firstSnapshot + dec.out.snapshots);
    }
    return dec.out;
  }

  /** The page holding item i (by `first`/`count`), -1 when it is past the pages (recovered). */
  private pageOf(i: number, first: 'firstSnapshot' | 'firstEvent', count: 'snapshots' | 'events'): number {
    const pages = this.pages;
    let lo = 0;
    let hi = pages.length - 1;
    if (hi < 0 || i >= pages[hi][first] + pages[hi][count]) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pages[mid][first] <= i) lo = mid;
      else hi = mid - 1;
    }
    // Pages without any of this kind share their `first` with the next: step to the one that holds it.
    while (lo < pages.length - 1 && i >= pages[lo][first] + pages[lo][count]) lo++;
    return lo;
  }

  private pagedSnapshots(): number {
    const p = this.pages[this.pages.length - 1];
    return p ? p.firstSnapshot + p.snapshots : 0;
  }

  private pagedEvents(): number {
    const p = this.pages[this.pages.length - 1];
    return p ? p.firstEvent + p.events : 0;
  }

  /** The whole index in two arrays (what `snapshots` and `events` give). */
  private materialize(): void {
    const snaps: SnapshotIndexEntry[] = [];
    const evs: SessionEvent[] = [];
    let cut = false;
    for (const page of this.pages) {
      const pageSnaps: SnapshotIndexEntry[] = [];
      const pageEvs: SessionEvent[] = [];
      try {
        const d: PageData = this.decodedPage(page);
        for (let k = 0; k < d.snapshots; k++) pageSnaps.push(d.entry(k));
        for (let k = 0; k < d.events; k++) pageEvs.push(d.event(k));
      } catch (err) {
        let e = err;
        if (!(e instanceof SessionFormatError)) {
          if (!isIndexError(e)) throw e;
          e = SessionFormatError.damaged(this.path, page.records[0].at, (e as Error).message, page.firstSnapshot);
        }
        this.damage ??= e as SessionFormatError;
        cut = true;
        break;
      }
      for (const x of pageSnaps) snaps.push(x);
      for (const x of pageEvs) evs.push(x);
    }
    if (!cut) {
      for (const x of this.tailSnapshots) snaps.push(x);
      for (const x of this.tailEvents) evs.push(x);
    }
    this.allSnapshots = snaps;
    this.allEvents = evs;
    // Damage found now: the session ends before it, as if the scan had stopped there.
    if (cut) {
      this.snapshotCount = snaps.length;
      this.eventCount = evs.length;
    }
    this.pageCache = [];
  }

  /** The file holds only zero bytes from `at` on (what a power loss can leave at the end). */
  private zerosFrom(at: number): boolean {
    if (this.size - at > 1 << 22) return false;
    const b = this.read(at, this.size - at);
    for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
    return true;
  }

  private rawRecord(payload: Uint8Array, at: number, h: { length: number; crc: number; head5: Uint8Array }): RawRecord | string {
    try {
      const src = new ByteSource(payload);
      const rawStart = src.uvar();
      const rawLength = src.uvar();
      const opLength = src.uvar();
      const host = src.uvar();
      const cellsLength = this.format >= CELLS_FROM ? src.uvar() : 0;
      const cellsAt = src.pos;
      if (cellsAt + cellsLength > h.length) return "a raw record's cell stream runs past the record";
      return { at, length: h.length, crc: h.crc, head5: h.head5, rawStart, rawLength, opLength, hostMs: host === 0 ? null : host - 1, dataAt: cellsAt + cellsLength, cellsAt, cellsLength };
    } catch (err) {
      return `a raw record's header is unreadable (${(err as Error).message})`;
    }
  }

  /**
   * A log event whose text the index left in the raw bytes: it is read (its segment decoded)
   * the first time someone looks at it, and then kept.
   */
  private lazyLog(at: LogAt): SessionEvent {
    const ev = { type: 'log', line: at.line, byteOffset: at.byteOffset, hostMs: at.hostMs } as SessionEvent & { text: string };
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const reader = this;
    Object.defineProperty(ev, 'text', {
      enumerable: true,
      configurable: true,
      get(this: typeof ev): string {
        let text: string;
        try {
          // Read at once into a string: a view of the decoded bytes does (no copy first).
          text = lineText(reader.rawView(at.byteOffset, at.byteOffset + at.length), 0, at.length);
        } catch (err) {
          text = `(text unreadable: ${(err as Error).message})`;
        }
        Object.defineProperty(this, 'text', { value: text, enumerable: true, writable: true, configurable: true });
        return text;
      },
    });
    return ev;
  }

  // ---- decoding ----

  private segmentAt(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid].info.rawStart <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** A cursor on the segment decoded at least through raw offset `end`. */
  private decodeThrough(seg: Segment, end: number): SegmentCursor {
    let c = this.cursors.find((x) => x.seg === seg);
    if (c) {
      // Most recent first (a pass in order asks the first one again and again: no new array then).
      if (this.cursors[0] !== c) this.cursors = [c, ...this.cursors.filter((x) => x !== c)];
    } else {
      c = new SegmentCursor(seg);
      // A pass in order decodes segment after segment: the one let go lends its grown buffer
      // (no doubling up from a small one, no garbage of the size of a segment).
      const gone = this.cursors.length >= CACHE ? this.cursors.pop() : undefined;
      if (gone !== undefined) c.decoder.adoptBuffer(gone.decoder);
      this.cursors.unshift(c);
    }
    this.advance(c, Math.min(end, seg.rawEnd));
    return c;
  }

  /**
   * Decodes the cursor's segment until it covers raw offset `end`: records are inflated whole,
   * but their ops decoded only as far as `end` (the first dumps of a segment cost a fraction of
   * it), and the next call goes on from there.
   */
  private advance(c: SegmentCursor, end: number): void {
    try {
      this.advanceCursor(c, end);
    } catch (err) {
      // A cursor that met damage is not gone on with: the next read starts the segment afresh.
      this.cursors = this.cursors.filter((x) => x !== c);
      throw err;
    }
  }

  private advanceCursor(c: SegmentCursor, end: number): void {
    const seg = c.seg;
    const until = end - seg.info.rawStart;
    while (c.rawEnd < end) {
      if (c.partial === null) {
        if (c.next >= seg.records.length) break;
        const r = seg.records[c.next];
        const payload = this.read(r.at, r.length);
        const where = r.at - RECORD_HEADER_SIZE;
        const before = () => this.snapshotsEndingBy(r.rawStart);
        if (payload.length !== r.length || recordCrc(r.head5, payload) !== r.crc) {
          throw SessionFormatError.damaged(this.path, where, 'the checksum of a raw record does not match', before());
        }
        let ops: Uint8Array;
        if (r.opLength > MAX_INFLATED) throw SessionFormatError.damaged(this.path, where, `a raw record that claims ${r.opLength} bytes, more than any record holds`, before());
        try {
          // Inflation stops at the declared length: a small record cannot grow into gigabytes.
          const opts: zlib.ZlibOptions = { maxOutputLength: Math.max(1, r.opLength) };
          if (c.dict.length) opts.dictionary = c.dict;
          ops = zlib.inflateRawSync(payload.subarray(r.dataAt), opts);
        } catch (err) {
          throw SessionFormatError.damaged(this.path, where, `raw bytes that do not inflate (${(err as Error).message})`, before());
        }
        if (ops.length !== r.opLength) throw SessionFormatError.damaged(this.path, where, 'raw bytes of the wrong length', before());
        c.decoder.begin(ops, r.cellsLength === 0 ? undefined : payload.subarray(r.cellsAt, r.cellsAt + r.cellsLength));
        // The next record inflates with this one's ops as its dictionary, whatever is decoded of it.
        c.dict = windowTail(c.dict, ops);
        c.partial = { len0: c.decoder.length, where, before };
      }
      const p = c.partial;
      let ended: boolean;
      try {
        ended = c.decoder.step(until);
      } catch (err) {
        if (err instanceof LineDeltaError) throw SessionFormatError.damaged(this.path, p.where, `raw bytes that do not decode (${err.message})`, p.before());
        throw err;
      }
      const r = seg.records[c.next];
      if (c.decoder.length - p.len0 > r.rawLength || (ended && c.decoder.length - p.len0 !== r.rawLength)) {
        throw SessionFormatError.damaged(this.path, p.where, 'raw bytes that decode to the wrong length', p.before());
      }
      if (!ended) continue;
      c.partial = null;
      c.next++;
    }
  }

  /** Snapshots whose bytes all lie before raw offset `at`. */
  private snapshotsEndingBy(at: number): number {
    // Byte ends grow with the index: a binary search over the entries (their pages decoded).
    let lo = 0;
    let hi = this.snapshotCount;
    try {
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.entry(mid).byteEnd <= at) lo = mid + 1;
        else hi = mid;
      }
    } catch {
      // Said while reporting damage already: the count found so far will do.
    }
    return lo;
  }

  // ---- recovery ----

  /**
   * The index stops at `parsedThrough`; raw bytes may go further (a crash between the two
   * records of a flush, or a dump still in progress). Re-read them: a fresh capture parser from
   * the last clean segment start before that point, fed the same bytes, is in the same state
   * there; the events it finds after it are the ones the index is missing.
   */
  private recover(finishedOnly: boolean): void {
    if (this.segments.length === 0) return;
    const P = this.parsedThrough;
    let k = this.segmentAt(P);
    while (k > 0 && !this.segments[k].info.clean) k--;
    const S = this.segments[k].info.rawStart;
    let lineBase: number;
    let replay: Uint8Array;
    let tailBytes: Uint8Array;
    try {
      lineBase = this.linesBefore(S, this.segments[k].info.anchor);
      replay = this.readRaw(S, P);
      tailBytes = this.readRaw(P, this.rawLength);
    } catch (err) {
      if (err instanceof SessionFormatError) {
        this.damage ??= err;
        return;
      }
      throw err;
    }
    const r = new CaptureReader();
    r.feed(replay);
    const found: CaptureEvent[] = r.feed(tailBytes);
    if (!finishedOnly) for (const ev of r.end()) found.push(ev);
    const fix = (line: number) => (line > 0 ? line + lineBase : line);
    const fixText = (t: string) => t.replace(/\bline (\d+)/g, (_, n: string) => `line ${Number(n) + lineBase}`);
    for (const ev of found) {
      if (ev.type === 'snapshot') {
        const s = ev.snapshot;
        const byteStart = s.byteStart + S;
        const byteEnd = s.byteEnd + S;
        const fixed: HeapSnapshot = { ...s, index: this.snapshotCount, line: fix(s.line), byteStart, byteEnd, problems: s.problems.map(fixText) };
        this.snapshotCount++;
        this.tailSnapshots.push({
          index: fixed.index,
          line: fixed.line,
          byteStart,
          byteEnd,
          framing: s.framing,
          seq: s.seq,
          deviceMs: s.deviceMs,
          hostMs: this.hostMsAt(byteEnd),
          collected: s.collected,
          printed: s.printed,
          blockSize: s.blockSize,
          addressStyle: s.addressStyle,
          areas: s.areas.map((a) => ({ address: a.address, blocks: a.blocks })),
          stats: s.stats,
          complete: s.complete,
          consistent: s.consistent,
          problems: fixed.problems,
          metrics: metricsOf(s),
        });
        this.recovered.snapshots++;
      } else {
        const byteOffset = ev.byteOffset + S;
        const e = { ...ev, line: fix(ev.line), byteOffset, hostMs: this.hostMsAt(byteOffset) } as SessionEvent;
        if (e.type === 'device' && e.kind === 'traceback') e.text = fixText(e.text);
        this.tailEvents.push(e);
        this.eventCount++;
        this.recovered.events++;
      }
    }
  }

  /** Line terminators before raw offset `at`, counted from a known line start (the anchor). */
  private linesBefore(at: number, anchor: [number, number]): number {
    let [line, from] = anchor;
    if (!(from <= at) || line < 1) {
      line = 1;
      from = 0;
    }
    let n = line - 1;
    const CHUNK = 1 << 22;
    let prevCR = false;
    for (let o = from; o < at; o += CHUNK) {
      const b = this.readRaw(o, Math.min(at, o + CHUNK));
      for (let i = 0; i < b.length; i++) {
        const c = b[i];
        if (c === 0x0a) {
          if (!prevCR) n++;
          prevCR = false;
        } else if (c === 0x0d) {
          n++;
          prevCR = true;
        } else {
          prevCR = false;
        }
      }
    }
    return n;
  }

  /** Host time of the flush that wrote the raw byte at `offset` (arrival within a flush period). */
  private hostMsAt(offset: number): number | null {
    for (let k = this.segmentAt(offset); k < this.segments.length; k++) {
      for (const r of this.segments[k].records) if (r.rawStart + r.rawLength >= offset) return r.hostMs;
    }
    return null;
  }
}

/** What a damaged index record throws while decoded (anything else is a bug, not damage). */
function isIndexError(err: unknown): boolean {
  return err instanceof MalformedError || err instanceof IndexShapeError || err instanceof SyntaxError || err instanceof TypeError || isZlibError(err);
}

function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // ERR_BUFFER_TOO_LARGE: the data inflates past the length its record declares.
  return err instanceof Error && typeof code === 'string' && (code.startsWith('Z_') || code === 'ERR_BUFFER_TOO_LARGE');
}
