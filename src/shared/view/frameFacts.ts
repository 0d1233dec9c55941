/**
 * What the timeline's first draw needs to know about all of a session's frames, found in one
 * pass over them instead of three (times ordered, for columnStats' binary search; times and log
 * counts never going down, for logTicks'; the heap's largest size, the byte axis' end). Cached by
 * the times array, with the arrays it read: a later ask with other arrays scans again.
 */

export interface FrameFacts {
  /** Every time finite and none before the one ahead of it. */
  ordered: boolean;
  /** `ordered`, and every log count finite and never going down. */
  steady: boolean;
  /** The largest used + free (an unknown one counts 0). */
  heapTop: number;
}

interface Cached extends FrameFacts {
  used: unknown;
  free: unknown;
  logLine: unknown;
}

const cache = new WeakMap<object, Cached>();

export function frameFacts(t: ArrayLike<number>, used: ArrayLike<number>, free: ArrayLike<number>, logLine?: ArrayLike<number>): FrameFacts {
  const hit = typeof t === 'object' ? cache.get(t) : undefined;
  if (hit && hit.used === used && hit.free === free && hit.logLine === logLine) return hit;
  const n = t.length;
  let ordered = true;
  let steady = !!logLine;
  let top = 0;
  let prevT = -Infinity;
  let prevL = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = t[i];
    if (!(x >= prevT) || x === Infinity) ordered = false;
    prevT = x;
    if (steady) {
      // logTicks' check: times and counts all finite as well as never going down.
      const l = logLine![i];
      if (!(l >= prevL) || l === Infinity || l === -Infinity || x === -Infinity) steady = false;
      prevL = l;
    }
    const a = used[i];
    const b = free[i];
    const total = (a === a ? a : 0) + (b === b ? b : 0);
    if (total > top) top = total;
  }
  const facts: Cached = { ordered, steady: steady && ordered, heapTop: top, used, free, logLine };
  if (typeof t === 'object') cache.set(t, facts);
  return facts;
}

/** The facts found for `t` already (by frameFacts), or undefined: a check that costs no pass. */
export function knownFacts(t: ArrayLike<number>): (FrameFacts & { used: unknown; free: unknown; logLine: unknown }) | undefined {
  return typeof t === 'object' ? cache.get(t) : undefined;
}
