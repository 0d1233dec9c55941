/**
 * The window's state and every action on it, in one place, over the one service API. React
 * reads it with `useApp(selector)`; the map, timeline and log pane are fed from here.
 */
import { useSyncExternalStore, useRef, useCallback } from 'react';
import type {
  DemoInfo,
  ExportFormat,
  ExportRequest,
  HeapScopeApi,
  PortInfo,
  RecentSession,
  RecordingStatus,
  RunSpec,
  ServiceError,
  ServiceEvent,
  SessionInfo,
  SessionMeta,
  SnapshotData,
  TimelineEvent,
} from '../../shared/api';
import { ApiError } from '../../shared/api';
import { FrameIndex, eventFrame, stepEvent } from '../../shared/view/frameIndex';
import { diffHeaps, type HeapDiff } from '../../shared/view/heapAnalysis';
import { BreakupDetector, findBreakups, type Breakup } from '../../shared/view/breakup';
import { SnapshotCache } from './snapshotCache';
import { startDownload, uploadFile } from '../upload';

export type EventFilter = 'memoryError' | 'breakup' | 'traceback' | 'softReboot' | 'mark' | 'gap' | 'frameLost' | 'any';
export type SideTab = 'log' | 'compare' | 'frame' | 'strip';
export type DialogName = null | 'open' | 'export' | 'keys' | 'save';

export interface Toast {
  id: number;
  kind: 'ok' | 'error' | 'info';
  text: string;
  fix?: string;
  /** "Now pin B": gone once the next pin is made. */
  pinHint?: boolean;
}

export interface Job {
  jobId: string;
  format: ExportFormat;
  phase: string;
  done: number;
  total: number;
  finished: boolean;
  path?: string;
  bytes?: number;
  error?: ServiceError;
}

export interface RecordSettings {
  port: string;
  demo: string;
  run: RunSpec['kind'];
  scriptPath: string;
  periodMs: number;
  collect: boolean;
  /** How dumps are made: auto (a timer where the board has one, else asyncio, else the program's calls) or forced. */
  dumps: 'auto' | 'timer' | 'async' | 'calls';
}

export interface AppState {
  conn: 'connecting' | 'open' | 'closed';
  bridge: 'ipc' | 'ws';
  dialogs: boolean;
  ports: PortInfo[];
  demos: DemoInfo[];
  settings: RecordSettings;
  rec: RecordingStatus | null;
  starting: boolean;
  meta: SessionMeta | null;
  /** Bumped whenever `frames` grows or is replaced (it is mutated in place). */
  framesVersion: number;
  frameCount: number;
  events: TimelineEvent[];
  /** Frames where the heap broke apart (derived from the metrics, see shared/view/breakup). */
  breakups: Breakup[];
  logCount: number;
  logEpoch: number;
  frame: number;
  /** Live: the playhead stays on the newest frame. */
  follow: boolean;
  frameData: SnapshotData | null;
  prevData: SnapshotData | null;
  loadingFrame: boolean;
  playing: boolean;
  /** Frames per second while playing. */
  speed: number;
  eventFilter: EventFilter;
  pinA: number | null;
  pinB: number | null;
  compare: boolean;
  compareDiff: HeapDiff | null;
  compareA: SnapshotData | null;
  compareB: SnapshotData | null;
  range: [number, number] | null;
  banner: (ServiceError & { title?: string; level?: 'error' | 'warn' }) | null;
  toasts: Toast[];
  jobs: Job[];
  recent: RecentSession[];
  dialog: DialogName;
  sideTab: SideTab;
  /** Last heap-map draw, ms. */
  drawMs: number;
  /** Live: ms from a dump's last byte (host clock) to its pixels. */
  liveLatencyMs: number | null;
  /** A file being opened or imported: what, and how far (null total: no figure yet). */
  busy: { what: string; done: number; total: number | null } | null;
}

const SETTINGS_KEY = 'heapscope.record';
/** While recording, the least time between two renders of the whole window (the map draws at every dump regardless). */
const LIVE_RENDER_MS = 250;
/** While recording, how long after the last render a change with no dump after it waits. */
const LIVE_IDLE_MS = 500;

/**
 * Above this many frames the window opens a session from its per-frame series instead of its
 * index entries (see readSession): a few hours of dumps at the helper's periods.
 */
export const BIG_SESSION_FRAMES = 20_000;

/**
 * When each part of the last open ended (performance.now()): the service's calls, then the
 * window's own work. The read may start before the open's answer (on its 'session' event).
 */
export interface OpenParts {
  /** openSession called. */
  start?: number;
  /** openSession answered: the service opened the file. */
  open?: number;
  /** getFrameSeries (a big session's per-frame figures) arrived over the bridge. */
  series?: number;
  /** getStatus, or a small session's getSessionInfo, arrived. */
  status?: number;
  /** The window's frame index built from them. */
  index?: number;
}

function loadSettings(): RecordSettings {
  const d: RecordSettings = { port: 'virtual', demo: 'fragment', run: 'main', scriptPath: '', periodMs: 500, collect: false, dumps: 'auto' };
  try {
    const s = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? 'null');
    if (s && typeof s === 'object') return { ...d, ...s };
  } catch {
    /* first run */
  }
  return d;
}

export class AppStore {
  state: AppState;
  frames = new FrameIndex();
  private readonly listeners = new Set<() => void>();
  private readonly cache = new SnapshotCache();
  private breakupDetector = new BreakupDetector();
  private wanted = -1;
  private portProblemShown = false;
  private inflight = new Map<number, Promise<SnapshotData | null>>();
  private toastId = 1;
  private playTimer = 0;
  private playClock = 0;
  private sessionLoad = 0;
  /** Set by the map after each draw: resolves `seekAndDraw` waiters. */
  private drawWaiters: Array<(ms: number) => void> = [];
  private liveSnapshotAt = new Map<number, number>();
  private framesDrawn = 0;
  /** Live: ms from each dump's last byte to its pixels (bounded). */
  readonly liveLatencies: number[] = [];
  /** Live: ms from a dump's last byte to its push reaching the page (the service's share). */
  readonly liveArrivals: number[] = [];
  /** Live: ms from the service's push of a dump to its arrival in the page (the bridge, and the page's queue of tasks). */
  readonly livePushWaits: number[] = [];
  /** Live: ms from a dump's last byte to the service's push of it (parse, session write). */
  readonly liveServiceMs: number[] = [];
  /** Live: ms from a dump's push reaching the page to its pixels (the page's share). */
  readonly liveInPage: number[] = [];
  private liveArrivedAt = 0;

  constructor(readonly api: HeapScopeApi, bridge: 'ipc' | 'ws') {
    this.state = {
      conn: 'connecting',
      bridge,
      dialogs: false,
      ports: [],
      demos: [],
      settings: loadSettings(),
      rec: null,
      starting: false,
      meta: null,
      framesVersion: 0,
      frameCount: 0,
      events: [],
      breakups: [],
      logCount: 0,
      logEpoch: 0,
      frame: 0,
      follow: true,
      frameData: null,
      prevData: null,
      loadingFrame: false,
      playing: false,
      speed: 10,
      eventFilter: 'memoryError',
      pinA: null,
      pinB: null,
      compare: false,
      compareDiff: null,
      compareA: null,
      compareB: null,
      range: null,
      banner: null,
      toasts: [],
      jobs: [],
      recent: [],
      dialog: null,
      sideTab: 'log',
      drawMs: 0,
      liveLatencyMs: null,
      busy: null,
    };
  }

  // ───────────── store plumbing ─────────────
  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  getState = () => this.state;
  set(patch: Partial<AppState>): void {
    this.state = { ...this.state, ...patch };
    this.notify();
  }

  /**
   * The map pane's draw on input: puts a frame on the canvas at once, before React renders
   * it (false: it cannot, render it then).
   */
  mapPainter: ((frame: SnapshotData, previous: SnapshotData | null) => boolean) | null = null;
  private notifyLater = false;

  /**
   * Changes the state now and tells React after the next paint: what was drawn on input
   * reaches the screen in the next display frame, and the rest of the window re-renders
   * behind it (off the input's critical path) instead of in front of it.
   *
   * While a recording streams in, the rest of the window re-renders a few times a second, and
   * only just after a dump's map was painted (`dump`): the render, its layout and paint then
   * fall in the quiet between two dumps. A render at any other moment is a task the next
   * dump's push waits behind (that wait was most of the live latency's 95th percentile). What
   * changes with no dump after it (the last dump's figures, the status counters of a slow
   * board) is rendered LIVE_IDLE_MS later. What the user asked for (`why` 'input': a key, a
   * click on the timeline) is rendered after its paint whatever the recording does.
   */
  private setAfterPaint(patch: Partial<AppState>, why?: 'dump' | 'input'): void {
    this.state = { ...this.state, ...patch };
    const live = !!this.state.meta?.live;
    if (live && why !== 'input' && !(why === 'dump' && performance.now() - this.lastNotify >= LIVE_RENDER_MS)) {
      this.notifyLater = true;
      if (!this.idleTimer) this.idleTimer = setTimeout(() => ((this.idleTimer = 0), this.notifyNow()), Math.max(0, this.lastNotify + LIVE_IDLE_MS - performance.now()));
      return;
    }
    if (this.notifyLater && this.afterPaintArmed) return;
    this.notifyLater = true;
    this.afterPaintArmed = true;
    requestAnimationFrame(() => setTimeout(() => this.notifyNow(), 0));
    // A hidden window gets no animation frames.
    setTimeout(() => this.notifyNow(), 100);
  }
  private notifyNow(): void {
    this.afterPaintArmed = false;
    if (!this.notifyLater) return;
    this.notify();
  }
  private notify(): void {
    this.notifyLater = false;
    this.lastNotify = performance.now();
    // The next change with no dump after it waits from this render, not from an older one.
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = 0;
    for (const l of this.listeners) l();
  }
  private lastNotify = 0;
  private afterPaintArmed = false;
  private idleTimer: ReturnType<typeof setTimeout> | 0 = 0;

  /** Shows a frame: drawn on input when the map can, else in one ordinary commit. */
  private showFrame(patch: Partial<AppState> & { frameData: SnapshotData; prevData: SnapshotData | null }, why: 'dump' | 'input'): void {
    const d = patch.frameData;
    const prev = patch.prevData && patch.prevData.index === d.index - 1 ? patch.prevData : null;
    if (!this.state.playing && !this.state.compare && !patch.playing && this.mapPainter?.(d, prev)) this.setAfterPaint(patch, why);
    else this.set(patch);
  }

  // ───────────── start-up ─────────────
  async start(ready: Promise<void>): Promise<void> {
    this.api.onEvent((e) => this.onEvent(e));
    try {
      await ready;
      this.set({ conn: 'open' });
    } catch (e) {
      this.set({ conn: 'closed' });
      this.fail(e, 'Cannot reach HeapScope');
      return;
    }
    try {
      const st = await this.api.getStatus();
      this.set({ dialogs: st.dialogs, rec: st.recording });
      await Promise.all([this.refreshPorts(), this.refreshRecent()]);
      if (st.session) await this.loadSession();
    } catch (e) {
      this.fail(e, 'HeapScope did not answer');
    }
  }

  connectionLost(): void {
    this.set({ conn: 'closed', playing: false });
    this.stopPlayTimer();
  }

  async refreshPorts(): Promise<void> {
    try {
      const [ports, demos] = await Promise.all([this.api.listPorts(), this.api.listDemos()]);
      const s = this.state.settings;
      let port = s.port;
      if (!ports.some((p) => p.path === port)) port = (ports.find((p) => p.preferred) ?? ports[0])?.path ?? 'virtual';
      let demo = s.demo;
      if (demos.length && !demos.some((d) => d.id === demo)) demo = demos[0].id;
      this.set({ ports, demos, settings: { ...s, port, demo } });
      // Serial ports missing (the driver did not load): say so once, with the reason.
      const problem = ports.find((p) => p.problem)?.problem;
      if (problem && !this.portProblemShown) {
        this.portProblemShown = true;
        this.set({ banner: { code: 'INTERNAL', level: 'warn', title: 'No serial ports', message: problem, fix: 'The virtual board still works. Reinstall HeapScope, or record from the command line with `heapscope record`.' } });
      }
    } catch (e) {
      this.fail(e, 'Could not list the ports');
    }
  }

  async refreshRecent(): Promise<void> {
    try {
      this.set({ recent: await this.api.recentSessions() });
    } catch {
      /* recent files are a convenience */
    }
  }

  setSettings(patch: Partial<RecordSettings>): void {
    const settings = { ...this.state.settings, ...patch };
    try {
      localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
    } catch {
      /* private mode */
    }
    this.set({ settings });
  }

  // ───────────── pushed events ─────────────
  private onEvent(e: ServiceEvent): void {
    switch (e.type) {
      case 'recording':
        // Counters while recording: with the next render; a change of phase at once.
        if (e.status.phase === 'recording' && this.state.rec?.phase === 'recording') this.setAfterPaint({ rec: e.status });
        else this.set({ rec: e.status });
        if (e.status.phase === 'failed') this.set({ starting: false });
        break;
      case 'session':
        if (e.meta) void this.loadSession();
        else this.clearSession();
        break;
      case 'snapshot': {
        if (!this.state.meta) return;
        const arrived = Date.now();
        if (e.entry.hostMs !== null) {
          this.liveArrivals.push(arrived - e.entry.hostMs);
          if (this.liveArrivals.length > 500) this.liveArrivals.shift();
          if (e.pushedMs !== undefined) {
            this.liveServiceMs.push(e.pushedMs - e.entry.hostMs);
            this.livePushWaits.push(arrived - e.pushedMs);
            if (this.livePushWaits.length > 500) (this.livePushWaits.shift(), this.liveServiceMs.shift());
          }
        }
        if (e.entry.index !== this.frames.length) {
          // Out of step (a missed push): reload the index.
          if (e.entry.index > this.frames.length) void this.loadSession(true);
          return;
        }
        this.frames.push(e.entry);
        this.cache.put(e.data);
        if (this.state.follow && !this.state.playing) {
          // When its last byte arrived (host clock), to time it to pixels.
          this.liveSnapshotAt.clear();
          this.liveSnapshotAt.set(e.entry.index, e.entry.hostMs ?? arrived);
          this.liveArrivedAt = arrived;
        }
        const n = this.frames.length;
        const patch: Partial<AppState> = { frameCount: n, framesVersion: this.state.framesVersion + 1 };
        const b = this.detectBreakups();
        if (b.length) patch.breakups = [...this.state.breakups, ...b];
        if (this.state.follow && !this.state.playing) {
          patch.frame = n - 1;
          const prevData = this.state.frame === n - 2 ? this.state.frameData : this.cache.get(n - 2) ?? null;
          this.wanted = n - 1;
          // The dump on the map first; the timeline, figures and log follow after the paint.
          this.showFrame({ ...patch, frameData: e.data, prevData }, 'dump');
        } else this.setAfterPaint(patch, 'dump');
        break;
      }
      case 'log':
        if (this.state.meta?.live) this.setAfterPaint({ logCount: e.total });
        else this.set({ logCount: e.total });
        break;
      case 'event':
        // While recording: with the next render (after a dump's paint), not a render of its own in front of the dump.
        if (this.state.meta?.live) this.setAfterPaint({ events: [...this.state.events, e.event] });
        else this.set({ events: [...this.state.events, e.event] });
        break;
      case 'progress': {
        if (e.job === 'import') {
          if (this.state.busy) this.set({ busy: e.finished ? null : { ...this.state.busy, done: e.done, total: e.total } });
          break;
        }
        if (e.job !== 'export') break;
        this.updateJob(e.jobId, { phase: e.phase, done: e.done, total: e.total, finished: !!e.finished });
        break;
      }
      case 'error':
        this.set({ banner: e.error });
        break;
    }
  }

  // ───────────── sessions ─────────────
  private clearSession(): void {
    this.wanted = -1;
    this.frames = new FrameIndex();
    this.breakupDetector = new BreakupDetector();
    this.cache.clear();
    this.set({
      meta: null,
      frameCount: 0,
      framesVersion: this.state.framesVersion + 1,
      events: [],
      breakups: [],
      logCount: 0,
      logEpoch: this.state.logEpoch + 1,
      frame: 0,
      frameData: null,
      prevData: null,
      pinA: null,
      pinB: null,
      compare: false,
      compareDiff: null,
      range: null,
    });
  }

  /** Reads the open session into the window (its frames, events, where to land). */
  loadSession(keepFrame = false): Promise<void> {
    this.loadsStarted++;
    const p = this.readIntoWindow(keepFrame);
    this.lastLoad = p;
    return p;
  }
  private loadsStarted = 0;
  private lastLoad: Promise<void> | null = null;

  /**
   * After an open or an import: the service's 'session' event has usually started reading the
   * new session already (it comes before the call's answer); wait for that read rather than
   * ask for a day of frames a second time.
   */
  private loadOpened(since: number): Promise<void> {
    return this.loadsStarted > since && this.lastLoad ? this.lastLoad : this.loadSession();
  }

  private async readIntoWindow(keepFrame: boolean): Promise<void> {
    const ticket = ++this.sessionLoad;
    try {
      const { info, frames } = await this.readSession();
      if (ticket !== this.sessionLoad) return;
      if (!keepFrame) this.wanted = -1;
      this.frames = frames;
      this.breakupDetector = new BreakupDetector();
      const breakups = this.detectBreakups();
      if (!keepFrame) this.cache.clear();
      const n = frames.length;
      const live = info.meta.live;
      // A recording that just ended lands on its story, not on frame 1.
      const justEnded = !live && !!this.state.meta?.live && this.state.meta.path === info.meta.path;
      const frame = keepFrame ? Math.min(this.state.frame, Math.max(0, n - 1)) : live ? Math.max(0, n - 1) : justEnded ? storyFrame(info.events, n) : 0;
      this.set({
        meta: info.meta,
        frameCount: n,
        framesVersion: this.state.framesVersion + 1,
        events: info.events,
        breakups,
        logCount: info.logLineCount,
        logEpoch: keepFrame ? this.state.logEpoch : this.state.logEpoch + 1,
        follow: live,
        frame,
        frameData: keepFrame ? this.state.frameData : null,
        prevData: keepFrame ? this.state.prevData : null,
        ...(keepFrame ? {} : { pinA: null, pinB: null, compare: false, compareDiff: null, compareA: null, compareB: null, range: null }),
        // Another session starts from the default event filter, not the last one's.
        ...(this.state.meta?.path === info.meta.path ? {} : { eventFilter: 'memoryError' as EventFilter }),
      });
      if (n > 0) void this.seek(frame, { keepFollow: live });
      else if (!live && !keepFrame) {
        // A recording that failed already said why: its error stays, not a "no dumps" warning over it.
        const rec = this.state.rec;
        // A recording's session says so itself, whatever order the pushes came in (its failure's
        // error can arrive before the window saw it live, or before the recording's last status).
        const recorded = info.meta.source === 'recording';
        const failed = recorded && (rec?.phase === 'failed' || (!!this.state.banner && this.state.banner.level !== 'warn'));
        if (recorded && !failed)
          this.set({
            banner: {
              code: 'BAD_FILE',
              level: 'warn',
              title: 'The recording has no heap dump',
              message: info.logLineCount ? `The board printed ${info.logLineCount} lines (in the log), but no dump before the recording stopped.` : 'Nothing arrived from the board before the recording stopped.',
              fix: 'Record for longer than one dump period, or choose a shorter period.',
            },
          });
        else if (!recorded)
          this.set({
            banner: {
              code: 'BAD_FILE',
              level: 'warn',
              title: `No heap dumps in ${info.meta.name}`,
              message: info.logLineCount ? `Its ${info.logLineCount} lines are in the log, but none of them is a heap dump.` : 'The file is empty.',
              fix: 'HeapScope reads the text that micropython.mem_info(1) prints (any era), the helper’s @@HS: frames and pi-mst’s @@@ frames. Record a board, or open a log that contains dumps.',
            },
          });
      }
      void this.refreshRecent();
    } catch (e) {
      // Closed before its index came (a recording that failed with nothing to keep): its close
      // event clears the view, and whatever the banner says (the failure's own error) stays.
      if (ticket === this.sessionLoad && (e as { code?: string } | null)?.code === 'NO_SESSION') return;
      this.fail(e, 'Could not read the session');
    }
  }

  /**
   * The open session's frames: a big one from the per-frame series (a few bytes a frame; its
   * index entries as objects would take seconds and hundreds of MB), a small one from its
   * index entries (every figure the frame panel shows).
   */
  private async readSession(): Promise<{ info: Pick<SessionInfo, 'meta' | 'events' | 'logLineCount'>; frames: FrameIndex }> {
    const lap = (name: keyof OpenParts) => (this.openParts[name] = performance.now());
    // The status (the session's meta) is asked with the series, not after it: asked after, it
    // waited a round trip behind a day's series on the bridge. Asked second, the service
    // answers it once the series call is in, about the same session.
    const seriesCall = this.api.getFrameSeries();
    const statusCall = this.api.getStatus();
    // A small session reads its entries instead: its status is not waited for (nor left unhandled).
    statusCall.catch(() => undefined);
    const series = await seriesCall;
    lap('series');
    if (series.frames > BIG_SESSION_FRAMES) {
      const st = await statusCall;
      lap('status');
      if (!st.session) throw new ApiError({ code: 'NO_SESSION', message: 'The session closed while it was opening.' });
      const frames = FrameIndex.fromSeries(series);
      lap('index');
      return { info: { meta: st.session, events: series.events, logLineCount: series.logLineCount }, frames };
    }
    const info = await this.api.getSessionInfo();
    lap('status');
    const frames = new FrameIndex(info.snapshots);
    lap('index');
    return { info, frames };
  }

  /** When the last open's parts ended (the bench splits the service's share from the window's). */
  openParts: OpenParts = {};

  /** Runs the break-up detector over the frames it has not seen yet. */
  private detectBreakups(): Breakup[] {
    const f = this.frames;
    return findBreakups({ fragmentation: f.col('fragmentation'), free: f.col('free'), total: f.col('total'), largest: f.col('largest') }, this.breakupDetector.frames, this.breakupDetector);
  }

  async openPath(path: string): Promise<void> {
    const p = path.trim();
    if (!p) return;
    this.set({ dialog: null, busy: { what: `Opening ${baseName(p)}`, done: 0, total: null } });
    try {
      this.openParts = { start: performance.now() };
      const since = this.loadsStarted;
      // A session opens as saved; any other file is read as a capture (the service decides).
      await this.api.openSession({ path: p });
      this.openParts.open = performance.now();
      await this.loadOpened(since);
    } catch (e) {
      this.fail(e, `Could not open ${baseName(p)}`);
    } finally {
      this.set({ busy: null });
    }
  }

  /**
   * The browser window: a dropped or picked file goes to HeapScope by content (the browser
   * never says where it is on disk), with progress, then opens like any other file.
   */
  async openFile(file: File): Promise<void> {
    const what = `Sending ${file.name}`;
    this.set({ dialog: null, busy: { what, done: 0, total: file.size } });
    let path: string;
    try {
      path = await uploadFile(file, (done, total) => this.set({ busy: { what, done, total } }));
    } catch (e) {
      this.set({ busy: null });
      this.fail(e, `Could not open ${file.name}`);
      return;
    }
    await this.openPath(path);
  }

  async importPath(path: string): Promise<void> {
    this.set({ busy: { what: `Importing ${baseName(path)}`, done: 0, total: null } });
    try {
      const since = this.loadsStarted;
      await this.api.importCapture({ path });
      await this.loadOpened(since);
    } catch (e) {
      this.fail(e, `Could not import ${baseName(path)}`);
    } finally {
      this.set({ busy: null });
    }
  }

  /** Open: the native dialog where there is one (Electron), else our own. */
  async open(): Promise<void> {
    if (this.state.dialogs) {
      try {
        const r = await this.api.chooseFile({ mode: 'open', purpose: 'session', title: 'Open a session or a capture' });
        if (r.path) await this.openPath(r.path);
      } catch (e) {
        this.fail(e, 'Could not open');
      }
      return;
    }
    void this.refreshRecent();
    this.set({ dialog: 'open' });
  }

  async saveAs(path?: string): Promise<void> {
    if (!this.state.meta) {
      this.toast('info', 'Nothing to save yet: record or open a session first.');
      return;
    }
    if (!path) {
      if (this.state.dialogs) {
        try {
          const r = await this.api.chooseFile({ mode: 'save', purpose: 'session', title: 'Save the session as', defaultPath: this.state.meta.name });
          if (!r.path) return;
          path = r.path;
        } catch (e) {
          this.fail(e, 'Could not save');
          return;
        }
      } else {
        this.set({ dialog: 'save' });
        return;
      }
    }
    try {
      const to = path;
      const meta = await this.askToReplace((overwrite) => this.api.saveSessionAs({ path: to, overwrite }));
      this.set({ meta, dialog: null });
      this.toast('ok', `Saved as ${meta.path}`);
      void this.refreshRecent();
    } catch (e) {
      this.fail(e, 'Could not save the session');
    }
  }

  // ───────────── recording ─────────────
  async record(): Promise<void> {
    const s = this.state.settings;
    const port = this.state.ports.find((p) => p.path === s.port);
    const run: RunSpec = s.run === 'script' ? { kind: 'script', path: s.scriptPath } : { kind: s.run };
    if (s.run === 'script' && !s.scriptPath.trim()) {
      this.set({ banner: { code: 'BAD_REQUEST', message: 'No file chosen to run.', fix: 'Type the path of a .py file on this computer, or pick “board main.py”.' } });
      return;
    }
    this.set({ starting: true, banner: null, playing: false });
    this.stopPlayTimer();
    try {
      await this.api.startRecording({
        port: s.port,
        run,
        // Before the port list arrives, the remembered virtual board is still the virtual board.
        // A file from this computer runs that file: the demo (which overrides `run`) goes only with a demo.
        ...((port ? port.kind === 'virtual' : s.port === 'virtual') && s.run === 'main' && s.demo ? { demo: s.demo } : {}),
        periodMs: s.periodMs,
        collect: s.collect,
        dumps: s.dumps,
      });
      this.set({ starting: false, follow: true });
      if (!this.state.meta) void this.loadSession();
    } catch (e) {
      this.set({ starting: false });
      this.fail(e, 'Could not start recording');
    }
  }

  async stop(): Promise<void> {
    try {
      const meta = await this.api.stopRecording();
      if (meta) {
        this.set({ meta });
        this.toast('ok', `Recording saved: ${meta.path}`);
      }
      void this.refreshRecent();
    } catch (e) {
      this.fail(e, 'Could not stop cleanly');
    }
  }

  async mark(label = 'mark'): Promise<void> {
    if (!this.isRecording()) return;
    try {
      await this.api.addMark({ label });
    } catch (e) {
      this.fail(e, 'Could not add the mark');
    }
  }

  isRecording(): boolean {
    const p = this.state.rec?.phase;
    return !!p && p !== 'stopped' && p !== 'failed';
  }

  // ───────────── navigation ─────────────
  private async fetchFrame(i: number): Promise<SnapshotData | null> {
    const hit = this.cache.get(i);
    if (hit) return hit;
    let p = this.inflight.get(i);
    if (!p) {
      p = this.api
        .getSnapshot({ index: i })
        .then((d) => {
          this.frames.learn(d);
          this.cache.put(d);
          return d;
        })
        .catch((e) => {
          if (this.wanted === i) this.fail(e, `Could not read frame ${i + 1}`);
          return null;
        })
        .finally(() => this.inflight.delete(i));
      this.inflight.set(i, p);
    }
    return p;
  }

  /** Moves the playhead; the map shows the frame as soon as its map is here. */
  async seek(i: number, o: { keepFollow?: boolean } = {}): Promise<void> {
    const n = this.frames.length;
    if (n === 0) return;
    i = Math.max(0, Math.min(n - 1, Math.round(i)));
    this.wanted = i;
    const follow = o.keepFollow ? this.state.follow : this.isRecording() && i === n - 1;
    const cur = this.cache.get(i);
    const prev = i > 0 ? this.cache.get(i - 1) ?? null : null;
    const prefetch = () => {
      // Paused: the frames the keys reach next, each with the frame before it (its outlines of
      // what changed): →, ←, Shift+→, Shift+←. The next press then draws the whole picture on
      // input; without the frame before, it draws twice, the second time in a render that
      // lands in front of the next display frame.
      // The same step again first (Shift+→ held: i + 10 and i + 9 before i + 1): the service
      // answers in the order asked, and the next press most likely repeats the last one.
      const d = this.lastStep;
      const next = this.state.playing ? [i + 1, i + 2, i + 3, i + 4] : [i + d, i + d - 1, i + 1, i - 2, i + 10, i + 9, i - 10, i - 11];
      for (const j of next) if (j >= 0 && j < n && !this.cache.has(j)) void this.fetchFrame(j);
    };
    if (cur && (prev || i === 0)) {
      // The map at once (draw on input), then playhead and figures together. The frames the
      // keys reach next are asked for in the display frame that carries this one: their
      // answers (a decode each) then come after its paint, not as tasks in front of it, and
      // before the window's render after the paint (not behind it: the next key would miss).
      this.showFrame({ frame: i, follow, frameData: cur, prevData: prev, loadingFrame: false }, 'input');
      requestAnimationFrame(prefetch);
      return;
    }
    // Not here yet: the map usually is within a few ms, so wait for it before moving
    // anything (one commit instead of two); if it is slow, move the playhead meanwhile.
    const early = setTimeout(() => {
      if (this.wanted === i && this.state.frame !== i) this.set({ frame: i, follow, loadingFrame: true });
    }, 40);
    const tf = performance.now();
    const d = cur ?? (await this.fetchFrame(i));
    this.lastFetchMs = performance.now() - tf;
    clearTimeout(early);
    if (this.wanted !== i) {
      // A later seek won; still show this one if nothing newer is on screen yet (smooth scrubbing).
      if (d && this.state.loadingFrame && this.state.frameData?.index !== this.wanted) this.set({ frameData: d, prevData: this.cache.get(i - 1) ?? null });
      return;
    }
    if (d) this.showFrame({ frame: i, follow, frameData: d, prevData: prev, loadingFrame: false }, 'input');
    else this.set({ frame: i, follow, loadingFrame: false });
    // The frame before it, for the outlines of what changed: after the map is on screen.
    if (d && i > 0 && !prev) {
      void this.fetchFrame(i - 1).then((p) => {
        if (p && this.state.frameData === d && !this.state.prevData) this.set({ prevData: p });
      });
    }
    prefetch();
  }

  /** Where navigation starts from: the frame asked for last (it may still be loading). */
  private get here(): number {
    return this.wanted >= 0 && this.wanted < this.frames.length ? this.wanted : this.state.frame;
  }

  step(d: number): void {
    this.pause();
    this.lastStep = d;
    void this.seek(this.here + d);
  }
  /** The last step the keys took (frames), for what to fetch ahead. */
  private lastStep = 1;

  home(): void {
    this.pause();
    void this.seek(0);
  }

  end(): void {
    this.pause();
    void this.seek(this.frames.length - 1);
    if (this.isRecording()) this.set({ follow: true });
  }

  /** The events `,` and `.` step through: the service's, and the derived break-ups. */
  private steppable(): Array<Pick<TimelineEvent, 'snapshot' | 'kind'> | { snapshot: number; kind: 'breakup' }> {
    const f = this.state.eventFilter;
    const derived = f === 'breakup' || f === 'any' ? this.state.breakups.map((b) => ({ snapshot: b.frame + 1, kind: 'breakup' as const })) : [];
    if (f === 'breakup') return derived;
    const all = [...this.state.events, ...derived];
    return f === 'any' ? all.sort((a, b) => a.snapshot - b.snapshot) : all;
  }

  stepEvent(dir: 1 | -1): void {
    const f = this.state.eventFilter;
    const e = stepEvent(this.steppable(), this.frames.length, this.here, dir, (x) => f === 'any' || x.kind === f);
    if (!e) {
      this.toast('info', `No ${dir > 0 ? 'later' : 'earlier'} ${EVENT_NAMES[this.state.eventFilter]}.`);
      return;
    }
    this.pause();
    void this.seek(eventFrame(e, this.frames.length));
  }

  jumpToLogLine(line: number): void {
    const n = this.frames.length;
    if (!n) return;
    // The first frame whose dump came after the line.
    const ll = this.frames.col('logLine');
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ll[mid] > line) hi = mid;
      else lo = mid + 1;
    }
    this.pause();
    void this.seek(Math.min(n - 1, lo));
  }

  // ───────────── playback ─────────────
  togglePlay(): void {
    if (this.state.playing) this.pause();
    else this.play();
  }

  play(): void {
    const n = this.frames.length;
    if (n < 2) return;
    if (this.state.frame >= n - 1) void this.seek(0);
    this.set({ playing: true, follow: false });
    this.playClock = performance.now();
    const tick = (now: number) => {
      if (!this.state.playing) return;
      const interval = 1000 / this.state.speed;
      // 1 ms of slack: animation frames come every ~16.7 ms, and 30 fps must not wait for a third one.
      const due = Math.floor((now - this.playClock + 1) / interval);
      // Wait for the frame asked for last to be on screen before moving on.
      const settled = !this.state.loadingFrame && this.state.frame === this.here;
      if (due >= 1 && settled) {
        const stepBy = Math.min(due, Math.max(1, Math.round(this.state.speed / 60)));
        const next = this.here + stepBy;
        // Keep the beat (no drift from late frames), unless far behind: then start afresh.
        this.playClock = now - this.playClock > 4 * interval ? now : this.playClock + stepBy * interval;
        if (next >= this.frames.length) {
          this.pause();
          void this.seek(this.frames.length - 1);
          return;
        }
        void this.seek(next);
      }
      this.playTimer = requestAnimationFrame(tick);
    };
    this.playTimer = requestAnimationFrame(tick);
  }

  pause(): void {
    if (this.state.playing) this.set({ playing: false });
    this.stopPlayTimer();
  }

  private stopPlayTimer(): void {
    cancelAnimationFrame(this.playTimer);
  }

  // ───────────── compare ─────────────
  /** Pins the frame asked for last (a key pressed right after End pins where End goes). */
  pin(which: 'A' | 'B', i = this.here): void {
    const patch: Partial<AppState> = which === 'A' ? { pinA: i } : { pinB: i };
    this.set(patch);
    const { pinA, pinB } = this.state;
    // The hint to pin the other frame is stale once it is pinned.
    this.set({ toasts: this.state.toasts.filter((t) => !t.pinHint) });
    if (pinA !== null && pinB !== null && pinA !== pinB) void this.runCompare(true);
    else this.toast('info', `Frame ${i + 1} pinned as ${which}. ${which === 'A' ? 'Now pin B with ]' : 'Now pin A with ['}.`, undefined, true);
  }

  async runCompare(show: boolean): Promise<void> {
    const { pinA, pinB } = this.state;
    if (pinA === null || pinB === null) {
      this.toast('info', 'Pin two frames first: [ pins A, ] pins B.');
      return;
    }
    const [a, b] = await Promise.all([this.fetchFrame(pinA), this.fetchFrame(pinB)]);
    if (!a || !b) return;
    const diff = diffHeaps(a.areas, b.areas);
    this.set({ compareDiff: diff, compareA: a, compareB: b, ...(show ? { compare: true, sideTab: 'compare' as SideTab } : {}) });
  }

  toggleCompare(): void {
    if (this.state.compare) this.set({ compare: false });
    else void this.runCompare(true);
  }

  clearPins(): void {
    this.set({ pinA: null, pinB: null, compare: false, compareDiff: null, compareA: null, compareB: null });
  }

  // ───────────── export ─────────────
  async exportAs(req: Omit<ExportRequest, 'jobId'>): Promise<Job | null> {
    if (!this.state.meta) {
      this.toast('info', 'Nothing to export yet: record or open a session first.');
      return null;
    }
    const jobId = `exp${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    const job: Job = { jobId, format: req.format, phase: 'starting', done: 0, total: 1, finished: false };
    this.set({ jobs: [...this.state.jobs.filter((j) => !j.finished || j.error), job] });
    try {
      const r = await this.askToReplace((overwrite) => this.api.exportSession({ ...req, jobId, overwrite }));
      this.updateJob(jobId, { finished: true, done: 1, total: 1, phase: 'done', path: r.path, bytes: r.bytes });
      this.toast('ok', `Exported ${req.format.toUpperCase()}: ${r.path}`);
      // The browser window: the file was written on HeapScope's computer; hand it over too.
      if (this.state.bridge === 'ws') startDownload(r.path);
      return this.state.jobs.find((j) => j.jobId === jobId) ?? null;
    } catch (e) {
      const err = asError(e);
      this.updateJob(jobId, { finished: true, error: err, phase: err.code === 'CANCELLED' ? 'cancelled' : 'failed' });
      if (err.code !== 'CANCELLED') this.fail(e, `Export ${req.format.toUpperCase()} failed`);
      else this.toast('info', 'Export cancelled.');
      return null;
    }
  }

  /** Runs a write; when its file exists (EXISTS), asks the user once and replaces it only if they say so. */
  private async askToReplace<T>(write: (overwrite: boolean) => Promise<T>): Promise<T> {
    try {
      return await write(false);
    } catch (e) {
      const err = asError(e);
      const ask = typeof window !== 'undefined' && typeof window.confirm === 'function' ? window.confirm.bind(window) : null;
      if (err.code !== 'EXISTS' || !ask || !ask(`${err.message.replace(/: it is left as it is.*$/, '')}.\n\nReplace it?`)) throw e;
      return write(true);
    }
  }

  async cancelJob(jobId: string): Promise<void> {
    try {
      await this.api.cancelJob({ jobId });
    } catch (e) {
      this.fail(e, 'Could not cancel');
    }
  }

  private updateJob(jobId: string, patch: Partial<Job>): void {
    this.set({ jobs: this.state.jobs.map((j) => (j.jobId === jobId ? { ...j, ...patch } : j)) });
  }

  dismissJob(jobId: string): void {
    this.set({ jobs: this.state.jobs.filter((j) => j.jobId !== jobId) });
  }

  // ───────────── messages ─────────────
  toast(kind: Toast['kind'], text: string, fix?: string, pinHint = false): void {
    const id = this.toastId++;
    this.set({ toasts: [...this.state.toasts, { id, kind, text, fix, ...(pinHint ? { pinHint } : {}) }].slice(-4) });
    setTimeout(() => this.set({ toasts: this.state.toasts.filter((t) => t.id !== id) }), kind === 'error' ? 9000 : 4500);
  }

  fail(e: unknown, title: string): void {
    const err = asError(e);
    this.set({ banner: { ...err, title } });
  }

  // ───────────── drawing feedback (status bar, bench, tests) ─────────────
  /** How long the last seek waited for its maps (ms). */
  lastFetchMs = 0;
  /** Index of the frame the map drew last. */
  lastDrawnIndex: number | null = null;
  /** performance.now() of the map's last draw. */
  lastDrawnAt = 0;
  /** The frame asked for last (it may still be loading). */
  get wantedFrame(): number {
    return this.here;
  }

  drawn(ms: number, index: number | null): void {
    this.framesDrawn++;
    this.lastDrawnIndex = index;
    this.lastDrawnAt = performance.now();
    const at = index !== null ? this.liveSnapshotAt.get(index) : undefined;
    let liveLatencyMs = this.state.liveLatencyMs;
    if (at !== undefined) {
      liveLatencyMs = Date.now() - at;
      this.liveSnapshotAt.delete(index!);
      this.liveLatencies.push(liveLatencyMs);
      if (this.liveLatencies.length > 500) this.liveLatencies.shift();
      this.liveInPage.push(Date.now() - this.liveArrivedAt);
      if (this.liveInPage.length > 500) this.liveInPage.shift();
    }
    // Throttle state updates from draws: they only feed the status bar (after the paint).
    if (Math.abs(ms - this.state.drawMs) > 0.5 || liveLatencyMs !== this.state.liveLatencyMs) this.setAfterPaint({ drawMs: ms, liveLatencyMs });
    const w = this.drawWaiters;
    this.drawWaiters = [];
    for (const f of w) f(ms);
  }

  get drawCount(): number {
    return this.framesDrawn;
  }

  /** Resolves after the next draw of the map. */
  nextDraw(): Promise<number> {
    return new Promise((r) => this.drawWaiters.push(r));
  }
}

export const EVENT_NAMES: Record<EventFilter, string> = {
  memoryError: 'MemoryError',
  breakup: 'heap breaking apart',
  traceback: 'traceback',
  softReboot: 'soft reboot',
  mark: 'mark',
  gap: 'link gap',
  frameLost: 'lost dump',
  any: 'event',
};

export function asError(e: unknown): ServiceError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const x = e as ServiceError;
    return { code: x.code, message: x.message, ...(x.fix ? { fix: x.fix } : {}) };
  }
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() || p;
}

// ───────────── React binding ─────────────
let current: AppStore | null = null;
export function setStore(s: AppStore): void {
  current = s;
}
export function store(): AppStore {
  if (!current) throw new Error('store not set');
  return current;
}

/** Subscribes to a slice of the state; re-renders only when the slice changes (shallow). */
export function useApp<T>(sel: (s: AppState) => T): T {
  const s = store();
  const last = useRef<{ v: T } | null>(null);
  const get = useCallback(() => {
    const v = sel(s.state);
    if (last.current && shallowEqual(last.current.v, v)) return last.current.v;
    last.current = { v };
    return v;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [s, sel]);
  return useSyncExternalStore(s.subscribe, get, get);
}

function shallowEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** Where a finished recording tells its story: the last heap before its first MemoryError, else its last frame. */
export function storyFrame(events: readonly TimelineEvent[], frames: number): number {
  const last = Math.max(0, frames - 1);
  const oom = events.find((e) => e.kind === 'memoryError');
  return oom ? Math.min(last, Math.max(0, oom.snapshot - 1)) : last;
}
