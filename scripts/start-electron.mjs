#!/usr/bin/env node
// `npm start`: builds the renderer (Vite → out/renderer) and the main process and preload
// (esbuild → out/main, out/preload), then launches Electron on the project folder, so the app
// has its own name (package.json), settings folder and single-instance lock, not Electron's.
// Extra arguments go to the app (e.g. a session file to open).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function run(args, what) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`start: ${what} failed\n`);
    process.exit(r.status ?? 1);
  }
}

if (!process.argv.includes('--no-build')) {
  run([join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src/renderer/vite.config.ts'], 'building the renderer');
  run([join(root, 'scripts', 'build-main.mjs')], 'building the main process');
}

// Where the Electron binary is, without letting `require('electron')` start a download.
function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return require('electron');
  const pkg = dirname(require.resolve('electron/package.json'));
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

let electron = electronBinary();
if (!electron && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  // Electron fetches its binary on first use, not at `npm install`.
  process.stderr.write('start: downloading the Electron binary (first run only)…\n');
  spawnSync(process.execPath, [join(dirname(require.resolve('electron/package.json')), 'install.js')], { cwd: root, stdio: 'inherit' });
  electron = electronBinary();
}
if (!electron) {
  process.stderr.write(
    'start: the Electron binary is not installed (its download was skipped or failed).\n' +
      'Run `node node_modules/electron/install.js` where the network allows it, or open HeapScope in a browser with `npx heapscope serve`.\n',
  );
  process.exit(1);
}

// npm runs this from the project folder: a file named on the command line is relative to
// where the user typed it (INIT_CWD).
const userCwd = process.env.INIT_CWD ?? process.cwd();
const args = ['.', ...process.argv.slice(2).filter((a) => a !== '--no-build').map((a) => (a.startsWith('-') ? a : resolve(userCwd, a)))];
const child = spawn(electron, args, { cwd: root, stdio: 'inherit', env: { ...process.env, HEAPSCOPE_ROOT: root } });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
