/**
 * Which file the virtual board's worker thread runs.
 *
 * - A build may ship a compiled worker: `setVirtualBoardWorker(url)`, or a `worker.js` next to
 *   this module.
 * - From the TypeScript sources (tests, `npx heapscope`), the worker is bundled with esbuild
 *   (tsx's own dependency) into a temporary directory, once per process: starting a worker
 *   through tsx's loader costs about a second, a bundle a few milliseconds. The directory gets a
 *   `node_modules` link to the project's, so the bundle finds the MicroPython package.
 * - Failing that, `workerEntry.mjs` registers tsx in the worker and imports `worker.ts`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MP_PACKAGE = '@micropython/micropython-webassembly-pyscript';

let configured: URL | null = null;
let bundled: Promise<URL> | null = null;

/** Use this compiled worker script (for builds that bundle the main process). */
export function setVirtualBoardWorker(url: URL | string): void {
  configured = typeof url === 'string' ? pathToFileURL(url) : url;
}

function here(): URL | null {
  try {
    return new URL(import.meta.url);
  } catch {
    return null;
  }
}

export async function virtualBoardWorkerUrl(): Promise<URL> {
  if (configured) return configured;
  const base = here();
  if (!base || base.protocol !== 'file:') throw new Error('the virtual board worker was not configured (setVirtualBoardWorker)');
  const compiled = new URL('./worker.js', base);
  if (existsSync(fileURLToPath(compiled))) return compiled;
  bundled ??= bundleWorker(base).catch(() => new URL('./workerEntry.mjs', base));
  return bundled;
}

async function bundleWorker(base: URL): Promise<URL> {
  const require = createRequire(base);
  const pkgMain = require.resolve(MP_PACKAGE);
  // .../node_modules/@micropython/<name>/micropython.mjs → .../node_modules
  const nodeModules = path.resolve(path.dirname(pkgMain), '..', '..');
  const esbuild: typeof import('esbuild') = await import(pathToFileURL(require.resolve('esbuild')).href);
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('./worker.ts', base))],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    external: [MP_PACKAGE, 'esbuild', 'tsx', 'serialport'],
  });
  const code = result.outputFiles[0].text;
  const hash = createHash('sha256').update(code).update(nodeModules).digest('hex').slice(0, 16);
  const dir = path.join(tmpdir(), `heapscope-vboard-worker-${hash}`);
  const file = path.join(dir, 'worker.mjs');
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true });
    try {
      await symlink(nodeModules, path.join(dir, 'node_modules'), 'dir');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // Write then rename, so a concurrent process never runs half a file.
    const part = `${file}.${process.pid}.part`;
    await writeFile(part, code);
    await rename(part, file);
  }
  return pathToFileURL(file);
}
