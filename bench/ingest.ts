/** Ingest throughput: bytes → events → metrics, beside a pass that only reads and splits lines. */
import { createReadStream, statSync } from 'node:fs';
import { CaptureReader } from '../src/shared/capture/captureReader';
import type { CaptureEvent } from '../src/shared/capture/events';
import { metricsOf } from '../src/shared/heap/metrics';

let lastCpu = 0;
/** Wall seconds of fn; its CPU seconds go to lastCpu (the figure that holds on a loaded machine). */
async function timeIt(fn: () => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const c = process.cpuUsage(c0);
  lastCpu = (c.user + c.system) / 1e6;
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Best of three runs: [wall, CPU] seconds, each the least of its three. */
async function best3(fn: () => Promise<void>): Promise<[number, number]> {
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < 3; i++) {
    wall = Math.min(wall, await timeIt(fn));
    cpu = Math.min(cpu, lastCpu);
  }
  return [wall, cpu];
}

async function forEachChunk(file: string, fn: (b: Buffer) => void): Promise<void> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) fn(chunk as Buffer);
}

export async function benchIngest(file: string): Promise<Record<string, string | number>> {
  const size = statSync(file).size;
  const mb = size / 1048576;
  let lines = 0;
  // The least any line reader does: decode the bytes and split them into lines.
  const baseline = async () => {
    lines = 0;
    const decoder = new TextDecoder();
    let rest = '';
    await forEachChunk(file, (b) => {
      const parts = (rest + decoder.decode(b, { stream: true })).split('\n');
      rest = parts.pop() ?? '';
      lines += parts.length;
    });
    if (rest) lines++;
  };
  let snapshots = 0;
  let logLines = 0;
  const ingest = async () => {
    snapshots = 0;
    logLines = 0;
    const reader = new CaptureReader();
    const take = (events: CaptureEvent[]) => {
      for (const e of events) {
        if (e.type === 'snapshot') {
          metricsOf(e.snapshot);
          snapshots++;
        } else if (e.type === 'log') logLines++;
      }
    };
    await forEachChunk(file, (b) => take(reader.feed(b)));
    take(reader.end());
  };
  // Warm up both paths, then take the best of three of each.
  await baseline();
  await ingest();
  const [tb, cb] = await best3(baseline);
  const [ti, ci] = await best3(ingest);
  return {
    'capture MB': mb.toFixed(1),
    'lines': lines,
    'snapshots': snapshots,
    'log lines': logLines,
    'baseline (read, decode, split lines) MB/s': (mb / tb).toFixed(0),
    'ingest (parse + metrics) MB/s': (mb / ti).toFixed(0),
    'ingest ÷ baseline time': (ti / tb).toFixed(2),
    'ingest ÷ baseline CPU time': `${(ci / cb).toFixed(2)} (goal ≤ 1.2)`,
    'target': '≥ 100 MB/s and ≤ 3× baseline',
  };
}
