#!/usr/bin/env node
// Compiles the CLI with esbuild, so `heapscope` starts without loading TypeScript tooling:
//   src/main/cli/index.ts             → out/cli/index.js  (ESM; each command a lazily loaded chunk)
//   src/main/board/virtual/worker.ts  → out/cli/worker.js (the virtual board's worker, found beside)
//   src/main/session/rawCoderWorker.ts → out/cli/rawCoderWorker.js (an import's raw coding, found beside)
//   src/main/session/followWorker.ts  → out/cli/followWorker.js (a pass's decoding ahead, found beside)
//   out/cli/inputs.json               → the sources it was built from, so bin/heapscope.mjs can
//                                        tell a stale build in a checkout and run the sources instead
//   out/cli/meta.json                 → esbuild's metafile (which chunk holds which source)
//
// Runs from `npm install` (the `prepare` script), from `npm test`, and as the test suite's
// global setup. Native and WebAssembly packages stay external and load from node_modules.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const EXTERNAL = ['serialport', '@serialport/*', '@micropython/*', 'bufferutil', 'utf-8-validate', 'fsevents', 'esbuild', 'tsx', 'tsx/*'];

/** Builds the CLI into `outDir` (default out/cli); returns the folder. */
export async function buildCli(outDir = join(root, 'out', 'cli')) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    // An install without devDependencies: nothing to compile with (bin/heapscope.mjs says so).
    process.stderr.write('build-cli: esbuild is not installed; the CLI was not compiled\n');
    return null;
  }
  // Build beside, then swap in: a CLI started meanwhile never sees half a build.
  const tmp = `${outDir}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'linked',
    logLevel: 'warning',
    legalComments: 'none',
    external: EXTERNAL,
    metafile: true,
    // ESM bundles of CommonJS dependencies (commander, ws, pngjs) call require().
    banner: { js: "import { createRequire as __hs_cr } from 'node:module'; const require = __hs_cr(import.meta.url);" },
  };
  const [cli, worker] = await Promise.all([
    esbuild.build({ ...common, entryPoints: { index: 'src/main/cli/index.ts' }, outdir: tmp, splitting: true, chunkNames: '[name]-[hash]' }),
    esbuild.build({ ...common, entryPoints: { worker: 'src/main/board/virtual/worker.ts', rawCoderWorker: 'src/main/session/rawCoderWorker.ts', followWorker: 'src/main/session/followWorker.ts' }, outdir: tmp }),
  ]);
  const inputs = [...new Set([...Object.keys(cli.metafile.inputs), ...Object.keys(worker.metafile.inputs)])].filter((f) => f.startsWith('src/')).sort();
  const outputs = { ...cli.metafile.outputs, ...worker.metafile.outputs };
  // Output paths relative to the build folder, each with the sources it holds.
  const chunks = Object.fromEntries(
    Object.entries(outputs)
      .filter(([f]) => f.endsWith('.js'))
      .map(([f, o]) => [relative(tmp, join(root, f)).split('\\').join('/'), Object.keys(o.inputs)]),
  );
  await writeFile(join(tmp, 'meta.json'), JSON.stringify({ chunks }, null, 1));
  await writeFile(join(tmp, 'inputs.json'), JSON.stringify(inputs));
  await writeFile(join(tmp, 'package.json'), '{ "type": "module" }\n');
  await mkdir(dirname(outDir), { recursive: true });
  const old = `${outDir}.${process.pid}.old`;
  await rename(outDir, old).catch(() => undefined);
  await rename(tmp, outDir);
  await rm(old, { recursive: true, force: true });
  return outDir;
}

/** Vitest's global setup: the CLI tests run the compiled CLI, built from the sources under test. */
export async function setup() {
  await buildCli();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const dir = await buildCli();
    if (dir) process.stderr.write(`built ${relative(process.cwd(), dir) || dir}\n`);
  } catch (err) {
    process.stderr.write(`build-cli: ${err.message}\n`);
    process.exit(1);
  }
}
