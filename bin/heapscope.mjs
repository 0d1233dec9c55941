#!/usr/bin/env node
// Runs the compiled CLI (out/cli, built by `npm install` through the `prepare` script), so
// start-up loads plain JavaScript. In a checkout whose sources changed since that build, or
// that was never built, it runs the TypeScript sources through tsx instead (a development
// dependency): slower to start, never stale.
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const built = new URL('out/cli/', root);

/** The build's time if every source it was built from is older; null if stale or absent. */
function freshBuild() {
  let stamp;
  let inputs;
  try {
    stamp = statSync(new URL('inputs.json', built)).mtimeMs;
    inputs = JSON.parse(readFileSync(new URL('inputs.json', built), 'utf8'));
  } catch {
    return null;
  }
  for (const file of inputs) {
    try {
      if (statSync(new URL(file, root)).mtimeMs > stamp) return null;
    } catch (err) {
      // A source deleted since the build means a checkout that moved on; none at all means an
      // installed copy without sources, where the build is all there is.
      if (err.code === 'ENOENT' && existsSrc()) return null;
    }
  }
  return stamp;
}

function existsSrc() {
  try {
    return statSync(new URL('src/main/cli/index.ts', root)).isFile();
  } catch {
    return false;
  }
}

let main;
if (freshBuild() !== null && !process.env.HEAPSCOPE_FROM_SOURCE) {
  ({ main } = await import(new URL('index.js', built).href));
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('heapscope: the CLI is not built and tsx is not installed: run `npm install` in the HeapScope folder.\n');
    process.exit(1);
  }
  register();
  ({ main } = await import(new URL('src/main/cli/index.ts', root).href));
}
process.exitCode = await main(process.argv.slice(2));
