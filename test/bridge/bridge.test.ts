/**
 * The browser bridge: token and Origin policy over real HTTP and WebSocket connections on
 * loopback, loopback-only listening, zod validation of every message, and the service end to
 * end through the WebSocket client the renderer uses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testService } from '../support/service';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { PNG } from 'pngjs';
import { createWsClient, type ServiceEvent } from '../../src/shared/api';
import { startBridge, resolveStatic, type Bridge } from '../../src/main/bridge/server';
import { checkRequest, isLoopback, allowedHosts } from '../../src/main/bridge/policy';
import { HeapScopeService, RawCaptureStore, SessionFileStore } from '../../src/main/service';
import { frameLayout } from '../../src/main/export/frame';

import { CORPUS } from '../support/corpus';

let dir: string;
let staticDir: string;
let bridge: Bridge;
let service: HeapScopeService;

function http(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: bridge.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves 'open' or the HTTP status it was refused with. */
function wsStatus(path: string, headers: Record<string, string> = {}): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}${path}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

function wsRaw(): Promise<{ ws: WebSocket; next(): Promise<any> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`);
    const queue: any[] = [];
    const waiters: ((m: any) => void)[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.event) return; // pushed events are not answers
      const w = waiters.shift();
      if (w) w(m);
      else queue.push(m);
    });
    ws.on('open', () =>
      resolve({ ws, next: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r))) }),
    );
    ws.on('error', reject);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hs-bridge-'));
  staticDir = join(dir, 'renderer');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'secret');
  service = testService(dir, { bridge: 'ws' });
  bridge = await startBridge({ service, staticDir });
});

afterAll(async () => {
  await bridge?.close();
  await service?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP policy', () => {
  it('prints a loopback URL with the token', () => {
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/?token=${bridge.token}`);
    expect(bridge.token.length).toBeGreaterThanOrEqual(32);
    expect(bridge.host).toBe('127.0.0.1');
  });

  it('serves the page with the right token (200), with a CSP, and sets no cookie', async () => {
    const r = await http(`/?token=${bridge.token}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<!doctype html>');
    expect(String(r.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(String(r.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    // A cookie would reach every other server on 127.0.0.1: the token lives in the URL only.
    expect(r.headers['set-cookie']).toBeUndefined();
    // The page's assets (by relative URL, without the query) need no token.
    const a = await http('/assets/app.js');
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toContain('javascript');
    expect(a.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(a.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a missing or wrong token with 401', async () => {
    expect((await http('/')).status).toBe(401);
    expect((await http('/index.html')).status).toBe(401);
    expect((await http('/health')).status).toBe(401);
    expect((await http('/some/app/route')).status).toBe(401);
    expect((await http('/assets/missing.js')).status).toBe(401);
    expect((await http('/?token=wrong')).status).toBe(401);
    expect((await http(`/?token=${bridge.token}x`)).status).toBe(401);
    // A cookie does not count, whatever its name.
    expect((await http('/', { Cookie: `heapscope_token_${bridge.port}=${bridge.token}` })).status).toBe(401);
  });

  it('checks Host and Origin on assets too', async () => {
    expect((await http('/assets/app.js', { Host: `evil.example:${bridge.port}` })).status).toBe(403);
    expect((await http('/assets/app.js', { Origin: 'http://evil.example' })).status).toBe(403);
  });

  it('refuses a foreign Origin or Host with 403, even with the token', async () => {
    const t = `/?token=${bridge.token}`;
    expect((await http(t, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await http(t, { Origin: `http://127.0.0.1:${bridge.port + 1}` })).status).toBe(403);
    expect((await http(t, { Origin: 'null' })).status).toBe(403);
    expect((await http(t, { Host: `evil.example:${bridge.port}` })).status).toBe(403); // DNS rebinding
    expect((await http(t, { Origin: `http://127.0.0.1:${bridge.port}` })).status).toBe(200);
    expect((await http(t, { Origin: `http://localhost:${bridge.port}`, Host: `localhost:${bridge.port}` })).status).toBe(200);
  });

  it('does not serve files outside the renderer, nor other methods', async () => {
    expect((await http(`/../secret.txt?token=${bridge.token}`)).status).not.toBe(200);
    expect((await http(`/%2e%2e/secret.txt?token=${bridge.token}`)).status).toBe(404);
    expect(resolveStatic(staticDir, '/../secret.txt')).toBeNull();
    expect(resolveStatic(staticDir, '/%2e%2e%2fsecret.txt')).toBeNull();
    expect((await http(`/?token=${bridge.token}`, {}, 'POST')).status).toBe(405);
  });
});

describe('WebSocket policy', () => {
  it('opens with the token and a same-origin Origin (or none)', async () => {
    expect(await wsStatus(`/ws?token=${bridge.token}`)).toBe('open');
    expect(await wsStatus(`/ws?token=${bridge.token}`, { Origin: `http://127.0.0.1:${bridge.port}` })).toBe('open');
  });
  it('refuses a missing or wrong token with 401', async () => {
    expect(await wsStatus('/ws')).toBe(401);
    expect(await wsStatus('/ws?token=nope')).toBe(401);
  });
  it('refuses a foreign Origin with 403', async () => {
    expect(await wsStatus(`/ws?token=${bridge.token}`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await wsStatus(`/ws?token=${bridge.token}`, { Origin: 'https://127.0.0.1' })).toBe(403);
  });
});

describe('listening', () => {
  it('listens on loopback only, and refuses anything else unless told', async () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('192.168.1.5')).toBe(false);
    await expect(startBridge({ service, staticDir, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
    await expect(startBridge({ service, staticDir, host: '192.168.1.5' })).rejects.toThrow(/loopback/);
    expect(allowedHosts('127.0.0.1')).toContain('127.0.0.1');
  });

  it('policy: host and origin checks are exact', () => {
    const cfg = { token: 'T', port: 4000, hosts: allowedHosts('127.0.0.1') };
    expect(checkRequest(cfg, '/?token=T', { host: '127.0.0.1:4000' })).toEqual({ ok: true });
    expect(checkRequest(cfg, '/?token=T', { host: '127.0.0.1:4001' })).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest(cfg, '/?token=T', { host: '127.0.0.1.evil.example:4000' })).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest(cfg, '/?token=T', { host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000.evil.example' })).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest(cfg, '/', { host: '127.0.0.1:4000' })).toMatchObject({ ok: false, status: 401 });
    expect(checkRequest(cfg, '/?token=', { host: '127.0.0.1:4000' })).toMatchObject({ ok: false, status: 401 });
  });
});

describe('messages', () => {
  it('rejects malformed messages and bad payloads with a clear error', async () => {
    const { ws, next } = await wsRaw();
    ws.send('not json');
    let r = await next();
    expect(r).toMatchObject({ id: null, ok: false, error: { code: 'BAD_REQUEST' } });
    expect(r.error.message).toMatch(/JSON/);

    ws.send(JSON.stringify({ method: 'listPorts' }));
    r = await next();
    expect(r.ok).toBe(false);
    expect(r.error.message).toMatch(/id/);

    ws.send(JSON.stringify({ id: 1, method: 'deleteEverything', params: {} }));
    r = await next();
    expect(r).toMatchObject({ id: 1, ok: false, error: { code: 'UNKNOWN_METHOD' } });

    ws.send(JSON.stringify({ id: 2, method: 'getSnapshot', params: { index: 'zero' } }));
    r = await next();
    expect(r).toMatchObject({ id: 2, ok: false, error: { code: 'BAD_REQUEST' } });
    expect(r.error.message).toMatch(/index/);

    ws.send(JSON.stringify({ id: 3, method: 'exportSession', params: { format: 'csv', path: 'a\u0000b' } }));
    r = await next();
    expect(r).toMatchObject({ id: 3, ok: false, error: { code: 'BAD_REQUEST' } });

    ws.send(JSON.stringify({ id: 4, method: 'getStatus', extra: true }));
    r = await next();
    expect(r).toMatchObject({ id: 4, ok: false, error: { code: 'BAD_REQUEST' } });

    ws.send(JSON.stringify({ id: 5, method: 'getStatus' }));
    r = await next();
    expect(r).toMatchObject({ id: 5, ok: true, result: { apiVersion: 1, bridge: 'ws', dialogs: false } });
    ws.close();
  });

  it('serves the API end to end through the renderer client', async () => {
    const api = createWsClient(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, WebSocket as never);
    const events: ServiceEvent[] = [];
    api.onEvent((e) => events.push(e));
    await api.ready;
    const ports = await api.listPorts();
    expect(ports.some((p) => p.kind === 'virtual')).toBe(true);
    const src = join(CORPUS, '025-esp32-v1.21plus-split-heap-two-areas.txt');
    const meta = await api.importCapture({ path: src, sessionPath: join(dir, 'ws.hss') });
    expect(meta.name).toBe('ws.hss');
    const info = await api.getSessionInfo();
    expect(info.snapshots.length).toBe(1);
    expect(info.snapshots[0].areas.length).toBe(2);
    const snap = await api.getSnapshot({ index: 0 });
    expect(snap.areas[0].kinds).toBeInstanceOf(Uint8Array);
    expect(snap.areas[0].kinds.length).toBe(snap.areas[0].blocks);
    expect(snap.areas[1].kinds.length).toBe(snap.areas[1].blocks);
    // Typed arrays of every width come through the binary messages as themselves.
    const series = await api.getFrameSeries();
    expect(series.frames).toBe(1);
    expect(series.timeMs).toBeInstanceOf(Float64Array);
    expect(series.logLine).toBeInstanceOf(Uint32Array);
    expect(series.usedBytes[0]).toBe(info.snapshots[0].metrics.usedBytes);
    expect(series.fragmentation[0]).toBeCloseTo(info.snapshots[0].metrics.fragmentation, 5);
    expect(events.some((e) => e.type === 'session')).toBe(true);
    const png = await api.exportSession({ format: 'png', path: join(dir, 'ws.png') });
    const img = PNG.sync.read(readFileSync(png.path));
    const l = frameLayout(info.snapshots[0].areas, 4);
    // The map, with room for its caption, addresses and legend; never narrower than 640 px.
    expect(img.width).toBeGreaterThanOrEqual(Math.max(640, l.width));
    expect(img.height).toBeGreaterThan(l.height);
    const raw = await api.exportSession({ format: 'raw', path: join(dir, 'ws.txt') });
    expect(Buffer.compare(readFileSync(raw.path), readFileSync(src))).toBe(0);
    await expect(api.getSnapshot({ index: 5 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(api.chooseFile({ mode: 'open', purpose: 'session' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    api.close();
  });
});

describe('heapscope serve', () => {
  it('prints the URL first, serves with the token, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/heapscope.mjs', 'serve', '--no-build', '--session', join(CORPUS, '022-rp2-v1.23plus-picow-after-soft-reset.txt')], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, HEAPSCOPE_HOME: join(dir, 'serve-home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const first = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no URL; stderr: ${err}`)), 30_000);
      child.stdout.on('data', (d) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(t);
          resolve(out.slice(0, nl));
        }
      });
    });
    expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32,}$/);
    const u = new URL(first);
    const token = u.searchParams.get('token')!;
    const api = createWsClient(`ws://127.0.0.1:${u.port}/ws?token=${token}`, WebSocket as never);
    const info = await api.getSessionInfo();
    expect(info.snapshots.length).toBe(1);
    api.close();
    const status = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port: Number(u.port), path: '/' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.end();
    });
    expect(status).toBe(401);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
  });
});

describe('live over the WebSocket', () => {
  // The latency figure itself is measured by `npm run bench -- renderer` (live); here only that
  // dumps are pushed as they arrive (not held until the stop), each with its map.
  it('pushes each dump to the browser as it arrives, map included', async () => {
    const text = readFileSync(join(CORPUS, '022-rp2-v1.23plus-picow-after-soft-reset.txt'));
    let timer: ReturnType<typeof setInterval> | null = null;
    const svc = new HeapScopeService({
      dataDir: join(dir, 'live-data'),
      store: new SessionFileStore(),
      captureStore: new RawCaptureStore(),
      bridge: 'ws',
      recorder: {
        async start(_req, hooks) {
          hooks.phase('recording', 'Recording.');
          let n = 0;
          // A dump every 40 ms, in 3 chunks, then a line so the bare dump ends.
          timer = setInterval(() => {
            const part = n % 4;
            const third = Math.ceil(text.length / 3);
            const chunk = part < 3 ? text.subarray(part * third, (part + 1) * third) : Buffer.from(`tick ${n}\r\n`);
            hooks.data(new Uint8Array(chunk), Date.now());
            n++;
          }, 10);
          return { stop: async () => void (timer && clearInterval(timer)) };
        },
      },
    });
    const b = await startBridge({ service: svc, staticDir: null });
    const client = createWsClient(`ws://127.0.0.1:${b.port}/ws?token=${b.token}`, WebSocket as never);
    const lags: number[] = [];
    let withMap = 0;
    client.onEvent((e) => {
      if (e.type === 'snapshot') {
        lags.push(Date.now() - (e.entry.hostMs ?? 0));
        if (e.data.areas[0]?.kinds instanceof Uint8Array && e.data.areas[0].kinds.length === e.data.areas[0].blocks) withMap++;
      }
    });
    await client.ready;
    await client.startRecording({ port: 'virtual', run: { kind: 'attach' }, periodMs: 100, collect: false, sessionPath: join(dir, 'ws-live.hss') });
    const t0 = Date.now();
    while (lags.length < 5 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    await client.stopRecording();
    client.close();
    await b.close();
    await svc.dispose();
    expect(lags.length).toBeGreaterThanOrEqual(5);
    expect(withMap).toBe(lags.length);
    expect(Math.max(...lags)).toBeLessThan(3000);
  });
});

// The film strip's bytes travel as base64 and arrive as a Uint8Array, equal to the in-process answer.
describe('getFilmStrip over the WebSocket', () => {
  it('arrives as a Uint8Array, the same bytes as in process', async () => {
    const part = (f: string) => readFileSync(join(CORPUS, f), 'utf8').trimEnd();
    const capture = join(dir, 'three.txt');
    writeFileSync(
      capture,
      [part('022-rp2-v1.23plus-picow-after-soft-reset.txt'), part('024-rp2-v1.23plus-picow-heap-nearly-full.txt'), part('025-esp32-v1.21plus-split-heap-two-areas.txt'), ''].join('\r\n'),
    );
    const api = createWsClient(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, WebSocket as never);
    await api.ready;
    await api.openSession({ path: capture });
    const strip = await api.getFilmStrip({ columns: 500, rows: 200 });
    expect(strip.frames).toEqual([0, 1, 2]);
    expect(strip.rows).toBe(200);
    expect(strip.data).toBeInstanceOf(Uint8Array);
    expect(strip.data.length).toBe(3 * 200);
    const direct = await service.getFilmStrip({ columns: 500, rows: 200 });
    expect(Buffer.from(strip.data)).toEqual(Buffer.from(direct.data));
    await expect(api.getFilmStrip({ columns: 500, rows: 2 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    api.close();
  });
});

// The frame series' typed arrays travel as base64 of their bytes and arrive as the same typed arrays.
describe('getFrameSeries over the WebSocket', () => {
  it('arrives as typed arrays, equal to the in-process answer', async () => {
    const part = (f: string) => readFileSync(join(CORPUS, f), 'utf8').trimEnd();
    const capture = join(dir, 'series.txt');
    writeFileSync(
      capture,
      [part('022-rp2-v1.23plus-picow-after-soft-reset.txt'), 'tick 1', part('024-rp2-v1.23plus-picow-heap-nearly-full.txt'), 'MemoryError: memory allocation failed, allocating 582 bytes', part('022-rp2-v1.23plus-picow-after-soft-reset.txt'), ''].join('\r\n'),
    );
    const api = createWsClient(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, WebSocket as never);
    await api.ready;
    await api.openSession({ path: capture });
    const over = await api.getFrameSeries();
    const direct = await service.getFrameSeries();
    expect(over.frames).toBe(3);
    expect(over.usedBytes).toBeInstanceOf(Float32Array);
    expect(over.timeMs).toBeInstanceOf(Float64Array);
    expect(over.logLine).toBeInstanceOf(Uint32Array);
    for (const k of ['usedBytes', 'freeBytes', 'largestFreeBytes', 'fragmentation', 'timeMs', 'logLine'] as const) {
      expect(Array.from(over[k]), k).toEqual(Array.from(direct[k]));
    }
    expect(over.usedBytes[1]).toBeGreaterThan(over.usedBytes[0]);
    expect(over.events).toEqual(direct.events);
    expect(over.events.some((e) => e.kind === 'memoryError')).toBe(true);
    expect(over.logLineCount).toBe(direct.logLineCount);
    api.close();
  });
});

// getObjects is plain JSON (columns of numbers, one string of kind letters): it arrives as the service gave it.
describe('getObjects over the WebSocket', () => {
  it('is the in-process answer, and a bad frame is refused in words', async () => {
    const capture = new URL('../lifetimes/fixtures/leak-demo.txt', import.meta.url).pathname;
    const api = createWsClient(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, WebSocket as never);
    await api.ready;
    await api.openSession({ path: capture });
    const over = await api.getObjects({ frame: 60, from: 20 });
    const direct = await service.getObjects({ frame: 60, from: 20 });
    expect(over).toEqual(direct);
    expect(over.compare!.added.area.length).toBeGreaterThan(0);
    await expect(api.getObjects({ frame: -1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(api.getObjects({ frame: 1e6 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    api.close();
  });
});
