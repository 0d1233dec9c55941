/**
 * HeapScope's ONE service API: what the renderer (or any client) may ask the main process,
 * and what the main process pushes back. The same `HeapScopeApi` is carried by Electron IPC
 * (preload → `window.heapscope`) and by the WebSocket bridge (`heapscope serve`); the renderer
 * calls `connectApi()` and never knows which.
 *
 * Pure: no Node, DOM or Electron imports. Every request payload has a zod schema
 * (`requestSchemas()`), checked on the main side whichever bridge carried it. zod is only
 * touched inside functions, so a renderer importing this module for its types, clients and
 * constants does not bundle it.
 *
 * Wire protocol (WebSocket):
 *   client → server  { id: number, method: MethodName, params: <payload> }   (JSON text)
 *   server → client  { id, ok: true, result } | { id, ok: false, error: ServiceError }
 *   server → client  { event: ServiceEvent }            (push channel, no id)
 * A server message that holds typed arrays (block kinds, the frame series, a film strip) is one
 * binary message (wireFrame.ts), the rest JSON text; over IPC structured clone carries them.
 * Clients always see the typed arrays.
 */
import { z } from 'zod';
import type { PrintedFigures, AddressStyle, DumpFraming, SnapshotIndexEntry as StoredSnapshotEntry } from './heap/snapshot';
import type { SnapshotMetrics } from './heap/metrics';
import type { DeviceEventKind } from './capture/events';
import type { ObjectsAnswer } from './lifetimes/objects';
import { unpackMessage } from './wireFrame';

export const API_VERSION = 1;

// ───────────────────────────────────────────── errors ─────────────────────────────────────

export type ServiceErrorCode =
  | 'BAD_REQUEST' // payload failed validation (message says which field and why)
  | 'UNKNOWN_METHOD'
  | 'NO_SESSION' // no session is open
  | 'NOT_FOUND' // file, port, snapshot index or demo does not exist
  | 'PERMISSION' // OS refused (serial port group, file permissions)
  | 'BUSY' // already recording, port in use, job running
  | 'EXISTS' // the file to write exists: nothing was written (ask, then send `overwrite: true`)
  | 'BAD_FILE' // a session/capture that cannot be read (newer writer, damaged, not a capture)
  | 'BOARD' // the board did not answer / refused / went away
  | 'CANCELLED' // a job was cancelled by the user
  | 'UNSUPPORTED' // not available over this bridge (e.g. native dialogs in a browser)
  | 'INTERNAL';

/** An error in words: what happened, and what to do about it. Never a stack trace. */
export interface ServiceError {
  code: ServiceErrorCode;
  message: string;
  /** What the user can do, e.g. "add your user to the dialout group, then log in again". */
  fix?: string;
}

/** Thrown by clients when a call fails; carries the ServiceError. */
export class ApiError extends Error implements ServiceError {
  readonly code: ServiceErrorCode;
  readonly fix?: string;
  constructor(e: ServiceError) {
    super(e.message);
    this.name = 'ApiError';
    this.code = e.code;
    if (e.fix !== undefined) this.fix = e.fix;
  }
  toJSON(): ServiceError {
    return { code: this.code, message: this.message, ...(this.fix ? { fix: this.fix } : {}) };
  }
}

// ───────────────────────────────────────────── data types ──────────────────────────────────

export interface PortInfo {
  /** What to pass to startRecording: an OS path (`/dev/ttyACM0`, `COM3`) or `virtual`. */
  path: string;
  /** Friendly name: board name from USB ids, or "Virtual board (MicroPython 1.27, WebAssembly)". */
  name: string;
  kind: 'serial' | 'virtual';
  /** A recognised board, or a USB-serial bridge boards use (by USB ids). */
  known?: boolean;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  /** True for the port HeapScope would pick by default (the last used, else a board, else virtual). */
  preferred?: boolean;
  /** On the virtual board's entry when serial ports could not be listed: why (e.g. the serial driver failed to load). */
  problem?: string;
}

export interface DemoInfo {
  /** Id to pass as `demo` in startRecording (runs on the virtual board). */
  id: string;
  title: string;
  description: string;
}

export type RunSpec =
  | { kind: 'main' } // the board's own main.py
  | { kind: 'script'; path: string } // a file from this computer, run from RAM
  | { kind: 'attach' }; // start nothing: dump while whatever runs keeps running

export interface StartRecordingRequest {
  port: string;
  run: RunSpec;
  /** On the virtual board: a demo program to run (overrides `run`). */
  demo?: string;
  /** Dump period in ms (50 … 600000). */
  periodMs: number;
  /** Run gc.collect() before each dump. */
  collect: boolean;
  /** Where to write the session; default: the sessions folder with a dated name. */
  sessionPath?: string;
  /** How dumps are made (default auto: a timer where the board has one, else an asyncio task, else the program's calls). */
  dumps?: 'auto' | DumpMode;
}

/** timer: machine.Timer; async: a task in the program's asyncio loop; calls: the program's mem_dump.dump() calls. */
export type DumpMode = 'timer' | 'async' | 'calls';

export type RecordingPhase =
  | 'opening' // opening the port / starting the virtual board
  | 'takingControl' // interrupting, entering raw REPL
  | 'identifying' // reading the board's version and platform
  | 'installingHelper' // putting mem_dump.py on the board / in RAM
  | 'starting' // starting the program with periodic dumps
  | 'recording' // streaming
  | 'stopping'
  | 'stopped'
  | 'failed';

export interface RecordingStatus {
  phase: RecordingPhase;
  port: string;
  sessionPath: string;
  startedAt: number; // host ms (Date.now())
  /** Words for the UI ("Uploading the helper (3.1 of 4.2 KB)"). */
  message: string;
  /** For phases with measurable progress. */
  progress?: { done: number; total: number };
  bytes: number;
  snapshots: number;
  /** Link's estimated cost per dump, bytes; known once the first dump arrived. */
  bytesPerDump?: number;
  /** How dumps are made on this board (known after identifying it). */
  dumps?: DumpMode;
  /** One dump measured after identifying the board: bytes, and board ms to print it on this link. */
  dumpCost?: { bytes: number; boardMs: number };
  /** In words, when a dump takes longer than the period. */
  dumpWarning?: string;
  /** In words, what this board cannot show (CircuitPython: heap totals only, no map). */
  limits?: string;
}

export interface SessionMeta {
  path: string;
  /** The file's name, for the title bar. */
  name: string;
  /** Where its bytes came from. */
  source: 'recording' | 'import';
  /** For imports: the capture file. For recordings: the port. */
  origin?: string;
  board?: { name?: string; version?: string; platform?: string; machine?: string };
  /** Recordings: what ran ("Demo: Fragment", "main.py", "leak.py", "attached"). */
  program?: string;
  /** Host ms when recording started / the import ran. */
  createdAt: number;
  /** Raw capture size in bytes. */
  rawBytes: number;
  /** File format version of the session file. */
  formatVersion?: number;
  /** Still being written (live). */
  live: boolean;
}

export interface SnapshotIndexEntry extends StoredSnapshotEntry {
  /** Number of log lines before this dump: the log lines of frame i are [logLine(i-1), logLine(i)). */
  logLine: number;
}

/** Non-log events, for the timeline markers. */
export interface TimelineEvent {
  /** Position among timeline events. */
  i: number;
  type: 'device' | 'mark' | 'gap';
  /** device: its kind; mark: 'mark'; gap: 'gap'. */
  kind: DeviceEventKind | 'mark' | 'gap';
  text: string;
  line: number;
  byteOffset: number;
  /** Snapshots before it (the event sits between snapshot n-1 and n). */
  snapshot: number;
  /** Log lines before it. */
  logLine: number;
  deviceMs?: number | null;
  hostMs?: number | null;
  /** memoryError: size of the failed request. */
  bytes?: number;
  /** frameLost: number of lost frames. */
  lost?: number;
}

/**
 * Per-frame figures of the whole session, a few bytes per frame (typed arrays, not an object
 * per entry), for a timeline over a day-long session; `events` are the timeline events (not log
 * lines). NaN marks a figure the dump did not give.
 */
export interface FrameSeries {
  frames: number;
  usedBytes: Float32Array;
  freeBytes: Float32Array;
  largestFreeBytes: Float32Array;
  fragmentation: Float32Array;
  /** Host clock ms when known, else the board's clock, else NaN. */
  timeMs: Float64Array;
  /** Log lines before each frame (SnapshotIndexEntry.logLine). */
  logLine: Uint32Array;
  events: TimelineEvent[];
  logLineCount: number;
}

/**
 * `snapshots` are the entries of frames [from, from + count) of `snapshotCount`: all of them for
 * a session of up to 20,000 frames (asked with no range), else a page of at most 20,000 (ask
 * with `from`, or use getFrameSeries: a few bytes per frame).
 */
export interface SessionInfo {
  meta: SessionMeta;
  snapshots: SnapshotIndexEntry[];
  snapshotCount: number;
  from: number;
  events: TimelineEvent[];
  logLineCount: number;
}

export interface SessionInfoRequest {
  from?: number;
  count?: number;
}

export interface SnapshotArea {
  address: string;
  blocks: number;
  /** One byte per block, see heap/blockKinds.ts. */
  kinds: Uint8Array;
}

export interface SnapshotData {
  index: number;
  blockSize: number | null;
  addressStyle: AddressStyle | null;
  areas: SnapshotArea[];
}

export interface LogLine {
  /** 0-based position among log lines. */
  n: number;
  text: string;
  /** 1-based line in the raw capture. */
  line: number;
  /** Snapshots before this line (the line was printed between snapshot s-1 and s). */
  snapshot: number;
  /** Host ms when received (live recordings), else null. */
  hostMs: number | null;
  /** Set when the line is also a device event (traceback, MemoryError, soft reboot…). */
  device?: DeviceEventKind;
}

export interface LogLinesResult {
  from: number;
  lines: LogLine[];
  /** Total log lines in the session now. */
  total: number;
}

export interface SearchLogRequest {
  query: string;
  regex?: boolean;
  caseSensitive?: boolean;
  /** Start at this line (inclusive). */
  from?: number;
  /** At most this many matches (default 1000, max 100000). */
  limit?: number;
  /** Chosen by the client so `cancelJob` can stop the search; default generated. */
  jobId?: string;
}

export interface SearchLogResult {
  /** Log line numbers (`LogLine.n`) that match, ascending. */
  matches: number[];
  /** More matches exist past `limit`. */
  truncated: boolean;
}

/** perfetto: Chrome trace-event JSON for ui.perfetto.dev (counters and instant events). */
export type ExportFormat = 'csv' | 'json' | 'raw' | 'png' | 'gif' | 'perfetto';

export interface ExportRequest {
  format: ExportFormat;
  /** Snapshot range, inclusive (csv/json/gif; raw exports the bytes of that range of dumps). Default: all. */
  range?: { from: number; to: number };
  /** png: which snapshot (default range.from, else 0). */
  snapshot?: number;
  /** Destination; default: beside the session, with a derived name. */
  path?: string;
  /** png/gif: palette variant. Default 'light'. */
  theme?: 'light' | 'dark';
  /** png/gif: pixels per block side (1…16). Default 4 for png, 2 for gif. */
  scale?: number;
  /** gif: frames per second (1…60). Default 10. */
  fps?: number;
  /** Chosen by the client so it can cancel before the call returns; default generated. */
  jobId?: string;
  /** Replace `path` if it exists (the user was asked). Default: refuse with EXISTS. */
  overwrite?: boolean;
}

export interface ExportResult {
  jobId: string;
  format: ExportFormat;
  path: string;
  bytes: number;
  /** Rows (csv), snapshots (json), frames (gif), 1 (png), bytes (raw). */
  items: number;
}

// ── object lifetimes (getLifetimes; see src/shared/lifetimes/) ──

export interface LifetimesRequest {
  /** The frame to blame by phase (default: the last). */
  frame?: number;
}

export interface LeakSummary {
  verdict: 'leaking' | 'steady' | 'unknown';
  bytesPerMinute: number | null;
  forecastMs: number | null;
  forecastLimit: 'full' | 'largestFreeRun' | null;
  groups: Array<{ kind: string; size: number; count: number; bornNear: string }>;
  reason: string;
  /** Snapshot indexes: warm-up's end and the start of the last stretch. */
  window: { from: number; to: number } | null;
  /** Objects behind the verdict. */
  survivors: number;
}

export interface LifetimesResult {
  /** Frames with a map tracked so far. */
  frames: number;
  /** The frame blamed. */
  frame: number;
  leak: LeakSummary;
  /** The objects alive at `frame` by the line or mark they were born during, most bytes first. */
  blame: Array<{ phase: string; kind: 'log' | 'mark' | 'start'; example: string; line: number; count: number; blocks: number; bytes: number }>;
}

/** getObjects: the objects alive at a frame, or New / Gone / Survived from `from` to `frame`. */
export interface ObjectsRequest {
  frame: number;
  from?: number;
}

export type { ObjectColumns, ObjectsAnswer as ObjectsResult } from './lifetimes/objects';

/** getFilmStrip: the whole session as one picture (see src/shared/view/filmStrip.ts). */
export interface FilmStripRequest {
  /** At most this many columns (1…4096): every frame if they fit, else one per evenly spaced stretch of frames (see FilmStrip.frames). */
  columns: number;
  /** Address bins per column (16…1024). */
  rows: number;
}

export interface FilmStrip {
  /** The frame (snapshot index) each column shows, ascending; the first and last frame always. */
  frames: number[];
  rows: number;
  /**
   * `frames.length × rows` class bytes, column-major: column c is `data[c*rows … (c+1)*rows)`,
   * top row first (lowest address). A class is a block kind code (`.` mostly free, a head
   * letter for the kind owning most of the bin, `=` tails without a head, 0 lost blocks) or
   * 1 for a frame with no map.
   */
  data: Uint8Array;
}

export interface RecentSession {
  path: string;
  name: string;
  openedAt: number;
  /** Still on disk. */
  exists: boolean;
  /** What the session holds, noted when it was last opened or recorded (absent for older entries). */
  summary?: SessionSummary;
}

/** A session at a glance, for the recent list (see shared/view/sessionSummary.ts). */
export interface SessionSummary {
  source: 'recording' | 'import';
  /** "Virtual board", the identified board, or the port. */
  board?: string;
  /** What ran (SessionMeta.program), or "import of capture.txt". */
  program?: string;
  /** First to last dump (host clock, else the board's); null when unknown. */
  durationMs: number | null;
  frames: number;
  /** The first MemoryError, with the size asked when the board said it. */
  memoryError: { bytes: number | null } | null;
}

export interface ServiceStatus {
  apiVersion: number;
  /** 'ipc' in Electron, 'ws' in a browser. Filled in by the client. */
  bridge: 'ipc' | 'ws' | 'direct';
  /** Native file dialogs available (Electron only). */
  dialogs: boolean;
  recording: RecordingStatus | null;
  session: SessionMeta | null;
}

export interface FileDialogRequest {
  mode: 'open' | 'save';
  purpose: 'session' | 'capture' | 'script' | 'export';
  title?: string;
  defaultPath?: string;
  filters?: { name: string; extensions: string[] }[];
}

// ───────────────────────────────────────────── push events ─────────────────────────────────

export type ServiceEvent =
  /** Recording phases and counters (on every phase change, and ≤ 4×/s while recording). */
  | { type: 'recording'; status: RecordingStatus }
  /** A session was opened, imported, or a recording began: reload getSessionInfo. */
  | { type: 'session'; meta: SessionMeta | null }
  /** Live: a snapshot was appended. `data` is included so it is drawn without a round trip. */
  | {
      type: 'snapshot';
      entry: SnapshotIndexEntry;
      data: SnapshotData;
      /** Host clock (ms) when the service pushed it: the window times the hops (last byte → push → page). */
      pushedMs?: number;
    }
  /** Live: log lines were appended. */
  | { type: 'log'; lines: LogLine[]; total: number }
  /** Live: a timeline event was appended. */
  | { type: 'event'; event: TimelineEvent }
  /** Progress of a long job (export, import). */
  | {
      type: 'progress';
      jobId: string;
      job: 'export' | 'import';
      phase: string;
      done: number;
      total: number;
      finished?: boolean;
    }
  /** Something went wrong outside a call (board unplugged while recording…). */
  | { type: 'error'; error: ServiceError }
  /** Electron only: a native menu item the renderer handles (it knows the playhead and range). */
  | { type: 'menu'; command: MenuCommand };

/**
 * Menu items the renderer carries out. (Open, Import, Save As and Open Recent are done by the
 * main process itself, which then pushes a 'session' event.)
 */
export type MenuCommand = 'export' | 'record' | 'stop' | 'find' | 'keys' | 'pinA' | 'pinB' | 'zoomIn' | 'zoomOut';

// ───────────────────────────────────────────── request schemas ─────────────────────────────

/** Every method name, in one list (the single source of method names). */
export const METHOD_NAMES = [
  'getStatus',
  'listPorts',
  'listDemos',
  'startRecording',
  'stopRecording',
  'addMark',
  'openSession',
  'importCapture',
  'closeSession',
  'saveSessionAs',
  'getSessionInfo',
  'getFrameSeries',
  'getSnapshot',
  'getFilmStrip',
  'getLifetimes',
  'getObjects',
  'getLogLines',
  'searchLog',
  'exportSession',
  'cancelJob',
  'recentSessions',
  'chooseFile',
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];

/**
 * The zod schema of every method's payload. Built on first use, inside a function, so a page
 * that imports this module for its types, clients or constants does not load zod at all.
 */
function buildSchemas() {
  const pathString = z
    .string()
    .min(1, 'a path is required')
    .max(4096, 'path is too long')
    .refine((s) => !s.includes('\0'), 'path contains a NUL byte');
  const index = z.number().int().min(0).max(2 ** 31);
  const jobId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'jobId: 1–64 letters, digits, _ or -');
  const none = z.undefined().or(z.null()).or(z.object({}).strict()).optional();

  const runSpec = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('main') }).strict(),
    z.object({ kind: z.literal('script'), path: pathString }).strict(),
    z.object({ kind: z.literal('attach') }).strict(),
  ]);

  const startRecording = z
    .object({
      port: z.string().min(1, 'pick a port').max(1024),
      run: runSpec,
      demo: z.string().min(1).max(200).optional(),
      periodMs: z.number().int().min(50, 'dump period must be ≥ 50 ms').max(600_000),
      collect: z.boolean(),
      sessionPath: pathString.optional(),
      dumps: z.enum(['auto', 'timer', 'async', 'calls']).optional(),
    })
    .strict();

  const range = z
    .object({ from: index, to: index })
    .strict()
    .refine((r) => r.to >= r.from, 'range.to must be ≥ range.from');

  const exportSession = z
    .object({
      format: z.enum(['csv', 'json', 'raw', 'png', 'gif', 'perfetto']),
      range: range.optional(),
      snapshot: index.optional(),
      path: pathString.optional(),
      theme: z.enum(['light', 'dark']).optional(),
      scale: z.number().int().min(1).max(16).optional(),
      fps: z.number().int().min(1).max(60).optional(),
      jobId: jobId.optional(),
      overwrite: z.boolean().optional(),
    })
    .strict();

  const searchLog = z
    .object({
      query: z.string().min(1, 'type something to search for').max(1000),
      regex: z.boolean().optional(),
      caseSensitive: z.boolean().optional(),
      from: index.optional(),
      limit: z.number().int().min(1).max(100_000).optional(),
      jobId: jobId.optional(),
    })
    .strict();

  const chooseFile = z
    .object({
      mode: z.enum(['open', 'save']),
      purpose: z.enum(['session', 'capture', 'script', 'export']),
      title: z.string().max(200).optional(),
      defaultPath: pathString.optional(),
      filters: z
        .array(z.object({ name: z.string().max(100), extensions: z.array(z.string().max(20)).max(20) }).strict())
        .max(20)
        .optional(),
    })
    .strict();

  const methods = {
    getStatus: none,
    listPorts: none,
    listDemos: none,
    startRecording,
    stopRecording: none,
    /** Mark the live recording ("here I pressed the button"). */
    addMark: z.object({ label: z.string().min(1).max(200) }).strict(),
    openSession: z.object({ path: pathString }).strict(),
    importCapture: z.object({ path: pathString, sessionPath: pathString.optional(), jobId: jobId.optional(), overwrite: z.boolean().optional() }).strict(),
    closeSession: none,
    saveSessionAs: z.object({ path: pathString, overwrite: z.boolean().optional() }).strict(),
    getSessionInfo: z.undefined().or(z.null()).or(z.object({ from: index.optional(), count: z.number().int().min(0).max(20_000).optional() }).strict()).optional(),
    getFrameSeries: none,
    getSnapshot: z.object({ index }).strict(),
    getFilmStrip: z
      .object({
        columns: z.number().int().min(1, 'columns must be ≥ 1').max(4096, 'columns must be ≤ 4096'),
        rows: z.number().int().min(16, 'rows must be ≥ 16').max(1024, 'rows must be ≤ 1024'),
      })
      .strict(),
    getLifetimes: z.object({ frame: index.optional() }).strict(),
    getObjects: z.object({ frame: index, from: index.optional() }).strict(),
    getLogLines: z.object({ from: index, count: z.number().int().min(0).max(10_000) }).strict(),
    searchLog,
    exportSession,
    cancelJob: z.object({ jobId: z.string().min(1).max(64) }).strict(),
    recentSessions: none,
    chooseFile,
  } satisfies Record<MethodName, z.ZodType>;

  const wireRequest = z
    .object({
      id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
      method: z.string().max(64),
      params: z.unknown().optional(),
    })
    .strict();

  return { methods, wireRequest };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | null = null;

/** The request schemas (zod), by method name. */
export function requestSchemas(): Schemas['methods'] {
  schemas ??= buildSchemas();
  return schemas.methods;
}

/** The schema of a WebSocket request envelope `{ id, method, params }`. */
export function wireRequestSchema(): Schemas['wireRequest'] {
  schemas ??= buildSchemas();
  return schemas.wireRequest;
}

export type RequestPayload<M extends MethodName> = z.infer<Schemas['methods'][M]>;

// ───────────────────────────────────────────── the API ─────────────────────────────────────

/** The one API. Every method rejects with an `ApiError` (code, message, fix). */
export interface HeapScopeApi {
  getStatus(): Promise<ServiceStatus>;
  listPorts(): Promise<PortInfo[]>;
  listDemos(): Promise<DemoInfo[]>;
  /** Resolves once recording is under way (phase 'recording'); phases are pushed meanwhile. */
  startRecording(req: StartRecordingRequest): Promise<RecordingStatus>;
  /** Resolves when the session is closed on disk; it stays open for replay. */
  stopRecording(): Promise<SessionMeta | null>;
  addMark(req: { label: string }): Promise<void>;
  openSession(req: { path: string }): Promise<SessionMeta>;
  /** Imports a terminal log with mem_info dumps into a new session, and opens it. */
  /** `overwrite`: replace an existing `sessionPath` (else EXISTS). */
  importCapture(req: { path: string; sessionPath?: string; jobId?: string; overwrite?: boolean }): Promise<SessionMeta>;
  closeSession(): Promise<void>;
  /** `overwrite`: replace an existing file (else EXISTS). */
  saveSessionAs(req: { path: string; overwrite?: boolean }): Promise<SessionMeta>;
  /** With no range: every frame's entry up to 20,000 frames, else the first 20,000 (see SessionInfo). */
  getSessionInfo(req?: SessionInfoRequest): Promise<SessionInfo>;
  /** Per-frame figures of the whole session as typed arrays; a session file serves them without building its index as objects. */
  getFrameSeries(): Promise<FrameSeries>;
  getSnapshot(req: { index: number }): Promise<SnapshotData>;
  /** The film strip of the open session: time across, address down, one class byte per bin. */
  getFilmStrip(req: FilmStripRequest): Promise<FilmStrip>;
  /** Object lifetimes of the open session: the leak verdict, and blame by phase at a frame. */
  getLifetimes(req: LifetimesRequest): Promise<LifetimesResult>;
  /** Objects with their births (for the map's age colouring and hover), or an object-level A → B comparison. */
  getObjects(req: ObjectsRequest): Promise<ObjectsAnswer>;
  getLogLines(req: { from: number; count: number }): Promise<LogLinesResult>;
  searchLog(req: SearchLogRequest): Promise<SearchLogResult>;
  exportSession(req: ExportRequest): Promise<ExportResult>;
  cancelJob(req: { jobId: string }): Promise<void>;
  recentSessions(): Promise<RecentSession[]>;
  /** Native dialog (Electron). Over the WebSocket: rejects with UNSUPPORTED. */
  chooseFile(req: FileDialogRequest): Promise<{ path: string | null }>;
  /** Subscribe to pushed events; returns the unsubscribe function. */
  onEvent(listener: (e: ServiceEvent) => void): () => void;
}

/** Method results, by name (for bridges). */
export type MethodResult<M extends MethodName> = Awaited<ReturnType<HeapScopeApi[M]>>;

/** Validates a payload; returns it parsed or throws an ApiError('BAD_REQUEST') in words. */
export function validateRequest<M extends MethodName>(method: M, params: unknown): RequestPayload<M> {
  const schema = isMethodName(method) ? (requestSchemas()[method] as z.ZodType) : undefined;
  if (!schema) throw new ApiError({ code: 'UNKNOWN_METHOD', message: `Unknown method "${String(method)}".` });
  const r = schema.safeParse(params);
  if (!r.success) {
    const what = r.error.issues
      .map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`)
      .join('; ');
    throw new ApiError({
      code: 'BAD_REQUEST',
      message: `Invalid request to ${method}: ${what}.`,
      fix: 'This is a bug in the client that sent it; reload the window.',
    });
  }
  return r.data as RequestPayload<M>;
}

const METHOD_SET: ReadonlySet<string> = new Set(METHOD_NAMES);

export function isMethodName(s: unknown): s is MethodName {
  return typeof s === 'string' && METHOD_SET.has(s);
}

// ───────────────────────────────────────────── wire (WebSocket) ────────────────────────────

export type WireRequest = { id: number; method: MethodName; params?: unknown };
export type WireResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: ServiceError };
export type WireEvent = { event: ServiceEvent };

// ───────────────────────────────────────────── clients ─────────────────────────────────────

/** Builds a HeapScopeApi from a generic `call(method, params)` and an event subscription. */
export function makeApi(
  call: (method: MethodName, params: unknown) => Promise<unknown>,
  subscribe: (listener: (e: ServiceEvent) => void) => () => void,
): HeapScopeApi {
  const api: Record<string, unknown> = { onEvent: subscribe };
  for (const m of METHOD_NAMES) api[m] = (params?: unknown) => call(m, params);
  return api as unknown as HeapScopeApi;
}

/** Minimal WebSocket shape (the browser's, or `ws`'s in Node tests). */
export interface WebSocketLike {
  readyState: number;
  binaryType?: string;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (ev: any) => void): void;
}

/** Where a WebSocket client's connection is. */
export type ConnectionState = 'connecting' | 'open' | 'closed';

/** The API over the WebSocket bridge, plus the connection around it. */
export interface WsClient extends HeapScopeApi {
  /** Resolves once the socket is open; rejects (an ApiError) if it never opens. */
  readonly ready: Promise<void>;
  state(): ConnectionState;
  /** Called on every state change ('open', then 'closed'); returns the unsubscribe function. */
  onConnection(listener: (s: ConnectionState) => void): () => void;
  close(): void;
}

/** Close codes by which the bridge (or a proxy) refuses a page: policy violation, no/wrong token. */
const REFUSED_CODES: ReadonlySet<number> = new Set([1008, 4401, 4403]);

/**
 * Connects to the WebSocket bridge. `url` like `ws://127.0.0.1:PORT/ws?token=TOKEN`.
 * Calls made before the socket opens are queued. If the socket closes (or never opens),
 * pending and later calls reject with an ApiError saying why and what to do.
 */
export function createWsClient(url: string, WebSocketCtor: new (url: string) => WebSocketLike = (globalThis as any).WebSocket): WsClient {
  let nextId = 1;
  let conn: ConnectionState = 'connecting';
  let closedError: ApiError | null = null;
  const pending = new Map<number, { method: MethodName; resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const queue: string[] = [];
  const listeners = new Set<(e: ServiceEvent) => void>();
  const connListeners = new Set<(s: ConnectionState) => void>();
  const setState = (s: ConnectionState) => {
    conn = s;
    for (const l of [...connListeners]) l(s);
  };
  let resolveReady!: () => void;
  let rejectReady!: (e: unknown) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => undefined);

  const ws = new WebSocketCtor(url);
  // Binary messages (typed arrays, see wireFrame.ts) as ArrayBuffers, in browsers and in `ws`.
  ws.binaryType = 'arraybuffer';
  ws.addEventListener('open', () => {
    if (conn === 'closed') return;
    for (const q of queue) ws.send(q);
    queue.length = 0;
    setState('open');
    resolveReady();
  });
  /** The connection is gone: once only (an 'error' is followed by a 'close'). */
  const fail = (message: string, fix: string) => {
    if (conn === 'closed') return;
    closedError = new ApiError({ code: 'INTERNAL', message, fix });
    queue.length = 0;
    setState('closed');
    rejectReady(closedError);
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.reject(closedError);
  };
  const RETRY = 'Check that `heapscope serve` is still running, then reload the page (the URL with its token).';
  ws.addEventListener('close', (ev: { code?: number }) => {
    if (REFUSED_CODES.has(ev?.code ?? 0)) {
      fail('HeapScope refused this page (the token is missing or wrong).', 'Open the URL that `heapscope serve` printed: it carries the token.');
    } else {
      fail('The connection to HeapScope was closed.', RETRY);
    }
  });
  ws.addEventListener('error', () => fail('Could not reach HeapScope.', RETRY));
  ws.addEventListener('message', (ev: { data: unknown }) => {
    let msg: any;
    try {
      const d = ev.data;
      if (typeof d === 'string') msg = JSON.parse(d);
      else if (d instanceof ArrayBuffer) msg = unpackMessage(d);
      // Node's `ws` may hand a Buffer (a view of a pooled buffer): its own aligned copy.
      else if (ArrayBuffer.isView(d)) msg = unpackMessage(new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice().buffer);
      else return;
    } catch {
      return;
    }
    if (msg && msg.event) {
      const e = msg.event as ServiceEvent;
      for (const l of [...listeners]) l(e);
      return;
    }
    const p = pending.get(msg?.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new ApiError(msg.error ?? { code: 'INTERNAL', message: 'The service failed without saying why.' }));
  });
  const call = (method: MethodName, params: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      if (closedError) {
        reject(closedError);
        return;
      }
      const id = nextId++;
      pending.set(id, { method, resolve, reject });
      const text = JSON.stringify(params === undefined ? { id, method } : { id, method, params });
      if (ws.readyState === 1) ws.send(text);
      else queue.push(text);
    });
  const subscribe = (l: (e: ServiceEvent) => void) => {
    listeners.add(l);
    return () => void listeners.delete(l);
  };
  const api = makeApi(call, subscribe) as Omit<WsClient, 'ready'> & { ready: Promise<void> };
  api.ready = ready;
  api.state = () => conn;
  api.onConnection = (l) => {
    connListeners.add(l);
    return () => void connListeners.delete(l);
  };
  api.close = () => ws.close();
  const getStatus = api.getStatus;
  api.getStatus = async () => ({ ...(await getStatus()), bridge: 'ws' });
  return api;
}

/** The name under which the preload exposes the API in Electron: `window.heapscope`. */
export const PRELOAD_GLOBAL = 'heapscope';
/** The preload's one function beside the API: a dropped File's path on disk (Electron's webUtils.getPathForFile). */
export const PRELOAD_PATH_FOR_FILE = 'pathForFile';
/** IPC channel names (Electron). */
export const IPC_INVOKE = 'heapscope:invoke';
export const IPC_EVENT = 'heapscope:event';

/**
 * What the Electron preload exposes as `window.heapscope`: a transport, not the API itself, so
 * errors keep their code and fix across contextBridge (which keeps only an Error's message).
 * `connectApi()` turns it into a HeapScopeApi.
 */
export interface PreloadBridge {
  invoke(method: MethodName, params: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: ServiceError }>;
  onEvent(listener: (e: ServiceEvent) => void): () => void;
}

/** A HeapScopeApi over the preload's transport. */
export function apiFromPreload(bridge: PreloadBridge): HeapScopeApi {
  const api = makeApi(
    async (m, p) => {
      const r = await bridge.invoke(m, p);
      if (r.ok) return r.result;
      throw new ApiError(r.error);
    },
    (l) => bridge.onEvent(l),
  );
  const getStatus = api.getStatus;
  api.getStatus = async () => ({ ...(await getStatus()), bridge: 'ipc' });
  return api;
}

let connected: HeapScopeApi | null = null;

/**
 * For the renderer: the API whichever bridge carries it (one instance per page). In Electron,
 * over the preload's `window.heapscope`; in a browser, a WebSocket to the page's own origin
 * with the page's `?token=` (the `serve` URL).
 */
export function connectApi(): HeapScopeApi {
  if (connected) return connected;
  connected = connectApiUncached();
  return connected;
}

function connectApiUncached(): HeapScopeApi {
  const g = globalThis as any;
  if (g[PRELOAD_GLOBAL]) return apiFromPreload(g[PRELOAD_GLOBAL] as PreloadBridge);
  const loc = g.location as { protocol: string; host: string; search: string } | undefined;
  if (!loc) throw new Error('connectApi: no preload API and no page location');
  return createWsClient(wsUrlFor(loc));
}

/** The WebSocket URL for a page served by `heapscope serve`: its own origin, and its `?token=`. */
export function wsUrlFor(loc: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${loc.host}/ws?token=${encodeURIComponent(token)}`;
}
