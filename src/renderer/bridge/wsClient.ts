/**
 * The service API over the WebSocket bridge (`heapscope serve`), for the renderer in a
 * browser: `ws://<same host>/ws?token=<the page's token>`. Same wire protocol as api.ts
 * (JSON text frames: `{id, method, params}` → `{id, ok, result|error}`, pushes `{event}`,
 * snapshot kinds as base64), written without the request schemas so the page does not ship
 * zod: the server validates every payload anyway.
 */
import type { HeapScopeApi, MethodName, ServiceError, ServiceEvent, SnapshotData } from '../../shared/api';

export const METHODS: MethodName[] = [
  'getStatus',
  'listPorts',
  'listDemos',
  'startRecording',
  'stopRecording',
  'addMark',
  'openSession',
  'importCapture',
  'closeSession',
  'saveSessionAs',
  'getSessionInfo',
  'getSnapshot',
  'getLogLines',
  'searchLog',
  'exportSession',
  'cancelJob',
  'recentSessions',
  'chooseFile',
];

/** An ApiError as the renderer sees it (same fields as api.ts's ApiError). */
export class ServiceCallError extends Error implements ServiceError {
  readonly code: ServiceError['code'];
  readonly fix?: string;
  constructor(e: ServiceError) {
    super(e.message);
    this.name = 'ApiError';
    this.code = e.code;
    if (e.fix) this.fix = e.fix;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WsApi extends HeapScopeApi {
  readonly ready: Promise<void>;
  state(): ConnectionState;
  onConnection(l: (s: ConnectionState) => void): () => void;
  close(): void;
}

interface WireSnapshotArea {
  address: string;
  blocks: number;
  kinds64: string;
}

/** base64 → bytes: the native decoder where there is one, else atob. */
export function decodeBase64(s: string): Uint8Array {
  const U = Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array };
  if (typeof U.fromBase64 === 'function') return U.fromBase64(s);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function decodeSnapshot(w: { index: number; blockSize: number | null; addressStyle: SnapshotData['addressStyle']; areas: WireSnapshotArea[] }): SnapshotData {
  return {
    index: w.index,
    blockSize: w.blockSize,
    addressStyle: w.addressStyle,
    areas: w.areas.map((a) => ({ address: a.address, blocks: a.blocks, kinds: decodeBase64(a.kinds64) })),
  };
}

/** The WebSocket URL for a page served by `heapscope serve` (its own origin and `?token=`). */
export function wsUrlFor(loc: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${loc.host}/ws?token=${encodeURIComponent(token)}`;
}

export function createWsApi(url: string, WS: typeof WebSocket = WebSocket): WsApi {
  let state: ConnectionState = 'connecting';
  const connListeners = new Set<(s: ConnectionState) => void>();
  const listeners = new Set<(e: ServiceEvent) => void>();
  const pending = new Map<number, { method: MethodName; resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const queue: string[] = [];
  let nextId = 1;
  const setState = (s: ConnectionState) => {
    state = s;
    for (const l of connListeners) l(s);
  };
  let resolveReady!: () => void;
  let rejectReady!: (e: unknown) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {});

  const ws = new WS(url);
  ws.addEventListener('open', () => {
    for (const q of queue) ws.send(q);
    queue.length = 0;
    setState('open');
    resolveReady();
  });
  const lost = (why: string) => {
    if (state === 'closed') return;
    const err = new ServiceCallError({
      code: 'INTERNAL',
      message: why,
      fix: 'Check that `heapscope serve` is still running, then reload the page (the URL with its token).',
    });
    setState('closed');
    rejectReady(err);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  ws.addEventListener('close', (e: CloseEvent) =>
    lost(e.code === 1008 || e.code === 4401 || e.code === 4403 ? 'HeapScope refused this page (the token is missing or wrong).' : 'The connection to HeapScope was closed.'),
  );
  ws.addEventListener('error', () => lost('Could not reach HeapScope.'));
  ws.addEventListener('message', (ev: MessageEvent) => {
    let msg: { id?: number; ok?: boolean; result?: unknown; error?: ServiceError; event?: ServiceEvent & { data?: unknown } };
    try {
      msg = JSON.parse(typeof ev.data === 'string' ? ev.data : String(ev.data));
    } catch {
      return;
    }
    if (msg.event) {
      let e = msg.event as ServiceEvent;
      if (e.type === 'snapshot' && e.data && (e.data as unknown as { areas: WireSnapshotArea[] }).areas?.[0]?.kinds64 !== undefined) {
        e = { ...e, data: decodeSnapshot(e.data as never) };
      } else if (e.type === 'snapshot' && e.data && (e.data as SnapshotData).areas.length === 0) {
        e = { ...e, data: { ...(e.data as SnapshotData), areas: [] } };
      }
      for (const l of listeners) l(e);
      return;
    }
    const p = msg.id !== undefined ? pending.get(msg.id) : undefined;
    if (!p) return;
    pending.delete(msg.id!);
    if (msg.ok) p.resolve(p.method === 'getSnapshot' ? decodeSnapshot(msg.result as never) : msg.result);
    else p.reject(new ServiceCallError(msg.error ?? { code: 'INTERNAL', message: 'The service failed without saying why.' }));
  });

  const call = (method: MethodName, params?: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      if (state === 'closed') {
        reject(new ServiceCallError({ code: 'INTERNAL', message: 'The connection to HeapScope was closed.', fix: 'Reload the page.' }));
        return;
      }
      const id = nextId++;
      pending.set(id, { method, resolve, reject });
      const text = JSON.stringify(params === undefined ? { id, method } : { id, method, params });
      if (ws.readyState === 1) ws.send(text);
      else queue.push(text);
    });

  const api: Record<string, unknown> = {};
  for (const m of METHODS) api[m] = (params?: unknown) => call(m, params);
  const getStatus = api.getStatus as () => Promise<Record<string, unknown>>;
  api.getStatus = async () => ({ ...(await getStatus()), bridge: 'ws' });
  api.onEvent = (l: (e: ServiceEvent) => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };
  api.ready = ready;
  api.state = () => state;
  api.onConnection = (l: (s: ConnectionState) => void) => {
    connListeners.add(l);
    return () => connListeners.delete(l);
  };
  api.close = () => ws.close();
  return api as unknown as WsApi;
}
