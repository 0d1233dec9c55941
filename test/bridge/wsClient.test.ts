/**
 * The one WebSocket client (createWsClient in src/shared/api.ts) against a real `ws` server on
 * loopback: connection states, connection listeners, pending calls rejected in words when the
 * server goes away or refuses the page, once only, and the base64 decoder's two paths.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { ApiError, createWsClient, type ConnectionState, type ServiceEvent } from '../../src/shared/api';
import { packMessage } from '../../src/shared/wireFrame';

const servers: WebSocketServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

/** A server on 127.0.0.1, port 0; `onMessage` sees each parsed request with its socket. */
async function server(onMessage: (sock: WebSocket, msg: { id: number; method: string; params?: unknown }) => void): Promise<{ url: string; sockets: WebSocket[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(wss);
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const sockets: WebSocket[] = [];
  wss.on('connection', (sock) => {
    sockets.push(sock);
    sock.on('message', (d) => onMessage(sock, JSON.parse(String(d))));
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws?token=t`, sockets };
}

/** Resolves with the request once the server has it (so the call is pending on the client). */
function received(): { got: Promise<{ sock: WebSocket; id: number; method: string }>; handler: (sock: WebSocket, m: { id: number; method: string }) => void } {
  let resolve!: (v: { sock: WebSocket; id: number; method: string }) => void;
  const got = new Promise<{ sock: WebSocket; id: number; method: string }>((r) => (resolve = r));
  return { got, handler: (sock, m) => resolve({ sock, id: m.id, method: m.method }) };
}

describe('createWsClient', () => {
  it('goes connecting → open → closed, tells its listeners, and rejects pending calls in words on a normal close', async () => {
    const r = received();
    const { url } = await server(r.handler);
    const api = createWsClient(url, WebSocket as never);
    const seen: ConnectionState[] = [];
    api.onConnection((s) => seen.push(s));
    expect(api.state()).toBe('connecting');
    const queued = api.listPorts(); // made before the socket opens: queued, then sent
    await api.ready;
    expect(api.state()).toBe('open');
    expect(seen).toEqual(['open']);
    const { sock, method } = await r.got;
    expect(method).toBe('listPorts');
    sock.close(1000, 'bye');
    const err = await queued.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      code: 'INTERNAL',
      message: 'The connection to HeapScope was closed.',
      fix: 'Check that `heapscope serve` is still running, then reload the page (the URL with its token).',
    });
    expect(api.state()).toBe('closed');
    expect(seen).toEqual(['open', 'closed']);
    // Later calls fail at once, with the same words.
    await expect(api.getStatus()).rejects.toMatchObject({ message: 'The connection to HeapScope was closed.' });
    // Closing again changes nothing and tells nobody.
    api.close();
    await new Promise((res) => setTimeout(res, 50));
    expect(seen).toEqual(['open', 'closed']);
  });

  it('says the page was refused when the server closes with 4401', async () => {
    const r = received();
    const { url } = await server(r.handler);
    const api = createWsClient(url, WebSocket as never);
    const seen: ConnectionState[] = [];
    const off = api.onConnection((s) => seen.push(s));
    await api.ready;
    const pending = api.getSessionInfo();
    const { sock } = await r.got;
    sock.close(4401, 'token');
    await expect(pending).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'HeapScope refused this page (the token is missing or wrong).',
      fix: expect.stringContaining('`heapscope serve` printed'),
    });
    await expect(api.listDemos()).rejects.toMatchObject({ message: 'HeapScope refused this page (the token is missing or wrong).' });
    expect(seen).toEqual(['open', 'closed']);
    off();
  });

  it('fails once when nothing listens (error, then close): ready rejects, one "closed"', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const port = (wss.address() as AddressInfo).port;
    await new Promise<void>((r) => wss.close(() => r()));
    const api = createWsClient(`ws://127.0.0.1:${port}/ws?token=t`, WebSocket as never);
    const seen: ConnectionState[] = [];
    api.onConnection((s) => seen.push(s));
    const call = api.getStatus();
    await expect(api.ready).rejects.toMatchObject({ message: 'Could not reach HeapScope.' });
    await expect(call).rejects.toMatchObject({ message: 'Could not reach HeapScope.' });
    await new Promise((res) => setTimeout(res, 50)); // the 'close' after the 'error'
    expect(api.state()).toBe('closed');
    expect(seen).toEqual(['closed']);
  });

  it('answers calls, passes pushed events, and decodes snapshot kinds', async () => {
    const { url, sockets } = await server((sock, m) => {
      if (m.method === 'getStatus') sock.send(JSON.stringify({ id: m.id, ok: true, result: { apiVersion: 1, dialogs: false, recording: null, session: null } }));
      else if (m.method === 'getSnapshot') sock.send(packMessage({ id: m.id, ok: true, result: { index: 0, blockSize: 16, addressStyle: null, areas: [{ address: '0x20000000', blocks: 3, kinds: Uint8Array.of(1, 2, 3) }] } }));
      else sock.send(JSON.stringify({ id: m.id, ok: false, error: { code: 'NOT_FOUND', message: 'No such thing.', fix: 'Look elsewhere.' } }));
    });
    const api = createWsClient(url, WebSocket as never);
    const events: ServiceEvent[] = [];
    const off = api.onEvent((e) => events.push(e));
    expect(await api.getStatus()).toMatchObject({ apiVersion: 1, bridge: 'ws' });
    const snap = await api.getSnapshot({ index: 0 });
    expect(snap.areas[0].kinds).toBeInstanceOf(Uint8Array);
    expect([...snap.areas[0].kinds]).toEqual([1, 2, 3]);
    await expect(api.openSession({ path: '/nope' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'No such thing.', fix: 'Look elsewhere.' });
    sockets[0].send(JSON.stringify({ event: { type: 'menu', command: 'pinA' } }));
    await new Promise((res) => setTimeout(res, 50));
    expect(events).toEqual([{ type: 'menu', command: 'pinA' }]);
    off();
    sockets[0].send(JSON.stringify({ event: { type: 'menu', command: 'pinB' } }));
    await new Promise((res) => setTimeout(res, 50));
    expect(events.length).toBe(1);
    api.close();
  });
});
