/**
 * The film strip in Chromium against `heapscope serve --session`: a 6-second recording of the
 * virtual board's leak demo, opened; the Strip tab draws a non-blank picture in the map's
 * colours (the used part of the heap, and the whole heap), a click and a drag in it move the
 * playhead, hovering tells the frame and the addresses. Screenshots: test-artifacts/e2e-strip.png
 * and e2e-strip-whole.png (look at them).
 *
 * Needs Chromium (/usr/bin/chromium or $CHROMIUM); skipped without it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { openPage, ROOT, startWindow, type Served, type TestWindow } from './support/browser';
import { probe, waitFor } from './support/probe';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ART = join(ROOT, 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);

/** The strip canvas's pixels: how many distinct colours, and the share of the most common one. */
async function stripPixels(page: Page): Promise<{ w: number; h: number; colours: number; top: number }> {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid=strip-canvas]') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Map<number, number>();
    for (let i = 0; i < d.length; i += 4) {
      const k = d[i] | (d[i + 1] << 8) | (d[i + 2] << 16);
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    const top = Math.max(...seen.values()) / (d.length / 4);
    return { w: c.width, h: c.height, colours: seen.size, top };
  });
}

describe.skipIf(!haveChromium)('the film strip in a browser', () => {
  let win: TestWindow | undefined;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let home: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ART, { recursive: true });
    win = await startWindow('heapscope-e2e-strip-', async (dir) => {
      const session = join(dir, 'leak.hss');
      await promisify(execFile)(process.execPath, [join(ROOT, 'bin/heapscope.mjs'), 'record', '--port', 'virtual', '--demo', 'leak', '--period', '100', '--duration', '6s', '-q', '-o', session], {
        cwd: ROOT,
        env: { ...process.env, HEAPSCOPE_HOME: dir },
        timeout: 120_000,
      });
      expect(existsSync(session)).toBe(true);
      return ['--session', session];
    });
    ({ home, served, browser } = win);
    page = await openPage(win, 1440, 900, pageErrors);
    await waitFor(page, 'the session to load', (p) => p.frames() > 20 && p.shownIndex() === 0, 60_000);
  }, 240_000);

  afterAll(async () => {
    await win?.stop();
  });

  it('draws the whole session in the Strip tab', async () => {
    await page.click('[data-testid=tab-strip]');
    await page.waitForSelector('[data-testid=strip-ms]', { timeout: 30_000 });
    const px = await stripPixels(page);
    const box = (await page.locator('[data-testid=strip-canvas]').boundingBox())!;
    // Device-pixel exact: the backing store is the element's size (device pixel ratio 1 here).
    expect(Math.abs(px.w - box.width)).toBeLessThanOrEqual(1);
    expect(Math.abs(px.h - box.height)).toBeLessThanOrEqual(1);
    expect(px.w).toBeGreaterThan(100);
    expect(px.h).toBeGreaterThan(200);
    // The leak demo uses under a tenth of the heap: the strip shows that part, in several kinds.
    expect(px.colours).toBeGreaterThanOrEqual(4);
    expect(px.top).toBeLessThan(0.9);
    expect(await page.textContent('[data-testid=strip-panel]')).toMatch(/never freed/);
    // The whole heap: mostly free, a band on top.
    await page.click('[data-testid=strip-whole]');
    await page.waitForSelector('[data-testid=strip-fit]');
    const whole = await stripPixels(page);
    expect(whole.colours).toBeGreaterThanOrEqual(2);
    expect(whole.top).toBeGreaterThan(0.5);
    expect(whole.top).toBeLessThan(0.99);
    await page.screenshot({ path: join(ART, 'e2e-strip-whole.png') });
    await page.click('[data-testid=strip-fit]');
    await page.waitForSelector('[data-testid=strip-whole]');
    expect((await stripPixels(page)).top).toBeCloseTo(px.top, 5);
  }, 60_000);

  it('seeks by clicking and dragging, and tells what is under the pointer', async () => {
    const n = await probe(page, (p) => p.frames());
    expect(await probe(page, (p) => p.frame())).toBe(0);
    const box = (await page.locator('[data-testid=strip-canvas]').boundingBox())!;
    const x = (f: number) => box.x + f * box.width;
    const y = box.y + box.height * 0.3;
    await page.mouse.click(x(0.5), y);
    await waitFor(page, 'the click to seek', (p) => p.frame() > 0 && p.shownIndex() === p.frame());
    const clicked = await probe(page, (p) => p.frame());
    expect(Math.abs(clicked - (n - 1) / 2)).toBeLessThanOrEqual(2);
    // Drag from left to right: the playhead follows.
    await page.mouse.move(x(0.1), y);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(x(0.1 + (0.85 * k) / 10), y);
    await page.mouse.up();
    // The seeks of the last moves may still be in flight: wait for where the drag ended.
    await waitFor(page, 'the drag to seek to its end', (p) => p.frame() > Math.floor(p.frames() * 0.85) && p.shownIndex() === p.frame());
    const dragged = await probe(page, (p) => p.frame());
    expect(dragged).toBeLessThan(n);
    // Hover: the frame and the address range of the slice.
    await page.mouse.move(x(0.25), box.y + box.height * 0.02);
    await page.waitForSelector('[data-testid=strip-tooltip]');
    const tip = (await page.textContent('[data-testid=strip-tooltip]'))!;
    expect(tip).toMatch(/Frame\s*\d+/);
    expect(tip).toMatch(/0x[0-9a-f]+ – 0x[0-9a-f]+/);
    await page.screenshot({ path: join(ART, 'e2e-strip.png') });
    await page.mouse.move(x(0.25), box.y + box.height + 40);
    await page.locator('.main').screenshot({ path: join(ART, 'e2e-strip-pane.png') }).catch(() => undefined);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
