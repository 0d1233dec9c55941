/**
 * The timeline at scale, in Chromium against `heapscope serve --session`: a capture of 25,000
 * real dumps (a Pico W's heap after a soft reset, the same board's nearly full heap once, at
 * frame 17,778) opens as a big session (from its per-frame series) and the canvas timeline
 * shows that one-frame spike at full zoom, at 1440×900 and at 1280×720, and again after a
 * resize; its log of 25,000 lines lays out only the rows on screen, and its last line scrolls
 * into view where it should. Screenshots: test-artifacts/e2e-timeline-scale-*.png.
 *
 * Needs Chromium (/usr/bin/chromium or $CHROMIUM); skipped without it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, ROOT, startWindow, type TestWindow } from './support/browser';
import { waitFor } from './support/probe';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log(`skipping the timeline-at-scale test: no Chromium at ${CHROMIUM} (set CHROMIUM)`);
const ART = join(ROOT, 'test-artifacts');
const CORPUS = join(ROOT, 'test', 'fixtures', 'corpus');
const FRAMES = 25_000;
const SPIKE = 17_777;

/** Where the used line reaches highest (smallest y, CSS px from the canvas top) near CSS x, and far from it. */
async function usedTops(page: Page, xFrac: number): Promise<{ atSpike: number; elsewhere: number; plotBottom: number }> {
  return page.evaluate(`(() => {
    const c = document.querySelector('[data-testid=timeline-canvas]');
    const dpr = window.devicePixelRatio || 1;
    const ctx = c.getContext('2d');
    const W = c.width, H = c.height;
    const img = ctx.getImageData(0, 0, W, H).data;
    // The used line's colour, from the legend's swatch.
    const sw = getComputedStyle(document.querySelector('.tl-legend span i')).backgroundColor.match(/\\d+/g).map(Number);
    const isUsed = (x, y) => { const o = (y * W + x) * 4; return img[o + 3] > 200 && Math.abs(img[o] - sw[0]) < 40 && Math.abs(img[o + 1] - sw[1]) < 40 && Math.abs(img[o + 2] - sw[2]) < 40; };
    const top = (x0, x1) => { for (let y = 0; y < H; y++) for (let x = Math.max(0, x0); x <= Math.min(W - 1, x1); x++) if (isUsed(x, y)) return y / dpr; return Infinity; };
    // The plot: left axis 64 px, right axis 44 + 8 px, as drawTimeline lays it out.
    const plotL = 64, plotR = W / dpr - 52;
    const x = Math.round((plotL + ${xFrac} * (plotR - plotL)) * dpr);
    const atSpike = top(x - 3, x + 3);
    let elsewhere = Infinity;
    for (const f of [0.1, 0.3, 0.5, 0.9]) { const xx = Math.round((plotL + f * (plotR - plotL)) * dpr); elsewhere = Math.min(elsewhere, top(xx - 3, xx + 3)); }
    return { atSpike, elsewhere, plotBottom: H / dpr - 24 };
  })()`) as Promise<{ atSpike: number; elsewhere: number; plotBottom: number }>;
}

describe.skipIf(!haveChromium)('the timeline of a long session', () => {
  let win: TestWindow | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ART, { recursive: true });
    win = await startWindow('heapscope-e2e-tlscale-', (dir) => {
      const quiet = readFileSync(join(CORPUS, '022-rp2-v1.23plus-picow-after-soft-reset.txt'), 'latin1').replace(/\r?\n$/, '');
      const full = readFileSync(join(CORPUS, '024-rp2-v1.23plus-picow-heap-nearly-full.txt'), 'latin1').replace(/\r?\n$/, '');
      // Same board, same 205,568-byte heap: 4.4 KiB used in every dump but one, 197 KiB in that one.
      expect(quiet).toMatch(/GC: total: 205568, used: 4464,/);
      expect(full).toMatch(/GC: total: 205568, used: 202048,/);
      const parts: string[] = [];
      // A line printed before each dump: a log as long as the session, for the log pane's test.
      for (let i = 0; i < FRAMES; i++) parts.push(`tick ${i}`, i === SPIKE ? full : quiet);
      const file = join(dir, 'long.txt');
      writeFileSync(file, parts.join('\n') + '\n');
      return ['--session', file];
    });
    page = await openPage(win, 1440, 900, pageErrors);
    await waitFor(page, 'the long session to load', (p) => p.frames() === 25_000, 180_000);
  }, 300_000);

  afterAll(async () => {
    await win?.stop();
  });

  const spikeAt = SPIKE / (FRAMES - 1);

  for (const [w, h] of [
    [1440, 900],
    [1280, 720],
  ] as const) {
    it(`shows a one-frame spike among ${FRAMES.toLocaleString('en')} frames at full zoom, ${w}×${h}`, async () => {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForFunction(
        ([frames, width]) => {
          const c = document.querySelector('[data-testid=timeline-canvas]') as HTMLCanvasElement | null;
          return !!c && c.dataset.frames === String(frames) && Math.abs(c.width / (window.devicePixelRatio || 1) - document.querySelector('[data-testid=timeline]')!.clientWidth) < 1 && window.innerWidth === width;
        },
        [FRAMES, w] as const,
        { timeout: 60_000 },
      );
      await page.screenshot({ path: join(ART, `e2e-timeline-scale-${w}x${h}.png`) });
      const tops = await usedTops(page, spikeAt);
      // The spike reaches near the top of the plot; the quiet frames stay near its bottom.
      expect(tops.atSpike).toBeLessThan(tops.elsewhere - 60);
      expect(tops.atSpike).toBeLessThan(40);
      expect(tops.elsewhere).toBeGreaterThan(tops.plotBottom - 15);
      expect(pageErrors).toEqual([]);
    });
  }

  it('lays out only the log rows on screen, and scrolls to the last of 25,000 lines', async () => {
    await page.waitForSelector('[data-testid=log] .log-row');
    // The ticks and whatever else of the capture is not a dump (a line between dumps each).
    const lines = Number((await page.textContent('[data-testid=log-search-count]'))!.replace(/[^0-9]/g, ''));
    expect(lines).toBeGreaterThanOrEqual(FRAMES);
    const at = () =>
      page.evaluate(() => {
        const log = document.querySelector('[data-testid=log]') as HTMLElement;
        const rows = [...log.querySelectorAll('.log-row')] as HTMLElement[];
        const box = log.getBoundingClientRect();
        // Rows inside the box, with their line numbers and texts.
        const shown = rows.filter((r) => {
          const b = r.getBoundingClientRect();
          return b.bottom > box.top + 1 && b.top < box.bottom - 1;
        });
        return { rows: rows.length, spacer: (log.firstElementChild as HTMLElement).offsetHeight, shown: shown.map((r) => Number(r.dataset.line)), texts: shown.map((r) => r.querySelector('.tx')?.textContent ?? '') };
      });
    const top = await at();
    // The whole log's height (18 px a row), but a screenful of rows and the overscan, not 25,000.
    expect(top.spacer).toBe(lines * 18);
    expect(top.rows).toBeLessThan(200);
    expect(top.shown[0]).toBe(0);
    // To the end: the rows there are the log's last lines, in order, with their own text.
    await page.evaluate(() => {
      const log = document.querySelector('[data-testid=log]') as HTMLElement;
      log.scrollTop = log.scrollHeight;
    });
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid=log] .log-row .tx')].some((e) => e.textContent === `tick ${n - 1}`), FRAMES, { timeout: 30_000 });
    const end = await at();
    expect(end.rows).toBeLessThan(200);
    expect(end.shown[end.shown.length - 1]).toBe(lines - 1);
    expect(end.shown).toEqual(end.shown.map((_, i) => end.shown[0] + i));
    expect(end.texts).toContain(`tick ${FRAMES - 1}`);
    expect(end.texts.filter((t) => t.startsWith('tick ')).map((t) => Number(t.slice(5)))).toEqual(
      end.texts.filter((t) => t.startsWith('tick ')).map((_, i, a) => FRAMES - a.length + i),
    );
  });

  it('opened again, draws its timeline in a frame before the log rows come', async () => {
    const file = join(win!.home, 'long.txt');
    expect(existsSync(file)).toBe(true);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.waitForFunction((n) => document.querySelector('[data-testid=timeline-canvas]')?.getAttribute('data-frames') === String(n), FRAMES, { timeout: 60_000 });
    // Every animation frame from the open: was the chart drawn again yet, and how many log rows were there.
    const seen = (await page.evaluate(`(async () => {
      const canvas = () => document.querySelector('[data-testid=timeline-canvas]');
      const before = canvas().dataset.draws;
      const done = window.__heapscope.open(${JSON.stringify(file)});
      const seen = [];
      const t0 = performance.now();
      for (;;) {
        await new Promise((r) => requestAnimationFrame(() => r(0)));
        const c = canvas();
        const drawn = !!c && c.dataset.draws !== before && c.dataset.frames === '${FRAMES}';
        const rows = document.querySelectorAll('[data-testid=log] .log-row').length;
        seen.push([drawn, rows]);
        if (drawn && rows > 0) break;
        if (performance.now() - t0 > 120000) break;
      }
      await done;
      return seen;
    })()`)) as Array<[boolean, number]>;
    const firstDrawn = seen.findIndex(([drawn]) => drawn);
    expect(firstDrawn).toBeGreaterThanOrEqual(0);
    // The frame the chart first showed in had no rows of the new session yet; the rows came after.
    expect(seen[firstDrawn][1]).toBe(0);
    expect(seen[seen.length - 1][1]).toBeGreaterThan(0);
  }, 180_000);

  it('keeps the spike when the width changes (drawn again)', async () => {
    const before = await page.getAttribute('[data-testid=timeline-canvas]', 'data-draws');
    await page.evaluate(() => ((document.querySelector('[data-testid=timeline]') as HTMLElement).style.width = 'calc(100% - 9px)'));
    await page.waitForFunction((b) => document.querySelector('[data-testid=timeline-canvas]')!.getAttribute('data-draws') !== b, before, { timeout: 30_000 });
    const draws = Number(await page.getAttribute('[data-testid=timeline-canvas]', 'data-draws'));
    expect(draws).toBeGreaterThanOrEqual(2);
    const tops = await usedTops(page, spikeAt);
    expect(tops.atSpike).toBeLessThan(tops.elsewhere - 60);
  });
});
