const utf8 = new TextDecoder('utf-8');

/** Text of a line for display: UTF-8 (bad bytes become U+FFFD), escapes and controls removed. */
export function lineText(bytes: Uint8Array, start: number, end: number): string {
  if (isPlainAscii(bytes, start, end)) return asciiString(bytes, start, end);
  return stripTerminalCodes(utf8.decode(bytes.subarray(start, end)));
}

/** Printable ASCII only: lineText is then the bytes as they are. */
export function isPlainAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

/** A pure-ASCII byte range as a string, without a decoder round trip for short lines. */
export function asciiString(bytes: Uint8Array, start: number, end: number): string {
  if (end <= start) return '';
  if (end - start < 4096) {
    return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  return utf8.decode(bytes.subarray(start, end));
}

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), other two-byte escapes, then C0/C1 controls
// but tab. CircuitPython sets the terminal title with OSC; REPLs send CSI for cursor moves.
// eslint-disable-next-line no-control-regex
const TERMINAL_CODES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\|$)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export function stripTerminalCodes(s: string): string {
  return s.replace(TERMINAL_CODES, '');
}
