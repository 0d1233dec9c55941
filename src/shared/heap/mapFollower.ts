/**
 * Follows a session's maps dump by dump without parsing each dump again: a dump is compared
 * line by line with the one before it, and only a map line that is not byte for byte the same
 * as the line at the same place (and so the same address) is read; its blocks are copied into
 * the kinds kept from the last dump. What changed is handed on as block ranges, so the
 * lifetimes tracker walks only those.
 *
 * It learns a dump's layout from the capture parser's own reading of it (`learn`), and only
 * once its simple model of the dump (map lines `ADDR: chars` placed one after the other, free
 * lines folded, areas started by the layout line) gives exactly the parser's blocks. Anything
 * it does not know for certain gives null, and the caller parses that dump the slow way and
 * lets the follower learn from it: a dump with problems, a different heap, a line added or
 * lost, a fold that grew, a changed line that is not a plain map line on both sides.
 */
import { FREE, MAP_CHARS, OLD_TAIL } from './blockKinds';
import type { SnapshotIndexEntry } from './snapshot';

const LF = 0x0a;
const CR = 0x0d;

const enum Kind {
  Other = 0,
  Map = 1,
  Fold = 2,
  Layout = 3,
}

/** The maps of a followed dump. */
export interface FollowedMaps {
  areas: ReadonlyArray<{ address: string; kinds: Uint8Array }>;
  /**
   * Per area, [lo, hi) pairs in address order covering every block that may differ from the
   * previous dump's; null when the whole map is new (a dump read the slow way).
   */
  changed: ReadonlyArray<readonly number[]> | null;
}

/**
 * What must not change between two dumps for the second to be followed from the first (the
 * index says it without reading the map); null for a dump that is never followed.
 */
export function followKey(e: Pick<SnapshotIndexEntry, 'problems' | 'blockSize' | 'addressStyle' | 'areas'>): string | null {
  if (e.problems.length > 0 || e.areas.length === 0) return null;
  return `${e.blockSize}|${e.addressStyle}|${e.areas.map((a) => `${a.address}:${a.blocks}`).join(',')}`;
}

const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
/** What a paste puts before an address (space, tab, quotes, bracket). */
const isJunk = (c: number) => c === 0x20 || c === 0x09 || c === 0x27 || c === 0x22 || c === 0x5b;
const LAYOUT = Array.from('GC memory layout; from ', (c) => c.charCodeAt(0));

function startsWith(b: Uint8Array, s: number, e: number, prefix: number[]): boolean {
  if (e - s < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (b[s + k] !== prefix[k]) return false;
  return true;
}

/** Where a line's text ends: before its LF and a CR before it. */
function textEnd(b: Uint8Array, s: number, e: number): number {
  if (e > s && b[e - 1] === LF) e--;
  if (e > s && b[e - 1] === CR) e--;
  return e;
}

function hasCR(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] === CR) return true;
  return false;
}

/**
 * Width of the address a map line starts with (lower-case hex digits, then `: `, then at least
 * one character); 0 if it does not. Such a line is a plain map line (its characters all block
 * letters, the old `t` tail excepted) or a line no dump this reads holds: no other line a
 * reader could take for anything else starts with a hex digit (see plainOther).
 */
function mapAddress(b: Uint8Array, s: number, te: number): number {
  let i = s;
  while (i < te && ((b[i] >= 0x30 && b[i] <= 0x39) || (b[i] >= 0x61 && b[i] <= 0x66))) i++;
  const width = i - s;
  if (width < 4 || width > 8 || i + 2 >= te || b[i] !== 0x3a || b[i + 1] !== 0x20) return 0;
  return width;
}

/** A line no reader could take for part of the map: not an address, a fold or a layout line. */
function plainOther(b: Uint8Array, s: number, te: number): boolean {
  if (hasCR(b, s, te)) return false;
  let i = s;
  while (i < te && isJunk(b[i])) i++;
  if (i >= te) return true;
  const c = b[i];
  return !isHex(c) && c !== 0x28 && !startsWith(b, i, te, LAYOUT);
}

/** A dump's lines: where each is, what it is and which blocks it gives. */
class LineTable {
  count = 0;
  start = new Int32Array(256);
  end = new Int32Array(256);
  kind = new Uint8Array(256);
  area = new Int32Array(256);
  /** First block it gives (for other lines: the block the next map line will start at). */
  at = new Int32Array(256);
  /** Blocks it gives. */
  blocks = new Int32Array(256);
  /** Bytes before a map line's characters (its address and `: `). */
  head = new Int32Array(256);

  add(start: number, end: number, kind: Kind, area: number, at: number, blocks: number, head: number): void {
    const j = this.count++;
    if (j === this.start.length) this.grow();
    this.start[j] = start;
    this.end[j] = end;
    this.kind[j] = kind;
    this.area[j] = area;
    this.at[j] = at;
    this.blocks[j] = blocks;
    this.head[j] = head;
  }

  /** Lines [from, to) of another table, moved by `shift` bytes. */
  copy(t: LineTable, from: number, to: number, shift: number): void {
    // Element by element: a run is a few dozen lines, where views to copy through cost more.
    while (this.count + (to - from) > this.start.length) this.grow();
    let j = this.count;
    for (let k = from; k < to; k++, j++) {
      this.start[j] = t.start[k] + shift;
      this.end[j] = t.end[k] + shift;
      this.kind[j] = t.kind[k];
      this.area[j] = t.area[k];
      this.at[j] = t.at[k];
      this.blocks[j] = t.blocks[k];
      this.head[j] = t.head[k];
    }
    this.count = j;
  }

  private grow(): void {
    const n = this.start.length * 2;
    const g = <T extends Int32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.start = g(this.start);
    this.end = g(this.end);
    this.kind = g(this.kind);
    this.area = g(this.area);
    this.at = g(this.at);
    this.blocks = g(this.blocks);
    this.head = g(this.head);
  }
}

export class MapFollower {
  /** The last dump's bytes (a copy) and its lines; `next` is filled while reading a dump. */
  private tpl = new Uint8Array(0);
  private tplView = new DataView(this.tpl.buffer);
  /** A view of the buffer the dump being read lies in. */
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private lines = new LineTable();
  private next = new LineTable();
  private areas: Array<{ address: string; kinds: Uint8Array }> = [];
  /** Blocks each area must have (from the index). */
  private sizes: number[] = [];
  private width = 0;
  private key: string | null = null;
  private ranges: number[][] = [];

  /** Nothing to follow from (the next dump is read the slow way). */
  forget(): void {
    this.key = null;
  }

  /**
   * A dump read by the capture parser: its bytes, the areas the parser made of them, and its
   * followKey. Returns whether the next dump can be followed from it.
   */
  learn(bytes: Uint8Array, areas: ReadonlyArray<{ address: string; kinds: Uint8Array }>, key: string | null): boolean {
    this.key = null;
    if (key === null) return false;
    this.areas = areas.map((a) => ({ address: a.address, kinds: new Uint8Array(a.kinds.length) }));
    this.sizes = areas.map((a) => a.kinds.length);
    this.ranges = areas.map(() => []);
    this.width = 0;
    this.lines.count = 0;
    if (!this.read(bytes, false)) return false;
    // Only what the model reads exactly as the parser did can be followed.
    for (let a = 0; a < areas.length; a++) {
      const k = areas[a].kinds;
      const b = this.areas[a].kinds;
      for (let i = 0; i < k.length; i++) if (k[i] !== b[i]) return false;
    }
    this.keep(bytes);
    this.key = key;
    return true;
  }

  /**
   * The next dump's maps, from the last one and the lines that changed; null if it cannot be
   * followed (then parse it and `learn` from it: the kinds kept may be half written).
   */
  follow(bytes: Uint8Array, key: string | null): FollowedMaps | null {
    if (this.key === null || key !== this.key) return null;
    if (!this.read(bytes, true)) {
      this.key = null;
      return null;
    }
    this.keep(bytes);
    return { areas: this.areas, changed: this.ranges };
  }

  /**
   * Reads a dump's lines into `next`, writing the blocks of every line that is not the same
   * line as in the last dump (same bytes, same place) into the kinds and noting them in
   * `ranges`. False when the dump is not one the model reads for certain.
   */
  private read(bytes: Uint8Array, follow: boolean): boolean {
    const n = bytes.length;
    // Dumps come as views of one decoded segment: one DataView of its buffer serves them all.
    if (this.view.buffer !== bytes.buffer) this.view = new DataView(bytes.buffer);
    const view = this.view;
    const base = bytes.byteOffset;
    const old = this.lines;
    const out = this.next;
    out.count = 0;
    for (const r of this.ranges) r.length = 0;
    let j = follow ? 0 : old.count;
    let area = -1;
    let at = 0;
    /**
     * Bytes of the line at `o` that are the same as the last dump's line `j` at the same place
     * (found by the comparison that stopped in it); -1 when not known.
     */
    let same = -1;
    for (let o = 0; o < n; ) {
      same = -1;
      // The same lines as last time, at the same place: they give the same blocks, already there.
      if (follow && j < old.count && old.area[j] === area && old.at[j] === at) {
        // The last dump's lines lie one after the other: one comparison to the first byte that
        // differs, then every line wholly before it is the same line.
        const s0 = old.start[j];
        const equal = firstDiff(view, base + o, this.tplView, s0, Math.min(n - o, old.end[old.count - 1] - s0));
        let j2 = j;
        while (j2 < old.count && old.end[j2] - s0 <= equal) j2++;
        const o2 = o + (j2 > j ? old.end[j2 - 1] - s0 : 0);
        // Stopped in line j itself: its bytes up to there are the old line's.
        if (j2 === j) same = equal;
        if (j2 > j) {
          out.copy(old, j, j2, o - old.start[j]);
          const last = j2 - 1;
          // The lines after the first follow from it as they did last time.
          if (old.kind[last] === Kind.Layout) {
            area = old.area[last] + 1;
            at = 0;
          } else {
            area = old.area[last];
            at = old.at[last] + old.blocks[last];
          }
          o = o2;
          j = j2;
          continue;
        }
      }
      const lf = bytes.indexOf(LF, o);
      const e = lf < 0 ? n : lf + 1;
      const te = textEnd(bytes, o, e);
      const w = mapAddress(bytes, o, te);
      if (w > 0) {
        // Most changed lines: read in one pass (no CR, no layout line: its letters say so).
        if (area < 0) {
          // A map with no layout line: the parser's one area without an address.
          if (follow || this.areas.length !== 1 || this.areas[0].address !== '') return false;
          area = 0;
        }
        if (area >= this.areas.length) return false;
        const blocks = te - o - w - 2;
        if (this.width !== 0 && w !== this.width) return false;
        this.width = w;
        if (at + blocks > this.sizes[area]) return false;
        // The characters the old line at this place had too are in the kinds already (and were
        // checked when it was read): only those from the first that differs are read.
        let from = 0;
        if (same > w + 2 && old.kind[j] === Kind.Map && old.head[j] === w + 2) from = Math.min(same - w - 2, blocks, old.blocks[j]);
        if (!this.mapChars(bytes, o + w + 2 + from, te, area, at + from)) return false;
        out.add(o, e, Kind.Map, area, at, blocks, w + 2);
        at += blocks;
      } else if (hasCR(bytes, o, te)) {
        return false;
      } else if (startsWith(bytes, o, te, LAYOUT)) {
        // A layout line starts the next area; one that changed is another heap.
        if (follow) return false;
        // The area before it ends here: it must have been given all its blocks.
        if (area >= 0 && (area >= this.sizes.length || at !== this.sizes[area])) return false;
        out.add(o, e, Kind.Layout, area, at, 0, 0);
        area++;
        at = 0;
      } else {
        const folded = foldLines(bytes, o, te);
        if (folded >= 0) {
          if (area < 0) {
            if (follow || this.areas.length !== 1 || this.areas[0].address !== '') return false;
            area = 0;
          }
          if (area >= this.areas.length) return false;
          const blocks = folded * 64;
          if (at + blocks > this.sizes[area]) return false;
          // A fold that grew or shrank: only what the last dump's folds did not cover is new.
          let p = at;
          const end = at + blocks;
          for (let q = j; q < old.count && p < end && old.area[q] === area && old.at[q] < end; q++) {
            const qe = old.at[q] + old.blocks[q];
            if (old.kind[q] !== Kind.Fold || qe <= p) continue;
            if (old.at[q] > p) this.free(area, p, old.at[q]);
            p = qe;
          }
          if (p < end) this.free(area, p, end);
          out.add(o, e, Kind.Fold, area, at, blocks, 0);
          at += blocks;
        } else {
          if (!plainOther(bytes, o, te)) return false;
          out.add(o, e, Kind.Other, area, at, 0, 0);
        }
      }
      o = e;
      // Lines of the last dump now behind this one were replaced (or had their turn).
      while (j < old.count && behind(old, j, area, at)) j++;
      // A line that is no part of the map (a header whose figures moved) pairs with the last dump's.
      if (out.kind[out.count - 1] === Kind.Other && j < old.count && old.kind[j] === Kind.Other && old.area[j] === area && old.at[j] === at) j++;
    }
    // Every area there, each given every block once: lines are placed one after the other,
    // each area's from its first block (and the lines kept were so placed last time).
    return area === this.areas.length - 1 && (area < 0 || at === this.sizes[area]);
  }

  /**
   * A map line's characters into the kinds from block `at`, checked to be block letters (false
   * if one is not). The kinds hold the last dump's map, so only blocks that differ from it are
   * written and handed on as changed: a line that changed in three blocks costs the tracker
   * three blocks, not sixty-four.
   */
  private mapChars(b: Uint8Array, s: number, te: number, area: number, at: number): boolean {
    const kinds = this.areas[area].kinds;
    let lo = -1;
    let hi = 0;
    for (let i = s, k = at; i < te; i++, k++) {
      const c = b[i];
      if (MAP_CHARS[c] !== 1 || c === OLD_TAIL) return false;
      if (kinds[k] !== c) {
        kinds[k] = c;
        if (lo < 0) lo = k;
        hi = k + 1;
      }
    }
    if (lo >= 0) this.changed(area, lo, hi);
    return true;
  }

  /** Blocks [lo, hi) of an area were written: they may differ from the last dump's. */
  private changed(area: number, lo: number, hi: number): void {
    const r = this.ranges[area];
    // In address order: a range that touches the last one extends it.
    if (r.length > 0 && r[r.length - 1] === lo) r[r.length - 1] = hi;
    else r.push(lo, hi);
  }

  private free(area: number, lo: number, hi: number): void {
    this.areas[area].kinds.fill(FREE, lo, hi);
    this.changed(area, lo, hi);
  }

  /** Keeps the dump just read as the one the next is compared with. */
  private keep(bytes: Uint8Array): void {
    if (this.tpl.length < bytes.length) {
      this.tpl = new Uint8Array(Math.max(bytes.length, this.tpl.length * 2, 1024));
      this.tplView = new DataView(this.tpl.buffer);
    }
    this.tpl.set(bytes);
    [this.lines, this.next] = [this.next, this.lines];
  }
}

/** Line j of a dump ends before block `at` of `area` (or, giving none, lies before it). */
function behind(t: LineTable, j: number, area: number, at: number): boolean {
  if (t.area[j] !== area) return t.area[j] < area;
  const end = t.at[j] + t.blocks[j];
  return end < at || (end === at && (t.blocks[j] > 0 || t.at[j] < at));
}

/** What `\s` matches in a line read as latin1 (LF and CR are never inside one here). */
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0;
const FOLD_TAIL = Array.from(' lines all free)', (c) => c.charCodeAt(0));

/**
 * The lines a fold says are free: what /^\s*\(\s*(\d+) lines all free\)\s*$/ reads of the line
 * taken as latin1, without making it a string (a fold is read again whenever its length
 * changes); -1 if the line is not a fold.
 */
export function foldLines(b: Uint8Array, s: number, e: number): number {
  while (s < e && isSpace(b[s])) s++;
  if (s >= e || b[s] !== 0x28) return -1;
  s++;
  while (s < e && isSpace(b[s])) s++;
  const d0 = s;
  let n = 0;
  while (s < e && b[s] >= 0x30 && b[s] <= 0x39) n = n * 10 + (b[s++] - 0x30);
  const digits = s - d0;
  if (digits === 0 || !startsWith(b, s, e, FOLD_TAIL)) return -1;
  s += FOLD_TAIL.length;
  while (s < e && isSpace(b[s])) s++;
  if (s !== e) return -1;
  // Past 15 digits the sum may not be the number; no heap has that many lines (it is refused).
  return digits > 15 ? Number.MAX_SAFE_INTEGER : n;
}

/**
 * How many bytes a[ao, ao+len) and b[bo, bo+len) have equal from their start, eight at a time:
 * as doubles, equal exactly when their bits are, but for NaN (never equal: read as a
 * difference, which is only slower) and ±0 (told apart with Object.is).
 */
function firstDiff(a: DataView, ao: number, b: DataView, bo: number, len: number): number {
  let k = 0;
  for (; k + 8 <= len; k += 8) {
    const x = a.getFloat64(ao + k, true);
    const y = b.getFloat64(bo + k, true);
    if (x !== y || (x === 0 && !Object.is(x, y))) {
      for (let i = k; i < k + 8; i++) if (a.getUint8(ao + i) !== b.getUint8(bo + i)) return i;
    }
  }
  for (; k < len; k++) if (a.getUint8(ao + k) !== b.getUint8(bo + k)) return k;
  return len;
}
