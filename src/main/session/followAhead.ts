/**
 * A pass over every dump of a session (inspect, check, the leak verdict) on two cores: a worker
 * thread (followWorker.ts) decodes the session's raw bytes in order, a slice at a time, ahead
 * of this thread, which follows the maps from them (FollowedSessionMaps) and walks them. The
 * decoding is most of a pass's work, and the following and walking most of the rest: the two
 * halves run side by side.
 *
 * The pass stays synchronous: slices are taken with receiveMessageOnPort, waiting on a shared
 * counter when none is there yet, and the worker waits when AHEAD slices are not taken yet
 * (memory bounded by the slices, not by the session). Anything the worker cannot give (damage,
 * bytes asked for out of order, a worker that stopped) is read by this thread's own reader
 * from there, as a pass in one thread reads it: the results are the same either way.
 */
import { readFileSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { SnapshotIndexEntry } from '../../shared/heap/snapshot';
import type { FrameMaps } from '../../shared/lifetimes/session';
import { FollowedSessionMaps, type RawSource } from './followMaps';
import type { SessionReader } from './reader';
import { builtWorker, idleCore } from './workerThreads';

/** What followWorker.ts is started with. */
export interface FollowWorkerData {
  path: string;
  /** Raw bytes this thread's reader has: the worker goes no further. */
  rawLength: number;
  /** Bytes per slice. */
  slice: number;
  /** [slices posted, slices taken, stop asked]. */
  ctrl: SharedArrayBuffer;
  port: MessagePort;
}

/**
 * A slice of raw bytes from `start`, or the end of what the worker gives. (The other way, the
 * pass sends each slice's ArrayBuffer back once passed, for the worker to fill again.)
 */
export type RawSlice = { start: number; bytes: Uint8Array } | { end: true; cpuMs: number | null };

/** CPU this thread has used (ms; Linux only, null elsewhere): what the bench and tests read of the worker. */
export function threadCpuMs(): number | null {
  try {
    const st = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/** Slices the worker may run ahead by, and their size. */
export const AHEAD = 8;
export const SLICE = 1 << 20;

/** The compiled worker beside this module (out/cli/followWorker.js), or null when absent. */
export function builtFollowWorker(): URL | null {
  return builtWorker('followWorker.js');
}

/** Raw bytes decoded ahead by the worker, read in order; the reader's own for anything else. */
export class RawAhead implements RawSource {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly ctrl: Int32Array;
  /** Slices taken and not yet passed, in order and contiguous. */
  private slices: Array<{ start: number; bytes: Uint8Array }> = [];
  private taken = 0;
  /** Where the next slice must start. */
  private due = 0;
  /** The worker gives no more: every read from here is the reader's. */
  private done = false;
  /** Bytes read from the worker's slices, and reads the reader served. */
  fromWorker = 0;
  fromReader = 0;
  /** Why the worker gave no more before the end, if it did. */
  stopped: string | null = null;
  waitMs = 0;
  /** The worker's CPU, told at its end (null before, or where unknown). */
  workerCpuMs: number | null = null;
  /** Longest wait for a slice before the worker is given up (it may have died). */
  private readonly patienceMs: number;

  constructor(
    private readonly reader: SessionReader,
    file: string,
    entry: URL,
    options: { slice?: number; patienceMs?: number } = {},
  ) {
    this.patienceMs = options.patienceMs ?? 60_000;
    const ch = new MessageChannel();
    const sab = new SharedArrayBuffer(12);
    this.ctrl = new Int32Array(sab);
    this.port = ch.port1;
    const data: FollowWorkerData = { path: file, rawLength: reader.rawLength, slice: options.slice ?? SLICE, ctrl: sab, port: ch.port2 };
    this.worker = new Worker(entry, { workerData: data, transferList: [ch.port2] });
    // The pass never waits on its events (it blocks on the counter); a failure shows as no more slices.
    this.worker.unref();
    this.worker.on('error', (err) => (this.stopped ??= `the worker failed: ${err.message}`));
  }

  /** Raw bytes [start, end): a view valid until the next call, as SessionReader.rawView gives. */
  view(start: number, end: number): Uint8Array {
    start = Math.max(0, start);
    end = Math.min(end, this.reader.rawLength);
    if (end <= start) return new Uint8Array(0);
    if (!this.done) {
      let k = 0;
      while (k < this.slices.length && this.slices[k].start + this.slices[k].bytes.length <= start) k++;
      if (k > 0) {
        // Passed: their buffers go back to the worker to be filled again (no new memory per
        // slice, no garbage of the session's size for the collector).
        for (let q = 0; q < k; q++) {
          const b = this.slices[q].bytes.buffer as ArrayBuffer;
          this.port.postMessage(b, [b]);
        }
        this.slices = this.slices.slice(k);
      }
      while (!this.done && this.due < end) this.take();
      const first = this.slices[0];
      if (first !== undefined && first.start <= start && this.due >= end) {
        this.fromWorker += end - start;
        if (end <= first.start + first.bytes.length) return first.bytes.subarray(start - first.start, end - first.start);
        const out = new Uint8Array(end - start);
        for (const s of this.slices) {
          const a = Math.max(start, s.start);
          const b = Math.min(end, s.start + s.bytes.length);
          if (a < b) out.set(s.bytes.subarray(a - s.start, b - s.start), a - start);
        }
        return out;
      }
    }
    // Damage the worker stopped at, or bytes behind it: this thread's reader, as in one thread.
    this.fromReader++;
    return this.reader.rawView(start, end);
  }

  close(): void {
    this.done = true;
    this.slices = [];
    Atomics.store(this.ctrl, 2, 1);
    Atomics.notify(this.ctrl, 1);
    void this.worker.terminate();
    this.port.close();
  }

  /** Waits (up to a second) for the worker's end, for its CPU figure (the bench's; a pass need not). */
  settle(): void {
    const deadline = Date.now() + 1000;
    while (this.workerCpuMs === null && !this.done && Date.now() < deadline) {
      const got = receiveMessageOnPort(this.port);
      if (got === undefined) Atomics.wait(this.ctrl, 0, Atomics.load(this.ctrl, 0), 10);
      else if ('end' in (got.message as RawSlice)) this.workerCpuMs = (got.message as { cpuMs: number | null }).cpuMs;
    }
  }

  toJSON(): object {
    return { fromWorker: this.fromWorker, fromReader: this.fromReader, stopped: this.stopped, waitMs: Math.round(this.waitMs), workerCpuMs: this.workerCpuMs, passCpuMs: threadCpuMs() };
  }

  /** Takes the next slice (waiting for it); at the end of what the worker gives, sets done. */
  private take(): void {
    const deadline = Date.now() + this.patienceMs;
    for (;;) {
      const got = receiveMessageOnPort(this.port);
      if (got !== undefined) {
        const s = got.message as RawSlice;
        this.taken++;
        Atomics.store(this.ctrl, 1, this.taken);
        Atomics.notify(this.ctrl, 1);
        if ('end' in s) {
          this.workerCpuMs = s.cpuMs;
          if (this.due < this.reader.rawLength) this.stopped ??= 'the worker stopped (damage, read by this thread from there)';
          this.close();
        } else if (s.start !== this.due) {
          this.stopped = `a slice from ${s.start} where ${this.due} was due`;
          this.close();
        } else {
          this.slices.push(s);
          this.due += s.bytes.length;
        }
        return;
      }
      if (Date.now() > deadline) {
        this.stopped ??= 'no slice from the worker in time';
        this.close();
        return;
      }
      // Posted before the counter moved: a count past what was taken is a message on its way.
      const posted = Atomics.load(this.ctrl, 0);
      const w0 = performance.now();
      Atomics.wait(this.ctrl, 0, posted, posted > this.taken ? 1 : 100);
      this.waitMs += performance.now() - w0;
    }
  }
}

/** A session's maps for a pass in order, and what they cost to end. */
export interface SessionMaps {
  maps(i: number, e: SnapshotIndexEntry): FrameMaps;
  close(): void;
}

/**
 * A session with fewer dumps than this is passed over in one thread: a worker costs ~0.1 s of
 * CPU to start (measured on a 13 KB session, --threads 2 against 1), about what it saves on
 * 2,000 dumps.
 */
export const AHEAD_FROM = 5_000;

/**
 * The maps for a pass over every dump of `reader` (opened on `file`): its raw bytes decoded
 * ahead by a worker when the compiled one is there (the CLI), the session is long enough and
 * the machine's other work leaves a core idle (as for an import: importCapture.ts
 * secondThreadPays); else in this thread. `threads` 1 or 2 forces the choice (2 needs the
 * compiled worker: null when it is absent).
 */
export function passMaps(reader: SessionReader, file: string, threads?: 1 | 2): (SessionMaps & { raw: RawAhead | null }) | null {
  const entry = builtFollowWorker();
  const two = threads === 2 || (threads === undefined && reader.snapshotCount >= AHEAD_FROM && idleCore());
  if (two && entry === null && threads === 2) return null;
  let raw: RawAhead | null = null;
  try {
    if (two && entry !== null) raw = new RawAhead(reader, file, entry);
  } catch {
    // No thread to be had (resources): the pass runs in this one, as it would anyway.
  }
  const m = new FollowedSessionMaps(reader, raw ?? undefined);
  return { maps: (i, e) => m.maps(i, e), close: () => raw?.close(), raw };
}
