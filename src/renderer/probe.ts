/**
 * `window.__heapscope`: a read-only window into the renderer for the end-to-end tests and the
 * bench (what frame is on screen, how long the map took, live latency, frames drawn). It
 * exposes no service call the page could not already make.
 */
import type { AppStore, OpenParts } from './state/store';
import { lastParts, type HeapMapHandle } from './map/HeapMap';

let map: { current: HeapMapHandle | null } | null = null;
/** The App hands the map over so the bench can time a draw on its own. */
export function registerMap(ref: { current: HeapMapHandle | null }): void {
  map = ref;
}

export interface Probe {
  frame(): number;
  /** The frame asked for last (it may still be loading). */
  wanted(): number;
  lastDrawnIndex(): number | null;
  /** performance.now() of the map's last draw. */
  lastDrawnAt(): number;
  frames(): number;
  /** Something is opening, importing or sending a file (the status bar says what). */
  busy(): boolean;
  shownIndex(): number | null;
  drawMs(): number;
  liveLatencyMs(): number | null;
  drawCount(): number;
  /** Seeks and resolves with the ms from the call to the map's pixels. */
  seekAndDraw(i: number): Promise<number>;
  events(): Array<{ kind: string; snapshot: number; bytes?: number }>;
  /** Draws the map again now; ms (raster, putImageData, overlay). */
  redraw(): number;
  /** Live: ms from each dump's last byte to its pixels (the last 500). */
  liveLatencies(): number[];
  /** Live: ms from each dump's last byte to its push reaching the page. */
  liveArrivals(): number[];
  /** Live: ms from each dump's last byte to the service's push of it. */
  liveServiceMs(): number[];
  /** Live: ms from the service's push of each dump to its arrival in the page. */
  livePushWaits(): number[];
  /** Live: ms from each dump's push reaching the page to its pixels. */
  liveInPage(): number[];
  blocksShown(): number;
  /** The last draw's parts, ms. */
  drawParts(): { raster: number; put: number; overlay: number; fetch?: number };
  /** Opens a file as the open dialog does (the bench times the soak's open to its timeline). */
  open(path: string): Promise<void>;
  /** Where the last open's time went (service calls, then the window's index). */
  openParts(): OpenParts;
}

/** Yields to the event loop without setTimeout's 4 ms clamp. */
function yieldTask(): Promise<void> {
  return new Promise((r) => {
    const c = new MessageChannel();
    c.port1.onmessage = () => r();
    c.port2.postMessage(0);
  });
}

export function installProbe(s: AppStore): void {
  const probe: Probe = {
    frame: () => s.state.frame,
    wanted: () => s.wantedFrame,
    lastDrawnIndex: () => s.lastDrawnIndex,
    lastDrawnAt: () => s.lastDrawnAt,
    frames: () => s.state.frameCount,
    busy: () => s.state.busy !== null,
    shownIndex: () => s.state.frameData?.index ?? null,
    drawMs: () => s.state.drawMs,
    liveLatencyMs: () => s.state.liveLatencyMs,
    drawCount: () => s.drawCount,
    seekAndDraw: async (i) => {
      const t0 = performance.now();
      if (s.state.frame === i && s.lastDrawnIndex === i) return 0;
      const before = s.drawCount;
      await s.seek(i);
      // The map draws in the commit that shows the frame; wait until it has.
      for (let k = 0; !(s.lastDrawnIndex === i && s.drawCount > before); k++) {
        if (k > 2000) throw new Error(`frame ${i} was not drawn`);
        await (k < 200 ? yieldTask() : new Promise((r) => setTimeout(r, 5)));
      }
      return performance.now() - t0;
    },
    events: () => s.state.events.map((e) => ({ kind: e.kind, snapshot: e.snapshot, ...(e.bytes ? { bytes: e.bytes } : {}) })),
    redraw: () => map?.current?.drawNow() ?? -1,
    liveLatencies: () => s.liveLatencies.slice(),
    liveArrivals: () => s.liveArrivals.slice(),
    liveInPage: () => s.liveInPage.slice(),
    liveServiceMs: () => s.liveServiceMs.slice(),
    livePushWaits: () => s.livePushWaits.slice(),
    drawParts: () => ({ ...lastParts, fetch: s.lastFetchMs }),
    blocksShown: () => (s.state.frameData?.areas ?? []).reduce((n, a) => n + a.blocks, 0),
    open: (path) => s.openPath(path),
    openParts: () => ({ ...s.openParts }),
  };
  (window as unknown as { __heapscope: Probe }).__heapscope = probe;
}
