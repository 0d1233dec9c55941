/**
 * A session's maps in order (as FollowedSessionMaps gives them) with the decoding and the
 * following done by a worker thread (followWorker.ts) ahead of this one: on two cores a pass
 * over every dump (inspect, check, the leak verdict) decodes the next dumps while this thread
 * walks the last ones. The worker sends each dump as what changed (block ranges and their
 * kinds) or, for a dump it read the slow way, its whole map; this thread keeps the maps from
 * those and hands them on exactly as FollowedSessionMaps would.
 *
 * The pass stays synchronous: batches are taken with receiveMessageOnPort, waiting on a shared
 * counter when none is there yet, and the worker waits when AHEAD batches are not taken yet
 * (memory bounded by the batches, not by the session). Anything the worker cannot give (damage,
 * a dump it does not have, a file that differs from what this thread reads) makes this thread
 * go on by itself from that dump: the results are the same either way, only slower.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { SnapshotIndexEntry } from '../../shared/heap/snapshot';
import type { FrameMaps } from '../../shared/lifetimes/session';
import { FollowedSessionMaps } from './followMaps';
import type { SessionReader } from './reader';

/** What followWorker.ts is started with. */
export interface FollowWorkerData {
  path: string;
  /** Snapshots this thread's reader has: the worker goes no further. */
  count: number;
  /** [batches posted, batches taken, stop asked]. */
  ctrl: SharedArrayBuffer;
  port: MessagePort;
}

/**
 * One batch of dumps. `meta` per dump: index, byteStart, byteEnd, mode (0 followed, 1 whole),
 * areas, then per area for mode 0 the number of [lo, hi) pairs and the pairs, for mode 1 its
 * blocks. `data` holds, in order, the kinds of every pair (mode 0) or whole area (mode 1);
 * `addresses` the areas' addresses of each mode-1 dump, in order.
 */
export type FollowBatch =
  | { t: 'batch'; meta: Float64Array; data: Uint8Array; addresses: string[] }
  /** The worker gives nothing more: every dump it could give was given. */
  | { t: 'end' };

/** Batches the worker may run ahead by. */
export const AHEAD = 6;
/** A batch is sent once it holds this many dumps or bytes of kinds. */
export const BATCH_DUMPS = 256;
export const BATCH_BYTES = 1 << 18;

/** The compiled worker beside this module (out/cli/followWorker.js), or null when absent. */
export function builtFollowWorker(): URL | null {
  try {
    const url = new URL('./followWorker.js', import.meta.url);
    return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
  } catch {
    return null;
  }
}

/** A session's maps for a pass in order: FollowedSessionMaps, or AheadSessionMaps. */
export interface SessionMaps {
  maps(i: number, e: SnapshotIndexEntry): FrameMaps;
  close(): void;
}

export class AheadSessionMaps implements SessionMaps {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly ctrl: Int32Array;
  /** Set once the worker is no longer used: this thread follows by itself from there. */
  private local: FollowedSessionMaps | null = null;
  private meta: Float64Array = new Float64Array(0);
  private data: Uint8Array = new Uint8Array(0);
  private addresses: string[] = [];
  private pos = 0;
  private dataPos = 0;
  private addrPos = 0;
  private taken = 0;
  private ended = false;
  private areas: Array<{ address: string; kinds: Uint8Array }> = [];
  /** Dumps given from the worker's batches, and dumps this thread did itself. */
  fromWorker = 0;
  /** Why this thread went on by itself, if it did. */
  fellBack: string | null = null;
  waits = 0;
  waitMs = 0;

  constructor(
    private readonly reader: SessionReader,
    file: string,
    entry: URL,
    /** Longest wait for a batch before the worker is given up (it may have died). */
    private readonly patienceMs = 60_000,
  ) {
    const ch = new MessageChannel();
    const sab = new SharedArrayBuffer(12);
    this.ctrl = new Int32Array(sab);
    this.port = ch.port1;
    const data: FollowWorkerData = { path: file, count: reader.snapshotCount, ctrl: sab, port: ch.port2 };
    this.worker = new Worker(entry, { workerData: data, transferList: [ch.port2] });
    // The pass never waits for its events (it blocks on the counter): only its exit is heard of.
    this.worker.unref();
    this.worker.on('error', () => {});
  }

  maps(i: number, e: SnapshotIndexEntry): FrameMaps {
    if (this.local !== null) return this.local.maps(i, e);
    while (this.pos >= this.meta.length) {
      if (!this.nextBatch()) return this.fallBack(i, e, this.ended ? 'the worker ended before this dump' : 'no batch from the worker in time');
    }
    const m = this.meta;
    let p = this.pos;
    if (m[p] !== i || m[p + 1] !== e.byteStart || m[p + 2] !== e.byteEnd) return this.fallBack(i, e, `the worker gave dump ${m[p]} for ${i}`);
    const mode = m[p + 3];
    const n = m[p + 4];
    p += 5;
    this.fromWorker++;
    if (mode === 1) {
      const areas: Array<{ address: string; kinds: Uint8Array }> = [];
      for (let a = 0; a < n; a++) {
        const blocks = m[p++];
        areas.push({ address: this.addresses[this.addrPos++], kinds: this.data.slice(this.dataPos, this.dataPos + blocks) });
        this.dataPos += blocks;
      }
      this.pos = p;
      this.areas = areas;
      return { areas, changed: null };
    }
    const changed: Float64Array[] = [];
    for (let a = 0; a < n; a++) {
      const pairs = m[p++];
      const r = m.subarray(p, p + 2 * pairs);
      const kinds = this.areas[a].kinds;
      for (let q = 0; q < r.length; q += 2) {
        const len = r[q + 1] - r[q];
        kinds.set(this.data.subarray(this.dataPos, this.dataPos + len), r[q]);
        this.dataPos += len;
      }
      changed.push(r);
      p += 2 * pairs;
    }
    this.pos = p;
    return { areas: this.areas, changed };
  }

  toJSON(): object {
    return { fromWorker: this.fromWorker, fellBack: this.fellBack, waits: this.waits, waitMs: Math.round(this.waitMs) };
  }

  close(): void {
    this.stopWorker();
  }

  /** Takes the next batch; false when there is none to come (or none came in time). */
  private nextBatch(): boolean {
    if (this.ended) return false;
    const deadline = Date.now() + this.patienceMs;
    for (;;) {
      const got = receiveMessageOnPort(this.port);
      if (got !== undefined) {
        const b = got.message as FollowBatch;
        this.taken++;
        Atomics.store(this.ctrl, 1, this.taken);
        Atomics.notify(this.ctrl, 1);
        if (b.t === 'end') {
          this.ended = true;
          return false;
        }
        this.meta = b.meta;
        this.data = b.data;
        this.addresses = b.addresses;
        this.pos = this.dataPos = this.addrPos = 0;
        return true;
      }
      if (Date.now() > deadline) return false;
      this.waits++;
      const w0 = performance.now();
      // Posted before the counter moved: a count past what was taken is a message on its way.
      const posted = Atomics.load(this.ctrl, 0);
      Atomics.wait(this.ctrl, 0, posted, posted > this.taken ? 1 : 100);
      this.waitMs += performance.now() - w0;
    }
  }

  private fallBack(i: number, e: SnapshotIndexEntry, why: string): FrameMaps {
    this.fellBack = why;
    this.stopWorker();
    // A fresh follower reads dump i the slow way: its whole map, whatever came before.
    this.local = new FollowedSessionMaps(this.reader);
    return this.local.maps(i, e);
  }

  private stopWorker(): void {
    Atomics.store(this.ctrl, 2, 1);
    Atomics.notify(this.ctrl, 1);
    void this.worker.terminate();
    this.port.close();
  }
}

/** A session with fewer dumps than this is passed over in one thread: a worker costs ~75 ms to start. */
export const AHEAD_FROM = 2_000;

/**
 * The maps for a pass over every dump of `reader` (opened on `file`): decoded ahead by a worker
 * when the compiled one is there (the CLI), the session is long enough and a second core is
 * free; else in this thread. `threads` 1 or 2 forces the choice (2 needs the compiled worker:
 * null when it is absent).
 */
export function passMaps(reader: SessionReader, file: string, threads?: 1 | 2): SessionMaps | null {
  const entry = builtFollowWorker();
  const two = threads === 2 || (threads === undefined && reader.snapshotCount >= AHEAD_FROM && secondCore());
  if (two && entry !== null) return new AheadSessionMaps(reader, file, entry);
  if (threads === 2) return null;
  const m = new FollowedSessionMaps(reader);
  return { maps: (i, e) => m.maps(i, e), close: () => {} };
}

function secondCore(): boolean {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return cores >= 2;
}
