/**
 * The writer's side of a RawCoder in a worker thread (rawCoderWorker.ts): the commands go over
 * in one message per batch, the records come back in order as tickets the writer keeps in its
 * output queue where the records belong. Used by an import, where the parse (this thread) and
 * the coding (the worker) then run on two cores; a recording keeps its coder in its own thread.
 */
import { Worker } from 'node:worker_threads';
import { CodedEndMirror, type RawCommand, type RawCoderOptions, type RawRecord, type RawReply } from './rawCoder';
import { builtWorker } from './workerThreads';

/**
 * Pushed bytes are copied into batches of this size and commands go over once a batch is full
 * (or a take is forced, or someone waits): a message and a buffer per FEED_SLICE push (64 KiB)
 * cost the import ~70 ms of this thread's CPU and more of the worker's on the 40 MB bench capture.
 */
const BATCH = 1 << 20;

/** Records the worker owes for the commands up to one `reply`. */
export interface RawTicket {
  records: RawRecord[] | null;
}

/** The compiled worker beside this module (out/cli/rawCoderWorker.js), or null when absent. */
export function builtRawCoderWorker(): URL | null {
  return builtWorker('rawCoderWorker.js');
}

export class RawCoderClient {
  private readonly worker: Worker;
  private readonly mirror = new CodedEndMirror();
  private cmds: RawCommand[] = [];
  /** The batch pushes are copied into, how much of it is used, and the buffers cmds refer to. */
  private batch: Uint8Array<ArrayBuffer> | null = null;
  private batchLen = 0;
  private transfer: ArrayBuffer[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, RawTicket>();
  private waiters: Array<{ limit: number; resolve: () => void }> = [];
  /** The first failure (the worker's, or its exit): every later call throws it. */
  error: Error | null = null;

  /** `settled` runs whenever a ticket's records arrive (the writer writes what it can). */
  constructor(
    entry: URL,
    options: RawCoderOptions,
    private readonly settled: () => void,
  ) {
    this.worker = new Worker(entry, { workerData: options });
    this.worker.on('message', (rs: RawReply[]) => {
      for (const r of rs) this.onReply(r);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (this.waiting.size > 0) this.fail(new Error(`the raw coder worker stopped (exit code ${code}) with records owed`));
    });
  }

  get codedEnd(): number {
    return this.mirror.codedEnd;
  }

  /** Tickets not given back yet. */
  get owed(): number {
    return this.waiting.size;
  }

  push(bytes: Uint8Array): void {
    this.mirror.push(bytes);
    // A copy of its own to hand over: a view's whole buffer would be cloned (a read's 1 MiB for
    // a slice), and transferring a view's buffer would take it from its owner. Copied into the
    // batch, whose buffer goes over once with every view of it.
    const n = bytes.length;
    if (n > BATCH >> 2) {
      const own = new Uint8Array(n);
      own.set(bytes);
      this.transfer.push(own.buffer);
      this.cmds.push({ c: 'push', bytes: own });
      return;
    }
    if (this.batch === null || this.batchLen + n > BATCH) {
      this.post();
      this.batch = new Uint8Array(BATCH);
      this.batchLen = 0;
      this.transfer.push(this.batch.buffer);
    }
    this.batch.set(bytes, this.batchLen);
    this.cmds.push({ c: 'push', bytes: this.batch.subarray(this.batchLen, this.batchLen + n) });
    this.batchLen += n;
  }

  splitAt(at: number): void {
    this.mirror.splitAt(at);
    this.cmds.push({ c: 'split', at });
  }

  flushPartial(): void {
    this.mirror.flushPartial();
    this.cmds.push({ c: 'flush' });
  }

  clearTables(): void {
    this.cmds.push({ c: 'clear' });
  }

  /**
   * The records of a take (RawCoder.take) and any before it, as a ticket. A forced take's
   * commands go now; others with the batch (until() sends what waits).
   */
  take(hostMs: number | null, force: boolean): RawTicket {
    const id = this.nextId++;
    this.cmds.push({ c: 'take', hostMs, force }, { c: 'reply', id });
    const t: RawTicket = { records: null };
    this.waiting.set(id, t);
    if (force) this.post();
    return t;
  }

  /** Sends the commands not sent yet (the batch they copied into is the worker's from now on). */
  private post(): void {
    if (this.cmds.length === 0) return;
    const cmds = this.cmds;
    const transfer = this.transfer;
    this.cmds = [];
    this.transfer = [];
    this.batch = null;
    this.worker.postMessage(cmds, transfer);
  }

  /** Resolves once at most `limit` tickets are owed (0: all given back); rejects on failure. */
  until(limit: number): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this.waiting.size <= limit) return Promise.resolve();
    this.post();
    return new Promise<void>((resolve) => this.waiters.push({ limit, resolve })).then(() => {
      if (this.error) throw this.error;
    });
  }

  stop(): void {
    void this.worker.terminate();
  }

  private onReply(r: RawReply): void {
    const t = this.waiting.get(r.id);
    if (!t) return;
    if ('error' in r) {
      this.fail(new Error(`the raw coder failed: ${r.error}`));
      return;
    }
    this.waiting.delete(r.id);
    t.records = r.records;
    this.settled();
    this.wake();
  }

  private fail(err: Error): void {
    if (this.error) return;
    this.error = err;
    this.settled();
    this.wake();
  }

  private wake(): void {
    const n = this.waiting.size;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.error || n <= w.limit) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}
