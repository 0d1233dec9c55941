/**
 * The worker of RawAhead (followAhead.ts): it decodes the session's raw bytes in order with its
 * own reader and sends them a slice at a time, never more than AHEAD slices before the pass has
 * taken them. Built beside the CLI as out/cli/followWorker.js (scripts/build-cli.mjs).
 *
 * It stops at the first bytes it cannot decode (damage): the pass's own reader reads from
 * there and says what is wrong, as it would alone.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { AHEAD, threadCpuMs, type FollowWorkerData, type RawSlice } from './followAhead';
import { SessionReader } from './reader';

const { path, rawLength, slice, ctrl: sab, port } = workerData as FollowWorkerData;
const ctrl = new Int32Array(sab);
const stopped = () => Atomics.load(ctrl, 2) !== 0;
let posted = 0;
const spare: ArrayBuffer[] = [];

function post(s: RawSlice): void {
  // Not more than AHEAD slices untaken: the pass takes them as it goes.
  while (!stopped() && posted - Atomics.load(ctrl, 1) >= AHEAD) Atomics.wait(ctrl, 1, Atomics.load(ctrl, 1), 1000);
  if (stopped()) return;
  port.postMessage(s, 'bytes' in s ? [s.bytes.buffer as ArrayBuffer] : []);
  posted++;
  Atomics.store(ctrl, 0, posted);
  Atomics.notify(ctrl, 0);
}

/** Raw bytes [from, to) in a buffer of their own to hand over: one the pass gave back, else a new one. */
function fill(reader: SessionReader, from: number, to: number): Uint8Array {
  for (let got = receiveMessageOnPort(port); got !== undefined; got = receiveMessageOnPort(port)) spare.push(got.message as ArrayBuffer);
  const buf = spare.pop();
  if (buf === undefined || buf.byteLength < to - from) return reader.readRaw(from, to);
  const out = new Uint8Array(buf, 0, to - from);
  out.set(reader.rawView(from, to));
  return out;
}

try {
  const reader = SessionReader.open(path);
  try {
    const end = Math.min(rawLength, reader.rawLength);
    for (let at = 0; at < end && !stopped(); at += slice) post({ start: at, bytes: fill(reader, at, Math.min(end, at + slice)) });
  } finally {
    reader.close();
  }
} catch {
  // Damage: the pass's thread meets it at the same bytes and reports it itself.
}
post({ end: true, cpuMs: threadCpuMs() });
