/**
 * The service's getLifetimes on a session file, as the window asks it when a session opens (the
 * leak banner): wall, CPU, and peak RSS and JS heap sampled every 50 ms while it catches up.
 * Usage: node --import tsx bench/profileServiceLifetimes.ts [session] (default the 250,000-dump soak).
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { HeapScopeService, SessionFileStore } from '../src/main/service';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? path.join(root, 'bench/data/soak-250000.hss');
const home = mkdtempSync(path.join(os.tmpdir(), 'hs-life-'));
const svc = new HeapScopeService({ dataDir: home, store: new SessionFileStore() });
try {
  await svc.openSession(file);
  await svc.getFrameSeries();
  let rss = 0;
  let heap = 0;
  const tick = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 50);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await svc.getLifetimes({});
  const c = process.cpuUsage(c0);
  clearInterval(tick);
  const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
  console.log(`getLifetimes: ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((c.user + c.system) / 1e6).toFixed(1)} s CPU; peak RSS ${mb(rss)}, peak JS heap ${mb(heap)}`);
  console.log(`verdict: ${r.leak.verdict} (${r.leak.bytesPerMinute} B/min), ${r.leak.survivors} survivors; load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
} finally {
  await svc.closeSession();
  rmSync(home, { recursive: true, force: true });
}
