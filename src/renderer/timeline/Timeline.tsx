/**
 * The timeline under the map: used, free and longest free run (bytes, left axis), objects
 * per kind stacked (right axis), markers for MemoryError, soft reboots, tracebacks, link
 * gaps and marks, ticks where the program printed, the A/B pins, a selected range, and a
 * playhead to drag. The chart is drawn on a canvas from per-pixel-column minima and maxima
 * (drawTimeline: a day of frames costs what a minute costs, peaks survive); a stats-only
 * session's few dumps keep recharts' bars and dots. The chart only redraws when the data or
 * the size changes; the playhead and markers live in an SVG overlay.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Area, Bar, Cell, ComposedChart, Line, XAxis, YAxis, CartesianGrid } from 'recharts';
import { decimateMinMax, nearestIndex } from '../../shared/view/decimate';
import { logTicks } from '../../shared/view/logTicks';
import { bytes, duration, kindName } from '../../shared/view/format';
import type { ThemeColours } from '../map/colors';
import { fitCanvas } from '../hooks/useDeviceSize';
import { drawTimeline, LEFT_AXIS, M, RIGHT_AXIS, X_AXIS } from './drawTimeline';

export type MarkerKind = 'memoryError' | 'breakup' | 'softReboot' | 'traceback' | 'gap' | 'mark' | 'frameLost' | 'keyboardInterrupt';

export interface Marker {
  /** Seconds since the session start. */
  t: number;
  /** End of a gap. */
  tEnd?: number;
  kind: MarkerKind;
  label: string;
}

export interface TimelineData {
  /** Seconds since the start, one per frame, non-decreasing. */
  t: Float64Array;
  used: Float64Array;
  free: Float64Array;
  largest: Float64Array;
  /** Objects per kind letter, one value per frame. */
  kinds: Array<{ letter: string; values: Float64Array }>;
  markers: Marker[];
  /** Log lines before each frame's dump (cumulative), for the ticks of where the program printed. */
  logLine?: Float64Array;
  /** 'index': no clock, x is the frame number. */
  timeBase: 'host' | 'device' | 'index';
  /**
   * No frame has a map (CircuitPython, firmware without mem_info): only used and free are
   * known, so the right axis shows how used changed from each dump to the next instead.
   */
  statsOnly?: boolean;
}

interface Props {
  data: TimelineData | null;
  frame: number;
  pinA: number | null;
  pinB: number | null;
  range: [number, number] | null;
  colours: ThemeColours;
  onSeek: (frame: number) => void;
  onRange: (r: [number, number] | null) => void;
  /** Drag in progress: seeks are cheap previews until it ends. */
  onScrub?: (active: boolean) => void;
}

export const MARKER_STYLE: Record<MarkerKind, { colour: string; glyph: string; name: string }> = {
  memoryError: { colour: 'var(--danger)', glyph: '!', name: 'MemoryError' },
  breakup: { colour: '#009e73', glyph: '⋮', name: 'Heap broke apart' },
  traceback: { colour: 'var(--warn)', glyph: 'T', name: 'Traceback' },
  softReboot: { colour: 'var(--muted)', glyph: '↻', name: 'Soft reboot' },
  keyboardInterrupt: { colour: 'var(--muted)', glyph: '^C', name: 'Interrupted' },
  gap: { colour: 'var(--faint)', glyph: '⋯', name: 'Link gap' },
  frameLost: { colour: 'var(--warn)', glyph: '?', name: 'Dump lost' },
  mark: { colour: 'var(--accent)', glyph: '⚑', name: 'Mark' },
};

export function Timeline(p: Props) {
  const wrap = useRef<HTMLDivElement>(null);
  const [w, setW] = useState(0);
  const [h, setH] = useState(0);
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    // Not flushSync here: rendering inside the observer's callback doubled the main thread's
    // CPU per resize of the day-long soak (50-89 ms against 20-23 ms, Chromium trace, thread time).
    const ro = new ResizeObserver(() => {
      setW(el.clientWidth);
      setH(el.clientHeight);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const n = p.data?.t.length ?? 0;
  const t0 = n ? p.data!.t[0] : 0;
  // The axis reaches the last marker too: a MemoryError comes after the last dump.
  const t1 = useMemo(() => {
    if (!n) return 1;
    let end = p.data!.t[n - 1];
    for (const m of p.data!.markers) end = Math.max(end, m.tEnd ?? m.t);
    return Math.max(end, t0 + 1e-3);
  }, [p.data, n, t0]);
  const plotL = M.left + LEFT_AXIS;
  const plotR = w - M.right - RIGHT_AXIS;
  const plotW = Math.max(1, plotR - plotL);
  const xOf = useCallback((t: number) => plotL + ((t - t0) / (t1 - t0)) * plotW, [plotL, plotW, t0, t1]);
  const tOf = useCallback((x: number) => t0 + ((x - plotL) / plotW) * (t1 - t0), [plotL, plotW, t0, t1]);

  const drag = useRef<{ mode: 'seek' | 'range'; start: number } | null>(null);
  const frameAt = (clientX: number) => {
    const r = wrap.current!.getBoundingClientRect();
    return nearestIndex(p.data!.t, tOf(clientX - r.left));
  };
  const onDown = (e: React.PointerEvent) => {
    if (!n || e.button !== 0) return;
    (e.target as Element).setPointerCapture(e.pointerId);
    const f = frameAt(e.clientX);
    if (e.shiftKey) {
      drag.current = { mode: 'range', start: f };
      p.onRange([f, f]);
    } else {
      drag.current = { mode: 'seek', start: f };
      p.onScrub?.(true);
      p.onSeek(f);
    }
  };
  const onMove = (e: React.PointerEvent) => {
    if (!drag.current || !n) return;
    const f = frameAt(e.clientX);
    if (drag.current.mode === 'seek') p.onSeek(f);
    else p.onRange([Math.min(drag.current.start, f), Math.max(drag.current.start, f)]);
  };
  const onUp = () => {
    if (drag.current?.mode === 'seek') p.onScrub?.(false);
    if (drag.current?.mode === 'range' && p.range && p.range[0] === p.range[1]) p.onRange(null);
    drag.current = null;
  };

  const tf = n ? p.data!.t[Math.min(p.frame, n - 1)] : 0;
  return (
    <div className="timeline" ref={wrap} data-testid="timeline">
      {n > 0 && w > 0 && h > 0 ? (
        <>
          {p.data!.statsOnly ? <Chart data={p.data!} w={w} h={h} t0={t0} t1={t1} colours={p.colours} /> : <CanvasChart data={p.data!} w={w} h={h} t0={t0} t1={t1} colours={p.colours} />}
          <div className="tl-legend">
            <span><i style={{ background: p.colours.used }} />used</span>
            <span><i style={{ background: p.colours.freeLine }} />free</span>
            {p.data!.statsOnly ? (
              <>
                <span title="Used minus the dump before's used, on the right-hand axis"><i className="area" style={{ background: p.colours.used }} />change in used per dump (right axis)</span>
                <span className="faint" data-testid="timeline-stats-only" title="This firmware has no micropython.mem_info: each dump is gc.mem_alloc() and gc.mem_free(), with no block map">
                  │ heap totals only, no map
                </span>
              </>
            ) : (
              <>
                <span><i style={{ background: p.colours.largestLine }} />longest free run</span>
                {/* A big session opens without per-kind counts (only its per-frame series): no empty heading. */}
                {p.data!.kinds.length > 0 && <span className="faint" title="Object counts, on the right-hand axis">│ objects by kind (right axis, count):</span>}
                {p.data!.kinds.slice(0, 8).map((k) => (
                  <span key={k.letter}><i className="area" style={{ background: p.colours.kind(k.letter) }} />{k.letter}</span>
                ))}
              </>
            )}
            <span className="faint">│ Shift+drag selects a range</span>
          </div>
          <svg className="tl-overlay" width={w} height={h} onPointerDown={onDown} onPointerMove={onMove} onPointerUp={onUp} onPointerCancel={onUp} data-testid="timeline-overlay">
            {p.range && (
              <rect x={xOf(p.data!.t[p.range[0]])} y={M.top} width={Math.max(1, xOf(p.data!.t[p.range[1]]) - xOf(p.data!.t[p.range[0]]))} height={h - M.top - M.bottom - X_AXIS} fill="var(--accent-soft)" stroke="var(--accent)" strokeDasharray="3 2" />
            )}
            <LogTicks data={p.data!} t0={t0} t1={t1} x0={plotL} width={plotW} bottom={h - M.bottom - X_AXIS} />
            {p.data!.markers.map((m, i) => {
              const st = MARKER_STYLE[m.kind];
              const x = xOf(m.t);
              if (m.kind === 'gap') {
                const x2 = m.tEnd !== undefined ? xOf(m.tEnd) : x + 2;
                return (
                  <g key={i}>
                    <title>{`${st.name}: ${m.label}`}</title>
                    <rect x={x} y={M.top} width={Math.max(2, x2 - x)} height={h - M.top - M.bottom - X_AXIS} fill="var(--faint)" opacity={0.25} />
                  </g>
                );
              }
              return (
                <g key={i} data-marker={m.kind}>
                  {/* A label that already names its kind ("MemoryError: …") is not prefixed twice. */}
                  <title>{m.label.toLowerCase().startsWith(st.name.toLowerCase()) ? m.label : `${st.name}: ${m.label}`}</title>
                  <line x1={x} x2={x} y1={M.top - 4} y2={h - M.bottom - X_AXIS} stroke={st.colour} strokeWidth={m.kind === 'memoryError' ? 1.5 : 1} strokeDasharray={m.kind === 'memoryError' ? undefined : '2 2'} />
                  {m.kind === 'memoryError' ? (
                    <path d={`M${x - 6} ${M.top - 5} L${x + 6} ${M.top - 5} L${x} ${M.top + 5} Z`} fill={st.colour} />
                  ) : (
                    <circle cx={x} cy={M.top - 6} r={4} fill={st.colour} />
                  )}
                </g>
              );
            })}
            {p.pinA !== null && p.pinA < n && <Pin x={xOf(p.data!.t[p.pinA])} h={h} label="A" colour="var(--pin-a)" />}
            {p.pinB !== null && p.pinB < n && <Pin x={xOf(p.data!.t[p.pinB])} h={h} label="B" colour="var(--pin-b)" />}
            <g data-testid="playhead">
              <line x1={xOf(tf)} x2={xOf(tf)} y1={M.top - 8} y2={h - M.bottom - X_AXIS} stroke="var(--text)" strokeWidth={1.5} />
              <path d={`M${xOf(tf) - 5} ${M.top - 12} h10 v5 l-5 5 l-5 -5 z`} fill="var(--text)" />
            </g>
          </svg>
        </>
      ) : (
        <div className="tl-empty">The timeline fills as dumps arrive: used, free and the longest free run over time.</div>
      )}
    </div>
  );
}

/** Ticks along the bottom of the plot where the program printed, taller where it printed more. */
const LogTicks = memo(function LogTicks({ data, t0, t1, x0, width, bottom }: { data: TimelineData; t0: number; t1: number; x0: number; width: number; bottom: number }) {
  const { d, total } = useMemo(() => {
    if (!data.logLine) return { d: '', total: 0 };
    const buckets = Math.max(1, Math.floor(width / 3));
    const counts = logTicks(data.t, data.logLine, t0, t1, buckets);
    let max = 0;
    let total = 0;
    for (const c of counts) {
      max = Math.max(max, c);
      total += c;
    }
    let path = '';
    counts.forEach((c, b) => {
      if (!c) return;
      const hgt = 2 + Math.round((6 * Math.log1p(c)) / Math.log1p(max));
      path += `M${(x0 + (b + 0.5) * (width / buckets)).toFixed(1)} ${bottom}v${-hgt}`;
    });
    return { d: path, total };
  }, [data, t0, t1, x0, width, bottom]);
  if (!d) return null;
  return (
    <g data-testid="log-ticks">
      <title>{`Where the program printed: ${total.toLocaleString()} lines (taller: more lines between two dumps)`}</title>
      <path d={d} stroke="var(--muted)" strokeWidth={1.5} opacity={0.7} />
    </g>
  );
});

function Pin({ x, h, label, colour }: { x: number; h: number; label: string; colour: string }) {
  return (
    <g>
      <line x1={x} x2={x} y1={M.top - 10} y2={h - M.bottom - X_AXIS} stroke={colour} strokeWidth={1.5} />
      <rect x={x - 7} y={h - M.bottom - X_AXIS - 14} width={14} height={14} rx={3} fill={colour} />
      <text x={x} y={h - M.bottom - X_AXIS - 3.5} fontSize={10} fontWeight={700} textAnchor="middle" fill="#fff">
        {label}
      </text>
    </g>
  );
}

interface ChartProps {
  data: TimelineData;
  w: number;
  h: number;
  t0: number;
  t1: number;
  colours: ThemeColours;
}

/**
 * Every session with maps: drawn on a canvas from per-pixel-column reductions (see
 * drawTimeline), in the commit that changes its data or size. `data-frames` and `data-draws`
 * say what it drew and how often (the bench and the tests wait on them), `data-ms` how long.
 */
const CanvasChart = memo(function CanvasChart({ data, w, h, t0, t1, colours }: ChartProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const draws = useRef(0);
  useLayoutEffect(() => {
    const c = ref.current;
    if (!c) return;
    const t = performance.now();
    const dpr = window.devicePixelRatio || 1;
    fitCanvas(c, Math.round(w * dpr), Math.round(h * dpr));
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const font = `10.5px ${getComputedStyle(c).fontFamily}`;
    const info = drawTimeline(ctx, data, { w, h, dpr, t0, t1, colours, font });
    draws.current++;
    c.dataset.frames = String(data.t.length);
    c.dataset.columns = String(info.columns);
    c.dataset.draws = String(draws.current);
    c.dataset.ms = (performance.now() - t).toFixed(1);
  }, [data, w, h, t0, t1, colours]);
  return <canvas ref={ref} className="tl-canvas" style={{ width: w, height: h }} data-testid="timeline-canvas" />;
});

/** A stats-only session (a few dumps of used and free, no map): bars of the change per dump, and dots. */
const Chart = memo(function Chart({ data, w, h, t0, t1, colours }: ChartProps) {
  const rows = useMemo(() => {
    const buckets = Math.max(16, Math.floor((w - LEFT_AXIS - RIGHT_AXIS) / 2));
    const series = [data.used, data.free, data.largest, ...data.kinds.map((k) => k.values)];
    if (data.statsOnly) series.push(usedChange(data.used));
    const d = decimateMinMax(data.t, series, buckets);
    const out: Record<string, number | null>[] = new Array(d.x.length);
    for (let i = 0; i < d.x.length; i++) {
      const r: Record<string, number | null> = { t: d.x[i], used: nn(d.series[0][i]), free: nn(d.series[1][i]), largest: nn(d.series[2][i]) };
      data.kinds.forEach((k, j) => (r['k_' + k.letter] = nn(d.series[3 + j][i])));
      if (data.statsOnly) r.dUsed = nn(d.series[series.length - 1][i]);
      out[i] = r;
    }
    return out;
  }, [data, w]);
  const tick = { fontSize: 10.5, fill: colours.muted };
  // The byte axis ends at the heap's size (used + free), in four even steps, not at a rounded-up figure past it.
  const yMax = useMemo(() => {
    let m = 0;
    for (let i = 0; i < data.t.length; i++) {
      const total = (Number.isFinite(data.used[i]) ? data.used[i] : 0) + (Number.isFinite(data.free[i]) ? data.free[i] : 0);
      if (total > m) m = total;
    }
    return m;
  }, [data]);
  const yTicks = yMax > 0 ? [0, yMax / 4, yMax / 2, (3 * yMax) / 4, yMax] : undefined;
  // One frame: one tick and dots, not five copies of "#1" over an empty plot.
  const single = data.t.length === 1;
  // Stats-only sessions are usually a few dumps from the program's own calls: each one a dot.
  const dots = single || (!!data.statsOnly && rows.length <= 200);
  const barSize = Math.max(2, Math.min(14, Math.floor((w - LEFT_AXIS - RIGHT_AXIS) / Math.max(1, rows.length) / 2)));
  return (
    <ComposedChart width={w} height={h} data={rows} margin={M}>
      <CartesianGrid stroke={colours.grid} vertical={false} />
      <XAxis dataKey="t" type="number" domain={[t0, t1]} allowDataOverflow ticks={single ? [t0] : undefined} tick={tick} tickFormatter={(v: number) => (data.timeBase === 'index' ? `#${Math.round(v) + 1}` : duration(v))} height={X_AXIS} stroke={colours.grid} minTickGap={40} />
      <YAxis yAxisId="b" domain={yMax > 0 ? [0, yMax] : [0, 'auto']} ticks={yTicks} width={LEFT_AXIS} tick={tick} tickFormatter={(v: number) => bytes(v)} stroke={colours.grid} />
      {data.statsOnly ? (
        <YAxis yAxisId="k" domain={['auto', 'auto']} orientation="right" width={RIGHT_AXIS} tick={tick} tickFormatter={compactChange} stroke={colours.grid} />
      ) : (
        <YAxis yAxisId="k" domain={[0, 'auto']} orientation="right" width={RIGHT_AXIS} tick={tick} stroke={colours.grid} allowDecimals={false} />
      )}
      {data.statsOnly && (
        <Bar yAxisId="k" dataKey="dUsed" barSize={barSize} isAnimationActive={false} fillOpacity={0.35}>
          {rows.map((r, i) => (
            <Cell key={i} fill={(r.dUsed ?? 0) < 0 ? colours.freeLine : colours.used} />
          ))}
        </Bar>
      )}
      {data.kinds.map((k) => (
        <Area
          key={k.letter}
          yAxisId="k"
          dataKey={'k_' + k.letter}
          name={kindName(k.letter)}
          stackId="kinds"
          type="linear"
          stroke="none"
          fill={colours.kind(k.letter)}
          fillOpacity={0.22}
          isAnimationActive={false}
          dot={false}
          activeDot={false}
        />
      ))}
      <Line yAxisId="b" dataKey="used" type="linear" stroke={colours.used} strokeWidth={1.6} dot={dots} activeDot={false} isAnimationActive={false} connectNulls />
      <Line yAxisId="b" dataKey="free" type="linear" stroke={colours.freeLine} strokeWidth={1.6} dot={dots} activeDot={false} isAnimationActive={false} connectNulls />
      <Line yAxisId="b" dataKey="largest" type="linear" stroke={colours.largestLine} strokeWidth={1.6} strokeDasharray="5 2" dot={single} activeDot={false} isAnimationActive={false} connectNulls />
    </ComposedChart>
  );
});

/** A change in bytes that fits the narrow right axis: +7.8K, −512, +1.2M. */
function compactChange(v: number): string {
  const a = Math.abs(v);
  const sign = v > 0 ? '+' : v < 0 ? '−' : '';
  if (a < 1024) return `${sign}${Math.round(a)}`;
  if (a < 1024 * 1024) return `${sign}${(a / 1024).toFixed(a < 10 * 1024 ? 1 : 0)}K`;
  return `${sign}${(a / 1024 / 1024).toFixed(1)}M`;
}

/** Used minus the frame before's used (NaN for the first frame, or where either is unknown). */
export function usedChange(used: Float64Array): Float64Array {
  const d = new Float64Array(used.length);
  d[0] = NaN;
  for (let i = 1; i < used.length; i++) d[i] = used[i] - used[i - 1];
  return d;
}

function nn(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
