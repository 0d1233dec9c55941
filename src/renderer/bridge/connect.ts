/**
 * The API whichever bridge carries it: in Electron the preload's `window.heapscope`
 * (`invoke` envelopes keep an error's code and fix); in a browser a WebSocket to the server
 * that served the page. Nothing here imports zod: payloads are validated in the main process.
 */
import type { HeapScopeApi, MethodName, ServiceError, ServiceEvent } from '../../shared/api';
import { createWsApi, METHODS, ServiceCallError, wsUrlFor, type ConnectionState } from './wsClient';

export interface Connected {
  api: HeapScopeApi;
  bridge: 'ipc' | 'ws';
  ready: Promise<void>;
  onConnection(l: (s: ConnectionState) => void): () => void;
}

interface PreloadBridge {
  invoke(method: MethodName, params: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: ServiceError }>;
  onEvent(listener: (e: ServiceEvent) => void): () => void;
}

/** The API over the preload's envelopes. */
export function apiFromPreload(b: PreloadBridge): HeapScopeApi {
  const api: Record<string, unknown> = {};
  for (const m of METHODS) {
    api[m] = async (params?: unknown) => {
      const r = await b.invoke(m, params);
      if (r.ok) return r.result;
      throw new ServiceCallError(r.error);
    };
  }
  api.onEvent = (l: (e: ServiceEvent) => void) => b.onEvent(l);
  return api as unknown as HeapScopeApi;
}

export function connect(): Connected {
  const g = window as unknown as { heapscope?: PreloadBridge & Partial<HeapScopeApi> };
  if (g.heapscope) {
    const api = typeof g.heapscope.invoke === 'function' ? apiFromPreload(g.heapscope) : (g.heapscope as HeapScopeApi);
    return { api, bridge: 'ipc', ready: Promise.resolve(), onConnection: () => () => {} };
  }
  if (location.protocol === 'file:') throw new Error('This page was opened without HeapScope behind it: start the app, or run `heapscope serve` and open the URL it prints.');
  const ws = createWsApi(wsUrlFor(location));
  return { api: ws, bridge: 'ws', ready: ws.ready, onConnection: ws.onConnection };
}
