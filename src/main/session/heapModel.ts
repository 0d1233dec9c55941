/**
 * The heap-map model of session format 3: a dump's map cells coded against the previous dump's
 * cells as what an allocator does to them, with a binary range coder (rangeCoder.ts).
 *
 * Cells are map characters: `.` free, `=` an object's tail, anything else an object's head
 * (its kind). An object is a head and the tails after it (a run of tails after a free cell,
 * at the very start of the stream, counts as an object of kind `=`). From one dump to the next:
 *
 * 1. each old object survives (exactly the same head and tails in the same place) or is
 *    freed: a flag per block (anything freed?), then one bit per old object, in context (its
 *    kind, its length, how many were freed before it, whether the one before it was);
 * 2. every other object of the new map is new: coded in address order as kind, length and
 *    where it lies: the number of places where an object of that length fits, counted from the
 *    end of the last new object, that it skips (first-fit allocation: nearly always 0).
 *
 * Information per dump is then what changed in allocator terms — a collection frees whole
 * objects, an allocation is a kind and a length — instead of the changed text. Encoder and
 * decoder run the same `transition`, one with the truth, one with the coded bits.
 */
import { BitModels, RangeDecoder, RangeEncoder } from './rangeCoder';

const FREE = 0x2e;
const TAIL = 0x3d;

/** A cell byte → kind symbol: 0 END, 1 `=`, 2–27 `A`–`Z`, 28–53 `a`–`z`; -1 not a map cell. */
export const CELL_SYMBOL = (() => {
  const t = new Int8Array(256).fill(-1);
  t[TAIL] = 1;
  for (let c = 0; c < 26; c++) {
    t[0x41 + c] = 2 + c;
    t[0x61 + c] = 28 + c;
  }
  return t;
})();
const SYMBOL_CELL = (() => {
  const t = new Uint8Array(64);
  t[1] = TAIL;
  for (let c = 0; c < 26; c++) {
    t[2 + c] = 0x41 + c;
    t[28 + c] = 0x61 + c;
  }
  return t;
})();
const SYMBOLS = 54;

export function isCell(c: number): boolean {
  return c === FREE || CELL_SYMBOL[c] >= 0;
}

/** Whether every byte is a map cell (`.`, `=` or a letter). */
export function allCells(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] !== FREE && CELL_SYMBOL[b[i]] < 0) return false;
  return true;
}

const lenBucket = (n: number) => (n <= 2 ? n : n <= 4 ? 3 : n <= 8 ? 4 : n <= 16 ? 5 : n <= 64 ? 6 : 7);
const freesBucket = (f: number) => (f === 0 ? 0 : f < 3 ? 1 : f < 16 ? 2 : 3);

/** Lengths up to this are coded in unary (one context each), longer ones as a gamma code. */
const UNARY = 16;

/** Bit sink or source: the encoder codes `value` and returns it, the decoder returns what it reads. */
interface BitIO {
  bit(m: BitModels, i: number, value: number): number;
}

class EncIO implements BitIO {
  constructor(readonly rc: RangeEncoder) {}
  bit(m: BitModels, i: number, value: number): number {
    this.rc.bit(m, i, value);
    return value;
  }
}

class DecIO implements BitIO {
  constructor(readonly rd: RangeDecoder) {}
  bit(m: BitModels, i: number): number {
    return this.rd.bit(m, i);
  }
}

/** What the encoder knows: which old objects were freed (at their heads), and the new ones. */
interface Truth {
  /** 1 at the head of a freed old object. */
  freedAt: Uint8Array;
  anyFreed: number;
  /** How many old objects were freed, and where the first one starts. */
  freedCount: number;
  firstFreed: number;
  kinds: number[];
  lens: number[];
  heads: number[];
}

/** Thrown when coded cells make no sense (damage). */
export class HeapModelError extends Error {}

export class HeapModel {
  private readonly anyFree = new BitModels(2);
  private readonly gammaFrees = new BitModels(2 * 64);
  private readonly surv = new BitModels(16 * 8 * 4 * 2);
  private readonly kind = new BitModels(SYMBOLS * 8 * 64);
  private readonly len = new BitModels(SYMBOLS * 8 * (UNARY + 1));
  private readonly gammaLen = new BitModels(2 * 64);
  private readonly skip0 = new BitModels(4 * 4);
  private readonly gammaSkip = new BitModels(4 * 64);
  /** Whether the last block freed anything (the context of the next block's flag). */
  private lastFreed = 0;

  reset(): void {
    for (const m of [this.anyFree, this.gammaFrees, this.surv, this.kind, this.len, this.gammaLen, this.skip0, this.gammaSkip]) m.reset();
    this.lastFreed = 0;
  }

  /**
   * The cells the last encode or decode changed: [start, end) pairs (frees in address order,
   * then new objects in address order), `changedCount` numbers. Callers that keep the cells
   * elsewhere copy back only these.
   */
  changed = new Int32Array(256);
  changedCount = 0;

  private change(lo: number, hi: number): void {
    if (this.changedCount + 2 > this.changed.length) {
      const grown = new Int32Array(this.changed.length * 2);
      grown.set(this.changed);
      this.changed = grown;
    }
    this.changed[this.changedCount++] = lo;
    this.changed[this.changedCount++] = hi;
  }

  /** The encoder's bit sink (one per range coder it codes into). */
  private encIO: EncIO | null = null;
  /** The truth's lists, reused dump after dump. */
  private readonly truthLists: Truth = { freedAt: new Uint8Array(0), anyFreed: 0, freedCount: 0, firstFreed: -1, kinds: [], lens: [], heads: [] };

  /** Scratch cells (grown as needed: a typed array costs microseconds to allocate). */
  private scratchOut = new Uint8Array(0);
  private scratchFreed = new Uint8Array(0);

  /**
   * Codes `cur` (as many cells as `old`). `spans` ([start, end) pairs, in order), when given,
   * hold every cell where the two differ: the rest is not searched.
   */
  encode(rc: RangeEncoder, old: Uint8Array, cur: Uint8Array, spans?: number[]): void {
    const n = cur.length;
    if (this.scratchOut.length < n) {
      this.scratchOut = new Uint8Array(n * 2);
      this.scratchFreed = new Uint8Array(n * 2);
    }
    const truth = this.truth(old, cur, spans ?? [0, n]);
    const out = this.scratchOut.subarray(0, n);
    if (this.encIO === null || this.encIO.rc !== rc) this.encIO = new EncIO(rc);
    this.transition(this.encIO, old, out, truth);
    this.scratchFreed.fill(0, 0, n);
    // What the decoder will make of these bits: a file that cannot be read back is never written.
    if (Buffer.compare(out, cur) !== 0) {
      throw new Error('heap model: the cells do not code as themselves');
    }
  }

  /** Decodes cells into `cur` (as many as `old`). */
  decode(rd: RangeDecoder, old: Uint8Array, cur: Uint8Array): void {
    this.transition(new DecIO(rd), old, cur, null);
  }

  private truth(old: Uint8Array, cur: Uint8Array, spans: number[]): Truth {
    const n = old.length;
    const t = this.truthLists;
    t.freedAt = this.scratchFreed;
    t.anyFreed = 0;
    t.freedCount = 0;
    t.firstFreed = -1;
    t.kinds.length = 0;
    t.lens.length = 0;
    t.heads.length = 0;
    // Windows of change [a, b), widened to boundaries in both maps (neither is a tail there):
    // every object outside them is the same object in both.
    let done = 0;
    for (let r = 0; r < spans.length; r += 2) {
      const end = spans[r + 1];
      let i = Math.max(spans[r], done);
      for (;;) {
        while (i < end && old[i] === cur[i]) i++;
        if (i >= end) break;
        let a = i;
        while (a > done && (old[a] === TAIL || cur[a] === TAIL)) a--;
        let b = i;
        while (b < n && (old[b] !== cur[b] || old[b] === TAIL)) b++;
        this.window(old, cur, a, b, t);
        done = i = b;
      }
    }
    return t;
  }

  /** The truth about [a, b): freed and surviving old objects (1, 2 at heads), new ones. */
  private window(old: Uint8Array, cur: Uint8Array, a: number, b: number, t: Truth): void {
    const n = old.length;
    const freedAt = t.freedAt;
    for (let i = a; i < b; ) {
      if (old[i] === FREE) {
        i++;
        continue;
      }
      let e = i + 1;
      while (e < n && old[e] === TAIL) e++;
      let same = e === n || cur[e] !== TAIL;
      // An orphan run of tails is the same object only if it is still an orphan.
      if (same && old[i] === TAIL && i > 0 && cur[i - 1] !== FREE) same = false;
      for (let k = i; same && k < e; k++) if (cur[k] !== old[k]) same = false;
      freedAt[i] = same ? 2 : 1;
      if (!same) {
        t.anyFreed = 1;
        if (t.freedCount++ === 0) t.firstFreed = i;
      }
      i = e;
    }
    for (let i = a; i < b; ) {
      if (cur[i] === FREE) {
        i++;
        continue;
      }
      let e = i + 1;
      while (e < n && cur[e] === TAIL) e++;
      if (freedAt[i] !== 2) {
        t.kinds.push(CELL_SYMBOL[cur[i]]);
        t.lens.push(e - i);
        t.heads.push(i);
      }
      i = e;
    }
  }

  private transition(io: BitIO, old: Uint8Array, cur: Uint8Array, truth: Truth | null): void {
    const n = old.length;
    cur.set(old);
    this.changedCount = 0;
    // 1. Frees: a flag for the block; if any, how many and where the first one starts, then a
    // bit per old object from the one after it until all are found (the objects before the
    // first and after the last are not walked: a big map that frees a few costs little).
    const any = io.bit(this.anyFree, this.lastFreed, truth ? truth.anyFreed : 0);
    this.lastFreed = any;
    if (any === 1) {
      const count = 1 + this.gamma(io, this.gammaFrees, 0, truth ? truth.freedCount - 1 : 0);
      const first = this.gamma(io, this.gammaFrees, 64, truth ? truth.firstFreed : 0);
      if (first >= n || old[first] === FREE || (old[first] === TAIL && first > 0 && old[first - 1] !== FREE)) {
        throw new HeapModelError('a freed object where none starts');
      }
      let frees = 0;
      let prevFreed = 1;
      for (let i = first; i < n && frees < count; ) {
        if (old[i] === FREE) {
          i++;
          continue;
        }
        let e = i + 1;
        while (e < n && old[e] === TAIL) e++;
        let f = 1;
        if (i !== first) {
          const kind = CELL_SYMBOL[old[i]] & 15;
          const ctx = ((kind * 8 + lenBucket(e - i)) * 4 + freesBucket(frees)) * 2 + prevFreed;
          f = io.bit(this.surv, ctx, truth ? truth.freedAt[i] & 1 : 0);
        }
        if (f === 1) {
          for (let c = i; c < e; c++) cur[c] = FREE;
          this.change(i, e);
          frees++;
        }
        prevFreed = f;
        i = e;
      }
      if (frees < count) throw new HeapModelError('more frees than objects');
    }
    // 2. New objects, in address order.
    let pos = 0;
    let prevKind = 0;
    let prevLen = 0;
    let prevSkip = 0;
    for (let k = 0; ; k++) {
      const kind = this.symbol(io, prevKind * 8 + lenBucket(prevLen), truth ? (k < truth.kinds.length ? truth.kinds[k] : 0) : 0);
      if (kind === 0) break;
      const len = this.length(io, kind, prevLen, truth ? truth.lens[k] : 0);
      const sctx = (k === 0 ? 0 : prevSkip === 0 ? 1 : 2) * 4 + (len === 1 ? 0 : len <= 4 ? 1 : 2);
      // The encoder knows where the object is; the decoder finds it from the skip.
      const skip = this.count(io, this.skip0, sctx, this.gammaSkip, (k === 0 ? 0 : 1) * 64, truth ? countFits(cur, pos, truth.heads[k], len) : 0);
      const head = truth ? truth.heads[k] : nthFit(cur, pos, len, skip);
      if (head < 0) throw new HeapModelError('an object placed past the end of its map');
      cur[head] = SYMBOL_CELL[kind];
      for (let c = head + 1; c < head + len; c++) cur[c] = TAIL;
      this.change(head, head + len);
      pos = head + len;
      prevKind = kind;
      prevLen = len;
      prevSkip = skip;
    }
  }

  /** A kind symbol (0–63) as 6 binary decisions down a tree, in context. */
  private symbol(io: BitIO, ctx: number, value: number): number {
    const base = ctx * 64;
    let node = 1;
    for (let b = 5; b >= 0; b--) {
      const bit = io.bit(this.kind, base + node, (value >> b) & 1);
      node = node * 2 + bit;
    }
    const sym = node - 64;
    if (sym >= SYMBOLS) throw new HeapModelError('a map cell of unknown kind');
    return sym;
  }

  /** An object length ≥ 1: unary up to UNARY in context of its kind, then a gamma code. */
  private length(io: BitIO, kind: number, prevLen: number, value: number): number {
    const base = (kind * 8 + lenBucket(prevLen)) * (UNARY + 1);
    let len = 1;
    while (len <= UNARY) {
      if (io.bit(this.len, base + len, value > len ? 1 : 0) === 0) return len;
      len++;
    }
    return UNARY + 1 + this.gamma(io, this.gammaLen, 0, value - UNARY - 1);
  }

  /** A count ≥ 0: a zero flag in context, then a gamma code of count - 1. */
  private count(io: BitIO, zero: BitModels, zctx: number, g: BitModels, gbase: number, value: number): number {
    if (io.bit(zero, zctx, value === 0 ? 0 : 1) === 0) return 0;
    return 1 + this.gamma(io, g, gbase, value - 1);
  }

  /** Elias gamma of value ≥ 0 (of value + 1), with adaptive bits by position. */
  private gamma(io: BitIO, m: BitModels, base: number, value: number): number {
    const v = value + 1;
    let nb = 0;
    if (v > 0) while (v >= 2 ** (nb + 1)) nb++;
    let bits = 0;
    while (io.bit(m, base + Math.min(bits, 31), bits < nb ? 1 : 0) === 1) {
      bits++;
      if (bits > 40) throw new HeapModelError('a count too large');
    }
    let r = 1;
    for (let b = bits - 1; b >= 0; b--) r = r * 2 + io.bit(m, base + 32 + Math.min(b, 31), Math.floor(v / 2 ** b) % 2);
    return r - 1;
  }
}

/** Four `.` cells as a little-endian word (xor with it leaves a zero byte where a cell is free). */
const FREE4 = 0x2e2e2e2e;

/** Whether the word has a zero byte (exact for "any": the classic (w - 0x01…) & ~w & 0x80… test). */
const hasZeroByte = (w: number) => ((w - 0x01010101) & ~w & 0x80808080) !== 0;

/** A DataView of the cells countFits last scanned (the encoder's scratch: the same buffer each dump). */
let fitsBuf: ArrayBufferLike | null = null;
let fitsView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/** Places in [from, to) where `len` free cells start. */
function countFits(cur: Uint8Array, from: number, to: number, len: number): number {
  let k = 0;
  let i = from;
  // A fit starting before `to` needs free cells up to to + len - 1 at most: no need to look further.
  const n = Math.min(cur.length, to + len);
  if (cur.buffer !== fitsBuf) {
    fitsBuf = cur.buffer;
    fitsView = new DataView(cur.buffer);
  }
  const v = fitsView;
  const o = cur.byteOffset;
  while (i < to) {
    if (cur[i] !== FREE) {
      // Over occupied cells four at a time, never past `to` (the scan from one new object to
      // the next crosses the whole occupied heap: it was the hottest line of an import).
      i++;
      while (i + 4 <= to && !hasZeroByte(v.getInt32(o + i, true) ^ FREE4)) i += 4;
      while (i < to && cur[i] !== FREE) i++;
      continue;
    }
    let e = i + 1;
    while (e < n && cur[e] === FREE) e++;
    // Free run [i, e): fits start at i … e - len.
    const last = Math.min(e - len, to - 1);
    if (last >= i) k += last - i + 1;
    i = e;
  }
  return k;
}

/** The place of the (skip+1)-th fit for `len` free cells from `from`, or -1. */
function nthFit(cur: Uint8Array, from: number, len: number, skip: number): number {
  let i = from;
  const n = cur.length;
  while (i < n) {
    if (cur[i] !== FREE) {
      i = cur.indexOf(FREE, i + 1);
      if (i < 0) break;
      continue;
    }
    // The run need not be followed past the fit asked for.
    const stop = Math.min(n, i + skip + len);
    let e = i + 1;
    while (e < stop && cur[e] === FREE) e++;
    const fits = e - len - i + 1;
    if (fits > 0) {
      if (skip < fits) return i + skip;
      skip -= fits;
    }
    i = e;
  }
  return -1;
}
