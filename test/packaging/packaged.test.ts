/**
 * The packaged desktop app, without the Electron binary: electron-builder (the pinned version,
 * this project's electron-builder.yml) builds the unpacked Linux app (`--dir`) against a
 * stand-in Electron distribution. The app's archive is read back and its main bundle run as
 * Electron would run it (test/packaging/runPacked.cjs): from `/`, `isPackaged` true, through
 * its own IPC handler. It must list ports, record the virtual board (helper, worker and
 * WebAssembly found in the packed layout), and carry no build tools.
 *
 * What this cannot show: Electron itself loading the bundle, asar reads through Electron's fs,
 * the window. Those need the Electron binary.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractAll, listPackage } from '@electron/asar';
import { IPC_INVOKE } from '../../src/shared/api';

const ROOT = resolve(__dirname, '..', '..');
let stage: string;
let resources: string;
let asarFiles: string[];
let unpackedFiles: string[];
let run: { workers: string[]; helperReads: string[]; window: { devTools: boolean; preload: string }; loadedUrl: string; steps: any; error?: string };

function node(args: string[], cwd: string, what: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env, timeout: 600_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function collectorEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_user_agent: 'traversal' };
  delete env.npm_execpath;
  return env;
}

function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, base));
    else out.push(p.slice(base.length).split('\\').join('/'));
  }
  return out;
}

beforeAll(() => {
  stage = mkdtempSync(join(tmpdir(), 'heapscope-pack-'));
  // A copy of the project as `npm run dist` sees it, built into its own out/ (the checkout's
  // out/ belongs to other tests), with the project's node_modules.
  for (const f of ['package.json', 'electron-builder.yml']) cpSync(join(ROOT, f), join(stage, f));
  for (const d of ['build', 'device']) cpSync(join(ROOT, d), join(stage, d), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'), 'dir');
  const env = { ...process.env, NODE_ENV: 'production' };
  node([join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src/renderer/vite.config.ts', '--outDir', join(stage, 'out', 'renderer'), '--emptyOutDir'], ROOT, 'vite build', env);
  node([join(ROOT, 'scripts', 'build-main.mjs'), '--outdir', join(stage, 'out')], ROOT, 'build-main');
  // The stand-in Electron distribution: the layout electron-builder copies, with no Electron in it.
  const dist = join(stage, 'electron-dist');
  mkdirSync(join(dist, 'resources'), { recursive: true });
  writeFileSync(join(dist, 'electron'), '#!/bin/sh\necho "a stand-in for Electron" >&2\nexit 1\n');
  chmodSync(join(dist, 'electron'), 0o755);
  node(
    [join(ROOT, 'node_modules', 'electron-builder', 'cli.js'), '--linux', '--dir', '--x64', '--publish', 'never', '--projectDir', stage, `--config.electronDist=${dist}`, `--config.directories.output=${join(stage, 'dist')}`],
    stage,
    'electron-builder --dir',
    // The stage borrows the checkout's node_modules through a symlink, which `npm list` (the
    // collector electron-builder picks for npm) misreads as extraneous packages whenever npm's
    // hidden lockfile is older than a package folder, as after a fresh `npm ci`: it then drops
    // serialport's dependencies. A real `npm run dist` runs in the project folder itself, where
    // this cannot happen; here electron-builder walks node_modules on disk instead.
    collectorEnv(),
  );
  resources = join(stage, 'dist', 'linux-unpacked', 'resources');
  const asar = join(resources, 'app.asar');
  asarFiles = listPackage(asar, { isPack: false }).map((f) => f.split('\\').join('/'));
  unpackedFiles = walk(join(resources, 'app.asar.unpacked'));
  // Read the archive back into a folder of the same name: the paths the packed code computes
  // are the installed app's; unpacked files stay only where electron-builder put them.
  // (extractAll reads unpacked files from beside the archive, as Electron's fs does.)
  const kept = join(stage, 'archive');
  mkdirSync(kept);
  renameSync(asar, join(kept, 'app.asar'));
  cpSync(join(resources, 'app.asar.unpacked'), join(kept, 'app.asar.unpacked'), { recursive: true });
  extractAll(join(kept, 'app.asar'), asar);
  const home = join(stage, 'home');
  mkdirSync(home);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HEAPSCOPE_HOME: home };
  delete childEnv.HEAPSCOPE_ROOT;
  const r = spawnSync(process.execPath, [join(__dirname, 'runPacked.cjs'), resources, IPC_INVOKE, join(home, 'packed.hss')], {
    cwd: '/',
    encoding: 'utf8',
    env: childEnv,
    timeout: 240_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    run = JSON.parse(line);
  } catch {
    throw new Error(`the packed app printed no result (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  if (run.error) throw new Error(`the packed app failed: ${run.error}\n${r.stderr}`);
}, 900_000);

afterAll(() => {
  if (stage) rmSync(stage, { recursive: true, force: true });
});

describe('the packaged app (electron-builder --dir, Linux)', () => {
  it('carries what the app runs, once: no tsx, esbuild or bundled-in packages', () => {
    const all = [...asarFiles, ...unpackedFiles];
    const packages = new Set(all.map((f) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter(Boolean));
    for (const p of ['tsx', 'esbuild', '@esbuild/linux-x64', 'zod', 'ws', 'commander', 'pngjs', 'gifenc', 'electron', 'vite', 'react']) {
      expect(packages.has(p), p).toBe(false);
    }
    expect(packages.has('serialport')).toBe(true);
    expect(packages.has('@micropython/micropython-webassembly-pyscript')).toBe(true);
    expect(all.some((f) => f.startsWith('/out/cli/'))).toBe(false);
    expect(all.some((f) => f.endsWith('.map'))).toBe(false);
    expect(asarFiles).toContain('/device/mem_dump.py');
    expect(asarFiles).toContain('/out/renderer/index.html');
  });

  it('puts the worker and the MicroPython package outside the archive, side by side', () => {
    expect(unpackedFiles).toContain('/out/main/worker.js');
    expect(unpackedFiles).toContain('/node_modules/@micropython/micropython-webassembly-pyscript/micropython.wasm');
    expect(unpackedFiles).toContain('/node_modules/@micropython/micropython-webassembly-pyscript/package.json');
    expect(unpackedFiles.some((f) => f.endsWith('.node'))).toBe(true);
  });

  it('was not rebuilt from source: serialport keeps its N-API prebuilds', () => {
    expect(unpackedFiles.some((f) => /@serialport\/bindings-cpp\/prebuilds\/linux-x64\/.*\.node$/.test(f))).toBe(true);
    expect(unpackedFiles.some((f) => /@serialport\/bindings-cpp\/build\//.test(f))).toBe(false);
  });

  it('started from /, lists the ports with the serial driver loaded', () => {
    const ports = run.steps.ports as Array<{ path: string; kind: string; problem?: string }>;
    expect(ports.some((p) => p.kind === 'virtual')).toBe(true);
    expect(ports.filter((p) => p.problem)).toEqual([]);
    expect(run.loadedUrl).toBe('heapscope://app/index.html');
    expect(run.window.devTools).toBe(false);
    expect(run.window.preload).toBe(join(resources, 'app.asar', 'out', 'preload', 'index.cjs'));
  });

  it('records the virtual board: helper from the archive, worker from app.asar.unpacked', () => {
    expect(run.steps.demos.length).toBeGreaterThan(0);
    expect(run.steps.recording).toMatchObject({ phase: 'recording' });
    expect(run.steps.recording.snapshots).toBeGreaterThanOrEqual(3);
    expect(run.steps.snapshots).toBeGreaterThanOrEqual(3);
    expect(run.helperReads.length).toBeGreaterThan(0);
    for (const p of run.helperReads) expect(p).toBe(join(resources, 'app.asar', 'device', 'mem_dump.py'));
    expect(run.workers.length).toBeGreaterThan(0);
    for (const w of run.workers) expect(w).toBe(join(resources, 'app.asar.unpacked', 'out', 'main', 'worker.js'));
    expect(existsSync(join(stage, 'home', 'packed.hss'))).toBe(true);
  });
});
