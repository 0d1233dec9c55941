/**
 * A recording written straight into a session file (the CLI, the bench): the board's bytes go
 * to SessionWriter.appendRaw (which parses them), link gaps to addGap. The writer flushes at
 * least every half second, so a killed process leaves a session that opens.
 *
 * The bytes are parsed and written in batches, BATCH_MS apart, not as each read brings them:
 * a terminal gives at most 4 KB per read, about 300 reads a second at full-speed USB, and the
 * parser and the writer's coding tables start cold on every wake-up (other processes ran in
 * between). Nothing here is shown live faster than once a second (the CLI's counter), and a
 * killed process loses at most the batch on top of the writer's flush interval.
 */
import type { CaptureEvent } from '../../shared/capture/events';
import { SessionWriter, type SessionSummary } from '../session/writer';
import { formatBytes } from '../session/files';
import { HeldWriter, type HeldWriterOptions } from './heldWriter';
import { startRecording, type BoardInfo, type RecordHooks, type RecordOptions, type RecordPhase, type RecordSummary } from './recorder';

export interface SessionRecordOptions extends RecordOptions {
  sessionPath: string;
  /** Extra fields for the session's meta record. */
  meta?: Record<string, unknown>;
  /** How much board output is held while the disk is full, how often a write is retried. */
  hold?: HeldWriterOptions;
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
  /** Something the user must know now, even when asked to be quiet (the disk is full). */
  warn?(message: string): void;
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

/** How long the board's bytes wait to be parsed and written together. */
export const BATCH_MS = 100;

export function recordToSession(opts: SessionRecordOptions, hooks: SessionRecordHooks = {}): SessionRecordingHandle {
  const counts: LiveCounts = { bytes: 0, snapshots: 0, logLines: 0, memoryErrors: 0, lastMemoryError: null };
  let writer: HeldWriter | null = null;
  let writeError: Error | null = null;
  let board: BoardInfo | null = null;
  const pendingGaps: [string, number, number | null][] = [];
  /** Bytes received and not yet given to the writer, each with its arrival time. */
  let batch: Array<[Uint8Array, number]> = [];
  let batchTimer: NodeJS.Timeout | null = null;

  const count = (events: CaptureEvent[]): void => {
    for (const ev of events) {
      if (ev.type === 'snapshot') counts.snapshots++;
      else if (ev.type === 'log') counts.logLines++;
      else if (ev.type === 'device' && ev.kind === 'memoryError') {
        counts.memoryErrors++;
        counts.lastMemoryError = ev.text;
      }
    }
    hooks.events?.(events, counts);
  };

  const ensureWriter = (): HeldWriter => {
    if (!writer) {
      writer = new HeldWriter((held) => SessionWriter.create(opts.sessionPath, {
        title: `Recording of ${opts.port}`,
        source: opts.port === 'virtual' ? 'virtual' : `serial:${opts.port}`,
        port: opts.port,
        run: opts.run.kind === 'script' ? { kind: 'script', path: opts.run.path } : opts.run,
        periodMs: opts.periodMs,
        collect: opts.collect,
        board,
        ...opts.meta,
      }, { onError: (e) => (writeError = e), ...held }), {
        blocked: (err) =>
          hooks.warn?.(`${err.message}: the board's output is kept in memory (up to ${formatBytes(opts.hold?.maxHeldBytes ?? 64 << 20)}) and written as soon as there is room; free some space, or stop the recording`),
        resumed: (written, dropped) =>
          hooks.warn?.(`${opts.sessionPath}: there is room again; ${formatBytes(written)} held in memory were written` + (dropped ? `, ${formatBytes(dropped)} had to be dropped (a gap in the session marks where)` : '')),
        events: count,
      }, opts.hold);
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
      batch.push([chunk, hostMs]);
      batchTimer ??= setTimeout(drain, BATCH_MS);
    },
    gap: (reason, start, end) => {
      // After the bytes that came before it: the batch first, then through the held writer
      // (while the disk is full the gap waits behind the bytes held before it; straight to
      // the writer, it would land before them).
      drain();
      if (writer) writer.addGap(reason, start, end);
      else pendingGaps.push([reason, start, end]);
    },
  };

  /** Gives the batch to the writer, each chunk with its own arrival time. */
  function drain(): void {
    if (batchTimer) clearTimeout(batchTimer);
    batchTimer = null;
    const chunks = batch;
    batch = [];
    for (const [chunk, hostMs] of chunks) {
      if (writeError) return;
      try {
        const events = ensureWriter().append(chunk, hostMs);
        counts.bytes += chunk.length;
        count(events);
      } catch (err) {
        writeError = err as Error;
        hooks.note?.(`Could not write the session: ${(err as Error).message}`);
        void handle.stop();
      }
    }
  }

  const handle = startRecording(opts, recHooks);
  const finish = async (): Promise<SessionRecordResult> => {
    const summary = await handle.done;
    drain();
    let session: SessionSummary | null = null;
    const w = writer as HeldWriter | null;
    if (w && !w.writer.closed) {
      try {
        const last = w.end();
        for (const ev of last) if (ev.type === 'snapshot') counts.snapshots++;
        session = w.close();
        if (w.lostBytes > 0) hooks.warn?.(`${opts.sessionPath}: ${formatBytes(w.lostBytes)} of the board's output were lost while the disk was full (a gap in the session marks where)`);
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
