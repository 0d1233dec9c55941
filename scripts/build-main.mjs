#!/usr/bin/env node
// Bundles the Electron main process, the preload and the virtual board's worker with esbuild:
//   src/main/electron/main.ts         → out/main/electron.cjs
//   src/preload/index.ts              → out/preload/index.cjs  (sandboxed: one file, only `electron` required)
//   src/main/board/virtual/worker.ts  → out/main/worker.js     (ESM; found next to the bundle)
// Native and WebAssembly packages stay external and load from node_modules.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
// --outdir DIR: build somewhere else than out/ (tests build into a temporary folder).
const oi = process.argv.indexOf('--outdir');
const outDir = oi > 0 ? process.argv[oi + 1] : join(root, 'out');

const external = [
  'electron',
  'serialport',
  '@serialport/*',
  '@micropython/*',
  'bufferutil',
  'utf-8-validate',
  'tsx',
  'tsx/*',
  'fsevents',
];

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: dev ? 'inline' : true,
  minify: false,
  logLevel: 'warning',
  external,
  legalComments: 'none',
};

// CommonJS bundles have no import.meta.url: give them the bundle's own file URL.
const cjsMetaUrl = {
  banner: { js: "const __hs_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__hs_import_meta_url' },
};

const jobs = [
  build({
    ...common,
    ...cjsMetaUrl,
    entryPoints: ['src/main/electron/main.ts'],
    outfile: join(outDir, 'main', 'electron.cjs'),
    format: 'cjs',
  }),
  build({
    ...common,
    entryPoints: ['src/preload/index.ts'],
    outfile: join(outDir, 'preload', 'index.cjs'),
    format: 'cjs',
    // The sandboxed preload may require only `electron` (and a few built-ins).
    external: ['electron'],
    platform: 'browser',
    mainFields: ['module', 'main'],
  }),
];

const worker = 'src/main/board/virtual/worker.ts';
if (existsSync(join(root, worker))) {
  jobs.push(
    build({
      ...common,
      entryPoints: [worker],
      outfile: join(outDir, 'main', 'worker.js'),
      format: 'esm',
      banner: {
        // ESM bundles of CommonJS dependencies may call require().
        js: "import { createRequire as __hs_cr } from 'node:module'; const require = __hs_cr(import.meta.url);",
      },
    }),
  );
}

try {
  await Promise.all(jobs);
  process.stderr.write(`built ${outDir}/main/electron.cjs, ${outDir}/preload/index.cjs${jobs.length > 2 ? `, ${outDir}/main/worker.js` : ''}\n`);
} catch (err) {
  process.stderr.write(`build-main: ${err.message}\n`);
  process.exit(1);
}
