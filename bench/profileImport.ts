// Profiling aid: `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profileImport.ts [capture] [format]`:
// importCapture of a capture (default the pi-mst one) three times, CPU seconds of each.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importCapture } from '../src/main/session/importCapture';

const capture = process.argv[2] ?? 'bench/data/pimst-40mb.txt';
const format = process.argv[3] === '2' ? 2 : undefined;
const dir = mkdtempSync(path.join(os.tmpdir(), 'hs-prof-import-'));
try {
  for (let k = 0; k < 3; k++) {
    const out = path.join(dir, `s${k}.hss`);
    const c0 = process.cpuUsage();
    await importCapture(capture, out, {}, format ? { format } : {});
    const c = process.cpuUsage(c0);
    console.log(`import ${k}: ${((c.user + c.system) / 1e6).toFixed(2)} s CPU`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
