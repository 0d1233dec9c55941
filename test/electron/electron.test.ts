/**
 * Electron security without the Electron binary: the pure policy module, then the real
 * bundles (built by scripts/build-main.mjs into a temporary folder) run against a stand-in
 * `electron` module that records what the main process and the preload ask of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from '../../src/shared/api';
import { CORPUS } from '../support/corpus';
import {
  APP_INDEX_URL,
  APP_ORIGIN,
  CSP,
  isAllowedNavigation,
  isAllowedRequest,
  isTrustedSender,
  menuTemplate,
  permissionRequestHandler,
  resolveAppFile,
  webPreferences,
  windowOpenHandler,
  type MenuItemSpec,
} from '../../src/main/electron/policy';

const ROOT = join(__dirname, '..', '..');

describe('policy module', () => {
  it('webPreferences: isolated, sandboxed, no Node, no webviews', () => {
    const w = webPreferences('/x/preload.cjs');
    expect(w.contextIsolation).toBe(true);
    expect(w.sandbox).toBe(true);
    expect(w.nodeIntegration).toBe(false);
    expect(w.nodeIntegrationInWorker).toBe(false);
    expect(w.nodeIntegrationInSubFrames).toBe(false);
    expect(w.webSecurity).toBe(true);
    expect(w.allowRunningInsecureContent).toBe(false);
    expect(w.webviewTag).toBe(false);
    expect(w.experimentalFeatures).toBe(false);
    expect(w.navigateOnDragDrop).toBe(false);
    expect(w.preload).toBe('/x/preload.cjs');
    // Developer tools only where main.ts asks for them (not packaged).
    expect(w.devTools).toBe(false);
    expect(webPreferences('/x/preload.cjs', { devTools: true }).devTools).toBe(true);
  });

  it('CSP: nothing but the app itself, no eval, no inline script, no framing', () => {
    const d = Object.fromEntries(CSP.split(';').map((p) => p.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(d['default-src']).toEqual(["'none'"]);
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['object-src']).toEqual(["'none'"]);
    expect(d['base-uri']).toEqual(["'none'"]);
    expect(d['frame-ancestors']).toEqual(["'none'"]);
    expect(d['connect-src']).toEqual(["'self'"]);
    expect(CSP).not.toMatch(/unsafe-eval|https?:|\*|wasm-unsafe/);
    expect(d['script-src']).not.toContain("'unsafe-inline'");
  });

  it('loads nothing remote and nothing from file://', () => {
    expect(isAllowedRequest(APP_INDEX_URL)).toBe(true);
    expect(isAllowedRequest(`${APP_ORIGIN}/assets/index-abc.js`)).toBe(true);
    expect(isAllowedRequest('devtools://devtools/bundled/x.html')).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA')).toBe(true);
    for (const u of ['https://example.com/x.js', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'heapscope://evil/x', 'ws://127.0.0.1:1/ws', 'ftp://x', 'not a url']) {
      expect(isAllowedRequest(u), u).toBe(false);
    }
  });

  it('refuses every navigation but a reload, and every new window', () => {
    expect(isAllowedNavigation(APP_INDEX_URL)).toBe(true);
    expect(isAllowedNavigation(`${APP_ORIGIN}/`)).toBe(true);
    for (const u of ['https://example.com', 'file:///etc/passwd', `${APP_ORIGIN}/assets/x.js`, 'javascript:alert(1)', 'heapscope://other/index.html', 'heapscope://user:pw@app/index.html']) {
      expect(isAllowedNavigation(u), u).toBe(false);
    }
    expect(windowOpenHandler()).toEqual({ action: 'deny' });
  });

  it('grants no permission', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'serial', 'usb', 'hid', 'clipboard-read', 'openExternal', 'fullscreen']) {
      expect(permissionRequestHandler(p)).toBe(false);
    }
  });

  it('trusts IPC only from the app page', () => {
    expect(isTrustedSender(APP_INDEX_URL)).toBe(true);
    expect(isTrustedSender('https://example.com')).toBe(false);
    expect(isTrustedSender('file:///x/index.html')).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
    expect(isTrustedSender('')).toBe(false);
  });

  it('maps app URLs to files inside the renderer only', () => {
    const root = '/srv/renderer';
    expect(resolveAppFile(root, `${APP_ORIGIN}/`)).toBe('/srv/renderer/index.html');
    expect(resolveAppFile(root, `${APP_ORIGIN}/assets/a.js`)).toBe('/srv/renderer/assets/a.js');
    expect(resolveAppFile(root, `${APP_ORIGIN}/../secret`)).toBe('/srv/renderer/secret'); // URL parsing removes ..
    expect(resolveAppFile(root, `${APP_ORIGIN}/%2e%2e/secret`)).toBe('/srv/renderer/secret'); // so does %2e%2e
    for (const u of [`${APP_ORIGIN}/assets/%2e%2e%2f%2e%2e%2fsecret`, `${APP_ORIGIN}/a%5c..%5c..%5cx`, `${APP_ORIGIN}/x%00.js`, 'heapscope://evil/index.html', 'file:///srv/renderer/index.html']) {
      expect(resolveAppFile(root, u), u).toBeNull();
    }
  });

  it('menu: File/Record/View/Help with the app’s commands; devtools only in development', () => {
    const seen: string[] = [];
    const h = {
      open: () => seen.push('open'),
      importCapture: () => seen.push('import'),
      openRecent: (p: string) => seen.push(`recent:${p}`),
      saveAs: () => seen.push('saveAs'),
      closeSession: () => seen.push('close'),
      command: (c: string) => seen.push(`cmd:${c}`),
    };
    const recent = [
      { path: '/a/one.hss', name: 'one.hss', openedAt: 1, exists: true },
      { path: '/a/gone.hss', name: 'gone.hss', openedAt: 0, exists: false },
      {
        path: '/a/frag.hss',
        name: 'frag.hss',
        openedAt: 2,
        exists: true,
        summary: { source: 'recording' as const, board: 'Virtual board', program: 'Demo: Fragment', durationMs: 34_400, frames: 58, memoryError: { bytes: 9600 } },
      },
    ];
    const flat = (items: MenuItemSpec[]): MenuItemSpec[] => items.flatMap((i) => [i, ...flat(i.submenu ?? [])]);
    const prod = flat(menuTemplate(h, { recent, hasSession: true, recording: false, dev: false, platform: 'linux' }));
    const byLabel = (l: string) => prod.find((i) => i.label === l)!;
    expect(byLabel('Open Session or Capture…').accelerator).toBe('CmdOrCtrl+O');
    expect(byLabel('Save Session As…').accelerator).toBe('CmdOrCtrl+S');
    expect(byLabel('Export…').accelerator).toBe('CmdOrCtrl+E');
    byLabel('Open Session or Capture…').click!();
    byLabel('Export…').click!();
    byLabel('one.hss').click!();
    expect(prod.some((i) => i.label === 'gone.hss')).toBe(false);
    // A recent session with a summary says what it holds.
    expect(prod.some((i) => i.label === 'Demo: Fragment · Virtual board · 34 s · 58 frames · MemoryError (9.38 KiB)')).toBe(true);
    expect(seen).toEqual(['open', 'cmd:export', 'recent:/a/one.hss']);
    expect(prod.some((i) => i.role === 'toggleDevTools')).toBe(false);
    const dev = flat(menuTemplate(h, { recent: [], hasSession: false, recording: true, dev: true, platform: 'linux' }));
    expect(dev.some((i) => i.role === 'toggleDevTools')).toBe(true);
    expect(dev.find((i) => i.label === 'Stop')!.enabled).toBe(true);
    expect(dev.find((i) => i.label === 'Record')!.enabled).toBe(false);
    expect(dev.find((i) => i.label === 'Open Session or Capture…')!.enabled).toBe(false);
  });
});

// ───────────────────────── the bundles against a stand-in electron ─────────────────────────

let out: string;
let home: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'hs-electron-'));
  home = join(out, 'home');
  const r = spawnSync(process.execPath, ['scripts/build-main.mjs', '--outdir', out], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-main failed: ${r.stderr}`);
});
afterAll(() => {
  // A child just stopped may still be writing its profile there: retry as rm -rf would.
  rmSync(out, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

/** Runs a CommonJS bundle with `electron` replaced by `fake`. */
function runBundle(file: string, fake: unknown): void {
  const code = readFileSync(file, 'utf8');
  const realRequire = createRequire(join(ROOT, 'package.json'));
  const req = (id: string) => (id === 'electron' ? fake : realRequire(id));
  const module = { exports: {} };
  new Function('require', 'module', 'exports', '__filename', '__dirname', code)(req, module, module.exports, file, join(file, '..'));
}

describe('preload bundle', () => {
  it('requires only electron and exposes only window.heapscope: the API methods plus { invoke, onEvent }', async () => {
    const file = join(out, 'preload', 'index.cjs');
    const code = readFileSync(file, 'utf8');
    const requires = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
    expect(code).not.toMatch(/zod|ZodType/);
    const exposed: Record<string, any> = {};
    const invoked: unknown[][] = [];
    const listeners = new Map<string, Function[]>();
    const asked: unknown[] = [];
    const fake = {
      contextBridge: { exposeInMainWorld: (k: string, v: unknown) => (exposed[k] = v) },
      // Electron's webUtils.getPathForFile: a real File's path, a throw for anything else.
      webUtils: {
        getPathForFile: (f: unknown) => {
          asked.push(f);
          if (!(f && typeof f === 'object' && 'name' in f)) throw new TypeError('not a File');
          return `/home/user/${(f as { name: string }).name}`;
        },
      },
      ipcRenderer: {
        invoke: (...a: unknown[]) => {
          invoked.push(a);
          return Promise.resolve({ ok: true, result: 42 });
        },
        on: (ch: string, f: Function) => listeners.set(ch, [...(listeners.get(ch) ?? []), f]),
        removeListener: (ch: string, f: Function) => listeners.set(ch, (listeners.get(ch) ?? []).filter((x) => x !== f)),
      },
    };
    runBundle(file, fake);
    expect(Object.keys(exposed)).toEqual([api.PRELOAD_GLOBAL]);
    const bridge = exposed[api.PRELOAD_GLOBAL];
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'onEvent', api.PRELOAD_PATH_FOR_FILE, ...api.METHOD_NAMES].sort());
    for (const k of Object.keys(bridge)) expect(typeof bridge[k]).toBe('function');
    // A dropped file's path comes from webUtils (File.path is gone since Electron 32).
    const dropped = { name: 'board.hss' };
    expect(bridge[api.PRELOAD_PATH_FOR_FILE](dropped)).toBe('/home/user/board.hss');
    expect(asked).toEqual([dropped]);
    expect(bridge[api.PRELOAD_PATH_FOR_FILE](42)).toBe('');
    expect(await bridge.invoke('getStatus', undefined)).toEqual({ ok: true, result: 42 });
    expect(invoked).toEqual([[api.IPC_INVOKE, 'getStatus', undefined]]);
    expect((await bridge.invoke(123, {})).ok).toBe(false);
    expect((await bridge.invoke('constructor', {})).ok).toBe(false);
    expect(invoked.length).toBe(1);
    // The method functions resolve to results directly.
    expect(await bridge.listPorts()).toBe(42);
    expect(invoked[1]).toEqual([api.IPC_INVOKE, 'listPorts', undefined]);
    const got: unknown[] = [];
    const off = bridge.onEvent((e: unknown) => got.push(e));
    for (const f of listeners.get(api.IPC_EVENT) ?? []) f({}, { type: 'session', meta: null });
    off();
    expect(listeners.get(api.IPC_EVENT)).toEqual([]);
    expect(got).toEqual([{ type: 'session', meta: null }]);
    // The renderer side turns the transport into the typed API, keeping error codes.
    const typed = api.apiFromPreload({
      invoke: async () => ({ ok: false, error: { code: 'NO_SESSION', message: 'No session is open.', fix: 'Open one.' } }),
      onEvent: () => () => undefined,
    });
    await expect(typed.getSessionInfo()).rejects.toMatchObject({ code: 'NO_SESSION', fix: 'Open one.' });
  });
});

describe('main bundle', () => {
  interface Harness {
    windowOptions: any;
    loadedUrl: string | null;
    schemes: any;
    protocolHandler: ((req: { url: string }) => Promise<Response>) | null;
    ipc: Map<string, Function>;
    appHandlers: Map<string, Function>;
    permission: Function | null;
    permissionCheck: Function | null;
    beforeRequest: Function | null;
    menu: any;
    sent: unknown[];
  }
  let h: Harness;

  beforeAll(async () => {
    const rendererDir = join(out, 'root', 'out', 'renderer');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>HeapScope</title>');
    writeFileSync(join(out, 'root', 'secret.txt'), 'secret');
    h = {
      windowOptions: null,
      loadedUrl: null,
      schemes: null,
      protocolHandler: null,
      ipc: new Map(),
      appHandlers: new Map(),
      permission: null,
      permissionCheck: null,
      beforeRequest: null,
      menu: null,
      sent: [],
    };
    const webContents = { send: (...a: unknown[]) => h.sent.push(a), once: () => undefined, mainFrame: { url: APP_INDEX_URL } };
    class BrowserWindow {
      webContents = webContents;
      constructor(o: unknown) {
        h.windowOptions = o;
      }
      once() {}
      on() {}
      loadURL(u: string) {
        h.loadedUrl = u;
        return Promise.resolve();
      }
      isDestroyed() {
        return false;
      }
      isMinimized() {
        return false;
      }
      restore() {}
      focus() {}
      static getAllWindows() {
        return [];
      }
    }
    const fake = {
      app: {
        isPackaged: false,
        getAppPath: () => join(out, 'root'),
        on: (ev: string, f: Function) => h.appHandlers.set(ev, f),
        whenReady: () => Promise.resolve(),
        requestSingleInstanceLock: () => true,
        addRecentDocument: () => undefined,
        quit: () => undefined,
      },
      protocol: {
        registerSchemesAsPrivileged: (s: unknown) => (h.schemes = s),
        handle: (_s: string, f: any) => (h.protocolHandler = f),
      },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (f: Function) => (h.permission = f),
          setPermissionCheckHandler: (f: Function) => (h.permissionCheck = f),
          setDevicePermissionHandler: () => undefined,
          webRequest: { onBeforeRequest: (f: Function) => (h.beforeRequest = f) },
        },
      },
      ipcMain: { handle: (ch: string, f: Function) => h.ipc.set(ch, f) },
      BrowserWindow,
      Menu: { setApplicationMenu: (m: unknown) => (h.menu = m), buildFromTemplate: (t: unknown) => t },
      dialog: {},
      nativeTheme: { shouldUseDarkColors: false },
    };
    process.env.HEAPSCOPE_HOME = home;
    process.env.HEAPSCOPE_ROOT = join(out, 'root');
    runBundle(join(out, 'main', 'electron.cjs'), fake);
    // Let whenReady's continuation run.
    for (let i = 0; i < 20 && !h.loadedUrl; i++) await new Promise((r) => setTimeout(r, 10));
  });

  afterAll(() => {
    delete process.env.HEAPSCOPE_HOME;
    delete process.env.HEAPSCOPE_ROOT;
  });

  it('opens one hardened window on the app scheme', () => {
    expect(h.loadedUrl).toBe(APP_INDEX_URL);
    expect(h.windowOptions.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(h.windowOptions.webPreferences.preload).toMatch(/out[\\/]preload[\\/]index\.cjs$/);
    expect(h.schemes[0]).toMatchObject({ scheme: 'heapscope', privileges: { standard: true, secure: true } });
    expect(h.menu).toBeTruthy();
  });

  it('serves the renderer with the CSP, and nothing outside it', async () => {
    const ok = await h.protocolHandler!({ url: APP_INDEX_URL });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CSP);
    expect(await ok.text()).toContain('HeapScope');
    const bad = await h.protocolHandler!({ url: `${APP_ORIGIN}/%2e%2e/%2e%2e/secret.txt` });
    expect(bad.status).toBe(404);
  });

  it('refuses permissions and remote requests', () => {
    let granted: boolean | null = null;
    h.permission!({}, 'serial', (g: boolean) => (granted = g));
    expect(granted).toBe(false);
    expect(h.permissionCheck!({}, 'media')).toBe(false);
    let verdict: any = null;
    h.beforeRequest!({ url: 'https://example.com/x.js' }, (v: unknown) => (verdict = v));
    expect(verdict).toEqual({ cancel: true });
    h.beforeRequest!({ url: APP_INDEX_URL }, (v: unknown) => (verdict = v));
    expect(verdict).toEqual({ cancel: false });
  });

  it('guards every web contents: navigation and new windows refused', () => {
    const on = new Map<string, Function>();
    let openHandler: Function | null = null;
    const contents = { setWindowOpenHandler: (f: Function) => (openHandler = f), on: (ev: string, f: Function) => on.set(ev, f) };
    h.appHandlers.get('web-contents-created')!({}, contents);
    expect(openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    let prevented = false;
    on.get('will-navigate')!({ preventDefault: () => (prevented = true) }, 'https://example.com');
    expect(prevented).toBe(true);
    prevented = false;
    on.get('will-navigate')!({ preventDefault: () => (prevented = true) }, APP_INDEX_URL);
    expect(prevented).toBe(false);
    prevented = false;
    on.get('will-redirect')!({ preventDefault: () => (prevented = true) }, 'file:///etc/passwd');
    expect(prevented).toBe(true);
    prevented = false;
    on.get('will-attach-webview')!({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });

  it('IPC: only from the app page, only known methods, every payload validated', async () => {
    const invoke = h.ipc.get(api.IPC_INVOKE)!;
    const mainFrame = { url: APP_INDEX_URL };
    const ev = (url: string, frame?: unknown) => {
      const f = frame ?? { url };
      return { senderFrame: f, sender: { mainFrame: frame ?? f } };
    };
    const trusted = ev(APP_INDEX_URL, mainFrame);
    const st = await invoke(trusted, 'getStatus', undefined);
    expect(st).toMatchObject({ ok: true, result: { apiVersion: 1, bridge: 'ipc', dialogs: true } });
    const foreign = await invoke(ev('https://evil.example/'), 'getStatus', undefined);
    expect(foreign).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const subframe = await invoke({ senderFrame: { url: APP_INDEX_URL }, sender: { mainFrame } }, 'getStatus', undefined);
    expect(subframe.ok).toBe(false);
    expect(await invoke(trusted, 'require', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    const bad = await invoke(trusted, 'getLogLines', { from: -5, count: 'all' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(bad.error.message).toMatch(/from/);
    expect(bad.error.message).toMatch(/count/);
    // A real call end to end: open a corpus capture, read its info.
    const path = join(CORPUS, '022-rp2-v1.23plus-picow-after-soft-reset.txt');
    const opened = await invoke(trusted, 'openSession', { path });
    expect(opened.ok).toBe(true);
    const info = await invoke(trusted, 'getSessionInfo', undefined);
    expect(info.result.snapshots.length).toBe(1);
    const snap = await invoke(trusted, 'getSnapshot', { index: 0 });
    expect(snap.result.areas[0].kinds).toBeInstanceOf(Uint8Array);
    // Service events reach the window.
    expect(h.sent.some((a: any) => a[0] === api.IPC_EVENT && a[1].type === 'session')).toBe(true);
  });

  it('a second instance’s file is found in that instance’s folder, not this one’s', async () => {
    const name = '024-rp2-v1.23plus-picow-heap-nearly-full.txt';
    const elsewhere = join(out, 'second-instance-cwd');
    mkdirSync(elsewhere, { recursive: true });
    writeFileSync(join(elsewhere, name), readFileSync(join(ROOT, 'test', 'e2e', 'fixtures', name)));
    const before = h.sent.length;
    h.appHandlers.get('second-instance')!({}, ['/usr/bin/electron', '.', name], elsewhere);
    const opened = () => h.sent.slice(before).find((a: any) => a[0] === api.IPC_EVENT && a[1].type === 'session' && a[1].meta);
    for (let i = 0; i < 200 && !opened(); i++) await new Promise((r) => setTimeout(r, 25));
    expect((opened() as any)?.[1].meta.path).toBe(join(elsewhere, name));
  });

  it('developer tools only in a development build', () => {
    expect(h.windowOptions.webPreferences.devTools).toBe(true); // isPackaged: false here; test/packaging checks the packaged side
  });

  it('the preload stays small: api.ts loads zod only inside functions', () => {
    const code = readFileSync(join(out, 'preload', 'index.cjs'), 'utf8');
    expect(code.length).toBeLessThan(20_000);
  });
});
