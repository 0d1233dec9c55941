/**
 * The Electron security policy, as plain data and pure functions so tests check it without
 * the Electron binary: the window's webPreferences, the renderer's Content-Security-Policy,
 * which URLs may load or be navigated to, which IPC senders are trusted, how an app URL maps
 * to a file, and the native menu's template.
 *
 * The renderer is served from a privileged custom scheme (`heapscope://app/`), never from
 * file:// (a file:// page may read any file) nor from the network.
 */
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import type { FileDialogRequest, MenuCommand, RecentSession } from '../../shared/api';
import { recentMenuLabel } from '../../shared/view/sessionSummary';

export const APP_SCHEME = 'heapscope';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** For protocol.registerSchemesAsPrivileged (before app ready). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: true, codeCache: true },
} as const;

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The BrowserWindow's webPreferences; developer tools only in a development build. */
export function webPreferences(preloadPath: string, opts: { devTools: boolean } = { devTools: false }) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    enableBlinkFeatures: '',
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: opts.devTools,
  } as const;
}

/** Headers every app response carries. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** A URL of the app itself. */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return !!u && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

/**
 * Whether a request may load at all (session.webRequest): the app's own files, devtools, and
 * data:/blob: images made by the page. Nothing from the network, nothing from file://.
 */
export function isAllowedRequest(url: string): boolean {
  if (isAppUrl(url)) return true;
  const u = parse(url);
  if (!u) return false;
  return u.protocol === 'devtools:' || u.protocol === 'blob:' || u.protocol === 'data:';
}

/** will-navigate / will-redirect / will-frame-navigate: only a reload of the app's page. */
export function isAllowedNavigation(url: string): boolean {
  const u = parse(url);
  return !!u && isAppUrl(url) && (u.pathname === '/' || u.pathname === '/index.html');
}

/** setWindowOpenHandler: no new windows, ever. */
export function windowOpenHandler(): { action: 'deny' } {
  return { action: 'deny' };
}

/** Permission requests (camera, notifications, serial, HID, USB, clipboard…): all refused. */
export function permissionRequestHandler(_permission: string): boolean {
  return false;
}

/** An IPC message is only served if it comes from the app's own page (main frame). */
export function isTrustedSender(frameUrl: string | undefined | null): boolean {
  return typeof frameUrl === 'string' && isAppUrl(frameUrl);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(path: string): string {
  const i = path.lastIndexOf('.');
  return TYPES[i >= 0 ? path.slice(i).toLowerCase() : ''] ?? 'application/octet-stream';
}

/** The file an app URL names inside the built renderer, or null (outside it, or not an app URL). */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  const u = new URL(url);
  let p: string;
  try {
    p = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (p.includes('\0') || p.includes('\\') || p.split('/').includes('..')) return null;
  if (p === '/' || p === '') p = '/index.html';
  const full = normalize(join(rendererDir, p));
  const rel = relative(rendererDir, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return full;
}

/** Native dialog filters per purpose. */
export function dialogFilters(purpose: FileDialogRequest['purpose']): { name: string; extensions: string[] }[] {
  switch (purpose) {
    case 'session':
      return [
        { name: 'HeapScope sessions and captures', extensions: ['hss', 'txt', 'log'] },
        { name: 'HeapScope sessions', extensions: ['hss'] },
        { name: 'All files', extensions: ['*'] },
      ];
    case 'capture':
      return [
        { name: 'Terminal logs with mem_info dumps', extensions: ['txt', 'log', 'cap'] },
        { name: 'All files', extensions: ['*'] },
      ];
    case 'script':
      return [
        { name: 'Python programs', extensions: ['py'] },
        { name: 'All files', extensions: ['*'] },
      ];
    case 'export':
      return [{ name: 'All files', extensions: ['*'] }];
  }
}

export interface MenuHandlers {
  open(): void;
  importCapture(): void;
  openRecent(path: string): void;
  saveAs(): void;
  closeSession(): void;
  command(c: MenuCommand): void;
}

/** A plain-data menu template (electron's MenuItemConstructorOptions shape). */
export interface MenuItemSpec {
  label?: string;
  role?: string;
  type?: 'separator' | 'submenu' | 'normal';
  accelerator?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItemSpec[];
}

export function menuTemplate(
  h: MenuHandlers,
  state: { recent: RecentSession[]; hasSession: boolean; recording: boolean; dev: boolean; platform: string },
): MenuItemSpec[] {
  const mac = state.platform === 'darwin';
  // A label says what the session holds ("Demo: Fragment · Virtual board · 34 s · 58 frames · MemoryError"); '&' would be read as a mnemonic.
  const recent: MenuItemSpec[] = state.recent
    .filter((r) => r.exists)
    .slice(0, 10)
    .map((r) => ({ label: (r.summary ? recentMenuLabel(r.summary, r.name) : r.name).replace(/&/g, '&&'), click: () => h.openRecent(r.path) }));
  const file: MenuItemSpec = {
    label: '&File',
    submenu: [
      { label: 'Open Session or Capture…', accelerator: 'CmdOrCtrl+O', click: h.open, enabled: !state.recording },
      { label: 'Import Capture as Session…', accelerator: 'CmdOrCtrl+I', click: h.importCapture, enabled: !state.recording },
      { label: 'Open Recent', submenu: recent.length ? recent : [{ label: 'No recent sessions', enabled: false }] },
      { type: 'separator' },
      { label: 'Save Session As…', accelerator: 'CmdOrCtrl+S', click: h.saveAs, enabled: state.hasSession && !state.recording },
      { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => h.command('export'), enabled: state.hasSession },
      { type: 'separator' },
      { label: 'Close Session', click: h.closeSession, enabled: state.hasSession && !state.recording },
      ...(mac ? [] : [{ type: 'separator' as const }, { role: 'quit' }]),
    ],
  };
  const record: MenuItemSpec = {
    label: '&Record',
    submenu: [
      { label: 'Record', accelerator: 'CmdOrCtrl+R', click: () => h.command('record'), enabled: !state.recording },
      { label: 'Stop', accelerator: 'CmdOrCtrl+.', click: () => h.command('stop'), enabled: state.recording },
    ],
  };
  const view: MenuItemSpec = {
    label: '&View',
    submenu: [
      { label: 'Find in Log', accelerator: 'CmdOrCtrl+F', click: () => h.command('find') },
      { label: 'Pin Moment A', click: () => h.command('pinA') },
      { label: 'Pin Moment B', click: () => h.command('pinB') },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(state.dev ? [{ type: 'separator' as const }, { role: 'reload' }, { role: 'toggleDevTools' }] : []),
    ],
  };
  const help: MenuItemSpec = {
    role: 'help',
    label: '&Help',
    submenu: [{ label: 'Keyboard Shortcuts (?)', click: () => h.command('keys') }, ...(mac ? [] : [{ role: 'about' }])],
  };
  return [
    ...(mac ? [{ role: 'appMenu' }] : []),
    file,
    { role: 'editMenu' },
    record,
    view,
    { role: 'windowMenu' },
    help,
  ];
}
