// Profiling aid: `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profileImport.ts [capture] [format] [rounds]`:
// importCapture of a capture (default the pi-mst one) `rounds` times (3), CPU seconds of each. The first
// run in a process is the one a whole `heapscope import` pays: on the pi-mst capture it took 0.9-1.2 s
// more user CPU than the later ones (2.6-2.7 s against 1.4-1.8 s, load 12), after a 3 MB import
// first too; not GC (mark-compacts of 5-40 ms), not system time, 27 deopts: not found yet.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importCapture } from '../src/main/session/importCapture';

const capture = process.argv[2] ?? 'bench/data/pimst-40mb.txt';
const format = process.argv[3] === '2' ? 2 : undefined;
const dir = mkdtempSync(path.join(os.tmpdir(), 'hs-prof-import-'));
try {
  for (let k = 0; k < Number(process.argv[4] ?? 3); k++) {
    const out = path.join(dir, `s${k}.hss`);
    const c0 = process.cpuUsage();
    await importCapture(capture, out, {}, format ? { format } : {});
    const c = process.cpuUsage(c0);
    console.log(`import ${k}: ${((c.user + c.system) / 1e6).toFixed(2)} s CPU`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
