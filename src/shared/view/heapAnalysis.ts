/**
 * What the map shows beyond colours: the object a block belongs to, the longest free run,
 * and what changed between two frames. Pure functions over the one-byte-per-block kinds.
 */
import { FREE, TAIL, UNKNOWN } from '../heap/blockKinds';

export interface AreaKinds {
  address: string;
  kinds: Uint8Array;
}

export type ExtentKind = 'object' | 'free' | 'unknown' | 'orphanTail';

export interface Extent {
  kind: ExtentKind;
  /** First block (the head, for an object). */
  start: number;
  /** Blocks, head included. */
  length: number;
  /** The head's letter code (FREE for a free run, TAIL for tails with no head before them). */
  code: number;
}

/**
 * The extent of whatever holds block `i`: an object (its head and every tail after it), a
 * run of free blocks, or a run of blocks the capture lost. Tails at the very start of an
 * area with no head before them are reported as an orphan run rather than invented into an
 * object.
 */
export function extentAt(k: Uint8Array, i: number): Extent | null {
  if (i < 0 || i >= k.length) return null;
  const c = k[i];
  if (c === FREE || c === UNKNOWN) {
    let s = i;
    while (s > 0 && k[s - 1] === c) s--;
    let e = i + 1;
    while (e < k.length && k[e] === c) e++;
    return { kind: c === FREE ? 'free' : 'unknown', start: s, length: e - s, code: c };
  }
  let h = i;
  while (h >= 0 && k[h] === TAIL) h--;
  if (h < 0 || k[h] === FREE || k[h] === UNKNOWN) {
    // Tails with no head before them.
    const s = h + 1;
    let e = i + 1;
    while (e < k.length && k[e] === TAIL) e++;
    return { kind: 'orphanTail', start: s, length: e - s, code: TAIL };
  }
  let e = h + 1;
  while (e < k.length && k[e] === TAIL) e++;
  return { kind: 'object', start: h, length: e - h, code: k[h] };
}

export interface FreeRun {
  area: number;
  start: number;
  length: number;
}

/** The longest run of free blocks over all areas (runs end at an area's edge); the first one on ties. */
export function longestFreeRun(areas: readonly { kinds: Uint8Array }[]): FreeRun | null {
  let best: FreeRun | null = null;
  areas.forEach((a, ai) => {
    const k = a.kinds;
    const n = k.length;
    let i = 0;
    while (i < n) {
      if (k[i] !== FREE) {
        i++;
        continue;
      }
      const s = i;
      while (i < n && k[i] === FREE) i++;
      const len = i - s;
      if (!best || len > best.length) best = { area: ai, start: s, length: len };
    }
  });
  return best;
}

/** Per-block change codes of a diff. */
export const SAME = 0;
/** A block of an object that is in B and was not in A (same head, kind and length). */
export const ALLOCATED = 1;
/** A block that held an object in A and is free in B. */
export const FREED = 2;

export interface KindDelta {
  /** The head letter ('h', 'S', …). */
  kind: string;
  objectsA: number;
  objectsB: number;
  /** Blocks held by objects of this kind (heads and tails). */
  blocksA: number;
  blocksB: number;
  /** Objects in B that were not in A, and objects of A gone from B. */
  allocated: number;
  freed: number;
}

export interface HeapDiff {
  /** One code per block of each area of B (SAME / ALLOCATED / FREED), aligned with B.areas. */
  areas: Uint8Array[];
  allocatedBlocks: number;
  freedBlocks: number;
  sameBlocks: number;
  /** Areas of A absent from B (matched by pool address): their objects count as freed. */
  goneAreas: string[];
  kinds: KindDelta[];
}

/**
 * What changed from A to B, object by object. MicroPython's GC never moves objects, so an
 * object is identified by its head address, its kind and its length: a block of B is
 * unchanged when the object (or free run) holding it was there in A too, allocated when its
 * object is new, freed when it was in use in A and is free in B. Areas are matched by pool
 * address, never by position.
 */
export function diffHeaps(a: readonly AreaKinds[], b: readonly AreaKinds[]): HeapDiff {
  const byAddr = new Map<string, Uint8Array>();
  for (const x of a) byAddr.set(x.address, x.kinds);
  const perKind = new Map<number, KindDelta>();
  const kd = (code: number): KindDelta => {
    let d = perKind.get(code);
    if (!d) {
      d = { kind: String.fromCharCode(code), objectsA: 0, objectsB: 0, blocksA: 0, blocksB: 0, allocated: 0, freed: 0 };
      perKind.set(code, d);
    }
    return d;
  };
  let allocatedBlocks = 0;
  let freedBlocks = 0;
  let sameBlocks = 0;
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const area of b) {
    seen.add(area.address);
    const kb = area.kinds;
    const ka = byAddr.get(area.address) ?? null;
    const codes = new Uint8Array(kb.length);
    const n = kb.length;
    // Objects of B: new or not.
    let i = 0;
    while (i < n) {
      const c = kb[i];
      if (c === FREE || c === UNKNOWN || c === TAIL) {
        // Free, lost, or a tail with no head: judged block by block below.
        if (c === FREE && ka && i < ka.length && ka[i] !== FREE && ka[i] !== UNKNOWN) {
          codes[i] = FREED;
          freedBlocks++;
        } else sameBlocks++;
        i++;
        continue;
      }
      let e = i + 1;
      while (e < n && kb[e] === TAIL) e++;
      const len = e - i;
      const d = kd(c);
      d.objectsB++;
      d.blocksB += len;
      let same = false;
      if (ka && i < ka.length && ka[i] === c) {
        let ea = i + 1;
        while (ea < ka.length && ka[ea] === TAIL) ea++;
        same = ea - i === len;
      }
      if (same) sameBlocks += len;
      else {
        d.allocated++;
        allocatedBlocks += len;
        codes.fill(ALLOCATED, i, e);
      }
      i = e;
    }
    out.push(codes);
    // Objects of A: gone or not.
    if (ka) {
      const m = ka.length;
      let j = 0;
      while (j < m) {
        const c = ka[j];
        if (c === FREE || c === UNKNOWN || c === TAIL) {
          j++;
          continue;
        }
        let e = j + 1;
        while (e < m && ka[e] === TAIL) e++;
        const len = e - j;
        const d = kd(c);
        d.objectsA++;
        d.blocksA += len;
        let still = false;
        if (j < n && kb[j] === c) {
          let eb = j + 1;
          while (eb < n && kb[eb] === TAIL) eb++;
          still = eb - j === len;
        }
        if (!still) d.freed++;
        j = e;
      }
    }
  }
  const goneAreas: string[] = [];
  for (const x of a) {
    if (seen.has(x.address)) continue;
    goneAreas.push(x.address);
    const k = x.kinds;
    let j = 0;
    while (j < k.length) {
      const c = k[j];
      if (c === FREE || c === UNKNOWN || c === TAIL) {
        j++;
        continue;
      }
      let e = j + 1;
      while (e < k.length && k[e] === TAIL) e++;
      const d = kd(c);
      d.objectsA++;
      d.blocksA += e - j;
      d.freed++;
      j = e;
    }
  }
  const kinds = [...perKind.values()].sort((x, y) => Math.abs(y.blocksB - y.blocksA) - Math.abs(x.blocksB - x.blocksA) || x.kind.localeCompare(y.kind));
  return { areas: out, allocatedBlocks, freedBlocks, sameBlocks, goneAreas, kinds };
}

/** Runs of equal non-zero codes in one area's diff codes, for drawing outlines. */
export function changeRuns(codes: Uint8Array): Array<{ start: number; length: number; code: number }> {
  const out: Array<{ start: number; length: number; code: number }> = [];
  const n = codes.length;
  let i = 0;
  while (i < n) {
    const c = codes[i];
    if (c === SAME) {
      i++;
      continue;
    }
    const s = i;
    while (i < n && codes[i] === c) i++;
    out.push({ start: s, length: i - s, code: c });
  }
  return out;
}

/** Share of blocks held by `h` objects (head + tails): what the letters cannot type. */
export function untypedShare(areas: readonly { kinds: Uint8Array }[], headCode = 0x68): { blocks: number; used: number } {
  let blocks = 0;
  let used = 0;
  for (const a of areas) {
    const k = a.kinds;
    let inH = false;
    for (let i = 0; i < k.length; i++) {
      const c = k[i];
      if (c === TAIL) {
        used++;
        if (inH) blocks++;
        continue;
      }
      inH = c === headCode;
      if (c !== FREE && c !== UNKNOWN) {
        used++;
        if (inH) blocks++;
      }
    }
  }
  return { blocks, used };
}
