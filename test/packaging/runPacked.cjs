// Runs a packaged HeapScope's main bundle the way Electron would, without Electron: a stand-in
// `electron` module (app.isPackaged true, getAppPath() = resources/app.asar), started from `/`.
// The asar has been extracted to a folder of the same name, so every path looks as it does in
// the installed app; what a worker thread needs must really be in app.asar.unpacked.
//
// Then, through the app's own IPC handler: list ports and demos, record a demo on the virtual
// board, stop, read the session. Prints one JSON line with what happened.
//
// node runPacked.cjs <resources dir> <ipc channel> <session path>
'use strict';
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const workerThreads = require('node:worker_threads');

const [resources, channel, sessionPath] = process.argv.slice(2);
const appPath = path.join(resources, 'app.asar');
const out = { workers: [], helperReads: [], steps: {} };

// What the packed code starts as a worker, and where it reads the helper from.
const RealWorker = workerThreads.Worker;
workerThreads.Worker = class extends RealWorker {
  constructor(file, opts) {
    const f = String(file);
    out.workers.push(f.startsWith('file:') ? require('node:url').fileURLToPath(f) : f);
    super(file, opts);
  }
};
for (const name of ['readFileSync', 'readFile']) {
  const real = fs[name];
  fs[name] = function (p, ...rest) {
    if (String(p).endsWith('mem_dump.py')) out.helperReads.push(String(p));
    return real.call(this, p, ...rest);
  };
}
const realPromisesReadFile = fs.promises.readFile;
fs.promises.readFile = function (p, ...rest) {
  if (String(p).endsWith('mem_dump.py')) out.helperReads.push(String(p));
  return realPromisesReadFile.call(this, p, ...rest);
};

const ipc = new Map();
const mainFrame = { url: 'heapscope://app/index.html' };
class BrowserWindow {
  constructor(o) {
    out.window = { devTools: o.webPreferences.devTools, preload: o.webPreferences.preload };
    this.webContents = { send: () => undefined, once: () => undefined, mainFrame };
  }
  once() {}
  on() {}
  loadURL(u) {
    out.loadedUrl = u;
    return Promise.resolve();
  }
  isDestroyed() {
    return false;
  }
  static getAllWindows() {
    return [];
  }
}
const electron = {
  app: {
    isPackaged: true,
    getAppPath: () => appPath,
    on: () => undefined,
    whenReady: () => Promise.resolve(),
    requestSingleInstanceLock: () => true,
    addRecentDocument: () => undefined,
    quit: () => undefined,
  },
  protocol: { registerSchemesAsPrivileged: () => undefined, handle: () => undefined },
  session: {
    defaultSession: {
      setPermissionRequestHandler: () => undefined,
      setPermissionCheckHandler: () => undefined,
      setDevicePermissionHandler: () => undefined,
      webRequest: { onBeforeRequest: () => undefined },
    },
  },
  ipcMain: { handle: (ch, f) => ipc.set(ch, f) },
  BrowserWindow,
  Menu: { setApplicationMenu: () => undefined, buildFromTemplate: (t) => t },
  dialog: {},
  nativeTheme: { shouldUseDarkColors: false },
};
const realLoad = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'electron') return electron;
  return realLoad.call(this, request, ...rest);
};
process.resourcesPath = resources;

const done = (code) => {
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(code);
};
setTimeout(() => {
  out.error = 'timed out';
  done(1);
}, 150_000).unref();

(async () => {
  require(path.join(appPath, 'out', 'main', 'electron.cjs'));
  for (let i = 0; i < 200 && !ipc.has(channel); i++) await new Promise((r) => setTimeout(r, 25));
  const invoke = ipc.get(channel);
  if (!invoke) throw new Error('the main bundle registered no IPC handler');
  const call = async (method, params) => {
    const r = await invoke({ senderFrame: mainFrame, sender: { mainFrame } }, method, params);
    if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
    return r.result;
  };
  out.steps.ports = await call('listPorts');
  out.steps.demos = (await call('listDemos')).map((d) => d.id);
  const demo = out.steps.demos[0];
  await call('startRecording', { port: 'virtual', run: { kind: 'main' }, demo, periodMs: 200, collect: false, sessionPath });
  let st = null;
  for (let i = 0; i < 600; i++) {
    st = (await call('getStatus')).recording;
    if (!st || st.phase === 'failed' || st.snapshots >= 3) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  out.steps.recording = st;
  out.steps.stopped = await call('stopRecording');
  const info = await call('getSessionInfo');
  out.steps.snapshots = info.snapshots.length;
  done(0);
})().catch((err) => {
  out.error = String(err && err.stack ? err.stack : err);
  done(1);
});
