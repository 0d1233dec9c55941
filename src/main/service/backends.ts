/**
 * The service's two back ends, as interfaces: where sessions are stored (SessionStore) and
 * how a board is recorded (Recorder). The defaults wire them to src/main/session and
 * src/main/record; tests may pass their own.
 */
import type { RecordingPhase, SessionMeta, StartRecordingRequest } from '../../shared/api';
import type { IndexDelta } from './indexBuilder';
import type { SessionView } from './sessionView';

export interface JobHooks {
  signal?: AbortSignal;
  onProgress?(phase: string, done: number, total: number): void;
}

/** A session being written live: feed bytes, read the index at any time. */
export interface LiveSession {
  view: SessionView;
  feed(chunk: Uint8Array, hostMs: number): IndexDelta;
  gap(reason: string, hostMsStart: number, hostMsEnd: number | null): IndexDelta;
  mark(label: string, hostMs: number): IndexDelta;
  setBoard(board: SessionMeta['board']): void;
  /** Ends the recording: flushes the last dump and closes the file. */
  finish(): Promise<IndexDelta>;
  /**
   * Where to tell about the disk: it is full (`warning`, at once), there is room again
   * (`resumed`), and events of the board's output held meanwhile, written late (`delta`).
   */
  watch?(hooks: LiveSessionHooks): void;
}

export interface LiveSessionHooks {
  warning(err: Error): void;
  resumed(message: string): void;
  delta(d: IndexDelta): void;
}

export interface SessionStore {
  /** Opens a session file, or a raw capture (read as an import without writing anything). */
  open(path: string, hooks?: JobHooks): Promise<SessionView>;
  /** Reads a capture and writes it as a session at `sessionPath`; returns it open. */
  importCapture(capturePath: string, sessionPath: string, hooks?: JobHooks): Promise<SessionView>;
  /** Starts a session file for a live recording. */
  createLive(sessionPath: string, meta: SessionMeta): Promise<LiveSession>;
  /** Writes an open session to another path (Save As). */
  saveAs(view: SessionView, path: string): Promise<void>;
  /** The file extension of session files, with the dot. */
  readonly extension: string;
}

export interface RecorderHooks {
  phase(phase: RecordingPhase, message: string, progress?: { done: number; total: number }): void;
  /** Bytes from the board, as they arrive. */
  data(chunk: Uint8Array, hostMs: number): void;
  /** The link went away (and maybe came back). */
  gap(reason: string, hostMsStart: number, hostMsEnd: number | null): void;
  /** What the board said it is. */
  board(info: NonNullable<SessionMeta['board']>): void;
  /** How dumps are made, one dump's measured cost, and a warning when it exceeds the period. */
  dumping?(how: { mode: import('../../shared/api').DumpMode | null; cost: { bytes: number; boardMs: number } | null; warning: string | null; limits: string | null }): void;
  /** The recording ended on its own (board gone for good, program ended) or failed. */
  ended(err?: unknown): void;
}

export interface RecorderHandle {
  stop(): Promise<void>;
}

export interface Recorder {
  /** Resolves once streaming has begun (phase 'recording'); rejects in words if it could not. */
  start(req: StartRecordingRequest & { sessionPath: string }, hooks: RecorderHooks, signal: AbortSignal): Promise<RecorderHandle>;
}

export interface PortLister {
  list(): Promise<import('../../shared/api').PortInfo[]>;
}

export interface DemoLister {
  list(): Promise<import('../../shared/api').DemoInfo[]>;
}
