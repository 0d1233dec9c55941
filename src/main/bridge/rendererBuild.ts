/**
 * The built renderer (out/renderer): found, checked for staleness against its sources, and
 * built with Vite when missing or stale. Vite's output goes to stderr, so a caller's stdout
 * stays clean (`serve` prints its URL as the first line there).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface RendererPaths {
  root: string;
  outDir: string;
  config: string;
}

export function rendererPaths(root: string): RendererPaths {
  return { root, outDir: join(root, 'out', 'renderer'), config: join(root, 'src', 'renderer', 'vite.config.ts') };
}

function newestMtime(dir: string, skip = new Set(['node_modules'])): number {
  let newest = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (skip.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p, skip));
    else if (e.isFile()) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export type RendererState = 'missing-sources' | 'missing' | 'stale' | 'fresh';

/** Whether out/renderer is there and newer than src/renderer and src/shared. */
export function rendererState(p: RendererPaths): RendererState {
  if (!existsSync(p.config)) return existsSync(join(p.outDir, 'index.html')) ? 'fresh' : 'missing-sources';
  const index = join(p.outDir, 'index.html');
  if (!existsSync(index)) return 'missing';
  const built = statSync(index).mtimeMs;
  const src = Math.max(newestMtime(join(p.root, 'src', 'renderer')), newestMtime(join(p.root, 'src', 'shared')));
  return src > built ? 'stale' : 'fresh';
}

/** Runs `vite build` for the renderer; its output goes to our stderr. */
export function buildRenderer(p: RendererPaths): Promise<void> {
  const vite = join(p.root, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', p.config], {
      cwd: p.root,
      // Always the production build: a test runner's NODE_ENV=test would give React's
      // development build, slower and larger than what users run.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', process.stderr, process.stderr],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`building the renderer failed (vite exited with ${code})`))));
  });
}
