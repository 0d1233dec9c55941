/**
 * The slow, obvious reading of object lifetimes the tracker must agree with: every frame's
 * objects as a map from "area:start" to what is there, matched by kind and length with the
 * frame before.
 */
import { FREE, TAIL, UNKNOWN } from '../../src/shared/heap/blockKinds';
import type { LifetimeFrame } from '../../src/shared/lifetimes';

export interface RefObject {
  area: number;
  start: number;
  length: number;
  kind: string;
  bornFrame: number;
  bornBefore: boolean;
  phase: string;
}

export type RefStep = { frame: LifetimeFrame } | { phase: string } | { reset: true };

/** Per frame (in order, frames with a map only): the objects alive there, keyed by area:start. */
export function referenceLives(steps: RefStep[]): Array<{ index: number; alive: Map<string, RefObject> }> {
  const out: Array<{ index: number; alive: Map<string, RefObject> }> = [];
  let prev = new Map<string, RefObject>();
  let prevShape: string | null = null;
  let phase = '(before the first line)';
  let pending: string | null = null;
  for (const s of steps) {
    if ('phase' in s) {
      pending = s.phase;
      continue;
    }
    if ('reset' in s) {
      prevShape = null;
      continue;
    }
    const f = s.frame;
    if (f.areas.length === 0) continue;
    const shape = f.areas.map((a) => `${a.address}:${a.kinds.length}`).join(',');
    const first = shape !== prevShape;
    if (first) prev = new Map();
    prevShape = shape;
    const alive = new Map<string, RefObject>();
    f.areas.forEach((area, ai) => {
      const k = Array.from(area.kinds);
      for (let i = 0; i < k.length; i++) {
        const key = `${ai}:${i}`;
        if (k[i] === UNKNOWN) {
          const p = prev.get(key);
          if (p) alive.set(key, p);
          continue;
        }
        if (k[i] === FREE || k[i] === TAIL) continue;
        let len = 1;
        while (i + len < k.length && k[i + len] === TAIL) len++;
        const kind = String.fromCharCode(k[i]);
        const p = prev.get(key);
        if (p && p.kind === kind && p.length === len) alive.set(key, p);
        else {
          if (pending !== null) {
            phase = pending;
            pending = null;
          }
          alive.set(key, { area: ai, start: i, length: len, kind, bornFrame: f.index, bornBefore: first, phase });
        }
      }
    });
    out.push({ index: f.index, alive });
    prev = alive;
  }
  return out;
}
