/**
 * Min/max decimation for the timeline: thousands of snapshots become at most two points per
 * bucket, and every series keeps its minimum and maximum of every bucket in the order they
 * happened, so a peak (a spike in used bytes, a dip in the largest free run) is never
 * averaged away however far out the chart is zoomed.
 */

export interface Decimated {
  /** x of each kept point (the x of the sample that gave it). */
  x: number[];
  /** Per series, the kept values. */
  series: number[][];
  /** Index into the source of each kept point (for snapping the playhead to real frames). */
  source: number[];
}

/**
 * Keeps, for each of `buckets` equal-count buckets, two rows: at each row every series holds
 * either its bucket minimum or its bucket maximum (whichever comes first goes to the first
 * row). Rows are placed at the x of the bucket's first and last samples. Non-finite values
 * (NaN for "unknown") are skipped; a series with no finite value in a bucket stays NaN.
 * Inputs of at most 2 × buckets points come back unchanged.
 */
export function decimateMinMax(x: ArrayLike<number>, series: ArrayLike<number>[], buckets: number): Decimated {
  const n = x.length;
  if (buckets < 1 || n <= 2 * buckets) {
    const idx = Array.from({ length: n }, (_, i) => i);
    return { x: Array.from(x), series: series.map((s) => Array.from(s)), source: idx };
  }
  const outX: number[] = [];
  const outS: number[][] = series.map(() => []);
  const source: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * n) / buckets);
    const hi = Math.floor(((b + 1) * n) / buckets); // exclusive
    if (hi <= lo) continue;
    const first: number[] = [];
    const second: number[] = [];
    for (const s of series) {
      let min = Infinity;
      let max = -Infinity;
      let iMin = -1;
      let iMax = -1;
      for (let i = lo; i < hi; i++) {
        const v = s[i];
        if (!Number.isFinite(v)) continue;
        if (v < min) {
          min = v;
          iMin = i;
        }
        if (v > max) {
          max = v;
          iMax = i;
        }
      }
      if (iMin < 0) {
        first.push(NaN);
        second.push(NaN);
      } else if (iMin <= iMax) {
        first.push(min);
        second.push(max);
      } else {
        first.push(max);
        second.push(min);
      }
    }
    outX.push(x[lo], x[hi - 1]);
    source.push(lo, hi - 1);
    series.forEach((_, k) => {
      outS[k].push(first[k], second[k]);
    });
  }
  return { x: outX, series: outS, source };
}

/** Index of the sample whose x is nearest to `v` in a sorted array (binary search). */
export function nearestIndex(xs: ArrayLike<number>, v: number): number {
  const n = xs.length;
  if (n === 0) return -1;
  let lo = 0;
  let hi = n - 1;
  if (v <= xs[0]) return 0;
  if (v >= xs[hi]) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= v) lo = mid;
    else hi = mid;
  }
  return v - xs[lo] <= xs[hi] - v ? lo : hi;
}

/** Last index whose value is ≤ v in a sorted array, or -1. */
export function floorIndex(xs: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= v) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}
