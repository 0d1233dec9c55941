/**
 * Where the program printed, for the timeline: lines printed between frames, gathered into
 * pixel buckets. A frame's `logLine` is how many lines came before its dump, so the lines
 * printed before frame i (and after frame i−1) land in frame i's bucket.
 */
export function logTicks(t: ArrayLike<number>, logLine: ArrayLike<number>, t0: number, t1: number, buckets: number): Uint32Array {
  const out = new Uint32Array(Math.max(1, buckets));
  const span = t1 - t0;
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
