/**
 * Questions put to a LifetimeTracker: what is alive at a frame, what is new, gone or survived
 * between two frames, and which line or mark the living were born during. Frames are snapshot
 * indexes; a frame without a map reads as the last frame with one before it.
 */
import type { LifeObject, LifetimeTracker, Phase } from './tracker';

export interface ObjectRow {
  id: number;
  area: number;
  start: number;
  /** Blocks, head included. */
  blocks: number;
  kind: string;
  bornFrame: number;
  bornMs: number | null;
  /** There at the first frame seen: born then or before. */
  bornBefore: boolean;
  /** The log line or mark in force when it was first seen. */
  bornNear: string;
  diedFrame: number;
}

export function rowOf(t: LifetimeTracker, id: number): ObjectRow {
  const o: LifeObject = t.object(id);
  return {
    id,
    area: o.area,
    start: o.start,
    blocks: o.length,
    kind: o.kind,
    bornFrame: o.bornFrame,
    bornMs: o.bornMs,
    bornBefore: o.bornBefore,
    bornNear: phaseText(t.phases[o.phase]),
    diedFrame: o.diedFrame,
  };
}

export function phaseText(p: Phase): string {
  return p.text;
}

/** The objects alive at a frame. */
export function aliveAt(t: LifetimeTracker, frame: number): number[] {
  return t.idsAliveAt(t.positionOf(frame));
}

export interface KindTotal {
  kind: string;
  count: number;
  blocks: number;
}

export interface ObjectCompare {
  from: number;
  to: number;
  /** Alive at `to`, not at `from`. */
  added: number[];
  /** Alive at `from`, not at `to`. */
  gone: number[];
  /** Alive at both (the same object, as far as a dump can tell). */
  survived: number[];
  totals: { added: KindTotal[]; gone: KindTotal[]; survived: KindTotal[] };
}

/** Object-level comparison of two frames (from before to). */
export function compareObjects(t: LifetimeTracker, from: number, to: number): ObjectCompare {
  if (from > to) [from, to] = [to, from];
  const a = t.positionOf(from);
  const b = t.positionOf(to);
  const added: number[] = [];
  const gone: number[] = [];
  const survived: number[] = [];
  const end = t.firstBornAfter(b);
  for (let id = 0; id < end; id++) {
    const born = t.bornAt[id];
    const died = t.diedAt[id];
    const atA = a >= 0 && born <= a && (died < 0 || died > a);
    const atB = born <= b && (died < 0 || died > b);
    if (atA && atB) survived.push(id);
    else if (atA) gone.push(id);
    else if (atB) added.push(id);
  }
  return { from, to, added, gone, survived, totals: { added: kindTotals(t, added), gone: kindTotals(t, gone), survived: kindTotals(t, survived) } };
}

export function kindTotals(t: LifetimeTracker, ids: readonly number[]): KindTotal[] {
  const m = new Map<number, KindTotal>();
  for (const id of ids) {
    const c = t.code[id];
    let k = m.get(c);
    if (!k) m.set(c, (k = { kind: String.fromCharCode(c), count: 0, blocks: 0 }));
    k.count++;
    k.blocks += t.length[id];
  }
  return [...m.values()].sort((x, y) => y.blocks - x.blocks || x.kind.localeCompare(y.kind));
}

export interface PhaseBlame {
  /** The line or mark, numbers folded to `#` so a loop's lines make one group. */
  phase: string;
  kind: Phase['kind'];
  /** One line of the group as printed (the first one). */
  example: string;
  /** Capture line of that example. */
  line: number;
  count: number;
  blocks: number;
}

/** A loop's line with its numbers folded: `leak: 40 items` and `leak: 60 items` are one phase. */
export function phaseKey(text: string): string {
  return text.replace(/\d+/g, '#');
}

/**
 * The objects alive at a frame grouped by the line or mark during which they were born, most
 * blocks first: as close to an allocation stack as MicroPython allows.
 */
export function blameByPhase(t: LifetimeTracker, frame: number, ids: readonly number[] = aliveAt(t, frame)): PhaseBlame[] {
  const byPhase = new Map<number, { count: number; blocks: number }>();
  for (const id of ids) {
    const p = t.phaseOf[id];
    let g = byPhase.get(p);
    if (!g) byPhase.set(p, (g = { count: 0, blocks: 0 }));
    g.count++;
    g.blocks += t.length[id];
  }
  const groups = new Map<string, PhaseBlame>();
  for (const [p, g] of byPhase) {
    const ph = t.phases[p];
    const key = `${ph.kind}\u0000${phaseKey(ph.text)}`;
    const b = groups.get(key);
    if (!b) groups.set(key, { phase: phaseKey(ph.text), kind: ph.kind, example: ph.text, line: ph.line, count: g.count, blocks: g.blocks });
    else {
      b.count += g.count;
      b.blocks += g.blocks;
      if (ph.line < b.line) {
        b.line = ph.line;
        b.example = ph.text;
      }
    }
  }
  return [...groups.values()].sort((x, y) => y.blocks - x.blocks || x.line - y.line);
}

/**
 * Per block of each area at a frame: how many tracked frames the object holding it had been
 * seen for, counting the frame itself (1 = new here); 0 for free, lost or orphan blocks. The
 * map's "age" colouring reads this.
 */
export function agesAt(t: LifetimeTracker, frame: number, areaBlocks: readonly number[]): Uint32Array[] {
  const out = areaBlocks.map((n) => new Uint32Array(n));
  const pos = t.positionOf(frame);
  for (const id of t.idsAliveAt(pos)) {
    const a = out[t.area[id]];
    if (!a) continue;
    const s = t.start[id];
    const e = Math.min(a.length, s + t.length[id]);
    a.fill(pos - t.bornAt[id] + 1, s, e);
  }
  return out;
}
