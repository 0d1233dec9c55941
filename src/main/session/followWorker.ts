/**
 * The worker of AheadSessionMaps (followAhead.ts): it reads the session's dumps in order with
 * its own reader and FollowedSessionMaps, and sends each dump's maps as batches of what
 * changed. Built beside the CLI as out/cli/followWorker.js (scripts/build-cli.mjs).
 *
 * It stops at the first dump it cannot give (damage in the index or the raw bytes): the
 * pass's own thread reads from there and says what is wrong, as it would alone.
 */
import { workerData } from 'node:worker_threads';
import { AHEAD, BATCH_BYTES, BATCH_DUMPS, type FollowBatch, type FollowWorkerData } from './followAhead';
import { FollowedSessionMaps } from './followMaps';
import { SessionReader } from './reader';

const { path, count, ctrl: sab, port } = workerData as FollowWorkerData;
const ctrl = new Int32Array(sab);
const stopped = () => Atomics.load(ctrl, 2) !== 0;

let meta = new Float64Array(4096);
let metaLen = 0;
let data = new Uint8Array(BATCH_BYTES);
let dataLen = 0;
let addresses: string[] = [];
let dumps = 0;
let posted = 0;

function metaRoom(n: number): void {
  if (metaLen + n <= meta.length) return;
  const g = new Float64Array(Math.max(meta.length * 2, metaLen + n));
  g.set(meta.subarray(0, metaLen));
  meta = g;
}

function put(bytes: Uint8Array): void {
  if (dataLen + bytes.length > data.length) {
    const g = new Uint8Array(Math.max(data.length * 2, dataLen + bytes.length));
    g.set(data.subarray(0, dataLen));
    data = g;
  }
  data.set(bytes, dataLen);
  dataLen += bytes.length;
}

function post(b: FollowBatch, transfer: ArrayBuffer[]): void {
  // Not more than AHEAD batches untaken: the pass's thread takes them as it goes.
  while (!stopped() && posted - Atomics.load(ctrl, 1) >= AHEAD) Atomics.wait(ctrl, 1, Atomics.load(ctrl, 1), 1000);
  if (stopped()) return;
  port.postMessage(b, transfer);
  posted++;
  Atomics.store(ctrl, 0, posted);
  Atomics.notify(ctrl, 0);
}

function flush(): void {
  if (dumps === 0) return;
  const m = meta.slice(0, metaLen);
  const d = data.slice(0, dataLen);
  post({ t: 'batch', meta: m, data: d, addresses }, [m.buffer, d.buffer]);
  metaLen = dataLen = dumps = 0;
  addresses = [];
}

function run(): void {
  const reader = SessionReader.open(path);
  try {
    const maps = new FollowedSessionMaps(reader);
    const n = Math.min(count, reader.snapshotCount);
    for (let i = 0; i < n && !stopped(); i++) {
      // The same dumps the pass asks for (see SessionLifetimes.update): those with a map.
      const e = reader.entry(i);
      if (e.areas.length === 0) continue;
      const got = maps.maps(i, e);
      metaRoom(5 + got.areas.length * 2 + (got.changed ? got.changed.reduce((s, r) => s + r.length, 0) : 0));
      meta[metaLen++] = i;
      meta[metaLen++] = e.byteStart;
      meta[metaLen++] = e.byteEnd;
      meta[metaLen++] = got.changed === null ? 1 : 0;
      meta[metaLen++] = got.areas.length;
      for (let a = 0; a < got.areas.length; a++) {
        const kinds = got.areas[a].kinds;
        if (got.changed === null) {
          meta[metaLen++] = kinds.length;
          put(kinds);
          addresses.push(got.areas[a].address);
          continue;
        }
        const r = got.changed[a];
        meta[metaLen++] = r.length / 2;
        for (let q = 0; q < r.length; q += 2) {
          meta[metaLen++] = r[q];
          meta[metaLen++] = r[q + 1];
          put(kinds.subarray(r[q], r[q + 1]));
        }
      }
      if (++dumps >= BATCH_DUMPS || dataLen >= BATCH_BYTES) flush();
    }
  } finally {
    reader.close();
  }
}

try {
  run();
} catch {
  // The pass's thread meets the same damage at the same dump and reports it itself.
}
flush();
post({ t: 'end' }, []);
