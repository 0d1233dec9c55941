/**
 * Session files: a capture imported into a session (bytes → events → metrics → file), its size
 * beside gzip -6 of the raw capture, and how fast it opens and serves a random snapshot.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { importCapture, SessionReader } from '../src/main/session';
import { synthCapture } from '../test/session/synth';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};

function gzipSize(bytes: Uint8Array): number {
  return zlib.gzipSync(bytes, { level: 6 }).length;
}

/** Bytes of each record type in a session file (the index: its records and their counts, any format). */
export function breakdown(file: string): Record<string, number> {
  const f = readFileSync(file);
  const names: Record<number, string> = { 1: 'meta', 2: 'segment', 3: 'raw', 4: 'index', 5: 'end', 6: 'index', 0x81: 'index' };
  const out: Record<string, number> = {};
  let at = 16;
  while (at + 9 <= f.length) {
    const len = f.readUInt32LE(at + 1);
    const name = names[f[at]] ?? `type ${f[at]}`;
    out[name] = (out[name] ?? 0) + 9 + len;
    at += 9 + len;
  }
  return out;
}

export async function benchSession(rawCapturePath: string, pimstPath?: string): Promise<Record<string, string | number>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-bench-session-'));
  try {
    const raw = readFileSync(rawCapturePath);
    const mb = raw.length / 1048576;
    const file = path.join(dir, 'bench.hss');
    // Import twice (the first warms the JIT up), keep the better time.
    let best = Infinity;
    for (let i = 0; i < 2; i++) {
      const t0 = process.hrtime.bigint();
      await importCapture(rawCapturePath, file);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    const size = statSync(file).size;
    const gz = gzipSize(raw);
    const parts = breakdown(file);

    const opens: number[] = [];
    let reader: SessionReader | null = null;
    for (let i = 0; i < 5; i++) {
      reader?.close();
      const t0 = process.hrtime.bigint();
      reader = SessionReader.open(file);
      opens.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const r = reader!;
    const n = r.snapshots.length;
    // Random snapshots (the reader keeps 4 decoded segments: most fetches decode one), and
    // the next snapshot after each (what stepping forward costs).
    const fetches: number[] = [];
    const steps: number[] = [];
    let x = 12345;
    for (let k = 0; k < 50 && n > 1; k++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const i = x % (n - 1);
      const t0 = process.hrtime.bigint();
      r.getSnapshot(i);
      const t1 = process.hrtime.bigint();
      r.getSnapshot(i + 1);
      const t2 = process.hrtime.bigint();
      fetches.push(Number(t1 - t0) / 1e6);
      steps.push(Number(t2 - t1) / 1e6);
    }
    const t0 = process.hrtime.bigint();
    let exported = 0;
    for (const chunk of r.rawChunks()) exported += chunk.length;
    const exportS = Number(process.hrtime.bigint() - t0) / 1e9;
    r.close();

    // The same capture with log text left in the raw bytes (writer option logText: 'raw').
    const rawTextFile = path.join(dir, 'bench-rawtext.hss');
    await importCapture(rawCapturePath, rawTextFile, {}, { logText: 'raw' });
    const rawTextRatio = statSync(rawTextFile).size / gz;

    // The size target is stated for RP2040-sized heaps (dumps of 12–15 KB, a few percent of
    // blocks changing per dump): a synthetic recording of that shape, for comparison.
    const synth = synthCapture({ dumps: 600, seed: 11 });
    const synthFile = path.join(dir, 'synth.hss');
    await importCapture(synth, synthFile);
    const synthRatio = statSync(synthFile).size / gzipSize(synth);

    // The pi-mst-framed capture (a few % of blocks change per dump): the harder case for size.
    let pimst: Record<string, string> = {};
    if (pimstPath) {
      const pimstFile = path.join(dir, 'pimst.hss');
      await importCapture(pimstPath, pimstFile);
      const pgz = gzipSize(readFileSync(pimstPath));
      const ps = statSync(pimstFile).size;
      pimst = { 'pi-mst capture: session ÷ gzip -6': `${ps} / ${pgz} = ${(ps / pgz).toFixed(3)} (goal ≤ 0.25)` };
    }

    return {
      'capture MB': mb.toFixed(1),
      snapshots: n,
      'session bytes': size,
      'gzip -6 bytes': gz,
      'session ÷ gzip -6': `${(size / gz).toFixed(3)} (goal ≤ 0.25)`,
      ...pimst,
      'of which raw / index bytes': `${parts.raw ?? 0} / ${parts.index ?? 0}`,
      "session ÷ gzip -6 with logText: 'raw'": rawTextRatio.toFixed(3),
      'import (parse + metrics + write) MB/s': (mb / best).toFixed(0),
      'open ms (median of 5)': median(opens).toFixed(1),
      'fetch a random snapshot ms (median of 50)': median(fetches).toFixed(2),
      'fetch a random snapshot ms (95th percentile)': pct(fetches, 0.95).toFixed(2),
      'step to the next snapshot ms (median)': median(steps).toFixed(2),
      'raw export MB/s': (exported / 1048576 / exportS).toFixed(0),
      'synthetic RP2040 recording (600 dumps, ~3 % blocks change) session ÷ gzip -6': synthRatio.toFixed(3),
      target: 'session ≤ gzip -6 (≤ 25 % on long RP2040 recordings); open < 1 s; fetch ≤ 16 ms',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
