/**
 * The browser bridge: the built renderer over HTTP and the service API over a WebSocket
 * (`/ws`), on 127.0.0.1 only unless told otherwise, behind a per-run token and an Origin
 * check (see policy.ts). Every message is validated with zod before it reaches the service.
 * No request can take the server down: whatever a handler meets (a URL that does not parse,
 * a header, a socket error) ends that one request with 400/401/403/404/500.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { isMethodName, wireRequestSchema, type ServiceError, type ServiceEvent } from '../../shared/api';
import { packMessage } from '../../shared/wireFrame';
import { toServiceError } from '../service/errors';
import { defaultDataDir } from '../service/recent';
import { handleUpload, UPLOAD_PATH } from './upload';
import { Downloads, DOWNLOAD_PATH } from './download';
import { allowedHosts, bridgeCsp, checkRequest, isLoopback, newToken, requestPath, type PolicyConfig } from './policy';

/** What the bridge needs from the service. */
export interface BridgeService {
  call(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (e: ServiceEvent) => void): () => void;
}

export interface BridgeOptions {
  service: BridgeService;
  /** The built renderer (index.html and assets). Null: API only, `/` says so. */
  staticDir: string | null;
  /** Default 127.0.0.1. Anything not loopback needs `allowRemote`. */
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Default: a fresh random token. */
  token?: string;
  allowRemote?: boolean;
  /** Largest WebSocket message accepted (bytes). */
  maxMessage?: number;
  /** Where files the browser uploads are kept (upload.ts). Default: uploads/ in HeapScope's data folder. */
  uploadDir?: string;
}

export interface Bridge {
  url: string;
  host: string;
  port: number;
  token: string;
  /** Open WebSocket clients. */
  clients(): number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Resolves a URL path inside `root`, or null if it escapes it. */
export function resolveStatic(root: string, urlPath: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  if (p.includes('\0')) return null;
  if (p === '/' || p === '') p = '/index.html';
  const full = normalize(join(root, p));
  const base = resolve(root);
  return full === base || full.startsWith(base + sep) ? full : null;
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

/** A file of the built renderer other than a page (script, style, font, image), or null. */
async function assetFile(root: string, urlPath: string): Promise<{ file: string; size: number } | null> {
  const file = resolveStatic(root, urlPath);
  if (!file || extname(file).toLowerCase() === '.html' || !Object.prototype.hasOwnProperty.call(TYPES, extname(file).toLowerCase())) return null;
  const st = await stat(file).catch(() => null);
  return st?.isFile() ? { file, size: st.size } : null;
}

function deny(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(text + '\n');
}

/** The answers that carry typed arrays (a snapshot's kinds, the frame series, a film strip). */
const BYTE_METHODS: ReadonlySet<string> = new Set(['getSnapshot', 'getFrameSeries', 'getFilmStrip']);

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.allowRemote) {
    throw new Error(`Refusing to listen on ${host}: the bridge listens on loopback only unless told to listen beyond it.`);
  }
  const token = opts.token ?? newToken();
  const cfg: PolicyConfig = { token, port: 0, hosts: allowedHosts(host) };
  const sockets = new Set<WebSocket>();
  const downloads = new Downloads();

  const server = createServer((req, res) => {
    void handleHttp(req, res).catch(() => {
      if (!res.headersSent) deny(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const path = requestPath(url);
    if (path === null) return deny(res, 400, 'Bad request: the URL does not parse.');
    const v = checkRequest(cfg, url, req.headers);
    // The page's own scripts and styles need no token (see policy.ts); the page itself does.
    const asset = !v.ok && v.status === 401 && opts.staticDir ? await assetFile(opts.staticDir, path) : null;
    if (!v.ok && !asset) {
      deny(res, v.status, v.status === 401 ? 'Unauthorized: open the URL that `heapscope serve` printed (it carries the token).' : REASONS[v.status]);
      return;
    }
    if (v.ok && path === UPLOAD_PATH) return handleUpload(req, res, opts.uploadDir ?? join(defaultDataDir(), 'uploads'));
    if (v.ok && path === DOWNLOAD_PATH) return downloads.handle(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      deny(res, 405, 'Method not allowed');
      return;
    }
    const headers: Record<string, string> = {
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    if (path === '/health') {
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ ok: true, app: 'heapscope' }));
      return;
    }
    if (!opts.staticDir) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('HeapScope bridge: the renderer is not built; the API is at /ws.\n');
      return;
    }
    if (asset) return sendFile(req, res, asset.file, asset.size, headers);
    let file = resolveStatic(opts.staticDir, path);
    if (!file) return deny(res, 404, 'Not found');
    let st = await stat(file).catch(() => null);
    if (st?.isDirectory()) {
      file = join(file, 'index.html');
      st = await stat(file).catch(() => null);
    }
    if (!st || !st.isFile()) {
      // A single-page app: unknown paths without an extension get the page.
      if (extname(path) === '') {
        file = join(opts.staticDir, 'index.html');
        st = await stat(file).catch(() => null);
      }
      if (!st || !st.isFile()) return deny(res, 404, 'Not found');
    }
    return sendFile(req, res, file, st.size, headers);
  }

  function sendFile(req: IncomingMessage, res: ServerResponse, file: string, size: number, headers: Record<string, string>): void {
    const ext = extname(file).toLowerCase();
    headers['Content-Type'] = TYPES[ext] ?? 'application/octet-stream';
    headers['Content-Length'] = String(size);
    if (ext === '.html') {
      headers['Content-Security-Policy'] = bridgeCsp(req.headers.host ?? `127.0.0.1:${cfg.port}`);
      headers['Cache-Control'] = 'no-store';
    } else {
      headers['Cache-Control'] = 'no-cache';
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessage ?? 1 << 20 });

  server.on('upgrade', (req, socket, head) => {
    // A reset or half-closed socket must not become an uncaught 'error'.
    socket.on('error', () => socket.destroy());
    const refuse = (status: number) => {
      if (!socket.writable) return void socket.destroy();
      socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    try {
      const url = req.url ?? '/';
      const path = requestPath(url);
      if (path === null) return refuse(400);
      const v = checkRequest(cfg, url, req.headers);
      if (!v.ok) return refuse(v.status);
      if (path !== '/ws') return refuse(404);
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch {
      refuse(500);
    }
  });
  // Bytes that are not HTTP at all: 400 and close (Node's default, but never a throw).
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  /**
   * A message as JSON text, or as one binary message when it carries bytes (wireFrame.ts): only
   * these answers and the live snapshot event do, and the rest need no walk for typed arrays.
   */
  const send = (ws: WebSocket, msg: { id?: number | null; event?: ServiceEvent; [k: string]: unknown }, bytes = false) => {
    if (ws.readyState !== ws.OPEN) return;
    let data: string | Uint8Array;
    try {
      data = bytes ? packMessage(msg) : JSON.stringify(msg);
    } catch (err) {
      // An event that cannot be carried is dropped; an answer says why (its caller is waiting).
      if (msg.event !== undefined) return;
      data = JSON.stringify({ id: msg.id ?? null, ok: false, error: { code: 'INTERNAL', message: `The answer could not be sent: ${(err as Error).message}.` } });
    }
    ws.send(data);
  };

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    const unsubscribe = opts.service.onEvent((e) => send(ws, { event: e }, e.type === 'snapshot'));
    ws.on('close', () => {
      sockets.delete(ws);
      unsubscribe();
    });
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      void (async () => {
        let id: number | null = null;
        const fail = (error: ServiceError) => send(ws, { id, ok: false, error });
        if (isBinary) return fail({ code: 'BAD_REQUEST', message: 'Binary messages are not accepted; send JSON text.' });
        let parsed: unknown;
        try {
          parsed = JSON.parse(String(data));
        } catch {
          return fail({ code: 'BAD_REQUEST', message: 'The message is not valid JSON.' });
        }
        if (parsed && typeof parsed === 'object' && typeof (parsed as { id?: unknown }).id === 'number') id = (parsed as { id: number }).id;
        const r = wireRequestSchema().safeParse(parsed);
        if (!r.success) {
          const what = r.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
          return fail({ code: 'BAD_REQUEST', message: `Malformed request: ${what}. Expected { id, method, params }.` });
        }
        id = r.data.id;
        const method = r.data.method;
        if (!isMethodName(method)) return fail({ code: 'UNKNOWN_METHOD', message: `Unknown method "${method}".` });
        try {
          const result = await opts.service.call(method, r.data.params);
          if (method === 'exportSession') downloads.allow(result);
          send(ws, { id, ok: true, result: result ?? null }, BYTE_METHODS.has(method));
        } catch (err) {
          fail(toServiceError(err));
        }
      })();
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  cfg.port = port;
  const urlHost = isLoopback(host) || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    host,
    port,
    token,
    clients: () => sockets.size,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
    },
  };
}
