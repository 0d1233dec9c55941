/**
 * The API whichever bridge carries it: Electron's preload exposes `window.heapscope`; in a
 * browser the page speaks WebSocket to the server that served it.
 */
import type { HeapScopeApi } from '../../shared/api';
import { createWsApi, wsUrlFor, type ConnectionState } from './wsClient';

export interface Connected {
  api: HeapScopeApi;
  bridge: 'ipc' | 'ws';
  ready: Promise<void>;
  onConnection(l: (s: ConnectionState) => void): () => void;
}

export function connect(): Connected {
  const g = window as unknown as { heapscope?: HeapScopeApi };
  if (g.heapscope) return { api: g.heapscope, bridge: 'ipc', ready: Promise.resolve(), onConnection: () => () => {} };
  if (location.protocol === 'file:') throw new Error('HeapScope was opened from a file without its app: start it with `heapscope` or `heapscope serve`.');
  const ws = createWsApi(wsUrlFor(location));
  return { api: ws, bridge: 'ws', ready: ws.ready, onConnection: ws.onConnection };
}
