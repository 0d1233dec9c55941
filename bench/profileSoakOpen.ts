/**
 * The service's open of the soak as the window sees it, on its own (for `node --cpu-prof`):
 * openSession, getFrameSeries, then the background walk (getSessionInfo waits for it), ROUNDS
 * times (default 3) in one process; the lowest CPU of each is the figure under a shared machine.
 * Usage: node --expose-gc --import tsx bench/profileSoakOpen.ts [file] (default the 250,000-dump soak).
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { HeapScopeService, SessionFileStore } from '../src/main/service';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? path.join(root, 'bench/data/soak-250000.hss');
const rounds = Number(process.env.ROUNDS ?? 3);
const skipWalk = !!process.env.SKIP_WALK;
const cpu = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

const home = mkdtempSync(path.join(os.tmpdir(), 'hs-soak-open-'));
const times: Record<string, Array<[number, number]>> = {};
const step = async (name: string, f: () => Promise<unknown>) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  (times[name] ??= []).push([performance.now() - t0, cpu(c0)]);
};
try {
  for (let r = 0; r < rounds; r++) {
    const svc = new HeapScopeService({ dataDir: home, store: new SessionFileStore() });
    (globalThis as { gc?: () => void }).gc?.();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await step('openSession', () => svc.openSession(file));
    await step('getFrameSeries', () => svc.getFrameSeries());
    (times['open + series'] ??= []).push([performance.now() - t0, cpu(c0)]);
    if (!skipWalk) await step('then the walk (getSessionInfo)', () => svc.getSessionInfo({ from: 0, count: 10 }));
    await svc.closeSession();
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
for (const [name, xs] of Object.entries(times)) {
  const f = (k: 0 | 1) => xs.map((x) => x[k].toFixed(0)).join('/');
  console.log(`${name}: wall ${f(0)} ms, CPU ${f(1)} ms (min CPU ${Math.min(...xs.map((x) => x[1])).toFixed(0)})`);
}
console.log(`load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
