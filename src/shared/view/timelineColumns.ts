/**
 * Per-pixel-column reduction for the timeline: a day of dumps (250,000 frames) becomes, for
 * each column of the plot, the first, last, minimum and maximum of every series over the
 * frames whose time falls in that column. A line drawn through first → min → max → last of
 * each column shows every spike a frame-by-frame line would (a one-frame jump in used bytes
 * still reaches its height), at a cost that depends on the width, not on the frame count.
 */

export interface ColumnStats {
  /** Frames in each column (0: nothing there). */
  count: Uint32Array;
  /** Per series: values by column; NaN where the column holds no finite value of it. */
  first: Float64Array[];
  last: Float64Array[];
  min: Float64Array[];
  max: Float64Array[];
}

/** Frames per block of SeriesBlocks. */
export const BLOCK = 16;

/**
 * Minimum and maximum of every run of BLOCK frames of a series (+Infinity / −Infinity where
 * a block has no finite value): made once per series, they let a column of many frames be
 * reduced from its blocks instead of its frames, so redrawing at another width costs a few
 * operations per column, not one per frame.
 */
export interface SeriesBlocks {
  min: Float64Array;
  max: Float64Array;
}

export function seriesBlocks(v: ArrayLike<number>): SeriesBlocks {
  const n = v.length;
  const nb = Math.ceil(n / BLOCK);
  const min = new Float64Array(nb);
  const max = new Float64Array(nb);
  for (let b = 0; b < nb; b++) {
    let mn = Infinity;
    let mx = -Infinity;
    const end = Math.min(n, (b + 1) * BLOCK);
    for (let i = b * BLOCK; i < end; i++) {
      const x = v[i];
      if (x === Infinity || x === -Infinity) continue;
      if (x < mn) mn = x; // NaN compares false: skipped
      if (x > mx) mx = x;
    }
    min[b] = mn;
    max[b] = mx;
  }
  return { min, max };
}

const orderedCache = new WeakMap<object, boolean>();

/** Every time finite and none before the one ahead of it (checked once per array). */
function ordered(t: ArrayLike<number>): boolean {
  if (typeof t !== 'object') return false;
  let ok = orderedCache.get(t);
  if (ok === undefined) {
    ok = true;
    let prev = -Infinity;
    for (let i = 0; i < t.length; i++) {
      const x = t[i];
      if (!(x >= prev) || x === Infinity) {
        ok = false;
        break;
      }
      prev = x;
    }
    orderedCache.set(t, ok);
  }
  return ok;
}

/**
 * Reduces `series` (one value per frame, NaN for unknown) over `columns` equal spans of time
 * between t0 and t1. `t` must be non-decreasing; frames outside [t0, t1] go to the edge columns.
 * `blocks` (seriesBlocks of each series, optional) make columns of many frames cheaper.
 */
export function columnStats(t: ArrayLike<number>, series: ArrayLike<number>[], t0: number, t1: number, columns: number, blocks?: SeriesBlocks[]): ColumnStats {
  const C = Math.max(1, Math.floor(columns));
  const n = t.length;
  const count = new Uint32Array(C);
  const mk = () => series.map(() => new Float64Array(C).fill(NaN));
  const out: ColumnStats = { count, first: mk(), last: mk(), min: mk(), max: mk() };
  if (n === 0) return out;
  const span = t1 > t0 ? t1 - t0 : 1;
  const scale = C / span;
  // Column boundaries: [start[c], start[c + 1]) are column c's frames.
  const start = new Uint32Array(C + 1);
  if (n > 4 * C && ordered(t)) {
    // Times all finite and never going back: each boundary by binary search (columns × log n,
    // not one step per frame), the same frames in each column as the walk below gives.
    for (let c = 1; c < C; c++) {
      let lo = start[c - 1];
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (Math.floor((t[mid] - t0) * scale) >= c) hi = mid;
        else lo = mid + 1;
      }
      start[c] = lo;
      count[c - 1] = lo - start[c - 1];
    }
    start[C] = n;
    count[C - 1] = n - start[C - 1];
  } else {
    // One walk over the times.
    let c = 0;
    for (let i = 0; i < n; i++) {
      let col = Math.floor((t[i] - t0) * scale);
      if (!(col >= 0)) col = 0; // NaN time too: the first column
      else if (col >= C) col = C - 1;
      // Non-decreasing times give non-decreasing columns; a clock that stepped back stays put.
      if (col < c) col = c;
      while (c < col) start[++c] = i;
      count[col]++;
    }
    while (c < C) start[++c] = n;
  }
  for (let s = 0; s < series.length; s++) {
    const v = series[s];
    const first = out.first[s];
    const last = out.last[s];
    const min = out.min[s];
    const max = out.max[s];
    const bl = blocks?.[s];
    for (let col = 0; col < C; col++) {
      const hi = start[col + 1];
      let lo = start[col];
      if (bl && hi - lo >= 3 * BLOCK) {
        columnFromBlocks(v, bl, lo, hi, col, first, last, min, max);
        continue;
      }
      let f = NaN;
      let l = NaN;
      let mn = Infinity;
      let mx = -Infinity;
      for (; lo < hi; lo++) {
        const x = v[lo];
        if (x !== x || x === Infinity || x === -Infinity) continue;
        if (f !== f) f = x;
        l = x;
        if (x < mn) mn = x;
        if (x > mx) mx = x;
      }
      if (f === f) {
        first[col] = f;
        last[col] = l;
        min[col] = mn;
        max[col] = mx;
      }
    }
  }
  return out;
}

/** One column's first, last, min and max over frames [lo, hi), the whole blocks inside it from `bl`. */
function columnFromBlocks(v: ArrayLike<number>, bl: SeriesBlocks, lo: number, hi: number, col: number, first: Float64Array, last: Float64Array, min: Float64Array, max: Float64Array): void {
  let f = NaN;
  for (let i = lo; i < hi; i++) {
    const x = v[i];
    if (x === x && x !== Infinity && x !== -Infinity) {
      f = x;
      break;
    }
  }
  if (f !== f) return; // nothing known in this column
  let l = f;
  for (let i = hi - 1; i >= lo; i--) {
    const x = v[i];
    if (x === x && x !== Infinity && x !== -Infinity) {
      l = x;
      break;
    }
  }
  let mn = Infinity;
  let mx = -Infinity;
  const b0 = Math.ceil(lo / BLOCK);
  const b1 = Math.floor(hi / BLOCK);
  for (let i = lo; i < b0 * BLOCK; i++) {
    const x = v[i];
    if (x === Infinity || x === -Infinity) continue;
    if (x < mn) mn = x;
    if (x > mx) mx = x;
  }
  const bmin = bl.min;
  const bmax = bl.max;
  for (let b = b0; b < b1; b++) {
    if (bmin[b] < mn) mn = bmin[b];
    if (bmax[b] > mx) mx = bmax[b];
  }
  for (let i = b1 * BLOCK; i < hi; i++) {
    const x = v[i];
    if (x === Infinity || x === -Infinity) continue;
    if (x < mn) mn = x;
    if (x > mx) mx = x;
  }
  first[col] = f;
  last[col] = l;
  min[col] = mn;
  max[col] = mx;
}

/**
 * Running sums of `layers` frame by frame (NaN counts as 0): layer k's top is the sum of
 * layers 0..k, the stacked areas' outlines.
 */
export function stackLayers(layers: ArrayLike<number>[], n: number): Float64Array[] {
  const out: Float64Array[] = [];
  let below: Float64Array | null = null;
  for (const layer of layers) {
    const top = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = layer[i];
      top[i] = (below ? below[i] : 0) + (Number.isFinite(x) ? x : 0);
    }
    out.push(top);
    below = top;
  }
  return out;
}

/** Tick values for an axis of `span` units over `px` pixels, at least `gap` pixels apart, from `steps` (ascending). */
export function ticksFrom(lo: number, hi: number, px: number, gap: number, steps: readonly number[]): number[] {
  const span = hi - lo;
  if (!(span > 0) || !(px > 0)) return [lo];
  const want = (span * gap) / px;
  let step = steps[steps.length - 1];
  for (const s of steps) {
    if (s >= want) {
      step = s;
      break;
    }
  }
  // Past the list: multiples of its largest step.
  if (step < want) step = Math.ceil(want / step) * step;
  const out: number[] = [];
  // Multiples of the step, each computed afresh (no drift from adding 0.1 a hundred times); + 0 turns -0 into 0.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k++) out.push(k * step + 0);
  return out;
}

/** 1, 2, 5 × 10^k from 10^-3 up to 10^12: steps for counts and frame numbers. */
export const DECIMAL_STEPS: readonly number[] = (() => {
  const s: number[] = [];
  for (let e = -3; e <= 12; e++) for (const m of [1, 2, 5]) s.push(m * 10 ** e);
  return s;
})();

/** Steps for a time axis in seconds: what a clock reads well (0.1 s … 1 day, then days). */
export const TIME_STEPS: readonly number[] = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
