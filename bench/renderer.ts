/**
 * The renderer's budgets, measured in Chromium against `heapscope serve` (the real page, the
 * real service, the real WebSocket bridge):
 *   - heap map draw for 512 Ki blocks (8 MB PSRAM at 16 B/block), target ≤ 8 ms;
 *   - seek to a random frame of a 10,000-snapshot session, call → pixels, target ≤ 16 ms;
 *   - frames drawn per second while playing;
 *   - live latency from a dump's last byte (host clock) to its pixels, target ≤ 50 ms, quiet
 *     and with a CPU-bound process beside the browser;
 *   - renderer JS heap after replaying the whole long session;
 *   - the 24-hour soak (250,000 frames): open → timeline pixels (≤ 1 s; the service's part and
 *     the window's part apart), the timeline drawing the whole day (≤ 100 ms), the film strip of
 *     the whole day (≤ 100 ms; the service's getFilmStrip apart from the page's draw), and
 *     screenshots of the soak's timeline at 1440×900 and 1280×720 (bench/data/).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { benchCapture, DATA_DIR } from './captureGen';
import { launchChromium, serve } from '../test/e2e/support/browser';
import { soakSession } from './soakGen';

type Figures = Record<string, string | number>;

const BIG_BLOCKS = 512 * 1024;

/** A mem_info(1) dump of one 8 MB area, v1.20+ text, all-free lines folded. */
function renderBigDump(kinds: Uint8Array, blockSize: number, step: number): string {
  let used = 0;
  let free = 0;
  for (const c of kinds) c === 0x2e ? free++ : used++;
  const out: string[] = [
    `bench step ${step}`,
    'stack: 1024 out of 15360',
    `GC: total: ${kinds.length * blockSize}, used: ${used * blockSize}, free: ${free * blockSize}, max new split: 0`,
    'GC memory layout; from 3f800000:',
  ];
  const dec = new TextDecoder();
  for (let bl = 0; bl < kinds.length; bl += 64) {
    let e = bl;
    while (e < kinds.length && kinds[e] === 0x2e) e++;
    if (e - bl >= 128) {
      const lines = Math.floor((e - bl) / 64);
      if (bl + lines * 64 >= kinds.length) {
        // The last line is printed even when free.
        if (lines > 1) out.push(`       (${lines - 1} lines all free)`);
        bl += (lines - 1) * 64;
      } else {
        out.push(`       (${lines} lines all free)`);
        bl += lines * 64;
      }
      if (bl >= kinds.length) break;
    }
    out.push(`${(bl * blockSize).toString(16).padStart(8, '0')}: ${dec.decode(kinds.subarray(bl, bl + 64))}`);
  }
  return out.join('\r\n') + '\r\n';
}

/** 12 frames of a busy 512 Ki-block heap, each a few percent different from the last. */
export function bigCapture(): string {
  const file = path.join(DATA_DIR, 'renderer-512k.txt');
  if (existsSync(file)) return file;
  mkdirSync(DATA_DIR, { recursive: true });
  let x = 12345;
  const rnd = () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const heads = 'hhhhhhTLDSSAABMF';
  const k = new Uint8Array(BIG_BLOCKS).fill(0x2e);
  const place = (at: number) => {
    const len = 1 + Math.floor(rnd() * rnd() * 40);
    if (at + len > k.length) return;
    for (let i = at; i < at + len; i++) if (k[i] !== 0x2e) return;
    k[at] = heads.charCodeAt(Math.floor(rnd() * heads.length));
    for (let i = at + 1; i < at + len; i++) k[i] = 0x3d;
  };
  for (let i = 0; i < BIG_BLOCKS * 0.7; i += 1 + Math.floor(rnd() * 12)) place(i);
  const parts: string[] = [];
  for (let f = 0; f < 12; f++) {
    // Free some objects, allocate others.
    for (let n = 0; n < 4000; n++) {
      const at = Math.floor(rnd() * BIG_BLOCKS);
      if (k[at] !== 0x2e && k[at] !== 0x3d) {
        let e = at + 1;
        while (e < BIG_BLOCKS && k[e] === 0x3d) e++;
        k.fill(0x2e, at, e);
      } else place(at);
    }
    parts.push(renderBigDump(k, 16, f));
  }
  writeFileSync(file, parts.join(''));
  return file;
}

/** The first 10,000 dumps of the bench's real-MicroPython capture. */
export async function longCapture(frames = 10_000): Promise<string> {
  const file = path.join(DATA_DIR, `renderer-${frames / 1000}k-frames.txt`);
  if (existsSync(file)) return file;
  const src = await benchCapture();
  const fd = openSync(src, 'r');
  const out = openSync(file + '.partial', 'w');
  const buf = Buffer.alloc(1 << 20);
  let seen = 0;
  let carry = '';
  let done = false;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const text = carry + buf.toString('latin1', 0, n);
    const lines = text.split('\n');
    carry = lines.pop()!;
    const keep: string[] = [];
    for (const line of lines) {
      if (line.startsWith('step ') && ++seen > frames) {
        done = true;
        break;
      }
      keep.push(line);
    }
    writeSync(out, keep.join('\n') + '\n', null, 'latin1');
    if (done) break;
  }
  if (!done && carry) writeSync(out, carry, null, 'latin1');
  closeSync(fd);
  closeSync(out);
  const { renameSync } = await import('node:fs');
  renameSync(file + '.partial', file);
  return file;
}

type Probe = {
  wanted(): number;
  lastDrawnIndex(): number | null;
  lastDrawnAt(): number;
  frames(): number;
  frame(): number;
  shownIndex(): number | null;
  redraw(): number;
  seekAndDraw(i: number): Promise<number>;
  drawCount(): number;
  liveLatencies(): number[];
  liveServiceMs(): number[];
  livePushWaits(): number[];
  blocksShown(): number;
};

function call<T>(page: Page, fn: (p: Probe) => T | Promise<T>): Promise<T> {
  return page.evaluate(`(${fn.toString()})(window.__heapscope)`) as Promise<T>;
}

async function until(page: Page, what: string, fn: (p: Probe) => boolean, timeout = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!(await call(page, fn))) {
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(100);
  }
}

/**
 * Seeks to each frame in `frames`, one at a time with the page settled in between (two
 * animation frames and 30 ms), as a user clicking around would: ms from the call to the
 * map drawn, and to the next animation frame after it (pixels presented).
 */
async function isolatedSeeks(page: Page, frames: number[]): Promise<{ draw: number[]; shown: number[] }> {
  return page.evaluate(`(async (frames) => {
    const h = window.__heapscope;
    const raf = () => new Promise((r) => requestAnimationFrame(() => r(0)));
    const draw = [], shown = [];
    for (const f of frames) {
      await raf(); await raf(); await new Promise((r) => setTimeout(r, 30));
      const t0 = performance.now();
      draw.push(await h.seekAndDraw(f));
      await raf();
      shown.push(performance.now() - t0);
    }
    return { draw, shown };
  })(${JSON.stringify(frames)})`) as Promise<{ draw: number[]; shown: number[] }>;
}

/**
 * Presses `key` `count` times through the browser's input pipeline (CDP, as a keyboard would),
 * at random moments against the display's frames, and times each press from the keydown
 * event's own timestamp: to the map drawn with the frame the key asked for, and to the first
 * animation frame after that draw (the frame that carries its pixels). A press whose map was
 * not drawn by the next animation frame after the key counts as a missed frame.
 */
async function keySeeks(page: Page, key: string, count: number, seed: number): Promise<{ drawn: number[]; pixels: number[]; missed: number }> {
  await page.evaluate(`(() => {
    const h = window.__heapscope;
    window.__keyLat = [];
    if (window.__keyTimer) window.removeEventListener('keydown', window.__keyTimer);
    window.addEventListener('keydown', window.__keyTimer = (e) => {
      // Runs after the window's own key handler (registered earlier): the frame asked for is known.
      if (e.key === 'Shift') return;
      const t = e.timeStamp;
      const want = h.wanted();
      let frames = 0;
      const check = () => {
        frames++;
        const at = h.lastDrawnAt();
        if (h.lastDrawnIndex() === want && at >= t) window.__keyLat.push({ drawn: at - t, pixels: performance.now() - t, frames });
        else if (frames < 600) requestAnimationFrame(check);
        else window.__keyLat.push({ drawn: NaN, pixels: NaN, frames });
      };
      requestAnimationFrame(check);
    });
  })()`);
  let x = seed;
  const rnd = () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < count; i++) {
    await page.keyboard.press(key);
    await page.waitForFunction((n) => (window as unknown as { __keyLat: unknown[] }).__keyLat.length >= n, i + 1, { timeout: 30_000 });
    // A random pause: presses land anywhere in the display's frame.
    await page.waitForTimeout(40 + rnd() * 60);
  }
  const lat = (await page.evaluate('window.__keyLat')) as Array<{ drawn: number; pixels: number; frames: number }>;
  if (process.env.HEAPSCOPE_BENCH_RAW) process.stdout.write(`  (${key}: ${lat.map((l) => `${l.drawn.toFixed(1)}→${l.pixels.toFixed(1)}`).join(' ')})\n`);
  return { drawn: lat.map((l) => l.drawn), pixels: lat.map((l) => l.pixels), missed: lat.filter((l) => l.frames > 1).length };
}

const ms = (v: number) => `${v.toFixed(2)} ms`;
function stats(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.floor(f * s.length))];
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

async function withPage<T>(args: string[], home: string, body: (page: Page) => Promise<T>): Promise<T> {
  const served = await serve(args, { HEAPSCOPE_HOME: home });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1200 } });
    await page.goto(served.url);
    await page.waitForFunction(() => !!(window as unknown as { __heapscope?: unknown }).__heapscope);
    return await body(page);
  } finally {
    await browser.close();
    await served.stop();
  }
}

/**
 * Records the virtual board's steady demo (a dump every 100 ms) for 100 dumps: ms from each
 * dump's last byte (host clock) to its map drawn, from the first dump on.
 */
async function liveFigures(page: Page, label: string, figures: Figures): Promise<void> {
  await page.waitForSelector('[data-testid=record]');
  await page.waitForFunction(() => (document.querySelector('[data-testid=port]') as HTMLSelectElement | null)?.querySelector('option[value=virtual]'));
  await page.selectOption('[data-testid=port]', 'virtual');
  // The steady demo runs until stopped: enough dumps for a 95th percentile.
  await page.selectOption('[data-testid=program]', 'steady');
  await page.selectOption('[data-testid=period]', '100');
  await page.click('[data-testid=record]');
  await until(page, 'live frames', (p) => p.liveLatencies().length >= 100, 120_000).catch(() => undefined);
  const lat = await call(page, (p) => p.liveLatencies());
  await page.click('[data-testid=stop]').catch(() => undefined);
  if (!lat.length) {
    figures[label] = 'no live frames arrived (virtual board)';
    return;
  }
  const s = stats(lat);
  if (process.env.HEAPSCOPE_BENCH_RAW) {
    // Each dump in order, last byte → pixels / the service's push → the page's handler: the first dumps apart from the rest.
    const waits = await call(page, (p) => p.livePushWaits());
    process.stdout.write(`  (${label}: ${lat.map((v, k) => `${v}/${waits[k] ?? '-'}`).join(' ')})\n`);
  }
  const arr = await call(page, (p) => (p as unknown as { liveArrivals(): number[] }).liveArrivals());
  if (arr.length) {
    const a = stats(arr);
    figures[`${label}: dump last byte → push in the page (median / p95; the service’s share)`] = `${ms(a.median)} / ${ms(a.p95)}`;
  }
  const hops = await call(page, (p) => ({ service: p.liveServiceMs(), wait: p.livePushWaits() }));
  if (hops.service.length) {
    const a = stats(hops.service);
    const b = stats(hops.wait);
    figures[`${label}: hops: dump last byte → the service's push (parse, session write; median / p95)`] = `${ms(a.median)} / ${ms(a.p95)}`;
    figures[`${label}: hops: the service's push → the page's handler (bridge, the page's queue; median / p95)`] = `${ms(b.median)} / ${ms(b.p95)}`;
  }
  const inPage = await call(page, (p) => (p as unknown as { liveInPage(): number[] }).liveInPage());
  if (inPage.length) {
    const a = stats(inPage);
    figures[`${label}: push in the page → pixels (median / p95; the page’s share)`] = `${ms(a.median)} / ${ms(a.p95)}`;
  }
  figures[`${label}: dump last byte → pixels (median)`] = ms(s.median);
  figures[`${label}: dump last byte → pixels, from the first dump on (p95)`] = `${ms(s.p95)} (goal ≤ 50 ms)`;
  if (lat.length > 20) figures[`${label}: dump last byte → pixels, after the first 5 dumps (p95)`] = ms(stats(lat.slice(5)).p95);
  figures[`${label}: samples`] = lat.length;
}

/**
 * HEAPSCOPE_BENCH_PARTS=big,long,play,live,liveload picks the parts to run (all by default;
 * play, the long session's playing and full replay, needs long).
 */
function part(name: 'big' | 'long' | 'play' | 'live' | 'liveload' | 'soak'): boolean {
  const want = process.env.HEAPSCOPE_BENCH_PARTS;
  return !want || want.split(',').includes(name);
}

export async function benchRenderer(): Promise<Figures> {
  const figures: Figures = {};
  const home = mkdtempSync(path.join(tmpdir(), 'heapscope-bench-'));
  try {
    // ── 512 Ki blocks ──
    if (part('big')) {
      const big = bigCapture();
      await withPage(['--session', big], home, async (page) => {
        await until(page, 'the 512 Ki-block frame', (p) => p.blocksShown() === 512 * 1024);
        await page.waitForTimeout(300);
        const draws: number[] = [];
        for (let i = 0; i < 40; i++) draws.push(await call(page, (p) => p.redraw()));
        const parts = await call(page, (p) => (p as unknown as { drawParts(): { raster: number; put: number; overlay: number } }).drawParts());
        figures['map draw parts (last)'] = `raster ${parts.raster.toFixed(1)} ms, putImageData ${parts.put.toFixed(1)} ms, overlay ${parts.overlay.toFixed(1)} ms`;
        figures['map draw, first (cold)'] = ms(draws[0]);
        const d = stats(draws.slice(5));
        figures['map draw, 512 Ki blocks (median)'] = ms(d.median);
        figures['map draw, 512 Ki blocks (p95)'] = ms(d.p95);
        figures['map draw budget'] = d.median <= 8 ? 'met (≤ 8 ms)' : 'MISSED (≤ 8 ms)';
        const cell = await page.getAttribute('[data-testid=heap-map]', 'data-cell');
        figures['map draw, zoom'] = `${cell} px per block (whole heap in view)`;
        const big = await isolatedSeeks(page, [5, 2, 9, 0, 11, 7, 3, 10, 1, 6, 4, 8]);
        figures['seek between 512 Ki-block frames, to map drawn (median)'] = ms(stats(big.draw).median);
        // The "age" colouring draws block codes the same way: the same budget.
        await page.click('[data-testid=colour-by-age]');
        await page.waitForSelector('[data-testid=heap-map][data-colouring=age]', { timeout: 120_000 });
        const ageDraws: number[] = [];
        for (let i = 0; i < 40; i++) ageDraws.push(await call(page, (p) => p.redraw()));
        const a = stats(ageDraws.slice(5));
        figures['map draw, 512 Ki blocks, age colouring (median)'] = ms(a.median);
        figures['map draw, 512 Ki blocks, age colouring (p95)'] = ms(a.p95);
        figures['map draw budget, age colouring'] = a.median <= 8 ? 'met (≤ 8 ms)' : 'MISSED (≤ 8 ms)';
        await page.click('[data-testid=colour-by-kind]');
      });

    }

    // ── a 10,000-frame session ──
    if (part('long')) {
      const long = await longCapture();
      figures['long session'] = `${path.basename(long)} (${(statSync(long).size / 1048576).toFixed(0)} MB)`;
      await withPage(['--session', long], home, async (page) => {
        await until(page, '10,000 frames', (p) => p.frames() >= 10_000 && p.shownIndex() === 0, 300_000);
        const n = await call(page, (p) => p.frames());
        figures['long session frames'] = n;
        let x = 99;
        const rnd = () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
        const picks = Array.from({ length: 80 }, () => Math.floor(rnd() * n));
        const r = await isolatedSeeks(page, picks);
        const s = stats(r.draw.slice(3));
        const shown = stats(r.shown.slice(3));
        figures['seek to a random frame, call → map drawn (median)'] = ms(s.median);
        figures['seek to a random frame, call → map drawn (p95)'] = ms(s.p95);
        figures['seek to a random frame, call → next animation frame (median)'] = ms(shown.median);
        figures['seek budget'] = s.median <= 16 ? 'met (≤ 16 ms, to map drawn)' : 'MISSED (≤ 16 ms)';
        // Key presses through the browser's input pipeline: → steps one frame (the next one
        // is usually prefetched), Shift+→ jumps ten (usually fetched from the service).
        await page.mouse.click(5, 5);
        const steps = await keySeeks(page, 'ArrowRight', 60, 7);
        const st = stats(steps.pixels.slice(3));
        figures['seek by key (→), key press → map drawn (median / p95)'] = `${ms(stats(steps.drawn.slice(3)).median)} / ${ms(stats(steps.drawn.slice(3)).p95)}`;
        figures['seek by key (→), key press → pixels (median / p95)'] = `${ms(st.median)} / ${ms(st.p95)} (goal p95 ≤ 16 ms); ${steps.missed} of ${steps.pixels.length} missed the next frame`;
        const jumps = await keySeeks(page, 'Shift+ArrowRight', 60, 11);
        const jt = stats(jumps.pixels.slice(3));
        figures['seek by key (Shift+→, 10 frames), key press → map drawn (median / p95)'] = `${ms(stats(jumps.drawn.slice(3)).median)} / ${ms(stats(jumps.drawn.slice(3)).p95)}`;
        figures['seek by key (Shift+→, 10 frames), key press → pixels (median / p95)'] = `${ms(jt.median)} / ${ms(jt.p95)} (goal p95 ≤ 16 ms); ${jumps.missed} of ${jumps.pixels.length} missed the next frame`;
        // Baseline from the same run: an empty animation frame, key press → next frame, no work.
        const idle = (await page.evaluate(`(async () => {
          const out = [];
          for (let i = 0; i < 40; i++) {
            await new Promise((r) => setTimeout(r, 40 + (i * 37) % 60));
            const t = performance.now();
            await new Promise((r) => requestAnimationFrame(() => r(0)));
            out.push(performance.now() - t);
          }
          return out;
        })()`)) as number[];
        figures['baseline: any moment → next animation frame, no work (median / p95)'] = `${ms(stats(idle).median)} / ${ms(stats(idle).p95)}`;

        // Back to back (scrubbing: no pause between seeks).
        const b2b: number[] = [];
        for (let i = 0; i < 60; i++) b2b.push((await page.evaluate(`window.__heapscope.seekAndDraw(${Math.floor(rnd() * n)})`)) as number);
        figures['seek to a random frame, back to back (median)'] = ms(stats(b2b.slice(3)).median);

        if (!part('play')) return;
        // Playing: as fast as the transport goes (120 fps asked), frames drawn per second.
        await page.keyboard.press('Home');
        await page.selectOption('select[aria-label=Speed]', '120');
        await page.waitForTimeout(200);
        const c0 = await call(page, (p) => p.drawCount());
        const f0 = await call(page, (p) => p.frame());
        await page.keyboard.press('Space');
        await page.waitForTimeout(5000);
        await page.keyboard.press('Space');
        const c1 = await call(page, (p) => p.drawCount());
        const f1 = await call(page, (p) => p.frame());
        figures['playing at 120 fps asked: maps drawn per second'] = ((c1 - c0) / 5).toFixed(1);
        figures['playing at 120 fps asked: frames advanced per second'] = ((f1 - f0) / 5).toFixed(1);
        await page.selectOption('select[aria-label=Speed]', '30');
        await page.keyboard.press('Home');
        const p0 = await call(page, (p) => p.drawCount());
        await page.keyboard.press('Space');
        await page.waitForTimeout(4000);
        await page.keyboard.press('Space');
        const p1 = await call(page, (p) => p.drawCount());
        figures['playing at 30 fps asked: maps drawn per second'] = ((p1 - p0) / 4).toFixed(1);

        // Replay the whole session (every frame through the map), then the renderer's JS heap.
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('HeapProfiler.enable');
        await cdp.send('HeapProfiler.collectGarbage');
        const before = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
        const t0 = Date.now();
        await page.evaluate(async (count: number) => {
          const p = (window as unknown as { __heapscope: Probe }).__heapscope;
          for (let i = 0; i < count; i++) await p.seekAndDraw(i);
        }, n);
        const replayS = (Date.now() - t0) / 1000;
        await cdp.send('HeapProfiler.collectGarbage');
        const after = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
        figures['replay of every frame'] = `${n} frames in ${replayS.toFixed(1)} s (${(n / replayS).toFixed(0)} frames/s, each fetched and drawn)`;
        figures['renderer JS heap before replay'] = `${(before.usedSize / 1048576).toFixed(1)} MB`;
        figures['renderer JS heap after replay'] = `${(after.usedSize / 1048576).toFixed(1)} MB`;
      });

    }

    // ── the 24-hour soak opened in the window (HEAPSCOPE_SOAK_DUMPS: a shorter one) ──
    if (part('soak')) {
      const dumps = Number(process.env.HEAPSCOPE_SOAK_DUMPS ?? 250_000);
      const { file } = await soakSession(dumps, (s) => process.stdout.write(`  (${s})\n`));
      await withPage([], home, async (page) => {
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('HeapProfiler.enable');
        await cdp.send('HeapProfiler.collectGarbage');
        const before = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
        // From the open to the timeline drawn for every frame, then the next animation frame (pixels).
        const r = (await page.evaluate(`(async () => {
          const p = window.__heapscope;
          const t0 = performance.now();
          let opened = -1;
          const done = p.open(${JSON.stringify(file)}).then(() => (opened = performance.now() - t0));
          for (;;) {
            await new Promise((r) => requestAnimationFrame(() => r(0)));
            const c = document.querySelector('[data-testid=timeline-canvas]');
            if (c && c.dataset.frames === '${dumps}') break;
            if (performance.now() - t0 > 600000) throw new Error('the timeline was not drawn in 10 minutes');
          }
          await new Promise((r) => requestAnimationFrame(() => r(0)));
          const drawn = performance.now() - t0;
          await done;
          const c = document.querySelector('[data-testid=timeline-canvas]');
          return { drawn, opened, parts: p.openParts(), drawMs: Number(c.dataset.ms), columns: Number(c.dataset.columns) };
        })()`)) as { drawn: number; opened: number; parts: Record<string, number>; drawMs: number; columns: number };
        await cdp.send('HeapProfiler.collectGarbage');
        const after = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
        const pt = r.parts;
        // Every part from the open's start: the service's answers arrive (open, series, status), then the window's work.
        const at = (k: string) => (pt[k] ?? NaN) - pt.start;
        const service = Math.max(at('open'), at('status'));
        figures['window opens the soak: open → timeline drawn (pixels)'] = `${ms(r.drawn)} for ${dumps} frames (goal ≤ 1000 ms)`;
        figures['window opens the soak: the service’s part (until its last answer: openSession / getFrameSeries / getStatus answered at)'] = `${ms(service)} (${ms(at('open'))} / ${ms(at('series'))} / ${ms(at('status'))})`;
        figures['window opens the soak: the window’s part (last answer → timeline pixels)'] = `${ms(r.drawn - service)} (frame index ${ms(at('index') - at('status'))}; the chart’s own draw ${ms(r.drawMs)} over ${r.columns} columns)`;
        figures['window opens the soak: renderer JS heap after open'] = `${(after.usedSize / 1048576).toFixed(1)} MB (${(before.usedSize / 1048576).toFixed(1)} MB before)`;
        // The whole day redrawn: the timeline's width changed (its own ResizeObserver) makes it reduce every frame again.
        const redraw = (await page.evaluate(`(async () => {
          const out = [], draw = [];
          const el = document.querySelector('[data-testid=timeline]');
          for (let k = 0; k < 12; k++) {
            const c = el.querySelector('[data-testid=timeline-canvas]');
            const before = c.dataset.draws;
            const t0 = performance.now();
            el.style.width = (k % 2 ? '' : 'calc(100% - 7px)');
            for (;;) {
              await new Promise((r) => requestAnimationFrame(() => r(0)));
              if (c.dataset.draws !== before) break;
              if (performance.now() - t0 > 20000) return null;
            }
            out.push(performance.now() - t0);
            draw.push(Number(c.dataset.ms));
          }
          return { out, draw };
        })()`)) as { out: number[]; draw: number[] } | null;
        if (redraw) {
          const d = stats(redraw.out.slice(2));
          const dd = stats(redraw.draw.slice(2));
          figures['timeline draws the day (resize → pixels, median / p95)'] = `${ms(d.median)} / ${ms(d.p95)} (goal ≤ 100 ms)`;
          figures['timeline draws the day (the chart’s own draw, 250,000 frames → columns → canvas, median / p95)'] = `${ms(dd.median)} / ${ms(dd.p95)}`;
        } else figures['timeline draws the day'] = 'not measured: a resize did not redraw the timeline';

        // A spike (bench/data/soak-*.hss.json lists them) must show at full-day zoom: the used line
        // reaches above its neighbourhood at the spike's column.
        await page.setViewportSize({ width: 1440, height: 900 });
        await page.waitForTimeout(500);
        await page.screenshot({ path: path.join(DATA_DIR, 'soak-timeline-1440x900.png') });
        await page.setViewportSize({ width: 1280, height: 720 });
        await page.waitForTimeout(500);
        await page.screenshot({ path: path.join(DATA_DIR, 'soak-timeline-1280x720.png') });
        figures['soak screenshots'] = `${path.join(DATA_DIR, 'soak-timeline-1440x900.png')}, soak-timeline-1280x720.png`;

        // ── the film strip of the whole day: Strip tab → picture drawn ──
        const strip = (await page.evaluate(`(async () => {
          const t0 = performance.now();
          document.querySelector('[data-testid=tab-strip]').click();
          for (;;) {
            await new Promise((r) => requestAnimationFrame(() => r(0)));
            const c = document.querySelector('[data-testid=strip-canvas]');
            if (c && c.dataset.frames === '${dumps}') break;
            if (performance.now() - t0 > 600000) return null;
          }
          await new Promise((r) => requestAnimationFrame(() => r(0)));
          const c = document.querySelector('[data-testid=strip-canvas]');
          return { shown: performance.now() - t0, fetch: Number(c.dataset.fetchMs), draw: Number(c.dataset.ms), columns: Number(c.dataset.columns) };
        })()`)) as { shown: number; fetch: number; draw: number; columns: number } | null;
        if (strip) {
          figures['film strip of the day, first time: Strip tab → pixels'] = `${ms(strip.shown)} (the service’s getFilmStrip ${ms(strip.fetch)} for ${strip.columns} columns; the page’s draw ${ms(strip.draw)})`;
          // Drawn again (the pane resized by a few pixels: the same columns, the strip from the service's cache).
          const again = (await page.evaluate(`(async () => {
            const out = [], draw = [];
            const el = document.querySelector('[data-testid=strip-panel]');
            for (let k = 0; k < 8; k++) {
              const c = document.querySelector('[data-testid=strip-canvas]');
              const before = c.dataset.draws;
              const t0 = performance.now();
              el.style.paddingBottom = (k % 2 ? '' : '3px');
              for (;;) {
                await new Promise((r) => requestAnimationFrame(() => r(0)));
                if (c.dataset.draws !== before && c.dataset.frames === '${dumps}') break;
                if (performance.now() - t0 > 120000) return null;
              }
              out.push(performance.now() - t0);
              draw.push(Number(c.dataset.ms));
            }
            return { out, draw };
          })()`)) as { out: number[]; draw: number[] } | null;
          if (again) {
            const a = stats(again.out.slice(1));
            figures['film strip draws the day again (pane resized → pixels, median / p95)'] = `${ms(a.median)} / ${ms(a.p95)} (goal ≤ 100 ms); the page’s draw ${ms(stats(again.draw).median)} median`;
          }
        } else figures['film strip of the day'] = 'not drawn in 10 minutes';
      });
    }

    // ── live: the virtual board's steady demo, then again with a CPU-bound process beside ──
    if (part('live')) await withPage([], home, (page) => liveFigures(page, 'live', figures));
    if (part('liveload')) {
      const burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
      try {
        await withPage([], home, (page) => liveFigures(page, 'live, CPU-bound process beside', figures));
      } finally {
        burner.kill();
      }
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return figures;
}

// `node --import tsx bench/renderer.ts` runs it alone.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const f = await benchRenderer();
  for (const [k, v] of Object.entries(f)) process.stdout.write(`  ${k}: ${v}\n`);
}
