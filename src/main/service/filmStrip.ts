/**
 * getFilmStrip's work: the columns of a session's film strip (src/shared/view/filmStrip.ts).
 *
 * The frames a strip shows are read in ascending order, so a session file decodes each of its
 * segments once, front to back (stepping forward costs ~0.1–0.2 ms a frame where a random
 * fetch costs ~7 ms). Every column binned is kept by frame (`rows` bytes each), so a strip
 * asked for again after the session grew (a live recording) or at another width reads only
 * the frames it has not binned yet; snapshots pushed live are binned as they arrive. The last
 * strip is kept whole for (columns, rows, frame count). Long builds yield to the event loop
 * every few ms so a recording keeps streaming meanwhile.
 */
import type { FilmStrip, SnapshotData } from '../../shared/api';
import { binHeap, STRIP_NO_MAP } from '../../shared/view/filmStrip';
import { chooseStripFrames, keepSpikes } from './stripFrames';
import { apiError } from './errors';
import type { SessionView } from './sessionView';

/** Binned columns kept per session, all row counts together. */
const MAX_CACHED_BYTES = 32 << 20;
/** Row counts kept at once (a resize asks for a new one). */
const MAX_ROW_COUNTS = 2;
/**
 * Block kinds of frames read for a strip, kept so that the same frames binned at another row
 * count (the window asks again for the used part of the heap) are not read again.
 */
const MAX_KEPT_MAP_BYTES = 16 << 20;
/** Longest stretch of work between two yields to the event loop. */
const SLICE_MS = 20;

export class FilmStripMaker {
  /** rows → frame → that frame's column. */
  private readonly byRows = new Map<number, Map<number, Uint8Array>>();
  private last: { key: string; strip: Promise<FilmStrip> } | null = null;
  private readonly maps = new Map<number, readonly { kinds: Uint8Array }[]>();
  private mapBytes = 0;

  constructor(readonly view: SessionView) {}

  /** A live snapshot arrived: bin it now for every row count in use. */
  observe(index: number, data: SnapshotData): void {
    for (const [rows, cols] of this.byRows) {
      if (!cols.has(index)) this.keep(rows, cols, index, binHeap(data.areas, rows));
    }
  }

  /** The strip for the session as it is now. `alive` says whether the session is still open. */
  get(columns: number, rows: number, alive: () => boolean): Promise<FilmStrip> {
    const key = `${columns}:${rows}:${this.view.snapshotCount()}`;
    if (this.last?.key === key) return this.last.strip;
    const strip = this.build(columns, rows, alive);
    const entry = { key, strip };
    this.last = entry;
    strip.catch(() => {
      if (this.last === entry) this.last = null;
    });
    return strip;
  }

  private columnsFor(rows: number): Map<number, Uint8Array> {
    let cols = this.byRows.get(rows);
    if (!cols) {
      if (this.byRows.size >= MAX_ROW_COUNTS) this.byRows.delete(this.byRows.keys().next().value as number);
      cols = new Map();
      this.byRows.set(rows, cols);
    }
    return cols;
  }

  private keep(rows: number, cols: Map<number, Uint8Array>, frame: number, column: Uint8Array): void {
    let bytes = 0;
    for (const [r, m] of this.byRows) bytes += r * m.size;
    if (bytes + rows > MAX_CACHED_BYTES) cols.clear();
    cols.set(frame, column);
  }

  private keepMap(frame: number, areas: readonly { kinds: Uint8Array }[]): void {
    if (this.maps.has(frame)) return;
    let bytes = 0;
    for (const a of areas) bytes += a.kinds.length;
    if (this.mapBytes + bytes > MAX_KEPT_MAP_BYTES) {
      this.maps.clear();
      this.mapBytes = 0;
    }
    this.maps.set(frame, areas);
    this.mapBytes += bytes;
  }

  private async build(columns: number, rows: number, alive: () => boolean): Promise<FilmStrip> {
    const n = this.view.snapshotCount();
    const cheap = this.view.cheapFrames?.() ?? [];
    let frames = chooseStripFrames(n, columns, cheap);
    if (cheap.length > 0 && frames.length < n) {
      // The per-frame figures (read once for the timeline) say where a one-dump spike is.
      const series = await this.view.frameSeries(alive);
      if (!alive()) throw closed();
      if (series && series.usedBytes.length >= n) frames = keepSpikes(frames, series.usedBytes, series.freeBytes);
    }
    const data = new Uint8Array(frames.length * rows);
    const cols = this.columnsFor(rows);
    let slice = performance.now();
    for (let c = 0; c < frames.length; c++) {
      const f = frames[c];
      const at = c * rows;
      const hit = cols.get(f);
      if (hit) {
        data.set(hit, at);
        continue;
      }
      // A frame that opens a segment is read from its raw bytes (no index page decoded).
      let cheap = this.maps.get(f) ?? null;
      try {
        if (!cheap && this.view.cheapAreas && isCheap(this.view.cheapFrames?.() ?? [], f)) cheap = this.view.cheapAreas(f);
      } catch {
        // Read again below the ordinary way (which says "no map" if that fails too).
      }
      if (cheap) {
        binHeap(cheap, rows, data, at);
        this.keepMap(f, cheap);
      } else if (!this.view.hasMap(f)) {
        data.fill(STRIP_NO_MAP, at, at + rows);
      } else {
        try {
          const snap = await this.view.getSnapshot(f);
          binHeap(snap.areas, rows, data, at);
          this.keepMap(f, snap.areas);
        } catch {
          if (!alive()) throw closed();
          // A frame that cannot be read (a damaged stretch of the file) shows as "no map".
          data.fill(STRIP_NO_MAP, at, at + rows);
        }
      }
      this.keep(rows, cols, f, data.slice(at, at + rows));
      if (performance.now() - slice > SLICE_MS) {
        await new Promise<void>((r) => setImmediate(r));
        if (!alive()) throw closed();
        slice = performance.now();
      }
    }
    return { frames, rows, data };
  }
}

/** `f` is in ascending `xs`. */
function isCheap(xs: readonly number[], f: number): boolean {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] === f) return true;
    if (xs[mid] < f) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function closed() {
  return apiError('NO_SESSION', 'The session was closed while its film strip was being made.', 'Open it again.');
}
