/**
 * The window's open of the soak, profiled on both sides (for finding where open → pixels goes):
 * `heapscope serve` under `node --cpu-prof` (its profile written to OUT when it stops) and the
 * page under Chromium's sampling profiler (OUT/window-R.cpuprofile) and its performance trace
 * (OUT/window-R.trace.json), with the open's parts.
 * Usage: node --import tsx bench/profileSoakWindow.ts [file] (default the 250,000-dump soak);
 * OUT (default /tmp/heapscope-soak-window) gets the profiles; ROUNDS opens (default 1).
 * Read a profile with `node bench/profileSummary.mjs FILE`.
 */
import path from 'node:path';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { launchChromium } from '../test/e2e/support/browser';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? path.join(root, 'bench/data/soak-250000.hss');
const out = process.env.OUT ?? '/tmp/heapscope-soak-window';
const rounds = Number(process.env.ROUNDS ?? 1);
mkdirSync(out, { recursive: true });
const home = mkdtempSync(path.join(tmpdir(), 'hs-soak-window-'));
// Node refuses --cpu-prof in NODE_OPTIONS: the server is started here, not by serve().
const proc = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${out}`, '--cpu-prof-interval=250', path.join(root, 'bin/heapscope.mjs'), 'serve'], {
  cwd: root,
  env: { ...process.env, HEAPSCOPE_HOME: home },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const m = /https?:\/\/\S+/.exec(line);
    if (m) resolve(m[0]);
  });
  proc.once('exit', (code) => reject(new Error(`serve exited (${code}) before printing a URL`)));
});
const served = {
  url,
  stop: () => new Promise<void>((resolve) => (proc.exitCode !== null ? resolve() : (proc.once('exit', () => resolve()), proc.kill('SIGINT')))),
};
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(served.url);
  await page.waitForFunction(() => !!(window as unknown as { __heapscope?: unknown }).__heapscope);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  for (let r = 0; r < rounds; r++) {
    await cdp.send('Profiler.start');
    await browser.startTracing(page, { path: path.join(out, `window-${r}.trace.json`), categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink.user_timing'] });
    const res = (await page.evaluate(`(async () => {
      const p = window.__heapscope;
      const t0 = performance.now();
      const before = document.querySelector('[data-testid=timeline-canvas]')?.dataset.draws;
      const done = p.open(${JSON.stringify(file)});
      for (;;) {
        await new Promise((r) => requestAnimationFrame(() => r(0)));
        const c = document.querySelector('[data-testid=timeline-canvas]');
        if (c && c.dataset.frames !== undefined && Number(c.dataset.frames) > 0 && c.dataset.draws !== before && performance.now() - t0 > 50) break;
        if (performance.now() - t0 > 600000) throw new Error('the timeline was not drawn in 10 minutes');
      }
      await new Promise((r) => requestAnimationFrame(() => r(0)));
      const drawn = performance.now() - t0;
      await done;
      const pt = p.openParts();
      const parts = {};
      for (const k of Object.keys(pt)) parts[k] = Math.round(pt[k] - pt.start);
      return { drawn: Math.round(drawn), parts };
    })()`)) as { drawn: number; parts: Record<string, number> };
    await browser.stopTracing();
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
    writeFileSync(path.join(out, `window-${r}.cpuprofile`), JSON.stringify(profile));
    console.log(`round ${r}: open → pixels ${res.drawn} ms; parts ${JSON.stringify(res.parts)}`);
  }
} finally {
  await browser.close();
  await served.stop();
  rmSync(home, { recursive: true, force: true });
}
console.log(`profiles in ${out}`);
