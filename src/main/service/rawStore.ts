/**
 * The plain-capture store: a "session" is the raw capture text itself, indexed in memory when
 * opened. Every capture a user brings opens through this; it is also the fallback store for
 * recordings when the session-file module is not available.
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { writeFileWhole } from '../session/files';
import { openRegular } from '../session/files';
import { basename } from 'node:path';
import type { SessionMeta } from '../../shared/api';
import type { IndexDelta } from './indexBuilder';
import type { JobHooks, LiveSession, SessionStore } from './backends';
import { MemorySession, type SessionView } from './sessionView';
import { CancelledError } from './errors';
import { FEED_SLICE } from '../../shared/capture/captureReader';

const CHUNK = 1 << 20;

/**
 * The largest capture opened in memory. A larger one is refused with words saying to import it
 * (a session is read a piece at a time): the whole capture and its index live in memory here.
 */
export const MAX_OPEN_CAPTURE = 256 << 20;

/** Reads a whole regular file, without holding the event loop; refuses FIFOs, devices, giants. */
async function readCaptureFile(path: string): Promise<{ bytes: Uint8Array; mtimeMs: number }> {
  const { fh, size } = await openRegular(path, MAX_OPEN_CAPTURE);
  try {
    const bytes = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await fh.read(bytes, got, Math.min(CHUNK, size - got), got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { bytes: got === size ? bytes : bytes.subarray(0, got), mtimeMs: (await fh.stat()).mtimeMs };
  } finally {
    await fh.close();
  }
}

/** Indexes capture bytes in memory, in chunks, with progress and cancel. */
export async function indexCapture(bytes: Uint8Array, meta: SessionMeta, hooks: JobHooks = {}): Promise<MemorySession> {
  const s = new MemorySession(meta, bytes);
  for (let off = 0; off < bytes.length; off += CHUNK) {
    if (hooks.signal?.aborted) throw new CancelledError('The import');
    // Fed a slice at a time: the events a slice makes are garbage before the next (a 1 MiB chunk
    // of short lines made ~120,000 events at once, which outlived the young generation).
    const end = Math.min(bytes.length, off + CHUNK);
    for (let o = off; o < end; o += FEED_SLICE) s.feed(bytes.subarray(o, Math.min(end, o + FEED_SLICE)));
    hooks.onProgress?.('reading', Math.min(bytes.length, off + CHUNK), bytes.length);
    // Let other work (a cancel, a progress push) through between chunks.
    if (bytes.length > CHUNK) await new Promise((r) => setImmediate(r));
  }
  s.end();
  s.meta.live = false;
  return s;
}

export function captureMeta(path: string, source: SessionMeta['source'], rawBytes: number, origin?: string): SessionMeta {
  const meta: SessionMeta = { path, name: basename(path), source, createdAt: Date.now(), rawBytes, live: false };
  if (origin !== undefined) meta.origin = origin;
  return meta;
}

export async function openCapture(path: string, hooks: JobHooks = {}): Promise<MemorySession> {
  const { bytes, mtimeMs } = await readCaptureFile(path);
  const meta = captureMeta(path, 'import', bytes.length, path);
  meta.createdAt = mtimeMs;
  return indexCapture(bytes, meta, hooks);
}

/** A live recording written as raw capture text, appended as bytes arrive. */
export class RawLiveSession implements LiveSession {
  readonly view: MemorySession;
  private pending: Uint8Array[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly fh: FileHandle,
    meta: SessionMeta,
  ) {
    this.view = new MemorySession(meta);
    // Flushed at least every second (a kill loses at most the last second).
    this.timer = setInterval(() => void this.flush(), 250);
    this.timer.unref?.();
  }

  feed(chunk: Uint8Array, hostMs: number): IndexDelta {
    this.pending.push(chunk.slice());
    return this.view.feed(chunk, hostMs);
  }

  gap(reason: string, hostMsStart: number, hostMsEnd: number | null): IndexDelta {
    const lines = this.view.index.lines;
    const last = lines.length ? { line: lines.lineOf(lines.length - 1) } : undefined;
    return this.view.addEvents(
      [{ type: 'gap', reason, hostMsStart, hostMsEnd, line: last ? last.line + 1 : 1, byteOffset: this.view.rawLength() }],
      hostMsStart,
    );
  }

  mark(label: string, hostMs: number): IndexDelta {
    const lines = this.view.index.lines;
    const last = lines.length ? { line: lines.lineOf(lines.length - 1) } : undefined;
    return this.view.addEvents(
      [{ type: 'mark', label, deviceMs: null, line: last ? last.line + 1 : 1, byteOffset: this.view.rawLength() }],
      hostMs,
    );
  }

  setBoard(board: SessionMeta['board']): void {
    if (board) this.view.meta.board = board;
  }

  private flush(): Promise<void> {
    if (this.pending.length === 0) return this.writing;
    const parts = this.pending;
    this.pending = [];
    let n = 0;
    for (const p of parts) n += p.length;
    const buf = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      buf.set(p, o);
      o += p.length;
    }
    this.writing = this.writing.then(async () => {
      await this.fh.write(buf);
    });
    return this.writing;
  }

  async finish(): Promise<IndexDelta> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
    await this.fh.sync().catch(() => undefined);
    await this.fh.close();
    return this.view.end();
  }
}

/** Bytes copied at a time by saveAs. */
const COPY_CHUNK = 1 << 20;

export class RawCaptureStore implements SessionStore {
  readonly extension = '.txt';

  async open(path: string, hooks?: JobHooks): Promise<SessionView> {
    return openCapture(path, hooks);
  }

  async importCapture(capturePath: string, sessionPath: string, hooks?: JobHooks): Promise<SessionView> {
    const { bytes } = await readCaptureFile(capturePath);
    const meta = captureMeta(sessionPath, 'import', bytes.length, capturePath);
    const s = await indexCapture(bytes, meta, hooks);
    // Complete or an error naming the file; never a half-written copy (see writeFileWhole).
    if (sessionPath !== capturePath) await writeFileWhole(sessionPath, (write) => write(bytes));
    return s;
  }

  async createLive(sessionPath: string, meta: SessionMeta): Promise<LiveSession> {
    const fh = await openFile(sessionPath, 'wx');
    return new RawLiveSession(fh, meta);
  }

  async saveAs(view: SessionView, path: string): Promise<void> {
    await writeFileWhole(path, async (write) => {
      const n = view.rawLength();
      for (let off = 0; off < n; off += COPY_CHUNK) await write(await view.readRaw(off, Math.min(n, off + COPY_CHUNK)));
    });
  }
}
