/**
 * The HeapScope service: implements the one API (src/shared/api.ts) over the session store
 * and the board recorder. One instance serves Electron IPC, the WebSocket bridge and the CLI;
 * every call goes through `call(method, params)`, which validates the payload with zod and
 * turns any failure into an ApiError in words.
 */
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import {
  API_VERSION,
  ApiError,
  makeApi,
  validateRequest,
  type DemoInfo,
  type ExportRequest,
  type ExportResult,
  type FileDialogRequest,
  type FilmStrip,
  type FilmStripRequest,
  type LifetimesRequest,
  type ObjectsRequest,
  type ObjectsResult,
  type LifetimesResult,
  type HeapScopeApi,
  type LogLinesResult,
  type MethodName,
  type PortInfo,
  type RecordingPhase,
  type RecordingStatus,
  type SearchLogRequest,
  type SearchLogResult,
  type ServiceEvent,
  type ServiceStatus,
  type SessionInfo,
  type SessionMeta,
  type SessionSummary,
  type FrameSeries,
  type SnapshotData,
  type StartRecordingRequest,
} from '../../shared/api';
import { EXPORT_EXTENSIONS, ExportInputError, runExport } from '../export';
import type { DemoLister, LiveSession, PortLister, Recorder, RecorderHandle, SessionStore } from './backends';
import { apiError, CancelledError, toServiceError } from './errors';
import { FilmStripMaker } from './filmStrip';
import { LifetimesMaker } from './lifetimes';
import type { IndexDelta } from './indexBuilder';
import { FileSessionView } from './sessionStore';
import { lockHolder } from '../session/lock';

/** How often a session recorded by another process is looked at for growth. */
const FOLLOW_MS = 500;
import { RecentList, defaultDataDir } from './recent';
import { assertRegular, refuseToReplace, sameFile } from '../session/files';
import { RE2JS } from 're2js';
import type { SessionView } from './sessionView';

export interface ServiceOptions {
  /** Sessions, recent.json. Default: the per-user data folder (HEAPSCOPE_HOME overrides). */
  dataDir?: string;
  store: SessionStore;
  /** Opens plain captures (a store of its own, so both kinds of file open). */
  captureStore?: SessionStore;
  recorder?: Recorder;
  ports?: PortLister;
  demos?: DemoLister;
  /** Native file dialogs (Electron only). */
  chooseFile?: (req: FileDialogRequest) => Promise<string | null>;
  /** Tells a session file from a plain capture (default: by the store's extension). */
  isSessionFile?: (path: string) => Promise<boolean>;
  /** The bridge name reported by getStatus. */
  bridge?: ServiceStatus['bridge'];
}

interface Recording {
  status: RecordingStatus;
  live: LiveSession | null;
  handle: RecorderHandle | null;
  abort: AbortController;
  lastPush: number;
  pushTimer: ReturnType<typeof setTimeout> | null;
  stopping: Promise<SessionMeta | null> | null;
}

const STATUS_PUSH_MS = 250;
/** Index entries getSessionInfo gives at most (what the window reads as objects; above, it uses getFrameSeries). */
export const SESSION_INFO_FRAMES = 20_000;
/** Log lines searched between two yields to the event loop. */
const SEARCH_SLICE = 2000;

export class HeapScopeService {
  readonly dataDir: string;
  readonly sessionsDir: string;
  private readonly recent: RecentList;
  private session: SessionView | null = null;
  /** The open session's film strip columns (dropped with the session). */
  private strip: FilmStripMaker | null = null;
  private recording: Recording | null = null;
  private readonly jobs = new Map<string, AbortController>();
  private readonly listeners = new Set<(e: ServiceEvent) => void>();
  private lastPort: string | null = null;
  private jobCounter = 0;

  constructor(private readonly opts: ServiceOptions) {
    this.dataDir = opts.dataDir ?? defaultDataDir();
    this.sessionsDir = join(this.dataDir, 'sessions');
    this.recent = new RecentList(join(this.dataDir, 'recent.json'));
  }

  // ─────────────────────────────── plumbing ───────────────────────────────

  onEvent(listener: (e: ServiceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(e: ServiceEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A broken listener (a closed socket) must not stop the others.
      }
    }
  }

  /** Validates and runs one call. Rejects with an ApiError only. */
  async call(method: string, params: unknown): Promise<unknown> {
    try {
      if (!Object.prototype.hasOwnProperty.call(HANDLERS, method)) {
        throw apiError('UNKNOWN_METHOD', `Unknown method "${method.slice(0, 64)}".`);
      }
      const m = method as MethodName;
      const p = validateRequest(m, params);
      return await HANDLERS[m](this, p as never);
    } catch (err) {
      throw err instanceof ApiError ? err : new ApiError(toServiceError(err));
    }
  }

  /** The service as a typed API object (for in-process callers: CLI, tests). */
  api(): HeapScopeApi {
    return makeApi(
      (m, p) => this.call(m, p),
      (l) => this.onEvent(l),
    );
  }

  async dispose(): Promise<void> {
    for (const c of this.jobs.values()) c.abort();
    if (this.recording) await this.stopRecording().catch(() => undefined);
    await this.closeSession();
  }

  // ─────────────────────────────── status, ports ───────────────────────────────

  getStatus(): ServiceStatus {
    return {
      apiVersion: API_VERSION,
      bridge: this.opts.bridge ?? 'direct',
      dialogs: !!this.opts.chooseFile,
      recording: this.recording ? { ...this.recording.status } : null,
      session: this.session ? { ...this.session.meta } : null,
    };
  }

  async listPorts(): Promise<PortInfo[]> {
    const ports = this.opts.ports ? await this.opts.ports.list() : [];
    if (!ports.some((p) => p.kind === 'virtual')) {
      ports.push({ path: 'virtual', name: 'Virtual board (MicroPython in WebAssembly, no hardware)', kind: 'virtual' });
    }
    // The last port used, else a recognised board, else the virtual board (never a bare UART).
    const preferred =
      ports.find((p) => p.path === this.lastPort) ?? ports.find((p) => p.kind === 'serial' && p.known) ?? ports.find((p) => p.kind === 'virtual');
    return ports.map((p) => ({ ...p, preferred: p === preferred }));
  }

  async listDemos(): Promise<DemoInfo[]> {
    return this.opts.demos ? this.opts.demos.list() : [];
  }

  /** What a recording runs, in words for the recent list: "Demo: Fragment", "main.py", "leak.py". */
  private async programOf(req: StartRecordingRequest): Promise<string | undefined> {
    if (req.port === 'virtual' && req.demo) {
      const demo = (await this.listDemos().catch(() => [])).find((d) => d.id === req.demo);
      return `Demo: ${demo?.title ?? req.demo}`;
    }
    if (req.run.kind === 'main') return 'main.py';
    if (req.run.kind === 'script') return basename(req.run.path);
    if (req.run.kind === 'attach') return 'attached';
    return undefined;
  }

  // ─────────────────────────────── sessions ───────────────────────────────

  private requireSession(): SessionView {
    if (!this.session) throw apiError('NO_SESSION', 'No session is open.', 'Open a session or a capture, or start a recording.');
    return this.session;
  }

  private setSession(view: SessionView | null): void {
    this.session = view;
    this.strip = null;
    this.emit({ type: 'session', meta: view ? { ...view.meta } : null });
  }

  private refuseWhileRecording(what: string): void {
    if (this.recording) throw apiError('BUSY', `Cannot ${what} while recording.`, 'Stop the recording first.');
  }

  private async isSessionFile(path: string): Promise<boolean> {
    if (this.opts.isSessionFile) return this.opts.isSessionFile(path);
    return extname(path).toLowerCase() === this.opts.store.extension;
  }

  async openSession(path: string): Promise<SessionMeta> {
    this.refuseWhileRecording('open another session');
    const abs = resolve(path);
    const st = await stat(abs);
    if (st.isDirectory()) throw apiError('BAD_REQUEST', `${abs} is a folder.`, 'Pick a session file or a capture.');
    // FIFOs, devices (/dev/zero) and sockets are refused before anything opens them.
    await assertRegular(abs);
    const store = (await this.isSessionFile(abs)) ? this.opts.store : (this.opts.captureStore ?? this.opts.store);
    const view = await store.open(abs);
    await this.closeSession();
    this.setSession(view);
    this.follow(view);
    const known = view.memoryErrorKnown();
    await this.recent.add(abs, summaryOf(view), Date.now(), known);
    this.walkIndex(view, abs, known);
    return { ...view.meta };
  }

  /**
   * A session another HeapScope is recording (its lock is held) is shown as live and followed:
   * what it gains is pushed like a recording's, until the lock goes (the recording ended).
   */
  private follow(view: SessionView): void {
    if (!(view instanceof FileSessionView) || lockHolder(view.meta.path) === null) return;
    view.meta.live = true;
    this.emit({ type: 'session', meta: { ...view.meta } });
    const timer = setInterval(() => {
      if (this.session !== view) {
        clearInterval(timer);
        return;
      }
      const recording = lockHolder(view.meta.path) !== null;
      let d: IndexDelta | null = null;
      try {
        d = view.grow();
      } catch {
        // Caught between two writes: the next look reads it whole.
      }
      if (d) this.pushDelta(d);
      if (!recording) {
        clearInterval(timer);
        view.meta.live = false;
      }
      // Its figures came with the pushes; the window reloads only when the recording ends.
      if (!recording) this.emit({ type: 'session', meta: { ...view.meta } });
    }, FOLLOW_MS);
    timer.unref?.();
  }

  async importCapture(req: { path: string; sessionPath?: string; jobId?: string; overwrite?: boolean }): Promise<SessionMeta> {
    this.refuseWhileRecording('import a capture');
    const src = resolve(req.path);
    const st = await stat(src);
    if (st.isDirectory()) throw apiError('BAD_REQUEST', `${src} is a folder.`, 'Pick a capture file.');
    await assertRegular(src);
    let dest = req.sessionPath ? resolve(req.sessionPath) : null;
    if (!dest) {
      await mkdir(this.sessionsDir, { recursive: true });
      dest = uniquePath(join(this.sessionsDir, basename(src, extname(src)) + this.opts.store.extension));
    }
    // The same file by another name (a link, `./`) is caught by device and inode.
    if (dest === src || sameFile(dest, src)) {
      throw apiError('BAD_REQUEST', 'The session would overwrite the capture it is read from.', 'Pick another name for the session.');
    }
    if (this.session && sameFile(dest, this.session.meta.path)) {
      throw apiError('BUSY', `${dest} is the session that is open.`, 'Pick another name for the session.');
    }
    refuseToReplace(dest, req.overwrite);
    const jobId = req.jobId ?? this.newJobId('import');
    const ctl = this.startJob(jobId);
    try {
      const view = await this.opts.store.importCapture(src, dest, {
        signal: ctl.signal,
        onProgress: (phase, done, total) => this.emit({ type: 'progress', jobId, job: 'import', phase, done, total }),
      });
      await this.closeSession();
      this.setSession(view);
      await this.recent.add(dest, summaryOf(view), Date.now(), view.memoryErrorKnown());
      this.walkIndex(view, dest);
      return { ...view.meta };
    } finally {
      this.endJob(jobId, 'import');
    }
  }

  async closeSession(): Promise<void> {
    if (this.recording) throw apiError('BUSY', 'Cannot close the session while recording.', 'Stop the recording first.');
    const s = this.session;
    if (!s) return;
    this.session = null;
    this.strip = null;
    await s.close();
    this.emit({ type: 'session', meta: null });
  }

  async saveSessionAs(path: string, overwrite?: boolean): Promise<SessionMeta> {
    const s = this.requireSession();
    if (this.recording) throw apiError('BUSY', 'Cannot save a copy while recording.', 'Stop the recording first; it is already saved as it goes.');
    const dest = resolve(path);
    if (dest === s.meta.path || sameFile(dest, s.meta.path)) return { ...s.meta };
    refuseToReplace(dest, overwrite);
    await this.opts.store.saveAs(s, dest);
    await this.recent.add(dest, summaryOf(s));
    return { ...s.meta, path: dest, name: basename(dest) };
  }

  /**
   * The index entries of frames [from, from + count) (at most SESSION_INFO_FRAMES: a day-long
   * session's entries as objects take hundreds of MB; a bigger session is read by pages, or
   * through getFrameSeries), every timeline event and the log's length. A session file walks its
   * index once for the last two, a record at a time.
   */
  async getSessionInfo(req: { from?: number; count?: number } = {}): Promise<SessionInfo> {
    const s = this.requireSession();
    const n = s.snapshotCount();
    const from = Math.min(req.from ?? 0, n);
    const count = Math.min(req.count ?? SESSION_INFO_FRAMES, SESSION_INFO_FRAMES, n - from);
    const info = await s.info(from, count);
    if (this.session !== s) throw apiError('NO_SESSION', 'The session was closed.', 'Open it again.');
    return { meta: { ...s.meta }, snapshots: info.snapshots, snapshotCount: n, from, events: info.events, logLineCount: info.logLineCount };
  }

  /** Per-frame figures of the whole session as typed arrays: what a whole-day timeline draws from. */
  async getFrameSeries(): Promise<FrameSeries> {
    const s = this.requireSession();
    const series = await s.frameSeries(() => this.session === s);
    if (!series) throw apiError('NO_SESSION', 'The session was closed.', 'Open it again.');
    return series;
  }

  /**
   * After an open: the frame series is built in the background (the walk yields between pages),
   * and the recent list's summary is completed with what only a walk finds (the first MemoryError),
   * unless it was `known` when the list was written.
   */
  private walkIndex(view: SessionView, path: string, known = view.memoryErrorKnown()): void {
    void (async () => {
      // Known when the recent list was written (the walk a window started may have ended since).
      if (known) return;
      const series = await view.frameSeries(() => this.session === view);
      // The window's getFrameSeries (awaiting the same walk) is answered first.
      await new Promise((res) => setImmediate(res));
      if (series && this.session === view) await this.recent.add(path, summaryOf(view));
    })().catch(() => undefined);
  }

  async getSnapshot(index: number): Promise<SnapshotData> {
    const s = this.requireSession();
    const n = s.snapshotCount();
    if (index >= n) {
      throw apiError('NOT_FOUND', n ? `There is no snapshot ${index}: the session has ${n} (0–${n - 1}).` : 'The session has no snapshot yet.');
    }
    return s.getSnapshot(index);
  }

  /** The whole session as one picture: see src/shared/view/filmStrip.ts and ./filmStrip.ts. */
  async getFilmStrip(req: FilmStripRequest): Promise<FilmStrip> {
    const s = this.requireSession();
    if (!this.strip || this.strip.view !== s) this.strip = new FilmStripMaker(s);
    return this.strip.get(req.columns, req.rows, () => this.session === s);
  }

  /** Object lifetimes: see src/shared/lifetimes/ and ./lifetimes.ts. */
  async getLifetimes(req: LifetimesRequest): Promise<LifetimesResult> {
    const s = this.requireSession();
    if (!this.lifetimes || this.lifetimes.view !== s || this.lifetimes.stale()) this.lifetimes = new LifetimesMaker(s);
    return this.lifetimes.get(req);
  }
  private lifetimes: LifetimesMaker | null = null;

  /** Objects at a frame, or compared between two: see src/shared/lifetimes/objects.ts. */
  async getObjects(req: ObjectsRequest): Promise<ObjectsResult> {
    const s = this.requireSession();
    const n = s.snapshotCount();
    for (const i of [req.frame, req.from]) {
      if (i !== undefined && i >= n) throw apiError('NOT_FOUND', n ? `There is no frame ${i}: the session has ${n} (0–${n - 1}).` : 'The session has no snapshot yet.');
    }
    if (!this.lifetimes || this.lifetimes.view !== s || this.lifetimes.stale()) this.lifetimes = new LifetimesMaker(s);
    return this.lifetimes.objects(req);
  }

  async getLogLines(from: number, count: number): Promise<LogLinesResult> {
    const s = this.requireSession();
    const total = await s.logCount();
    const start = Math.min(from, total);
    const lines = await s.logLines(start, Math.min(count, total - start));
    return { from: start, lines, total };
  }

  /**
   * Regular expressions run on RE2 (re2js): time linear in the text, so no pattern can stall
   * the service (`^(a+)+$` backtracks for seconds per line in JavaScript's own engine). The
   * loop yields every few thousand lines, so other calls go on, and `cancelJob` stops it.
   */
  async searchLog(req: SearchLogRequest): Promise<SearchLogResult> {
    const s = this.requireSession();
    let test: (t: string) => boolean;
    if (req.regex) {
      let re: RE2JS;
      try {
        re = RE2JS.compile(req.query, req.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
      } catch (e) {
        const why = (e as Error).message.replace(/^error parsing regexp: /, '');
        throw apiError(
          'BAD_REQUEST',
          `The search is not a valid regular expression: ${why}.`,
          'Fix the pattern, or turn off "regular expression". Look-behind and back-references are not supported (searches run in linear time).',
        );
      }
      test = (t) => re.matcher(t).find();
    } else if (req.caseSensitive) {
      test = (t) => t.includes(req.query);
    } else {
      const q = req.query.toLowerCase();
      test = (t) => t.toLowerCase().includes(q);
    }
    const jobId = req.jobId ?? this.newJobId('search');
    const ctl = this.startJob(jobId);
    try {
      // The lines there are now; texts are made a slice at a time as they are tested (none are kept).
      const n = await s.logCount();
      const limit = req.limit ?? 1000;
      const matches: number[] = [];
      for (let i = Math.max(0, Math.floor(req.from ?? 0)); i < n; i += SEARCH_SLICE) {
        if (ctl.signal.aborted) throw new CancelledError('The search');
        if (this.session !== s) throw apiError('CANCELLED', 'The search was stopped: the session was closed.');
        const texts = await s.logTexts(i, SEARCH_SLICE);
        for (let k = 0; k < texts.length; k++) {
          if (!test(texts[k])) continue;
          if (matches.length === limit) return { matches, truncated: true };
          matches.push(i + k);
        }
        await new Promise((r) => setImmediate(r));
      }
      return { matches, truncated: false };
    } finally {
      this.jobs.delete(jobId);
    }
  }

  recentSessions() {
    return this.recent.list();
  }

  // ─────────────────────────────── jobs, export ───────────────────────────────

  private newJobId(kind: string): string {
    return `${kind}-${Date.now().toString(36)}-${++this.jobCounter}`;
  }

  private startJob(jobId: string): AbortController {
    if (this.jobs.has(jobId)) throw apiError('BUSY', `A job named ${jobId} is already running.`);
    const ctl = new AbortController();
    this.jobs.set(jobId, ctl);
    return ctl;
  }

  private endJob(jobId: string, job: 'export' | 'import'): void {
    this.jobs.delete(jobId);
    this.emit({ type: 'progress', jobId, job, phase: 'done', done: 1, total: 1, finished: true });
  }

  cancelJob(jobId: string): void {
    const ctl = this.jobs.get(jobId);
    if (ctl) ctl.abort();
  }

  async exportSession(req: ExportRequest): Promise<ExportResult> {
    const s = this.requireSession();
    const jobId = req.jobId ?? this.newJobId('export');
    let path = req.path ? resolve(req.path) : null;
    if (!path) {
      const base = basename(s.meta.path, extname(s.meta.path));
      const n = s.snapshotCount();
      // Frames counted from 1, as the window and the export dialog count them.
      const suffix =
        req.format === 'png'
          ? `-frame${(req.snapshot ?? req.range?.from ?? 0) + 1}`
          : req.range
            ? `-${req.range.from + 1}-${Math.min(req.range.to, Math.max(0, n - 1)) + 1}`
            : req.format === 'raw'
              ? '-raw'
              : '';
      path = uniquePath(join(dirname(s.meta.path), base + suffix + EXPORT_EXTENSIONS[req.format]));
    }
    if (path === s.meta.path || sameFile(path, s.meta.path)) throw apiError('BAD_REQUEST', 'The export would overwrite the session itself.', 'Pick another file name.');
    if (existsSync(path) && (await stat(path)).isDirectory()) throw apiError('BAD_REQUEST', `${path} is a folder.`, 'Pick a file name.');
    refuseToReplace(path, req.overwrite);
    const ctl = this.startJob(jobId);
    try {
      // A session file's index is walked first without holding the service (export reads its entries).
      await s.ready?.();
      const out = await runExport(s, {
        ...req,
        path,
        signal: ctl.signal,
        onProgress: (phase, done, total) => this.emit({ type: 'progress', jobId, job: 'export', phase, done, total }),
      });
      return { jobId, ...out };
    } catch (err) {
      if (ctl.signal.aborted) throw new CancelledError('The export');
      if (err instanceof ExportInputError) throw apiError('BAD_REQUEST', err.message);
      throw err;
    } finally {
      this.endJob(jobId, 'export');
    }
  }

  // ─────────────────────────────── recording ───────────────────────────────

  private pushStatus(force = false): void {
    const r = this.recording;
    if (!r) return;
    const now = Date.now();
    if (force || now - r.lastPush >= STATUS_PUSH_MS) {
      if (r.pushTimer) clearTimeout(r.pushTimer);
      r.pushTimer = null;
      r.lastPush = now;
      this.emit({ type: 'recording', status: { ...r.status } });
    } else if (!r.pushTimer) {
      r.pushTimer = setTimeout(() => {
        r.pushTimer = null;
        if (this.recording === r) this.pushStatus(true);
      }, STATUS_PUSH_MS - (now - r.lastPush));
      r.pushTimer.unref?.();
    }
  }

  private setPhase(r: Recording, phase: RecordingPhase, message: string, progress?: { done: number; total: number }): void {
    r.status.phase = phase;
    r.status.message = message;
    if (progress) r.status.progress = progress;
    else delete r.status.progress;
    this.pushStatus(true);
  }

  private pushDelta(d: IndexDelta): void {
    // Lines first: a snapshot's entry refers to the lines before it.
    // The lines pushed are the newest: the log's length is the last one's number + 1.
    if (d.lines.length) this.emit({ type: 'log', lines: d.lines, total: d.lines[d.lines.length - 1].n + 1 });
    for (const e of d.events) this.emit({ type: 'event', event: e });
    for (const s of d.snapshots) this.emit({ type: 'snapshot', entry: s.entry, data: s.data, pushedMs: Date.now() });
    // A film strip in use bins each live dump as it arrives (no read back from the file later).
    if (this.strip && this.strip.view === this.session) for (const s of d.snapshots) this.strip.observe(s.entry.index, s.data);
  }

  async startRecording(req: StartRecordingRequest): Promise<RecordingStatus> {
    if (this.recording) throw apiError('BUSY', 'A recording is already running.', 'Stop it first.');
    const recorder = this.opts.recorder;
    if (!recorder) throw apiError('UNSUPPORTED', 'Recording is not available in this build.', 'Use the HeapScope app or `heapscope record`.');
    if (req.run.kind === 'script' && !existsSync(req.run.path)) {
      throw apiError('NOT_FOUND', `There is no file ${req.run.path}.`, 'Pick the program to run again.');
    }
    let sessionPath = req.sessionPath ? resolve(req.sessionPath) : null;
    if (!sessionPath) {
      await mkdir(this.sessionsDir, { recursive: true });
      sessionPath = uniquePath(join(this.sessionsDir, `heapscope-${stamp(new Date())}${this.opts.store.extension}`));
    } else if (existsSync(sessionPath)) {
      throw apiError('BUSY', `${sessionPath} already exists.`, 'Pick a new file name; a recording never overwrites a session.');
    }
    const startedAt = Date.now();
    const r: Recording = {
      status: { phase: 'opening', port: req.port, sessionPath, startedAt, message: `Opening ${req.port}…`, bytes: 0, snapshots: 0 },
      live: null,
      handle: null,
      abort: new AbortController(),
      lastPush: 0,
      pushTimer: null,
      stopping: null,
    };
    this.recording = r;
    this.lastPort = req.port;
    try {
      const prev = this.session;
      const meta: SessionMeta = { path: sessionPath, name: basename(sessionPath), source: 'recording', origin: req.port, createdAt: startedAt, rawBytes: 0, live: true };
      const program = await this.programOf(req);
      if (program) meta.program = program;
      r.live = await this.opts.store.createLive(sessionPath, meta);
      // A full disk is told at once (the window's banner), and again when writing resumes.
      r.live.watch?.({
        warning: (err) => {
          if (this.recording !== r) return;
          r.status.message = err.message;
          this.emit({ type: 'error', error: toServiceError(err) });
          this.pushStatus(true);
        },
        resumed: (message) => {
          if (this.recording !== r) return;
          r.status.message = message;
          this.pushStatus(true);
        },
        delta: (d) => {
          if (this.recording !== r || !r.live) return;
          r.status.snapshots = r.live.view.entries().length;
          this.pushDelta(d);
          this.pushStatus();
        },
      });
      if (prev) {
        this.session = null;
        await prev.close();
      }
      this.setSession(r.live.view);
      this.pushStatus(true);
      r.handle = await recorder.start(
        { ...req, sessionPath },
        {
          phase: (phase, message, progress) => {
            if (this.recording === r) this.setPhase(r, phase, message, progress);
          },
          data: (chunk, hostMs) => {
            if (this.recording !== r || !r.live) return;
            const d = r.live.feed(chunk, hostMs);
            r.status.bytes += chunk.length;
            r.status.snapshots = r.live.view.snapshotCount();
            if (d.snapshots.length && r.status.bytesPerDump === undefined) {
              const e = d.snapshots[0].entry;
              r.status.bytesPerDump = e.byteEnd - e.byteStart;
            }
            this.pushDelta(d);
            this.pushStatus();
          },
          gap: (reason, a, b) => {
            if (this.recording === r && r.live) this.pushDelta(r.live.gap(reason, a, b));
          },
          dumping: (how) => {
            if (this.recording !== r) return;
            if (how.mode) r.status.dumps = how.mode;
            if (how.cost) r.status.dumpCost = { bytes: how.cost.bytes, boardMs: how.cost.boardMs };
            if (how.warning) r.status.dumpWarning = how.warning;
            if (how.limits) r.status.limits = how.limits;
            this.pushStatus(true);
          },
          board: (info) => {
            if (r.live) {
              r.live.setBoard(info);
              this.emit({ type: 'session', meta: { ...r.live.view.meta } });
            }
          },
          ended: (err) => {
            if (this.recording !== r) return;
            if (err) this.emit({ type: 'error', error: toServiceError(err) });
            void this.finishRecording(r, err ? 'failed' : 'stopped').catch(() => undefined);
          },
        },
        r.abort.signal,
      );
      if (r.status.phase !== 'recording') this.setPhase(r, 'recording', `Recording from ${req.port}.`);
      return { ...r.status };
    } catch (err) {
      const cancelled = r.abort.signal.aborted;
      // Reading a folder as the program says EISDIR without naming it: name it.
      const ex = err as NodeJS.ErrnoException;
      if (ex && ex.code === 'EISDIR' && !ex.path && req.run.kind === 'script') ex.path = req.run.path;
      const e = cancelled ? new CancelledError('The recording').toJSON() : toServiceError(err);
      await this.finishRecording(r, cancelled ? 'stopped' : 'failed', e.message).catch(() => undefined);
      throw new ApiError(e);
    }
  }

  private finishRecording(r: Recording, phase: 'stopped' | 'failed', message?: string): Promise<SessionMeta | null> {
    if (r.stopping) return r.stopping;
    r.stopping = (async () => {
      this.setPhase(r, 'stopping', 'Stopping…');
      r.abort.abort();
      try {
        await r.handle?.stop();
      } catch {
        // The board may already be gone; what was captured is kept.
      }
      let meta: SessionMeta | null = null;
      let nothing = false;
      if (r.live) {
        let d: IndexDelta = { snapshots: [], lines: [], events: [] };
        try {
          d = await r.live.finish();
        } catch (err) {
          // The disk stayed full: the session holds what was written; the loss is told in words.
          this.emit({ type: 'error', error: toServiceError(err) });
          message ??= (err as Error).message;
        }
        this.pushDelta(d);
        r.live.view.meta.live = false;
        // Nothing arrived, so no file was left: no session stays open on a file that is not there.
        nothing = !existsSync(r.live.view.meta.path);
        if (!nothing) {
          meta = { ...r.live.view.meta, live: false };
          await this.recent.add(r.live.view.meta.path, summaryOf(r.live.view));
        }
      }
      if (r.pushTimer) clearTimeout(r.pushTimer);
      r.status.snapshots = r.live?.view.snapshotCount() ?? 0;
      this.setPhase(r, phase, message ?? (phase === 'stopped' ? `Stopped; saved ${r.status.sessionPath}.` : 'The recording failed.'));
      this.recording = null;
      if (meta) this.emit({ type: 'session', meta });
      else if (nothing && r.live && this.session === r.live.view) {
        this.session = null;
        this.strip = null;
        await r.live.view.close();
        this.emit({ type: 'session', meta: null });
      }
      return meta;
    })();
    return r.stopping;
  }

  async stopRecording(): Promise<SessionMeta | null> {
    const r = this.recording;
    if (!r) return this.session ? { ...this.session.meta } : null;
    return this.finishRecording(r, 'stopped');
  }

  addMark(label: string): void {
    const r = this.recording;
    if (!r || !r.live) throw apiError('BUSY', 'Marks are set while recording.', 'Start a recording first.');
    this.pushDelta(r.live.mark(label, Date.now()));
  }

  async chooseFile(req: FileDialogRequest): Promise<{ path: string | null }> {
    if (!this.opts.chooseFile) {
      throw apiError('UNSUPPORTED', 'File dialogs are only in the HeapScope app.', 'Type the file path instead.');
    }
    return { path: await this.opts.chooseFile(req) };
  }
}

type Handler = (svc: HeapScopeService, p: any) => unknown;

const HANDLERS: Record<MethodName, Handler> = {
  getStatus: (s) => s.getStatus(),
  listPorts: (s) => s.listPorts(),
  listDemos: (s) => s.listDemos(),
  startRecording: (s, p) => s.startRecording(p),
  stopRecording: (s) => s.stopRecording(),
  addMark: (s, p) => s.addMark(p.label),
  openSession: (s, p) => s.openSession(p.path),
  importCapture: (s, p) => s.importCapture(p),
  closeSession: (s) => s.closeSession(),
  saveSessionAs: (s, p) => s.saveSessionAs(p.path, p.overwrite),
  getSessionInfo: (s, p) => s.getSessionInfo(p ?? {}),
  getFrameSeries: (s) => s.getFrameSeries(),
  getSnapshot: (s, p) => s.getSnapshot(p.index),
  getFilmStrip: (s, p) => s.getFilmStrip(p),
  getLifetimes: (s, p) => s.getLifetimes(p),
  getObjects: (s, p) => s.getObjects(p),
  getLogLines: (s, p) => s.getLogLines(p.from, p.count),
  searchLog: (s, p) => s.searchLog(p),
  exportSession: (s, p) => s.exportSession(p),
  cancelJob: (s, p) => s.cancelJob(p.jobId),
  recentSessions: (s) => s.recentSessions(),
  chooseFile: (s, p) => s.chooseFile(p),
};

function summaryOf(view: SessionView): SessionSummary {
  return view.summary();
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** `path`, or `name-2.ext`, `name-3.ext`… whichever does not exist yet. */
export function uniquePath(path: string): string {
  if (!existsSync(path)) return path;
  const ext = extname(path);
  const stem = path.slice(0, path.length - ext.length);
  for (let i = 2; ; i++) {
    const p = `${stem}-${i}${ext}`;
    if (!existsSync(p)) return p;
  }
}
