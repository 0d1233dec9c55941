/**
 * A small proxy between a board (anything with write/onData) and one end of a PTY pair, that
 * can split writes at every byte, drop, duplicate or add bytes, and hold (lose) the board's
 * output for a while. The host under test opens the PTY's other end with the real serialport.
 */
import { SerialPort } from 'serialport';

export interface BoardEnd {
  write(bytes: Uint8Array): void;
  onData(listener: (bytes: Uint8Array) => void): void;
}

export interface FaultSettings {
  /** Every byte in its own write, both ways. */
  split?: boolean;
  /** Board → host: probability per byte of dropping it, sending it twice, adding a random byte. */
  drop?: number;
  dup?: number;
  noise?: number;
  /** Board → host: lose everything the board sends while set. */
  hold?: boolean;
  /**
   * Board → host: once `marker` has passed and `after` more bytes with it, start holding.
   * Makes "cut in the middle of a dump" exact, however fast the board prints.
   */
  holdAfter?: { marker: string; after: number };
}

/** A seeded PRNG (mulberry32), so a failing run can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultProxy {
  settings: FaultSettings = {};
  /** Everything the board sent, in order (before any fault). */
  readonly fromBoard: Buffer[] = [];
  /** What was handed to the host's end (after faults). */
  readonly forwarded: Buffer[] = [];
  /**
   * Host → board rewriting, to play firmware the virtual board is not: gets what the host
   * wrote, returns what the board should get; `reply` sends bytes to the host as the board.
   */
  hostFilter: ((bytes: Buffer, reply: (b: Buffer) => void) => Buffer) | null = null;
  private port: SerialPort | null = null;
  private random: () => number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly board: BoardEnd,
    private readonly ptyPath: string,
    seed = 1,
  ) {
    this.random = rng(seed);
    board.onData((bytes) => this.fromBoardData(bytes));
  }

  get boardBytes(): Buffer {
    return Buffer.concat(this.fromBoard);
  }

  get forwardedBytes(): Buffer {
    return Buffer.concat(this.forwarded);
  }

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.ptyPath, baudRate: 115200, autoOpen: false, lock: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    port.on('data', (chunk: Buffer) => this.toBoard(chunk));
    port.on('error', () => {});
    port.on('close', () => {
      if (this.port === port) this.port = null;
    });
    this.port = port;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
  }

  private toBoard(chunk: Buffer): void {
    if (this.hostFilter) chunk = this.hostFilter(chunk, (b) => this.send(b));
    if (!chunk.length) return;
    if (this.settings.split) {
      for (const b of chunk) this.board.write(Uint8Array.of(b));
    } else {
      this.board.write(new Uint8Array(chunk));
    }
  }

  private holdScan = Buffer.alloc(0);

  private fromBoardData(bytes: Uint8Array): void {
    this.fromBoard.push(Buffer.from(bytes));
    const s = this.settings;
    if (s.hold) return;
    if (s.holdAfter) {
      const seen = this.holdScan.length;
      this.holdScan = Buffer.concat([this.holdScan, Buffer.from(bytes)]);
      const at = this.holdScan.indexOf(s.holdAfter.marker);
      if (at !== -1 && at + s.holdAfter.after < this.holdScan.length) {
        bytes = bytes.subarray(0, Math.max(0, at + s.holdAfter.after - seen));
        s.hold = true;
        s.holdAfter = undefined;
        this.holdScan = Buffer.alloc(0);
      }
    }
    let out: number[] | Uint8Array = bytes;
    if (s.drop || s.dup || s.noise) {
      const o: number[] = [];
      for (const b of bytes) {
        if (s.noise && this.random() < s.noise) o.push(Math.floor(this.random() * 256));
        if (s.drop && this.random() < s.drop) continue;
        o.push(b);
        if (s.dup && this.random() < s.dup) o.push(b);
      }
      out = o;
    }
    this.send(Buffer.from(out as Uint8Array));
  }

  /** Forget what holdAfter has scanned (arm it afresh). */
  resetHoldScan(): void {
    this.holdScan = Buffer.alloc(0);
  }

  private send(buf: Buffer): void {
    const port = this.port;
    if (!port || !buf.length) return;
    this.forwarded.push(buf);
    const pieces = this.settings.split ? [...buf].map((b) => Buffer.of(b)) : [buf];
    this.queue = this.queue.then(async () => {
      for (const p of pieces) {
        if (!port.isOpen) return;
        await new Promise<void>((r) => port.write(p, () => r()));
      }
    });
  }
}
