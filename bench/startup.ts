/**
 * How fast the CLI starts: `heapscope --help` and `heapscope inspect` of a real corpus dump,
 * each against a bare `node -e 0`, as the user starts them (a new process, from another
 * folder). The compiled CLI is what `npm install` builds; the sources through tsx are shown
 * for comparison. Wall time, median of interleaved runs (the machine is shared: the runs of
 * each command are spread over the same stretch of time).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../scripts/build-cli.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'heapscope.mjs');
const CORPUS_FILE = path.resolve(ROOT, '..', 'shared', 'corpus', '022-rp2-v1.23plus-picow-after-soft-reset.txt');
const RUNS = 15;

function timeOnce(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: os.tmpdir(), encoding: 'utf8', env: { ...process.env, ...env } });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchStartup(): Promise<Record<string, string | number>> {
  await buildCli();
  const file = CORPUS_FILE;
  if (!existsSync(file)) throw new Error(`${file} is missing: the startup bench reads a corpus dump from ../shared`);
  const cases: Record<string, [string[], NodeJS.ProcessEnv?]> = {
    'node -e 0': [['-e', '0']],
    'heapscope --help': [[BIN, '--help']],
    'heapscope inspect': [[BIN, 'inspect', file]],
    'heapscope --help (sources via tsx)': [[BIN, '--help'], { HEAPSCOPE_FROM_SOURCE: '1' }],
    'heapscope inspect (sources via tsx)': [[BIN, 'inspect', file], { HEAPSCOPE_FROM_SOURCE: '1' }],
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const [args, env] of Object.values(cases)) timeOnce(args, env); // warm the file cache
  for (let i = 0; i < RUNS; i++) for (const [k, [args, env]] of Object.entries(cases)) times[k].push(timeOnce(args, env));
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  const base = m['node -e 0'];
  const out: Record<string, string | number> = { runs: RUNS, 'corpus file': path.basename(file) };
  for (const [k, v] of Object.entries(m)) out[`${k} ms (median)`] = v.toFixed(1);
  out['--help / node -e 0 (goal ≤ 2)'] = (m['heapscope --help'] / base).toFixed(2);
  out['inspect / node -e 0 (goal ≤ 3)'] = (m['heapscope inspect'] / base).toFixed(2);
  out['--help / node -e 0 from sources'] = (m['heapscope --help (sources via tsx)'] / base).toFixed(2);
  out['inspect / node -e 0 from sources'] = (m['heapscope inspect (sources via tsx)'] / base).toFixed(2);
  return out;
}
