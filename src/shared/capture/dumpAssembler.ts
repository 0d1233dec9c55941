/**
 * Collects the lines of one dump as they arrive and, once it ends, resolves them into a
 * HeapSnapshot: infers the block size and the address style, places each map line, and
 * checks the map against the printed figures. Resolution waits for the end of the dump
 * because a damaged line can only be judged against the lines around it.
 */
import { FREE, MAP_CHARS, OLD_TAIL, TAIL, UNKNOWN } from '../heap/blockKinds';
import { metricsOf } from '../heap/metrics';
import { matchMapAddress, noisyMapLine } from './dumpLines';
import {
  emptyPrinted,
  type AddressStyle,
  type DumpFraming,
  type HeapArea,
  type HeapSnapshot,
  type PrintedFigures,
} from '../heap/snapshot';

/** A map line or a folded run of free lines, in arrival order within an area. */
interface Entry {
  fold: number; // 0 for a map line, N for "(N lines all free)"
  address: number; // map lines only
  width: number;
  separator: boolean;
  /** Noise hit the address column: the line is placed by its position, its address unread. */
  garbled: boolean;
  kindStart: number; // index of its first block in the area's kinds
  length: number; // blocks it contributed
  line: number;
}

interface AreaBuilder {
  address: string; // '' when the dump did not say (a paste that starts at the map)
  /** The first `count` are this area's; objects past it are spares from an earlier dump. */
  entries: Entry[];
  count: number;
  kinds: Uint8Array;
  /** `kinds` as a DataView, for copyBytes. */
  kindsView: DataView;
  length: number;
}

/** Header stages, in the order mem_info prints them; going back means a new dump. */
export const enum Stage {
  None = 0,
  Mem = 1,
  Stack = 2,
  Gc = 3,
  Blocks = 4,
  Map = 5,
}

/**
 * The largest area buffer a pool keeps or makes ahead (4 Mi blocks, a 64 MB heap of 16-byte
 * blocks): a damaged or hostile capture's one huge dump must not leave every later dump making,
 * or the pool holding, buffers of its size.
 */
const MAX_KEPT = 1 << 22;

/**
 * Working buffers for areas, reused from dump to dump: a snapshot keeps a copy of exactly
 * its blocks, so the buffer a dump was read into can serve the next one.
 */
export class BufferPool {
  private readonly free: Uint8Array[] = [];
  private readonly freeEntries: Entry[][] = [];
  /** The blocks each area (by its place in its dump) had in the last dump that finished. */
  private readonly lengths: number[] = [];

  take(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(16384);
  }

  /**
   * A buffer for a dump's area `slot`: one of exactly the length that area had in the last
   * dump, where there was one. A capture's dumps are nearly always the same shape, so the map
   * fills it to the last block and the snapshot keeps it as it is (see place), instead of a
   * copy of a pooled buffer's first blocks: the copy was most of the time spent placing a map.
   */
  takeFor(slot: number): Uint8Array {
    const n = slot < this.lengths.length ? this.lengths[slot] : 0;
    return n > 0 && n <= MAX_KEPT ? new Uint8Array(n) : this.take();
  }

  /** Area `slot` of the dump just finished had `length` blocks. */
  sawLength(slot: number, length: number): void {
    if (slot < 16) this.lengths[slot] = length;
  }

  give(buf: Uint8Array): void {
    if (this.free.length < 8 && buf.length <= MAX_KEPT) this.free.push(buf);
  }

  /**
   * Entry lists, reused with their objects: a dump's entries die with it, and a new object
   * per map line (most of a capture's lines) was most of what the parser left to collect.
   */
  takeEntries(): Entry[] {
    return this.freeEntries.pop() ?? [];
  }

  giveEntries(entries: Entry[]): void {
    if (this.freeEntries.length < 8) this.freeEntries.push(entries);
  }
}

/** Adds an entry to the area, in a spare object where there is one. */
function addEntry(
  area: AreaBuilder,
  fold: number,
  address: number,
  width: number,
  separator: boolean,
  garbled: boolean,
  kindStart: number,
  length: number,
  line: number,
): void {
  const k = area.count++;
  if (k < area.entries.length) {
    const e = area.entries[k];
    e.fold = fold;
    e.address = address;
    e.width = width;
    e.separator = separator;
    e.garbled = garbled;
    e.kindStart = kindStart;
    e.length = length;
    e.line = line;
  } else {
    area.entries.push({ fold, address, width, separator, garbled, kindStart, length, line });
  }
}

const sharedPool = new BufferPool();

/** MAP_FLAGS bits: a map character; a `=` tail; an old `t` tail; not a map character. */
const SEEN_MAP = 1;
const SEEN_TAIL = 2;
const SEEN_OLD_TAIL = 4;
const NOT_MAP = 0x80;

/** MAP_CHARS with the tail letters marked, so one table lookup per block does all three. */
const MAP_FLAGS = (() => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = MAP_CHARS[c] === 1 ? SEEN_MAP : NOT_MAP;
  t[TAIL] |= SEEN_TAIL;
  t[OLD_TAIL] |= SEEN_OLD_TAIL;
  return t;
})();

/** Lower-case hex digit values (the firmware prints addresses in lower case); 0xff if none. */
const HEX_VALUE = (() => {
  const t = new Uint8Array(256).fill(0xff);
  for (let c = 0x30; c <= 0x39; c++) t[c] = c - 0x30;
  for (let c = 0x61; c <= 0x66; c++) t[c] = c - 0x57;
  return t;
})();

export class DumpAssembler {
  stage: Stage = Stage.None;
  readonly printed: PrintedFigures = emptyPrinted();
  private hasPrinted = false;
  private readonly areas: AreaBuilder[] = [];
  /** Address width of the map lines read so far (the era's width). */
  width: number | null = null;
  readonly problems: string[] = [];
  /** 1-based line where the dump starts (set by the first dump line). */
  line = 0;
  /** Blocks read as UNKNOWN because noise replaced their character. */
  private noisyBlocks = 0;
  private tailSeenT = false;
  private tailSeenEq = false;
  /** The buffer map lines last came in (a chunk, as a rule), and a DataView of it. */
  private lineBytes: Uint8Array | null = null;
  private lineView: DataView | null = null;

  constructor(
    readonly byteStart: number,
    readonly framing: DumpFraming,
    readonly seq: number | null,
    readonly deviceMs: number | null,
    readonly collected: boolean | null,
    private readonly pool: BufferPool = sharedPool,
  ) {}

  /** Records the line a dump starts on: the first header or map line seen. */
  touch(line: number): void {
    if (this.line === 0) this.line = line;
  }

  setMem(total: number, current: number, peak: number, line: number): void {
    this.touch(line);
    this.printed.mem = { total, current, peak };
    this.hasPrinted = true;
    this.stage = Stage.Mem;
  }

  setStack(used: number, limit: number | null, line: number): void {
    this.touch(line);
    this.printed.stackUsed = used;
    this.printed.stackLimit = limit;
    this.hasPrinted = true;
    this.stage = Stage.Stack;
  }

  setGc(total: number, used: number, free: number, maxNewSplit: number | null, line: number): void {
    this.touch(line);
    Object.assign(this.printed, { total, used, free, maxNewSplit });
    this.hasPrinted = true;
    this.stage = Stage.Gc;
  }

  setBlocks(one: number, two: number, maxBlock: number, maxFree: number | null, line: number): void {
    this.touch(line);
    Object.assign(this.printed, { oneBlocks: one, twoBlocks: two, maxBlockSize: maxBlock, maxFreeSize: maxFree });
    this.hasPrinted = true;
    this.stage = Stage.Blocks;
  }

  startArea(address: string, line: number): void {
    this.touch(line);
    this.stage = Stage.Map;
    const kinds = this.pool.takeFor(this.areas.length);
    this.areas.push({ address: address.toLowerCase(), entries: this.pool.takeEntries(), count: 0, kinds, kindsView: viewOf(kinds), length: 0 });
  }

  /** The area lines go to; with `create`, one without an address for a map with no header. */
  private currentArea(line: number, create: boolean): AreaBuilder | null {
    if (this.areas.length === 0) {
      if (!create) return null;
      this.startArea('', line);
    }
    return this.areas[this.areas.length - 1];
  }



  /**
   * Reads `b[s, e)` as a map line of this dump and adds it; false (and nothing added) if it
   * is not one. Works on the bytes, with no string or match object per line: map lines are
   * most of a capture.
   */
  tryMapLine(b: Uint8Array, s: number, e: number, line: number): boolean {
    const knownWidth = this.width;
    let address = 0;
    let width: number;
    let separator: boolean;
    let i: number;
    // Fast path for the shape nearly every line has once the dump's width is known: that
    // many hex digits, then ": ". It reads the address exactly as matchMapAddress would,
    // without building a match object per line; anything else takes the general route.
    let fast = knownWidth !== null && s + knownWidth + 2 < e && b[s + knownWidth] === 0x3a && b[s + knownWidth + 1] === 0x20;
    if (fast) {
      const stop = s + knownWidth!;
      for (let j = s; j < stop; j++) {
        const d = HEX_VALUE[b[j]];
        if (d === 0xff) {
          fast = false;
          break;
        }
        address = address * 16 + d;
      }
    }
    if (fast) {
      width = knownWidth!;
      separator = true;
      i = s + width + 2;
    } else {
      const m = matchMapAddress(b, s, e, knownWidth);
      if (m === null) return false;
      address = m.address;
      width = m.width;
      separator = m.separator;
      i = m.charsStart;
    }
    const n = e - i;
    if (n <= 0) return false;
    // A shortened address is only believed on a full line: "cafe: ok" is a log line.
    if (knownWidth !== null && width !== knownWidth && n !== 64) return false;
    if (b !== this.lineBytes) {
      this.lineBytes = b;
      this.lineView = viewOf(b);
    }
    let area = this.currentArea(line, false);
    let at: number;
    if (area !== null) {
      // One pass that copies the cells past the area's end and checks them: a line that is no
      // map line leaves only bytes past `length`, which the next line overwrites.
      at = area.length;
      if (at + n > area.kinds.length) this.reserve(area, n);
      const seen = copyMapCells(this.lineView!, b, i, e, area.kindsView, at);
      if (seen & NOT_MAP) return false;
      if (seen & SEEN_TAIL) this.tailSeenEq = true;
      if (seen & SEEN_OLD_TAIL) this.tailSeenT = true;
    } else {
      const seen = mapFlags(this.lineView!, b, i, e);
      if (seen & NOT_MAP) return false;
      area = this.currentArea(line, true)!;
      at = area.length;
      if (at + n > area.kinds.length) this.reserve(area, n);
      copyBytes(this.lineView!, i, area.kindsView, at, n);
      if (seen & SEEN_TAIL) this.tailSeenEq = true;
      if (seen & SEEN_OLD_TAIL) this.tailSeenT = true;
    }
    this.touch(line);
    this.stage = Stage.Map;
    if (this.width === null && separator && width >= 4) this.width = width;
    area.length += n;
    addEntry(area, 0, address, width, separator, false, at, n, line);
    return true;
  }

  /**
   * A map line that serial noise hit, once tryMapLine has refused it: bytes that are no block
   * character become UNKNOWN blocks, a garbled address is placed by position, a damaged `: `
   * still separates. Only inside a dump whose header came (a noisy line is never what starts
   * a dump), and only when most of the line still reads as a map line, so that a program's
   * output after the dump is not swallowed. False (and nothing added) if it is not one.
   */
  tryNoisyMapLine(b: Uint8Array, s: number, e: number, line: number): boolean {
    if (this.stage < Stage.Gc) return false;
    const m = noisyMapLine(b, s, e, this.width);
    if (m === null) return false;
    const n = e - m.charsStart;
    const area = this.currentArea(line, true)!;
    const at = area.length;
    if (at + n > area.kinds.length) this.reserve(area, n);
    const kinds = area.kinds;
    let unread = 0;
    for (let i = 0; i < n; i++) {
      const c = b[m.charsStart + i];
      if (MAP_CHARS[c] === 1) {
        kinds[at + i] = c;
        if (c === TAIL) this.tailSeenEq = true;
        else if (c === OLD_TAIL) this.tailSeenT = true;
      } else {
        kinds[at + i] = UNKNOWN;
        unread++;
      }
    }
    this.touch(line);
    this.stage = Stage.Map;
    if (this.width === null && !m.garbled && m.separator && m.width >= 4) this.width = m.width;
    area.length += n;
    addEntry(area, 0, m.address, m.width, m.separator || m.damagedSeparator, m.garbled, at, n, line);
    this.noisyBlocks += unread;
    const what = [
      unread ? `${unread} character${unread > 1 ? 's' : ''} that ${unread > 1 ? 'are' : 'is'} no block (read as unknown block${unread > 1 ? 's' : ''})` : '',
      m.garbled ? 'a garbled address (placed by position)' : '',
      m.damagedSeparator ? 'a damaged ": "' : '',
    ].filter(Boolean);
    this.problems.push(`line ${line}: noise on the link: ${what.join(', ') || 'unexpected bytes'}`);
    return true;
  }

  addFold(lines: number, line: number): void {
    this.touch(line);
    this.stage = Stage.Map;
    const area = this.currentArea(line, true)!;
    const n = lines * 64;
    const at = area.length;
    this.reserve(area, n);
    area.kinds.fill(FREE, at, at + n);
    area.length += n;
    addEntry(area, lines, 0, 0, true, false, at, n, line);
  }

  get hasMap(): boolean {
    return this.areas.length > 0;
  }

  /** Room for n more blocks in the area; returns its kinds buffer. */
  private reserve(area: AreaBuilder, n: number): Uint8Array {
    if (area.length + n <= area.kinds.length) return area.kinds;
    let size = area.kinds.length * 2;
    while (size < area.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(area.kinds.subarray(0, area.length));
    area.kinds = grown;
    area.kindsView = viewOf(grown);
    return grown;
  }

  /**
   * Resolves the dump. `cut` says why it may be short (the capture ended inside it, or its
   * frame's end marker never came), or is null. `check`: compare the printed figures with the map.
   */
  finish(index: number, byteEnd: number, cut: string | null, check = true): HeapSnapshot {
    const problems = this.problems;
    if (cut) problems.push(cut);
    // The 2014–2016 eras print `t` for tails; later ones `=`. Forks may print `t` as a head.
    const oldTails = this.tailSeenT && !this.tailSeenEq;
    const style = this.addressStyle();
    const unit = this.addressUnit(style);
    let blockSize: number | null = style === 'index4' ? null : unit;
    let holes = 0;
    const areas: HeapArea[] = [];
    let blocks = 0;
    for (let slot = 0; slot < this.areas.length; slot++) {
      const a = this.areas[slot];
      const placed = this.place(a, style, unit, problems);
      holes += placed.holes;
      blocks += placed.kinds.length;
      if (oldTails) {
        const k = placed.kinds;
        for (let i = 0; i < k.length; i++) if (k[i] === OLD_TAIL) k[i] = TAIL;
      }
      areas.push({ address: a.address, blocks: placed.kinds.length, kinds: placed.kinds });
      // The buffer goes back to the pool unless the snapshot kept it.
      if (placed.kinds !== a.kinds) this.pool.give(a.kinds);
      this.pool.sawLength(slot, a.length);
      this.pool.giveEntries(a.entries);
    }
    const knownBlocks = blocks - holes;
    const printed = this.hasPrinted ? this.printed : null;
    if (blockSize === null && printed?.total && knownBlocks > 0) {
      const bs = printed.total / (knownBlocks + holes);
      if (Number.isInteger(bs) && bs > 0 && (bs & (bs - 1)) === 0) blockSize = bs;
    }
    const snapshot: HeapSnapshot = {
      index,
      line: this.line,
      byteStart: this.byteStart,
      byteEnd,
      framing: this.framing,
      seq: this.seq,
      deviceMs: this.deviceMs,
      collected: this.collected,
      printed,
      blockSize,
      addressStyle: areas.length ? style : null,
      areas,
      stats: null,
      complete: false,
      consistent: true,
      problems,
    };
    if (areas.length === 0) {
      // Header only (`mem_info()` without an argument): nothing to check a map against.
      snapshot.complete = false;
      return snapshot;
    }
    const noisy = this.noisyBlocks;
    let complete = !cut && holes === 0 && noisy === 0 && knownBlocks > 0;
    let consistent = true;
    if (holes) problems.push(`${holes} blocks missing from the map`);
    if (noisy) problems.push(`${noisy} block${noisy > 1 ? 's' : ''} unreadable (noise on the link): counted in neither used nor free`);
    if (blockSize === null) {
      problems.push('block size unknown: the map has too few lines and no total to infer it from');
      complete = false;
      if (printed && (printed.total !== null || printed.used !== null || printed.free !== null)) {
        // Figures the map cannot be checked against do not agree with it.
        consistent = false;
        problems.push('the map cannot be checked against the printed total, used and free');
      }
    }
    if (check && printed && blockSize !== null) {
      const m = metricsOf(snapshot);
      if (printed.total !== null && printed.total !== (knownBlocks + holes) * blockSize) {
        complete = false;
        consistent = false;
        problems.push(
          `map covers ${(knownBlocks * blockSize).toLocaleString('en-US')} bytes, header says total ${printed.total.toLocaleString('en-US')}`,
        );
      }
      if (printed.used !== null && m.usedBytes !== printed.used) {
        consistent = false;
        problems.push(`map shows ${m.usedBytes} bytes used, header says ${printed.used}`);
      }
      if (printed.free !== null && m.freeBytes !== printed.free) {
        consistent = false;
        problems.push(`map shows ${m.freeBytes} bytes free, header says ${printed.free}`);
      }
      if (printed.maxFreeSize !== null && consistent && m.largestFreeRun !== printed.maxFreeSize) {
        consistent = false;
        problems.push(`longest free run is ${m.largestFreeRun} blocks, header says ${printed.maxFreeSize}`);
      }
    }
    snapshot.complete = complete;
    snapshot.consistent = consistent;
    return snapshot;
  }

  /** The width of the first map line whose address was read (not a fold, not garbled). */
  private firstReadWidth(): number | null {
    for (const a of this.areas) {
      for (let k = 0; k < a.count; k++) {
        const e = a.entries[k];
        if (!e.fold && !e.garbled) return e.width;
      }
    }
    return null;
  }

  private addressStyle(): AddressStyle {
    const w = this.width ?? this.firstReadWidth() ?? 8;
    if (w >= 8) return 'off8';
    if (w === 4) return 'index4';
    // Five digits: an absolute 20-bit pointer (v1.3.5–v1.8.0) counts from the pool's low
    // bits, an offset (v1.8.1–v1.19) from zero. The step is the same either way.
    const unit = this.addressUnit('off5');
    if (unit === null) return 'off5';
    for (const a of this.areas) {
      if (!a.address) continue;
      const low = parseInt(a.address, 16) & 0xfffff;
      if (low === 0) continue;
      // The first line whose address reads as one or the other (noise may have hit the first).
      for (let k = 0; k < a.count; k++) {
        const e = a.entries[k];
        if (e.fold || e.garbled || e.width !== 5) continue;
        const offset = (e.kindStart * unit) & 0xfffff;
        if (e.address === ((low + offset) & 0xfffff)) return 'abs5';
        if (e.address === offset) return 'off5';
      }
    }
    return 'off5';
  }

  /**
   * Address units per block: the block size for pointer and offset columns, 1 for the old
   * block-index column. Taken from the step between map lines whose addresses look intact;
   * the most common step wins, so one damaged address cannot mislead it.
   */
  private addressUnit(style: AddressStyle): number | null {
    if (style === 'index4') return 1;
    // Candidates are powers of two up to 256: votes[log2 u], with the order in which each was
    // first seen kept so a tie goes to the same unit as it always has (the first seen).
    const votes = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    const seen: number[] = [];
    const mod = style === 'off8' ? 2 ** 32 : 0x100000;
    for (const a of this.areas) {
      let prev: Entry | null = null;
      let between = 0; // blocks of folds since prev
      for (let k = 0; k < a.count; k++) {
        const e = a.entries[k];
        if (e.fold) {
          between += e.length;
          continue;
        }
        if (e.garbled || (this.width !== null && e.width !== this.width)) {
          prev = null;
          between = 0;
          continue;
        }
        if (prev && prev.length === 64) {
          const blocks = 64 + between;
          const step = wrap(e.address - prev.address, mod);
          const u = step / blocks;
          if (Number.isInteger(u) && u > 0 && (u & (u - 1)) === 0 && u <= 256) {
            const slot = 31 - Math.clz32(u);
            if (votes[slot]++ === 0) seen.push(u);
          }
        }
        prev = e;
        between = 0;
      }
    }
    // The printed total is a witness too: in a short map one address changed by noise would
    // otherwise outvote the rest. It weighs one and a half steps (steps count two).
    const printedTotal = this.hasPrinted ? this.printed.total : null;
    let fromTotal = 0;
    if (printedTotal !== null && seen.length > 0) {
      let blocks = 0;
      for (const a of this.areas) blocks += a.length;
      const u = blocks > 0 ? printedTotal / blocks : 0;
      if (Number.isInteger(u) && u > 0 && (u & (u - 1)) === 0 && u <= 256) fromTotal = u;
    }
    let best: number | null = null;
    let bestVotes = 0;
    for (const u of seen) {
      const v = 2 * votes[31 - Math.clz32(u)] + (u === fromTotal ? 3 : 0);
      if (v > bestVotes) [best, bestVotes] = [u, v];
    }
    if (fromTotal && !seen.includes(fromTotal) && 3 > bestVotes) best = fromTotal;
    return best;
  }

  /**
   * Places an area's lines. An intact address that jumps ahead by whole lines means lines
   * were lost: their blocks become UNKNOWN, never invented. A shortened or garbled address is
   * placed by its position and reported.
   */
  private place(
    a: AreaBuilder,
    style: AddressStyle,
    unit: number | null,
    problems: string[],
  ): { kinds: Uint8Array; holes: number } {
    const kinds = a.kinds.subarray(0, a.length);
    const mod = style === 'off8' ? 2 ** 32 : style === 'index4' ? 0x10000 : 0x100000;
    const origin = style === 'abs5' && a.address ? parseInt(a.address, 16) & 0xfffff : 0;
    const width = this.width;
    const where = a.address ? ` (area ${a.address})` : '';
    if (unit === null) {
      for (let k = 0; k < a.count; k++) this.checkLength(a, a.entries[k], problems);
      return { kinds: kept(a), holes: 0 };
    }
    const lineSpan = 64 * unit;
    let expected = origin; // address the next entry should have
    const gaps: Array<{ at: number; blocks: number }> = [];
    let gapBlocks = 0;
    const entries = a.entries;
    for (let k = 0; k < a.count; k++) {
      const e = entries[k];
      if (e.fold) {
        expected = wrap(expected + e.fold * lineSpan, mod);
        continue;
      }
      this.checkLength(a, e, problems);
      const fullWidth = width === null || e.width === width;
      if (e.garbled) {
        // Reported where it was read; its position is all there is.
      } else if (e.address !== expected) {
        const ahead = wrap(e.address - expected, mod);
        if (!fullWidth) {
          problems.push(`line ${e.line}: address cut short to ${e.width} digits${where}; placed by position`);
        } else if (ahead % lineSpan === 0 && ahead / lineSpan <= 0x4000 && ahead < mod / 2 && this.gapConfirmed(a, k, expected, lineSpan, unit, mod, gapBlocks)) {
          const lost = ahead / unit;
          problems.push(`line ${e.line}: ${ahead / lineSpan} map lines missing before it${where}`);
          gaps.push({ at: e.kindStart, blocks: lost });
          gapBlocks += lost;
          expected = e.address;
        } else {
          problems.push(
            `line ${e.line}: address ${e.address.toString(16)} does not follow ${expected.toString(16)}${where}; placed by position`,
          );
        }
      } else if (!e.separator) {
        problems.push(`line ${e.line}: ": " separator lost${where}; read by position`);
      }
      expected = wrap(expected + lineSpan, mod);
    }
    if (gaps.length === 0) return { kinds: kept(a), holes: 0 };
    const holes = gaps.reduce((n, g) => n + g.blocks, 0);
    const out = new Uint8Array(kinds.length + holes);
    let src = 0;
    let dst = 0;
    for (const g of gaps) {
      out.set(kinds.subarray(src, g.at), dst);
      dst += g.at - src;
      out.fill(UNKNOWN, dst, dst + g.blocks);
      dst += g.blocks;
      src = g.at;
    }
    out.set(kinds.subarray(src), dst);
    return { kinds: out, holes };
  }

  /**
   * Whether a jump in entries[k]'s address means lost lines rather than a digit noise
   * changed into another: the next line with a readable address must follow the new
   * address, not the old one. For the last line, the printed total decides when there is one.
   */
  private gapConfirmed(a: AreaBuilder, k: number, expected: number, lineSpan: number, unit: number, mod: number, holes: number): boolean {
    const entries = a.entries;
    let span = lineSpan;
    for (let j = k + 1; j < a.count; j++) {
      const n = entries[j];
      if (n.fold) {
        span += n.fold * lineSpan;
        continue;
      }
      if (n.garbled || (this.width !== null && n.width !== this.width)) {
        span += lineSpan;
        continue;
      }
      if (n.address === wrap(entries[k].address + span, mod)) return true;
      if (n.address === wrap(expected + span, mod)) return false;
      span += lineSpan;
    }
    const total = this.hasPrinted ? this.printed.total : null;
    if (total === null || unit === 1 || this.areas.length !== 1) return true;
    const lost = wrap(entries[k].address - expected, mod) / unit;
    return total === (a.length + holes + lost) * unit;
  }

  private checkLength(a: AreaBuilder, e: Entry, problems: string[]): void {
    const last = a.entries[a.count - 1] === e;
    if (e.length > 64) problems.push(`line ${e.line}: ${e.length} blocks on one map line (a line break was lost)`);
    else if (e.length < 64 && !last) problems.push(`line ${e.line}: map line has ${e.length} blocks, 64 expected (characters lost)`);
  }
}

/**
 * An area's blocks as its snapshot keeps them: the buffer itself where the map filled it to
 * the last block (see BufferPool.takeFor), else a copy of exactly the blocks read.
 */
function kept(a: AreaBuilder): Uint8Array {
  return a.length === a.kinds.length ? a.kinds : a.kinds.slice(0, a.length);
}

/**
 * x modulo mod, into [0, mod) for negative x too. The value is almost always in range
 * already, and `%` here is a floating-point remainder (mod may be 2^32, beyond 32-bit integer
 * arithmetic), slow next to two comparisons and run for every map line: so only when needed.
 */
function wrap(x: number, mod: number): number {
  return x >= 0 && x < mod ? x : (((x % mod) + mod) % mod);
}

/**
 * The MAP_FLAGS of the bytes b[i, e) OR-ed together (`view` is b as a DataView): NOT_MAP
 * set if any is not a map character. Reads four bytes per DataView load and looks each up,
 * with no branch per byte: on this, the hottest loop of ingest, that took about half the
 * time of a byte-at-a-time loop that stops at the first bad byte. Only whether a line is
 * good matters, not where it goes bad, so there is nothing to lose by reading it all.
 */
function mapFlags(view: DataView, b: Uint8Array, i: number, e: number): number {
  let seen = 0;
  let j = i;
  for (; j + 4 <= e; j += 4) {
    const v = view.getUint32(j, true);
    seen |= MAP_FLAGS[v & 0xff] | MAP_FLAGS[(v >>> 8) & 0xff] | MAP_FLAGS[(v >>> 16) & 0xff] | MAP_FLAGS[v >>> 24];
  }
  for (; j < e; j++) seen |= MAP_FLAGS[b[j]];
  return seen;
}

/** MAP_FLAGS of two bytes at once (the low byte first): half the lookups of a line's cells. */
const MAP_FLAGS2 = (() => {
  // A row per high byte, copied natively from one of the few distinct rows: a loop over all
  // 65,536 entries cost milliseconds of every command's start-up.
  const t = new Uint8Array(1 << 16);
  const rows = new Map<number, Uint8Array>();
  for (let hi = 0; hi < 256; hi++) {
    const f = MAP_FLAGS[hi];
    let row = rows.get(f);
    if (!row) {
      row = MAP_FLAGS.map((lo) => lo | f);
      rows.set(f, row);
    }
    t.set(row, hi << 8);
  }
  return t;
})();

/**
 * copyBytes and mapFlags in one pass: b[i, e) (`view` is b as a DataView) copied to dst at
 * `to`, and the MAP_FLAGS of those bytes OR-ed together.
 */
function copyMapCells(view: DataView, b: Uint8Array, i: number, e: number, dst: DataView, to: number): number {
  let seen = 0;
  let j = i;
  let o = to;
  for (; j + 4 <= e; j += 4, o += 4) {
    const v = view.getUint32(j, true);
    dst.setUint32(o, v, true);
    seen |= MAP_FLAGS2[v & 0xffff] | MAP_FLAGS2[v >>> 16];
  }
  for (; j < e; j++, o++) {
    const c = b[j];
    dst.setUint8(o, c);
    seen |= MAP_FLAGS[c];
  }
  return seen;
}

function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Copies n bytes from src at `from` to dst at `to`, four at a time. Why not
 * `dst.set(src.subarray(…))`: that allocates a view for every map line, and for 64 bytes the
 * allocation cost about as much again as the copy. The byte order is fixed (little-endian)
 * for both the read and the write, so the bytes land as they were on any platform.
 */
function copyBytes(src: DataView, from: number, dst: DataView, to: number, n: number): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) dst.setInt32(to + k, src.getInt32(from + k, true), true);
  for (; k < n; k++) dst.setUint8(to + k, src.getUint8(from + k));
}
