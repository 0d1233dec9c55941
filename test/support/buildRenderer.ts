/**
 * Vitest global setup: the renderer is built once, before any test, when it is missing or older
 * than its sources. Left to `heapscope serve`, every e2e file's server found it missing in a
 * fresh clone and ran `vite build` into the same folder at once, emptying it under a page that
 * was loading.
 */
import { fileURLToPath } from 'node:url';
import { buildRenderer, rendererPaths, rendererState } from '../../src/main/bridge/rendererBuild';

export default async function setup(): Promise<void> {
  const paths = rendererPaths(fileURLToPath(new URL('../..', import.meta.url)));
  const state = rendererState(paths);
  if (state === 'missing' || state === 'stale') await buildRenderer(paths);
}
