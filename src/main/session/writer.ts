/**
 * Writes a session file while a capture arrives: raw bytes go in as they come from the board;
 * the writer parses them itself (one CaptureReader, so every index entry points at bytes that
 * are in the file), returns the events for the live view, and appends raw and index records
 * to the file, flushed to the operating system at least every `flushIntervalMs`.
 */
import { closeSync, fdatasyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { formatBytes, WriteFailedError } from './files';
import { lockSession } from './lock';
import zlib from 'node:zlib';
import { CaptureReader } from '../../shared/capture/captureReader';
import type { CaptureEvent, DeviceEvent, GapEvent, LogEvent, MarkEvent } from '../../shared/capture/events';
import { metricsOf, type SnapshotMetrics } from '../../shared/heap/metrics';
import { ByteSink, concatBytes, windowTail } from './bytes';
import { FLUSH_OPS, RawCoder } from './rawCoder';
import { RawCoderClient, type RawTicket } from './rawCoderClient';
import { CELLS_FROM, encodeHeader, encodeIndexCounts, encodeRecord, FORMAT_VERSION, INDEX_BROTLI, INDEX_DEFLATE, jsonBytes, RecordType } from './format';
import { IndexPacker, summarize, type SessionEvent, type SnapshotSummary } from './indexCodec';
import { ColumnPacker } from './indexColumns';

/** What the caller says about a session (board, port, program…); stored as JSON. */
export interface SessionMeta {
  title?: string;
  /** Where the bytes came from: `serial:/dev/ttyACM0`, `virtual`, `import:capture.txt`… */
  source?: string;
  [key: string]: unknown;
}

/** The META record. */
export interface StoredMeta {
  format: number;
  writer: string;
  createdMs: number;
  meta: SessionMeta;
}

/** The SEGMENT record. */
export interface SegmentInfo {
  /** Segment number, from 0. */
  n: number;
  /** Raw stream offset where the segment starts. */
  rawStart: number;
  /** A fresh capture parser started here reads what the continuous one read (a dump boundary). */
  clean: boolean;
  /** A line start before rawStart: [line number, byte offset] (to number lines after a crash). */
  anchor: [number, number];
  /** Snapshots before the segment. */
  snapshotsBefore: number;
}

export interface SessionWriterOptions {
  /** Data appended is written to the file within this many ms (default 500, at most 1000). */
  flushIntervalMs?: number;
  /** A segment (the unit of random access) holds about this many snapshots (default 256)… */
  segmentSnapshots?: number;
  /** …or about this many raw bytes, whichever comes first (default 4 MiB). */
  segmentBytes?: number;
  /**
   * Deflate level for raw and index records (default 6: levels 7–9 search the long repeats of
   * this data many times longer for 1–3 % smaller files).
   */
  level?: number;
  /**
   * The format to write: 3 (default), or 2 — map lines coded as text patches, no cell streams —
   * for a file that HeapScope versions before format 3 open (and for the tests that read it).
   */
  format?: 2 | 3;
  /**
   * Where a log line's text is kept: 'index' (default: opening has every text at once) or
   * 'raw' (the index keeps only its length when the text is exactly its raw bytes, and the
   * reader reads it from the raw stream when first asked: smaller files, but touching every
   * text decodes every segment).
   */
  logText?: 'index' | 'raw';
  /** fdatasync after every flush, to survive power loss as well as crashes (default false). */
  fsync?: boolean;
  /** Called when a timed flush fails (the next append then throws the same error). */
  onError?: (err: Error) => void;
  /**
   * Called when a write finds the disk full (or the quota used up). The writer then keeps what
   * it could not write in memory, the file ending at its last complete write (it opens), and
   * writes nothing more until retry() succeeds; appends still work.
   */
  onBlocked?: (err: WriteFailedError) => void;
  /**
   * Code the raw records in a worker thread started from this file (rawCoderWorker.ts, compiled:
   * builtRawCoderWorker()), while this thread parses: for an import, whose caller awaits
   * `until()` between reads and ends with `closeAsync()`. Records are the same as without.
   */
  worker?: URL;
  /**
   * Compress a big index record (an import's: BROTLI_ITEMS items or more) with brotli on
   * libuv's thread pool while this thread goes on parsing, instead of here (brotli is most of
   * an import's index cost). The record keeps its place in the file: the same bytes as without.
   * The caller ends with `closeAsync()`.
   */
  asyncIndex?: boolean;
}

/** Errors after which a later write may succeed (space freed): everything else is fatal. */
const SPACE_CODES = new Set(['ENOSPC', 'EDQUOT']);

export interface SessionSummary {
  path: string;
  rawLength: number;
  snapshots: number;
  events: number;
  segments: number;
  /** Size of the session file in bytes. */
  fileBytes: number;
}

/** Index items beyond this are written out without waiting for the timer. */
const FLUSH_ITEMS = 2048;
/** An index record of at least this many items is also tried with brotli. */
const BROTLI_ITEMS = 256;
/** Events after which a segment is cut even between dumps: a page decoded whole stays a few MB. */
const SEGMENT_EVENTS_MAX = 32_768;

export class SessionWriter {
  private readonly parser = new CaptureReader();
  /** The raw side: in this thread, or in a worker (then `client` is it too). */
  private readonly enc: RawCoder | RawCoderClient;
  private readonly client: RawCoderClient | null;
  private readonly format: number;
  /** Format 3's columns; format 2's JSON items (written only when asked for, by tests and tools). */
  private readonly packer = new ColumnPacker();
  private readonly jsonPacker = new IndexPacker();
  private readonly flushIntervalMs: number;
  private readonly segSnapshotsMax: number;
  private readonly segBytesMax: number;
  private readonly level: number;
  private fd: number | null;
  /** Records to write, in file order; a ticket holds the worker's raw records once they come. */
  private out: Array<Uint8Array | RawTicket> = [];
  private outBytes = 0;
  private fileBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private error: Error | null = null;
  /** Set while the disk is full: nothing is written until retry() succeeds. */
  private blockedBy: WriteFailedError | null = null;
  private retrying = false;
  /** Raw bytes accounted for by the records queued so far, and by those on disk. */
  private queuedRawEnd = 0;
  private rawWritten = 0;
  private ended = false;

  private raw = 0;
  private snapshots = 0;
  private eventCount = 0;
  private lastHostMs: number | null = null;
  private lastLine = 0;
  /**
   * The last few log lines seen, as [line, byteOffset]: a log line starts at a line start, so
   * the latest one before a segment's start lets a reader number the lines after it.
   */
  private anchors: Array<[number, number]> = [[1, 0]];

  private seg = 0;
  private segRawStart = 0;
  private segSnapshots = 0;
  /** Other events (log lines mostly) in the segment: its index page is decoded whole when read. */
  private segEvents = 0;
  /** Last 32 KiB of this segment's index text: the next index record's deflate dictionary. */
  private indexTail: Uint8Array = new Uint8Array(0);
  /** Events not in an index record yet (packed when written: the deltas follow file order). */
  private items: Array<{ snap: SnapshotSummary; hostMs: number | null; metrics: SnapshotMetrics } | { ev: SessionEvent; inRaw: boolean }> = [];
  /** The last bytes of the raw stream, to check that a log line's text is its bytes. */
  private readonly recent = new RecentBytes(1 << 16);
  /** The chunk being appended (its bytes follow the recent ones). */
  private chunk: Uint8Array = EMPTY;
  /** Raw bytes the index written so far accounts for. */
  private indexedThrough = -1;

  private constructor(
    readonly path: string,
    fd: number,
    meta: SessionMeta,
    options: SessionWriterOptions,
  ) {
    this.fd = fd;
    this.flushIntervalMs = Math.min(1000, Math.max(1, options.flushIntervalMs ?? 500));
    this.segSnapshotsMax = Math.max(1, options.segmentSnapshots ?? 256);
    this.segBytesMax = Math.max(4096, options.segmentBytes ?? 4 << 20);
    this.level = options.level ?? 6;
    this.format = options.format ?? FORMAT_VERSION;
    const coding = { format: this.format, level: this.level };
    this.client = options.worker ? new RawCoderClient(options.worker, coding, () => this.settled()) : null;
    this.enc = this.client ?? new RawCoder(coding);
    this.asyncIndex = options.asyncIndex ?? false;
    this.logTextInRaw = options.logText === 'raw';
    this.fsync = options.fsync ?? false;
    this.onError = options.onError;
    this.onBlocked = options.onBlocked;
    const stored: StoredMeta = {
      format: this.format,
      writer: 'HeapScope',
      createdMs: Date.now(),
      meta,
    };
    this.queue(encodeHeader(this.format));
    this.queue(encodeRecord(RecordType.Meta, jsonBytes(stored)));
    // Segment 0 (raw offset 0, clean, line 1 at byte 0) is implied: no record.
    this.writeOut();
  }

  private readonly fsync: boolean;
  private readonly logTextInRaw: boolean;
  private readonly asyncIndex: boolean;
  /** Index records being compressed on the thread pool, and who waits for none to be. */
  private indexJobs = 0;
  private indexIdle: Array<() => void> = [];
  private readonly onError?: (err: Error) => void;
  private readonly onBlocked?: (err: WriteFailedError) => void;

  /** Releases the session's lock (see lock.ts) once the file is closed. */
  private unlock: (() => void) | null = null;

  /**
   * Creates (or replaces) the file and writes its header. Takes the session's lock first: a
   * session another process is writing is refused (SessionLockedError), never truncated.
   */
  static create(path: string, meta: SessionMeta = {}, options: SessionWriterOptions = {}): SessionWriter {
    const unlock = lockSession(path);
    let fd: number | null = null;
    try {
      fd = openSync(path, 'w');
      const w = new SessionWriter(path, fd, meta, options);
      w.unlock = unlock;
      return w;
    } catch (err) {
      if (fd !== null) closeSync(fd);
      unlock();
      throw err;
    }
  }

  get rawLength(): number {
    return this.raw;
  }

  get snapshotCount(): number {
    return this.snapshots;
  }

  get closed(): boolean {
    return this.fd === null;
  }

  /** Why nothing is being written (the disk is full), or null. */
  get blocked(): WriteFailedError | null {
    return this.blockedBy;
  }

  /** Raw bytes of the capture that are in the file (the rest is held in memory, or was lost). */
  get rawOnDisk(): number {
    return this.rawWritten;
  }

  /** Bytes held in memory that the file does not have yet. */
  get heldBytes(): number {
    return this.outBytes;
  }

  /** While blocked: tries to write what is held. True when nothing is held back any more. */
  retry(): boolean {
    if (this.fd === null) return false;
    this.retrying = true;
    try {
      this.writeOut();
    } finally {
      this.retrying = false;
    }
    return this.blockedBy === null;
  }

  /**
   * Bytes as they arrived from the board, with the host time they arrived (null for an
   * import). Returns the events they completed, in order (snapshots with their maps).
   */
  appendRaw(bytes: Uint8Array, hostMs: number | null = Date.now()): CaptureEvent[] {
    this.check();
    if (this.ended) throw new Error('the session capture has ended; no more bytes can be added');
    if (hostMs !== null) this.lastHostMs = hostMs;
    const start = this.raw;
    this.chunk = bytes;
    const events = this.parser.feed(bytes);
    this.raw += bytes.length;
    let pos = 0; // bytes of this chunk given to the encoder
    for (const ev of events) {
      this.record(ev, hostMs);
      if (ev.type !== 'snapshot') {
        this.segEvents++;
        continue;
      }
      this.segSnapshots++;
      const p = ev.snapshot.byteEnd;
      if (this.segSnapshots < this.segSnapshotsMax && p - this.segRawStart < this.segBytesMax) continue;
      // Cut at the end of this dump if its bytes are not coded yet (else at the next dump's).
      if (p > start + pos) {
        this.enc.push(bytes.subarray(pos, p - start));
        pos = p - start;
      }
      if (p >= this.enc.codedEnd && p > this.segRawStart) this.cut(p, true, this.snapshots);
    }
    if (pos < bytes.length) this.enc.push(bytes.subarray(pos));
    this.recent.push(bytes);
    this.chunk = EMPTY;
    // A capture with no dump boundary for long (only program output, or one endless dump), or
    // many log lines between dumps: a page (what a reader decodes at once) stays small.
    if (this.enc.codedEnd - this.segRawStart >= 4 * this.segBytesMax || this.segEvents >= SEGMENT_EVENTS_MAX) {
      const p = this.enc.codedEnd;
      let later = 0;
      for (const ev of events) if (ev.type === 'snapshot' && ev.snapshot.byteEnd > p) later++;
      this.cut(p, !this.parser.inDump, this.snapshots - later);
    }
    this.writeRaw(false);
    if (this.items.length >= FLUSH_ITEMS) this.writeIndex();
    if (this.outBytes >= FLUSH_OPS) this.writeOut();
    this.schedule();
    return events;
  }

  /**
   * Events the host made (link gaps, user marks, notes). Their line and byteOffset should say
   * where in the raw stream they happened (addMark/addGap fill them in).
   */
  appendEvents(events: Array<LogEvent | DeviceEvent | MarkEvent | GapEvent>, hostMs: number | null = Date.now()): void {
    this.check();
    for (const ev of events) this.record(ev, hostMs);
    this.schedule();
  }

  /** A user mark at the current end of the raw stream. */
  addMark(label: string, hostMs: number = Date.now()): MarkEvent {
    const ev: MarkEvent = { type: 'mark', label, deviceMs: null, line: this.lastLine, byteOffset: this.raw };
    this.appendEvents([ev], hostMs);
    return ev;
  }

  /** The link went away (and, if hostMsEnd is given, came back) at the current end of the stream. */
  addGap(reason: string, hostMsStart: number, hostMsEnd: number | null = null): GapEvent {
    const ev: GapEvent = { type: 'gap', reason, hostMsStart, hostMsEnd, line: this.lastLine, byteOffset: this.raw };
    this.appendEvents([ev], hostMsEnd ?? hostMsStart);
    return ev;
  }

  /**
   * The capture is over: the parser reads its last line and finishes a dump in progress.
   * Returns those last events. No raw bytes can be added after this; close() calls it.
   */
  end(): CaptureEvent[] {
    this.check();
    if (this.ended) return [];
    this.ended = true;
    const events = this.parser.end();
    for (const ev of events) this.record(ev, this.lastHostMs);
    this.schedule();
    return events;
  }

  /** Writes everything appended so far to the file (what the timer does). */
  flush(): void {
    this.check();
    this.writeIndex();
    this.writeOut();
    if (this.fsync && this.fd !== null) fdatasyncSync(this.fd);
  }

  /**
   * With a worker (options.worker): resolves once at most `limit` of its records are owed, so an
   * import that reads faster than the worker codes does not hold the whole capture in memory.
   */
  async until(limit: number): Promise<void> {
    if (this.client) await this.client.until(limit);
    this.check();
  }

  /** Ends the capture, writes the end record and closes the file. */
  close(): SessionSummary {
    if (this.client) throw new Error('a session written with a worker closes with closeAsync()');
    if (this.asyncIndex) throw new Error('a session written with asyncIndex closes with closeAsync()');
    this.closeStart();
    return this.closeEnd();
  }

  /** close(), once the worker has given back every record (the same without one). */
  async closeAsync(): Promise<SessionSummary> {
    this.closeStart();
    try {
      await this.client?.until(0);
      if (this.indexJobs > 0) await new Promise<void>((resolve) => this.indexIdle.push(resolve));
    } catch (err) {
      this.abandon();
      throw err;
    }
    return this.closeEnd();
  }

  private closeStart(): void {
    if (this.fd === null) throw new Error('the session is already closed');
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.error) {
      this.abandon();
      throw this.error;
    }
    try {
      this.end();
      this.flush();
    } catch (err) {
      this.abandon();
      throw err;
    }
    // end() started the flush timer again: while closeAsync waits for the worker it must not
    // write a second, empty, last index record.
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private closeEnd(): SessionSummary {
    if (this.fd === null) throw new Error('the session is already closed');
    if (this.error) {
      this.abandon();
      throw this.error;
    }
    try {
      this.writeOut();
      if (this.out.length > 0 && !this.blockedBy) throw new Error('the session writer still holds records it could not order');
      this.queue(
        encodeRecord(
          RecordType.End,
          jsonBytes({ rawLength: this.raw, snapshots: this.snapshots, closedMs: Date.now() }),
        ),
      );
      this.retrying = true;
      this.writeOut();
      if (this.blockedBy) {
        // The file ends at its last complete write and opens as a recording cut short.
        const lost = this.raw - this.rawWritten;
        throw new WriteFailedError(
          this.path,
          Object.assign(new Error(), { code: this.blockedBy.code }),
          `was not completed (${lost > 0 ? `the last ${formatBytes(lost)} of the capture were lost; ` : ''}it holds the first ${formatBytes(this.rawWritten)} and opens)`,
        );
      }
      fdatasyncSync(this.fd);
    } finally {
      this.retrying = false;
      this.abandon();
    }
    return { path: this.path, rawLength: this.raw, snapshots: this.snapshots, events: this.eventCount, segments: this.seg + 1, fileBytes: this.fileBytes };
  }

  /** Closes the file without the end record (as a crash would leave it). For tests and emergencies. */
  abandon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.client?.stop();
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      try {
        closeSync(fd);
      } finally {
        this.unlock?.();
        this.unlock = null;
      }
    }
  }

  private check(): void {
    if (this.error) throw this.error;
    if (this.fd === null) throw new Error('the session is closed');
  }

  private schedule(): void {
    if (this.timer !== null || this.fd === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.fd === null || this.error) return;
      try {
        this.flush();
      } catch (err) {
        this.error = err as Error;
        this.onError?.(this.error);
      }
    }, this.flushIntervalMs);
    this.timer.unref?.();
  }

  private record(ev: CaptureEvent, hostMs: number | null): void {
    if (ev.type === 'snapshot') {
      const s = ev.snapshot;
      // An import has no arrival times; a capture that tied its ticks to the board's clock
      // (pi-mst's first line) gives its dumps that time instead.
      this.items.push({ snap: summarize(s), hostMs: hostMs ?? this.parser.wallClockOf(s.deviceMs), metrics: metricsOf(s) });
      this.snapshots++;
      if (s.line > 0) this.lastLine = s.line;
      return;
    }
    this.items.push({ ev: { ...ev, hostMs }, inRaw: this.logTextInRaw && ev.type === 'log' && this.recent.holdsText(ev.byteOffset, ev.text, this.chunk) });
    this.eventCount++;
    if (ev.line > 0) this.lastLine = ev.line;
    if (ev.type === 'log' && ev.line > 0) {
      this.anchors.push([ev.line, ev.byteOffset]);
      if (this.anchors.length > 8) this.anchors.shift();
    }
  }

  /** Ends the segment at raw offset p and starts the next one there. */
  private cut(p: number, clean: boolean, snapshotsBefore: number): void {
    this.enc.splitAt(p);
    this.writeRaw();
    this.enc.clearTables();
    let anchor: [number, number] = [1, 0];
    for (const a of this.anchors) if (a[1] <= p && a[1] >= anchor[1]) anchor = a;
    this.seg++;
    this.segRawStart = p;
    this.segSnapshots = 0;
    this.segEvents = 0;
    this.indexTail = new Uint8Array(0);
    this.packer.reset();
    this.jsonPacker.reset();
    this.queueSegment(snapshotsBefore, clean, anchor);
  }

  private queueSegment(snapshotsBefore: number, clean: boolean, anchor: [number, number]): void {
    const info: SegmentInfo = { n: this.seg, rawStart: this.segRawStart, clean, anchor, snapshotsBefore };
    this.queue(encodeRecord(RecordType.Segment, jsonBytes(info)));
  }

  /**
   * The ops coded since the last raw record, as a raw record: always when `force`, else once
   * they reach FLUSH_OPS.
   */
  private writeRaw(force = true): void {
    if (this.client) {
      this.out.push(this.client.take(this.lastHostMs, force));
      return;
    }
    const r = (this.enc as RawCoder).take(this.lastHostMs, force);
    if (r === null) return;
    if (this.asyncIndex) {
      // As a ticket given back already: behind an index record still being compressed, what
      // reaches the disk is known by the raw records written, not by those queued.
      this.out.push({ records: [r] });
      this.outBytes += r.bytes.length;
    } else {
      this.queue(r.bytes);
    }
    this.queuedRawEnd = r.rawEnd;
  }

  /**
   * The index items since the last index record, as an index record, after the raw bytes it
   * accounts for (all of them: a reader may trust that the raw stream reaches `p`).
   */
  private writeIndex(): void {
    this.enc.flushPartial();
    this.writeRaw();
    const through = this.raw;
    if (this.items.length === 0 && through === this.indexedThrough && !this.ended) return;
    if (this.format < CELLS_FROM) return this.writeJsonIndex(through);
    const text = this.packer.pack(this.items, through, this.ended);
    // Deflate primed with the segment's index so far (a live flush holds a dump or two), or,
    // for a record of many items (an import's), brotli when it is smaller: its context
    // modelling takes about a quarter off these columns, at ~20 µs of CPU per dump.
    let packed = this.deflate(text, this.indexTail);
    let coder = INDEX_DEFLATE;
    if (this.items.length >= BROTLI_ITEMS && this.asyncIndex) {
      this.indexTail = windowTail(this.indexTail, text);
      this.queueIndexLater(text, packed, through);
      return;
    }
    if (this.items.length >= BROTLI_ITEMS) {
      const b = zlib.brotliCompressSync(text, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 10, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: text.length },
      });
      if (b.length < packed.length) {
        packed = b;
        coder = INDEX_BROTLI;
      }
    }
    this.indexTail = windowTail(this.indexTail, text);
    const head = new ByteSink(8);
    head.uvar(text.length);
    head.uvar(coder);
    this.queueIndex(RecordType.Columns, concatBytes([head.view(), packed]), through);
  }

  /** Format 2's index record: the items as JSON, deflated primed with the segment's index. */
  private writeJsonIndex(through: number): void {
    const packed: unknown[] = this.items.map((it) => ('snap' in it ? this.jsonPacker.snapshot(it.snap, it.hostMs, it.metrics) : this.jsonPacker.event(it.ev, it.inRaw)));
    const body: Record<string, unknown> = { p: through, e: packed };
    if (this.ended) body.x = 1;
    const text = jsonBytes(body);
    const deflated = this.deflate(text, this.indexTail);
    this.indexTail = windowTail(this.indexTail, text);
    const head = new ByteSink(8);
    head.uvar(text.length);
    this.queueIndex(RecordType.Index, concatBytes([head.view(), deflated]), through);
  }

  /** An index record, its counts first so a reader can step over it without inflating it. */
  private queueIndex(type: RecordType, payload: Uint8Array, through: number): void {
    this.queue(this.indexCounts(through));
    this.queue(encodeRecord(type, payload));
    this.items = [];
    this.indexedThrough = through;
  }

  private indexCounts(through: number): Uint8Array {
    let snaps = 0;
    for (const it of this.items) if ('snap' in it) snaps++;
    return encodeIndexCounts({ snapshots: snaps, events: this.items.length - snaps, p: through, ended: this.ended });
  }

  /**
   * queueIndex of a columns record whose brotli runs on the thread pool (asyncIndex): a ticket
   * holds its place in the file until it is back, then it is the smaller of the two, as in
   * writeIndex. A failure is the writer's error (closeAsync throws it).
   */
  private queueIndexLater(text: Uint8Array, deflated: Uint8Array, through: number): void {
    const counts = this.indexCounts(through);
    const ticket: RawTicket = { records: null };
    this.out.push(ticket);
    this.items = [];
    this.indexedThrough = through;
    this.indexJobs++;
    const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: 10, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: text.length };
    zlib.brotliCompress(text, { params }, (err, b) => {
      this.indexJobs--;
      if (err) {
        if (!this.error) {
          this.error = err;
          this.onError?.(err);
        }
      } else {
        const brotli = b.length < deflated.length;
        const head = new ByteSink(8);
        head.uvar(text.length);
        head.uvar(brotli ? INDEX_BROTLI : INDEX_DEFLATE);
        const rec = concatBytes([counts, encodeRecord(RecordType.Columns, concatBytes([head.view(), brotli ? b : deflated]))]);
        ticket.records = [{ bytes: rec, rawEnd: -1 }];
        this.outBytes += rec.length;
        this.settled();
      }
      if (this.indexJobs === 0) for (const wake of this.indexIdle.splice(0)) wake();
    });
  }

  private deflate(data: Uint8Array, dictionary: Uint8Array): Uint8Array {
    const opts: zlib.ZlibOptions = { level: this.level, memLevel: 9 };
    if (dictionary.length) opts.dictionary = dictionary;
    return zlib.deflateRawSync(data, opts);
  }

  private queue(rec: Uint8Array): void {
    this.out.push(rec);
    this.outBytes += rec.length;
  }

  private writeOut(): void {
    if (this.out.length === 0 || this.fd === null) return;
    // While the disk is full only retry() tries again: not every append and timer tick.
    if (this.blockedBy && !this.retrying) return;
    // Up to the first raw records the worker has not given back (the file keeps its order).
    const parts: Uint8Array[] = [];
    let k = 0;
    let rawEnd = -1;
    for (; k < this.out.length; k++) {
      const it = this.out[k];
      if (it instanceof Uint8Array) {
        parts.push(it);
        continue;
      }
      if (it.records === null) break;
      for (const r of it.records) {
        parts.push(r.bytes);
        // (An index record's ticket has none.)
        if (r.rawEnd >= 0) rawEnd = r.rawEnd;
      }
    }
    if (parts.length === 0) return;
    const buf = parts.length === 1 ? parts[0] : concatBytes(parts);
    const rest = this.out.slice(k);
    this.out = [buf, ...rest];
    let off = 0;
    try {
      // At explicit positions: after a cut (below) the file offset is past the end.
      while (off < buf.length) {
        const n = writeSync(this.fd, buf, off, buf.length - off, this.fileBytes + off);
        if (n <= 0) throw Object.assign(new Error('no byte was written'), { code: 'ENOSPC' });
        off += n;
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (!SPACE_CODES.has(code)) throw err;
      // Nobody to hold the data for (an import, a save): the write failed, and says so.
      if (!this.onBlocked) throw new WriteFailedError(this.path, err);
      // A record written in part is cut off: the file ends at its last complete record, so it
      // opens, and the whole buffer is written again once there is room.
      ftruncateSync(this.fd, this.fileBytes);
      const first = this.blockedBy === null;
      this.blockedBy = new WriteFailedError(this.path, err, 'cannot be written');
      if (first) this.onBlocked?.(this.blockedBy);
      return;
    }
    this.out = rest;
    this.outBytes = 0;
    for (const it of rest) {
      if (it instanceof Uint8Array) this.outBytes += it.length;
      else if (it.records) for (const r of it.records) this.outBytes += r.bytes.length;
    }
    this.fileBytes += buf.length;
    if (this.client || this.asyncIndex) {
      if (rawEnd >= 0) this.rawWritten = rawEnd;
    } else {
      this.rawWritten = this.queuedRawEnd;
    }
    this.blockedBy = null;
  }

  /** The worker gave records back (or failed): write what now can be, keep a failure for later. */
  private settled(): void {
    if (this.fd === null || this.error) return;
    try {
      if (this.client?.error) throw this.client.error;
      this.writeOut();
    } catch (err) {
      this.error = err as Error;
      this.onError?.(this.error);
    }
  }
}

const EMPTY = new Uint8Array(0);

/** A ring of the last bytes of the stream. */
class RecentBytes {
  private readonly ring: Uint8Array;
  private end = 0; // stream offset just past the last byte pushed

  constructor(size: number) {
    this.ring = new Uint8Array(size);
  }

  push(b: Uint8Array): void {
    const size = this.ring.length;
    const n = b.length;
    const from = n > size ? n - size : 0;
    for (let i = from; i < n; ) {
      const at = (this.end + i) % size;
      const k = Math.min(n - i, size - at);
      this.ring.set(b.subarray(i, i + k), at);
      i += k;
    }
    this.end += n;
  }

  /**
   * Whether `text` is printable ASCII and exactly the bytes at stream offset `at`, in the
   * recent bytes followed by `next` (the chunk not pushed yet).
   */
  holdsText(at: number, text: string, next: Uint8Array): boolean {
    const size = this.ring.length;
    const n = text.length;
    const end = this.end;
    if (n === 0 || at < end - size || at + n > end + next.length) return false;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      const x = at + i;
      const b = x < end ? this.ring[x % size] : next[x - end];
      if (c < 0x20 || c > 0x7e || b !== c) return false;
    }
    return true;
  }
}
