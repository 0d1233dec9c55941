/**
 * A binary adaptive range coder (the carry-less-by-caching scheme of LZMA's coder) with 16-bit
 * probabilities, for the heap-map model of format 3 (see heapModel.ts and
 * docs/session-format.md, "Heap maps, format 3"). Written here rather than taken from a package:
 * the model needs a few hundred binary decisions per dump with probabilities close to 0 or 1,
 * which no general-purpose compressor on npm exposes; the coder itself is ~100 lines.
 *
 * Probabilities are P(bit = 0) in 1/65536 units, adapting at a rate that starts fast (1/2,
 * 1/3, …) and settles at 1/32, so a context seen a few times is already sharp.
 */

const TOP = 2 ** 24;
const PROB_BITS = 16;
const ONE = 1 << PROB_BITS;
/** Updates after which the rate stays at 1/(LIMIT + 2). */
const LIMIT = 30;
/** 65536 / (n + 2): the adaptation rate after n updates, as a multiplier (no division per bit). */
const RATE = Int32Array.from({ length: LIMIT + 1 }, (_, n) => Math.floor(65536 / (n + 2)));

/** A set of adaptive binary contexts: probabilities and how often each was updated. */
export class BitModels {
  readonly p: Uint16Array;
  readonly n: Uint8Array;

  constructor(size: number) {
    this.p = new Uint16Array(size).fill(ONE >> 1);
    this.n = new Uint8Array(size);
  }

  reset(): void {
    this.p.fill(ONE >> 1);
    this.n.fill(0);
  }

  update(i: number, bit: number): void {
    const n = this.n[i];
    const p = this.p[i];
    // Rate 1/(n+2) for the first updates, then 1/32: quick to learn, steady after.
    const r = RATE[n];
    let q = bit === 0 ? p + (((ONE - p) * r) >>> 16) : p - ((p * r) >>> 16);
    if (q < 32) q = 32;
    else if (q > ONE - 32) q = ONE - 32;
    this.p[i] = q;
    if (n < LIMIT) this.n[i] = n + 1;
  }
}

export class RangeEncoder {
  private low = 0;
  private range = 0xffffffff;
  private cache = 0;
  private cacheSize = 1;
  private out = new Uint8Array(1 << 12);
  private outLen = 0;
  /** Bits coded since the last finish (none: finish writes nothing). */
  private coded = false;

  bit(m: BitModels, i: number, bit: number): void {
    this.coded = true;
    const bound = (this.range >>> PROB_BITS) * m.p[i];
    if (bit === 0) {
      this.range = bound;
    } else {
      this.low += bound;
      this.range -= bound;
    }
    m.update(i, bit);
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.shiftLow();
    }
  }

  private shiftLow(): void {
    if (this.low < 0xff000000 || this.low >= 0x100000000) {
      const carry = this.low >= 0x100000000 ? 1 : 0;
      let temp = this.cache;
      do {
        if (this.outLen === this.out.length) {
          const grown = new Uint8Array(this.out.length * 2);
          grown.set(this.out);
          this.out = grown;
        }
        this.out[this.outLen++] = (temp + carry) & 0xff;
        temp = 0xff;
      } while (--this.cacheSize !== 0);
      this.cache = Math.floor(this.low / 0x1000000) & 0xff;
    }
    this.cacheSize++;
    this.low = (this.low % 0x1000000) * 256;
  }

  /** Ends the stream: the bytes of everything coded since the last finish (empty if nothing). */
  finish(): Uint8Array {
    if (!this.coded) return new Uint8Array(0);
    for (let i = 0; i < 5; i++) this.shiftLow();
    // The first byte is always 0 (the cache's initial value): left out, the decoder implies it.
    const bytes = this.out.slice(1, this.outLen);
    this.outLen = 0;
    this.low = 0;
    this.range = 0xffffffff;
    this.cache = 0;
    this.cacheSize = 1;
    this.coded = false;
    return bytes;
  }
}

export class RangeDecoder {
  private range = 0xffffffff;
  private code = 0;
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {
    for (let i = 0; i < 4; i++) this.code = (this.code * 256 + this.next()) >>> 0;
  }

  /** Past the end the stream reads as zeros: a damaged stream decodes to nonsense, never hangs. */
  private next(): number {
    return this.pos < this.buf.length ? this.buf[this.pos++] : (this.pos++, 0);
  }

  /** Bytes read beyond the stream's end (a stream that ran out: damage). */
  get overrun(): number {
    return Math.max(0, this.pos - this.buf.length);
  }

  bit(m: BitModels, i: number): number {
    const bound = (this.range >>> PROB_BITS) * m.p[i];
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      bit = 0;
    } else {
      this.code -= bound;
      this.range -= bound;
      bit = 1;
    }
    m.update(i, bit);
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.code = ((this.code * 256) >>> 0) + this.next();
      this.code >>>= 0;
    }
    return bit;
  }
}
