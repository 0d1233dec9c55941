/**
 * Where the program printed, for the timeline: lines printed between frames, gathered into
 * pixel buckets. A frame's `logLine` is how many lines came before its dump, so the lines
 * printed before frame i (and after frame i−1) land in frame i's bucket.
 */
export function logTicks(t: ArrayLike<number>, logLine: ArrayLike<number>, t0: number, t1: number, buckets: number): Uint32Array {
  const out = new Uint32Array(Math.max(1, buckets));
  const span = t1 - t0;
  const B = out.length;
  const n = t.length;
  if (n > 4 * B && steady(t, logLine)) {
    // Both columns only go up: a bucket's lines are the count at its last frame minus the count
    // at the last frame before it, found by binary search (a day of frames: buckets × log n, not n).
    const bucketOf = (i: number) => Math.min(B - 1, Math.max(0, span > 0 ? Math.floor(((t[i] - t0) / span) * B) : 0));
    let before = 0;
    let from = 0;
    for (let b = 0; b < B && from < n; b++) {
      let lo = from;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (bucketOf(mid) <= b) lo = mid + 1;
        else hi = mid;
      }
      if (lo > from) {
        const at = logLine[lo - 1];
        out[b] = at - before;
        before = at;
        from = lo;
      }
    }
    return out;
  }
  let prev = 0;
  for (let i = 0; i < t.length; i++) {
    const l = logLine[i];
    if (!Number.isFinite(l)) continue;
    const lines = l - prev;
    prev = l;
    if (lines <= 0) continue;
    const b = span > 0 ? Math.floor(((t[i] - t0) / span) * out.length) : 0;
    out[Math.min(out.length - 1, Math.max(0, b))] += lines;
  }
  return out;
}

const steadyCache = new WeakMap<object, { t: unknown; ok: boolean }>();

/** Times and line counts all finite and never going down (cached per array: checked once). */
function steady(t: ArrayLike<number>, logLine: ArrayLike<number>): boolean {
  const hit = typeof logLine === 'object' ? steadyCache.get(logLine) : undefined;
  if (hit && hit.t === t) return hit.ok;
  let ok = true;
  for (let i = 0; i < t.length && ok; i++) {
    const a = t[i];
    const l = logLine[i];
    if (!Number.isFinite(a) || !Number.isFinite(l) || (i > 0 && (a < t[i - 1] || l < logLine[i - 1]))) ok = false;
  }
  steadyCache.set(logLine, { t, ok });
  return ok;
}
