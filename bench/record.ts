/**
 * End-to-end recording throughput: the virtual board (real MicroPython in WebAssembly) served
 * on a socat PTY, recorded through the real serialport binding, the raw REPL protocol, the
 * recorder and the session writer, as `heapscope record` does. Two runs: paced (a dump every
 * 20 ms, what a user might ask) and flat out (every 2 ms: the pipeline's ceiling).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveVirtualBoardOnPath } from '../src/main/board/virtual/serve';
import { recordToSession } from '../src/main/record/toSession';
import { boardMissing, startBoard } from '../test/boards/support/boards';

// Allocates and prints steadily, so the dumps show a changing heap and the log has lines.
const PROGRAM = `import time
keep = []
n = 0
while True:
    n += 1
    keep.append(bytearray(48 + n % 200))
    if len(keep) > 300:
        keep = keep[150:]
    if n % 50 == 0:
        print("bench", n, len(keep))
    time.sleep_ms(1)
`;

export async function benchRecord(): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  for (const [name, periodMs] of [
    ['paced', 20],
    ['flat out', 2],
  ] as const) {
    for (const [k, v] of Object.entries(await recordOnce({ seconds: 3, periodMs }))) out[`${name} (${periodMs} ms): ${k}`] = v;
  }
  const why = boardMissing('pico');
  if (why) out['Pico (real MicroPython on rp2040js)'] = `skipped: ${why}`;
  else Object.assign(out, await benchPico());
  return out;
}

// A Timer program that allocates and prints steadily (the recording tests' program).
const PICO_PROGRAM = `import time
keep = []
n = 0
while True:
    n += 1
    keep.append(bytearray(64 + n % 300))
    if len(keep) > 100:
        keep = keep[50:]
    if n % 20 == 0:
        print("tick", n)
    time.sleep_ms(10)
`;

/**
 * The real Pico firmware (../shared/boards/pico) through the real serialport binding: one
 * dump's measured cost, then dumps/s reached at periods of 500, 200 and 100 ms, host CPU per
 * second of recording (this process: the emulator is another), and Stop → session closed.
 * The emulated RP2040 runs at about 0.35–0.7× real time, slower on a loaded machine.
 */
async function benchPico(seconds = 6): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  const board = await startBoard('pico');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hs-bench-pico-'));
  try {
    for (const periodMs of [500, 200, 100]) {
      const file = path.join(dir, `p${periodMs}.hss`);
      let tRecording = 0;
      const h = recordToSession(
        { port: board.port, run: { kind: 'script', path: 'bench.py', source: Buffer.from(PICO_PROGRAM) }, periodMs, collect: false, sessionPath: file },
        { phase: (p) => p === 'recording' && !tRecording && (tRecording = performance.now()) },
      );
      await h.started;
      const cpu0 = process.cpuUsage();
      const d0 = h.counts.snapshots;
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const dumps = h.counts.snapshots - d0;
      const cpu = process.cpuUsage(cpu0);
      const tStop = performance.now();
      const { summary, counts } = await h.stop();
      const stopMs = performance.now() - tStop;
      if (summary.error) throw summary.error;
      const p = `Pico, period ${periodMs} ms`;
      if (summary.dumpCost) {
        out[`${p}: one dump measured after identifying, bytes`] = summary.dumpCost.bytes;
        out[`${p}: one dump measured after identifying, board ms`] = summary.dumpCost.boardMs;
      }
      out[`${p}: dumps/s reached`] = +(dumps / seconds).toFixed(2);
      out[`${p}: bytes per dump`] = counts.snapshots ? Math.round(counts.bytes / counts.snapshots) : 0;
      out[`${p}: host CPU, ms per second of recording`] = Math.round((cpu.user + cpu.system) / 1000 / seconds);
      out[`${p}: Stop → session closed, ms`] = Math.round(stopMs);
    }
  } finally {
    await board.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function recordOnce(opts: { seconds?: number; periodMs?: number } = {}): Promise<Record<string, string | number>> {
  const seconds = opts.seconds ?? 4;
  const periodMs = opts.periodMs ?? 20;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hs-bench-record-'));
  const server = await serveVirtualBoardOnPath(path.join(dir, 'port'));
  try {
    const out = path.join(dir, 'bench.hss');
    const t0 = performance.now();
    let tRecording = 0;
    const h = recordToSession(
      { port: server.path, run: { kind: 'script', path: 'bench.py', source: Buffer.from(PROGRAM) }, periodMs, collect: false, durationMs: seconds * 1000, sessionPath: out },
      { phase: (p) => p === 'recording' && !tRecording && (tRecording = performance.now()) },
    );
    const cpu0 = process.cpuUsage();
    const { summary, session, counts } = await h.done;
    const cpu = process.cpuUsage(cpu0);
    const tEnd = performance.now();
    if (summary.error) throw summary.error;
    const recordingS = (summary.endedAt - summary.startedAt) / 1000 - (tRecording - t0) / 1000;
    const streamS = Math.max(0.001, Math.min(recordingS, seconds));
    return {
      'setup (open → recording), ms': Math.round(tRecording - t0),
      'recorded, s': +streamS.toFixed(2),
      'stop (Ctrl-C, soft reset, close), ms': Math.round(tEnd - t0 - (tRecording - t0) - streamS * 1000),
      'bytes received': counts.bytes,
      dumps: counts.snapshots,
      'log lines': counts.logLines,
      'throughput, bytes/s': Math.round(counts.bytes / streamS),
      'dumps/s': +(counts.snapshots / streamS).toFixed(1),
      'bytes per dump': counts.snapshots ? Math.round(counts.bytes / counts.snapshots) : 0,
      'host CPU (main thread + board worker), % of one core': Math.round(((cpu.user + cpu.system) / 1000 / ((tEnd - t0) || 1)) * 100),
      'session file, bytes': session ? statSync(out).size : 0,
      'session / raw': session ? +(statSync(out).size / Math.max(1, counts.bytes)).toFixed(3) : 0,
    };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
