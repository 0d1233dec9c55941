/**
 * A capture from elsewhere (a terminal log, a paste, a pi-mst `@@@` capture) made into a
 * session: its bytes are kept exactly and read with the capture parser, as a recording would.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { FEED_SLICE } from '../../shared/capture/captureReader';
import { SessionWriter, type SessionMeta, type SessionSummary, type SessionWriterOptions } from './writer';

const CHUNK = 1 << 20;
export { FEED_SLICE };

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
  const w = SessionWriter.create(outPath, m, options);
  try {
    if (typeof source === 'string') {
      for await (const chunk of createReadStream(source, { highWaterMark: CHUNK })) appendSliced(w, chunk as Buffer, null);
    } else {
      appendSliced(w, source, null);
    }
    return w.close();
  } catch (err) {
    w.abandon();
    throw err;
  }
}
