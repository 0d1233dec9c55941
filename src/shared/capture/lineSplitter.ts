/**
 * Splits a byte stream into lines on `\n`, `\r\n` and lone `\r`, whatever the chunking.
 *
 * A line whose `\r` is the last byte of a chunk is held back until the next byte shows
 * whether a `\n` follows: that keeps every line's byte range (and so everything derived
 * from it) identical whether the capture arrives in one piece or one byte at a time.
 */
export interface LineSink {
  /**
   * `bytes[start, end)` is the line without its terminator; `termLen` is 0 (last line of
   * the stream, unterminated), 1 or 2. `byteOffset` is the stream offset of `bytes[start]`.
   * The view is only valid during the call. `cut` is the number of bytes of a line longer than
   * MAX_LINE_BYTES that are not given (they follow `end` in the stream, before the terminator):
   * the line's full length is `end - start + cut`.
   */
  line(bytes: Uint8Array, start: number, end: number, termLen: number, lineNo: number, byteOffset: number, cut: number): void;
  /**
   * Optional: the splitter's guess that `bytes[start, end)` is the next line (it is as long as
   * the last one, and a terminator follows it). The sink takes it as line() would and returns
   * true only if it has checked every byte of the range and none is `\n` or `\r` (so the guess
   * was right); otherwise it returns false having changed nothing, and the line is found the
   * usual way. A dump's map lines are all one length and read byte by byte anyway, so for most
   * of a capture the splitter's own search for the terminator is work done twice.
   */
  lineIfWhole?(bytes: Uint8Array, start: number, end: number, termLen: number, lineNo: number, byteOffset: number): boolean;
}

/**
 * The most of one line a sink is given. A capture is read line by line, and a line with no
 * terminator (a 1 GB file of zeros, a 50 MB paste) used to be gathered whole: memory grew with
 * the input. Past this, the line's bytes are counted, not kept. No line a board prints for
 * HeapScope (map lines, frames, headers) comes near it.
 */
export const MAX_LINE_BYTES = 64 << 10;

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private carry = new Uint8Array(256);
  private carryLen = 0;
  private carryOffset = 0;
  /** Bytes of the carried line past MAX_LINE_BYTES: counted, not kept. */
  private carryCut = 0;
  /** The carried line ended in `\r` at the end of the previous chunk. */
  private heldCR = false;
  private lineNo = 0;
  private offset = 0; // stream offset of the next byte to arrive
  /** Length of the last line found in a chunk (0: none to guess from); see LineSink.lineIfWhole. */
  private guess = 0;
  private readonly guesses: boolean;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLine = MAX_LINE_BYTES,
  ) {
    this.guesses = typeof sink.lineIfWhole === 'function';
  }

  /** Bytes consumed so far. */
  get bytesSeen(): number {
    return this.offset;
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    const base = this.offset;
    this.offset += n;
    let pos = 0;
    if (this.heldCR) {
      this.heldCR = false;
      if (chunk[0] === LF) {
        this.emitCarry(2);
        pos = 1;
      } else {
        this.emitCarry(1);
      }
    }
    // Four bytes at a time where the chunk allows it (see nextTerminator).
    const words = (chunk.byteOffset & 3) === 0 ? new Int32Array(chunk.buffer, chunk.byteOffset, n >>> 2) : null;
    while (pos < n) {
      if (this.guesses && this.guess > 0 && this.carryLen === 0) {
        // A terminator where the line would end if it were as long as the last (not the
        // chunk's last byte: a `\r` there could not tell its length). The sink checks the rest.
        const g = pos + this.guess;
        if (g < n - 1) {
          const c = chunk[g];
          if (c === LF || c === CR) {
            const termLen = c === CR && chunk[g + 1] === LF ? 2 : 1;
            if (this.sink.lineIfWhole!(chunk, pos, g, termLen, this.lineNo + 1, base + pos)) {
              this.lineNo++;
              pos = g + termLen;
              continue;
            }
          }
        }
      }
      const t = nextTerminator(chunk, words, pos, n);
      if (t === -1) {
        this.appendCarry(chunk, pos, n, base + pos);
        return;
      }
      if (chunk[t] === CR && t === n - 1) {
        // Cannot tell `\r\n` from a lone `\r` yet: hold the line.
        this.appendCarry(chunk, pos, t, base + pos);
        this.heldCR = true;
        return;
      }
      const termLen = chunk[t] === CR && chunk[t + 1] === LF ? 2 : 1;
      if (this.carryLen > 0) {
        this.appendCarry(chunk, pos, t, base + pos);
        this.emitCarry(termLen);
      } else if (t - pos > this.maxLine) {
        this.guess = 0;
        this.sink.line(chunk, pos, pos + this.maxLine, termLen, ++this.lineNo, base + pos, t - pos - this.maxLine);
      } else {
        this.guess = t - pos;
        this.sink.line(chunk, pos, t, termLen, ++this.lineNo, base + pos, 0);
      }
      pos = t + termLen;
    }
  }

  /** The stream ended: a held or unterminated last line is emitted. */
  end(): void {
    if (this.heldCR) {
      this.heldCR = false;
      this.emitCarry(1);
    } else if (this.carryLen > 0 || this.carryCut > 0) {
      this.emitCarry(0);
    }
  }

  private appendCarry(src: Uint8Array, from: number, to: number, streamOffset: number): void {
    const len = to - from;
    if (this.carryLen === 0) this.carryOffset = streamOffset;
    if (len === 0) {
      // An empty carried line still has to be remembered (e.g. a held `\r` on its own).
      return;
    }
    const keep = Math.min(len, this.maxLine - this.carryLen);
    this.carryCut += len - keep;
    if (keep === 0) return;
    to = from + keep;
    if (this.carryLen + keep > this.carry.length) {
      let size = this.carry.length * 2;
      while (size < this.carryLen + keep) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(src.subarray(from, to), this.carryLen);
    this.carryLen += keep;
  }

  private emitCarry(termLen: number): void {
    const len = this.carryLen;
    const cut = this.carryCut;
    this.carryLen = 0;
    this.carryCut = 0;
    this.sink.line(this.carry, 0, len, termLen, ++this.lineNo, this.carryOffset, cut);
  }
}

/**
 * Index of the first `\n` or `\r` in chunk[pos, n), or -1. `words` is the chunk viewed as
 * 32-bit words (null when it is not 4-byte aligned).
 *
 * Why not `indexOf`: boards print `\r\n`, so finding the first of either byte took two
 * native calls per line (one per byte), and their call overhead outweighed the scan on lines
 * of ~70 bytes. Instead whole words are skipped while none of their bytes is below 0x0e
 * (the classic "has a byte less than n" test: `(w - 0x0e0e0e0e) & ~w & 0x80808080` is
 * non-zero exactly when some byte of w is < 0x0e); a word that fails (a terminator, or a tab
 * or other control byte) is then examined byte by byte.
 */
function nextTerminator(chunk: Uint8Array, words: Int32Array | null, pos: number, n: number): number {
  let t = pos;
  const nw = n >>> 2;
  while (t < n) {
    if (words !== null && (t & 3) === 0) {
      let w = t >>> 2;
      while (w < nw) {
        const v = words[w];
        if (((v - 0x0e0e0e0e) & ~v & 0x80808080) !== 0) break;
        w++;
      }
      t = w << 2;
      if (t >= n) break;
    }
    const c = chunk[t];
    if (c === LF || c === CR) return t;
    t++;
  }
  return -1;
}
