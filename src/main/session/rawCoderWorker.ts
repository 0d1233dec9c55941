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
// The replies to one message's commands go back as one message (a message per reply cost more
// than the coding of a small batch).
port.on('message', (cmds: RawCommand[]) => {
  const replies: RawReply[] = [];
  const transfer = new Set<ArrayBuffer>();
  for (let k = 0; k < cmds.length; k++) {
    const m = cmds[k];
    if (failed !== null) {
      // Everything after a failure is refused with the same error (the writer stops at the first).
      if (m.c === 'reply') replies.push({ id: m.id, error: failed });
      continue;
    }
    try {
      runCommands(coder, taken, [m], (r) => {
        replies.push(r);
        if ('records' in r) for (const x of r.records) transfer.add(x.bytes.buffer as ArrayBuffer);
      });
    } catch (err) {
      failed = (err as Error).message || String(err);
      if (m.c === 'reply') replies.push({ id: m.id, error: failed });
    }
  }
  if (replies.length > 0) port.postMessage(replies, [...transfer]);
});
