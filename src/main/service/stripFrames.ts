/**
 * Which frame each film-strip column shows when the session has more frames than columns.
 * Evenly spaced frames (chooseColumns) cost a session file a decode from their segment's start
 * each: a day-long soak's 420 columns took 70 s. A frame that opens a segment costs a fraction
 * of that, so a column shows the cheap frame nearest its evenly spaced one when one lies within
 * half a column's spacing of it (the column then still stands for its stretch of time; the
 * strip's `frames` say which frame each shows, so positions stay true). The first and last
 * frames are always shown, as before.
 */
import { chooseColumns } from '../../shared/view/filmStrip';

/** `cheap` ascending. Returns ascending, distinct frames. */
export function chooseStripFrames(frameCount: number, maxColumns: number, cheap: readonly number[]): number[] {
  const even = chooseColumns(frameCount, maxColumns);
  const c = even.length;
  if (c <= 2 || c >= frameCount || cheap.length === 0) return even;
  const half = (frameCount - 1) / (c - 1) / 2;
  const out: number[] = [even[0]];
  for (let k = 1; k < c - 1; k++) {
    const t = even[k];
    const h = nearest(cheap, t);
    const f = h !== null && Math.abs(h - t) <= half ? h : t;
    if (f > out[out.length - 1] && f < even[c - 1]) out.push(f);
  }
  out.push(even[c - 1]);
  return out;
}

/** The element of ascending `xs` nearest `t` (the lower on a tie), or null when empty. */
function nearest(xs: readonly number[], t: number): number | null {
  if (xs.length === 0) return null;
  let lo = 0;
  let hi = xs.length - 1;
  // The last element ≤ t (or the first).
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (xs[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  const a = xs[lo];
  const b = lo + 1 < xs.length ? xs[lo + 1] : null;
  if (a > t) return a;
  return b !== null && b - t < t - a ? b : a;
}

/**
 * A column whose stretch of frames (halfway to its neighbours) holds a spike shows it instead of
 * its own frame, so a strip of the whole day keeps its spikes wherever columns fall. A spike:
 * the stretch's fullest frame, above both the frames just outside the stretch and the column's
 * own frame by more than `share` of its heap (a large buffer held for a dump or a few); a heap
 * that only grows or shrinks across the stretch has no spike (its fullest frame is at an end,
 * next to one as full). The first and last columns stay. `frames` ascending; the result too.
 */
export function keepSpikes(frames: readonly number[], used: ArrayLike<number>, free: ArrayLike<number>, share = 0.1): number[] {
  const out = frames.slice();
  const n = Math.min(used.length, free.length);
  const u = (i: number) => (used[i] === used[i] ? used[i] : 0);
  for (let k = 1; k < frames.length - 1; k++) {
    const f = frames[k];
    const lo = Math.floor((frames[k - 1] + f) / 2) + 1;
    const hi = Math.min(n - 1, Math.floor((f + frames[k + 1]) / 2));
    let m = f;
    let best = u(f);
    for (let i = lo; i <= hi; i++) {
      if (used[i] > best) {
        best = used[i];
        m = i;
      }
    }
    if (m === f) continue;
    const around = Math.max(u(f), u(Math.max(0, lo - 1)), u(Math.min(n - 1, hi + 1)));
    const heap = best + (free[m] === free[m] ? free[m] : 0);
    if (best - around > share * heap) out[k] = m;
  }
  return out;
}
