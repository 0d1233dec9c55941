/**
 * The raw side of the session writer: raw bytes → line-delta ops (and format 3's cell stream)
 * → deflated RAW records. A segment's records depend only on the bytes of that segment and the
 * commands (push, split, flush, record, clear) in their order, never on the parser, so the same
 * commands give the same records in this thread (RawCoder) or in a worker (RawCoderClient, for
 * an import: the parse and the coding then use both cores).
 */
import zlib from 'node:zlib';
import { ByteSink, concatBytes, windowTail } from './bytes';
import { CELLS_FROM, encodeRecord, RecordType } from './format';
import { LineDeltaEncoder, MAX_CARRY } from './lineDelta';

/** Raw bytes coded beyond this are written out without waiting for the timer. */
export const FLUSH_OPS = 1 << 20;

/** A RAW record and the raw stream offset it reaches. */
export interface RawRecord {
  bytes: Uint8Array;
  rawEnd: number;
}

export interface RawCoderOptions {
  format: number;
  level: number;
}

/** In this thread. */
export class RawCoder {
  private readonly enc: LineDeltaEncoder;
  /** Last 32 KiB of this segment's ops: the next record's deflate dictionary. */
  private opTail: Uint8Array = new Uint8Array(0);
  /** Raw offset where the ops not yet in a record begin. */
  private recordRawStart = 0;

  constructor(private readonly options: RawCoderOptions) {
    this.enc = new LineDeltaEncoder({ cells: options.format >= CELLS_FROM });
  }

  /** Stream offset of the first byte not coded yet (a partial line is held back). */
  get codedEnd(): number {
    return this.enc.codedEnd;
  }

  push(bytes: Uint8Array): void {
    this.enc.push(bytes);
  }

  splitAt(at: number): void {
    this.enc.splitAt(at);
  }

  flushPartial(): void {
    this.enc.flushPartial();
  }

  /** A new segment: fresh tables and dictionary. Take its last record first. */
  clearTables(): void {
    this.enc.clearTables();
    this.opTail = new Uint8Array(0);
  }

  /**
   * The ops coded since the last record, as a RAW record (null if none): always when `force`,
   * else only once they reach FLUSH_OPS.
   */
  take(lastHostMs: number | null, force: boolean): RawRecord | null {
    if (!force && this.enc.pending < FLUSH_OPS) return null;
    const rawStart = this.recordRawStart;
    const rawEnd = this.enc.codedEnd;
    if (rawEnd === rawStart) return null;
    const ops = this.enc.take();
    const cells = this.enc.takeCells();
    const opts: zlib.ZlibOptions = { level: this.options.level, memLevel: 9 };
    if (this.opTail.length) opts.dictionary = this.opTail;
    const packed = zlib.deflateRawSync(ops, opts);
    this.opTail = windowTail(this.opTail, ops);
    const head = new ByteSink(48);
    head.uvar(rawStart);
    head.uvar(rawEnd - rawStart);
    head.uvar(ops.length);
    head.uvar(lastHostMs === null ? 0 : lastHostMs + 1);
    if (this.options.format >= CELLS_FROM) head.uvar(cells.length);
    this.recordRawStart = rawEnd;
    return { bytes: encodeRecord(RecordType.Raw, concatBytes([head.view(), cells, packed])), rawEnd };
  }
}

/** A command to the worker: what RawCoder is asked, in order. */
export type RawCommand =
  | { c: 'push'; bytes: Uint8Array }
  | { c: 'split'; at: number }
  | { c: 'flush' }
  | { c: 'take'; hostMs: number | null; force: boolean }
  | { c: 'clear' }
  /** Reply with the records taken since the last reply. */
  | { c: 'reply'; id: number };

export type RawReply = { id: number; records: RawRecord[] } | { id: number; error: string };

/** Runs commands on a RawCoder; the records taken wait in `taken` for the next reply. */
export function runCommands(coder: RawCoder, taken: RawRecord[], cmds: RawCommand[], reply: (r: RawReply) => void): void {
  for (const m of cmds) {
    switch (m.c) {
      case 'push':
        coder.push(m.bytes);
        break;
      case 'split':
        coder.splitAt(m.at);
        break;
      case 'flush':
        coder.flushPartial();
        break;
      case 'take': {
        const r = coder.take(m.hostMs, m.force);
        if (r) taken.push(r);
        break;
      }
      case 'clear':
        coder.clearTables();
        break;
      case 'reply':
        reply({ id: m.id, records: taken.splice(0) });
        break;
    }
  }
}

const LF = 0x0a;

/**
 * The encoder's codedEnd without the encoder: how many bytes of a partial last line it holds
 * back, from the same rules (lineDelta.ts push/flushPartial/splitAt). The writer cuts segments
 * where the coded bytes end, so the thread that parses must know it at once.
 */
export class CodedEndMirror {
  private pushed = 0;
  private carry = 0;

  get codedEnd(): number {
    return this.pushed - this.carry;
  }

  push(bytes: Uint8Array): void {
    const n = bytes.length;
    this.pushed += n;
    const lf = bytes.lastIndexOf(LF);
    // Every line that ends in this chunk ends the carry (coded, or let go as fragments).
    if (lf !== -1) this.carry = 0;
    const rest = n - (lf + 1);
    if (rest === 0) return;
    this.carry = this.carry + rest > MAX_CARRY ? 0 : this.carry + rest;
  }

  flushPartial(): void {
    this.carry = 0;
  }

  splitAt(at: number): void {
    const k = at - this.codedEnd;
    if (k < 0 || at > this.pushed) throw new RangeError(`cannot split at ${at}: bytes from ${this.codedEnd} to ${this.pushed} are held`);
    this.carry -= k;
  }
}
