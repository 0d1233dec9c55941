/**
 * Hostile inputs, as a user would run them: peak RSS (from /usr/bin/time) and wall time of
 * `heapscope import` and `heapscope inspect` on 20 MB of empty lines, one 50 MB line and a
 * 1 GB sparse file of zeros. The goal is under 300 MB peak each; figures are printed, never
 * asserted. The 1 GB file costs no disk (sparse).
 *
 * Also the service (as `heapscope serve` runs it) opening a capture of 5 million short log
 * lines, and the same lines imported into a session file, reading the last 100 lines and
 * searching them all (bench/serviceLog.ts). HEAPSCOPE_BEFORE=<checkout>
 * runs the same on another checkout's code too, for a before/after figure.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin/heapscope.mjs');

function fill(file: string, bytes: number, byte: number): void {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(1 << 20, byte);
  for (let left = bytes; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(block.length, left));
  closeSync(fd);
}

/** What GNU time adds to the child's stderr (its figures, and how the child ended). */
const TIME_LINE = /^(@@T |Command exited with non-zero status |Command terminated by signal )/;

/**
 * Runs the CLI under /usr/bin/time: peak RSS, wall, exit code and the last line the child
 * said. The time limit is `timeout`'s, inside /usr/bin/time: the child is killed, time still
 * reports its peak, and what the child said before is kept.
 */
function run(args: string[], timeoutS: number, node: string[] = [cli], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync('/usr/bin/time', ['-f', '@@T %M %e', 'timeout', '-s', 'KILL', String(timeoutS), process.execPath, ...node, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env,
  });
  const lines = (r.stderr ?? '').split('\n');
  const m = /@@T (\d+) ([\d.]+)/.exec(r.stderr ?? '');
  const said = lines.filter((l) => l.trim() && !TIME_LINE.test(l)).pop()?.trim() ?? '';
  const rss = m ? Number(m[1]) / 1024 : NaN;
  // timeout exits 137 (128 + SIGKILL) when it had to kill the child.
  const ended = r.status === 137 ? `killed after ${timeoutS} s` : `exit ${r.status}`;
  return `peak RSS ${rss.toFixed(0)} MB (goal < 300)${rss < 300 ? '' : ' OVER'}, ${m?.[2]} s, ${ended}${said ? `: ${said.slice(0, 160)}` : ''}`;
}

export async function benchHostile(): Promise<Record<string, string | number>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-bench-hostile-'));
  try {
    const empty = path.join(dir, 'empty-lines.txt');
    fill(empty, 20_000_000, 0x0a);
    const long = path.join(dir, 'one-line.txt');
    fill(long, 50_000_000, 0x61);
    const sparse = path.join(dir, 'zeros.txt');
    closeSync(openSync(sparse, 'w'));
    truncateSync(sparse, 1 << 30);
    const out: Record<string, string> = {};
    for (const [name, file] of [
      ['20 MB of empty lines', empty],
      ['one 50 MB line', long],
      ['1 GB sparse file of zeros', sparse],
    ] as const) {
      out[`import, ${name}`] = run(['import', file, '-o', path.join(dir, 'out.hss'), '--force'], 900);
      out[`inspect, ${name}`] = run(['inspect', file], 900);
    }
    // 5 million short log lines (about 44 MB): the service keeps per line only fixed-size slots.
    const short = path.join(dir, 'short-lines.txt');
    const fd = openSync(short, 'w');
    for (let i = 0; i < 5_000_000; i += 100_000) {
      let chunk = '';
      for (let j = i; j < i + 100_000; j++) chunk += `l${j}\n`;
      writeSync(fd, chunk);
    }
    closeSync(fd);
    const child = ['--import', 'tsx', path.join(root, 'bench/serviceLog.ts')];
    const before = process.env.HEAPSCOPE_BEFORE;
    out['service opens 5 million short log lines'] = run([short], 900, child);
    if (before) out[`same, code of ${before}`] = run([short], 900, child, { ...process.env, HEAPSCOPE_ROOT: before });
    // The same lines saved as a session file: its log is read back a record at a time.
    const hss = path.join(dir, 'short-lines.hss');
    out['import of the 5 million lines (to a session file)'] = run(['import', short, '-o', hss, '--allow-empty'], 900);
    out['service opens a session file of 5 million short log lines'] = run([hss], 900, child);
    // The walk of its index alone (fileIndex.ts), and every line's text read back through it.
    const walk = ['--import', 'tsx', path.join(root, 'bench/walkLog.ts')];
    out['walk of the 5 million lines session'] = run([hss], 900, walk);
    if (before) out[`walk, code of ${before}`] = run([hss], 900, walk, { ...process.env, HEAPSCOPE_ROOT: before });
    if (before) out[`same, code of ${before}`.replace('same', 'session file')] = run([hss], 900, child, { ...process.env, HEAPSCOPE_ROOT: before });
    out['load average at the end'] = os.loadavg().map((x) => x.toFixed(1)).join(' ');
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
