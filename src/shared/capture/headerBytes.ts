/**
 * The header lines of a dump (`mem:`, `stack:`, `GC:`, `No. of`, `GC memory layout`) and the
 * folded free run `(N lines all free)`, read from the line's bytes: no string, no regex, no
 * match array. Every dump has four to six of them, and reading them as text (a string per
 * line, a regex test to find the stage, an exec to take the figures) cost more than the rest
 * of the dump's header handling.
 *
 * Each reader follows its regex in dumpLines.ts to the letter (same prefix, same optional
 * parts, same figures) and, where it cannot be sure of giving the regex's answer, says so
 * (UNSURE): the caller then takes the text route, which stays the reference. That covers
 * lines of 4,096 bytes or more (asciiString decodes those as UTF-8, not byte for byte) and
 * figures of more than 15 digits (beyond what adding digits gives exactly; Number() rounds).
 */
import { Stage } from './dumpAssembler';

/** The bytes could not decide: read the line as text. */
export const UNSURE = -1;

/**
 * The figures of the header readHeader last accepted, in its regex's group order; -1 for an
 * optional figure the line does not have. For the layout line, [0, 1) is where its address
 * is in the line's buffer.
 */
export const FIELDS = new Float64Array(4);

/** Longest line the byte readers decide on (see the file's comment). */
const MAX_LINE = 4096;
/** Most digits whose value adding them one by one gives exactly. */
const MAX_DIGITS = 15;

/** Cursor of the line being read: the readers below advance it. */
let at = 0;
/** Set when a figure had too many digits to read exactly. */
let unsure = false;

const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const MEM_TOTAL = bytesOf('mem: total=');
const MEM_CURRENT = bytesOf(', current=');
const MEM_PEAK = bytesOf(', peak=');
const STACK = bytesOf('stack: ');
const STACK_LIMIT = bytesOf(' out of ');
const GC_TOTAL = bytesOf('GC: total: ');
const GC_USED = bytesOf(', used: ');
const GC_FREE = bytesOf(', free: ');
const GC_SPLIT = bytesOf(', max new split: ');
const BLOCKS_ONE = bytesOf('No. of 1-blocks: ');
const BLOCKS_TWO = bytesOf(', 2-blocks: ');
const BLOCKS_MAX = bytesOf(', max blk sz: ');
const BLOCKS_FREE = bytesOf(', max free sz: ');
const LAYOUT = bytesOf('GC memory layout; from ');
const FOLD_TEXT = bytesOf(' lines all free)');

/** Whether b[at, e) starts with `text`; if so the cursor moves past it. */
function literal(b: Uint8Array, e: number, text: Uint8Array): boolean {
  const n = text.length;
  if (at + n > e) return false;
  for (let j = 0; j < n; j++) if (b[at + j] !== text[j]) return false;
  at += n;
  return true;
}

/** `\d+` at the cursor: its value, or -1 if there is no digit there (sets `unsure` past 15). */
function digits(b: Uint8Array, e: number): number {
  const s = at;
  let v = 0;
  while (at < e) {
    const d = b[at] - 0x30;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    at++;
  }
  if (at === s) return -1;
  if (at - s > MAX_DIGITS) unsure = true;
  return v;
}

/** `(?:<text>(\d+))?` at the cursor: the figure, or -1 when the optional part is not there. */
function optional(b: Uint8Array, e: number, text: Uint8Array): number {
  return literal(b, e, text) ? digits(b, e) : -1;
}

/**
 * The header stage of the line b[s, e) (already trimmed, see coreRange) with its figures in
 * FIELDS; Stage.None when it is no header line; UNSURE when only its text can tell.
 */
export function readHeader(b: Uint8Array, s: number, e: number): number {
  if (e - s >= MAX_LINE) return UNSURE;
  at = s;
  unsure = false;
  let stage: Stage = Stage.None;
  switch (b[s]) {
    case 0x6d: // m
      if (literal(b, e, MEM_TOTAL) && (FIELDS[0] = digits(b, e)) >= 0 && literal(b, e, MEM_CURRENT) && (FIELDS[1] = digits(b, e)) >= 0 && literal(b, e, MEM_PEAK) && (FIELDS[2] = digits(b, e)) >= 0) {
        stage = Stage.Mem;
      }
      break;
    case 0x73: // s
      if (literal(b, e, STACK) && (FIELDS[0] = digits(b, e)) >= 0) {
        FIELDS[1] = optional(b, e, STACK_LIMIT);
        stage = Stage.Stack;
      }
      break;
    case 0x47: // G
      if (literal(b, e, GC_TOTAL)) {
        if ((FIELDS[0] = digits(b, e)) >= 0 && literal(b, e, GC_USED) && (FIELDS[1] = digits(b, e)) >= 0 && literal(b, e, GC_FREE) && (FIELDS[2] = digits(b, e)) >= 0) {
          FIELDS[3] = optional(b, e, GC_SPLIT);
          stage = Stage.Gc;
        }
      } else if (literal(b, e, LAYOUT)) {
        // `(?:0x)?([0-9a-fA-F]+):`: with the `0x` if what follows it is an address, else without.
        const from = at;
        if (!(from + 1 < e && b[from] === 0x30 && b[from + 1] === 0x78 && hexAddress(b, from + 2, e)) && !hexAddress(b, from, e)) break;
        stage = Stage.Map;
      }
      break;
    case 0x4e: // N
      if (literal(b, e, BLOCKS_ONE) && (FIELDS[0] = digits(b, e)) >= 0 && literal(b, e, BLOCKS_TWO) && (FIELDS[1] = digits(b, e)) >= 0 && literal(b, e, BLOCKS_MAX) && (FIELDS[2] = digits(b, e)) >= 0) {
        FIELDS[3] = optional(b, e, BLOCKS_FREE);
        stage = Stage.Blocks;
      }
      break;
    default:
      break;
  }
  return unsure ? UNSURE : stage;
}

/** `[0-9a-fA-F]+:` at b[i]: if so, the digits' range goes to FIELDS[0, 1). */
function hexAddress(b: Uint8Array, i: number, e: number): boolean {
  let j = i;
  while (j < e && isHexDigit(b[j])) j++;
  if (j === i || j >= e || b[j] !== 0x3a) return false;
  FIELDS[0] = i;
  FIELDS[1] = j;
  return true;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** What `\s` matches among single bytes read as Latin-1 (asciiString's reading). */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0;
}

/** readFold could not decide: read the line as text. */
export const FOLD_UNSURE = -2;

/** `(N lines all free)` (FOLD in dumpLines.ts) at b[s, e): N; -1 if it is no fold; or FOLD_UNSURE. */
export function readFold(b: Uint8Array, s: number, e: number): number {
  if (e - s >= MAX_LINE) return FOLD_UNSURE;
  if (b[s] !== 0x28) return -1;
  at = s + 1;
  unsure = false;
  while (at < e && isSpace(b[at])) at++;
  const lines = digits(b, e);
  if (lines < 0 || !literal(b, e, FOLD_TEXT)) return -1;
  return unsure ? FOLD_UNSURE : lines;
}
