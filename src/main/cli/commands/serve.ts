/**
 * `heapscope serve`: the HeapScope window in a browser on this machine. Prints
 * `http://127.0.0.1:PORT/?token=TOKEN` as the first line on stdout, then serves the built
 * renderer and the service API (WebSocket) until interrupted.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startBridge } from '../../bridge/server';
import { isLoopback } from '../../bridge/policy';
import { buildRenderer, rendererPaths, rendererState } from '../../bridge/rendererBuild';
import { createDefaultService, findProjectRoot } from '../../service';
import { InputError, UsageError } from '../errors';

export interface ServeCliOptions {
  port: string;
  host: string;
  session?: string;
  build: boolean;
  open?: boolean;
}

/** `heapscope serve`: its options are in ./index.ts. */
export async function run(opts: ServeCliOptions): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: ${opts.port} is not a port number (0–65535)`);
  const say = (s: string) => process.stderr.write(s + '\n');
  const root = findProjectRoot();
  const paths = rendererPaths(root);
  let state = rendererState(paths);
  if ((state === 'missing' || state === 'stale') && opts.build) {
    say(state === 'missing' ? 'Building the renderer (first run)…' : 'The renderer sources changed: rebuilding…');
    try {
      await buildRenderer(paths);
      state = 'fresh';
    } catch (err) {
      say(`heapscope: ${(err as Error).message}`);
      if (!existsSync(resolve(paths.outDir, 'index.html'))) state = 'missing';
    }
  }
  const staticDir = existsSync(resolve(paths.outDir, 'index.html')) ? paths.outDir : null;

  const service = createDefaultService({ bridge: 'ws' });
  if (opts.session) {
    const file = resolve(opts.session);
    if (!existsSync(file)) throw new InputError(opts.session, 'no such file');
    try {
      await service.openSession(file);
    } catch (err) {
      throw new InputError(opts.session, (err as Error).message);
    }
  }
  const remote = !isLoopback(opts.host);
  const bridge = await startBridge({ service, staticDir, host: opts.host, port, allowRemote: remote });
  process.stdout.write(bridge.url + '\n');
  if (remote) {
    say(
      `WARNING: listening on ${opts.host}:${bridge.port}, beyond this machine. Anyone who can reach it and has the token ` +
        'can drive the boards plugged into this computer and read your sessions.',
    );
  }
  if (!staticDir) {
    say(
      state === 'missing-sources'
        ? 'The renderer is not part of this checkout: serving the API only (WebSocket at /ws).'
        : 'The renderer is not built (run `npm run build`): serving the API only (WebSocket at /ws).',
    );
  } else if (state === 'stale') {
    say('Note: the renderer is older than its sources (run `npm run build`).');
  }
  say('Open the URL above in a browser on this machine. Ctrl-C stops.');

  await new Promise<void>((done) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      void (async () => {
        await service.dispose().catch(() => undefined);
        await bridge.close().catch(() => undefined);
        done();
      })();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
