/**
 * The heap map: every block of the current frame on a canvas (ImageData, one device pixel or
 * more per block), areas as bands with their addresses, zoom (W/S, wheel) and pan (A/D,
 * drag), hover details, outlines of what changed since the previous frame, the longest free
 * run, and in compare mode the diff map of A → B.
 */
import { forwardRef, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { fitCanvas, useDeviceSize } from '../hooks/useDeviceSize';
import { FREE, TAIL, UNKNOWN } from '../../shared/heap/blockKinds';
import { ALLOCATED, changeRuns, diffHeaps, extentAt, FREED, longestFreeRun, type Extent, type HeapDiff } from '../../shared/view/heapAnalysis';
import {
  anchorScroll,
  blockAddress,
  blockAtPoint,
  CELL_STEPS,
  clampScroll,
  fitCell,
  LETTER_CELL,
  layoutMap,
  pointOfBlock,
  runOutline,
  runRects,
  type MapLayout,
} from '../../shared/view/mapLayout';
import { rasterizeMap } from '../../shared/view/rasterize';
import { bytes, int, kindName } from '../../shared/view/format';
import type { ThemeColours } from './colors';
import type { FrameAges } from './useAges';
import type { MapHighlight } from './mapView';
import { AGE_CODE } from '../../shared/lifetimes/ageMap';

/** What the hover says of an object's life: rows of label and value, and a closing note. */
export interface LifeHover {
  rows: Array<[string, string]>;
  note: string;
}

export interface MapArea {
  address: string;
  blocks: number;
  kinds: Uint8Array;
}

export interface MapFrame {
  areas: MapArea[];
  blockSize: number | null;
  /** The frame's place in the session, when it has one. */
  index?: number;
}

export interface HeapMapHandle {
  zoom(step: 1 | -1): void;
  pan(dir: 1 | -1): void;
  fit(): void;
  /** Draws now (no rAF) and returns the milliseconds the draw took (for the bench). */
  drawNow(): number;
  /**
   * Draw on input: puts `frame` on the canvas at once, before React renders it, so a key
   * press or a live dump reaches the screen in the next display frame whatever else React
   * has to redo. False when it cannot (another shape of heap, compare mode): render it then.
   */
  show(frame: MapFrame, previous: MapFrame | null): boolean;
}

interface Props {
  frame: MapFrame | null;
  /** The frame before, for outlining what was allocated and freed. */
  previous: MapFrame | null;
  /** Compare mode: the diff A → B (frame is B). */
  compare: HeapDiff | null;
  showChanges: boolean;
  showLargest: boolean;
  colours: ThemeColours;
  /** Colour by age instead of kind: the frame's heads coded by age bucket. */
  ages?: FrameAges | null;
  /** Born and age of the object whose head is at (area, block), for the hover. */
  lifeOf?: ((area: number, head: number) => LifeHover | null) | null;
  /** An object to point at (from the Compare view): outlined, and scrolled into view. */
  highlight?: MapHighlight | null;
  /** Called after every draw with its duration in ms and the frame drawn. */
  onDrawn?: (ms: number, frame: MapFrame | null) => void;
  onZoom?: (cell: number, fit: boolean) => void;
  empty?: React.ReactNode;
}

interface Hover {
  /** Position in CSS pixels inside the map. */
  x: number;
  y: number;
  area: number;
  block: number;
}

const HEADER_CSS = 22;
const GAP_CSS = 12;
const GUTTER_CSS = 76;
const MAX_OUTLINE_RUNS = 40000;

/** Where the last draw's time went (raster, putImageData, overlay), for the bench. */
export let lastParts = { raster: 0, put: 0, overlay: 0 };

export const HeapMap = forwardRef<HeapMapHandle, Props>(function HeapMap(props, ref) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const baseRef = useRef<HTMLCanvasElement>(null);
  const size = useDeviceSize(wrapRef);
  const [cell, setCell] = useState<number | 'fit'>('fit');
  const [scrollY, setScrollY] = useState(0);
  const [hover, setHover] = useState<Hover | null>(null);
  const [dragging, setDragging] = useState(false);
  const image = useRef<ImageData | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;


  const dpr = size.dpr;
  const W = Math.floor(size.w * dpr);
  const H = Math.floor(size.h * dpr);
  const shapes = props.frame?.areas;
  const shapeKey = shapes ? shapes.map((a) => `${a.address}:${a.blocks}`).join(',') : '';
  const layoutOpts = useMemo(
    () => ({ headerHeight: Math.round(HEADER_CSS * dpr), gap: Math.round(GAP_CSS * dpr), gutter: Math.round(GUTTER_CSS * dpr) }),
    [dpr],
  );
  const effectiveCell = useMemo(() => {
    if (cell !== 'fit') return cell;
    if (!shapes || W === 0) return 1;
    return fitCell(shapes, W, H, layoutOpts);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cell, shapeKey, W, H, layoutOpts]);
  const layout = useMemo<MapLayout | null>(() => {
    if (!shapes || W === 0) return null;
    return layoutMap(shapes, { width: W, cell: effectiveCell, ...layoutOpts });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shapeKey, W, effectiveCell, layoutOpts]);
  const scroll = layout ? clampScroll(layout, H, scrollY) : 0;
  const layoutNow = layout;
  const scrollNow = scroll;
  const layoutKeyNow = layout ? layoutKey(shapeKey, W, effectiveCell, dpr) : null;

  useEffect(() => {
    props.onZoom?.(effectiveCell, cell === 'fit');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [effectiveCell, cell]);

  // What changed since the previous frame (outlines) and the longest free run, computed once
  // per frame: shared by a draw on input and the render that follows it.
  const derived = useRef<Derived | null>(null);
  const derive = (frame: MapFrame | null, previous: MapFrame | null, compare: boolean): Derived => {
    const d = derived.current;
    if (d && d.frame === frame && d.previous === previous && d.compare === compare && d.showChanges === props.showChanges && d.showLargest === props.showLargest) return d;
    const changes = !props.showChanges || !frame || !previous || compare ? null : diffHeaps(previous.areas, frame.areas);
    const largest = frame && props.showLargest ? longestFreeRun(frame.areas) : null;
    return (derived.current = { frame, previous, compare, showChanges: props.showChanges, showLargest: props.showLargest, changes, largest });
  };
  const { changes, largest } = derive(props.frame, props.previous, !!props.compare);

  const hoverExtent = useMemo<Extent | null>(() => extentUnder(hover, props.frame), [hover, props.frame]);
  /** What the canvas shows now: a render that would draw the same skips its draw. */
  const painted = useRef<unknown[] | null>(null);

  const paint = useCallback((frame: MapFrame | null, changes: HeapDiff | null, largest: ReturnType<typeof longestFreeRun>, hoverExtent: Extent | null, own?: { layout: MapLayout; scroll: number; key: string }): number => {
    const t0 = performance.now();
    const base = baseRef.current;
    const p = { ...propsRef.current, frame };
    if (!base || W === 0 || H === 0) return 0;
    // A draw on input of a heap of another shape brings its own layout (the render after it makes the same one).
    const layout = own ? own.layout : layoutNow;
    const scroll = own ? own.scroll : scrollNow;
    // The layout by what makes it (a draw on input lays out a new shape itself; the render after makes an equal one).
    painted.current = [frame, p.compare, p.colours, p.ages, p.highlight, own ? own.key : layoutKeyNow, scroll, changes, largest, hoverExtent?.start, hoverExtent?.length, hover, W, H];
    // The image buffer below follows the new size by itself.
    fitCanvas(base, W, H);
    const ctx = base.getContext('2d', { alpha: false })!;
    if (!image.current || image.current.width !== W || image.current.height !== H) image.current = ctx.createImageData(W, H);
    const img = image.current;
    const px = new Uint32Array(img.data.buffer);
    if (!layout || !p.frame) {
      px.fill(p.colours.raster.background);
      ctx.putImageData(img, 0, 0);
      return performance.now() - t0;
    }
    const ages = p.ages && !p.compare ? p.ages : null;
    rasterizeMap({ pixels: px, stride: W, height: H }, layout, ages ? ages.areas : p.frame.areas, ages ? p.colours.ageRaster : p.colours.raster, {
      scrollY: scroll,
      diff: p.compare ? p.compare.areas : null,
    });
    const t1 = performance.now();
    ctx.putImageData(img, 0, 0);
    const t2 = performance.now();
    // Outlines, labels and letters on the same canvas, over the blocks just put there: one
    // canvas for the compositor to take up per frame, not two full-size ones (a large part of
    // the page's work per live dump and per key, in Chromium traces).
    drawOverlay(ctx, layout, p, scroll, W, H, dpr, changes, largest, hoverExtent, hover);
    const ms = performance.now() - t0;
    lastParts = { raster: t1 - t0, put: t2 - t1, overlay: ms - (t2 - t0) };
    p.onDrawn?.(ms, frame);
    return ms;
  }, [W, H, layoutNow, layoutKeyNow, scrollNow, hover, dpr]);
  const draw = useCallback(() => paint(propsRef.current.frame, changes, largest, hoverExtent), [paint, changes, largest, hoverExtent]);

  // Redraw as soon as anything drawn changed, before the browser paints: a live dump is on
  // screen in the same frame its state landed (React already batches what changes together).
  // A frame already put there on input is not drawn twice.
  useLayoutEffect(() => {
    const now = [props.frame, props.compare, props.colours, props.ages, props.highlight, layoutKeyNow, scroll, changes, largest, hoverExtent?.start, hoverExtent?.length, hover, W, H];
    const was = painted.current;
    if (was && was.length === now.length && was.every((v, k) => v === now[k])) return;
    draw();
  }, [draw, props.frame, props.compare, props.colours, props.ages, props.highlight]);

  // A new highlight scrolls its object into view (at the zoom the user chose).
  const shownHighlight = useRef(0);
  useEffect(() => {
    const h = props.highlight;
    if (!h || !layout || h.seq === shownHighlight.current) return;
    shownHighlight.current = h.seq;
    const rects = runRects(layout, h.area, h.start, h.blocks);
    if (!rects.length) return;
    const y0 = rects[0].y;
    const y1 = rects[rects.length - 1].y + rects[rects.length - 1].h;
    if (y0 >= scroll && y1 <= scroll + H) return;
    setScrollY(clampScroll(layout, H, (y0 + y1) / 2 - H / 2));
  }, [props.highlight, layout, scroll, H]);

  const show = (frame: MapFrame, previous: MapFrame | null): boolean => {
    const p = propsRef.current;
    // Age colouring draws the frame's ages, which come after it: React shows those.
    if (p.compare || p.ages || W === 0 || H === 0 || !frame.areas.length) return false;
    let own: { layout: MapLayout; scroll: number; key: string } | undefined;
    if (!layout || !shapes || !sameShape(shapes, frame.areas)) {
      // Another shape of heap (a recording's first dump, a soft reboot): laid out here as the
      // render that follows lays it out, so this dump is on screen without waiting for it.
      const c = cell !== 'fit' ? cell : fitCell(frame.areas, W, H, layoutOpts);
      const l = layoutMap(frame.areas, { width: W, cell: c, ...layoutOpts });
      const key = layoutKey(frame.areas.map((a) => `${a.address}:${a.blocks}`).join(','), W, c, dpr);
      own = { layout: l, scroll: clampScroll(l, H, scrollY), key };
    }
    const d = derive(frame, previous, false);
    paint(frame, d.changes, d.largest, own ? null : extentUnder(hover, frame), own);
    return true;
  };
  const showRef = useRef(show);
  showRef.current = show;

  const setZoom = useCallback(
    (next: number, anchor?: { x: number; y: number }) => {
      if (!layout || !shapes) return;
      const after = layoutMap(shapes, { width: W, cell: next, ...layoutOpts });
      const ax = anchor ? anchor.x : W / 2;
      const ay = anchor ? anchor.y : H / 2;
      const s = anchorScroll(layout, after, scroll, ax, ay);
      setCell(next);
      setScrollY(clampScroll(after, H, s));
    },
    [layout, shapes, W, H, layoutOpts, scroll],
  );

  const zoomStep = useCallback(
    (dir: 1 | -1, anchor?: { x: number; y: number }) => {
      const cur = effectiveCell;
      const steps = CELL_STEPS as readonly number[];
      let next = cur;
      if (dir > 0) next = steps.find((c) => c > cur) ?? cur;
      else next = [...steps].reverse().find((c) => c < cur) ?? cur;
      if (next !== cur) setZoom(next, anchor);
    },
    [effectiveCell, setZoom],
  );

  useImperativeHandle(
    ref,
    () => ({
      zoom: (d) => zoomStep(d),
      pan: (d) => setScrollY((s) => (layout ? clampScroll(layout, H, clampScroll(layout, H, s) + d * H * 0.5) : s)),
      fit: () => {
        setCell('fit');
        setScrollY(0);
      },
      drawNow: () => draw(),
      show: (frame, previous) => showRef.current(frame, previous),
    }),
    [zoomStep, layout, H, draw],
  );

  // Wheel zooms around the cursor; Shift+wheel (or a horizontal swipe) scrolls.
  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        const d = (e.shiftKey ? e.deltaY || e.deltaX : e.deltaX) * dpr;
        setScrollY((s) => (layout ? clampScroll(layout, H, clampScroll(layout, H, s) + d) : s));
        return;
      }
      zoomStep(e.deltaY < 0 ? 1 : -1, { x: (e.clientX - r.left) * dpr, y: (e.clientY - r.top) * dpr });
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [zoomStep, layout, H, dpr]);

  const drag = useRef<{ y: number; s: number; moved: boolean } | null>(null);
  const onPointerDown = (e: React.PointerEvent) => {
    if (e.button !== 0) return;
    (e.target as Element).setPointerCapture(e.pointerId);
    drag.current = { y: e.clientY, s: scroll, moved: false };
  };
  const onPointerMove = (e: React.PointerEvent) => {
    const el = wrapRef.current;
    if (!el) return;
    const r = el.getBoundingClientRect();
    if (drag.current) {
      const dy = (e.clientY - drag.current.y) * dpr;
      if (Math.abs(dy) > 2) {
        drag.current.moved = true;
        setDragging(true);
      }
      if (drag.current.moved && layout) {
        setScrollY(clampScroll(layout, H, drag.current.s - dy));
        setHover(null);
        return;
      }
    }
    if (!layout) return;
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    const at = blockAtPoint(layout, x * dpr, y * dpr + scroll);
    if (!at) setHover(null);
    else if (!hover || hover.area !== at.area || hover.block !== at.block || Math.abs(hover.x - x) > 0 || Math.abs(hover.y - y) > 0) setHover({ x, y, area: at.area, block: at.block });
  };
  const onPointerUp = () => {
    drag.current = null;
    setDragging(false);
  };

  const frame = props.frame;
  const content = layout ? layout.height : 0;
  return (
    <div
      ref={wrapRef}
      className={`map-wrap${dragging ? ' dragging' : ''}`}
      data-testid="heap-map"
      data-cell={effectiveCell}
      data-colouring={props.ages && !props.compare ? 'age' : 'kind'}
      data-highlight={props.highlight && frame?.areas[props.highlight.area] ? blockAddress(frame.areas[props.highlight.area].address, props.highlight.start, frame.blockSize) : undefined}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerLeave={() => setHover(null)}
    >
      <canvas ref={baseRef} style={{ width: size.w, height: size.h }} aria-label="Heap map" data-testid="map-canvas" />
      {content > H && H > 0 && (
        <div className="scrollbar" style={{ top: (scroll / content) * size.h, height: Math.max(16, (H / content) * size.h) }} />
      )}
      {!frame && <div className="map-empty">{props.empty}</div>}
      {frame && hover && (
        <Tooltip
          hover={hover}
          frame={frame}
          extent={hoverExtent}
          colours={props.colours}
          compare={props.compare}
          life={hoverExtent && hoverExtent.kind === 'object' && props.lifeOf ? props.lifeOf(hover.area, hoverExtent.start) : null}
          ageSwatch={hoverExtent && hoverExtent.kind === 'object' && props.ages && !props.compare ? props.colours.age[(props.ages.codes[hover.area]?.[hoverExtent.start] ?? 0) - AGE_CODE] ?? null : null}
          w={size.w}
          h={size.h}
        />
      )}
    </div>
  );
});

interface Derived {
  frame: MapFrame | null;
  previous: MapFrame | null;
  compare: boolean;
  showChanges: boolean;
  showLargest: boolean;
  changes: HeapDiff | null;
  largest: ReturnType<typeof longestFreeRun>;
}

/** What a layout is made from: equal keys, equal layouts. */
function layoutKey(shapeKey: string, width: number, cell: number, dpr: number): string {
  return `${shapeKey}|${width}|${cell}|${dpr}`;
}

function extentUnder(hover: Hover | null, frame: MapFrame | null): Extent | null {
  if (!hover || !frame) return null;
  const a = frame.areas[hover.area];
  return a ? extentAt(a.kinds, hover.block) : null;
}

/** Same areas at the same addresses: the layout (and the zoom, the scroll) still fits. */
function sameShape(a: MapArea[], b: MapArea[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].address !== b[i].address || a[i].blocks !== b[i].blocks) return false;
  return true;
}

function drawOverlay(
  oc: CanvasRenderingContext2D,
  l: MapLayout,
  p: Props,
  scroll: number,
  W: number,
  H: number,
  dpr: number,
  changes: HeapDiff | null,
  largest: ReturnType<typeof longestFreeRun>,
  hoverExtent: Extent | null,
  hover: Hover | null,
): void {
  const frame = p.frame!;
  const c = p.colours;
  const bs = frame.blockSize;
  oc.save();
  oc.translate(0, -scroll);
  oc.textBaseline = 'middle';
  // Band headers and row addresses.
  for (const band of l.bands) {
    if (band.y + band.height < scroll || band.headerY > scroll + H) continue;
    const a = frame.areas[band.area];
    oc.font = `600 ${11 * dpr}px system-ui, sans-serif`;
    oc.fillStyle = c.text;
    const end = bs ? blockAddress(a.address, a.blocks, bs) : null;
    const title = `Area ${band.area + 1}  ·  0x${a.address}${end ? ` – ${end}` : ''}  ·  ${int(a.blocks)} blocks${bs ? `  ·  ${bytes(a.blocks * bs)}` : ''}`;
    oc.fillText(title, l.x, band.headerY + l.headerHeight / 2);
    // Row addresses in the gutter (absolute, as the hover and the Frame tab say them; the
    // offset in the area is in the hover), every few rows so labels never collide.
    oc.font = `${10 * dpr}px ui-monospace, monospace`;
    oc.fillStyle = c.muted;
    oc.textAlign = 'right';
    const minGap = 14 * dpr;
    let every = 1;
    while (every * l.cell < minGap) every *= 2;
    const r0 = Math.max(0, Math.floor((scroll - band.y) / l.cell));
    const r1 = Math.min(band.rows, Math.ceil((scroll + H - band.y) / l.cell));
    for (let r = r0 - (r0 % every); r < r1; r += every) {
      if (r < 0) continue;
      const label = bs ? blockAddress(a.address, r * l.cols, bs) : `#${r * l.cols}`;
      oc.fillText(label, l.x - 8 * dpr, band.y + r * l.cell + Math.min(l.cell, minGap) / 2);
    }
    oc.textAlign = 'left';
  }
  // Letters, when a block is large enough to read one (the kind's, in age colouring too).
  const ages = p.ages && !p.compare ? p.ages.codes : null;
  if (l.cell >= LETTER_CELL) {
    oc.font = `700 ${Math.round(l.cell * 0.62)}px ui-monospace, monospace`;
    oc.textAlign = 'center';
    for (const band of l.bands) {
      const k = frame.areas[band.area].kinds;
      const r0 = Math.max(0, Math.floor((scroll - band.y) / l.cell));
      const r1 = Math.min(band.rows, Math.ceil((scroll + H - band.y) / l.cell));
      for (let r = r0; r < r1; r++) {
        const y = band.y + r * l.cell + l.cell / 2;
        const s = r * l.cols;
        const e = Math.min(k.length, s + l.cols);
        for (let i = s; i < e; i++) {
          const code = k[i];
          if (code === TAIL) continue;
          const ch = code === FREE ? '·' : code === UNKNOWN ? '?' : String.fromCharCode(code);
          oc.fillStyle = code === FREE ? c.muted : 'rgba(0,0,0,0.78)';
          if (ages) {
            // Light text on the older (darker) half of the ramp.
            if (code !== FREE && code !== UNKNOWN && ages[band.area][i] - AGE_CODE >= 3) oc.fillStyle = '#fff';
          } else if (code !== FREE && (c.theme === 'dark' || code === 0x4c || code === 0x4d || code === 0x6d)) oc.fillStyle = code === 0x6d && c.theme === 'dark' ? '#000' : '#fff';
          oc.fillText(ch, l.x + (i - s) * l.cell + (l.cell - 1) / 2, y);
        }
      }
    }
    oc.textAlign = 'left';
  }
  const visible = (rect: { y: number; h: number }) => rect.y + rect.h >= scroll && rect.y <= scroll + H;
  const lw = Math.max(1, Math.round(dpr));
  // The longest free run: tinted, with one outline around it.
  if (largest && largest.length > 0) {
    const rects = runRects(l, largest.area, largest.start, largest.length);
    oc.fillStyle = c.largestRun;
    oc.globalAlpha = 0.16;
    for (const r of rects) if (visible(r)) oc.fillRect(r.x, r.y, r.w, r.h);
    oc.globalAlpha = 1;
    oc.strokeStyle = c.largestRun;
    oc.lineWidth = 2 * lw;
    const poly = runOutline(l, largest.area, largest.start, largest.length);
    if (poly.length) {
      oc.beginPath();
      poly.forEach(([x, y], k) => (k ? oc.lineTo(x, y) : oc.moveTo(x, y)));
      oc.closePath();
      oc.stroke();
    } else for (const r of rects) if (visible(r)) oc.strokeRect(r.x, r.y, r.w, r.h);
    // Its size, at its start.
    // Inside the run when it spans rows (free space hides nothing), else just above it.
    const first = rects.length > 1 ? { ...rects[1], y: rects[1].y + 17 * dpr, inside: true } : rects[0] && { ...rects[0], inside: false };
    if (first && visible(first)) {
      const label = `longest free run: ${int(largest.length)} blocks${bs ? ` · ${bytes(largest.length * bs)}` : ''}`;
      oc.font = `600 ${10.5 * dpr}px system-ui, sans-serif`;
      const tw = oc.measureText(label).width + 8 * dpr;
      const lx = Math.min(first.x + (first.inside ? 4 * dpr : 0), l.x + l.rowWidth - tw);
      const ly = first.inside ? first.y - 15 * dpr : first.y - 15 * dpr >= scroll ? first.y - 15 * dpr : first.y + first.h + 1 * dpr;
      oc.fillStyle = c.largestRun;
      oc.fillRect(lx, ly, tw, 14 * dpr);
      oc.fillStyle = '#fff';
      oc.fillText(label, lx + 4 * dpr, ly + 7 * dpr);
    }
  }
  // Allocated (solid) and freed (dashed) since the previous frame.
  if (changes) {
    let budget = MAX_OUTLINE_RUNS;
    oc.lineWidth = lw;
    changes.areas.forEach((codes, ai) => {
      for (const run of changeRuns(codes)) {
        if (--budget < 0) return;
        oc.strokeStyle = run.code === ALLOCATED ? c.allocated : c.freed;
        oc.setLineDash(run.code === FREED ? [2 * dpr, 2 * dpr] : []);
        for (const r of runRects(l, ai, run.start, run.length)) {
          if (!visible(r)) continue;
          oc.strokeRect(r.x + lw / 2, r.y + lw / 2, Math.max(lw, r.w - lw), Math.max(lw, r.h - lw));
          if (l.cell <= 2) {
            // A 1–2 px block cannot hold an outline: frame it from outside.
            oc.strokeRect(r.x - lw / 2, r.y - lw / 2, r.w + lw, r.h + lw);
          }
        }
      }
    });
    oc.setLineDash([]);
  }
  // The object the Compare view points at: a halo outside, a line inside, so it shows on any colour.
  if (p.highlight) {
    const h = p.highlight;
    for (const [colour, width, pad] of [[c.panel, 5 * lw, 3 * lw], [c.text, 2 * lw, 2 * lw]] as const) {
      oc.strokeStyle = colour;
      oc.lineWidth = width;
      for (const r of runRects(l, h.area, h.start, h.blocks)) if (visible(r)) oc.strokeRect(r.x - pad, r.y - pad, r.w + 2 * pad, r.h + 2 * pad);
    }
  }
  // The hovered object.
  if (hover && hoverExtent) {
    oc.strokeStyle = c.text;
    oc.lineWidth = 2 * lw;
    for (const r of runRects(l, hover.area, hoverExtent.start, hoverExtent.length)) if (visible(r)) oc.strokeRect(r.x - lw, r.y - lw, r.w + 2 * lw, r.h + 2 * lw);
  }
  oc.restore();
}

function Tooltip({
  hover,
  frame,
  extent,
  colours,
  compare,
  life,
  ageSwatch,
  w,
  h,
}: {
  hover: Hover;
  frame: MapFrame;
  extent: Extent | null;
  colours: ThemeColours;
  compare: HeapDiff | null;
  life: LifeHover | null;
  /** In the age colouring: the object's age colour (the swatch shows what the map shows). */
  ageSwatch: string | null;
  w: number;
  h: number;
}) {
  const a = frame.areas[hover.area];
  if (!a) return null;
  const code = a.kinds[hover.block];
  const bs = frame.blockSize;
  const addr = bs ? blockAddress(a.address, hover.block, bs) : `block ${hover.block}`;
  let title: string;
  let swatch: string;
  if (code === FREE) {
    title = 'Free';
    swatch = colours.free;
  } else if (code === UNKNOWN) {
    title = 'Lost (the capture dropped this block)';
    swatch = colours.unknown;
  } else if (extent && extent.kind === 'object') {
    const letter = String.fromCharCode(extent.code);
    title = `${letter} · ${kindName(letter)}${code === TAIL ? ' (tail)' : ' (head)'}`;
    swatch = colours.kind(letter);
  } else {
    title = 'Tail with no head in view';
    swatch = colours.muted;
  }
  if (ageSwatch) swatch = ageSwatch;
  const tw = life ? 300 : 250;
  const left = hover.x + 16 + tw > w ? hover.x - 16 - tw : hover.x + 16;
  const top = Math.min(hover.y + 14, Math.max(0, h - (life ? 260 : 150)));
  const change = compare ? compare.areas[hover.area]?.[hover.block] : undefined;
  return (
    <div className="tooltip" style={{ left, top, ...(life ? { width: tw } : {}) }} data-testid="map-tooltip">
      <div className="kind">
        <span className="swatch" style={{ background: swatch }} />
        {title}
      </div>
      <div className="row">
        <span>Address</span>
        <span className="mono">{addr}</span>
      </div>
      <div className="row">
        <span>Area · block</span>
        <span className="mono">
          {hover.area + 1} · {int(hover.block)}
          {bs ? ` · +0x${(hover.block * bs).toString(16)}` : ''}
        </span>
      </div>
      {extent && (
        <>
          <div className="row">
            <span>{extent.kind === 'object' ? 'Object' : extent.kind === 'free' ? 'Free run' : 'Run'}</span>
            <span className="mono">
              {bs ? `${blockAddress(a.address, extent.start, bs)}` : `#${extent.start}`} +{extent.length}
            </span>
          </div>
          <div className="row">
            <span>Size</span>
            <span className="mono">
              {int(extent.length)} block{extent.length === 1 ? '' : 's'}
              {bs ? ` · ${int(extent.length * bs)} B` : ''}
            </span>
          </div>
          {extent.kind === 'object' && (
            <div className="row">
              <span>Extent</span>
              <span className="mono">
                head {int(extent.start)}
                {extent.length > 1 ? ` + ${int(extent.length - 1)} tail${extent.length > 2 ? 's' : ''}` : ''}
              </span>
            </div>
          )}
        </>
      )}
      {life && (
        <div data-testid="map-tooltip-life">
          {life.rows.map(([k, v]) => (
            <div className="row" key={k}>
              <span>{k}</span>
              <span className="mono life-value">{v}</span>
            </div>
          ))}
          <div className="note">{life.note}</div>
        </div>
      )}
      {change !== undefined && (
        <div className="row">
          <span>A → B</span>
          <span>{change === ALLOCATED ? 'allocated' : change === FREED ? 'freed' : 'unchanged'}</span>
        </div>
      )}
    </div>
  );
}

export { pointOfBlock };
