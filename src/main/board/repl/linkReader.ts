/**
 * Reads from a Link with a deadline on every read: bytes that arrive are kept until a read
 * claims them, and each read fails after a stretch of silence (and optionally a total time),
 * when the link closes, or when its AbortSignal fires. One read at a time.
 */
import { BoardError } from '../serial/errors';
import type { Link, LinkCloseInfo } from '../serial/link';

export const DEFAULT_SILENCE_MS = 10_000;

export interface ReadOptions {
  /** Fail after this long with no byte arriving; null: never. Default 10 s. */
  silenceMs?: number | null;
  /** Fail after this long in all; null (default): never. */
  totalMs?: number | null;
  signal?: AbortSignal;
  /** What is awaited, for messages: "the raw REPL prompt". */
  what?: string;
}

interface Pending {
  /** Returns true when the read is satisfied (and has resolved). */
  check(): boolean;
  fail(err: Error): void;
}

const EMPTY = new Uint8Array(0);

export class LinkReader {
  private buf: Buffer = Buffer.alloc(0);
  private pending: Pending | null = null;
  private closedInfo: LinkCloseInfo | null = null;
  private lastByteAt = Date.now();
  private readonly offData: () => void;
  private readonly offClose: () => void;
  /**
   * Called with bytes that arrive while no read waits; returning true consumes them (they
   * are not buffered for a later read).
   */
  onIdleData: ((chunk: Uint8Array) => boolean) | null = null;

  constructor(readonly link: Link) {
    this.offData = link.onData((chunk) => this.arrive(chunk));
    this.offClose = link.onClose((info) => {
      this.closedInfo = info;
      const p = this.pending;
      if (p && !p.check()) p.fail(this.closedError('the board'));
    });
  }

  get closed(): boolean {
    return this.closedInfo !== null;
  }

  /** Bytes received and not yet claimed. */
  get available(): number {
    return this.buf.length;
  }

  dispose(): void {
    this.offData();
    this.offClose();
    this.pending?.fail(new BoardError('cancelled', 'The reader was closed.'));
  }

  /** Takes (and removes) everything buffered. */
  take(): Uint8Array {
    const out = this.buf;
    this.buf = Buffer.alloc(0);
    return out.length ? new Uint8Array(out.buffer, out.byteOffset, out.length) : EMPTY;
  }

  /** Waits `ms`, then returns and discards everything that arrived (and was buffered). */
  async drain(ms: number): Promise<Uint8Array> {
    await sleep(ms);
    return this.take();
  }

  /** Waits until `ms` pass with no byte arriving (at most `maxMs`), then takes everything. */
  async drainQuiet(ms: number, maxMs: number): Promise<Uint8Array> {
    const start = Date.now();
    for (;;) {
      const quietFor = Date.now() - this.lastByteAt;
      if (quietFor >= ms || Date.now() - start >= maxMs || this.closed) break;
      await sleep(Math.min(ms - quietFor, maxMs - (Date.now() - start)) + 1);
    }
    return this.take();
  }

  /** Reads up to and including `ending`; bytes after it stay buffered. */
  readUntil(ending: Uint8Array | string, opts: ReadOptions = {}): Promise<Uint8Array> {
    const end = typeof ending === 'string' ? Buffer.from(ending, 'latin1') : Buffer.from(ending);
    let searchFrom = 0;
    return this.wait(opts, (resolve) => {
      const i = this.buf.indexOf(end, Math.max(0, searchFrom - end.length + 1));
      if (i < 0) {
        searchFrom = this.buf.length;
        return false;
      }
      const cut = i + end.length;
      const out = Buffer.from(this.buf.subarray(0, cut));
      this.buf = this.buf.subarray(cut);
      resolve(new Uint8Array(out.buffer, out.byteOffset, out.length));
      return true;
    });
  }

  /** Reads exactly `n` bytes. */
  readExactly(n: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    return this.wait(opts, (resolve) => {
      if (this.buf.length < n) return false;
      const out = Buffer.from(this.buf.subarray(0, n));
      this.buf = this.buf.subarray(n);
      resolve(new Uint8Array(out.buffer, out.byteOffset, out.length));
      return true;
    });
  }

  /**
   * Hands every byte before `stopByte` to `sink` as it arrives, and resolves once `stopByte`
   * has been seen (it is consumed; later bytes stay buffered).
   */
  stream(stopByte: number, sink: (chunk: Uint8Array) => void, opts: ReadOptions = {}): Promise<void> {
    return this.wait<void>(
      opts,
      (resolve) => {
        if (this.buf.length === 0) return false;
        const i = this.buf.indexOf(stopByte);
        const upto = i < 0 ? this.buf.length : i;
        if (upto > 0) {
          const part = Buffer.from(this.buf.subarray(0, upto));
          sink(new Uint8Array(part.buffer, part.byteOffset, part.length));
        }
        if (i < 0) {
          this.buf = Buffer.alloc(0);
          return false;
        }
        this.buf = this.buf.subarray(i + 1);
        resolve();
        return true;
      },
    );
  }

  private arrive(chunk: Uint8Array): void {
    this.lastByteAt = Date.now();
    if (!this.pending && this.onIdleData && this.onIdleData(chunk)) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    this.pending?.check();
  }

  private closedError(what: string): BoardError {
    const info = this.closedInfo;
    return new BoardError(
      'disconnected',
      `${this.link.label} ${info?.disconnected ? 'disconnected' : 'was closed'} while waiting for ${what}.`,
      info?.disconnected ? 'Check the cable; a board that reset may come back under another port name.' : '',
    );
  }

  private wait<T>(opts: ReadOptions, attempt: (resolve: (v: T) => void) => boolean): Promise<T> {
    if (this.pending) return Promise.reject(new BoardError('busy-link', 'Another read is already waiting on this link.'));
    const silenceMs = opts.silenceMs === undefined ? DEFAULT_SILENCE_MS : opts.silenceMs;
    const totalMs = opts.totalMs ?? null;
    const what = opts.what ?? 'an answer';
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let silenceTimer: NodeJS.Timeout | null = null;
      let totalTimer: NodeJS.Timeout | null = null;
      const start = Date.now();
      const finish = () => {
        done = true;
        this.pending = null;
        if (silenceTimer) clearTimeout(silenceTimer);
        if (totalTimer) clearTimeout(totalTimer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const ok = (v: T) => {
        if (done) return;
        finish();
        resolve(v);
      };
      const fail = (err: Error) => {
        if (done) return;
        finish();
        reject(err);
      };
      const onAbort = () => fail(new BoardError('cancelled', `Stopped waiting for ${what}.`));
      const timeout = (ms: number, kind: string) =>
        fail(
          new BoardError(
            'timeout',
            `The board sent nothing for ${(ms / 1000).toFixed(ms < 1000 ? 2 : 0)} s ${kind}while waiting for ${what}.`,
            '',
            Buffer.from(this.buf),
          ),
        );
      const armSilence = () => {
        if (silenceMs === null || done) return;
        const due = Math.max(this.lastByteAt, start) + silenceMs - Date.now();
        if (due <= 0) return timeout(silenceMs, '');
        silenceTimer = setTimeout(armSilence, due);
      };
      this.pending = { check: () => done || attempt(ok), fail };
      if (attempt(ok)) return;
      if (this.closedInfo) return fail(this.closedError(what));
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (totalMs !== null) {
        totalTimer = setTimeout(() => {
          const err = new BoardError('timeout', `No ${what} within ${(totalMs / 1000).toFixed(1)} s.`, '', Buffer.from(this.buf));
          fail(err);
        }, totalMs);
      }
      armSilence();
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
