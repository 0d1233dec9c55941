/**
 * Collects the lines of one dump as they arrive and, once it ends, resolves them into a
 * HeapSnapshot: infers the block size and the address style, places each map line, and
 * checks the map against the printed figures. Resolution waits for the end of the dump
 * because a damaged line can only be judged against the lines around it.
 */
import { FREE, MAP_CHARS, OLD_TAIL, TAIL, UNKNOWN } from '../heap/blockKinds';
import { metricsOf } from '../heap/metrics';
import { matchMapAddress } from './dumpLines';
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
  kindStart: number; // index of its first block in the area's kinds
  length: number; // blocks it contributed
  line: number;
}

interface AreaBuilder {
  address: string; // '' when the dump did not say (a paste that starts at the map)
  entries: Entry[];
  kinds: Uint8Array;
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
 * Working buffers for areas, reused from dump to dump: a snapshot keeps a copy of exactly
 * its blocks, so the buffer a dump was read into can serve the next one.
 */
export class BufferPool {
  private readonly free: Uint8Array[] = [];

  take(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(16384);
  }

  give(buf: Uint8Array): void {
    if (this.free.length < 8) this.free.push(buf);
  }
}

const sharedPool = new BufferPool();

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
  private tailSeenT = false;
  private tailSeenEq = false;

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
    this.areas.push({ address: address.toLowerCase(), entries: [], kinds: this.pool.take(), length: 0 });
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
   * is not one. Parses, validates and copies in one pass: map lines are most of a capture.
   */
  tryMapLine(b: Uint8Array, s: number, e: number, line: number): boolean {
    const knownWidth = this.width;
    const m = matchMapAddress(b, s, e, knownWidth);
    if (m === null) return false;
    const { address, width, separator } = m;
    const i = m.charsStart;
    const n = e - i;
    if (n <= 0) return false;
    // A shortened address is only believed on a full line: "cafe: ok" is a log line.
    if (knownWidth !== null && width !== knownWidth && n !== 64) return false;
    for (let j = i; j < e; j++) if (MAP_CHARS[b[j]] !== 1) return false;
    const chars = b.subarray(i, e);
    if (!this.tailSeenEq && chars.indexOf(TAIL) !== -1) this.tailSeenEq = true;
    if (!this.tailSeenT && chars.indexOf(OLD_TAIL) !== -1) this.tailSeenT = true;
    const area = this.currentArea(line, true)!;
    const at = area.length;
    if (at + n > area.kinds.length) this.reserve(area, n);
    area.kinds.set(chars, at);
    this.touch(line);
    this.stage = Stage.Map;
    if (this.width === null && separator && width >= 4) this.width = width;
    area.length += n;
    area.entries.push({ fold: 0, address, width, separator, kindStart: at, length: n, line });
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
    area.entries.push({ fold: lines, address: 0, width: 0, separator: true, kindStart: at, length: n, line });
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
    return grown;
  }

  /**
   * Resolves the dump. `cut` says why it may be short (the capture ended inside it, or its
   * frame's end marker never came), or is null.
   */
  finish(index: number, byteEnd: number, cut: string | null): HeapSnapshot {
    const problems = this.problems;
    if (cut) problems.push(cut);
    // The 2014–2016 eras print `t` for tails; later ones `=`. Forks may print `t` as a head.
    const oldTails = this.tailSeenT && !this.tailSeenEq;
    const style = this.addressStyle();
    const unit = this.addressUnit(style);
    let blockSize: number | null = style === 'index4' ? null : unit;
    let holes = 0;
    const areas: HeapArea[] = [];
    for (const a of this.areas) {
      const placed = this.place(a, style, unit, problems);
      holes += placed.holes;
      if (oldTails) {
        const k = placed.kinds;
        for (let i = 0; i < k.length; i++) if (k[i] === OLD_TAIL) k[i] = TAIL;
      }
      areas.push({ address: a.address, blocks: placed.kinds.length, kinds: placed.kinds });
      this.pool.give(a.kinds);
    }
    const knownBlocks = areas.reduce((n, a) => n + a.blocks, 0) - holes;
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
    let complete = !cut && holes === 0;
    let consistent = true;
    if (holes) problems.push(`${holes} blocks missing from the map`);
    if (blockSize === null) {
      problems.push('block size unknown: the map has too few lines and no total to infer it from');
    }
    if (printed && blockSize !== null) {
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

  private addressStyle(): AddressStyle {
    const w = this.width ?? this.areas.flatMap((a) => a.entries).find((e) => !e.fold)?.width ?? 8;
    if (w >= 8) return 'off8';
    if (w === 4) return 'index4';
    // Five digits: an absolute 20-bit pointer (v1.3.5–v1.8.0) counts from the pool's low
    // bits, an offset (v1.8.1–v1.19) from zero. The step is the same either way.
    const unit = this.addressUnit('off5');
    if (unit === null) return 'off5';
    for (const a of this.areas) {
      const first = a.entries.find((e) => !e.fold);
      if (!first || first.width !== 5 || !a.address) continue;
      const low = parseInt(a.address, 16) & 0xfffff;
      if (low === 0) continue;
      const offset = (first.kindStart * unit) & 0xfffff;
      if (first.address === ((low + offset) & 0xfffff)) return 'abs5';
      if (first.address === offset) return 'off5';
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
    const votes = new Map<number, number>();
    const mod = style === 'off8' ? 2 ** 32 : 0x100000;
    for (const a of this.areas) {
      let prev: Entry | null = null;
      let between = 0; // blocks of folds since prev
      for (const e of a.entries) {
        if (e.fold) {
          between += e.length;
          continue;
        }
        if (this.width !== null && e.width !== this.width) {
          prev = null;
          between = 0;
          continue;
        }
        if (prev && prev.length === 64) {
          const blocks = 64 + between;
          const step = (((e.address - prev.address) % mod) + mod) % mod;
          const u = step / blocks;
          if (Number.isInteger(u) && u > 0 && (u & (u - 1)) === 0 && u <= 256) votes.set(u, (votes.get(u) ?? 0) + 1);
        }
        prev = e;
        between = 0;
      }
    }
    let best: number | null = null;
    let bestVotes = 0;
    for (const [u, v] of votes) if (v > bestVotes) [best, bestVotes] = [u, v];
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
      for (const e of a.entries) this.checkLength(a, e, problems);
      return { kinds: kinds.slice(), holes: 0 };
    }
    const lineSpan = 64 * unit;
    let expected = origin; // address the next entry should have
    const gaps: Array<{ at: number; blocks: number }> = [];
    for (const e of a.entries) {
      if (e.fold) {
        expected = (expected + e.fold * lineSpan) % mod;
        continue;
      }
      this.checkLength(a, e, problems);
      const fullWidth = width === null || e.width === width;
      if (e.address !== expected) {
        const ahead = (((e.address - expected) % mod) + mod) % mod;
        if (!fullWidth) {
          problems.push(`line ${e.line}: address cut short to ${e.width} digits${where}; placed by position`);
        } else if (ahead % lineSpan === 0 && ahead / lineSpan <= 0x4000 && ahead < mod / 2) {
          const lost = ahead / unit;
          problems.push(`line ${e.line}: ${ahead / lineSpan} map lines missing before it${where}`);
          gaps.push({ at: e.kindStart, blocks: lost });
          expected = e.address;
        } else {
          problems.push(
            `line ${e.line}: address ${e.address.toString(16)} does not follow ${expected.toString(16)}${where}; placed by position`,
          );
        }
      } else if (!e.separator) {
        problems.push(`line ${e.line}: ": " separator lost${where}; read by position`);
      }
      expected = (expected + lineSpan) % mod;
    }
    if (gaps.length === 0) return { kinds: kinds.slice(), holes: 0 };
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

  private checkLength(a: AreaBuilder, e: Entry, problems: string[]): void {
    const last = a.entries[a.entries.length - 1] === e;
    if (e.length > 64) problems.push(`line ${e.line}: ${e.length} blocks on one map line (a line break was lost)`);
    else if (e.length < 64 && !last) problems.push(`line ${e.line}: map line has ${e.length} blocks, 64 expected (characters lost)`);
  }
}
