/**
 * A recording written straight into a session file (the CLI, the bench): the board's bytes go
 * to SessionWriter.appendRaw (which parses them), link gaps to addGap. The writer flushes at
 * least every half second, so a killed process leaves a session that opens.
 */
import type { CaptureEvent } from '../../shared/capture/events';
import { SessionWriter, type SessionSummary } from '../session/writer';
import { startRecording, type BoardInfo, type RecordHooks, type RecordOptions, type RecordPhase, type RecordSummary } from './recorder';

export interface SessionRecordOptions extends RecordOptions {
  sessionPath: string;
  /** Extra fields for the session's meta record. */
  meta?: Record<string, unknown>;
}

export interface LiveCounts {
  bytes: number;
  snapshots: number;
  logLines: number;
  memoryErrors: number;
  /** The last MemoryError line, if any. */
  lastMemoryError: string | null;
}

export interface SessionRecordHooks {
  phase?(phase: RecordPhase, message: string, progress?: { done: number; total: number }): void;
  note?(message: string): void;
  /** After every chunk written (events the writer parsed from it). */
  events?(events: CaptureEvent[], counts: LiveCounts): void;
}

export interface SessionRecordResult {
  summary: RecordSummary;
  session: SessionSummary | null;
  counts: LiveCounts;
}

export interface SessionRecordingHandle {
  readonly started: Promise<void>;
  readonly done: Promise<SessionRecordResult>;
  stop(): Promise<SessionRecordResult>;
  readonly counts: LiveCounts;
}

export function recordToSession(opts: SessionRecordOptions, hooks: SessionRecordHooks = {}): SessionRecordingHandle {
  const counts: LiveCounts = { bytes: 0, snapshots: 0, logLines: 0, memoryErrors: 0, lastMemoryError: null };
  let writer: SessionWriter | null = null;
  let writeError: Error | null = null;
  let board: BoardInfo | null = null;
  const pendingGaps: [string, number, number | null][] = [];

  const ensureWriter = (): SessionWriter => {
    if (!writer) {
      writer = SessionWriter.create(opts.sessionPath, {
        title: `Recording of ${opts.port}`,
        source: opts.port === 'virtual' ? 'virtual' : `serial:${opts.port}`,
        port: opts.port,
        run: opts.run.kind === 'script' ? { kind: 'script', path: opts.run.path } : opts.run,
        periodMs: opts.periodMs,
        collect: opts.collect,
        board,
        ...opts.meta,
      }, { onError: (e) => (writeError = e) });
      for (const g of pendingGaps.splice(0)) writer.addGap(...g);
    }
    return writer;
  };

  const recHooks: RecordHooks = {
    phase: (p, m, pr) => {
      // The file exists from the moment streaming begins, with the board's description.
      if (p === 'recording') ensureWriter();
      hooks.phase?.(p, m, pr);
    },
    note: (m) => hooks.note?.(m),
    board: (info) => {
      board = info;
    },
    data: (chunk, hostMs) => {
      if (writeError) return;
      try {
        const events = ensureWriter().appendRaw(chunk, hostMs);
        counts.bytes += chunk.length;
        for (const ev of events) {
          if (ev.type === 'snapshot') counts.snapshots++;
          else if (ev.type === 'log') counts.logLines++;
          else if (ev.type === 'device' && ev.kind === 'memoryError') {
            counts.memoryErrors++;
            counts.lastMemoryError = ev.text;
          }
        }
        hooks.events?.(events, counts);
      } catch (err) {
        writeError = err as Error;
        hooks.note?.(`Could not write the session: ${(err as Error).message}`);
        void handle.stop();
      }
    },
    gap: (reason, start, end) => {
      if (writer) writer.addGap(reason, start, end);
      else pendingGaps.push([reason, start, end]);
    },
  };

  const handle = startRecording(opts, recHooks);
  const finish = async (): Promise<SessionRecordResult> => {
    const summary = await handle.done;
    let session: SessionSummary | null = null;
    const w = writer as SessionWriter | null;
    if (w && !w.closed) {
      try {
        const last = w.end();
        for (const ev of last) if (ev.type === 'snapshot') counts.snapshots++;
        session = w.close();
      } catch (err) {
        writeError ??= err as Error;
      }
    }
    if (writeError && !summary.error) {
      summary.error = writeError;
      summary.endedBy = 'failed';
    }
    return { summary, session, counts };
  };
  const done = finish();
  return {
    started: handle.started,
    done,
    stop: async () => {
      await handle.stop();
      return done;
    },
    counts,
  };
}
