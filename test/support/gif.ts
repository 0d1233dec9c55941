/**
 * Walks a GIF's blocks (header, screen descriptor, extensions, images, trailer) and counts the
 * images, so tests can check an exported animation frame by frame rather than by its magic.
 * Throws on a structure that does not parse.
 */
export interface GifInfo {
  width: number;
  height: number;
  frames: number;
  /** Delay of each frame, in hundredths of a second (from its graphic control extension). */
  delays: number[];
  loops: boolean;
}

export function readGif(b: Uint8Array): GifInfo {
  const sig = String.fromCharCode(...b.subarray(0, 6));
  if (sig !== 'GIF89a' && sig !== 'GIF87a') throw new Error(`not a GIF (starts ${JSON.stringify(sig)})`);
  const u16 = (at: number) => b[at] | (b[at + 1] << 8);
  const width = u16(6);
  const height = u16(8);
  let p = 13;
  if (b[10] & 0x80) p += 3 << ((b[10] & 7) + 1);
  const skipSubBlocks = () => {
    for (;;) {
      if (p >= b.length) throw new Error('GIF ends inside a data block');
      const n = b[p++];
      if (n === 0) return;
      p += n;
    }
  };
  let frames = 0;
  let loops = false;
  const delays: number[] = [];
  for (;;) {
    if (p >= b.length) throw new Error('GIF has no trailer');
    const t = b[p++];
    if (t === 0x3b) break;
    if (t === 0x21) {
      const label = b[p++];
      if (label === 0xf9) delays.push(u16(p + 2));
      if (label === 0xff && String.fromCharCode(...b.subarray(p + 1, p + 12)) === 'NETSCAPE2.0') loops = true;
      skipSubBlocks();
    } else if (t === 0x2c) {
      const flags = b[p + 8];
      p += 9;
      if (flags & 0x80) p += 3 << ((flags & 7) + 1);
      p++; // LZW minimum code size
      skipSubBlocks();
      frames++;
    } else throw new Error(`unexpected GIF block 0x${t.toString(16)} at byte ${p - 1}`);
  }
  return { width, height, frames, delays, loops };
}
