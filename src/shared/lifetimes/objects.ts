/**
 * Objects as the window wants them: packed in columns (one array per field, plain numbers so
 * they cross IPC and the WebSocket as they are), the objects alive at a frame for the map's
 * "age" colouring and its hover, and New / Gone / Survived for the object-level Compare.
 */
import { compareObjects, kindTotals, type KindTotal } from './queries';
import type { LifetimeTracker } from './tracker';

export interface ObjectColumns {
  area: number[];
  /** Head block within its area. */
  start: number[];
  /** Blocks, head included. */
  blocks: number[];
  /** One head letter per object. */
  kind: string;
  /** Snapshot index first seen at. */
  bornFrame: number[];
  bornMs: Array<number | null>;
  /** 1: there at the first frame of its heap's run (born then or before). */
  bornBefore: number[];
  /** Index into the answer's `phases`: the line or mark in force when first seen. */
  phase: number[];
  /** Snapshot index first missing at; -1 while alive at the frame asked. */
  diedFrame: number[];
  /** Tracked frames seen in up to the frame asked (1 = new there): a lower bound of its age. */
  ageFrames: number[];
}

export interface ObjectsAnswer {
  /** The snapshot index asked. */
  frame: number;
  /** The frame with a map read for it (the last at or before it); null when there is none. */
  tracked: number | null;
  trackedMs: number | null;
  phases: Array<{ kind: 'log' | 'mark' | 'start'; text: string; line: number }>;
  /** Alive at `frame` (no `from` asked). */
  alive: ObjectColumns | null;
  /** Object-level comparison from `from` to `frame`. */
  compare: {
    from: number;
    to: number;
    added: ObjectColumns;
    gone: ObjectColumns;
    survived: ObjectColumns;
    totals: { added: KindTotal[]; gone: KindTotal[]; survived: KindTotal[] };
  } | null;
}

/** The objects `ids`, in columns; ages are counted up to tracked position `pos`. */
export function columnsOf(t: LifetimeTracker, ids: readonly number[], pos: number, phaseIndex: (p: number) => number): ObjectColumns {
  const c: ObjectColumns = { area: [], start: [], blocks: [], kind: '', bornFrame: [], bornMs: [], bornBefore: [], phase: [], diedFrame: [], ageFrames: [] };
  const kinds: string[] = [];
  for (const id of ids) {
    const b = t.bornAt[id];
    const d = t.diedAt[id];
    c.area.push(t.area[id]);
    c.start.push(t.start[id]);
    c.blocks.push(t.length[id]);
    kinds.push(String.fromCharCode(t.code[id]));
    c.bornFrame.push(t.frames[b]);
    c.bornMs.push(t.times[b]);
    c.bornBefore.push(t.bornBefore[id]);
    c.phase.push(phaseIndex(t.phaseOf[id]));
    c.diedFrame.push(d < 0 || d > pos ? -1 : t.frames[d]);
    // A gone object's age is counted to its last sighting.
    const last = d < 0 || d > pos ? pos : d - 1;
    c.ageFrames.push(Math.max(1, last - b + 1));
  }
  c.kind = kinds.join('');
  return c;
}

/**
 * The objects alive at `frame`, or (with `from`) New, Gone and Survived from `from` to
 * `frame`. Only the phases the objects refer to are sent, renumbered.
 */
export function objectsAnswer(t: LifetimeTracker, frame: number, from?: number): ObjectsAnswer {
  const pos = t.positionOf(frame);
  const phases: ObjectsAnswer['phases'] = [];
  const renum = new Map<number, number>();
  const phaseIndex = (p: number) => {
    let k = renum.get(p);
    if (k === undefined) {
      k = phases.length;
      renum.set(p, k);
      const ph = t.phases[p];
      phases.push({ kind: ph.kind, text: ph.text, line: ph.line });
    }
    return k;
  };
  const base = { frame, tracked: pos >= 0 ? t.frames[pos] : null, trackedMs: pos >= 0 ? t.times[pos] : null, phases };
  if (from === undefined) return { ...base, alive: columnsOf(t, t.idsAliveAt(pos), pos, phaseIndex), compare: null };
  const cmp = compareObjects(t, from, frame);
  const posTo = t.positionOf(cmp.to);
  return {
    ...base,
    alive: null,
    compare: {
      from: cmp.from,
      to: cmp.to,
      added: columnsOf(t, cmp.added, posTo, phaseIndex),
      gone: columnsOf(t, cmp.gone, posTo, phaseIndex),
      survived: columnsOf(t, cmp.survived, posTo, phaseIndex),
      totals: { added: kindTotals(t, cmp.added), gone: kindTotals(t, cmp.gone), survived: kindTotals(t, cmp.survived) },
    },
  };
}

export type SortKey = 'address' | 'kind' | 'size' | 'born';

/**
 * Row order of a list sorted by one column (`dir` 1 ascending, -1 descending): a permutation
 * of its indexes. Ties go by address, so an order never depends on how the list came.
 */
export function sortedRows(list: ObjectColumns, key: SortKey, dir: 1 | -1): Uint32Array {
  const n = list.area.length;
  const order = new Uint32Array(n);
  for (let j = 0; j < n; j++) order[j] = j;
  const addr = (j: number) => list.area[j] * 2 ** 32 + list.start[j];
  const by: (a: number, b: number) => number =
    key === 'address'
      ? (a, b) => addr(a) - addr(b)
      : key === 'kind'
        ? (a, b) => list.kind.charCodeAt(a) - list.kind.charCodeAt(b)
        : key === 'size'
          ? (a, b) => list.blocks[a] - list.blocks[b]
          : (a, b) => list.bornFrame[a] - list.bornFrame[b];
  order.sort((a, b) => dir * by(a, b) || addr(a) - addr(b));
  return order;
}
