/**
 * Reads a terminal's descriptor on the event loop: wait until it is readable (serialport's
 * poller, libuv), read once, hand the bytes on, wait again. No timers, no thread pool.
 *
 * Why not serialport's own reads: they go through libuv's thread pool, about 2.5× the CPU per
 * MB at full-speed USB rates. Why one read per readiness: a read that comes back short has
 * taken all there was, so the read after it would only fail with EAGAIN, and a failed
 * readSync costs an exception (its stack trace and all); the poller is level-triggered, so
 * bytes that came meanwhile wake us again at once. An earlier version gathered bytes in the
 * kernel for 10 ms between reads (fewer, larger chunks): it cost more CPU, not less, and
 * held every byte up to 10 ms (`npm run bench -- attach`, its read-only baselines).
 */
import { readSync } from 'node:fs';

/** The parts of serialport's POSIX poller used here. */
export interface ReadablePoller {
  once(event: 'readable', cb: (err: (Error & { canceled?: boolean }) | null) => void): unknown;
}

export interface FdReaderSink {
  data(chunk: Uint8Array): void;
  /** The descriptor failed or reached end of file; no more reads follow. */
  lost(err: Error): void;
}

/** One read's most: far more than a terminal gives at once (a PTY: 4 KB). */
const READ_MAX = 64 << 10;

export class FdReader {
  private readonly buf = new Uint8Array(READ_MAX);
  private stopped = false;
  private waiting = false;

  constructor(
    private readonly fd: number,
    private readonly poller: ReadablePoller,
    private readonly sink: FdReaderSink,
  ) {}

  start(): void {
    this.wait();
  }

  /** No more reads or callbacks; the descriptor is left open (its owner closes it). */
  stop(): void {
    this.stopped = true;
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
      this.read();
    });
  }

  private read(): void {
    let n: number;
    try {
      n = readSync(this.fd, this.buf, 0, READ_MAX, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Readable, then nothing to read (another reader, a spurious wake-up): wait again.
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') return this.wait();
      return this.fail(e as Error);
    }
    if (n === 0) return this.fail(new Error('the port reached end of file'));
    // A copy: the chunk is kept downstream (held output, the writer's recent bytes).
    this.sink.data(this.buf.slice(0, n));
    this.wait();
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    this.sink.lost(err);
  }
}
