/**
 * Object lifetimes without object ids. MicroPython's GC never moves an object, so a head block
 * at the same place, of the same kind and the same length in two consecutive dumps is taken
 * for the same object. It may instead be one born since at the place the other left: identity
 * read this way can only join lives, never split one. What is certain is that *something* of
 * that shape held the place at every dump in between; birth is known only to lie between the
 * dump before the first sighting and that sighting, so an age read here is a lower bound.
 *
 * Fed frame by frame (as while recording). Objects live in growable typed columns, one row
 * per object, rows in birth order: memory follows the number of objects, not the dumps.
 */
import { FREE, TAIL, UNKNOWN } from '../heap/blockKinds';

/** A dump's map as the tracker reads it. */
export interface LifetimeFrame {
  /** The frame's position in its session (snapshot index). */
  index: number;
  /** When it was taken (device or host clock, ms), null if unknown. */
  timeMs: number | null;
  areas: ReadonlyArray<{ address: string; kinds: Uint8Array }>;
}

/** The log line or mark in force when objects were first seen. */
export interface Phase {
  kind: 'log' | 'mark' | 'start';
  text: string;
  /** 1-based capture line (0 for the start). */
  line: number;
}

/** One object, as a plain record (the columns hold them packed). */
export interface LifeObject {
  id: number;
  area: number;
  /** Head block within its area. */
  start: number;
  /** Blocks, head included. */
  length: number;
  /** The head's letter. */
  kind: string;
  /** The frame it was first seen in. */
  bornFrame: number;
  bornMs: number | null;
  /** It was there at the first frame of its run (born before anything was seen). */
  bornBefore: boolean;
  /** The phase in force at bornFrame (index into phases). */
  phase: number;
  /** The first frame it was no longer seen in; -1 while alive. */
  diedFrame: number;
  diedMs: number | null;
}

/** Grows a typed array by doubling. */
function grow<T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(a: T, n: number): T {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

export class LifetimeTracker {
  /** Objects so far (rows). */
  count = 0;
  area = new Uint8Array(1024);
  start = new Uint32Array(1024);
  length = new Uint32Array(1024);
  code = new Uint8Array(1024);
  /** Position (ordinal among tracked frames) of the frame first seen in. */
  bornAt = new Int32Array(1024);
  /** Position of the first tracked frame it was missing from; -1 while alive. */
  diedAt = new Int32Array(1024);
  phaseOf = new Int32Array(1024);
  bornBefore = new Uint8Array(1024);
  /** The last position each row was seen at (marks this frame's sightings without a per-frame array). */
  private seenAt = new Int32Array(1024);

  /** Tracked frames, in order: snapshot index and time. */
  readonly frames: number[] = [];
  readonly times: Array<number | null> = [];
  readonly phases: Phase[] = [{ kind: 'start', text: '(before the first line)', line: 0 }];
  private phaseIds = new Map<string, number>();
  private phaseNow = 0;
  /** The line in force, interned into phases only once an object is born during it. */
  private pending: Phase | null = null;

  /** Position where the current heap's run began (the last reboot or change of heap). */
  runStart = 0;
  /**
   * Per area: object id at each head block of the last frame, -1 elsewhere. Exact: every id in
   * it is alive, and every alive object is in it (at its head), so it is also the alive set.
   */
  private heads: Int32Array[] = [];
  /** Per area: the last frame's kinds, padded to whole words (the next frame is compared to it). */
  private prev: Uint8Array[] = [];
  private prevWords: Int32Array[] = [];
  /** The last frame's areas (address and blocks); null after a reset. */
  private shape: Array<{ address: string; blocks: number }> | null = null;
  /** Ids of the old objects met in the range being walked (reused between frames). */
  private old = new Int32Array(1024);
  /** A word-aligned copy of a map that came unaligned. */
  private scratch = new Uint8Array(0);

  /** A log line or mark: objects first seen after it are said to be born during it. */
  notePhase(kind: 'log' | 'mark', text: string, line: number): void {
    this.pending = { kind, text, line };
  }

  private currentPhase(): number {
    const p = this.pending;
    if (p !== null) {
      this.pending = null;
      // A loop prints the same line again and again: the phase it had last time, without
      // making and hashing its key again.
      const lp = this.phases[this.phaseNow];
      if (lp.kind === p.kind && lp.text === p.text) return this.phaseNow;
      const key = `${p.kind}\u0000${p.text}`;
      let id = this.phaseIds.get(key);
      if (id === undefined) {
        // Keyed by text, so a loop's repeated line is one phase (with the first line it was on).
        id = this.phases.length;
        this.phases.push(p);
        this.phaseIds.set(key, id);
      }
      this.phaseNow = id;
    }
    return this.phaseNow;
  }

  /** Everything dies (a soft reboot): at the next frame, nothing is matched to what came before. */
  reset(): void {
    this.shape = null;
  }

  /**
   * The next dump. Frames without a map are skipped (nothing is learnt from them).
   *
   * Only what changed since the last frame is walked: where the kinds are byte for byte the
   * same, every object there is the same (same head, kind and length), so it lives on untouched.
   * A changed stretch is widened to whole objects of both frames; the old objects in it that the
   * new frame does not hold again die, the new ones are born. The cost follows the churn, not
   * the heap's size or how many objects live. `changed`, per area, says where to look (see
   * walkHinted); without it the whole map is compared with the last one.
   */
  addFrame(f: LifetimeFrame, changed: ReadonlyArray<ArrayLike<number>> | null = null): void {
    if (f.areas.length === 0) return;
    const first = !this.sameShape(f.areas);
    const pos = this.frames.length;
    if (first) {
      // Another heap (or a reboot): nothing can be matched across.
      for (const h of this.heads) for (let i = 0; i < h.length; i++) if (h[i] >= 0) this.diedAt[h[i]] = pos;
      this.heads = f.areas.map((a) => new Int32Array(a.kinds.length).fill(-1));
      this.prev = f.areas.map((a) => new Uint8Array((a.kinds.length + 3) & ~3));
      this.prevWords = this.prev.map((p) => new Int32Array(p.buffer, 0, p.length >>> 2));
      this.shape = f.areas.map((a) => ({ address: a.address, blocks: a.kinds.length }));
      this.runStart = pos;
    }
    this.frames.push(f.index);
    this.times.push(f.timeMs);
    for (let a = 0; a < f.areas.length; a++) {
      const k = f.areas[a].kinds;
      const n = k.length;
      if (first) {
        this.walk(a, k, 0, n, pos, true);
      } else if (changed !== null) {
        this.walkHinted(a, k, changed[a], n, pos);
        continue;
      } else {
        const p = this.prev[a];
        const pw = this.prevWords[a];
        // Words compare four blocks at once; a map not on a word boundary is copied to one first.
        let kw: Int32Array;
        if ((k.byteOffset & 3) === 0) kw = new Int32Array(k.buffer, k.byteOffset, n >>> 2);
        else {
          if (this.scratch.length < p.length) this.scratch = new Uint8Array(p.length);
          this.scratch.set(k);
          kw = new Int32Array(this.scratch.buffer, 0, n >>> 2);
        }
        const whole = n >>> 2;
        let i = 0;
        for (;;) {
          // The next byte that differs: word by word where aligned, else byte by byte.
          while (i < n && k[i] === p[i]) {
            if ((i & 3) === 0 && i + 4 <= n) {
              let w = i >>> 2;
              while (w < whole && kw[w] === pw[w]) w++;
              if (w > i >>> 2) {
                i = 4 * w;
                continue;
              }
            }
            i++;
          }
          if (i >= n) break;
          i = this.walkChanged(a, k, p, i, stretchEnd(k, p, i, n), n, pos);
        }
      }
      this.prev[a].set(k);
    }
  }

  /**
   * addFrame's walk when the caller knows where the map may have changed ([lo, hi) pairs in
   * order, every differing block inside one): the same stretches as a full comparison finds,
   * looked for only there, and only there copied as the last frame's.
   */
  private walkHinted(a: number, k: Uint8Array, ranges: ArrayLike<number>, n: number, pos: number): void {
    const p = this.prev[a];
    let i = 0;
    for (let r = 0; r < ranges.length; r += 2) {
      const end = Math.min(n, ranges[r + 1]);
      for (i = Math.max(i, ranges[r]); ; ) {
        while (i < end && k[i] === p[i]) i++;
        if (i >= end) break;
        i = this.walkChanged(a, k, p, i, stretchEnd(k, p, i, n), n, pos);
      }
    }
    for (let r = 0; r < ranges.length; r += 2) {
      for (let j = ranges[r], end = Math.min(n, ranges[r + 1]); j < end; j++) p[j] = k[j];
    }
  }

  /** Same areas at the same addresses and of the same sizes as the last frame. */
  private sameShape(areas: LifetimeFrame['areas']): boolean {
    const s = this.shape;
    if (s === null || s.length !== areas.length) return false;
    for (let a = 0; a < s.length; a++) if (s[a].address !== areas[a].address || s[a].blocks !== areas[a].kinds.length) return false;
    return true;
  }

  /** Widens [lo, hi) to whole objects of both frames, walks it; returns where it ended. */
  private walkChanged(a: number, k: Uint8Array, p: Uint8Array, lo: number, hi: number, n: number, pos: number): number {
    while (lo > 0 && (k[lo] === TAIL || p[lo] === TAIL)) lo--;
    while (hi < n && (k[hi] === TAIL || p[hi] === TAIL)) hi++;
    this.walk(a, k, lo, hi, pos, false);
    return hi;
  }

  /** Reads objects in [lo, hi) of area a: the old ones there live on if held again, else die. */
  private walk(a: number, k: Uint8Array, lo: number, hi: number, pos: number, first: boolean): void {
    const heads = this.heads[a];
    // The old objects in the stretch, taken out of heads (put back if seen again).
    let nOld = 0;
    if (!first) {
      if (this.old.length < hi - lo) this.old = new Int32Array(Math.max(hi - lo, this.old.length * 2));
      for (let i = lo; i < hi; i++) {
        const id = heads[i];
        if (id >= 0) {
          this.old[nOld++] = id;
          heads[i] = -1;
        }
      }
    }
    // At most one new object per block: room for them all now, so no column moves mid-walk.
    this.reserve(this.count + (hi - lo));
    const seenAt = this.seenAt;
    let o = 0;
    const old = this.old;
    let i = lo;
    while (i < hi) {
      const c = k[i];
      if (c === FREE) {
        i++;
        while (i < hi && k[i] === FREE) i++;
        continue;
      }
      if (c === TAIL) {
        // Tails with no head before them (a map that starts mid-object).
        i++;
        continue;
      }
      // The old object whose head was here, if any (old ids are in address order).
      while (o < nOld && this.start[old[o]] < i) o++;
      const prev = o < nOld && this.start[old[o]] === i ? old[o] : -1;
      if (c === UNKNOWN) {
        // Lost in the capture: whatever was here is neither seen nor known gone.
        if (prev >= 0) {
          seenAt[prev] = pos;
          heads[i] = prev;
        }
        i++;
        continue;
      }
      let e = i + 1;
      while (e < hi && k[e] === TAIL) e++;
      const len = e - i;
      if (prev >= 0 && this.code[prev] === c && this.length[prev] === len) {
        seenAt[prev] = pos;
        heads[i] = prev;
      } else {
        heads[i] = this.born(a, i, len, c, pos, first);
      }
      i = e;
    }
    for (let r = 0; r < nOld; r++) if (seenAt[old[r]] !== pos) this.diedAt[old[r]] = pos;
  }

  private reserve(n: number): void {
    if (n <= this.area.length) return;
    this.area = grow(this.area, n);
    this.start = grow(this.start, n);
    this.length = grow(this.length, n);
    this.code = grow(this.code, n);
    this.bornAt = grow(this.bornAt, n);
    this.diedAt = grow(this.diedAt, n);
    this.phaseOf = grow(this.phaseOf, n);
    this.bornBefore = grow(this.bornBefore, n);
    this.seenAt = grow(this.seenAt, n);
  }

  private born(area: number, start: number, len: number, code: number, pos: number, before: boolean): number {
    const id = this.count++;
    this.area[id] = area;
    this.start[id] = start;
    this.length[id] = len;
    this.code[id] = code;
    this.bornAt[id] = pos;
    this.diedAt[id] = -1;
    this.phaseOf[id] = this.currentPhase();
    this.bornBefore[id] = before ? 1 : 0;
    this.seenAt[id] = pos;
    return id;
  }

  /** Number of frames tracked (frames with a map). */
  get frameCount(): number {
    return this.frames.length;
  }

  /** The tracked position of a snapshot index: the last tracked frame at or before it (-1 if none). */
  positionOf(snapshot: number): number {
    let lo = 0;
    let hi = this.frames.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.frames[mid] <= snapshot) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  /** Whether object `id` was alive at tracked position `pos`. */
  aliveAt(id: number, pos: number): boolean {
    return this.bornAt[id] <= pos && (this.diedAt[id] < 0 || this.diedAt[id] > pos);
  }

  /** Object ids alive at tracked position `pos`, in row (birth) order. */
  idsAliveAt(pos: number): number[] {
    const out: number[] = [];
    if (pos < 0) return out;
    if (pos === this.frames.length - 1) {
      for (const h of this.heads) for (let i = 0; i < h.length; i++) if (h[i] >= 0) out.push(h[i]);
      return out.sort((x, y) => x - y);
    }
    // Rows are in birth order: nothing after the first row born later than pos.
    const end = this.firstBornAfter(pos);
    for (let id = 0; id < end; id++) {
      const d = this.diedAt[id];
      if (d < 0 || d > pos) out.push(id);
    }
    return out;
  }

  /** The first row born after position pos (rows are in birth order). */
  firstBornAfter(pos: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.bornAt[mid] <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  object(id: number): LifeObject {
    const b = this.bornAt[id];
    const d = this.diedAt[id];
    return {
      id,
      area: this.area[id],
      start: this.start[id],
      length: this.length[id],
      kind: String.fromCharCode(this.code[id]),
      bornFrame: this.frames[b],
      bornMs: this.times[b],
      bornBefore: this.bornBefore[id] === 1,
      phase: this.phaseOf[id],
      diedFrame: d < 0 ? -1 : this.frames[d],
      diedMs: d < 0 ? null : this.times[d],
    };
  }
}

/** Where the changed stretch from block i ends: at the next 16 equal blocks (shorter gaps are walked through). */
function stretchEnd(k: Uint8Array, p: Uint8Array, i: number, n: number): number {
  let hi = i + 1;
  let same = 0;
  while (hi < n && same < 16) {
    if (k[hi] === p[hi]) same++;
    else same = 0;
    hi++;
  }
  return hi - same;
}
