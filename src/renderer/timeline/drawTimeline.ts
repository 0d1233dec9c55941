/**
 * The timeline's chart on a canvas: grid, axes, the stacked object counts per kind, and the
 * used / free / longest-free-run lines, from per-pixel-column first/min/max/last (see
 * shared/view/timelineColumns). Its cost follows the width, not the frame count: a day of
 * dumps draws as fast as a minute of them, and a one-frame spike still reaches its height.
 * It looks like the recharts chart it replaced (same margins, colours, strokes, tick style),
 * which still draws the few dumps of a stats-only session (bars and dots).
 */
import { columnStats, seriesBlocks, stackLayers, ticksFrom, DECIMAL_STEPS, TIME_STEPS, type SeriesBlocks } from '../../shared/view/timelineColumns';
import { bytes, duration } from '../../shared/view/format';
import type { ThemeColours } from '../map/colors';
import type { TimelineData } from './Timeline';

export const M = { top: 22, right: 8, bottom: 4, left: 0 };
export const LEFT_AXIS = 64;
export const RIGHT_AXIS = 44;
export const X_AXIS = 20;
const TICK = 6;

export interface DrawInfo {
  /** Columns the frames were reduced to. */
  columns: number;
  /** The byte axis' top (the heap's largest size). */
  yMax: number;
}

/** The kinds' stacked tops, cached by data: a resize redraws without summing the frames again. */
const stacks = new WeakMap<TimelineData, Float64Array[]>();

function stacked(data: TimelineData): Float64Array[] {
  let s = stacks.get(data);
  if (!s) {
    s = stackLayers(
      data.kinds.map((k) => k.values),
      data.t.length,
    );
    stacks.set(data, s);
  }
  return s;
}

/** Above this many frames, each series' block minima and maxima are kept (made once per data): a resize then reduces blocks, not frames. */
const BLOCKS_FROM = 10_000;
const blockCache = new WeakMap<TimelineData, SeriesBlocks[]>();
const drawnOnce = new WeakSet<TimelineData>();
function blocksOf(data: TimelineData, series: ArrayLike<number>[]): SeriesBlocks[] | undefined {
  if (data.t.length < BLOCKS_FROM) return undefined;
  let b = blockCache.get(data);
  if (!b) {
    // The first draw of new data (an open, a live update) reduces the frames directly: the
    // blocks would cost as much again; they pay from the second draw on (resizes).
    if (!drawnOnce.has(data)) {
      drawnOnce.add(data);
      return undefined;
    }
    b = series.map(seriesBlocks);
    blockCache.set(data, b);
  }
  return b;
}

const tops = new WeakMap<TimelineData, number>();
/** The largest used + free over the frames: the heap's size, the byte axis' end. */
function heapTop(data: TimelineData): number {
  let m = tops.get(data);
  if (m === undefined) {
    m = 0;
    const u = data.used;
    const f = data.free;
    for (let i = 0; i < u.length; i++) {
      const a = u[i];
      const b = f[i];
      const total = (a === a ? a : 0) + (b === b ? b : 0);
      if (total > m) m = total;
    }
    tops.set(data, m);
  }
  return m;
}

/**
 * Draws the chart for `data` over [t0, t1] on `ctx`, whose canvas is w × h CSS pixels at
 * `dpr` device pixels each.
 */
export function drawTimeline(ctx: CanvasRenderingContext2D, data: TimelineData, o: { w: number; h: number; dpr: number; t0: number; t1: number; colours: ThemeColours; font: string }): DrawInfo {
  const { w, h, dpr, t0, t1, colours } = o;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const plotL = M.left + LEFT_AXIS;
  const plotR = w - M.right - RIGHT_AXIS;
  const plotT = M.top;
  const plotB = h - M.bottom - X_AXIS;
  const plotW = Math.max(1, plotR - plotL);
  const plotH = Math.max(1, plotB - plotT);
  const n = data.t.length;

  // One column per device pixel of the plot.
  const C = Math.max(1, Math.round(plotW * dpr));
  const kindTops = stacked(data);
  const series: ArrayLike<number>[] = [data.used, data.free, data.largest, ...kindTops];
  const cs = columnStats(data.t, series, t0, t1, C, blocksOf(data, series));
  const xOfCol = (c: number) => plotL + ((c + 0.5) * plotW) / C;

  const yMax = heapTop(data);
  const yTop = yMax > 0 ? yMax : 1;
  const yB = (v: number) => plotB - (v / yTop) * plotH;
  let kMax = 0;
  if (kindTops.length) {
    const top = cs.max[series.length - 1];
    for (let c = 0; c < C; c++) if (top[c] > kMax) kMax = top[c];
  }
  const kTicks = kindTops.length ? countTicks(kMax, plotH) : [];
  const kTop = kTicks.length ? kTicks[kTicks.length - 1] : 1;
  const yK = (v: number) => plotB - (v / kTop) * plotH;

  ctx.font = o.font;
  ctx.lineWidth = 1;
  // ── grid (the byte axis' four even steps) ──
  const yTicks = yMax > 0 ? [0, yMax / 4, yMax / 2, (3 * yMax) / 4, yMax] : [0];
  ctx.strokeStyle = colours.grid;
  ctx.beginPath();
  for (const v of yTicks) {
    const y = crisp(yB(v), dpr);
    ctx.moveTo(plotL, y);
    ctx.lineTo(plotR, y);
  }
  ctx.stroke();

  ctx.save();
  ctx.beginPath();
  ctx.rect(plotL, plotT - 2, plotW, plotH + 4);
  ctx.clip();
  // ── objects by kind, stacked, behind the lines ──
  for (let k = 0; k < kindTops.length; k++) {
    const top = cs.max[3 + k];
    const below = k > 0 ? cs.max[3 + k - 1] : null;
    ctx.beginPath();
    let started = false;
    for (let c = 0; c < C; c++) {
      if (!cs.count[c] || top[c] !== top[c]) continue;
      const x = xOfCol(c);
      if (!started) {
        ctx.moveTo(x, yK(top[c]));
        started = true;
      } else ctx.lineTo(x, yK(top[c]));
    }
    if (!started) continue;
    for (let c = C - 1; c >= 0; c--) {
      if (!cs.count[c] || top[c] !== top[c]) continue;
      ctx.lineTo(xOfCol(c), yK(below && below[c] === below[c] ? below[c] : 0));
    }
    ctx.closePath();
    ctx.globalAlpha = 0.22;
    ctx.fillStyle = colours.kind(data.kinds[k].letter);
    ctx.fill();
  }
  ctx.globalAlpha = 1;

  // ── used, free, longest free run ──
  const single = n === 1;
  // Used on top: where a spike of used is a dip of free in the same pixel column (used + free
  // is the heap's size), the used spike is what shows.
  const lines: Array<{ s: number; colour: string; dash: number[] }> = [
    { s: 2, colour: colours.largestLine, dash: [5, 2] },
    { s: 1, colour: colours.freeLine, dash: [] },
    { s: 0, colour: colours.used, dash: [] },
  ];
  ctx.lineWidth = 1.6;
  ctx.lineJoin = 'bevel';
  const half = ctx.lineWidth / 2;
  for (const l of lines) {
    const first = cs.first[l.s];
    const last = cs.last[l.s];
    const min = cs.min[l.s];
    const max = cs.max[l.s];
    ctx.strokeStyle = l.colour;
    ctx.fillStyle = l.colour;
    ctx.setLineDash(l.dash);
    const period = l.dash.length ? l.dash[0] + l.dash[1] : 0;
    // Each column's line is one bar from the lowest to the highest value it reaches there (its
    // frames, and the step from the column before): a one-frame spike keeps its height at any
    // zoom, and bars fill in a fraction of what a stroked path of a day's columns costs to
    // rasterize (most of the chart's time went there: 20-30 ms a draw on the soak, past its
    // JavaScript). Only where columns have no frame between two that do (a few frames
    // spread wide) does a stroked segment join them, as the line ran on before (connectNulls).
    ctx.beginPath();
    let started = false;
    let prevC = -1;
    let prevX = 0;
    let prevLast = NaN;
    for (let c = 0; c < C; c++) {
      const f = first[c];
      if (f !== f) continue; // no frame here, or none with a value: the line runs on (connectNulls)
      const x = xOfCol(c);
      let lo = min[c];
      let hi = max[c];
      if (prevC === c - 1) {
        if (prevLast < lo) lo = prevLast;
        if (prevLast > hi) hi = prevLast;
      } else if (prevC >= 0) {
        ctx.moveTo(prevX, yB(prevLast));
        ctx.lineTo(x, yB(f));
      }
      started = true;
      prevC = c;
      prevX = x;
      prevLast = last[c];
      // A dashed line: dashes along the time axis.
      if (period && (x - plotL) % period >= l.dash[0]) continue;
      const top = yB(hi);
      ctx.fillRect(x - half, top - half, 2 * half, yB(lo) - top + 2 * half);
    }
    ctx.stroke();
    if (single && started) {
      ctx.setLineDash([]);
      for (let c = 0; c < C; c++) {
        if (first[c] !== first[c]) continue;
        ctx.beginPath();
        ctx.arc(xOfCol(c), yB(first[c]), 3, 0, 2 * Math.PI);
        ctx.fillStyle = colours.panel;
        ctx.fill();
        ctx.stroke();
      }
    }
  }
  ctx.setLineDash([]);
  ctx.restore();

  // ── axes ──
  ctx.lineWidth = 1;
  ctx.strokeStyle = colours.grid;
  ctx.fillStyle = colours.muted;
  ctx.beginPath();
  const axL = crisp(plotL, dpr);
  const axR = crisp(plotR, dpr);
  const axB = crisp(plotB, dpr);
  ctx.moveTo(axL, plotT);
  ctx.lineTo(axL, plotB);
  ctx.moveTo(axR, plotT);
  ctx.lineTo(axR, plotB);
  ctx.moveTo(plotL, axB);
  ctx.lineTo(plotR, axB);
  for (const v of yTicks) {
    const y = crisp(yB(v), dpr);
    ctx.moveTo(axL - TICK, y);
    ctx.lineTo(axL, y);
  }
  for (const v of kTicks) {
    const y = crisp(yK(v), dpr);
    ctx.moveTo(axR, y);
    ctx.lineTo(axR + TICK, y);
  }
  const label = (v: number) => (data.timeBase === 'index' ? `#${Math.round(v) + 1}` : duration(v));
  const xTicks = single ? [t0] : timeTicks(ctx, t0, t1, plotW, data.timeBase, label);
  const xOf = (t: number) => plotL + ((t - t0) / (t1 - t0)) * plotW;
  for (const v of xTicks) {
    const x = crisp(xOf(v), dpr);
    ctx.moveTo(x, axB);
    ctx.lineTo(x, axB + TICK);
  }
  ctx.stroke();

  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  for (const v of yTicks) ctx.fillText(bytes(v), axL - TICK - 2, yB(v));
  ctx.textAlign = 'left';
  for (const v of kTicks) ctx.fillText(String(v), axR + TICK + 2, yK(v));
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  for (const v of xTicks) {
    const x = xOf(v);
    const text = label(v);
    // The first and last labels stay inside the canvas.
    const half = ctx.measureText(text).width / 2;
    ctx.fillText(text, Math.min(w - half - 1, Math.max(half + 1, x)), axB + TICK + 1);
  }
  return { columns: C, yMax };
}

/** Centre of the device pixel a 1-pixel line at CSS `v` covers: crisp, not smeared over two. */
function crisp(v: number, dpr: number): number {
  return (Math.round(v * dpr - 0.5) + 0.5) / dpr;
}

/** Whole-number ticks from 0 past `max`, about 30 pixels or more apart (the right axis). */
function countTicks(max: number, px: number): number[] {
  if (!(max > 0)) return [0, 1];
  const steps = DECIMAL_STEPS.filter((s) => s >= 1);
  const want = Math.max(1, Math.min(4, Math.floor(px / 30)));
  const step = steps.find((s) => Math.ceil(max / s) <= want) ?? steps[steps.length - 1];
  const out: number[] = [];
  for (let v = 0; v < max + step; v += step) {
    out.push(v);
    if (v >= max) break;
  }
  return out;
}

/** Ticks along the time axis whose labels do not collide (recharts' minTickGap: 40 px). */
function timeTicks(ctx: CanvasRenderingContext2D, t0: number, t1: number, px: number, base: TimelineData['timeBase'], label: (v: number) => string): number[] {
  const widest = Math.max(ctx.measureText(label(t0)).width, ctx.measureText(label(t1)).width);
  // Labels 40 px apart at least (recharts' minTickGap), and about ten across at most, as its nice ticks gave.
  const gap = Math.max(widest + 40, px / 10);
  if (base === 'index') {
    // Frame numbers: whole frames, labelled from 1.
    return ticksFrom(t0, t1, px, gap, DECIMAL_STEPS.filter((s) => s >= 1));
  }
  return ticksFrom(t0, t1, px, gap, TIME_STEPS);
}
