/** Ingest throughput: bytes → events → metrics, beside a pass that only reads and splits lines. */
import { createReadStream, statSync } from 'node:fs';
import { CaptureReader } from '../src/shared/capture/captureReader';
import type { CaptureEvent } from '../src/shared/capture/events';
import { metricsOf } from '../src/shared/heap/metrics';

async function timeIt(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
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
  const tb = Math.min(await timeIt(baseline), await timeIt(baseline), await timeIt(baseline));
  const ti = Math.min(await timeIt(ingest), await timeIt(ingest), await timeIt(ingest));
  return {
    'capture MB': mb.toFixed(1),
    'lines': lines,
    'snapshots': snapshots,
    'log lines': logLines,
    'baseline (read, decode, split lines) MB/s': (mb / tb).toFixed(0),
    'ingest (parse + metrics) MB/s': (mb / ti).toFixed(0),
    'ingest ÷ baseline time': (ti / tb).toFixed(2),
    'target': '≥ 100 MB/s and ≤ 3× baseline',
  };
}
