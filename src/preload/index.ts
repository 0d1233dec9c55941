/**
 * The preload: exposes ONLY the typed service API as `window.heapscope`. Runs sandboxed with
 * context isolation; the page gets plain functions, never ipcRenderer itself. The main
 * process checks every call (sender, method name, payload with zod).
 *
 * `window.heapscope` is both:
 * - a PreloadBridge `{ invoke, onEvent }` — `connectApi()` in src/shared/api.ts wraps it so
 *   errors keep their `code` and `fix` (contextBridge copies only an Error's message);
 * - a HeapScopeApi (one function per method), for callers that use it directly; their
 *   rejections carry the message only.
 *
 * Beside them, `pathForFile(file)`: where a dropped File is on disk. Since Electron 32 a File
 * has no `path`; only webUtils in the preload can tell, and the page opens it by that path.
 *
 * Bundled to out/preload/index.cjs. api.ts loads zod only inside functions, so importing its
 * constants here keeps the preload a few kilobytes.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE, METHOD_NAMES, PRELOAD_GLOBAL, PRELOAD_PATH_FOR_FILE, isMethodName, type MethodName, type ServiceEvent } from '../shared/api';

type Envelope = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; fix?: string } };

function invoke(method: MethodName, params: unknown): Promise<Envelope> {
  if (!isMethodName(method)) {
    return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_METHOD', message: `Unknown method "${String(method).slice(0, 64)}".` } });
  }
  return ipcRenderer.invoke(IPC_INVOKE, method, params) as Promise<Envelope>;
}

function onEvent(listener: (e: ServiceEvent) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
  const handler = (_e: IpcRendererEvent, ev: ServiceEvent) => listener(ev);
  ipcRenderer.on(IPC_EVENT, handler);
  return () => {
    ipcRenderer.removeListener(IPC_EVENT, handler);
  };
}

function pathForFile(file: File): string {
  // webUtils throws for anything that is not a real File; the page gets '' (not on disk).
  try {
    return webUtils.getPathForFile(file);
  } catch {
    return '';
  }
}

const exposed: Record<string, unknown> = { invoke, onEvent, [PRELOAD_PATH_FOR_FILE]: pathForFile };
for (const m of METHOD_NAMES) {
  exposed[m] = async (params?: unknown) => {
    const r = await invoke(m, params);
    if (r.ok) return r.result;
    throw new Error(r.error.fix ? `${r.error.message} ${r.error.fix}` : r.error.message);
  };
}

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, exposed);
