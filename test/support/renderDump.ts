/**
 * Prints a map the way a given firmware era does (py/gc.c's gc_dump_alloc_table across
 * releases), so tests can check every era against one known map.
 */
export interface RenderOptions {
  style: 'index4' | 'abs5' | 'off5' | 'off8';
  pool: number;
  blockSize: number;
  tail: '=' | 't';
  fold: boolean;
  eol: string;
  header: boolean;
}

export function renderDump(areas: string[], o: RenderOptions): string {
  const lines: string[] = [];
  let used = 0;
  let free = 0;
  for (const a of areas) for (const c of a) c === '.' ? free++ : used++;
  if (o.header) {
    lines.push('stack: 1234 out of 7936');
    lines.push(`GC: total: ${(used + free) * o.blockSize}, used: ${used * o.blockSize}, free: ${free * o.blockSize}`);
    lines.push(' No. of 1-blocks: 1, 2-blocks: 1, max blk sz: 1');
  }
  areas.forEach((a, ai) => {
    const pool = o.pool + ai * 0x10000;
    if (o.header || ai > 0 || o.style !== 'index4') lines.push(`GC memory layout; from ${pool.toString(16)}:`);
    for (let bl = 0; bl < a.length; bl += 64) {
      if (o.fold) {
        let bl2 = bl;
        while (bl2 < a.length && a[bl2] === '.') bl2++;
        if (bl2 - bl >= 128) {
          lines.push(`       (${Math.floor((bl2 - bl) / 64)} lines all free)`);
          bl = bl2 & ~63;
          if (bl >= a.length) break;
        }
      }
      let addr: string;
      switch (o.style) {
        case 'index4':
          addr = bl.toString(16).padStart(4, '0');
          break;
        case 'abs5':
          addr = ((pool + bl * o.blockSize) & 0xfffff).toString(16).padStart(5, '0');
          break;
        case 'off5':
          addr = ((bl * o.blockSize) & 0xfffff).toString(16).padStart(5, '0');
          break;
        default:
          addr = (bl * o.blockSize).toString(16).padStart(8, '0');
      }
      lines.push(`${addr}: ${a.slice(bl, bl + 64).replace(/=/g, o.tail)}`);
    }
  });
  return lines.join(o.eol) + o.eol;
}

/** A plausible heap map: objects of varied kinds and sizes with free gaps. */
export function randomMap(blocks: number, seed: number): string {
  let x = seed >>> 0 || 1;
  const rnd = () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const heads = 'hhhhhTLDSSABMF';
  let s = '';
  while (s.length < blocks) {
    if (rnd() < 0.3) s += '.'.repeat(1 + Math.floor(rnd() * 200));
    else s += heads[Math.floor(rnd() * heads.length)] + '='.repeat(Math.floor(rnd() * 6));
  }
  return s.slice(0, blocks);
}
