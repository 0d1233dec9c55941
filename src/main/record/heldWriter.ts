/**
 * A recording's session writer on a disk that may fill up. A board does not wait: when the
 * disk is full its output is held in memory (at most HOLD_BYTES_MAX; past that the oldest held
 * bytes are dropped and counted), the file keeps ending at its last complete write (it opens),
 * and the write is retried until there is room again or the recording stops. Whoever records
 * is told at once, told when writing resumes, and told at the end exactly what was lost.
 */
import type { CaptureEvent, GapEvent, MarkEvent } from '../../shared/capture/events';
import { formatBytes, WriteFailedError } from '../session/files';
import type { SessionSummary, SessionWriter, SessionWriterOptions } from '../session/writer';

/** Board output held in memory while the disk is full. */
export const HOLD_BYTES_MAX = 64 << 20;

export interface HeldWriterHooks {
  /** The disk is full: nothing more is written until there is room (once per episode). */
  blocked?(err: WriteFailedError): void;
  /** Writing resumed; `dropped` bytes of the board's output were lost meanwhile. */
  resumed?(written: number, dropped: number): void;
  /** Events parsed from held bytes once they could be written (and the gap marking a loss). */
  events?(events: CaptureEvent[]): void;
}

export interface HeldWriterOptions {
  maxHeldBytes?: number;
  retryMs?: number;
}

/** A recording that ended with bytes it could not write: how many, in words. */
export class RecordingLossError extends WriteFailedError {
  constructor(
    path: string,
    cause: WriteFailedError,
    readonly lostBytes: number,
    readonly onDisk: number,
  ) {
    super(path, Object.assign(new Error(), { code: cause.code }), `was not completed (${formatBytes(lostBytes)} of the board's output were lost; the session holds the first ${formatBytes(onDisk)} and opens)`);
  }
}

/**
 * What waits for room, in arrival order: the board's bytes, and the marks and gaps made between
 * them (written in their place, so a mark lands after the bytes that came before it).
 */
type Held =
  | { chunk: Uint8Array; hostMs: number }
  | { mark: string; hostMs: number }
  | { gap: string; hostMsStart: number; hostMsEnd: number | null };

export class HeldWriter {
  readonly writer: SessionWriter;
  private held: Held[] = [];
  private heldBytes = 0;
  /** Dropped since writing last resumed, and in all. */
  private dropped = 0;
  private droppedTotal = 0;
  private heldSince = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly maxHeld: number;
  private readonly retryMs: number;

  constructor(
    create: (options: Pick<SessionWriterOptions, 'onBlocked'>) => SessionWriter,
    private readonly hooks: HeldWriterHooks = {},
    options: HeldWriterOptions = {},
  ) {
    this.maxHeld = options.maxHeldBytes ?? HOLD_BYTES_MAX;
    this.retryMs = options.retryMs ?? 500;
    this.writer = create({
      onBlocked: (err) => {
        this.arm();
        this.hooks.blocked?.(err);
      },
    });
  }

  /** Board output lost to a full disk so far. */
  get lostBytes(): number {
    return this.droppedTotal;
  }

  /** The board's bytes: written (returns their events) or, while the disk is full, held. */
  append(chunk: Uint8Array, hostMs: number): CaptureEvent[] {
    if (this.writer.blocked === null && this.held.length === 0) return this.writer.appendRaw(chunk, hostMs);
    // A copy (Buffer#slice would not be one): the caller may reuse its buffer.
    this.hold({ chunk: new Uint8Array(chunk), hostMs });
    this.heldBytes += chunk.length;
    while (this.heldBytes > this.maxHeld) {
      // The oldest bytes go (never the newest chunk); marks and gaps are kept, in their place.
      const k = this.held.findIndex((h) => 'chunk' in h);
      if (k < 0 || k === this.held.length - 1) break;
      const old = this.held.splice(k, 1)[0] as { chunk: Uint8Array };
      this.heldBytes -= old.chunk.length;
      this.dropped += old.chunk.length;
      this.droppedTotal += old.chunk.length;
    }
    this.arm();
    return [];
  }

  /** Something is waiting for room (the disk is full, or held bytes are not all written yet). */
  private get holding(): boolean {
    return this.writer.blocked !== null || this.held.length > 0;
  }

  /**
   * A user mark. While bytes are held it waits behind them and is written in its place: the
   * returned list is then empty and the mark comes out through `events` with those bytes'.
   */
  addMark(label: string, hostMs: number = Date.now()): MarkEvent[] {
    if (!this.holding) return [this.writer.addMark(label, hostMs)];
    this.hold({ mark: label, hostMs });
    return [];
  }

  /** A gap in the link, kept in its place like a mark (see addMark). */
  addGap(reason: string, hostMsStart: number, hostMsEnd: number | null = null): GapEvent[] {
    if (!this.holding) return [this.writer.addGap(reason, hostMsStart, hostMsEnd)];
    this.hold({ gap: reason, hostMsStart, hostMsEnd });
    return [];
  }

  private hold(h: Held): void {
    if (this.held.length === 0) this.heldSince = this.writer.rawLength;
    this.held.push(h);
    this.arm();
  }

  private arm(): void {
    if (this.timer !== null || this.writer.closed) return;
    this.timer = setInterval(() => this.tryResume(), this.retryMs);
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Writes what is held if there is room now. True when nothing is held back any more. */
  tryResume(): boolean {
    const w = this.writer;
    if (w.closed) return false;
    if (w.blocked && !w.retry()) return false;
    const written = this.heldBytes;
    const events: CaptureEvent[] = [];
    if (this.dropped > 0) {
      const now = Date.now();
      events.push(w.addGap(`the disk was full: ${formatBytes(this.dropped)} of the board's output from byte ${this.heldSince} on were lost`, now, now));
    }
    while (this.held.length > 0 && w.blocked === null) {
      const h = this.held.shift()!;
      if ('mark' in h) {
        events.push(w.addMark(h.mark, h.hostMs));
        continue;
      }
      if ('gap' in h) {
        events.push(w.addGap(h.gap, h.hostMsStart, h.hostMsEnd));
        continue;
      }
      this.heldBytes -= h.chunk.length;
      for (const ev of w.appendRaw(h.chunk, h.hostMs)) events.push(ev);
      // Written out now, not at the next timer: a full disk again is known at once.
      w.flush();
    }
    if (events.length) this.hooks.events?.(events);
    if (w.blocked !== null || this.held.length > 0) return false;
    this.disarm();
    const dropped = this.dropped;
    this.dropped = 0;
    this.hooks.resumed?.(written, dropped);
    return true;
  }

  /** The capture is over: its last events (a dump in progress). */
  end(): CaptureEvent[] {
    return this.writer.end();
  }

  /**
   * Writes the end of the session and closes it. If the disk is still full, the file keeps
   * its last complete write and a RecordingLossError says exactly how many bytes were lost.
   */
  close(): SessionSummary {
    this.disarm();
    const w = this.writer;
    if (this.held.length > 0 || w.blocked) this.tryResume();
    this.disarm();
    const heldLost = this.heldBytes;
    this.held = [];
    this.heldBytes = 0;
    try {
      const summary = w.close();
      if (heldLost === 0) return summary;
      throw new RecordingLossError(w.path, new WriteFailedError(w.path, Object.assign(new Error(), { code: 'ENOSPC' })), heldLost + this.droppedTotal, w.rawOnDisk);
    } catch (err) {
      if (err instanceof RecordingLossError || !(err instanceof WriteFailedError)) throw err;
      const lost = heldLost + this.droppedTotal + (w.rawLength - w.rawOnDisk);
      throw new RecordingLossError(w.path, err, lost, w.rawOnDisk);
    }
  }

  abandon(): void {
    this.disarm();
    this.writer.abandon();
  }
}
