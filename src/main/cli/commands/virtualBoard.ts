import { DEMO_NAMES, DEFAULT_HEAP_BYTES, MAX_HEAP_BYTES, MIN_HEAP_BYTES, type DemoName } from '../../board/virtual/virtualBoard';
import { PtyPairError } from '../../board/virtual/ptyPair';
import { serveVirtualBoardOnPath } from '../../board/virtual/serve';
import { UsageError } from '../errors';

export interface VirtualBoardCliOptions {
  link: string;
  heap: string;
  demo?: string;
}

/** `heapscope virtual-board`: its options are in ./index.ts. */
export async function run(opts: VirtualBoardCliOptions): Promise<void> {
  const heapBytes = parseSize(opts.heap);
  if (opts.demo !== undefined && !(DEMO_NAMES as readonly string[]).includes(opts.demo)) {
    throw new UsageError(`unknown demo "${opts.demo}": choose one of ${DEMO_NAMES.join(', ')}`);
  }
  await serve(opts.link, heapBytes, opts.demo as DemoName | undefined);
}

/** "196608", "192K", "192KB", "1M", "1.5MiB" → bytes (K = 1024). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(k|kb|kib|m|mb|mib|b)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`--heap: "${text}" is not a size (e.g. 192K, 262144, 1M)`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const bytes = Math.round(Number(m[1]) * (unit.startsWith('m') ? 1 << 20 : unit.startsWith('k') ? 1024 : 1));
  if (bytes < MIN_HEAP_BYTES || bytes > MAX_HEAP_BYTES) {
    throw new UsageError(`--heap: ${text} is out of range (${MIN_HEAP_BYTES / 1024}K to ${MAX_HEAP_BYTES >> 20}M; a Pico has about ${DEFAULT_HEAP_BYTES / 1024}K)`);
  }
  return bytes;
}

async function serve(link: string, heapBytes: number, demo: DemoName | undefined): Promise<void> {
  const log = (line: string) => process.stderr.write(`heapscope virtual-board: ${line}\n`);
  let server;
  try {
    server = await serveVirtualBoardOnPath(link, { heapBytes, demo, log });
  } catch (err) {
    if (err instanceof PtyPairError) throw new Error(err.message);
    throw err;
  }
  process.stdout.write(
    `Virtual MicroPython board on ${server.path} (${Math.round(heapBytes / 1024)} KB heap${demo ? `, demo "${demo}" as main.py` : ''}).\n` +
      `Open it like a board's port, e.g. \`mpremote connect ${server.path} repl\` or \`heapscope record --port ${server.path}\`. Ctrl-C stops it.\n`,
  );
  const stop = () => void server.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await server.done;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
