/**
 * Exports made from the browser window are written on HeapScope's computer, which may not be
 * the browser's: `GET /download?path=…` hands them to the browser as a download. Only a file
 * the service exported during this run is served (the bridge notes each exportSession result),
 * never any other path, and the list is bounded.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, resolve } from 'node:path';
import { DOWNLOAD_PATH } from '../../shared/upload';

export { DOWNLOAD_PATH };

const MAX_REMEMBERED = 1000;

const TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  png: 'image/png',
  gif: 'image/gif',
  txt: 'text/plain; charset=utf-8',
};

export class Downloads {
  private readonly allowed = new Set<string>();

  /** Notes an exportSession result's file as downloadable. */
  allow(result: unknown): void {
    const path = (result as { path?: unknown } | null)?.path;
    if (typeof path !== 'string' || !path) return;
    if (this.allowed.size >= MAX_REMEMBERED) this.allowed.delete(this.allowed.values().next().value as string);
    this.allowed.add(resolve(path));
  }

  /** Handles `GET /download`; the request has passed the bridge's token and Origin checks. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fail = (status: number, text: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.end(text + '\n');
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return fail(405, 'Method not allowed');
    }
    let path: string | null = null;
    try {
      path = new URL(req.url ?? '/', 'http://x').searchParams.get('path');
    } catch {
      path = null;
    }
    if (!path || !this.allowed.has(resolve(path))) return fail(404, 'Not an export made in this window.');
    const file = resolve(path);
    const st = await stat(file).catch(() => null);
    if (!st || !st.isFile()) return fail(404, 'The export is no longer on disk.');
    const name = basename(file);
    const ext = name.split('.').pop()?.toLowerCase() ?? '';
    res.writeHead(200, {
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Content-Length': String(st.size),
      // The name for the browser: ASCII fallback, and the exact name in UTF-8.
      'Content-Disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  }
}
