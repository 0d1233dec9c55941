/**
 * `heapscope import` of the pi-mst-framed capture as a user runs it (a whole command: Node's
 * start-up, the CLI's, the import), beside `gzip -6` of the same file and `node -e 0`. Each
 * command's best wall time of three and its CPU time (user + sys, from /usr/bin/time: the
 * figure that holds on a loaded machine). "Without start-up" takes the CLI's own start-up
 * (`heapscope --version`) away.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
    const size = statSync(out).size;
    const less = (a: Timed, b: Timed): Timed => ({ wall: a.wall - b.wall, cpu: a.cpu - b.cpu });
    const core = less(imp, startup);
    return {
      capture: `${path.basename(capture)}, ${(statSync(capture).size / 1048576).toFixed(1)} MB`,
      'gzip -6 (baseline)': f(gzip),
      'node -e 0 (start-up baseline)': f(node0),
      'heapscope --version (CLI start-up)': `${f(startup)}; ${(startup.cpu / node0.cpu).toFixed(1)}× node -e 0 (CPU)`,
      'heapscope import, whole command': `${f(imp)}; ${(imp.wall / gzip.wall).toFixed(2)}× gzip wall, ${(imp.cpu / gzip.cpu).toFixed(2)}× gzip CPU (goal ≤ 1×)`,
      'heapscope import without CLI start-up': `${f(core)}; ${(core.wall / gzip.wall).toFixed(2)}× gzip wall, ${(core.cpu / gzip.cpu).toFixed(2)}× gzip CPU`,
      'session ÷ gzip -6 (size)': `${size} / ${gzBytes} = ${(size / gzBytes).toFixed(3)} (goal ≤ 0.25)`,
      'load average at the end': os.loadavg().map((x) => x.toFixed(1)).join(' '),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
