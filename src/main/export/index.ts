/**
 * Exports of a session: CSV / JSON of the metrics, the raw capture bytes, a frame as PNG, a
 * range as an animated GIF (each frame captioned with its number and figures). Each reports progress, can be cancelled, and writes to a
 * temporary file renamed into place at the end (a cancelled export leaves nothing behind).
 * A write that does not complete (a full disk) is an error naming the output file, and the
 * partial file is removed.
 */
import { open, rename, rm } from 'node:fs/promises';
import { WriteFailedError, writeAll } from '../session/files';
import { PNG } from 'pngjs';
import * as gifenc from 'gifenc';
import type { ExportFormat, ExportRequest, LogLine, SessionMeta, SnapshotData, SnapshotIndexEntry, TimelineEvent } from '../../shared/api';
import { csvHeader, csvRow, kindColumns, metricsJson } from './metrics';
import { frameLayout } from './frame';
import { drawPicture, pictureLayout, picturePalette, pictureText, renderPicture } from './picture';
import { perfettoTrace } from './perfetto';

export interface ExportSource {
  meta: SessionMeta;
  entries(): readonly SnapshotIndexEntry[];
  getSnapshot(index: number): Promise<SnapshotData> | SnapshotData;
  readRaw(start?: number, end?: number): Promise<Uint8Array> | Uint8Array;
  rawLength(): number;
  /** The session's timeline events: a picture before a MemoryError says what was asked; perfetto's instants. */
  events?(): readonly TimelineEvent[];
  /** For perfetto: the session's log lines. */
  logCount?(): Promise<number> | number;
  logLines?(from: number, count: number): Promise<LogLine[]> | LogLine[];
}

export interface ExportOptions extends ExportRequest {
  path: string;
  signal?: AbortSignal;
  onProgress?(phase: string, done: number, total: number): void;
}

export interface ExportOutcome {
  format: ExportFormat;
  path: string;
  bytes: number;
  items: number;
}

export class ExportCancelled extends Error {
  constructor() {
    super('The export was cancelled.');
    this.name = 'AbortError';
  }
}

export class ExportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportInputError';
  }
}

/** The default file extension of each format. */
export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = {
  csv: '.csv',
  json: '.json',
  raw: '.txt',
  png: '.png',
  gif: '.gif',
  perfetto: '.trace.json',
};

function resolveRange(req: ExportRequest, n: number): { from: number; to: number } {
  if (n === 0) return { from: 0, to: -1 };
  const from = Math.min(req.range?.from ?? 0, n - 1);
  const to = Math.min(req.range?.to ?? n - 1, n - 1);
  if (req.range && req.range.from > n - 1) {
    throw new ExportInputError(`The session has ${n} snapshots (0–${n - 1}); the range starts at ${req.range.from}.`);
  }
  return { from, to };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Runs one export to `opts.path`. */
export async function runExport(src: ExportSource, opts: ExportOptions): Promise<ExportOutcome> {
  const tmp = `${opts.path}.part-${process.pid}-${Date.now().toString(36)}`;
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(tmp, 'wx');
  } catch (err) {
    throw new WriteFailedError(opts.path, err, 'cannot be written');
  }
  let items = 0;
  let bytes = 0;
  // Errors of the disk (not of the session) are reported against the output file.
  let writeError: unknown = null;
  const disk = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      writeError = err;
      throw err;
    }
  };
  const write = async (data: Uint8Array | string) => {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await disk(() => writeAll(fh, buf));
    bytes += buf.length;
  };
  const check = () => {
    if (opts.signal?.aborted) throw new ExportCancelled();
  };
  const progress = opts.onProgress ?? (() => undefined);
  try {
    const entries = src.entries();
    switch (opts.format) {
      case 'csv': {
        const { from, to } = resolveRange(opts, entries.length);
        const slice = entries.slice(from, to + 1);
        const kinds = kindColumns(slice);
        let text = csvHeader(kinds) + '\n';
        for (let i = 0; i < slice.length; i++) {
          text += csvRow(slice[i], kinds) + '\n';
          items++;
          if (text.length > 1 << 20) {
            check();
            await write(text);
            text = '';
            progress('writing', i + 1, slice.length);
          }
        }
        await write(text);
        progress('writing', slice.length, slice.length);
        break;
      }
      case 'json': {
        const { from, to } = resolveRange(opts, entries.length);
        const slice = entries.slice(from, to + 1);
        await write(JSON.stringify(metricsJson(src.meta, slice), null, 1) + '\n');
        items = slice.length;
        progress('writing', 1, 1);
        break;
      }
      case 'raw': {
        // All bytes, exactly as captured; with a range, the bytes from the first dump's start
        // to the last one's end (log lines between them included).
        let start = 0;
        let end = src.rawLength();
        if (opts.range) {
          const { from, to } = resolveRange(opts, entries.length);
          if (to >= from) {
            start = entries[from].byteStart;
            end = entries[to].byteEnd;
          }
        }
        const STEP = 4 << 20;
        for (let off = start; off < end; off += STEP) {
          check();
          await write(await src.readRaw(off, Math.min(end, off + STEP)));
          progress('writing', Math.min(end, off + STEP) - start, end - start);
        }
        items = end - start;
        break;
      }
      case 'png': {
        if (entries.length === 0) throw new ExportInputError('The session has no heap snapshot to draw.');
        const i = opts.snapshot ?? opts.range?.from ?? 0;
        if (i >= entries.length) throw new ExportInputError(`There is no snapshot ${i}: the session has ${entries.length} (0–${entries.length - 1}).`);
        const snap = await src.getSnapshot(i);
        if (snap.areas.length === 0) throw new ExportInputError(`Snapshot ${i} has no heap map (the board sent figures only).`);
        const text = pictureText(entries[i], entries.length, entries[0] ?? null, src.events?.() ?? []);
        const pic = renderPicture(snap.areas, snap.blockSize, text, opts.scale ?? 4, opts.theme ?? 'light');
        const png = new PNG({ width: pic.width, height: pic.height, colorType: 6 });
        png.data = Buffer.from(pic.rgba.buffer, pic.rgba.byteOffset, pic.rgba.length);
        check();
        await write(PNG.sync.write(png));
        items = 1;
        progress('writing', 1, 1);
        break;
      }
      case 'gif': {
        const { from, to } = resolveRange(opts, entries.length);
        const withMap = [];
        for (let i = from; i <= to; i++) if (entries[i].areas.length > 0) withMap.push(i);
        if (withMap.length === 0) throw new ExportInputError('The range has no heap snapshot with a map to draw.');
        const scale = opts.scale ?? 4;
        // One size for every frame: the largest layout in the range, and room for the wordiest text.
        let columns = 64;
        for (const i of withMap) columns = Math.max(columns, frameLayout(entries[i].areas, scale).columns);
        let map = frameLayout(entries[withMap[0]].areas, scale, columns);
        let widest = entries[withMap[0]].areas;
        for (const i of withMap) {
          const l = frameLayout(entries[i].areas, scale, columns);
          if (l.height > map.height) map = l;
          if (entries[i].areas.some((a) => a.address.length > Math.max(...widest.map((w) => w.address.length)))) widest = entries[i].areas;
        }
        const events = src.events?.() ?? [];
        const texts = withMap.map((i) => pictureText(entries[i], entries.length, entries[0] ?? null, events));
        const theme = opts.theme ?? 'light';
        const pal = picturePalette(theme);
        const layout = pictureLayout(map, widest, texts, pal);
        const { width, height } = layout;
        const GIFEncoder = gifEncoderCtor();
        const enc = GIFEncoder();
        const delay = Math.round(1000 / (opts.fps ?? 10));
        const frame = new Uint8Array(width * height);
        for (let f = 0; f < withMap.length; f++) {
          check();
          const snap = await src.getSnapshot(withMap[f]);
          // Each frame is laid out in the common grid (a smaller heap leaves background below).
          drawPicture(frame, { ...layout, map: frameLayout(snap.areas, scale, columns) }, snap.areas, snap.blockSize, texts[f], pal);
          enc.writeFrame(frame, width, height, f === 0 ? { palette: pal.colours.map((c) => [c[0], c[1], c[2]]), delay, repeat: 0 } : { delay });
          items++;
          progress('encoding', f + 1, withMap.length);
          // Yield now and then so progress events and a cancel get through.
          if (f % 16 === 15) await tick();
        }
        enc.finish();
        await write(enc.bytesView());
        break;
      }
      case 'perfetto': {
        const { from, to } = resolveRange(opts, entries.length);
        // The log lines printed within the range: after dump `from` (from the start for the
        // first), up to the dump after `to`.
        const count = src.logLines ? ((await src.logCount?.()) ?? 0) : 0;
        const first = from === 0 ? 0 : Math.min(count, entries[from].logLine);
        const last = to + 1 < entries.length ? entries[to + 1].logLine : count;
        async function* pages() {
          for (let at = first; at < last; at += 4096) {
            check();
            yield (await src.logLines!(at, Math.min(4096, last - at))) as LogLine[];
            progress('reading log', at - first, last - first);
          }
        }
        const trace = await perfettoTrace(src.meta, entries, src.events?.() ?? [], pages(), to >= from ? { from, to } : undefined);
        check();
        // One event per line, so a large trace streams out and diffs well.
        await write('{"displayTimeUnit":"ms","otherData":' + JSON.stringify(trace.otherData) + ',"traceEvents":[\n');
        let text = '';
        for (let i = 0; i < trace.traceEvents.length; i++) {
          text += (i ? ',\n' : '') + JSON.stringify(trace.traceEvents[i]);
          if (text.length > 1 << 20) {
            await write(text);
            text = '';
          }
        }
        await write(text + '\n]}\n');
        items = trace.traceEvents.length;
        progress('writing', 1, 1);
        break;
      }
    }
    check();
    // A sync or close that fails (delayed allocation on a full disk) fails the export.
    await disk(() => fh.sync());
    await disk(() => fh.close());
    await disk(() => rename(tmp, opts.path));
    return { format: opts.format, path: opts.path, bytes, items };
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    if (writeError !== null && err === writeError) throw new WriteFailedError(opts.path, err, 'was not written (the partial file was removed)');
    throw err;
  }
}

interface GifEncoderLike {
  writeFrame(index: Uint8Array, w: number, h: number, o: Record<string, unknown>): void;
  finish(): void;
  bytesView(): Uint8Array;
}

/** gifenc is CommonJS in Node and ESM in bundlers: find its GIFEncoder either way. */
function gifEncoderCtor(): () => GifEncoderLike {
  const m = gifenc as unknown as Record<string, any>;
  const f = m.GIFEncoder ?? m.default?.GIFEncoder ?? m.default;
  if (typeof f !== 'function') throw new Error('gifenc: GIFEncoder not found');
  return f;
}
