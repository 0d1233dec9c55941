/**
 * The worker that codes an import's raw records (rawCoder.ts): commands in, records out, in
 * order. Built beside the CLI as out/cli/rawCoderWorker.js (scripts/build-cli.mjs).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RawCoder, runCommands, type RawCommand, type RawRecord, type RawReply } from './rawCoder';

const port = parentPort;
if (!port) throw new Error('rawCoderWorker runs as a worker thread');
const coder = new RawCoder(workerData as { format: number; level: number });
const taken: RawRecord[] = [];
let failed: string | null = null;
port.on('message', (cmds: RawCommand[]) => {
  for (let k = 0; k < cmds.length; k++) {
    const m = cmds[k];
    if (failed !== null) {
      // Everything after a failure is refused with the same error (the writer stops at the first).
      if (m.c === 'reply') port.postMessage({ id: m.id, error: failed } satisfies RawReply);
      continue;
    }
    try {
      runCommands(coder, taken, [m], (r) => port.postMessage(r, 'records' in r ? r.records.map((x) => x.bytes.buffer as ArrayBuffer) : []));
    } catch (err) {
      failed = (err as Error).message || String(err);
      if (m.c === 'reply') port.postMessage({ id: m.id, error: failed } satisfies RawReply);
    }
  }
});
