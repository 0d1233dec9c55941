/**
 * The API whichever bridge carries it, for main.tsx: in Electron the preload's
 * `window.heapscope` (its `invoke` envelopes keep an error's code and fix); in a browser a
 * WebSocket to the server that served the page, with the page's `?token=`. A thin adapter over
 * the one client in src/shared/api.ts, which adds the connection state the window shows.
 */
import {
  ApiError,
  METHOD_NAMES,
  PRELOAD_GLOBAL,
  apiFromPreload,
  createWsClient,
  wsUrlFor,
  type ConnectionState,
  type HeapScopeApi,
  type PreloadBridge,
} from '../../shared/api';

export type { ConnectionState };

export interface Connected {
  api: HeapScopeApi;
  bridge: 'ipc' | 'ws';
  ready: Promise<void>;
  onConnection(l: (s: ConnectionState) => void): () => void;
}

/** What the preload put on `window`: its `{ invoke, onEvent }` transport, or a plain HeapScopeApi. */
function fromPreload(p: Partial<PreloadBridge> & Partial<HeapScopeApi>): HeapScopeApi {
  if (typeof p.invoke === 'function' && typeof p.onEvent === 'function') return apiFromPreload(p as PreloadBridge);
  if (typeof p.onEvent === 'function' && METHOD_NAMES.every((m) => typeof p[m] === 'function')) return p as HeapScopeApi;
  throw new ApiError({
    code: 'INTERNAL',
    message: `window.${PRELOAD_GLOBAL} is not HeapScope's service API.`,
    fix: 'The app and its preload do not match: reinstall HeapScope.',
  });
}

export function connect(): Connected {
  const preload = (window as unknown as Record<string, (Partial<PreloadBridge> & Partial<HeapScopeApi>) | undefined>)[PRELOAD_GLOBAL];
  if (preload) return { api: fromPreload(preload), bridge: 'ipc', ready: Promise.resolve(), onConnection: () => () => {} };
  if (location.protocol === 'file:') {
    throw new Error('This page was opened without HeapScope behind it: start the app, or run `heapscope serve` and open the URL it prints.');
  }
  const ws = createWsClient(wsUrlFor(location));
  return { api: ws, bridge: 'ws', ready: ws.ready, onConnection: ws.onConnection };
}
