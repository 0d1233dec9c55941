// Profiling aid: `node --cpu-prof --import tsx bench/profileIngest.ts [capture]`.
import { readFileSync } from 'node:fs';
import { CaptureReader } from '../src/shared/capture/captureReader';
import { metricsOf } from '../src/shared/heap/metrics';
const buf = readFileSync(process.argv[2] ?? 'bench/data/micropython-100mb.txt');
for (let k = 0; k < 3; k++) {
const t0 = performance.now();
const r = new CaptureReader();
let n = 0;
for (let i = 0; i < buf.length; i += 1 << 20) for (const e of r.feed(buf.subarray(i, i + (1 << 20)))) if (e.type === 'snapshot') { metricsOf(e.snapshot); n++; }
r.end();
console.log(n, (buf.length / 1048576 / ((performance.now() - t0) / 1000)).toFixed(0), 'MB/s');
}
