/**
 * A long synthetic recording of an RP2040-sized heap (12 800 blocks of 16 bytes, dumps of
 * 12–15 KB): a population of objects that is partly freed and reallocated at every step, so
 * consecutive dumps differ in a few percent of blocks, printed exactly as v1.20+ firmware
 * prints `mem_info(1)` (figures consistent with the map, free lines folded), with program
 * output between dumps. Deterministic for a seed.
 */

export interface SynthOptions {
  dumps: number;
  seed?: number;
  blocks?: number;
  /** Share of live objects freed (and as many allocated) per step. */
  churn?: number;
  eol?: string;
  /** Frame every dump with the helper's `@@HS:B` … `@@HS:E` lines. */
  framed?: boolean;
  pool?: number;
}

interface Obj {
  start: number;
  len: number;
}

export function synthCapture(o: SynthOptions): Uint8Array {
  const blocks = o.blocks ?? 12800;
  const eol = o.eol ?? '\r\n';
  const churn = o.churn ?? 0.04;
  const pool = (o.pool ?? 0x20006a40).toString(16);
  let x = (o.seed ?? 1) >>> 0 || 1;
  const rnd = () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const heads = 'hhhhhhTLDSSSABMF';
  const map = new Uint8Array(blocks).fill(0x2e);
  let objs: Obj[] = [];
  const size = () => {
    const r = rnd();
    if (r < 0.35) return 1;
    if (r < 0.55) return 2;
    if (r < 0.9) return 3 + Math.floor(rnd() * 6);
    if (r < 0.98) return 9 + Math.floor(rnd() * 40);
    return 50 + Math.floor(rnd() * 300);
  };
  const alloc = (len: number): boolean => {
    // First fit, as MicroPython's allocator does (from a moving start hint, roughly).
    let run = 0;
    for (let i = 0; i < blocks; i++) {
      if (map[i] === 0x2e) {
        run++;
        if (run === len) {
          const start = i - len + 1;
          map[start] = heads.charCodeAt(Math.floor(rnd() * heads.length));
          for (let k = 1; k < len; k++) map[start + k] = 0x3d;
          objs.push({ start, len });
          return true;
        }
      } else run = 0;
    }
    return false;
  };
  const free = (ob: Obj) => map.fill(0x2e, ob.start, ob.start + ob.len);
  // Fill about 60 % of the heap.
  let used = 0;
  while (used < blocks * 0.6) {
    const n = size();
    if (!alloc(n)) break;
    used += n;
  }
  let out = '';
  const parts: string[] = [];
  for (let d = 0; d < o.dumps; d++) {
    if (d > 0) {
      const k = Math.max(1, Math.round(objs.length * churn));
      for (let i = 0; i < k; i++) {
        const j = Math.floor(rnd() * objs.length);
        free(objs[j]);
        objs[j] = objs[objs.length - 1];
        objs.pop();
      }
      for (let i = 0; i < k; i++) alloc(size());
      // Now and then a type changes in place (a head letter), as a list becoming a tuple would.
      if (rnd() < 0.3 && objs.length) map[objs[Math.floor(rnd() * objs.length)].start] = heads.charCodeAt(Math.floor(rnd() * heads.length));
    }
    out += `step ${d} objects ${objs.length}${eol}`;
    if (o.framed) out += `@@HS:B ${d} ${d * 250} ${d % 4 === 0 ? 1 : 0}${eol}`;
    out += render(map, pool, eol, d);
    if (o.framed) out += `@@HS:E ${d}${eol}`;
    if (out.length > 1 << 20) {
      parts.push(out);
      out = '';
    }
    objs = objs.filter((ob) => map[ob.start] !== 0x2e);
  }
  parts.push(out);
  return new TextEncoder().encode(parts.join(''));
}

function render(map: Uint8Array, pool: string, eol: string, step: number): string {
  const n = map.length;
  let free = 0;
  let one = 0;
  let two = 0;
  let maxBlk = 0;
  let maxFree = 0;
  let run = 0;
  let alloc = 0;
  const endAlloc = () => {
    if (alloc === 1) one++;
    else if (alloc === 2) two++;
    if (alloc > maxBlk) maxBlk = alloc;
    alloc = 0;
  };
  for (let i = 0; i < n; i++) {
    const c = map[i];
    if (c === 0x2e) {
      free++;
      run++;
      if (run > maxFree) maxFree = run;
      if (alloc) endAlloc();
    } else {
      run = 0;
      if (c === 0x3d) alloc++;
      else {
        if (alloc) endAlloc();
        alloc = 1;
      }
    }
  }
  if (alloc) endAlloc();
  const lines: string[] = [];
  lines.push(`stack: ${500 + (step % 7) * 4} out of 7936`);
  lines.push(`GC: total: ${n * 16}, used: ${(n - free) * 16}, free: ${free * 16}`);
  lines.push(` No. of 1-blocks: ${one}, 2-blocks: ${two}, max blk sz: ${maxBlk}, max free sz: ${maxFree}`);
  lines.push(`GC memory layout; from ${pool}:`);
  const text = Buffer.from(map).toString('latin1');
  for (let bl = 0; bl < n; bl += 64) {
    let bl2 = bl;
    while (bl2 < n && map[bl2] === 0x2e) bl2++;
    if (bl2 - bl >= 128 && bl2 < n) {
      lines.push(`       (${Math.floor((bl2 - bl) / 64)} lines all free)`);
      bl = (bl2 & ~63) - 64;
      continue;
    }
    lines.push(`${(bl * 16).toString(16).padStart(8, '0')}: ${text.slice(bl, bl + 64)}`);
  }
  return lines.join(eol) + eol;
}
