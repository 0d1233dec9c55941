/**
 * One byte per GC block. A block's byte is the character code the firmware printed for it,
 * with the old `t` tail folded into `=`: the letter itself is the most faithful code there is,
 * it keeps unknown head letters from forks without a lookup table, and counts per kind fall
 * out of a 128-entry histogram.
 */
/** A block the map should have shown but the capture lost (never printed by a board). */
export const UNKNOWN = 0x00;
export const FREE = 0x2e; // '.'
export const TAIL = 0x3d; // '='
export const OLD_TAIL = 0x74; // 't' (v1.0 – v1.8.0)
export const HEAD = 0x68; // 'h': head of an object the firmware does not type
export const MARKED = 0x6d; // 'm': marked head, only seen mid-collection

/** The letters the firmware documents, with what each one stands for. */
export const KNOWN_HEADS: Readonly<Record<string, string>> = {
  h: 'other object (instances, closures, str/bytes/list/dict data buffers, qstr pools…)',
  T: 'tuple',
  L: 'list',
  D: 'dict',
  S: 'str or bytes',
  A: 'bytearray or array',
  F: 'float (boxed)',
  B: 'bytecode function',
  M: 'module',
  m: 'marked head (mid-collection)',
};

export function isFree(code: number): boolean {
  return code === FREE;
}

export function isTail(code: number): boolean {
  return code === TAIL;
}

/** Anything printable that is neither free nor tail is a head of some kind. */
export function isHead(code: number): boolean {
  return code !== FREE && code !== TAIL && code > 0x20 && code < 0x7f;
}

/**
 * Characters that may appear in a map line. Letters are heads (known or not); the firmware
 * never prints digits, punctuation other than `.` and `=`, or spaces inside a map line.
 */
export function isMapChar(code: number): boolean {
  return MAP_CHARS[code] === 1;
}

/** 1 for `.`, `=` and ASCII letters: a table, because map lines are most of every capture. */
export const MAP_CHARS = (() => {
  const t = new Uint8Array(256);
  t[FREE] = 1;
  t[TAIL] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  return t;
})();

export function kindLetter(code: number): string {
  return String.fromCharCode(code);
}
