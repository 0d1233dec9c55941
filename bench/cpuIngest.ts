// Profiling aid: `node --import tsx bench/cpuIngest.ts [capture] [rounds]`: the capture reader and
// metrics over a capture in memory (1 MiB feeds), least CPU seconds of the rounds (CPU, not wall:
// it holds on a shared machine), beside the bench's baseline (decode and split lines).
import { readFileSync } from 'node:fs';
import { CaptureReader } from '../src/shared/capture/captureReader';
import { metricsOf } from '../src/shared/heap/metrics';

const buf = readFileSync(process.argv[2] ?? 'bench/data/micropython-100mb.txt');
const rounds = Number(process.argv[3] ?? 5);
const cpu = (fn: () => void): number => {
  let best = Infinity;
  for (let k = 0; k < rounds; k++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1e6);
  }
  return best;
};
let lines = 0;
const base = cpu(() => {
  const decoder = new TextDecoder();
  let rest = '';
  for (let i = 0; i < buf.length; i += 1 << 20) {
    const parts = (rest + decoder.decode(buf.subarray(i, i + (1 << 20)), { stream: true })).split('\n');
    rest = parts.pop() ?? '';
    lines += parts.length;
  }
});
let n = 0;
const ingest = cpu(() => {
  const r = new CaptureReader();
  for (let i = 0; i < buf.length; i += 1 << 20) for (const e of r.feed(buf.subarray(i, i + (1 << 20)))) if (e.type === 'snapshot') (metricsOf(e.snapshot), n++);
  r.end();
});
console.log(`baseline ${base.toFixed(3)} s CPU, ingest ${ingest.toFixed(3)} s CPU, ratio ${(ingest / base).toFixed(2)} (least of ${rounds}; ${n / rounds} snapshots)`);
