/**
 * A capture from elsewhere (a terminal log, a paste, a pi-mst `@@@` capture) made into a
 * session: its bytes are kept exactly and read with the capture parser, as a recording would.
 */
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { FEED_SLICE } from '../../shared/capture/captureReader';
import { builtRawCoderWorker } from './rawCoderClient';
import { idleCore } from './workerThreads';
import { SessionWriter, type SessionMeta, type SessionSummary, type SessionWriterOptions } from './writer';

const CHUNK = 1 << 20;
/**
 * Raw records the worker may owe before the next read waits (a ticket per FEED_SLICE: 4 MiB of
 * capture): the parse runs ahead of the coding by that much, and memory stays bounded.
 */
const OWED = 64;
export { FEED_SLICE };
/** A capture smaller than this is coded in this thread: a worker costs ~75 ms of CPU to start. */
const WORKER_FROM = 16 << 20;

/** Whether a second thread pays for this import now: a big enough capture and an idle core. */
export function secondThreadPays(bytes: number): boolean {
  return bytes >= WORKER_FROM && idleCore();
}

/** Feeds `bytes` to the writer in slices of FEED_SLICE. */
export function appendSliced(w: SessionWriter, bytes: Uint8Array, hostMs: number | null): void {
  for (let i = 0; i < bytes.length; i += FEED_SLICE) w.appendRaw(bytes.subarray(i, Math.min(bytes.length, i + FEED_SLICE)), hostMs);
}

/** Imports raw capture bytes, or the capture file at a path, into a new session file. */
export async function importCapture(
  source: Uint8Array | string,
  outPath: string,
  meta: SessionMeta = {},
  options: SessionWriterOptions = {},
): Promise<SessionSummary> {
  const m: SessionMeta = { source: typeof source === 'string' ? `import:${path.basename(source)}` : 'import', ...meta };
  // The raw coding in a worker when the compiled one is there (the CLI) and a second core is
  // free: the parse and the coding on two cores. `worker` in options decides it (undefined: in
  // this thread).
  const size = typeof source === 'string' ? statSync(source).size : source.length;
  const worker = 'worker' in options ? options.worker : secondThreadPays(size) ? (builtRawCoderWorker() ?? undefined) : undefined;
  // Its big index records' brotli on the thread pool, beside the parse (same bytes).
  const w = SessionWriter.create(outPath, m, { asyncIndex: true, ...options, worker });
  try {
    if (typeof source === 'string') {
      for await (const chunk of createReadStream(source, { highWaterMark: CHUNK })) {
        appendSliced(w, chunk as Buffer, null);
        await w.until(OWED);
      }
    } else {
      appendSliced(w, source, null);
    }
    return await w.closeAsync();
  } catch (err) {
    w.abandon();
    throw err;
  }
}
