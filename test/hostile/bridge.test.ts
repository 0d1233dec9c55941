/**
 * Issue 9, points 1 and 2: no request kills the bridge, and the token goes nowhere but this
 * server. Against a real `heapscope serve` process over real sockets, then a fuzz of the HTTP
 * and upgrade handlers with random paths, headers and cookies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createWsClient } from '../../src/shared/api';
import { startBridge, type Bridge } from '../../src/main/bridge/server';
import { testService } from '../support/service';
import { FIXTURES, rawStatus, startServe, upgradeRequest, type Served } from './support';

let dir: string;
let served: Served;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hs-hostile-bridge-'));
  served = await startServe(['--session', join(FIXTURES, 'dump.txt')], { HEAPSCOPE_HOME: join(dir, 'home') });
}, 90_000);

afterAll(async () => {
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const health = (s: Served) => rawStatus(s.port, `GET /health?token=${s.token} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`);

describe('heapscope serve survives hostile requests', () => {
  it('answers each with 400/401/403/404 and stays up, an open client still served', async () => {
    const s = served;
    const api = createWsClient(`ws://127.0.0.1:${s.port}/ws?token=${s.token}`, WebSocket as never);
    await api.ready;
    expect((await api.getSessionInfo()).snapshots.length).toBe(1);
    const cases: Array<[string, string | Buffer, number[]]> = [
      ['upgrade to //', upgradeRequest(s.port, '//'), [400]],
      ['upgrade to ///x', upgradeRequest(s.port, '///x'), [400, 401]],
      ['upgrade to http://[', upgradeRequest(s.port, 'http://['), [400]],
      ['upgrade with a cookie that is not percent-encoding', upgradeRequest(s.port, '/ws', [`Cookie: heapscope_token_${s.port}=%E0`]), [401]],
      ['upgrade with a token that is not percent-encoding', upgradeRequest(s.port, '/ws?token=%E0%ZZ'), [401]],
      ['upgrade with no Host', upgradeRequest(s.port, `/ws?token=${s.token}`).replace(/Host: [^\r]*\r\n/, ''), [403]],
      ['upgrade with a foreign Origin', upgradeRequest(s.port, `/ws?token=${s.token}`, ['Origin: http://127.0.0.1:1']), [403]],
      ['upgrade with a bad Origin', upgradeRequest(s.port, `/ws?token=${s.token}`, ['Origin: http://[']), [403]],
      ['upgrade elsewhere with the token', upgradeRequest(s.port, `/nope?token=${s.token}`), [404]],
      ['upgrade with a bad key', upgradeRequest(s.port, `/ws?token=${s.token}`).replace('dGhlIHNhbXBsZSBub25jZQ==', '%%%'), [400]],
      ['GET //', `GET // HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n\r\n`, [400]],
      ['GET // with the token', `GET //?token=${s.token} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n\r\n`, [400]],
      ['GET with a %E0 cookie', `GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nCookie: heapscope_token_${s.port}=%E0\r\n\r\n`, [401]],
      ['a header with a control byte', `GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nX: a\x01b\r\n\r\n`, [400]],
      ['not HTTP at all', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]), [400]],
      ['a request line of bytes', Buffer.concat([Buffer.from('GET /'), Buffer.from([0xe0, 0x80, 0xff]), Buffer.from(' HTTP/1.1\r\n\r\n')]), [400, 403]],
    ];
    for (const [what, bytes, expected] of cases) {
      const status = await rawStatus(s.port, bytes);
      expect(expected, `${what}: got ${status}`).toContain(status);
      expect(await health(s), `server down after: ${what}`).toBe(200);
    }
    // Messages: not JSON, binary, a deep JSON bomb, a wrong shape.
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws?token=${s.token}`);
    await new Promise((r) => ws.on('open', r));
    const answers: any[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (!m.event) answers.push(m);
    });
    ws.send('{"id": 1, "method"');
    ws.send(Buffer.from([0, 1, 2]), { binary: true });
    ws.send('['.repeat(100_000) + ']'.repeat(100_000));
    ws.send(JSON.stringify({ id: 2, method: '__proto__', params: {} }));
    ws.send(JSON.stringify({ id: 3, method: 'openSession', params: { path: { toString: 1 } } }));
    while (answers.length < 5) await new Promise((r) => setTimeout(r, 20));
    expect(answers.every((a) => a.ok === false)).toBe(true);
    ws.close();
    // The first client's connection was never cut.
    expect((await api.getSessionInfo()).snapshots.length).toBe(1);
    api.close();
    expect(s.child.exitCode).toBeNull();
  }, 120_000);

  it('sets no cookie: the token goes to no other server on 127.0.0.1', async () => {
    const s = served;
    const r = await new Promise<string>((resolve, reject) => {
      const sock = connect(s.port, '127.0.0.1');
      let got = '';
      sock.on('data', (d: Buffer) => (got += d));
      sock.on('close', () => resolve(got));
      sock.on('error', reject);
      sock.write(`GET /?token=${s.token} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`);
    });
    expect(r).toMatch(/^HTTP\/1\.1 200/);
    expect(r.toLowerCase()).not.toContain('set-cookie');
    expect(r).not.toContain(s.token);
  }, 30_000);
});

describe('fuzz: random paths, headers and cookies', () => {
  let fdir: string;
  let bridge: Bridge;
  let service: ReturnType<typeof testService>;
  beforeAll(async () => {
    fdir = mkdtempSync(join(tmpdir(), 'hs-hostile-fuzz-'));
    const staticDir = join(fdir, 'renderer');
    mkdirSync(join(staticDir, 'assets'), { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
    writeFileSync(join(staticDir, 'assets', 'app.js'), '1');
    service = testService(fdir, { bridge: 'ws' });
    bridge = await startBridge({ service, staticDir });
  });
  afterAll(async () => {
    await bridge?.close();
    await service?.dispose();
    rmSync(fdir, { recursive: true, force: true });
  });

  // Bytes a path or a header value may be made of: the tricky ones often.
  const tricky = fc.constantFrom('/', '//', '%', '%E0', '%00', '%2e%2e', '..', '?', '#', '[', ']', ':', '@', '\\', ';', '=', ' ', '\t', '\u00e9', '\ud800', 'ws', 'token', 'http://', '\r', '\n', '\0');
  const piece = fc.oneof(tricky, fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }));
  const text = fc.array(piece, { maxLength: 8 }).map((a) => a.join(''));

  it('HTTP and upgrade requests never get a 500, and the server stays up', async () => {
    const allowed = [101, 200, 400, 401, 403, 404, 405, 413, 414, 431];
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.boolean(),
        fc.array(fc.tuple(fc.constantFrom('Cookie', 'Origin', 'Host', 'X-A', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Upgrade'), text), { maxLength: 4 }),
        fc.boolean(),
        fc.option(text),
        async (path, upgrade, headers, withToken, cookie) => {
          // The cookie the bridge once read, with a random value.
          if (cookie !== null) headers = [...headers, ['Cookie', `heapscope_token_${bridge.port}=${cookie}`]];
          const p = (path.startsWith('/') ? path : '/' + path) + (withToken ? `${path.includes('?') ? '&' : '?'}token=${bridge.token}` : '');
          const lines = [`GET ${p} HTTP/1.1`];
          if (!headers.some(([k]) => k === 'Host')) lines.push(`Host: 127.0.0.1:${bridge.port}`);
          if (upgrade) lines.push('Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
          for (const [k, v] of headers) lines.push(`${k}: ${v}`);
          lines.push('Connection: close', '', '');
          const status = await rawStatus(bridge.port, Buffer.from(lines.join('\r\n'), 'utf8'));
          expect(allowed).toContain(status);
        },
      ),
      {
        numRuns: 300,
        // The two requests that killed the server, so every run tries them.
        examples: [
          ['//', true, [], false, null],
          ['/ws', true, [], false, '%E0'],
        ],
      },
    );
    const ok = await rawStatus(bridge.port, `GET /health?token=${bridge.token} HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\n\r\n`);
    expect(ok).toBe(200);
  }, 120_000);
});
