/**
 * `heapscope import` of the pi-mst-framed capture as a user runs it (a whole command: Node's
 * start-up, the CLI's, the import), beside `gzip -6` of the same file and `node -e 0`. Each
 * command's best wall time of three and its CPU time (user + sys, from /usr/bin/time: the
 * figure that holds on a loaded machine). "Without start-up" takes the CLI's own start-up
 * (`heapscope --version`) away. `--threads 1` is the import with its raw coding in the thread
 * that parses, as it was before the worker, `--threads 2` with it in a worker (the worker's gain
 * needs a free second core: on a machine other work keeps busy it has none to give); the
 * default picks one by the capture's size and the load average. The import's parts, in this process (best CPU of three): the
 * parse alone (the capture reader and metrics, fed as the import feeds it) and the whole
 * import (parse, raw coding, index, file), so a change to either shows on its own.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaptureReader, FEED_SLICE } from '../src/shared/capture/captureReader';
import type { CaptureEvent } from '../src/shared/capture/events';
import { metricsOf } from '../src/shared/heap/metrics';
import { importCapture } from '../src/main/session/importCapture';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin/heapscope.mjs');

interface Timed {
  wall: number;
  cpu: number;
}

/** Best of `n` runs of a shell command line: wall and CPU seconds of the best wall. */
function timed(cmd: string, n = 3): Timed {
  let best: Timed = { wall: Infinity, cpu: Infinity };
  for (let i = 0; i < n; i++) {
    const err = execFileSync('/bin/sh', ['-c', `/usr/bin/time -f '@@T %e %U %S' sh -c '${cmd}' 2>&1 >/dev/null | grep '^@@T'`], { cwd: root }).toString();
    const m = /@@T ([\d.]+) ([\d.]+) ([\d.]+)/.exec(err);
    if (!m) throw new Error(`no timing for ${cmd}: ${err}`);
    const t = { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]) };
    if (t.wall < best.wall) best = t;
  }
  return best;
}

/** Least CPU seconds (user + system) of this process over three runs of fn. */
async function cpuBest3(fn: () => Promise<void>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1e6);
  }
  return best;
}

/** The import's parse alone: 1 MiB reads fed in FEED_SLICE slices, metrics per snapshot. */
async function parseOnly(capture: string): Promise<void> {
  const reader = new CaptureReader();
  const take = (events: CaptureEvent[]) => {
    for (const e of events) if (e.type === 'snapshot') metricsOf(e.snapshot);
  };
  for await (const chunk of createReadStream(capture, { highWaterMark: 1 << 20 })) {
    const b = chunk as Buffer;
    for (let i = 0; i < b.length; i += FEED_SLICE) take(reader.feed(b.subarray(i, Math.min(b.length, i + FEED_SLICE))));
  }
  take(reader.end());
}

const f = (t: Timed) => `${t.wall.toFixed(2)} s wall, ${t.cpu.toFixed(2)} s CPU`;

export async function benchImportCommand(capture: string): Promise<Record<string, string | number>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-bench-import-'));
  try {
    const out = path.join(dir, 'p.hss');
    const gzip = timed(`gzip -6 -c ${capture}`);
    const gzBytes = Number(execFileSync('/bin/sh', ['-c', `gzip -6 -c ${capture} | wc -c`]).toString());
    const node0 = timed('node -e 0');
    const startup = timed(`node ${cli} --version`);
    const imp = timed(`rm -f ${out}; node ${cli} import ${capture} -o ${out}`);
    // The same with the raw coding in the parsing thread and in a worker, whatever the load:
    // what a second core buys, or costs when it is busy.
    const one = timed(`rm -f ${out}; node ${cli} import --threads 1 ${capture} -o ${out}`);
    const two = timed(`rm -f ${out}; node ${cli} import --threads 2 ${capture} -o ${out}`);
    const size = statSync(out).size;
    const less = (a: Timed, b: Timed): Timed => ({ wall: a.wall - b.wall, cpu: a.cpu - b.cpu });
    const core = less(imp, startup);
    const parseCpu = await cpuBest3(() => parseOnly(capture));
    const inProcCpu = await cpuBest3(async () => {
      rmSync(out, { force: true });
      await importCapture(capture, out);
    });
    return {
      capture: `${path.basename(capture)}, ${(statSync(capture).size / 1048576).toFixed(1)} MB`,
      'gzip -6 (baseline)': f(gzip),
      'node -e 0 (start-up baseline)': f(node0),
      'heapscope --version (CLI start-up)': `${f(startup)}; ${(startup.cpu / node0.cpu).toFixed(1)}× node -e 0 (CPU)`,
      'heapscope import, whole command': `${f(imp)}; ${(imp.wall / gzip.wall).toFixed(2)}× gzip wall, ${(imp.cpu / gzip.cpu).toFixed(2)}× gzip CPU (goal ≤ 1×)`,
      'heapscope import --threads 1, whole command': `${f(one)}; ${(one.wall / gzip.wall).toFixed(2)}× gzip wall, ${(one.cpu / gzip.cpu).toFixed(2)}× gzip CPU`,
      'heapscope import --threads 2, whole command': `${f(two)}; ${(two.wall / gzip.wall).toFixed(2)}× gzip wall, ${(two.cpu / gzip.cpu).toFixed(2)}× gzip CPU`,
      'heapscope import without CLI start-up': `${f(core)}; ${(core.wall / gzip.wall).toFixed(2)}× gzip wall, ${(core.cpu / gzip.cpu).toFixed(2)}× gzip CPU`,
      'import in-process: parse alone (reader + metrics)': `${parseCpu.toFixed(2)} s CPU; ${(parseCpu / gzip.cpu).toFixed(2)}× gzip CPU`,
      'import in-process: whole import (parse, raw coding, index, file)': `${inProcCpu.toFixed(2)} s CPU; ${(inProcCpu / gzip.cpu).toFixed(2)}× gzip CPU; parse is ${((100 * parseCpu) / inProcCpu).toFixed(0)} % of it`,
      'session ÷ gzip -6 (size)': `${size} / ${gzBytes} = ${(size / gzBytes).toFixed(3)} (goal ≤ 0.25)`,
      'load average at the end': os.loadavg().map((x) => x.toFixed(1)).join(' '),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
