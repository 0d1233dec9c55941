/**
 * Where the page's main thread goes while a recording streams in, on its own: `heapscope serve`,
 * Chromium, the virtual board's steady demo (a dump every 100 ms), then for SECONDS (default 8)
 * a CPU profile of the page (CDP Profiler) and its long tasks. Prints the functions with the
 * most self time and total time, the long tasks, and the live latencies the page measured.
 * Usage: node --import tsx bench/profileLive.ts   (HOG=1: a CPU-bound process beside it)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium, serve } from '../test/e2e/support/browser';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { functionName?: string; url?: string; lineNumber?: number } };
}

/** The renderer main thread's events by name: time and count, and the top-level tasks over 16 ms. */
function summariseTrace(ev: TraceEvent[], seconds: number): void {
  const names = new Map<string, { pid: number; tid: number }>();
  for (const e of ev) if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain') names.set(`${e.pid}:${e.tid}`, e);
  const main = ev.filter((e) => names.has(`${e.pid}:${e.tid}`) && e.ph === 'X' && e.dur !== undefined);
  const by = new Map<string, [number, number]>();
  for (const e of main) {
    const v = by.get(e.name) ?? [0, 0];
    v[0] += e.dur! / 1000;
    v[1]++;
    by.set(e.name, v);
  }
  console.log(`trace: renderer main thread events over ${seconds} s (ms, count):`);
  for (const [n, [ms, c]] of [...by].sort((a, b) => b[1][0] - a[1][0]).slice(0, 30)) console.log(`  ${ms.toFixed(0).padStart(6)} ms ${String(c).padStart(5)}×  ${n}`);
  const tasks = main.filter((e) => e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask').sort((a, b) => b.dur! - a.dur!);
  console.log(`tasks over 16 ms: ${tasks.filter((t) => t.dur! > 16000).length} of ${tasks.length}; longest: ${tasks.slice(0, 15).map((t) => (t.dur! / 1000).toFixed(0)).join(' ')}`);
  // What ran inside the longest tasks.
  for (const t of tasks.filter((x) => x.name === 'ThreadControllerImpl::RunTask').slice(0, Number(process.env.TASKS ?? 6))) {
    const inside = main.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur! <= t.ts + t.dur! && e.dur! > 2000);
    console.log(`  task ${(t.dur! / 1000).toFixed(0)} ms: ${inside.slice(0, 12).map((e) => `${e.name}${e.args?.data?.functionName ? `(${e.args.data.functionName}:${e.args.data.lineNumber})` : ''} ${(e.dur! / 1000).toFixed(0)}`).join(', ')}`);
  }
}

const seconds = Number(process.env.SECONDS ?? 8);
const home = mkdtempSync(path.join(tmpdir(), 'hs-live-prof-'));
const hog = process.env.HOG ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }) : null;
// MODE=seek: the bench's 10,000-frame session, arrow keys pressed while profiling (no recording).
const seek = process.env.MODE === 'seek';
// MODE=soak: the 24-hour soak opened, then the timeline's width changed every 250 ms (the bench's resize → pixels).
const soak = process.env.MODE === 'soak';
const served = await serve(seek ? ['--session', path.join(path.dirname(new URL(import.meta.url).pathname), 'data/renderer-10k-frames.txt')] : [], { HEAPSCOPE_HOME: home });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(served.url);
  const cdp = await page.context().newCDPSession(page);
  await page.waitForFunction(() => !!(window as unknown as { __heapscope?: unknown }).__heapscope);
  if (soak) {
    if (process.env.EARLY) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const file = path.join(path.dirname(new URL(import.meta.url).pathname), 'data/soak-250000.hss');
    await page.evaluate(`window.__heapscope.open(${JSON.stringify(file)})`);
    await page.waitForFunction(() => (document.querySelector('[data-testid=timeline-canvas]') as HTMLElement | null)?.dataset.frames === '250000', undefined, { timeout: 300_000 });
    await page.waitForTimeout(1000);
  } else if (seek) {
    await page.waitForFunction(() => (window as unknown as { __heapscope: { frames(): number; shownIndex(): number | null } }).__heapscope.frames() >= 10_000, undefined, { timeout: 300_000 });
    await page.mouse.click(5, 5);
    await page.evaluate(`(() => {
      const h = window.__heapscope;
      window.__keyLat = [];
      window.addEventListener('keydown', (e) => {
        if (e.key === 'Shift') return;
        const t = e.timeStamp, want = h.wanted();
        const check = () => (h.lastDrawnIndex() === want && h.lastDrawnAt() >= t ? window.__keyLat.push([h.lastDrawnAt() - t, performance.now() - t]) : requestAnimationFrame(check));
        requestAnimationFrame(check);
      });
    })()`);
  } else {
    await page.waitForFunction(() => (document.querySelector('[data-testid=port]') as HTMLSelectElement | null)?.querySelector('option[value=virtual]'));
    await page.selectOption('[data-testid=port]', 'virtual');
    await page.selectOption('[data-testid=program]', 'steady');
    await page.selectOption('[data-testid=period]', '100');
  }
  await page.evaluate(`(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([e.startTime, e.duration]); }).observe({ entryTypes: ['longtask'] });
  })()`);
  const early = !!process.env.EARLY;
  if (!(early && soak)) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  }
  // EARLY=1: from the click on Record (the first dumps; the soak: from its open), else from the third dump on.
  if (early && !soak) await cdp.send('Profiler.start');
  if (!seek && !soak) await page.click('[data-testid=record]');
  if (!process.env.EARLY && !seek && !soak) await page.waitForFunction(() => (window as unknown as { __heapscope: { liveLatencies(): number[] } }).__heapscope.liveLatencies().length >= 3, undefined, { timeout: 60_000 });
  const trace: TraceEvent[] = [];
  if (process.env.TRACE) {
    cdp.on('Tracing.dataCollected', (d) => void trace.push(...(d.value as unknown as TraceEvent[])));
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,blink,cc,gpu,toplevel', transferMode: 'ReportEvents' });
  }
  if (!early) await cdp.send('Profiler.start');
  if (seek) {
    const t0 = Date.now();
    for (let k = 0; Date.now() - t0 < seconds * 1000; k++) {
      await page.keyboard.press(k % 3 === 2 ? 'Shift+ArrowRight' : 'ArrowRight');
      await page.waitForTimeout(40 + ((k * 37) % 60));
    }
    const lat = (await page.evaluate('window.__keyLat')) as Array<[number, number]>;
    const p = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
    console.log(`keys: ${lat.length}; key → drawn p95 ${p(lat.map((l) => l[0])).toFixed(1)} ms, key → pixels p95 ${p(lat.map((l) => l[1])).toFixed(1)} ms; ${lat.map((l) => `${l[0].toFixed(0)}→${l[1].toFixed(0)}`).join(' ')}`);
  } else if (soak) {
    const r = (await page.evaluate(`(async () => {
      const out = [];
      const el = document.querySelector('[data-testid=timeline]');
      const t1 = performance.now() + ${seconds * 1000};
      for (let k = 0; performance.now() < t1; k++) {
        const c = el.querySelector('[data-testid=timeline-canvas]');
        const before = c.dataset.draws;
        const t0 = performance.now();
        el.style.width = (k % 2 ? '' : 'calc(100% - 7px)');
        let frames = 0;
        for (;;) {
          await new Promise((r) => requestAnimationFrame(() => r(0)));
          frames++;
          if (c.dataset.draws !== before) break;
        }
        out.push([performance.now() - t0, Number(c.dataset.ms), frames]);
        await new Promise((r) => setTimeout(r, 250));
      }
      return out;
    })()`)) as Array<[number, number, number]>;
    console.log(`resizes: ${r.map(([w, d, f]) => `${w.toFixed(0)}(draw ${d.toFixed(0)}, ${f} frames)`).join(' ')}`);
  } else await page.waitForTimeout(seconds * 1000);
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
  if (process.env.TRACE) {
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.end');
    await done;
    summariseTrace(trace, seconds);
  }
  const lat = seek || soak ? [] : ((await page.evaluate('window.__heapscope.liveLatencies()')) as number[]);
  const inPage = (await page.evaluate('window.__heapscope.liveInPage()')) as number[];
  const long = (await page.evaluate('window.__long')) as Array<[number, number]>;
  if (!seek && !soak) await page.click('[data-testid=stop]').catch(() => undefined);
  if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((s, k) => self.set(s, (self.get(s) ?? 0) + profile.timeDeltas[k] / 1000));
  const name = (n: Node) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    selfBy.set(name(n), (selfBy.get(name(n)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const k = name(byId.get(x)!);
      if (seen.has(k)) continue;
      seen.add(k);
      totalBy.set(k, (totalBy.get(k) ?? 0) + ms);
    }
  }
  const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, ms]) => `  ${ms.toFixed(0).padStart(6)} ms  ${n}`).join('\n');
  const sorted = [...lat].sort((a, b) => a - b);
  const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
  console.log(`profile ${seconds} s; idle excluded; self time:\n${top(new Map([...selfBy].filter(([k]) => !k.startsWith('(idle)'))), 25)}`);
  console.log(`total time:\n${top(totalBy, 40)}`);
  console.log(`long tasks (> 50 ms): ${long.length}: ${long.map(([, d]) => d.toFixed(0)).join(' ')}`);
  const waits = (await page.evaluate('window.__heapscope.livePushWaits()')) as number[];
  console.log(`live latencies: n ${lat.length}, median ${q(0.5)?.toFixed(1)} ms, p95 ${q(0.95)?.toFixed(1)} ms`);
  console.log(`each dump (last byte → pixels / push → page handler / in page): ${lat.map((x, k) => `${x}/${waits[k] ?? '-'}/${inPage[k] ?? '-'}`).join(' ')}`);
} finally {
  await browser.close();
  await served.stop();
  hog?.kill();
  rmSync(home, { recursive: true, force: true });
}
