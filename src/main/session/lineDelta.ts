/**
 * The line-delta transform the session applies to the raw capture before deflate (see
 * docs/session-format.md, "The line-delta transform").
 *
 * A heap map line is printed again at every dump with the same address and, usually, nearly
 * the same characters: each map line is coded against the last line printed at the same
 * address in the same heap area (its "slot") as NEXT/RUN/SAME when unchanged and PATCH (the
 * runs of bytes that changed) when it has the same length. A line that is not a map line but
 * holds decimal numbers (`GC: total: 192064, used: 2256, …`, `step 41 slot 7`) is coded
 * against the last line of the same "shape" (the line with its numbers taken out) as NUMS:
 * the differences of its numbers. Everything else is a literal.
 *
 * Encoder and decoder keep the same tables, updated from whole lines only and identically on
 * both sides; a fragment (part of a line cut by a flush or a segment boundary) is a literal
 * that updates nothing. decode(encode(bytes)) === bytes for any bytes and any chunking.
 */
import { ByteSink, ByteSource, copyOf, MalformedError, plainView } from './bytes';
import { allCells, HeapModel, HeapModelError, isCell } from './heapModel';
import { RangeDecoder, RangeEncoder } from './rangeCoder';

/** Op codes of the transformed stream. */
export const enum Op {
  /** The next slot (last slot + 1), unchanged. */
  Next = 0x00,
  /** SAME(slot delta): a slot, unchanged. */
  Same = 0x01,
  /** PATCH(slot delta, runs, (skip, len, bytes)…): a slot with runs of bytes replaced. */
  Patch = 0x02,
  /** LINE(len, bytes): whole lines (each ending in LF), literal; each updates the tables. */
  Line = 0x03,
  /** FRAG(len, bytes): bytes that are not a whole line; they update nothing. */
  Frag = 0x04,
  /** NUMS(shape delta, number deltas…): a line of a known shape with its decimal numbers. */
  Nums = 0x05,
  /** RUN(n): the n next slots, unchanged. */
  Run = 0x06,
  /**
   * MAP(groups, (slot delta, count)…) (format 3): map lines of known slots, same text but for
   * their cells, which the heap model decodes from the record's cell stream (heapModel.ts).
   */
  Map = 0x07,
}

const CR = 0x0d;
const FREE = 0x2e;

const LF = 0x0a;
/** A partial line longer than this is let go as a fragment instead of being held. */
export const MAX_CARRY = 1 << 16;
/** Longest line that is keyed as a map line (64 characters plus address and decoration). */
const MAX_KEYED = 512;
/** Longest line that is coded by its shape. */
const MAX_SHAPED = 512;
/** Numbers of more digits are kept as text (exact below 2^53). */
const MAX_DIGITS = 15;

const LAYOUT = Array.from('GC memory layout; from ', (c) => c.charCodeAt(0));

const HEX = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 0; c < 10; c++) t[0x30 + c] = c;
  for (let c = 0; c < 6; c++) {
    t[0x61 + c] = 10 + c;
    t[0x41 + c] = 10 + c;
  }
  return t;
})();

/** `.`, `=` and letters: what a map line carries after its address. */
const MAPC = (() => {
  const t = new Uint8Array(256);
  t[0x2e] = 1;
  t[0x3d] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  return t;
})();

/** Indentation and paste decoration before an address: space, tab, `'`, `"`, `[`. */
const JUNK = (() => {
  const t = new Uint8Array(256);
  for (const c of [0x20, 0x09, 0x27, 0x22, 0x5b]) t[c] = 1;
  return t;
})();

const KEY_NONE = -1;
const KEY_LAYOUT = -2;

interface Shape {
  /** The line without its numbers. */
  tpl: Uint8Array;
  /** Where in tpl each number goes. */
  cuts: Int32Array;
  nums: Float64Array;
}

/**
 * The state both sides keep, and the rules that read a whole line (terminator included):
 * a `GC memory layout; from X:` line switches the current heap area; a map line gets the key
 * (area, address value); any other line may have a shape.
 */
class Tables {
  slots: Uint8Array[] = [];
  /** Per slot, where its cells start and end (cellRange), -1 none, -2 not known yet. */
  private cellFrom: number[] = [];
  private cellTo: number[] = [];
  /** Per heap area: map line address → slot. */
  private areaSlots: Array<Map<number, number>> = [new Map()];
  private pools = new Map<string, number>();
  private pool = 0;
  /** Per slot, the heap area whose map holds it (the encoder's next-line guess checks it). */
  slotArea: number[] = [];
  /** The current area's map (areaSlots[pool]). */
  private keyToSlot = this.areaSlots[0];
  lastSlot = -1;
  /**
   * Per slot, the decoder's MAP op that wrote its line last (a stamp; 0: its line changed
   * otherwise since): an op whose lines all still carry its stamp can reuse its cells.
   */
  owner: number[] = [];
  shapes: Shape[] = [];
  private shapeIds = new Map<number, number>();
  lastShape = -1;

  // The shape of the line last scanned.
  readonly tpl = new Uint8Array(MAX_SHAPED);
  tplLen = 0;
  readonly cuts = new Int32Array(MAX_SHAPED);
  readonly nums = new Float64Array(MAX_SHAPED);
  numCount = 0;
  private hash = 0;

  reset(): void {
    this.owner = [];
    this.slots = [];
    this.cellFrom = [];
    this.cellTo = [];
    this.areaSlots = [new Map()];
    this.keyToSlot = this.areaSlots[0];
    this.pools = new Map();
    this.pool = 0;
    this.slotArea = [];
    this.lastSlot = -1;
    this.shapes = [];
    this.shapeIds = new Map();
    this.lastShape = -1;
  }

  /**
   * The key of a map line (≥ 0: its address; the area is the current one), KEY_LAYOUT after
   * switching area, or KEY_NONE.
   */
  classify(b: Uint8Array, s: number, e: number): number {
    if (e - s > MAX_KEYED) return KEY_NONE;
    let i = s;
    while (i < e && JUNK[b[i]] === 1) i++;
    if (b[i] === 0x47 /* G */) return this.layout(b, i, e);
    let addr = 0;
    const h0 = i;
    while (i < e && i - h0 < 8) {
      const h = HEX[b[i]];
      if (h < 0) break;
      addr = addr * 16 + h;
      i++;
    }
    if (i - h0 < 3) return KEY_NONE;
    const sep = b[i];
    if (sep === 0x3a /* : */) {
      i++;
      if (b[i] === 0x20) i++;
    } else if (sep === 0x20) {
      i++;
    } else {
      return KEY_NONE;
    }
    if (i >= e || MAPC[b[i]] !== 1) return KEY_NONE;
    return addr;
  }

  private layout(b: Uint8Array, i: number, e: number): number {
    if (e - i < LAYOUT.length + 2) return KEY_NONE;
    for (let k = 0; k < LAYOUT.length; k++) if (b[i + k] !== LAYOUT[k]) return KEY_NONE;
    let j = i + LAYOUT.length;
    let name = '';
    while (j < e && (HEX[b[j]] >= 0 || b[j] === 0x78 || b[j] === 0x58)) name += String.fromCharCode(b[j++]);
    if (name === '') return KEY_NONE;
    let id = this.pools.get(name);
    if (id === undefined) {
      id = this.areaSlots.length;
      this.pools.set(name, id);
      this.areaSlots.push(new Map());
    }
    this.pool = id;
    this.keyToSlot = this.areaSlots[id];
    return KEY_LAYOUT;
  }

  /** A slot's line changed other than in its cells (a patch). */
  touched(slot: number): void {
    this.owner[slot] = 0;
    this.cellFrom[slot] = -2;
  }

  /** Where the slot's cells start (its end: cellEnd), or -1 when it has none. */
  cellStart(slot: number): number {
    const c = this.cellFrom[slot];
    if (c !== undefined && c !== -2) return c;
    const line = this.slots[slot];
    const r = cellRange(line, 0, line.length);
    this.cellFrom[slot] = r === null ? -1 : r[0];
    this.cellTo[slot] = r === null ? -1 : r[1];
    return this.cellFrom[slot];
  }

  cellEnd(slot: number): number {
    return this.cellTo[slot];
  }

  /** The heap area map lines are keyed in now. */
  get area(): number {
    return this.pool;
  }

  slotOf(key: number): number | undefined {
    return this.keyToSlot.get(key);
  }

  /** A whole literal line with this key: it becomes the key's reference line. */
  store(key: number, line: Uint8Array): void {
    let s = this.keyToSlot.get(key);
    if (s === undefined) {
      s = this.slots.length;
      this.slots.push(line);
      this.owner.push(0);
      this.slotArea.push(this.pool);
      this.keyToSlot.set(key, s);
    } else {
      this.slots[s] = line;
      this.owner[s] = 0;
      this.cellFrom[s] = -2;
    }
    this.lastSlot = s;
  }

  /**
   * Scans a line for its shape: the text with every canonical decimal number (1–15 digits,
   * no leading zero) taken out, into tpl/cuts/nums. False when it has no such number.
   */
  scanShape(b: Uint8Array, s: number, e: number): boolean {
    if (e - s > MAX_SHAPED) return false;
    const tpl = this.tpl;
    let h = 0x811c9dc5;
    let tl = 0;
    let n = 0;
    let i = s;
    while (i < e) {
      const c = b[i];
      if (c >= 0x30 && c <= 0x39) {
        let j = i + 1;
        let v = c - 0x30;
        while (j < e && b[j] >= 0x30 && b[j] <= 0x39) {
          v = v * 10 + (b[j] - 0x30);
          j++;
        }
        if (j - i <= MAX_DIGITS && (c !== 0x30 || j - i === 1)) {
          this.cuts[n] = tl;
          this.nums[n] = v;
          n++;
          h = Math.imul(h ^ 0x100, 16777619);
        } else {
          for (let k = i; k < j; k++) {
            tpl[tl++] = b[k];
            h = Math.imul(h ^ b[k], 16777619);
          }
        }
        i = j;
        continue;
      }
      tpl[tl++] = c;
      h = Math.imul(h ^ c, 16777619);
      i++;
    }
    this.tplLen = tl;
    this.numCount = n;
    this.hash = (h ^ (n << 20) ^ tl) | 0;
    return n > 0;
  }

  /** The known shape equal to the one last scanned, or -1. */
  findShape(): number {
    const id = this.shapeIds.get(this.hash);
    if (id === undefined) return -1;
    const sh = this.shapes[id];
    const n = this.numCount;
    const tl = this.tplLen;
    if (sh.nums.length !== n || sh.tpl.length !== tl) return -1;
    for (let k = 0; k < n; k++) if (sh.cuts[k] !== this.cuts[k]) return -1;
    const tpl = this.tpl;
    for (let k = 0; k < tl; k++) if (sh.tpl[k] !== tpl[k]) return -1;
    return id;
  }

  /** The shape last scanned, from a literal line: it becomes the shape's reference. */
  storeShape(): void {
    const n = this.numCount;
    let id = this.findShape();
    if (id === -1) {
      id = this.shapes.length;
      this.shapes.push({ tpl: this.tpl.slice(0, this.tplLen), cuts: this.cuts.slice(0, n), nums: this.nums.slice(0, n) });
      this.shapeIds.set(this.hash, id);
    } else {
      this.shapes[id].nums.set(this.nums.subarray(0, n));
    }
    this.lastShape = id;
  }
}

/**
 * Where a map line's cells lie: from the first map character after its address to the end of
 * the line (without LF, or CR LF). Null when anything in that stretch is not a map cell.
 */
function cellRange(b: Uint8Array, s: number, e: number): [number, number] | null {
  let i = s;
  while (i < e && JUNK[b[i]] === 1) i++;
  const h0 = i;
  while (i < e && i - h0 < 8 && HEX[b[i]] >= 0) i++;
  if (i - h0 < 3) return null;
  if (b[i] === 0x3a) {
    i++;
    if (b[i] === 0x20) i++;
  } else if (b[i] === 0x20) {
    i++;
  } else {
    return null;
  }
  let end = e;
  if (end > s && b[end - 1] === LF) end--;
  if (end > s && b[end - 1] === CR) end--;
  if (i >= end || !allCells(b, i, end)) return null;
  return [i - s, end - s];
}

export interface LineDeltaOptions {
  /**
   * Code map lines' cells with the heap model (format 3): the ops then go with a cell stream
   * (takeCells) that the decoder needs with them.
   */
  cells?: boolean;
}

export class LineDeltaEncoder {
  private readonly t = new Tables();
  private readonly out = new ByteSink(1 << 16);
  /** Start of a line held back until its terminator arrives. */
  private carry = new Uint8Array(1024);
  private carryLen = 0;
  /** What was coded last did not end a line: what follows up to LF is a fragment. */
  private midLine = false;
  private readonly runs = new Int32Array(MAX_KEYED + 2);
  /** NEXT ops not written yet (written as one RUN). */
  private nexts = 0;
  /** Whole literal lines not written yet (written as one LINE op). */
  private readonly lits = new ByteSink(1 << 12);

  /** Raw bytes pushed so far. */
  pushed = 0;

  private readonly cells: boolean;
  private readonly model = new HeapModel();
  private readonly rc = new RangeEncoder();
  /** The map lines held back to be coded as one MAP op: slots, cell ranges, old and new cells. */
  private blockSlots: number[] = [];
  /** Per line of the block: null, or (a line new to its slot) its text before and after its cells. */
  private blockNew: Array<[Uint8Array, number, Uint8Array] | null> = [];
  /**
   * Where the block's cells changed, as [start, end) of cells in the block, in order: a changed
   * line's stretch from its first to its last changed cell, a new line's whole cells (the model
   * looks only there).
   */
  private blockSpans: number[] = [];
  /** The new cells of the block's spans, one span after the other. */
  private readonly blockCur = new ByteSink(1 << 12);
  /** The block's new cells: its old ones with the changed lines' put in. */
  private cur = new Uint8Array(1 << 14);
  private blockRanges: number[] = [];
  private readonly blockOld = new ByteSink(1 << 14);
  /** lastSlot before the block's first line (its slot deltas count from there). */
  private blockFrom = -1;
  /** Per slot, the block it was last put in (a slot appears once per block). */
  private slotBlock = new Int32Array(1024);
  private blockId = 1;
  /**
   * The last blocks' lines and new cells, by their first slot (as LineDeltaDecoder.cached): while
   * a block's lines are those of the last block from its first slot, each still carrying that
   * block's stamp (Tables.owner: its line unchanged since), their old cells are that block's new
   * ones, laid in at once when the block is coded instead of copied line by line.
   */
  private blockCache = new Map<number, CachedMap>();
  private stamp = 0;
  /** This block's entry in blockCache, how many of its first lines match it, and their cells. */
  private cached: CachedMap | null = null;
  private same = 0;
  private sameCells = 0;
  /** Per slot, the slot of the map line that followed it last (-1: none yet): nextSlotLine's guess. */
  private follows = new Int32Array(1024).fill(-1);
  /** DataViews toBlock reads words through: of the line's bytes, of each slot's line, of blockOld. */
  private lineBytes: Uint8Array | null = null;
  private lineView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private refLines: Array<Uint8Array | undefined> = [];
  private refViews: Array<DataView<ArrayBufferLike>> = [];

  /** A view of the bytes being coded, made once per buffer (word compares read through it). */
  private viewOfLine(b: Uint8Array): DataView<ArrayBufferLike> {
    if (b !== this.lineBytes) {
      this.lineBytes = b;
      this.lineView = new DataView(b.buffer, b.byteOffset, b.length);
    }
    return this.lineView;
  }

  /** A view of slot's reference line, made once per line kept there. */
  private viewOfRef(slot: number, ref: Uint8Array): DataView<ArrayBufferLike> {
    if (this.refLines[slot] !== ref) {
      this.refViews[slot] = new DataView(ref.buffer, ref.byteOffset, ref.length);
      this.refLines[slot] = ref;
    }
    return this.refViews[slot];
  }
  private blockBuf: Uint8Array | null = null;
  private blockView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  constructor(options: LineDeltaOptions = {}) {
    this.cells = options.cells ?? false;
  }

  /** Stream offset of the first byte not coded yet (the start of the held partial line). */
  get codedEnd(): number {
    return this.pushed - this.carryLen;
  }

  /** Takes raw bytes; complete lines are coded now, a partial last line is held back. */
  push(bytes: Uint8Array): void {
    const chunk = plainView(bytes);
    const n = chunk.length;
    this.pushed += n;
    let pos = 0;
    const guess = this.cells;
    while (pos < n) {
      if (guess && this.carryLen === 0 && !this.midLine) {
        const k = this.nextSlotLine(chunk, pos, n);
        if (k > 0) {
          pos += k;
          continue;
        }
      }
      const lf = chunk.indexOf(LF, pos);
      const end = lf === -1 ? n : lf + 1;
      if (this.carryLen > 0 || lf === -1) {
        if (this.carryLen + (end - pos) > MAX_CARRY) {
          // A very long line: let it go as fragments rather than hold it.
          this.flushPartial();
          this.frag(chunk, pos, end);
          this.midLine = lf === -1;
          pos = end;
          continue;
        }
        this.hold(chunk, pos, end);
        pos = end;
        if (lf === -1) return;
        const len = this.carryLen;
        this.carryLen = 0;
        if (this.midLine) this.frag(this.carry, 0, len);
        else this.line(this.carry, 0, len);
      } else {
        if (this.midLine) this.frag(chunk, pos, end);
        else this.line(chunk, pos, end);
        pos = end;
      }
      this.midLine = false;
    }
  }

  /** Lets go of a held partial line as a fragment: everything pushed is now in the output. */
  flushPartial(): void {
    if (this.carryLen === 0) return;
    this.frag(this.carry, 0, this.carryLen);
    this.carryLen = 0;
    this.midLine = true;
  }

  /**
   * Codes the held bytes before stream offset `at` (codedEnd ≤ at ≤ pushed) as a fragment, so
   * that everything before `at` is in the output and nothing after it.
   */
  splitAt(at: number): void {
    const k = at - this.codedEnd;
    if (k < 0 || at > this.pushed) throw new RangeError(`cannot split at ${at}: bytes from ${this.codedEnd} to ${this.pushed} are held`);
    if (k === 0) return;
    this.frag(this.carry, 0, k);
    this.carry.copyWithin(0, k, this.carryLen);
    this.carryLen -= k;
    this.midLine = true;
  }

  /** Starts afresh (a new segment): empty tables. Call after taking the old segment's output. */
  clearTables(): void {
    this.emitPending();
    this.t.reset();
    this.model.reset();
    this.slotBlock.fill(0);
    this.follows.fill(-1);
    this.blockCache.clear();
    this.refLines = [];
    this.refViews = [];
  }

  /** The transformed bytes produced since the last take (then call takeCells, with cells on). */
  take(): Uint8Array {
    this.emitPending();
    return this.out.take();
  }

  /**
   * The cell stream of the MAP ops taken by the last take(): a range-coded stream, ended here,
   * so a record holding both decodes on its own (given the records of its segment before it).
   */
  takeCells(): Uint8Array {
    this.emitPending();
    return this.rc.finish();
  }

  /** Bytes of output waiting to be taken (roughly). */
  get pending(): number {
    return this.out.len + this.lits.len + (this.blockOld.len >> 2);
  }

  /** Writes the NEXT ops, literal lines or map lines held back to be written as one op. */
  private emitPending(): void {
    this.emitBlock();
    const n = this.nexts;
    if (n !== 0) {
      this.nexts = 0;
      if (n === 1) {
        this.out.byte(Op.Next);
      } else {
        this.out.byte(Op.Run);
        this.out.uvar(n);
      }
    }
    const lits = this.lits;
    if (lits.len !== 0) {
      this.out.byte(Op.Line);
      this.out.uvar(lits.len);
      this.out.bytes(lits.buf, 0, lits.len);
      lits.len = 0;
    }
  }

  private hold(src: Uint8Array, from: number, to: number): void {
    const len = to - from;
    if (this.carryLen + len > this.carry.length) {
      let size = this.carry.length * 2;
      while (size < this.carryLen + len) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(src.subarray(from, to), this.carryLen);
    this.carryLen += len;
  }

  private frag(b: Uint8Array, s: number, e: number): void {
    if (e <= s) return;
    this.emitPending();
    const o = this.out;
    o.byte(Op.Frag);
    o.uvar(e - s);
    o.bytes(b, s, e);
  }

  /** A whole literal line: joins the run of literal lines written as one LINE op. */
  private literal(b: Uint8Array, s: number, e: number): void {
    if (this.nexts !== 0 || this.blockSlots.length !== 0) this.emitPending();
    this.lits.bytes(b, s, e);
    if (this.lits.len >= MAX_CARRY) this.emitPending();
  }

  /** A whole line, terminator included. */
  private line(b: Uint8Array, s: number, e: number): void {
    const t = this.t;
    const key = t.classify(b, s, e);
    if (key === KEY_NONE) {
      this.shaped(b, s, e);
      return;
    }
    if (key === KEY_LAYOUT) {
      this.literal(b, s, e);
      return;
    }
    const slot = t.slotOf(key);
    const len = e - s;
    if (slot === undefined || t.slots[slot].length !== len) {
      // A map line seen for the first time (or of another length): its cells through the
      // model too, as if they were all free before (a segment's first dump is most of them).
      // (Not a slot already in the block: its line there must stay what the MAP op reads.)
      const inBlock = slot !== undefined && slot < this.slotBlock.length && this.slotBlock[slot] === this.blockId;
      if (!(this.cells && !inBlock && this.newToBlock(key, b, s, e))) {
        this.literal(b, s, e);
        t.store(key, copyOf(b, s, e));
      }
      return;
    }
    const ref = t.slots[slot];
    if (this.cells && (slot >= this.slotBlock.length || this.slotBlock[slot] !== this.blockId) && this.toBlock(slot, ref, b, s)) return;
    let i = 0;
    while (i < len && ref[i] === b[s + i]) i++;
    const o = this.out;
    const delta = slot - (t.lastSlot + 1);
    t.lastSlot = slot;
    if (i === len) {
      if (delta === 0) {
        if (this.lits.len !== 0 || this.blockSlots.length !== 0) this.emitPending();
        this.nexts++;
      } else {
        this.emitPending();
        o.byte(Op.Same);
        o.svar(delta);
      }
      return;
    }
    // PATCH: the runs that differ; runs separated by fewer than 3 equal bytes are merged
    // (a run header costs about as much as the bytes it would skip).
    const runs = this.runs;
    let nr = 0;
    while (i < len) {
      let last = i;
      let j = i + 1;
      while (j < len && j - last <= 3) {
        if (ref[j] !== b[s + j]) last = j;
        j++;
      }
      runs[nr++] = i;
      runs[nr++] = last + 1;
      i = last + 1;
      while (i < len && ref[i] === b[s + i]) i++;
    }
    this.emitPending();
    o.byte(Op.Patch);
    o.svar(delta);
    o.uvar(nr >> 1);
    let prevEnd = 0;
    for (let r = 0; r < nr; r += 2) {
      const from = runs[r];
      const to = runs[r + 1];
      o.uvar(from - prevEnd);
      o.uvar(to - from);
      o.bytes(b, s + from, s + to);
      // The slot's line is the table's own copy: patched in place (same length), as the
      // decoder does, rather than copied whole at every change.
      for (let k = from; k < to; k++) ref[k] = b[s + k];
      t.touched(slot);
      prevEnd = to;
    }
  }

  /**
   * A map line whose slot holds a line of the same length that differs from it at most in its
   * cells: held in the block of map lines coded as one MAP op. False when it does not qualify.
   */
  private toBlock(slot: number, ref: Uint8Array, b: Uint8Array, s: number): boolean {
    const cs = this.t.cellStart(slot);
    if (cs < 0) return false;
    const ce = this.t.cellEnd(slot);
    // This runs for every map line, most of them unchanged: one pass copies the old cells to
    // the block while they match, and only a changed line is looked at again (its text around
    // the cells must match, its new cells must be map cells; the slot then takes them).
    const len = ref.length;
    const n = ce - cs;
    const old = this.blockOld;
    old.reserve(n);
    const ob = old.buf;
    const o0 = old.len;
    const d = o0 - cs;
    // Four bytes at a time up to the first word that differs, then byte by byte from there.
    const bv = this.viewOfLine(b);
    const rv = this.viewOfRef(slot, ref);
    if (ob !== this.blockBuf) {
      this.blockBuf = ob;
      this.blockView = new DataView(ob.buffer, ob.byteOffset, ob.length);
    }
    const ov = this.blockView;
    let k = cs;
    for (; k + 4 <= ce; k += 4) {
      const r = rv.getInt32(k, true);
      ov.setInt32(d + k, r, true);
      if (r !== bv.getInt32(s + k, true)) break;
    }
    for (; k < ce; k++) {
      const r = ref[k];
      ob[d + k] = r;
      if (r !== b[s + k]) break;
    }
    for (let j = 0; j < cs; j++) if (ref[j] !== b[s + j]) return false;
    for (let j = ce; j < len; j++) if (ref[j] !== b[s + j]) return false;
    if (k < ce) {
      // One pass: the rest of the old cells to the block, the new ones checked (nothing is
      // changed until all are), the last that differs found.
      let last = k;
      for (let j = k; j < ce; j++) {
        const r = ref[j];
        const x = b[s + j];
        ob[d + j] = r;
        if (x !== r) {
          if (!isCell(x)) return false;
          last = j;
        }
      }
      for (let j = k; j <= last; j++) ref[j] = b[s + j];
      // Only the stretch that changed: the model looks for differences inside the spans only,
      // and finds the same ones there as in the whole line (same coded bits, less to scan).
      this.blockCur.bytes(ref, k, last + 1);
      this.blockSpans.push(d + k, d + last + 1);
    }
    old.len = o0 + n;
    return this.joinBlock(slot, cs, ce);
  }

  /**
   * The common case of a dump's map, taken without finding the line's end, reading its address
   * or looking its key up: the line of the slot expected next printed again unchanged. When
   * the bytes at `s` are that line exactly (its LF included: a slot line holds one, at its end),
   * they are that line whatever they are: same key, same area (checked), same length; so
   * line() would hold it in the block as toBlock does for an unchanged line, which is what
   * this does. Returns the bytes taken, 0 when the guess fails (line() then decides).
   */
  private nextSlotLine(b: Uint8Array, s: number, n: number): number {
    const last = this.t.lastSlot;
    // The slot that followed the last one in the block before (a dump's first map line, the
    // line after a run of free lines), else the next slot.
    const after = last >= 0 && last < this.follows.length ? this.follows[last] : -1;
    if (after >= 0 && after !== last + 1) {
      const k = this.slotLine(after, b, s, n);
      if (k > 0) return k;
    }
    return this.slotLine(last + 1, b, s, n);
  }

  /** nextSlotLine's test of one slot: the bytes at `s` are its line exactly. */
  private slotLine(slot: number, b: Uint8Array, s: number, n: number): number {
    const t = this.t;
    const ref = t.slots[slot];
    if (ref === undefined) return 0;
    const len = ref.length;
    if (s + len > n || t.slotArea[slot] !== t.area) return 0;
    if (slot < this.slotBlock.length && this.slotBlock[slot] === this.blockId) return 0;
    const bv = this.viewOfLine(b);
    const rv = this.viewOfRef(slot, ref);
    let k = 0;
    for (; k + 4 <= len; k += 4) if (rv.getInt32(k, true) !== bv.getInt32(s + k, true)) return 0;
    for (; k < len; k++) if (ref[k] !== b[s + k]) return 0;
    const cs = t.cellStart(slot);
    if (cs < 0) return 0;
    const ce = t.cellEnd(slot);
    this.startBlock(slot);
    const old = this.blockOld;
    old.reserve(ce - cs);
    if (!this.continuesCached(slot, cs, ce)) {
      const ob = old.buf;
      if (ob !== this.blockBuf) {
        this.blockBuf = ob;
        this.blockView = new DataView(ob.buffer, ob.byteOffset, ob.length);
      }
      const ov = this.blockView;
      const d = old.len - cs;
      let j = cs;
      for (; j + 4 <= ce; j += 4) ov.setInt32(d + j, rv.getInt32(j, true), true);
      for (; j < ce; j++) ob[d + j] = ref[j];
    }
    old.len += ce - cs;
    this.joinBlock(slot, cs, ce);
    return len;
  }

  /**
   * A map line with no slot of its length: held in the block with its text around the cells,
   * its old cells all free. It becomes its key's slot line now (the decoder does so where the
   * MAP op lists it).
   */
  private newToBlock(key: number, b: Uint8Array, s: number, e: number): boolean {
    const r = cellRange(b, s, e);
    if (r === null) return false;
    const [cs, ce] = r;
    const n = ce - cs;
    this.startBlock(-1);
    const old = this.blockOld;
    old.reserve(n);
    old.buf.fill(FREE, old.len, old.len + n);
    this.blockSpans.push(old.len, old.len + n);
    old.len += n;
    this.blockCur.bytes(b, s + cs, s + ce);
    this.t.store(key, copyOf(b, s, e));
    const slot = this.t.lastSlot;
    this.blockNew.push([copyOf(b, s, s + cs), n, copyOf(b, s + ce, e)]);
    this.addToBlock(slot, cs, ce);
    return true;
  }

  /** A line whose cells were just put in the block joins it. */
  private joinBlock(slot: number, cs: number, ce: number): boolean {
    this.startBlock(slot);
    if (this.continuesCached(slot, cs, ce)) {
      this.same++;
      this.sameCells += ce - cs;
    }
    this.blockNew.push(null);
    this.addToBlock(slot, cs, ce);
    return true;
  }

  /** A block begins with the line of `slot` (-1: a line new to its slot) unless one is open. */
  private startBlock(slot: number): void {
    if (this.blockSlots.length !== 0) return;
    this.emitPending();
    this.blockFrom = this.t.lastSlot;
    this.cached = slot < 0 ? null : (this.blockCache.get(slot) ?? null);
    this.same = 0;
    this.sameCells = 0;
  }

  /** Whether the line about to join the block as its next is the cached block's next, unchanged. */
  private continuesCached(slot: number, cs: number, ce: number): boolean {
    const c = this.cached;
    const k = this.blockSlots.length;
    return c !== null && this.same === k && k < c.lines && c.slots[k] === slot && c.ranges[2 * k] === cs && c.ranges[2 * k + 1] === ce && this.t.owner[slot] === c.stamp;
  }

  private addToBlock(slot: number, cs: number, ce: number): void {
    const last = this.t.lastSlot;
    if (last >= 0) {
      if (last >= this.follows.length) {
        const grown = new Int32Array(Math.max(last + 1, this.follows.length * 2)).fill(-1);
        grown.set(this.follows);
        this.follows = grown;
      }
      this.follows[last] = slot;
    }
    this.blockSlots.push(slot);
    this.blockRanges.push(cs, ce);
    if (slot >= this.slotBlock.length) {
      const grown = new Int32Array(Math.max(slot + 1, this.slotBlock.length * 2));
      grown.set(this.slotBlock);
      this.slotBlock = grown;
    }
    this.slotBlock[slot] = this.blockId;
    this.t.lastSlot = slot;
  }

  /** Writes the held map lines as one MAP op, their cells into the cell stream. */
  private emitBlock(): void {
    const slots = this.blockSlots;
    if (slots.length === 0) return;
    const o = this.out;
    const fresh = this.blockNew;
    // Groups: runs of consecutive known slots, and each new line on its own.
    const joins = (k: number) => fresh[k] === null && fresh[k - 1] === null && slots[k] === slots[k - 1] + 1;
    let groups = 1;
    for (let k = 1; k < slots.length; k++) if (!joins(k)) groups++;
    o.byte(Op.Map);
    o.uvar(groups);
    let last = this.blockFrom;
    for (let k = 0; k < slots.length; ) {
      const f = fresh[k];
      if (f !== null) {
        o.uvar(1);
        o.uvar(f[0].length);
        o.bytes(f[0]);
        o.uvar(f[1]);
        o.uvar(f[2].length);
        o.bytes(f[2]);
        last = slots[k];
        k++;
        continue;
      }
      let j = k + 1;
      while (j < slots.length && joins(j)) j++;
      o.uvar((j - k) * 2);
      o.svar(slots[k] - (last + 1));
      last = slots[j - 1];
      k = j;
    }
    if (this.same > 0) this.blockOld.buf.set(this.cached!.cells.subarray(0, this.sameCells), 0);
    const old = this.blockOld.view();
    if (this.cur.length < old.length) this.cur = new Uint8Array(old.length * 2);
    const cur = this.cur.subarray(0, old.length);
    cur.set(old);
    const spans = this.blockSpans;
    const nb = this.blockCur.buf;
    for (let k = 0, at = 0; k < spans.length; k += 2) {
      const from = spans[k];
      const n = spans[k + 1] - from;
      // Most spans are a few cells: by hand rather than through a subarray view.
      if (n <= 32) for (let j = 0; j < n; j++) cur[from + j] = nb[at + j];
      else cur.set(nb.subarray(at, at + n), from);
      at += n;
    }
    this.model.encode(this.rc, old, cur, spans);
    this.cacheBlock(slots, cur);
    this.blockSlots = [];
    this.blockNew = [];
    this.blockSpans = [];
    this.blockRanges = [];
    this.blockOld.len = 0;
    this.blockCur.len = 0;
    this.blockId++;
  }

  /** The block just coded, as the one its first slot's next block may start as. */
  private cacheBlock(slots: number[], cur: Uint8Array): void {
    const lines = slots.length;
    const stamp = ++this.stamp;
    const owner = this.t.owner;
    for (let k = 0; k < lines; k++) owner[slots[k]] = stamp;
    let c = this.blockCache.get(slots[0]);
    if (c === undefined || c.slots.length < lines || c.cells.length < cur.length) {
      if (this.blockCache.size >= 64) this.blockCache.clear();
      c = { lines, slots: new Int32Array(2 * lines), ranges: new Int32Array(4 * lines), cells: new Uint8Array(2 * cur.length), stamp };
      this.blockCache.set(slots[0], c);
    }
    for (let k = 0; k < lines; k++) c.slots[k] = slots[k];
    const ranges = this.blockRanges;
    for (let k = 0; k < 2 * lines; k++) c.ranges[k] = ranges[k];
    c.cells.set(cur);
    c.lines = lines;
    c.stamp = stamp;
  }

  /** A whole line that is not a map line: NUMS against its shape, or a literal. */
  private shaped(b: Uint8Array, s: number, e: number): void {
    const t = this.t;
    if (!t.scanShape(b, s, e)) {
      this.literal(b, s, e);
      return;
    }
    const id = t.findShape();
    if (id === -1) {
      this.literal(b, s, e);
      t.storeShape();
      return;
    }
    this.emitPending();
    const o = this.out;
    o.byte(Op.Nums);
    o.svar(id - (t.lastShape + 1));
    const prev = t.shapes[id].nums;
    const nums = t.nums;
    for (let k = 0; k < prev.length; k++) {
      o.svar(nums[k] - prev[k]);
      prev[k] = nums[k];
    }
    t.lastShape = id;
  }
}

/** A MAP op's lines and the cells it gave them (LineDeltaDecoder.map). */
interface CachedMap {
  lines: number;
  slots: Int32Array;
  ranges: Int32Array;
  cells: Uint8Array;
  stamp: number;
}

function grownInt32(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const g = new Int32Array(n);
  g.set(a);
  return g;
}

/** Thrown on a transformed stream that cannot be decoded. */
export class LineDeltaError extends Error {}

export class LineDeltaDecoder {
  private readonly t = new Tables();
  private readonly out: ByteSink;
  private readonly model = new HeapModel();
  /** Old and new cells of a MAP op (grown as needed). */
  private scratch = new Uint8Array(1 << 14);

  constructor(sizeHint = 1 << 16) {
    this.out = new ByteSink(sizeHint);
  }

  /**
   * Takes another decoder's output buffer when it is larger than this one's, before this one
   * has decoded anything; the other must not be used again (views it gave out are overwritten).
   */
  adoptBuffer(other: LineDeltaDecoder): void {
    if (this.out.len !== 0 || other.out.buf.length <= this.out.buf.length) return;
    this.out.buf = other.out.buf;
    other.out.buf = new Uint8Array(1 << 12);
    other.out.len = 0;
  }

  /** Starts afresh (a new segment). */
  reset(): void {
    this.t.reset();
    this.model.reset();
    this.cached.clear();
    this.run = null;
  }

  /**
   * Decodes ops, appending raw bytes to the output; `cells` is the cell stream that came with
   * them (format 3), which their MAP ops read.
   */
  decode(ops: Uint8Array, cells?: Uint8Array): void {
    this.begin(ops, cells);
    this.step(Infinity);
  }

  /** A record begun (begin) and not yet decoded to its end (step). */
  private run: { src: ByteSource; cells: Uint8Array | undefined; rd: RangeDecoder | null } | null = null;

  /**
   * Starts decoding a record a piece at a time: a reader that needs only the first dumps of a
   * segment (a film strip's columns, a seek near the segment's start) stops early, and goes on
   * later from there. Until step() says it ended, no other record may begin.
   */
  begin(ops: Uint8Array, cells?: Uint8Array): void {
    this.run = { src: new ByteSource(plainView(ops)), cells, rd: null };
  }

  /**
   * Decodes the begun record's ops until the output holds at least `until` bytes (an op may go
   * past it) or the ops end. True when the record is decoded to its end; damage throws, and
   * the record cannot be gone on with.
   */
  step(until: number): boolean {
    const run = this.run;
    if (run === null) throw new LineDeltaError('no record is being decoded');
    const src = run.src;
    const cells = run.cells;
    const t = this.t;
    const o = this.out;
    let rd = run.rd;
    try {
      while (!src.done && o.len < until) {
        const op = src.byte();
        switch (op) {
          case Op.Next:
          case Op.Same: {
            const slot = op === Op.Next ? t.lastSlot + 1 : t.lastSlot + 1 + src.svar();
            const ref = t.slots[slot];
            if (ref === undefined) throw new LineDeltaError(`a reference to an unknown line (${slot})`);
            o.bytes(ref);
            t.lastSlot = slot;
            break;
          }
          case Op.Run: {
            const n = src.uvar();
            for (let k = 0; k < n; k++) {
              const ref = t.slots[t.lastSlot + 1];
              if (ref === undefined) throw new LineDeltaError(`a reference to an unknown line (${t.lastSlot + 1})`);
              o.bytes(ref);
              t.lastSlot++;
            }
            break;
          }
          case Op.Patch: {
            const slot = t.lastSlot + 1 + src.svar();
            const ref = t.slots[slot];
            if (ref === undefined) throw new LineDeltaError(`a reference to an unknown line (${slot})`);
            // Patched in place: the slot's line is the table's own copy. A patch that runs past
            // its line is damage, after which this segment's tables are not used again.
            const line = ref;
            const runs = src.uvar();
            let p = 0;
            for (let r = 0; r < runs; r++) {
              p += src.uvar();
              const n = src.uvar();
              if (p + n > line.length) throw new LineDeltaError('a patch runs past its line');
              line.set(src.bytes(n), p);
              p += n;
            }
            t.touched(slot);
            t.lastSlot = slot;
            o.bytes(line);
            break;
          }
          case Op.Line: {
            const n = src.uvar();
            const b = src.bytes(n);
            if (n === 0 || b[n - 1] !== LF) throw new LineDeltaError('literal lines that do not end a line');
            o.bytes(b);
            for (let ls = 0; ls < n; ) {
              const le = b.indexOf(LF, ls) + 1;
              const key = t.classify(b, ls, le);
              if (key >= 0) t.store(key, copyOf(b, ls, le));
              else if (key === KEY_NONE && t.scanShape(b, ls, le)) t.storeShape();
              ls = le;
            }
            break;
          }
          case Op.Frag: {
            const n = src.uvar();
            o.bytes(src.bytes(n));
            break;
          }
          case Op.Nums: {
            const id = t.lastShape + 1 + src.svar();
            const shape = t.shapes[id];
            if (shape === undefined) throw new LineDeltaError(`a reference to an unknown line shape (${id})`);
            this.writeShape(shape, src);
            t.lastShape = id;
            break;
          }
          case Op.Map: {
            if (!cells || cells.length === 0) throw new LineDeltaError('map lines without their cells');
            rd ??= new RangeDecoder(cells);
            this.map(src, rd);
            break;
          }
          default:
            throw new LineDeltaError(`unknown op ${op}`);
        }
      }
    } catch (err) {
      this.run = null;
      if (err instanceof MalformedError || err instanceof HeapModelError) throw new LineDeltaError(err.message);
      throw err;
    }
    run.rd = rd;
    if (!src.done) return false;
    this.run = null;
    if (rd && rd.overrun > 0) throw new LineDeltaError('map cells that run past their stream');
    return true;
  }

  /** A MAP op's lines (slots) and their cells' [start, end) (grown as needed, reused). */
  private mapSlots = new Int32Array(256);
  private mapRanges = new Int32Array(512);
  /**
   * The last MAP ops' lines and new cells, by their first slot. A dump's map lines make the
   * same few MAP ops dump after dump (free lines folded, or a line coded otherwise, split
   * them): when an op has the same lines as the last op that started at its first slot, and
   * none of those lines changed since (each still carries that op's stamp), its old cells are
   * that op's new ones: nothing is gathered, and only the lines the model changed are written back.
   */
  private cached = new Map<number, CachedMap>();
  private stamp = 0;
  /** Per line of the op, its first cell (and one past the last line's). */
  private lineAt = new Int32Array(257);
  private dirty = new Uint8Array(256);

  /** A MAP op: its slots, then their cells from the cell stream. */
  private map(src: ByteSource, rd: RangeDecoder): void {
    const t = this.t;
    const groups = src.uvar();
    let lines = 0;
    let total = 0;
    for (let g = 0; g < groups; g++) {
      const v = src.uvar();
      if (v % 2 === 1) {
        // A line new to its slot: its text around cells that were all free.
        const before = src.bytes(src.uvar());
        const n = src.uvar();
        const after = src.bytes(src.uvar());
        if (n > MAX_KEYED) throw new LineDeltaError('a map line too long');
        const line = new Uint8Array(before.length + n + after.length);
        line.set(before, 0);
        line.fill(FREE, before.length, before.length + n);
        line.set(after, before.length + n);
        const key = t.classify(line, 0, line.length);
        if (key < 0) throw new LineDeltaError('a new map line that is not one');
        t.store(key, line);
        const slot = t.lastSlot;
        if (t.cellStart(slot) !== before.length || t.cellEnd(slot) !== before.length + n) throw new LineDeltaError('a new map line whose cells are not where it says');
        this.mapLine(lines++, slot, before.length, before.length + n);
        total += n;
        continue;
      }
      const count = v / 2;
      const first = t.lastSlot + 1 + src.svar();
      if (count === 0 || count > t.slots.length) throw new LineDeltaError('a map op of no lines');
      for (let slot = first; slot < first + count; slot++) {
        if (t.slots[slot] === undefined) throw new LineDeltaError(`a reference to an unknown line (${slot})`);
        const cs = t.cellStart(slot);
        if (cs < 0) throw new LineDeltaError('map cells for a line that has none');
        const ce = t.cellEnd(slot);
        this.mapLine(lines++, slot, cs, ce);
        total += ce - cs;
      }
      t.lastSlot = first + count - 1;
    }
    if (lines === 0) throw new LineDeltaError('a map op of no lines');
    const slots = this.mapSlots;
    const ranges = this.mapRanges;
    const owner = t.owner;
    if (this.lineAt.length < lines + 1) {
      this.lineAt = new Int32Array(2 * lines + 1);
      this.dirty = new Uint8Array(2 * lines);
    }
    const lineAt = this.lineAt;
    for (let k = 0, at = 0; k < lines; k++) {
      lineAt[k] = at;
      at += ranges[2 * k + 1] - ranges[2 * k];
    }
    lineAt[lines] = total;
    // Old cells: the lines the last op from this slot gave, as far as they are the same lines
    // still carrying its stamp, then the rest gathered from their slot lines.
    const c = this.cached.get(slots[0]);
    let same = 0;
    if (c !== undefined) {
      const m = Math.min(lines, c.lines);
      while (same < m && slots[same] === c.slots[same] && ranges[2 * same] === c.ranges[2 * same] && ranges[2 * same + 1] === c.ranges[2 * same + 1] && owner[slots[same]] === c.stamp) same++;
    }
    if (this.scratch.length < 2 * total) this.scratch = new Uint8Array(4 * total);
    const scratch = this.scratch;
    if (same > 0) scratch.set(c!.cells.subarray(0, lineAt[same]), 0);
    for (let k = same; k < lines; k++) {
      const ref = t.slots[slots[k]];
      scratch.set(ref.subarray(ranges[2 * k], ranges[2 * k + 1]), lineAt[k]);
    }
    const cur = scratch.subarray(total, 2 * total);
    // Until it is done, no op can take these lines' cells as known (damage leaves them half written).
    const stamp = ++this.stamp;
    for (let k = 0; k < lines; k++) owner[slots[k]] = 0;
    this.model.decode(rd, scratch.subarray(0, total), cur);
    // Only the lines whose cells changed are written back: every other slot line holds its old cells.
    const m = this.model;
    const dirty = this.dirty;
    dirty.fill(0, 0, lines);
    for (let q = 0; q < m.changedCount; q += 2) {
      const lo = m.changed[q];
      const hi = m.changed[q + 1];
      // The line holding cell lo: the last whose first cell is at or before it.
      let a = 0;
      let b = lines - 1;
      while (a < b) {
        const mid = (a + b + 1) >> 1;
        if (lineAt[mid] <= lo) a = mid;
        else b = mid - 1;
      }
      for (let k = a; k < lines && lineAt[k] < hi; k++) dirty[k] = 1;
    }
    const o = this.out;
    for (let k = 0; k < lines; k++) {
      const ref = t.slots[slots[k]];
      if (dirty[k] === 1) {
        const cs = ranges[2 * k];
        const at = total + lineAt[k];
        ref.set(scratch.subarray(at, at + ranges[2 * k + 1] - cs), cs);
      }
      owner[slots[k]] = stamp;
      // Whole lines, natively (a byte loop costs more than the call here).
      o.reserve(ref.length);
      o.buf.set(ref, o.len);
      o.len += ref.length;
    }
    if (c !== undefined && c.slots.length >= lines && c.cells.length >= total) {
      c.slots.set(slots.subarray(0, lines));
      c.ranges.set(ranges.subarray(0, 2 * lines));
      c.cells.set(cur);
      c.lines = lines;
      c.stamp = stamp;
    } else {
      if (this.cached.size >= 64) this.cached.clear();
      this.cached.set(slots[0], { lines, slots: slots.slice(0, 2 * lines), ranges: ranges.slice(0, 4 * lines), cells: new Uint8Array(2 * total), stamp });
      this.cached.get(slots[0])!.cells.set(cur);
    }
  }

  private mapLine(k: number, slot: number, cs: number, ce: number): void {
    if (k === this.mapSlots.length) {
      this.mapSlots = grownInt32(this.mapSlots, k * 2);
      this.mapRanges = grownInt32(this.mapRanges, k * 4);
    }
    this.mapSlots[k] = slot;
    this.mapRanges[2 * k] = cs;
    this.mapRanges[2 * k + 1] = ce;
  }

  private writeShape(shape: Shape, src: ByteSource): void {
    const { tpl, cuts, nums } = shape;
    const o = this.out;
    o.reserve(tpl.length + nums.length * MAX_DIGITS);
    const buf = o.buf;
    let len = o.len;
    let at = 0;
    for (let k = 0; k < nums.length; k++) {
      const v = nums[k] + src.svar();
      if (!(v >= 0 && v < 10 ** MAX_DIGITS) || v !== Math.floor(v)) throw new LineDeltaError('a number out of range');
      nums[k] = v;
      for (; at < cuts[k]; at++) buf[len++] = tpl[at];
      // Digits, most significant first.
      let d = 1;
      while (d * 10 <= v) d *= 10;
      let r = v;
      for (; d >= 1; d /= 10) {
        const q = Math.floor(r / d);
        buf[len++] = 0x30 + q;
        r -= q * d;
      }
    }
    for (; at < tpl.length; at++) buf[len++] = tpl[at];
    o.len = len;
  }

  get length(): number {
    return this.out.len;
  }

  /** All raw bytes decoded so far (a view: valid until the next decode). */
  view(): Uint8Array {
    return this.out.view();
  }

  take(): Uint8Array {
    return this.out.take();
  }
}
