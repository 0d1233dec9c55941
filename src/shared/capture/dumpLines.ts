/**
 * Recognisers for the lines of `micropython.mem_info(1)` output (see
 * shared/design/DUMP-FORMAT.md). Header lines are matched as text; map lines, which are most
 * of a dump, are matched on bytes without building a string.
 */
import { MAP_CHARS } from '../heap/blockKinds';

/**
 * The part of a line that carries a dump, without what pasting added around it: indentation,
 * list-repr quotes and brackets (`['…',`), a J-Link RTT prefix (`0> `), trailing spaces.
 * Returns [start, end).
 */
export function coreRange(b: Uint8Array, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  while (s < e && (b[s] === 0x20 || b[s] === 0x09 || b[s] === 0x5b || b[s] === 0x27 || b[s] === 0x22)) s++;
  // RTT viewer prefix: digits then "> ".
  if (s < e && b[s] >= 0x30 && b[s] <= 0x39) {
    let i = s;
    while (i < e && b[i] >= 0x30 && b[i] <= 0x39) i++;
    if (i + 1 < e && b[i] === 0x3e && b[i + 1] === 0x20) s = i + 2;
  }
  while (e > s && (b[e - 1] === 0x20 || b[e - 1] === 0x09 || b[e - 1] === 0x27 || b[e - 1] === 0x22 || b[e - 1] === 0x2c || b[e - 1] === 0x5d)) e--;
  return [s, e];
}

export interface MapLineMatch {
  /** Address value, or null when no address digits survived. */
  address: number;
  /** Number of address digits as printed (4, 5, 8; fewer when the link lost some). */
  width: number;
  /** `: ` separator present (it can be lost on the link). */
  separator: boolean;
  charsStart: number;
  charsEnd: number;
}

const isLowerHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);

/**
 * The address column of a map line `ADDR: chars`, and where its characters start. `knownWidth`
 * is the address width already seen in this dump: it lets a line whose `: ` was lost
 * (`00004c00h===…`) still be read. Null if the line cannot be a map line.
 */
export function matchMapAddress(b: Uint8Array, s: number, e: number, knownWidth: number | null): MapLineMatch | null {
  let i = s;
  let address = 0;
  const maxWidth = knownWidth ?? 8;
  while (i < e && i - s < maxWidth) {
    const c = b[i];
    if (c >= 0x30 && c <= 0x39) address = address * 16 + (c - 0x30);
    else if (c >= 0x61 && c <= 0x66) address = address * 16 + (c - 0x57);
    else break;
    i++;
  }
  const width = i - s;
  if (width < 3) return null;
  let separator = false;
  if (b[i] === 0x3a) {
    separator = true;
    i++;
    if (b[i] === 0x20) i++;
  } else if (b[i] === 0x20) {
    if (knownWidth === null) return null; // ":" lost, space kept
    i++;
  } else if (knownWidth === null || width !== knownWidth) {
    // Without a separator only a full-width address in a dump already being read counts.
    return null;
  }
  if (i >= e) return null;
  return { address, width, separator, charsStart: i, charsEnd: e };
}

/** A whole map line: its address and nothing but map characters after it. */
export function matchMapLine(b: Uint8Array, s: number, e: number, knownWidth: number | null): MapLineMatch | null {
  const m = matchMapAddress(b, s, e, knownWidth);
  if (!m) return null;
  for (let i = m.charsStart; i < e; i++) if (MAP_CHARS[b[i]] !== 1) return null;
  return m;
}

/**
 * Whether a line outside any dump is a map line strong enough to start a dump on its own (a
 * paste that begins at the map): long, all map characters, and at least one `.` or `=`.
 */
export function isStrongMapLine(b: Uint8Array, m: MapLineMatch): boolean {
  if (!m.separator || m.width < 4 || m.charsEnd - m.charsStart < 16) return false;
  for (let i = m.charsStart; i < m.charsEnd; i++) if (b[i] === 0x2e || b[i] === 0x3d) return true;
  return false;
}

export const FOLD = /^\(\s*(\d+) lines all free\)/;
export const MEM = /^mem: total=(\d+), current=(\d+), peak=(\d+)/;
export const STACK = /^stack: (\d+)(?: out of (\d+))?/;
export const GC_LINE = /^GC: total: (\d+), used: (\d+), free: (\d+)(?:, max new split: (\d+))?/;
/** The GC line with its start lost on the link (`193664, used: 48656, free: 145008`). */
export const GC_LINE_DAMAGED = /(\d+), used: (\d+), free: (\d+)(?:, max new split: (\d+))?$/;
export const BLOCKS_LINE = /^No\. of 1-blocks: (\d+), 2-blocks: (\d+), max blk sz: (\d+)(?:, max free sz: (\d+))?/;
export const LAYOUT = /^GC memory layout; from (?:0x)?([0-9a-fA-F]+):/;

/** Text that can begin a dump in the middle of a line the program was printing. */
export const DUMP_STARTS = ['mem: total=', 'stack: ', 'GC: total: '];

export interface NoisyMapLine extends MapLineMatch {
  /** Some address digits are no hex digit: the address cannot be trusted. */
  garbled: boolean;
  /** The two bytes where `: ` belongs were read as the separator though noise hit them. */
  damagedSeparator: boolean;
}

const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);

/**
 * A map line that noise on the link hit (bytes replaced, none lost): `ADDR: cells` with some
 * address digits, the separator or some cells replaced by other bytes. `knownWidth` is the
 * dump's address width. A full line keeps its shape whatever replaced its bytes (address,
 * two separator bytes, 64 cells), so it is cut by position; a shorter one (an area's last
 * line) needs its `:` or its space. Null unless most of it still reads as a map line: at
 * most half the address digits and a quarter of the cells (at least 3) may be noise.
 */
export function noisyMapLine(b: Uint8Array, s: number, e: number, knownWidth: number | null): NoisyMapLine | null {
  let width = -1;
  let charsStart = -1;
  let separator = false;
  let damagedSeparator = false;
  const fullWidth = knownWidth ?? (e - s - 66 === 4 || e - s - 66 === 5 || e - s - 66 === 8 ? e - s - 66 : null);
  if (fullWidth !== null && e - s === fullWidth + 66) {
    width = fullWidth;
    charsStart = s + width + 2;
    separator = b[s + width] === 0x3a && b[s + width + 1] === 0x20;
    damagedSeparator = !separator;
  } else if (
    knownWidth !== null &&
    e - s > knownWidth + 2 &&
    (b[s + knownWidth] === 0x3a || b[s + knownWidth + 1] === 0x20 || (MAP_CHARS[b[s + knownWidth]] !== 1 && MAP_CHARS[b[s + knownWidth + 1]] !== 1))
  ) {
    // The separator's place in the dump's width holds one of its two bytes, or two bytes
    // that are no block characters. A firmware always prints both, so a byte after the `:`
    // that is no block character is the space noise replaced, not a cell.
    width = knownWidth;
    const after = b[s + width + 1];
    separator = b[s + width] === 0x3a && after === 0x20;
    damagedSeparator = !separator && (after === 0x20 || MAP_CHARS[after] !== 1);
    charsStart = s + width + (b[s + width] !== 0x3a || after === 0x20 || MAP_CHARS[after] !== 1 ? 2 : 1);
  } else {
    // A shortened address (the link lost digits), or the dump's first line: the `:` ends the
    // address, or noise replaced it and the space stands.
    let p = s;
    while (p < e && p - s < 8 && isHex(b[p])) p++;
    let colon = s + 3;
    while (colon < e && colon <= s + 8 && b[colon] !== 0x3a) colon++;
    if (colon < e && colon <= s + 8) {
      width = colon - s;
      const after = colon + 1 < e ? b[colon + 1] : 0x20;
      separator = after === 0x20;
      damagedSeparator = MAP_CHARS[after] !== 1 && after !== 0x20;
      charsStart = MAP_CHARS[after] !== 1 ? colon + 2 : colon + 1;
    } else if (p - s >= (knownWidth === null ? 4 : 3) && p + 1 < e && b[p + 1] === 0x20) {
      width = p - s;
      charsStart = p + 2;
      damagedSeparator = true;
    }
    if (width < 0 && knownWidth !== null && e - s === knownWidth + 64) {
      // A full line whose `: ` was lost, as matchMapAddress reads it.
      width = knownWidth;
      charsStart = s + width;
    }
    if (width < 0) return null;
    // A shortened address is only believed on a full line, as in tryMapLine.
    if (knownWidth !== null && width !== knownWidth && e - charsStart !== 64) return null;
  }
  if (width < 4 && !(knownWidth !== null && width >= 3)) return null;
  const n = e - charsStart;
  if (n <= 0) return null;
  let address = 0;
  let badDigits = 0;
  for (let i = s; i < s + width; i++) {
    const c = b[i];
    if (isHex(c)) address = address * 16 + (c <= 0x39 ? c - 0x30 : c - 0x57);
    else {
      badDigits++;
      address = address * 16;
    }
  }
  if (badDigits * 2 > width) return null;
  let badCells = 0;
  for (let i = charsStart; i < e; i++) if (MAP_CHARS[b[i]] !== 1) badCells++;
  if (badCells === n || badCells > Math.max(3, n >> 2)) return null;
  return { address, width, separator, charsStart, charsEnd: e, garbled: badDigits > 0, damagedSeparator };
}
