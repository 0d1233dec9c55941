/**
 * Files from the browser, by content: a browser hands over a dropped or picked file's bytes,
 * never its place on disk. `POST /upload?name=NAME` (behind the same token and Origin checks as
 * everything else, plus a header a cross-site form cannot send) streams the body into a new file
 * in HeapScope's uploads folder, bounded in size, and answers with that file's path; the page
 * then opens it like any other (a session, or a capture read as one).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MAX_UPLOAD_BYTES, UPLOAD_HEADER, UPLOAD_PATH } from '../../shared/upload';

export { UPLOAD_PATH, UPLOAD_HEADER, MAX_UPLOAD_BYTES };

/** A file name safe to keep: letters, digits, dot, dash, underscore; at most 100 characters. */
export function safeUploadName(name: string | null): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(-100);
  return safe || 'upload';
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(JSON.stringify(body));
}

/** Handles `POST /upload`; the request has passed the bridge's token and Origin checks. */
export async function handleUpload(req: IncomingMessage, res: ServerResponse, dir: string, maxBytes = MAX_UPLOAD_BYTES): Promise<void> {
  const refuse = (status: number, message: string) => {
    // Do not read a refused body: close the connection after answering.
    res.setHeader('Connection', 'close');
    answer(res, status, { ok: false, error: { code: 'BAD_REQUEST', message } });
  };
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return refuse(405, 'Uploads are POSTed.');
  }
  if (req.headers[UPLOAD_HEADER] !== '1') return refuse(403, 'Not an upload from HeapScope’s page.');
  const declared = Number(req.headers['content-length']);
  if (req.headers['content-length'] === undefined || !Number.isSafeInteger(declared) || declared < 0) {
    return refuse(411, 'An upload must say its length (Content-Length).');
  }
  if (declared > maxBytes) {
    return refuse(413, `The file is ${declared} bytes; HeapScope accepts files up to ${maxBytes} bytes (${Math.round(maxBytes / 1048576)} MB) from a browser.`);
  }
  let name: string | null = null;
  try {
    name = new URL(req.url ?? '/', 'http://x').searchParams.get('name');
  } catch {
    name = null;
  }
  await mkdir(dir, { recursive: true });
  // A new file every time: never replaces one already there ('wx').
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}-${safeUploadName(name)}`);
  let received = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      if (received > declared) cb(new Error('more bytes than Content-Length said'));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(req, count, createWriteStream(file, { flags: 'wx' }));
    if (received !== declared) throw new Error(`the upload ended after ${received} of ${declared} bytes`);
  } catch (err) {
    await unlink(file).catch(() => undefined);
    if (!res.headersSent && !res.destroyed) refuse(400, `The upload did not complete: ${(err as Error).message}.`);
    return;
  }
  answer(res, 200, { ok: true, path: file, bytes: received });
}
