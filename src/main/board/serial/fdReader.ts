/**
 * Reads a terminal's descriptor in bursts: wait until it is readable (serialport's poller,
 * libuv on the event loop), read everything there is with plain read() calls until EAGAIN,
 * hand it on as one chunk, then let the next bytes gather for a few milliseconds before
 * waiting again.
 *
 * Why: at full-speed USB rates (1 MB/s) a terminal gives at most its line discipline's
 * 4 KB per read, and a stream that reads on every readiness wakes the process about 300
 * times a second, each wake-up paying for a stream chunk, an allocation and everything
 * downstream (the parser, the session writer) once more. Gathering for COALESCE_MS makes
 * fewer, larger chunks for the same bytes; the kernel holds them meanwhile (a PTY or USB
 * serial driver buffers far more than arrives in that time, and flow control holds the rest
 * back rather than drop). What is read is handed on at once: the delay is only before the
 * next wait, so no byte waits longer than COALESCE_MS plus one read.
 */
import { readSync } from 'node:fs';

/** How long bytes gather in the kernel between bursts: well under the live view's budget. */
export const COALESCE_MS = 10;

/** The parts of serialport's POSIX poller used here. */
export interface ReadablePoller {
  once(event: 'readable', cb: (err: (Error & { canceled?: boolean }) | null) => void): unknown;
}

export interface FdReaderSink {
  data(chunk: Uint8Array): void;
  /** The descriptor failed or reached end of file; no more reads follow. */
  lost(err: Error): void;
}

/** The most one burst reads before handing on what it has (and going on at once). */
const BURST_MAX = 1 << 20;

export class FdReader {
  private buf = new Uint8Array(64 << 10);
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private waiting = false;

  constructor(
    private readonly fd: number,
    private readonly poller: ReadablePoller,
    private readonly sink: FdReaderSink,
    private readonly coalesceMs = COALESCE_MS,
  ) {}

  start(): void {
    this.wait();
  }

  /** No more reads or callbacks; the descriptor is left open (its owner closes it). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private wait(): void {
    if (this.stopped || this.waiting) return;
    this.waiting = true;
    this.poller.once('readable', (err) => {
      this.waiting = false;
      if (this.stopped) return;
      // The poller was stopped (the port is closing): not a failure of the link.
      if (err?.canceled) return;
      if (err) return this.fail(err);
      this.burst();
    });
  }

  private burst(): void {
    let got = 0;
    let eof = false;
    let error: Error | null = null;
    for (;;) {
      if (got === this.buf.length) {
        if (got >= BURST_MAX) break;
        const grown = new Uint8Array(this.buf.length * 2);
        grown.set(this.buf);
        this.buf = grown;
      }
      let n: number;
      try {
        n = readSync(this.fd, this.buf, got, this.buf.length - got, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') break;
        error = e as Error;
        break;
      }
      if (n === 0) {
        eof = true;
        break;
      }
      got += n;
    }
    // A copy: the chunk is kept downstream (the writer's recent bytes, held output).
    if (got > 0) this.sink.data(this.buf.slice(0, got));
    if (this.stopped) return;
    if (error) return this.fail(error);
    if (eof) return this.fail(new Error('the port reached end of file'));
    if (got >= BURST_MAX) {
      // More is waiting than one burst takes: on at once, without waiting for readiness.
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.stopped) this.burst();
      }, 0);
    } else if (got > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.wait();
      }, this.coalesceMs);
    } else {
      this.wait();
    }
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    this.sink.lost(err);
  }
}
