/**
 * A stand-in for `heapscope serve` while it is being written: the default service behind the
 * browser bridge, serving out/renderer. Prints the URL as its first stdout line, like serve.
 * Usage: node --import tsx test/e2e/support/devServe.ts [--data-dir DIR]
 */
import { fileURLToPath } from 'node:url';
import { startBridge } from '../../../src/main/bridge/server';
import { createDefaultService } from '../../../src/main/service/defaults';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const service = createDefaultService({ root } as never);
const bridge = await startBridge({ service: service as never, staticDir: `${root}out/renderer` });
process.stdout.write(`${bridge.url}\n`);
