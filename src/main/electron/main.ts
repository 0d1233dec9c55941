/**
 * The Electron main process: one window showing the renderer from `heapscope://app/`, the
 * service behind IPC, native menus, file dialogs and recent files. Hardened as policy.ts says:
 * context isolation, sandbox, no Node in the page, a strict CSP, no remote content, no
 * navigation, no new windows, no permissions, every IPC payload validated (by the service,
 * with zod) and only from the app's own page.
 *
 * Bundled by scripts/build-main.mjs to out/main/electron.cjs.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, protocol, session, type MenuItemConstructorOptions } from 'electron';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { IPC_EVENT, IPC_INVOKE, isMethodName, type FileDialogRequest, type MenuCommand, type ServiceEvent } from '../../shared/api';
import { createDefaultService, findProjectRoot, toServiceError, type HeapScopeService } from '../service';
import { setVirtualBoardWorker } from '../board/virtual/workerBundle';
import {
  APP_INDEX_URL,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  appResponseHeaders,
  contentTypeOf,
  dialogFilters,
  isAllowedNavigation,
  isAllowedRequest,
  isTrustedSender,
  menuTemplate,
  permissionRequestHandler,
  resolveAppFile,
  webPreferences,
  windowOpenHandler,
} from './policy';

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES as unknown as Electron.CustomScheme]);

const root = app.isPackaged ? app.getAppPath() : findProjectRoot(__dirname);
const rendererDir = join(root, 'out', 'renderer');
const preloadPath = join(root, 'out', 'preload', 'index.cjs');
process.env.HEAPSCOPE_ROOT ??= root;
// The virtual board's worker, bundled next to this file by scripts/build-main.mjs. A worker
// thread cannot start from inside app.asar: packaged, it runs from app.asar.unpacked.
const workerFile = unpackedPath(join(__dirname, 'worker.js'));
if (existsSync(workerFile)) setVirtualBoardWorker(workerFile);

function unpackedPath(p: string): string {
  return app.isPackaged ? p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2') : p;
}

let win: BrowserWindow | null = null;
let service: HeapScopeService;
let pendingOpen: string | null = fileArg(process.argv, process.cwd());

/**
 * The file named on a command line, resolved against the folder that command ran in (a second
 * instance hands over its argv and its own working directory, not ours).
 */
function fileArg(argv: string[], cwd: string): string | null {
  const args = argv.slice(app.isPackaged ? 1 : 2).filter((a) => !a.startsWith('-') && a !== '.');
  for (const a of args) {
    const p = resolve(cwd, a);
    if (existsSync(p) && !p.endsWith('.cjs') && !p.endsWith('.js')) return p;
  }
  return null;
}

function send(e: ServiceEvent): void {
  if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT, e);
}

function showError(err: unknown): void {
  const e = toServiceError(err);
  send({ type: 'error', error: e });
}

async function chooseFile(req: FileDialogRequest): Promise<string | null> {
  const filters = req.filters ?? dialogFilters(req.purpose);
  const title = req.title ?? (req.mode === 'open' ? 'Open' : 'Save');
  if (req.mode === 'open') {
    const r = win
      ? await dialog.showOpenDialog(win, { title, defaultPath: req.defaultPath, filters, properties: ['openFile'] })
      : await dialog.showOpenDialog({ title, defaultPath: req.defaultPath, filters, properties: ['openFile'] });
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
  }
  const r = win
    ? await dialog.showSaveDialog(win, { title, defaultPath: req.defaultPath, filters })
    : await dialog.showSaveDialog({ title, defaultPath: req.defaultPath, filters });
  return r.canceled || !r.filePath ? null : r.filePath;
}

async function openPath(path: string): Promise<void> {
  try {
    await service.openSession(path);
    app.addRecentDocument(path);
  } catch (err) {
    showError(err);
  }
  await rebuildMenu();
}

async function rebuildMenu(): Promise<void> {
  const status = service.getStatus();
  const recent = await service.recentSessions().catch(() => []);
  const template = menuTemplate(
    {
      open: () => {
        void chooseFile({ mode: 'open', purpose: 'session' }).then(async (p) => {
          if (p) await openPath(p);
        });
      },
      importCapture: () => {
        void chooseFile({ mode: 'open', purpose: 'capture', title: 'Import a capture' }).then(async (p) => {
          if (!p) return;
          try {
            const meta = await service.importCapture({ path: p });
            app.addRecentDocument(meta.path);
          } catch (err) {
            showError(err);
          }
          await rebuildMenu();
        });
      },
      openRecent: (p) => void openPath(p),
      saveAs: () => {
        const cur = service.getStatus().session;
        void chooseFile({ mode: 'save', purpose: 'session', title: 'Save session as', defaultPath: cur ? basename(cur.path).replace(/\.[^.]*$/, '') + '.hss' : undefined }).then(
          async (p) => {
            if (!p) return;
            try {
              await service.saveSessionAs(p);
              app.addRecentDocument(p);
            } catch (err) {
              showError(err);
            }
            await rebuildMenu();
          },
        );
      },
      closeSession: () => void service.closeSession().catch(showError),
      command: (c: MenuCommand) => send({ type: 'menu', command: c }),
    },
    { recent, hasSession: !!status.session, recording: !!status.recording, dev: !app.isPackaged, platform: process.platform },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template as MenuItemConstructorOptions[]));
}

function harden(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, cb) => cb(permissionRequestHandler(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => permissionRequestHandler(permission));
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onBeforeRequest((details, cb) => cb({ cancel: !isAllowedRequest(details.url) }));
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(windowOpenHandler);
    contents.on('will-navigate', (ev, url) => {
      if (!isAllowedNavigation(url)) ev.preventDefault();
    });
    contents.on('will-redirect', (ev, url) => {
      if (!isAllowedNavigation(url)) ev.preventDefault();
    });
    contents.on('will-frame-navigate', (ev) => {
      if (!isAllowedNavigation(ev.url)) ev.preventDefault();
    });
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
  });
}

function serveApp(): void {
  protocol.handle(APP_SCHEME, async (req) => {
    const file = resolveAppFile(rendererDir, req.url);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, { status: 200, headers: appResponseHeaders(contentTypeOf(file)) });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

function wireIpc(): void {
  ipcMain.handle(IPC_INVOKE, async (event, method: unknown, params: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url) || event.senderFrame !== event.sender.mainFrame) {
      return { ok: false, error: { code: 'BAD_REQUEST', message: 'Refused: the request did not come from HeapScope’s own page.' } };
    }
    if (!isMethodName(method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `Unknown method "${String(method).slice(0, 64)}".` } };
    }
    try {
      const result = await service.call(method, params);
      if (method === 'openSession' || method === 'importCapture' || method === 'stopRecording' || method === 'closeSession') void rebuildMenu();
      return { ok: true, result };
    } catch (err) {
      return { ok: false, error: toServiceError(err) };
    }
  });
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'HeapScope',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#121212' : '#ffffff',
    webPreferences: webPreferences(preloadPath, { devTools: !app.isPackaged }),
  });
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => {
    win = null;
  });
  void win.loadURL(APP_INDEX_URL);
  win.webContents.once('did-finish-load', () => {
    if (pendingOpen) {
      const p = pendingOpen;
      pendingOpen = null;
      void openPath(p);
    }
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_e, argv, workingDirectory) => {
    const f = fileArg(argv, workingDirectory);
    if (f) void openPath(f);
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('open-file', (ev, path) => {
    ev.preventDefault();
    if (service && win) void openPath(path);
    else {
      // Before start-up finished, the window opens it when it loads; after the last window
      // closed (macOS keeps the app running), a new window opens for it now.
      pendingOpen = path;
      if (service && !win) createWindow();
    }
  });

  void app.whenReady().then(async () => {
    harden();
    serveApp();
    service = createDefaultService({ root, bridge: 'ipc', chooseFile });
    service.onEvent((e) => {
      send(e);
      if (e.type === 'recording' && (e.status.phase === 'recording' || e.status.phase === 'stopped' || e.status.phase === 'failed')) void rebuildMenu();
    });
    wireIpc();
    await rebuildMenu();
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let quitting = false;
  app.on('before-quit', (ev) => {
    if (quitting || !service) return;
    // Stop a recording cleanly: the session is closed on disk before we go.
    ev.preventDefault();
    quitting = true;
    void service.dispose().finally(() => app.quit());
  });
}
