/**
 * The session-file store: `.hss` files through src/main/session (SessionWriter while recording
 * or importing, SessionReader to open). Plain captures open through the raw store.
 */
import { existsSync, statSync } from 'node:fs';
import { open as openFile, rename, rm } from 'node:fs/promises';
import { openRegular, WriteFailedError, writeFileWhole } from '../session/files';
import { appendSliced } from '../session/importCapture';
import { basename } from 'node:path';
import type { FrameSeries, LogLine, SessionMeta, SessionSummary, SnapshotData, SnapshotIndexEntry, TimelineEvent } from '../../shared/api';
import { summarizeSession } from '../../shared/view/sessionSummary';
import { FileLog, grownIndex, indexFromPages, type FileIndex, type Growth } from './fileIndex';
import type { CaptureEvent } from '../../shared/capture/events';
import { SessionReader, SessionWriter, type SessionEvent } from '../session';
import type { JobHooks, LiveSession, LiveSessionHooks, SessionStore } from './backends';
import { HeldWriter, HOLD_BYTES_MAX } from '../record/heldWriter';
import { lockHolder, lockSession } from '../session/lock';
import { formatBytes } from '../session/files';
import { apiError, CancelledError } from './errors';
import { dataOf, IndexBuilder, type IndexDelta } from './indexBuilder';
import { IndexedView, type SessionView, type ViewInfo } from './sessionView';

export const SESSION_EXTENSION = '.hss';

export { looksLikeSession } from '../session/sniff';

type StoredMetaLike = { title?: string; source?: string; board?: unknown; port?: string; program?: unknown; [k: string]: unknown };

function metaFrom(path: string, stored: StoredMetaLike, createdMs: number, rawBytes: number, live: boolean): SessionMeta {
  const src = typeof stored.source === 'string' ? stored.source : '';
  const meta: SessionMeta = {
    path,
    name: basename(path),
    source: src.startsWith('import') ? 'import' : 'recording',
    createdAt: createdMs,
    rawBytes,
    live,
    formatVersion: 1,
  };
  const origin = typeof stored.port === 'string' ? stored.port : src.startsWith('import:') ? src.slice(7) : src || undefined;
  if (origin) meta.origin = origin;
  // Written by this app, but a file is outside input: only a short string is a program's name.
  if (typeof stored.program === 'string' && stored.program.length <= 200) meta.program = stored.program;
  const b = stored.board as Record<string, unknown> | null | undefined;
  if (b && typeof b === 'object') {
    const board: NonNullable<SessionMeta['board']> = {};
    for (const k of ['name', 'version', 'platform', 'machine'] as const) if (typeof b[k] === 'string') board[k] = b[k] as string;
    meta.board = board;
  }
  return meta;
}

/** Builds the API's index (log lines, timeline, logLine per snapshot) from a reader's, all as objects (a followed session; tests compare the paged walk with it). */
export function indexFromReader(r: SessionReader): IndexBuilder {
  const b = new IndexBuilder();
  const snaps = r.snapshots;
  const evs = r.events;
  let si = 0;
  // Arrival order: a snapshot is complete at its last byte; events before that came first.
  for (const ev of evs) {
    while (si < snaps.length && snaps[si].byteEnd <= ev.byteOffset) b.pushEntry(snaps[si++]);
    const { hostMs, ...e } = ev as SessionEvent;
    b.add([e as CaptureEvent], hostMs);
  }
  while (si < snaps.length) b.pushEntry(snaps[si++]);
  return b;
}

/**
 * A closed (or being-recovered) session file, served by SessionReader. Opening decodes no index
 * page. One pass over the index pages' columns (indexFromPages, fileIndex.ts) gives the frame
 * series, the timeline events, the log's line count and where each page starts in the log; log lines are
 * then read back a page at a time, never all kept. A session followed while another process
 * records it is served from its index as objects (what it gains is pushed as such).
 */
export class FileSessionView implements SessionView {
  meta: SessionMeta;
  private walk: Promise<FileIndex | null> | null = null;
  private walked: FileIndex | null = null;
  private log: FileLog | null = null;
  private entryList: SnapshotIndexEntry[] | null = null;
  private fileSize: number;
  private closed = false;

  constructor(private reader: SessionReader) {
    this.meta = metaFrom(reader.path, reader.meta as StoredMetaLike, reader.info.createdMs, reader.rawLength, false);
    this.fileSize = sizeOf(reader.path);
  }

  /**
   * A session another process is recording (its lock is held) grows: when the file is larger,
   * the reader continues from its last index page (SessionReader.continueFrom) and the walk from
   * the state it had there (grownIndex), and what is new is returned (null when nothing changed,
   * or before the first walk is done: the next look then finds it). Memory follows what the file
   * gained, not the session: the index stays in pages and log lines are read back as before.
   */
  grow(): IndexDelta | null {
    const size = sizeOf(this.meta.path);
    if (size <= this.fileSize) return null;
    const prev = this.walked;
    if (!prev) {
      // What the window was shown comes from the walk: wait for it (it runs in the background).
      void this.fileIndex().catch(() => undefined);
      return null;
    }
    // A line or a dump still being written is pushed once it is whole, not cut short now.
    const next = SessionReader.continueFrom(this.reader, { finishedOnly: true });
    let grown: Growth | null;
    let delta: IndexDelta;
    try {
      grown = grownIndex(prev, next);
      if (!grown) {
        // Read less than before (caught mid-write): keep what is shown, look again later.
        next.close();
        return null;
      }
      delta = {
        snapshots: grown.snapshots.map((entry) => ({ entry, data: dataOf(next.getSnapshot(entry.index)) })),
        lines: grown.lines,
        events: grown.events,
      };
    } catch (err) {
      // The reader being followed stays as it was; the next look reads on from it.
      next.close();
      throw err;
    }
    this.reader.close();
    this.reader = next;
    this.walked = grown.index;
    this.walk = null;
    this.log = null;
    this.entryList = null;
    this.fileSize = size;
    this.meta.rawBytes = next.rawLength;
    return delta;
  }

  static open(path: string): FileSessionView {
    // A session another process is recording: a line or dump still being written is left out,
    // for its growth to push once whole (counted now, cut short, it would never be pushed again).
    return new FileSessionView(SessionReader.open(path, { finishedOnly: lockHolder(path) !== null }));
  }

  /**
   * The index (frame series, timeline, log count, page states) in one pass over the pages'
   * columns (indexFromPages): it yields, and is null when the session was closed meanwhile.
   */
  private fileIndex(): Promise<FileIndex | null> {
    if (this.walked) return Promise.resolve(this.walked);
    const reader = this.reader;
    this.walk ??= indexFromPages(reader, () => !this.closed && this.reader === reader).then((w) => {
      if (w && this.reader === reader) this.walked = w;
      else this.walk = null;
      return w;
    });
    return this.walk;
  }

  /** The index now, for a caller that cannot wait (entries(), events()): the same pass, in one go. */
  private fileIndexNow(): FileIndex {
    return (this.walked ??= indexFromPages(this.reader, () => true, true));
  }

  private async fileLog(): Promise<FileLog> {
    const w = await this.fileIndex();
    if (!w) throw apiError('NO_SESSION', 'The session was closed.', 'Open it again.');
    return (this.log ??= new FileLog(this.reader, w));
  }

  snapshotCount(): number {
    return this.reader.snapshotCount;
  }
  hasMap(i: number): boolean {
    return this.reader.entry(i).areas.length > 0;
  }

  /**
   * From the first and last entries. The first MemoryError needs every event, so it is known
   * once the frame series has been read or the index walked (null until then).
   */
  summary(): SessionSummary {
    const n = this.reader.snapshotCount;
    const ends = n ? [this.reader.entry(0), this.reader.entry(n - 1)] : [];
    const s = summarizeSession(this.meta, ends as SnapshotIndexEntry[], this.walked?.series.events ?? []);
    s.frames = n;
    return s;
  }

  memoryErrorKnown(): boolean {
    return this.walked !== null;
  }

  async frameSeries(alive: () => boolean = () => true): Promise<FrameSeries | null> {
    if (this.walked) return this.walked.series;
    const reader = this.reader;
    const w = await this.fileIndex();
    if (w && this.reader === reader) return w.series;
    // The session grew meanwhile (grow): its walk has the series.
    const grown = this.walked as FileIndex | null;
    return grown && alive() ? grown.series : null;
  }

  /** The walk done in the background (it yields), so that entries() and events() do not make it at once. */
  async ready(): Promise<void> {
    await this.fileIndex();
  }

  /** Every entry as an object (an export of every frame, lifetimes): kept once made. */
  entries(): readonly SnapshotIndexEntry[] {
    if (!this.entryList) {
      const w = this.fileIndexNow();
      const list: SnapshotIndexEntry[] = [];
      for (let i = 0; i < this.reader.snapshotCount; i++) list.push({ ...this.reader.entry(i), logLine: w.series.logLine[i] });
      this.entryList = list;
    }
    return this.entryList;
  }
  events(): readonly TimelineEvent[] {
    return this.fileIndexNow().series.events;
  }
  async entriesFrom(from: number, count: number): Promise<SnapshotIndexEntry[]> {
    return this.entriesOf(await this.indexed(), from, count);
  }

  private entriesOf(w: FileIndex, from: number, count: number): SnapshotIndexEntry[] {
    // Made once by entries() (an export of every frame): read from there.
    if (this.entryList) return this.entryList.slice(from, from + count);
    const end = Math.min(this.reader.snapshotCount, from + count);
    const out: SnapshotIndexEntry[] = [];
    for (let i = from; i < end; i++) out.push({ ...this.reader.entry(i), logLine: w.series.logLine[i] });
    return out;
  }

  /** The walked index, or NO_SESSION when the session closed while it was made. */
  private async indexed(): Promise<FileIndex> {
    const w = await this.fileIndex();
    if (!w) throw apiError('NO_SESSION', 'The session was closed.', 'Open it again.');
    return w;
  }

  /** Entries [from, from + count) with the timeline and the log's length: getSessionInfo. */
  async info(from: number, count: number): Promise<ViewInfo> {
    const w = await this.indexed();
    return { snapshots: this.entriesOf(w, from, count), events: w.series.events.slice(), logLineCount: w.logCount };
  }

  async logCount(): Promise<number> {
    return (await this.fileLog()).count;
  }
  async logLines(from: number, count: number): Promise<LogLine[]> {
    return (await this.fileLog()).lines(from, count);
  }
  async logTexts(from: number, count: number): Promise<string[]> {
    return (await this.fileLog()).texts(from, count);
  }
  getSnapshot(i: number): SnapshotData {
    return dataOf(this.reader.getSnapshot(i));
  }
  /** The snapshots that open a segment (for the reader they belong to: grow replaces it). */
  private heads: { reader: SessionReader; frames: number[] } | null = null;
  cheapFrames(): readonly number[] {
    if (this.heads?.reader !== this.reader) this.heads = { reader: this.reader, frames: this.reader.segmentHeads() };
    return this.heads.frames;
  }
  cheapAreas(i: number): readonly { kinds: Uint8Array }[] | null {
    return this.reader.headSnapshot(i)?.areas ?? null;
  }
  readRaw(start = 0, end = this.reader.rawLength): Uint8Array {
    return this.reader.readRaw(start, end);
  }
  rawLength(): number {
    return this.reader.rawLength;
  }
  close(): void {
    this.closed = true;
    this.reader.close();
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const LIVE_CACHE = 64;

/** A session being recorded: index in memory, recent maps cached, older ones read back from the file. */
export class LiveFileSession extends IndexedView implements LiveSession, SessionView {
  readonly view: SessionView = this;
  private writer: HeldWriter | null = null;
  private hooks: LiveSessionHooks | null = null;
  private readonly cache = new Map<number, SnapshotData>();
  private reader: SessionReader | null = null;
  private board: SessionMeta['board'] | undefined;
  private raw = 0;
  private finished = false;

  constructor(
    public meta: SessionMeta,
    private readonly stored: StoredMetaLike,
  ) {
    super();
  }

  watch(hooks: LiveSessionHooks): void {
    this.hooks = hooks;
  }

  /** A full disk holds the board's output in memory (bounded) until there is room: see HeldWriter. */
  private ensureHeld(): HeldWriter {
    if (!this.writer) {
      const path = this.meta.path;
      this.writer = new HeldWriter((o) => SessionWriter.create(path, { ...this.stored, ...(this.board ? { board: this.board } : {}) }, { flushIntervalMs: 500, ...o }), {
        blocked: (err) =>
          this.hooks?.warning(Object.assign(err, { message: `${err.message}: the board's output is kept in memory (up to ${formatBytes(HOLD_BYTES_MAX)}) and written as soon as there is room` })),
        resumed: (written, dropped) =>
          this.hooks?.resumed(`There is room again: ${formatBytes(written)} held in memory were written to ${path}` + (dropped ? `; ${formatBytes(dropped)} had to be dropped (a gap marks where).` : '.')),
        events: (evs) => this.hooks?.delta(this.apply(evs, Date.now())),
      });
    }
    return this.writer;
  }

  private apply(evs: CaptureEvent[], hostMs: number | null): IndexDelta {
    const d = this.index.add(evs, hostMs);
    for (const s of d.snapshots) {
      this.cache.set(s.entry.index, s.data);
      if (this.cache.size > LIVE_CACHE) this.cache.delete(this.cache.keys().next().value as number);
    }
    return d;
  }

  feed(chunk: Uint8Array, hostMs: number): IndexDelta {
    const evs = this.ensureHeld().append(chunk, hostMs);
    this.raw += chunk.length;
    this.meta.rawBytes = this.raw;
    return this.apply(evs, hostMs);
  }

  gap(reason: string, hostMsStart: number, hostMsEnd: number | null): IndexDelta {
    // While the board's output is held (a full disk), the gap waits behind it: see HeldWriter.
    return this.apply(this.ensureHeld().addGap(reason, hostMsStart, hostMsEnd), hostMsStart);
  }

  mark(label: string, hostMs: number): IndexDelta {
    // A mark goes after the bytes that arrived before it, held ones too (it comes with their events).
    return this.apply(this.ensureHeld().addMark(label, hostMs), hostMs);
  }

  setBoard(board: SessionMeta['board']): void {
    if (!board) return;
    this.board = board;
    this.meta.board = board;
  }

  async finish(): Promise<IndexDelta> {
    if (this.finished) return { snapshots: [], lines: [], events: [] };
    this.finished = true;
    this.meta.live = false;
    if (!this.writer) {
      // Nothing arrived: leave no empty file behind.
      await rm(this.meta.path, { force: true }).catch(() => undefined);
      return { snapshots: [], lines: [], events: [] };
    }
    const w = this.writer;
    const d = this.apply(w.end(), Date.now());
    try {
      // Throws (RecordingLossError) when the disk stayed full: the message says what was lost.
      w.close();
    } finally {
      this.reader?.close();
      this.reader = null;
    }
    return d;
  }

  /** A reader over what is on disk now (reopened when it is behind). */
  private readerFor(snapshot: number | null, rawEnd: number): SessionReader {
    if (this.writer && !this.writer.writer.closed && !this.writer.writer.blocked) this.writer.writer.flush();
    if (!this.reader || (snapshot !== null && snapshot >= this.reader.snapshotCount) || rawEnd > this.reader.rawLength) {
      this.reader?.close();
      this.reader = SessionReader.open(this.meta.path);
    }
    return this.reader;
  }

  getSnapshot(i: number): SnapshotData {
    const c = this.cache.get(i);
    if (c) return c;
    return dataOf(this.readerFor(i, 0).getSnapshot(i));
  }
  readRaw(start = 0, end = this.raw): Uint8Array {
    if (!this.writer) return new Uint8Array(0);
    return this.readerFor(null, Math.min(end, this.raw)).readRaw(start, end);
  }
  rawLength(): number {
    return this.raw;
  }
  close(): void {
    this.reader?.close();
    this.reader = null;
  }
}

export class SessionFileStore implements SessionStore {
  readonly extension = SESSION_EXTENSION;

  async open(path: string): Promise<SessionView> {
    return FileSessionView.open(path);
  }

  async importCapture(capturePath: string, sessionPath: string, hooks: JobHooks = {}): Promise<SessionView> {
    const { fh, size } = await openRegular(capturePath);
    try {
      const meta = { title: basename(capturePath), source: `import:${basename(capturePath)}`, importedFrom: capturePath };
      await writeSessionWhole(sessionPath, meta, async (w) => {
        const CHUNK = 1 << 20;
        const buf = new Uint8Array(CHUNK);
        let done = 0;
        for (;;) {
          if (hooks.signal?.aborted) throw new CancelledError('The import');
          const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
          if (bytesRead === 0) break;
          appendSliced(w, buf.subarray(0, bytesRead), null);
          // Let other calls through between chunks: an import does not hold the service.
          await new Promise((r) => setImmediate(r));
          done += bytesRead;
          hooks.onProgress?.('reading', done, size);
        }
      });
    } finally {
      await fh.close();
    }
    const view = FileSessionView.open(sessionPath);
    view.meta.origin = capturePath;
    return view;
  }

  async createLive(sessionPath: string, meta: SessionMeta): Promise<LiveSession> {
    if (existsSync(sessionPath)) throw Object.assign(new Error('exists'), { code: 'EEXIST', path: sessionPath });
    // Fail now, not at the first byte, if the file cannot be written.
    const fh = await openFile(sessionPath, 'wx');
    await fh.close();
    const stored: StoredMetaLike = {
      title: `Recording of ${meta.origin ?? 'a board'}`,
      source: meta.origin === 'virtual' ? 'virtual' : `serial:${meta.origin ?? ''}`,
      port: meta.origin,
      ...(meta.program ? { program: meta.program } : {}),
    };
    return new LiveFileSession({ ...meta, formatVersion: 1 }, stored);
  }

  async saveAs(view: SessionView, path: string): Promise<void> {
    if (view.meta.path.endsWith(SESSION_EXTENSION) && existsSync(view.meta.path) && !view.meta.live) {
      // A copy of the session file, a piece at a time, complete or an error naming `path`.
      const { fh } = await openRegular(view.meta.path);
      try {
        const buf = new Uint8Array(COPY_CHUNK);
        await writeFileWhole(path, async (write) => {
          for (;;) {
            const { bytesRead } = await fh.read(buf, 0, COPY_CHUNK, null);
            if (bytesRead === 0) break;
            await write(buf.subarray(0, bytesRead));
          }
        });
      } finally {
        await fh.close();
      }
      return;
    }
    // A plain capture saved as a session.
    await writeSessionWhole(path, { title: view.meta.name, source: `import:${view.meta.name}` }, async (w) => {
      const n = view.rawLength();
      for (let off = 0; off < n; off += COPY_CHUNK) appendSliced(w, await view.readRaw(off, Math.min(n, off + COPY_CHUNK)), null);
    });
  }
}

/**
 * A new session file, whole or not at all: written to `<path>.part-…` and renamed into place once
 * closed, so a failure (a full disk, a cancel, bad input) leaves nothing behind and a file being
 * replaced as it was. `path` is locked meanwhile (another import or a recording onto it is
 * refused). A disk error names `path`, never the temporary file. Whether `path` may be replaced
 * is for the caller to check first (refuseToReplace).
 */
export async function writeSessionWhole(path: string, meta: StoredMetaLike, fill: (w: SessionWriter) => Promise<void>): Promise<void> {
  const tmp = `${path}.part-${process.pid}-${Date.now().toString(36)}`;
  const named = (err: unknown): unknown => {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (err instanceof WriteFailedError || code === 'ENOSPC' || code === 'EDQUOT' || code === 'EIO') {
      return new WriteFailedError(path, { code }, 'was not written (the partial file was removed)');
    }
    // Any other failure that names the temporary file names the one asked for instead.
    if (err instanceof Error && err.message.includes(tmp)) err.message = err.message.split(tmp).join(path);
    return err;
  };
  let release: () => void;
  try {
    release = lockSession(path);
  } catch (err) {
    throw named(err);
  }
  try {
    let w: SessionWriter;
    try {
      w = SessionWriter.create(tmp, meta);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw named(err);
    }
    try {
      await fill(w);
      w.close();
      await rename(tmp, path);
    } catch (err) {
      w.abandon();
      await rm(tmp, { force: true }).catch(() => undefined);
      throw named(err);
    }
  } finally {
    release();
  }
}

/** Bytes copied at a time by saveAs. */
const COPY_CHUNK = 1 << 20;
