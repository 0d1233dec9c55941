/**
 * The side pane's Strip tab: the whole session as one picture, time (frames) across and heap
 * address down, each pixel row a slice of the heap coloured by what fills most of it (the
 * map's colours). A band that runs to the right edge is memory never freed; confetti is
 * fragmentation. Click or drag to go to a frame; hover for the frame and the address range.
 *
 * The service bins the frames (getFilmStrip, see src/shared/view/filmStrip.ts); this draws
 * them device-pixel exact (one bin per device pixel row up to 1024, columns stretched to the
 * width), fetches again when the frame count changes (at most every 2 s while recording) and
 * when the pane is resized.
 *
 * Most programs use a small part of a board's heap, which would leave a thin band on top of
 * an empty picture: when the rows ever used span less than 60 % of the heap, the strip is
 * fetched again with more rows and shows only that part ("Used part", on by default; "Whole
 * heap" shows all of it).
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { fitCanvas, useDeviceSize, type DeviceSize } from '../hooks/useDeviceSize';
import type { FilmStrip } from '../../shared/api';
import { FREE, TAIL, UNKNOWN } from '../../shared/heap/blockKinds';
import { binBlocks, frameToX, STRIP_MAX_COLUMNS, STRIP_MAX_ROWS, STRIP_MIN_ROWS, STRIP_NO_MAP, usedRows, xToFrame } from '../../shared/view/filmStrip';
import { bytes, int, kindName } from '../../shared/view/format';
import { blockAddress } from '../../shared/view/mapLayout';
import { hexColor } from '../../shared/view/rasterize';
import type { ThemeColours } from '../map/colors';
import { store, useApp } from '../state/store';
import './FilmStrip.css';

/** While recording, the strip is fetched again at most this often. */
const LIVE_REFETCH_MS = 2000;
/** A resize settles before the strip is fetched for the new size. */
const SETTLE_MS = 120;
/** Show only the used part of the heap when it spans less than this share of it. */
const FIT_BELOW = 0.6;
const FIT_KEY = 'heapscope.stripFit';

/** What is on screen: the whole heap, and (when it pays) its used part in more rows. */
interface StripView {
  whole: FilmStrip;
  /** Rows [from, to) of a taller strip: the part of the heap the session used. */
  zoom: { strip: FilmStrip; from: number; to: number } | null;
  /** The used rows of the whole strip, [first, last + 1). */
  used: [number, number] | null;
}

/** The strip and rows drawn. */
interface Shown {
  strip: FilmStrip;
  from: number;
  to: number;
}

const luts = new WeakMap<ThemeColours, { lut: Uint32Array; hatchA: number; hatchB: number }>();

/** Class byte → pixel (0xAABBGGRR), from the map's own palette. */
function stripColours(c: ThemeColours) {
  let hit = luts.get(c);
  if (hit) return hit;
  const lut = new Uint32Array(256);
  const tail = hexColor(c.tail);
  for (let code = 0; code < 256; code++) {
    if (code === FREE) lut[code] = c.raster.free;
    else if (code === UNKNOWN) lut[code] = c.raster.unknown;
    else if (code === TAIL) lut[code] = tail;
    else lut[code] = c.raster.head[code < 128 ? code : 127];
  }
  hit = { lut, hatchA: c.raster.background, hatchB: hexColor(c.grid) };
  luts.set(c, hit);
  return hit;
}

function describeClass(code: number, c: ThemeColours): { title: string; swatch: string } {
  if (code === FREE) return { title: 'Mostly free', swatch: c.free };
  if (code === UNKNOWN) return { title: 'Mostly lost blocks (the capture dropped them)', swatch: c.unknown };
  if (code === TAIL) return { title: 'Mostly tails with no head before them', swatch: c.tail };
  if (code === STRIP_NO_MAP) return { title: 'This frame has no map', swatch: c.grid };
  const letter = String.fromCharCode(code);
  return { title: `Mostly ${letter} · ${kindName(letter)}`, swatch: c.kind(letter) };
}

export function FilmStripTab({ colours }: { colours: ThemeColours }) {
  const st = store();
  const s = useApp((x) => ({ n: x.frameCount, frame: x.frame, meta: x.meta, recording: !!x.meta?.live }));
  const wrapRef = useRef<HTMLDivElement>(null);
  const baseRef = useRef<HTMLCanvasElement>(null);
  const overRef = useRef<HTMLCanvasElement>(null);
  const size = useDeviceSize(wrapRef);
  const [view, setView] = useState<StripView | null>(null);
  const [fit, setFitState] = useState(() => localStorage.getItem(FIT_KEY) !== '0');
  const [error, setError] = useState<string | null>(null);
  const [hover, setHover] = useState<{ x: number; y: number } | null>(null);
  const [took, setTook] = useState<number | null>(null);


  const W = Math.floor(size.w * size.dpr);
  const H = Math.floor(size.h * size.dpr);
  const columns = Math.max(1, Math.min(STRIP_MAX_COLUMNS, W));
  const rows = Math.max(STRIP_MIN_ROWS, Math.min(STRIP_MAX_ROWS, H));

  // ── fetching: what is wanted now, and one request at a time ──
  const sized = size.w > 0 && size.h > 0;
  const want = useRef({ columns, rows, H, fit, n: s.n, meta: s.meta, recording: s.recording, sized });
  want.current = { columns, rows, H, fit, n: s.n, meta: s.meta, recording: s.recording, sized };
  const job = useRef({ busy: false, again: false, lastAt: 0, timer: null as ReturnType<typeof setTimeout> | null });

  /** Fetches after `settle` ms (and, while recording, no sooner than 2 s after the last fetch). */
  const schedule = (settle: number, restart: boolean) => {
    const j = job.current;
    if (j.busy) {
      j.again = true;
      return;
    }
    if (j.timer) {
      if (!restart) return; // already on its way; it reads what is wanted when it fires
      clearTimeout(j.timer);
    }
    const w = want.current;
    const wait = Math.max(settle, w.recording ? j.lastAt + LIVE_REFETCH_MS - Date.now() : 0);
    j.timer = setTimeout(() => void run(), wait);
  };

  const run = async () => {
    const j = job.current;
    j.timer = null;
    const w = want.current;
    if (!w.meta || w.n === 0 || !w.sized) return;
    j.busy = true;
    j.lastAt = Date.now();
    const t0 = performance.now();
    try {
      const whole = await st.api.getFilmStrip({ columns: w.columns, rows: w.rows });
      const used = usedRows(whole.data, whole.frames.length, whole.rows);
      let zoom: StripView['zoom'] = null;
      if (w.fit && used && used[1] - used[0] < FIT_BELOW * whole.rows) {
        // About one row per device pixel over the used part, at most 1024 over the whole heap.
        const share = (used[1] - used[0]) / whole.rows;
        const zr = Math.min(STRIP_MAX_ROWS, Math.round(w.H / share));
        if (zr > whole.rows) {
          const z = await st.api.getFilmStrip({ columns: w.columns, rows: zr });
          const u = usedRows(z.data, z.frames.length, z.rows) ?? [0, z.rows];
          const pad = Math.max(1, Math.round((u[1] - u[0]) * 0.03));
          zoom = { strip: z, from: Math.max(0, u[0] - pad), to: Math.min(z.rows, u[1] + pad) };
        }
      }
      if (want.current.meta?.path === w.meta.path) {
        setView({ whole, zoom, used });
        setError(null);
        setTook(performance.now() - t0);
      }
    } catch (e) {
      setError((e as Error).message);
    } finally {
      j.busy = false;
      if (j.again) {
        j.again = false;
        schedule(0, false);
      }
    }
  };

  // A new session (or none): drop the old picture at once.
  useEffect(() => {
    setView(null);
    setError(null);
    setTook(null);
  }, [s.meta?.path]);

  // Frames arrived or another session opened: fetch (throttled while recording).
  useEffect(() => {
    if (sized && s.n > 0) schedule(0, false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [s.n, s.meta, sized]);

  // Resized: fetch once the size settles.
  useEffect(() => {
    if (sized && want.current.n > 0) schedule(view ? SETTLE_MS : 0, true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [columns, rows]);

  const setFit = (on: boolean) => {
    localStorage.setItem(FIT_KEY, on ? '1' : '0');
    setFitState(on);
  };
  // "Used part" turned on: fetch its rows (the whole strip comes from the service's cache).
  useEffect(() => {
    if (fit && sized && want.current.n > 0 && view && !view.zoom) schedule(0, true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fit]);

  const shown: Shown | null = view ? (fit && view.zoom ? { strip: view.zoom.strip, from: view.zoom.from, to: view.zoom.to } : { strip: view.whole, from: 0, to: view.whole.rows }) : null;
  const strip = shown?.strip ?? null;

  useEffect(
    () => () => {
      if (job.current.timer) clearTimeout(job.current.timer);
    },
    [],
  );

  // ── drawing: the strip (when it or the size changes), the playhead over it ──
  const draws = useRef(0);
  useLayoutEffect(() => {
    const c = baseRef.current;
    if (!c || W === 0 || H === 0) return;
    const t0 = performance.now();
    fitCanvas(c, W, H);
    const ctx = c.getContext('2d', { alpha: false })!;
    const img = ctx.createImageData(W, H);
    const px = new Uint32Array(img.data.buffer);
    const { lut, hatchA, hatchB } = stripColours(colours);
    if (!shown || shown.strip.frames.length === 0) {
      px.fill(colours.raster.background);
    } else {
      const { strip: sp, from, to } = shown;
      const C = sp.frames.length;
      const R = sp.rows;
      const n = to - from;
      const colBase = new Int32Array(W);
      for (let x = 0; x < W; x++) colBase[x] = Math.min(C - 1, Math.floor((x * C) / W)) * R;
      const d = sp.data;
      for (let y = 0; y < H; y++) {
        const r = from + Math.min(n - 1, Math.floor((y * n) / H));
        const row = y * W;
        for (let x = 0; x < W; x++) {
          const code = d[colBase[x] + r];
          px[row + x] = code === STRIP_NO_MAP ? (((x + y) >> 2) & 1 ? hatchB : hatchA) : lut[code];
        }
      }
    }
    ctx.putImageData(img, 0, 0);
    // What was drawn and how long it took (the bench and the tests read these).
    draws.current++;
    c.dataset.draws = String(draws.current);
    c.dataset.ms = (performance.now() - t0).toFixed(1);
    c.dataset.frames = shown && shown.strip.frames.length ? String(shown.strip.frames[shown.strip.frames.length - 1] + 1) : '0';
    c.dataset.columns = String(shown?.strip.frames.length ?? 0);
    if (took !== null) c.dataset.fetchMs = took.toFixed(1);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [strip, shown?.from, shown?.to, W, H, colours]);

  useLayoutEffect(() => {
    const c = overRef.current;
    if (!c || W === 0 || H === 0) return;
    fitCanvas(c, W, H);
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, W, H);
    if (!strip || strip.frames.length === 0 || s.n === 0) return;
    const dpr = size.dpr;
    const lw = Math.max(1, Math.round(dpr));
    const x = Math.round(frameToX(Math.min(s.frame, strip.frames[strip.frames.length - 1]), strip.frames, W) - lw / 2);
    ctx.globalAlpha = 0.85;
    ctx.fillStyle = colours.panel;
    ctx.fillRect(x - lw, 0, lw * 3, H);
    ctx.globalAlpha = 1;
    ctx.fillStyle = colours.text;
    ctx.fillRect(x, 0, lw, H);
    // A notch on top, as on the timeline.
    const t = Math.round(5 * dpr);
    ctx.beginPath();
    ctx.moveTo(x + lw / 2 - t, 0);
    ctx.lineTo(x + lw / 2 + t, 0);
    ctx.lineTo(x + lw / 2, t);
    ctx.closePath();
    ctx.fill();
  }, [strip, s.frame, s.n, W, H, colours, size.dpr]);

  // ── pointer: click / drag seeks, hover tells ──
  const dragging = useRef(false);
  const frameAt = (clientX: number): number | null => {
    const el = wrapRef.current;
    if (!el || !strip || strip.frames.length === 0) return null;
    const r = el.getBoundingClientRect();
    return xToFrame((clientX - r.left) * size.dpr, strip.frames, W);
  };
  const seekTo = (clientX: number) => {
    const f = frameAt(clientX);
    if (f === null || f === st.state.frame) return;
    void st.seek(f);
  };
  const onPointerDown = (e: React.PointerEvent) => {
    if (e.button !== 0 || !strip) return;
    (e.target as Element).setPointerCapture(e.pointerId);
    dragging.current = true;
    st.pause();
    seekTo(e.clientX);
  };
  const onPointerMove = (e: React.PointerEvent) => {
    const r = wrapRef.current!.getBoundingClientRect();
    setHover({ x: e.clientX - r.left, y: e.clientY - r.top });
    if (dragging.current) seekTo(e.clientX);
  };
  const onPointerUp = () => {
    dragging.current = false;
  };

  const n = s.n;
  return (
    <div className="strip" data-testid="strip-panel">
      <div className="strip-caption">
        <b>Time →, address ↓.</b> Each column is a frame, each row a slice of the heap in the colour of what fills most of it. A band that never ends is
        memory never freed; confetti is fragmentation. Click or drag to go to a frame.
      </div>
      <div
        className="strip-wrap"
        ref={wrapRef}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerLeave={() => setHover(null)}
      >
        <canvas ref={baseRef} style={{ width: W / size.dpr, height: H / size.dpr }} aria-label="Film strip" data-testid="strip-canvas" />
        <canvas ref={overRef} style={{ width: W / size.dpr, height: H / size.dpr }} />
        {n === 0 && <div className="strip-empty">Record or open a session: its film strip appears here.</div>}
        {n > 0 && !strip && !error && <div className="strip-empty">Reading {int(n)} frames…</div>}
        {hover && shown && shown.strip.frames.length > 0 && <StripTooltip hover={hover} shown={shown} size={size} W={W} H={H} colours={colours} />}
      </div>
      <div className="strip-foot">
        {error ? (
          <span className="err" title={error}>
            {error}
          </span>
        ) : strip ? (
          <span title={`${int(strip.frames.length)} columns · ${int(strip.rows)} rows`}>{int(strip.frames[strip.frames.length - 1] + 1)} frames</span>
        ) : (
          <span />
        )}
        {view && shown && <FitSwitch view={view} shown={shown} fit={fit} setFit={setFit} />}
        {took !== null && strip && <span data-testid="strip-ms">{took < 1000 ? `${Math.round(took)} ms` : `${(took / 1000).toFixed(1)} s`}</span>}
      </div>
    </div>
  );
}

/** Where the shown rows lie in the heap of `frame` (the last one by default). */
function rowsAddresses(shown: Shown, frame?: number): string | null {
  const st = store();
  const f = frame ?? shown.strip.frames[shown.strip.frames.length - 1];
  if (f === undefined || f >= st.frames.length) return null;
  const areas = st.frames.areasOf(f);
  const bsRaw = st.frames.cols.blockSize[f];
  const bs = Number.isFinite(bsRaw) ? bsRaw : null;
  const a = binBlocks(areas, shown.strip.rows, shown.from);
  const b = binBlocks(areas, shown.strip.rows, shown.to - 1);
  if (!a || !b) return null;
  const at = (p: { area: number; block: number }) => (bs ? blockAddress(areas[p.area].address, p.block, bs) : `block ${int(p.block)}`);
  return `${at(a.first)} – ${at({ area: b.last.area, block: b.last.block + 1 })}`;
}

function FitSwitch({ view, shown, fit, setFit }: { view: StripView; shown: Shown; fit: boolean; setFit: (on: boolean) => void }) {
  const u = view.used;
  const small = u !== null && u[1] - u[0] < FIT_BELOW * view.whole.rows;
  if (!small) return null;
  const share = Math.max(1, Math.round(((u[1] - u[0]) / view.whole.rows) * 100));
  if (fit && view.zoom) {
    const where = rowsAddresses(shown);
    return (
      <span className="strip-fit" title={where ? `Showing ${where}: the part of the heap this session used` : undefined}>
        the used {share} % ·{' '}
        <button onClick={() => setFit(false)} data-testid="strip-whole">
          whole heap
        </button>
      </span>
    );
  }
  return (
    <span className="strip-fit">
      whole heap ·{' '}
      <button onClick={() => setFit(true)} data-testid="strip-fit">
        zoom to the used {share} %
      </button>
    </span>
  );
}

function StripTooltip({ hover, shown, size, W, H, colours }: { hover: { x: number; y: number }; shown: Shown; size: DeviceSize; W: number; H: number; colours: ThemeColours }) {
  const st = store();
  const strip = shown.strip;
  const C = strip.frames.length;
  const R = strip.rows;
  const n = shown.to - shown.from;
  const c = Math.max(0, Math.min(C - 1, Math.floor((hover.x * size.dpr * C) / W)));
  const r = shown.from + Math.max(0, Math.min(n - 1, Math.floor((hover.y * size.dpr * n) / H)));
  const frame = strip.frames[c];
  const code = strip.data[c * R + r];
  const { title, swatch } = describeClass(code, colours);
  const areas = frame < st.frames.length ? st.frames.areasOf(frame) : [];
  const bsRaw = frame < st.frames.length ? st.frames.cols.blockSize[frame] : NaN;
  const bs = Number.isFinite(bsRaw) ? bsRaw : null;
  const bin = code === STRIP_NO_MAP ? null : binBlocks(areas, R, r);
  let range = '—';
  if (bin) {
    const a0 = areas[bin.first.area];
    const a1 = areas[bin.last.area];
    range = bs
      ? `${blockAddress(a0.address, bin.first.block, bs)} – ${blockAddress(a1.address, bin.last.block + 1, bs)}`
      : `blocks ${int(bin.first.block)} – ${int(bin.last.block + 1)}`;
  }
  const left = hover.x + 16 + 240 > size.w ? Math.max(0, hover.x - 16 - 240) : hover.x + 16;
  const top = Math.min(hover.y + 14, Math.max(0, size.h - 110));
  return (
    <div className="tooltip" style={{ left, top }} data-testid="strip-tooltip">
      <div className="kind">
        <span className="swatch" style={{ background: swatch }} />
        {title}
      </div>
      <div className="row">
        <span>Frame</span>
        <span className="mono">{int(frame + 1)}</span>
      </div>
      <div className="row">
        <span>Addresses</span>
        <span className="mono">{range}</span>
      </div>
      {bin && (
        <div className="row">
          <span>Slice</span>
          <span className="mono">
            {int(bin.blocks)} block{bin.blocks === 1 ? '' : 's'}
            {bs ? ` · ${bytes(bin.blocks * bs)}` : ''}
            {bin.first.area !== bin.last.area || areas.length > 1 ? ` · area ${bin.first.area + 1}${bin.last.area !== bin.first.area ? `–${bin.last.area + 1}` : ''}` : ''}
          </span>
        </div>
      )}
    </div>
  );
}
