/**
 * Small byte helpers for the session format: a growable output buffer with LEB128 varints,
 * and a cursor that reads them back and reports malformed input instead of reading past it.
 */
import zlib from 'node:zlib';

export class ByteSink {
  buf: Uint8Array;
  len = 0;

  constructor(initial = 1 << 16) {
    this.buf = new Uint8Array(initial);
  }

  reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }

  byte(b: number): void {
    if (this.len === this.buf.length) this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned LEB128 of a non-negative integer up to 2^53. */
  uvar(v: number): void {
    this.reserve(8);
    const buf = this.buf;
    while (v >= 0x80) {
      buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[this.len++] = v;
  }

  /** Signed integer as zigzag LEB128. */
  svar(v: number): void {
    this.uvar(v < 0 ? -2 * v - 1 : 2 * v);
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    if (this.len + n > this.buf.length) this.reserve(n);
    const buf = this.buf;
    if (n <= 96) {
      // Short copies (most lines) are faster by hand than through a subarray view.
      let o = this.len;
      for (let i = start; i < end; i++) buf[o++] = src[i];
    } else {
      buf.set(src.subarray(start, end), this.len);
    }
    this.len += n;
  }

  /** A copy of what was written, and the sink emptied. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** Thrown by ByteSource on malformed input; callers turn it into a SessionFormatError. */
export class MalformedError extends Error {}

export class ByteSource {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  byte(): number {
    if (this.pos >= this.end) throw new MalformedError('unexpected end of data');
    return this.buf[this.pos++];
  }

  uvar(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw new MalformedError('unexpected end of data in a number');
      const b = this.buf[this.pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
    throw new MalformedError('number too long');
  }

  svar(): number {
    const z = this.uvar();
    return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) throw new MalformedError('length runs past the end of the data');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** CRC-32 (IEEE), as zip and gzip use it: zlib's when Node has it (20.15+), else a table. */
export const crc32: (data: Uint8Array, value?: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (zlib as unknown as { crc32: (d: Uint8Array, v?: number) => number }).crc32
    : tableCrc32;

let table: Uint32Array | null = null;

export function tableCrc32(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A copy of bytes [s, e). (Not `b.slice`: on a Node Buffer that is a view, and a view into a
 * buffer its owner reuses, or that we patch, is a corruption waiting to happen.)
 */
export function copyOf(b: Uint8Array, s = 0, e = b.length): Uint8Array {
  return Uint8Array.prototype.slice.call(b, s, e);
}

/** A Node Buffer (or any view) as a plain Uint8Array over the same memory. */
export function plainView(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** The last `window` bytes of a followed by b (a deflate dictionary). */
export function windowTail(a: Uint8Array, b: Uint8Array, window = 32 * 1024): Uint8Array {
  if (b.length >= window) return copyOf(b, b.length - window);
  const keep = Math.min(a.length, window - b.length);
  const out = new Uint8Array(keep + b.length);
  out.set(a.subarray(a.length - keep), 0);
  out.set(b, keep);
  return out;
}
