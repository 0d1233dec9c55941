/**
 * The streaming capture reader: bytes from a board (or a saved log) go in, in chunks of any
 * size; events come out in arrival order. It reads bare `mem_info` dumps of every era, the
 * HeapScope helper's `@@HS:` frames and pi-mst's `@@@` frames, and never throws on input.
 */
import { DumpAssembler, Stage } from './dumpAssembler';
import {
  BLOCKS_LINE,
  coreRange,
  DUMP_STARTS,
  FOLD,
  GC_LINE,
  GC_LINE_DAMAGED,
  isStrongMapLine,
  LAYOUT,
  matchMapLine,
  MEM,
  STACK,
} from './dumpLines';
import { deviceEventOf } from './deviceLines';
import { FIELDS, FOLD_UNSURE, readFold, readHeader, UNSURE } from './headerBytes';
import type { CaptureEvent } from './events';
import { LineSplitter, type LineSink } from './lineSplitter';
import { asciiString, isPlainAscii, lineText } from './text';
import type { DumpFraming, HeapSnapshot } from '../heap/snapshot';

/**
 * Bytes to feed at a time where a whole file is read. Each line becomes an event that lives
 * until its consumer has it: 64 KiB of one-character lines is 32 Ki events, a 1 MiB chunk
 * would be half a million (hundreds of MB). Memory is bounded by this slice, not by the shape
 * of the input.
 */
export const FEED_SLICE = 64 << 10;

const AT = 0x40;
/** MicroPython's ticks_ms() period. */
const TICKS_PERIOD = 2 ** 30;

/**
 * `time.localtime()[:8]` as pi-mst prints it (`2026, 11, 23, 14, 5, 9, 0, 327`) in ms since
 * the epoch, or null if it is not a date. The board's clock is local time (mpremote sets it
 * from the host's), so it is read as the host's local time.
 */
export function wallClockOf(tuple: string): number | null {
  const f = tuple.split(',').map((x) => Number(x.trim()));
  if (f.length < 6 || f.slice(0, 6).some((x) => !Number.isInteger(x))) return null;
  const [y, mo, d, h, mi, sec] = f;
  if (y < 2000 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return null;
  const ms = new Date(y, mo - 1, d, h, mi, sec).getTime();
  return Number.isFinite(ms) ? ms : null;
}

interface Frame {
  framing: Exclude<DumpFraming, 'bare'>;
  seq: number | null;
  deviceMs: number | null;
  collected: boolean | null;
  byteStart: number;
}

export class CaptureReader implements LineSink {
  private readonly splitter = new LineSplitter(this);
  private out: CaptureEvent[] = [];
  private dump: DumpAssembler | null = null;
  private frame: Frame | null = null;
  private snapshots = 0;
  private nextSeq: number | null = null;
  /** The frame open is pi-mst's clock line (`@@@ <ticks_ms> (<localtime>)`), not a dump yet. */
  private clockLine = false;
  /** pi-mst's clock line: device ticks and the wall-clock time (ms since the epoch) they were. */
  private clock: { deviceMs: number; wallMs: number } | null = null;
  /** Stream offset just past the last line handled: where an unframed dump ends. */
  private lastLineEnd = 0;
  /** Line number of the last empty line logged or skipped (see log()). */
  private lastEmptyLine = -2;
  /** See ascii(). */
  private memoLine = -1;
  private memoBytes: Uint8Array | null = null;
  private memoStart = 0;
  private memoEnd = 0;
  private memoText = '';

  /**
   * `checkFigures: false` skips checking each dump's printed figures against its map (the
   * complete/consistent verdicts): for a reader whose dumps were checked when first captured
   * (a stored session's index already holds those verdicts), it is work thrown away.
   */
  constructor(private readonly opts: { checkFigures?: boolean } = {}) {}

  /** Feeds bytes; returns the events they completed. */
  feed(chunk: Uint8Array): CaptureEvent[] {
    // One element type through the hot loops: a Node Buffer and a plain Uint8Array are
    // different shapes to the JIT, and mixing them makes every byte access slow.
    const plain = chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    this.splitter.push(plain);
    return this.take();
  }

  /** The capture ended: flushes the last line and any dump in progress. */
  end(): CaptureEvent[] {
    this.splitter.end();
    if (this.dump) {
      this.finishDump(this.lastLineEnd, this.frame ? 'the capture ends before the dump does' : null);
    }
    return this.take();
  }

  get bytesSeen(): number {
    return this.splitter.bytesSeen;
  }

  /**
   * The wall-clock time (ms since the epoch) of a device tick count, where the capture tied
   * its ticks to the board's clock (pi-mst's first line); null where it did not. ticks_ms
   * wraps at 2^30 ms.
   */
  wallClockOf(deviceMs: number | null): number | null {
    if (deviceMs === null || this.clock === null) return null;
    let delta = deviceMs - this.clock.deviceMs;
    if (delta < 0) delta += TICKS_PERIOD;
    return delta >= 0 && delta < TICKS_PERIOD ? this.clock.wallMs + delta : null;
  }

  /** True while a dump has started and not ended (its bytes are not settled yet). */
  get inDump(): boolean {
    return this.dump !== null;
  }

  /**
   * asciiString, remembering the last range: a line outside a dump is tried as a header, as
   * a dump starting mid-line, then logged, and used to be decoded for each. The line number
   * is part of the key because the carry buffer is reused from line to line.
   */
  private ascii(b: Uint8Array, s: number, e: number, lineNo: number): string {
    if (lineNo !== this.memoLine || b !== this.memoBytes || s !== this.memoStart || e !== this.memoEnd) {
      this.memoText = asciiString(b, s, e);
      this.memoLine = lineNo;
      this.memoBytes = b;
      this.memoStart = s;
      this.memoEnd = e;
    }
    return this.memoText;
  }

  private take(): CaptureEvent[] {
    const events = this.out;
    this.out = [];
    return events;
  }

  line(b: Uint8Array, start: number, end: number, termLen: number, lineNo: number, byteOffset: number, cut = 0): void {
    const lineEnd = byteOffset + (end - start) + cut + termLen;
    if (cut > 0) {
      this.longLine(b, start, end, cut, lineNo, byteOffset);
      this.lastLineEnd = lineEnd;
      return;
    }
    // Fast path for the bulk of every capture: an undecorated map line inside a dump. No
    // marker search first: tryMapLine accepts only hex digits, ": " and map letters, never
    // `@`, so a line with a frame marker in it fails here and takes the general path.
    const d = this.dump;
    if (d !== null && d.stage === Stage.Map && isHexDigit(b[start]) && d.tryMapLine(b, start, end, lineNo)) {
      this.lastLineEnd = lineEnd;
      return;
    }
    try {
      if (!hasAt(b, start, end)) {
        this.plainLine(b, start, end, lineNo, byteOffset);
      } else {
        this.handle(b, start, end, lineEnd, lineNo, byteOffset);
      }
    } catch (err) {
      // A reader bug must not lose the capture: keep the line as text and say what happened.
      this.dump = null;
      this.frame = null;
      this.log(b, start, end, lineNo, byteOffset);
      this.out.push({
        type: 'device',
        kind: 'traceback',
        text: `HeapScope could not read line ${lineNo}: ${(err as Error).message}`,
        line: lineNo,
        byteOffset,
      });
    }
    this.lastLineEnd = lineEnd;
  }

  /**
   * The splitter's guess at the next line (see LineSink.lineIfWhole): taken only as a map line
   * of the open dump, which tryMapLine accepts only if every byte is a hex digit, `:`, a space
   * or a block character, so never across a line terminator. Refused, it changed nothing.
   */
  lineIfWhole(b: Uint8Array, start: number, end: number, termLen: number, lineNo: number, byteOffset: number): boolean {
    const d = this.dump;
    if (d === null || d.stage !== Stage.Map || !isHexDigit(b[start]) || !d.tryMapLine(b, start, end, lineNo)) return false;
    this.lastLineEnd = byteOffset + (end - start) + termLen;
    return true;
  }

  private handle(b: Uint8Array, start: number, end: number, lineEnd: number, lineNo: number, byteOffset: number): void {
    // Frame markers may start mid-line: a scheduled dump runs between any two bytecodes.
    let at = -1;
    for (let i = start; i < end - 1; i++) {
      if (b[i] === AT && b[i + 1] === AT) {
        at = i;
        break;
      }
    }
    if (at !== -1) {
      if (at > start) {
        this.handle(b, start, at, byteOffset + (at - start), lineNo, byteOffset);
        this.lastLineEnd = byteOffset + (at - start);
      }
      if (this.marker(b, at, end, lineEnd, lineNo, byteOffset + (at - start))) return;
    }
    this.plainLine(b, start, end, lineNo, byteOffset);
  }

  /** A line (or the part of one) with no frame marker in it. */
  private plainLine(b: Uint8Array, start: number, end: number, lineNo: number, byteOffset: number): void {
    const [s, e] = coreRange(b, start, end);
    if (this.dump) {
      if (this.dumpLine(b, s, e, lineNo)) return;
      if (this.frame) {
        // Foreign text inside a framed dump (noise, or output from another thread): keep it
        // as a log line and read on to the end marker.
        if (e > s) this.dump.problems.push(`line ${lineNo}: unexpected text inside the dump`);
        this.log(b, start, end, lineNo, byteOffset);
        return;
      }
      this.finishDump(this.lastLineEnd, null);
    }
    this.idleLine(b, start, end, s, e, lineNo, byteOffset);
  }

  /** A line while no dump is open: a dump may start here, even mid-line. */
  private idleLine(
    b: Uint8Array,
    start: number,
    end: number,
    s: number,
    e: number,
    lineNo: number,
    byteOffset: number,
  ): void {
    if (e > s) {
      const c = b[s];
      if (c === 0x6d || c === 0x73 || c === 0x47 || c === 0x4e) {
        // m(em) s(tack) G(C) N(o. of): a dump's header.
        let stage = readHeader(b, s, e);
        if (stage === UNSURE) stage = headerStage(this.ascii(b, s, e, lineNo));
        if (stage !== Stage.None) {
          this.dump = new DumpAssembler(byteOffset, 'bare', null, null, null);
          this.dumpLine(b, s, e, lineNo);
          return;
        }
      } else if (isHexDigit(c)) {
        const m = matchMapLine(b, s, e, null);
        if (m && isStrongMapLine(b, m)) {
          this.dump = new DumpAssembler(byteOffset, 'bare', null, null, null);
          this.dumpLine(b, s, e, lineNo);
          return;
        }
      }
      // A dump that begins after text the program had not finished printing.
      if (e - s > 7) {
        const text = this.ascii(b, s, e, lineNo);
        for (const marker of DUMP_STARTS) {
          const i = text.indexOf(marker);
          if (i > 0 && headerStage(text.slice(i)) !== Stage.None) {
            const split = s + i;
            this.log(b, start, split, lineNo, byteOffset);
            const off = byteOffset + (split - start);
            this.dump = new DumpAssembler(off, 'bare', null, null, null);
            this.dumpLine(b, split, e, lineNo);
            return;
          }
        }
      }
    }
    this.log(b, start, end, lineNo, byteOffset);
  }

  /** Feeds a line to the open dump; false if it is not part of it. */
  private dumpLine(b: Uint8Array, s: number, e: number, lineNo: number): boolean {
    const d = this.dump!;
    if (e <= s) return false;
    const c = b[s];
    if (isHexDigit(c) && d.tryMapLine(b, s, e, lineNo)) return true;
    // The header and fold lines read from their bytes; the text route below where they cannot tell.
    if (c === 0x28 /* ( */) {
      const lines = readFold(b, s, e);
      if (lines >= 0) {
        d.addFold(lines, lineNo);
        return true;
      }
      if (lines !== FOLD_UNSURE) return false;
    } else {
      const stage = readHeader(b, s, e);
      if (stage === Stage.None) {
        // Only the damaged GC line needs the text (see below).
        if (d.stage === Stage.None || d.stage >= Stage.Gc) return d.tryNoisyMapLine(b, s, e, lineNo);
      } else if (stage !== UNSURE) {
        this.header(d, stage, lineNo, b);
        return true;
      }
    }
    const text = this.ascii(b, s, e, lineNo);
    if (c === 0x28 /* ( */) {
      const m = FOLD.exec(text);
      if (!m) return false;
      d.addFold(Number(m[1]), lineNo);
      return true;
    }
    const stage = headerStage(text);
    if (stage === Stage.None) {
      // The GC line with its start lost on the link (`193664, used: …`).
      if (d.stage !== Stage.None && d.stage < Stage.Gc) {
        const g = GC_LINE_DAMAGED.exec(text);
        if (g) {
          d.setGc(Number(g[1]), Number(g[2]), Number(g[3]), g[4] ? Number(g[4]) : null, lineNo);
          d.problems.push(`line ${lineNo}: start of the GC line lost ("${text.slice(0, 24)}…")`);
          return true;
        }
      }
      // A map line that noise hit stays in its dump, its unreadable cells unknown.
      return d.tryNoisyMapLine(b, s, e, lineNo);
    }
    if (stage === Stage.Map) {
      d.startArea(LAYOUT.exec(text)![1], lineNo);
      return true;
    }
    if (stage <= d.stage) {
      // The header starts over: this line begins the next dump.
      const cut = this.frame ? 'the dump was cut short (no end marker)' : null;
      this.finishDump(this.lastLineEnd, cut);
      this.dump = new DumpAssembler(this.lastLineEnd, 'bare', null, null, null);
      applyHeader(this.dump, stage, text, lineNo);
      return true;
    }
    applyHeader(d, stage, text, lineNo);
    return true;
  }

  /**
   * The header line readHeader just read (its figures in FIELDS, the layout's address in
   * `b`), as the text route below handles one: it may end the open dump and begin the next.
   */
  private header(d: DumpAssembler, stage: Stage, lineNo: number, b: Uint8Array): void {
    if (stage === Stage.Map) {
      d.startArea(asciiString(b, FIELDS[0], FIELDS[1]), lineNo);
      return;
    }
    if (stage <= d.stage) {
      // The header starts over: this line begins the next dump.
      const cut = this.frame ? 'the dump was cut short (no end marker)' : null;
      this.finishDump(this.lastLineEnd, cut);
      d = this.dump = new DumpAssembler(this.lastLineEnd, 'bare', null, null, null);
    }
    switch (stage) {
      case Stage.Mem:
        d.setMem(FIELDS[0], FIELDS[1], FIELDS[2], lineNo);
        break;
      case Stage.Stack:
        d.setStack(FIELDS[0], optional(FIELDS[1]), lineNo);
        break;
      case Stage.Gc:
        d.setGc(FIELDS[0], FIELDS[1], FIELDS[2], optional(FIELDS[3]), lineNo);
        break;
      case Stage.Blocks:
        d.setBlocks(FIELDS[0], FIELDS[1], FIELDS[2], optional(FIELDS[3]), lineNo);
        break;
      default:
        break;
    }
  }

  /** Handles a frame marker at b[at]; false if it is not one (then it is ordinary text). */
  private marker(b: Uint8Array, at: number, end: number, lineEnd: number, lineNo: number, byteOffset: number): boolean {
    const text = asciiString(b, at, Math.min(end, at + 200)).trimEnd();
    if (text.startsWith('@@HS:')) {
      const f = text.slice(5).split(' ');
      switch (f[0]) {
        case 'B': {
          if (this.dump) this.finishDump(byteOffset, this.frame ? 'the dump was cut short (no end marker)' : null);
          const seq = intField(f, 1);
          this.checkSeq(seq, lineNo, byteOffset);
          this.frame = { framing: 'helper', seq, deviceMs: intField(f, 2), collected: f[3] === undefined ? null : f[3] === '1', byteStart: byteOffset };
          this.dump = new DumpAssembler(byteOffset, 'helper', seq, intField(f, 2), this.frame.collected);
          return true;
        }
        case 'E': {
          if (this.dump) {
            if (!this.frame) {
              this.dump.problems.push(`line ${lineNo}: the dump's begin marker was lost`);
            }
            this.finishDump(lineEnd, null);
          }
          this.frame = null;
          return true;
        }
        case 'S': {
          if (this.dump) this.finishDump(byteOffset, this.frame ? 'the dump was cut short (no end marker)' : null);
          const seq = intField(f, 1);
          this.checkSeq(seq, lineNo, byteOffset);
          const alloc = intField(f, 4);
          const free = intField(f, 5);
          const snapshot: HeapSnapshot = {
            index: this.snapshots++,
            line: lineNo,
            byteStart: byteOffset,
            byteEnd: lineEnd,
            framing: 'helper',
            seq,
            deviceMs: intField(f, 2),
            collected: f[3] === undefined ? null : f[3] === '1',
            printed: null,
            blockSize: null,
            addressStyle: null,
            areas: [],
            stats: alloc !== null && free !== null ? { alloc, free } : null,
            complete: false,
            consistent: true,
            problems: alloc !== null && free !== null ? [] : [`line ${lineNo}: stats frame damaged`],
          };
          this.out.push({ type: 'snapshot', snapshot });
          return true;
        }
        case 'K': {
          const seq = intField(f, 1);
          this.checkSeq(seq, lineNo, byteOffset);
          this.out.push({ type: 'mark', label: f.slice(3).join(' '), deviceMs: intField(f, 2), line: lineNo, byteOffset });
          return true;
        }
        case 'H': {
          this.nextSeq = null;
          this.out.push({
            type: 'device',
            kind: 'helperStart',
            text,
            line: lineNo,
            byteOffset,
            detail: {
              protocol: intField(f, 1) ?? 0,
              periodMs: intField(f, 2) ?? 0,
              mode: f[3] ?? '',
              collect: f[4] === '1',
              implementation: f[5] ?? '',
            },
          });
          return true;
        }
        default:
          return false;
      }
    }
    if (text.startsWith('@@@')) {
      // pi-mst's mem_dump.py: once `@@@ <ticks_ms> (y, m, d, H, M, S, wd, yd)` to tie its
      // ticks to the wall clock, then per dump `@@@ <ticks_ms>` … `@@@`.
      const m = /^@@@(?: (\d+))?(?: \((.*)\))?$/.exec(text);
      if (!m) return false;
      if (m[1] === undefined) {
        if (this.dump) this.finishDump(lineEnd, null);
        this.frame = null;
        return true;
      }
      if (this.dump) this.finishDump(byteOffset, this.frame && !this.clockLine ? 'the dump was cut short (no end marker)' : null);
      const deviceMs = Number(m[1]);
      this.clockLine = false;
      if (m[2]) {
        const wallMs = wallClockOf(m[2]);
        const detail: Record<string, string | number> = { helper: 'pi-mst', clock: m[2], deviceMs };
        if (wallMs !== null) {
          detail.wallMs = wallMs;
          this.clock = { deviceMs, wallMs };
        }
        this.out.push({ type: 'device', kind: 'helperStart', text, line: lineNo, byteOffset, detail });
        // pi-mst prints its own `@@@ <ticks_ms>` next; a dump right after this line (a
        // hand-made capture) still reads as one.
        this.clockLine = true;
      }
      this.frame = { framing: 'pimst', seq: null, deviceMs, collected: null, byteStart: byteOffset };
      this.dump = new DumpAssembler(byteOffset, 'pimst', null, deviceMs, null);
      return true;
    }
    return false;
  }

  private checkSeq(seq: number | null, lineNo: number, byteOffset: number): void {
    if (seq === null) return;
    if (this.nextSeq !== null && seq > this.nextSeq) {
      const lost = seq - this.nextSeq;
      this.out.push({
        type: 'device',
        kind: 'frameLost',
        text: `${lost} helper frame${lost > 1 ? 's' : ''} lost before frame ${seq}`,
        line: lineNo,
        byteOffset,
        lost,
      });
    }
    this.nextSeq = seq + 1;
  }

  private finishDump(byteEnd: number, cut: string | null): void {
    const d = this.dump!;
    this.dump = null;
    if (cut) this.frame = null;
    const clockLine = this.clockLine;
    this.clockLine = false;
    if (d.line === 0) {
      // pi-mst's clock line opened no dump of its own: nothing happened, nothing to report.
      if (clockLine) return;
      // A frame with nothing in it (or only foreign text): no snapshot to report.
      if (cut || d.framing !== 'bare') {
        this.out.push({
          type: 'device',
          kind: 'traceback',
          text: 'a heap dump frame arrived empty',
          line: 0,
          byteOffset: d.byteStart,
        });
      }
      return;
    }
    const snapshot = d.finish(this.snapshots++, byteEnd, cut, this.opts.checkFigures !== false);
    this.out.push({ type: 'snapshot', snapshot });
  }

  /**
   * A line longer than the splitter keeps (only its first MAX_LINE_BYTES are here): no dump
   * line is that long, so it ends an unframed dump and is logged as its start and its length.
   */
  private longLine(b: Uint8Array, start: number, end: number, cut: number, lineNo: number, byteOffset: number): void {
    if (this.dump) {
      if (this.frame) this.dump.problems.push(`line ${lineNo}: a line of ${end - start + cut} bytes inside the dump`);
      else this.finishDump(this.lastLineEnd, null);
    }
    const text = lineText(b, start, end);
    this.out.push({ type: 'log', text: `${text}… (a line of ${end - start + cut} bytes: only its first ${end - start} are shown)`, line: lineNo, byteOffset });
  }

  private log(b: Uint8Array, start: number, end: number, lineNo: number, byteOffset: number): void {
    const text = isPlainAscii(b, start, end) ? this.ascii(b, start, end, lineNo) : lineText(b, start, end);
    // A run of empty lines (or of control bytes only) is logged as its first line: the rest
    // stay in the raw bytes but cost no event (20 MB of newlines were 20 million log lines).
    if (text === '') {
      const run = lineNo === this.lastEmptyLine + 1;
      this.lastEmptyLine = lineNo;
      if (run) return;
    }
    this.out.push({ type: 'log', text, line: lineNo, byteOffset });
    const ev = deviceEventOf(text, lineNo, byteOffset);
    if (ev) this.out.push(ev);
  }
}

/**
 * Whether b[start, end) holds an `@` (a frame marker may start there). A loop over the line
 * rather than `indexOf`: that has no end bound, so on a capture without markers it would
 * scan to the end of the chunk for every line that asks.
 */
function hasAt(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] === AT) return true;
  return false;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
}

function headerStage(text: string): Stage {
  switch (text.charCodeAt(0)) {
    case 0x6d:
      return MEM.test(text) ? Stage.Mem : Stage.None;
    case 0x73:
      return STACK.test(text) ? Stage.Stack : Stage.None;
    case 0x47:
      if (GC_LINE.test(text)) return Stage.Gc;
      return LAYOUT.test(text) ? Stage.Map : Stage.None;
    case 0x4e:
      return BLOCKS_LINE.test(text) ? Stage.Blocks : Stage.None;
    default:
      return Stage.None;
  }
}

/** An optional regex group as a number. A function, not a closure per call: this runs per header line. */
function n(x: string | undefined): number | null {
  return x === undefined ? null : Number(x);
}

/** An optional figure readHeader left in FIELDS (-1: the line has none). */
function optional(x: number): number | null {
  return x < 0 ? null : x;
}

/** Field i of a helper frame as an integer, or null. */
function intField(f: string[], i: number): number | null {
  return f[i] !== undefined && /^-?\d+$/.test(f[i]) ? Number(f[i]) : null;
}

function applyHeader(d: DumpAssembler, stage: Stage, text: string, lineNo: number): void {
  switch (stage) {
    case Stage.Mem: {
      const m = MEM.exec(text)!;
      d.setMem(Number(m[1]), Number(m[2]), Number(m[3]), lineNo);
      break;
    }
    case Stage.Stack: {
      const m = STACK.exec(text)!;
      d.setStack(Number(m[1]), n(m[2]), lineNo);
      break;
    }
    case Stage.Gc: {
      const m = GC_LINE.exec(text)!;
      d.setGc(Number(m[1]), Number(m[2]), Number(m[3]), n(m[4]), lineNo);
      break;
    }
    case Stage.Blocks: {
      const m = BLOCKS_LINE.exec(text)!;
      d.setBlocks(Number(m[1]), Number(m[2]), Number(m[3]), n(m[4]), lineNo);
      break;
    }
    default:
      break;
  }
}

/** Reads a whole capture at once. */
export function readCapture(bytes: Uint8Array): CaptureEvent[] {
  const r = new CaptureReader();
  const events = r.feed(bytes);
  for (const e of r.end()) events.push(e);
  return events;
}
