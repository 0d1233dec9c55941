/**
 * `node --cpu-prof --import tsx bench/profileAttach.ts`: the recording of `npm run bench --
 * attach` (1 MB/s of the pi-mst capture on a PTY, 12 s), alone, for a CPU profile.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordToSession } from '../src/main/record/toSession';
import { stream } from './recordAttach';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-prof-'));
const { port, stop } = await stream(dir, new URL('./data/pimst-40mb.txt', import.meta.url).pathname, 14);
const c0 = process.cpuUsage();
const h = recordToSession({ port, run: { kind: 'attach' }, periodMs: 350, collect: false, durationMs: 12000, sessionPath: path.join(dir, 's.hss') });
const res = await h.done;
const c = process.cpuUsage(c0);
console.log('bytes', res.counts.bytes, 'snapshots', res.counts.snapshots, 'cpu ms', (c.user + c.system) / 1000, 'ms/MB', (c.user + c.system) / 1000 / (res.counts.bytes / 1e6));
await stop();
