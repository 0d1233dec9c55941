/**
 * The virtual board, seen from the thread that owns it: a byte stream that behaves like a
 * MicroPython board's USB serial console. Real MicroPython (WebAssembly) runs in a worker
 * thread; see `boardConsole.ts` for the protocol and `micropython.ts` for the interpreter.
 *
 *   const board = new VirtualBoard({ demo: 'leak' });
 *   board.on('data', (bytes) => …);   // board → host
 *   board.write('\r\x03');            // host → board
 *   await board.close();
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FLAG_CELLS, FLAG_INTERRUPT_ENABLED, type FilesSnapshot } from './boardConsole';
import { createBoardControl, requestInterrupt } from './micropython';
import type { WorkerInit } from './worker';
import { virtualBoardWorkerUrl } from './workerBundle';

export const DEMO_NAMES = ['steady', 'leak', 'fragment', 'asyncio'] as const;
export type DemoName = (typeof DEMO_NAMES)[number];

export const DEFAULT_HEAP_BYTES = 192 * 1024;
export const MIN_HEAP_BYTES = 32 * 1024;
export const MAX_HEAP_BYTES = 64 * 1024 * 1024;

export interface VirtualBoardOptions {
  /** MicroPython's GC heap in bytes (default 192 KB, RP2040-sized). */
  heapBytes?: number;
  /** A demo program from `device/demos/<name>.py`, installed as the board's `main.py`. */
  demo?: DemoName;
  /** Files on the board at power-on (path → contents), e.g. `{ 'boot.py': … }`. */
  files?: Record<string, Uint8Array>;
  /** Where the demos are (default: the repository's `device/demos`). */
  demoDir?: string;
  /**
   * When a Ctrl-C is not taken within this time (a loop that neither sleeps nor prints cannot
   * see it in WebAssembly), reset the board as its reset button would. Default 2000 ms; 0: never.
   */
  stuckResetMs?: number;
}

export interface VirtualBoardEvents {
  data: [bytes: Uint8Array];
  /** The board was reset from outside (hard reset): why. */
  reset: [reason: string];
  error: [err: Error];
  close: [];
}

/** Where the TypeScript sources keep `device/` (walking up from this file). */
function findDeviceDir(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'device');
    if (existsSync(path.join(candidate, 'demos'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

/** The source of a demo program, or an error naming where it was looked for. */
export function readDemo(name: string, demoDir?: string): Uint8Array {
  if (!(DEMO_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown demo "${name}": choose one of ${DEMO_NAMES.join(', ')}`);
  }
  const dir = demoDir ?? (findDeviceDir() ? path.join(findDeviceDir()!, 'demos') : null);
  const file = dir ? path.join(dir, `${name}.py`) : `device/demos/${name}.py`;
  if (!dir || !existsSync(file)) throw new Error(`demo "${name}" not found (${file})`);
  return new Uint8Array(readFileSync(file));
}

export class VirtualBoard extends EventEmitter<VirtualBoardEvents> {
  readonly heapBytes: number;
  /**
   * Resolves once the board has booted: main.py is running (and Ctrl-C would stop it), or the
   * REPL banner is out. Rejects if the board cannot start.
   */
  readonly ready: Promise<void>;
  private worker: Worker | null = null;
  private readonly control = createBoardControl();
  private readonly controlCells = new Int32Array(this.control);
  private readonly flagsBuffer = new SharedArrayBuffer(FLAG_CELLS * 4);
  private readonly flags = new Int32Array(this.flagsBuffer);
  private snapshot: FilesSnapshot;
  private isClosed = false;
  private stuckTimer: NodeJS.Timeout | null = null;
  private readonly stuckResetMs: number;
  private starting: Promise<void> | null = null;
  private crashes: number[] = [];

  constructor(opts: VirtualBoardOptions = {}) {
    super();
    this.heapBytes = Math.round(opts.heapBytes ?? DEFAULT_HEAP_BYTES);
    this.stuckResetMs = opts.stuckResetMs ?? 2000;
    const files: [string, Uint8Array][] = [];
    for (const [p, data] of Object.entries(opts.files ?? {})) files.push([p.startsWith('/') ? p : '/' + p, data]);
    const dirs = new Set<string>();
    for (const [p] of files) {
      for (let d = path.posix.dirname(p); d !== '/' && d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
    }
    this.snapshot = { files, dirs: [...dirs] };
    this.ready = this.powerOn(opts);
    this.ready.catch(() => undefined);
  }

  private async powerOn(opts: VirtualBoardOptions): Promise<void> {
    if (!(this.heapBytes >= MIN_HEAP_BYTES && this.heapBytes <= MAX_HEAP_BYTES)) {
      throw new Error(`heap size ${this.heapBytes} is out of range (${MIN_HEAP_BYTES}–${MAX_HEAP_BYTES} bytes)`);
    }
    if (opts.demo) {
      const main = readDemo(opts.demo, opts.demoDir);
      this.snapshot.files = this.snapshot.files.filter(([p]) => p !== '/main.py');
      this.snapshot.files.push(['/main.py', main]);
    }
    await this.start();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** What the banner says the board is. */
  get machine(): string {
    return `HeapScope virtual board (WebAssembly) with ${Math.round(this.heapBytes / 1024)} KB heap`;
  }

  /** The board's files as of its last command (path → contents). */
  files(): Map<string, Uint8Array> {
    return new Map(this.snapshot.files);
  }

  /**
   * Host → board bytes, as a serial port would deliver them. Ctrl-C while code runs interrupts
   * it (the byte is consumed, as a board's UART/USB interrupt handler does).
   */
  write(data: Uint8Array | string): void {
    if (this.isClosed) throw new Error('the virtual board is closed');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0x03 && Atomics.load(this.flags, FLAG_INTERRUPT_ENABLED) === 1) {
        this.forward(bytes.subarray(start, i));
        start = i + 1;
        this.interrupt();
      }
    }
    this.forward(bytes.subarray(start));
  }

  /** Press the reset button: a new interpreter, boot.py and main.py run; files are kept. */
  async hardReset(reason = 'reset'): Promise<void> {
    if (this.isClosed) return;
    await this.starting;
    this.clearStuckTimer();
    const w = this.worker;
    this.worker = null;
    if (w) {
      w.removeAllListeners();
      await w.terminate();
    }
    if (this.isClosed) return;
    this.emit('reset', reason);
    await this.start();
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.clearStuckTimer();
    const w = this.worker;
    this.worker = null;
    if (w) {
      w.removeAllListeners();
      w.on('error', () => undefined);
      await w.terminate();
    }
    this.emit('close');
  }

  // --- internals -----------------------------------------------------------------------------

  private forward(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // Copy: the caller may reuse its buffer (serialport does not, but be safe) and we transfer.
    const copy = new Uint8Array(bytes);
    this.worker?.postMessage({ t: 'in', data: copy }, [copy.buffer]);
    if (!this.worker) this.pending.push(copy);
  }

  /** Bytes written while the worker is being (re)started. */
  private pending: Uint8Array[] = [];

  private interrupt(): void {
    requestInterrupt(this.control);
    if (this.stuckResetMs > 0 && !this.stuckTimer) {
      this.stuckTimer = setTimeout(() => {
        this.stuckTimer = null;
        // Still pending and code still running: the program never reached a sleep or a print.
        if (Atomics.load(this.controlCells, 0) === 1 && Atomics.load(this.flags, FLAG_INTERRUPT_ENABLED) === 1) {
          void this.hardReset('the program did not stop on Ctrl-C (a loop that neither sleeps nor prints): reset');
        }
      }, this.stuckResetMs);
      this.stuckTimer.unref?.();
    }
  }

  private clearStuckTimer(): void {
    if (this.stuckTimer) clearTimeout(this.stuckTimer);
    this.stuckTimer = null;
  }

  private start(): Promise<void> {
    const run = virtualBoardWorkerUrl().then((entry) => this.spawn(entry));
    this.starting = run.catch(() => undefined);
    return run;
  }

  private spawn(entry: URL): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.isClosed) {
        reject(new Error('the virtual board is closed'));
        return;
      }
      Atomics.store(this.flags, FLAG_INTERRUPT_ENABLED, 0);
      Atomics.store(this.controlCells, 0, 0);
      const init: WorkerInit = {
        heapBytes: this.heapBytes,
        files: this.snapshot.files,
        dirs: this.snapshot.dirs,
        control: this.control,
        flags: this.flagsBuffer,
        machine: this.machine,
      };
      const worker = new Worker(entry, { workerData: init });
      this.worker = worker;
      for (const p of this.pending.splice(0)) worker.postMessage({ t: 'in', data: p }, [p.buffer as ArrayBuffer]);
      let booted = false;
      worker.on('message', (m: { t: string; data?: Uint8Array; snapshot?: FilesSnapshot; message?: string }) => {
        if (m.t === 'out' && m.data) this.emit('data', m.data);
        else if (m.t === 'files' && m.snapshot) this.snapshot = m.snapshot;
        else if (m.t === 'ready') {
          booted = true;
          resolve();
        } else if (m.t === 'fatal') {
          const err = new Error(`the virtual board could not start: ${m.message}`);
          if (!booted) reject(err);
          else this.emit('error', err);
        }
      });
      worker.on('error', (err) => {
        if (!booted) reject(err);
        else this.emit('error', err);
      });
      worker.on('exit', (code) => {
        if (this.worker !== worker || this.isClosed) return;
        this.worker = null;
        if (!booted) {
          reject(new Error(`the virtual board's worker exited (code ${code}) while starting`));
          return;
        }
        // A crash (e.g. a WebAssembly trap): come back as a board does after a watchdog reset.
        const now = Date.now();
        this.crashes = this.crashes.filter((t) => now - t < 60_000).concat(now);
        if (this.crashes.length > 3) {
          this.emit('error', new Error(`the virtual board's worker keeps exiting (code ${code})`));
          return;
        }
        void this.hardReset(`the board's interpreter stopped (code ${code}): reset`);
      });
    });
  }
}
