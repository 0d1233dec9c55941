/**
 * The window for boards that are not all alike, in Chromium against `heapscope serve`:
 * - the connect bar says how dumps are made on the virtual board (a timer, an asyncio task in
 *   the program's event loop, or the program's own mem_dump.dump() calls), as chosen;
 * - a real CircuitPython 10.2.1 recording (test/fixtures/boards/circuitpython-stream.bin:
 *   stats-only dumps, no map) says plainly what it can and cannot show, and its timeline shows
 *   used, free and the change per dump instead of an empty map.
 *
 * Needs Chromium (/usr/bin/chromium or $CHROMIUM); skipped without it. Screenshots go to
 * test-artifacts/ (1440×900 and 1280×720).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { openPage, ROOT, startWindow, type Served, type TestWindow } from './support/browser';
import { waitFor } from './support/probe';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ART = join(ROOT, 'test-artifacts');
const CP_STREAM = join(ROOT, 'test/fixtures/boards/circuitpython-stream.bin');

describe.skipIf(!existsSync(CHROMIUM))('the connect bar says how dumps are made (virtual board)', () => {
  let win: TestWindow | undefined;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let home: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ART, { recursive: true });
    win = await startWindow('heapscope-e2e-dumps-');
    ({ home, served, browser } = win);
    page = await openPage(win, 1440, 900, pageErrors);
    await page.waitForSelector('[data-testid=record]');
    await page.waitForFunction(() => (document.querySelector('[data-testid=port]') as HTMLSelectElement | null)?.options.length);
  }, 240_000);

  afterAll(async () => {
    await win?.stop();
  });

  const cases = [
    { dumps: 'auto', demo: 'steady', says: 'dumps from a timer', short: 'from a timer', frames: 3 },
    { dumps: 'async', demo: 'asyncio', says: 'dumps from an asyncio task', short: 'from asyncio', frames: 3 },
    // The steady demo never calls mem_dump.dump(): no dumps to wait for, only the words.
    { dumps: 'calls', demo: 'steady', says: "dumps at the program's mem_dump.dump() calls", short: 'at dump() calls', frames: 0 },
  ] as const;

  for (const c of cases) {
    it(`${c.dumps} on the ${c.demo} demo: “${c.says}”`, async () => {
      await page.selectOption('[data-testid=port]', 'virtual');
      await page.selectOption('[data-testid=program]', c.demo);
      await page.selectOption('[data-testid=period]', '250');
      await page.selectOption('[data-testid=dumps]', c.dumps);
      await page.click('[data-testid=record]');
      await page.waitForSelector('[data-testid=stop]');
      // While recording, the REC status says it (the cost hint is hidden to make room).
      await page.waitForSelector('[data-testid=rec-status] [data-testid=dump-mode]', { timeout: 60_000 });
      expect((await page.textContent('[data-testid=dump-mode]'))?.trim()).toBe(`· ${c.short}`);
      expect(await page.getAttribute('[data-testid=dump-mode]', 'title')).toBe(c.says);
      // Seen whole, not cut by the bar's edge, at both window sizes.
      for (const [vw, vh] of [
        [1440, 900],
        [1280, 720],
      ] as const) {
        await page.setViewportSize({ width: vw, height: vh });
        const mode = (await page.locator('[data-testid=dump-mode]').boundingBox())!;
        const bar = (await page.locator('[data-testid=connect-bar]').boundingBox())!;
        expect(mode.x + mode.width, `at ${vw}×${vh}`).toBeLessThanOrEqual(bar.x + bar.width);
      }
      await page.setViewportSize({ width: 1440, height: 900 });
      if (c.frames > 0) {
        const want = c.frames;
        await waitFor(page, `${want} frames`, new Function('p', `return p.frames() >= ${want}`) as (p: { frames(): number }) => boolean, 60_000);
      }
      await page.screenshot({ path: join(ART, `boards-dumps-${c.dumps}-1440.png`) });
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.screenshot({ path: join(ART, `boards-dumps-${c.dumps}-1280.png`) });
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.click('[data-testid=stop]');
      await page.waitForSelector('[data-testid=record]', { timeout: 30_000 });
      // Stopped: the hint beside the period says it, for the recording just made.
      await page.waitForSelector('[data-testid=connect-bar] .field-col [data-testid=dump-mode]');
      expect((await page.textContent('[data-testid=dump-mode]'))?.trim()).toBe(`· ${c.says}`);
      // The choice is kept, and the selector is enabled again.
      expect(await page.inputValue('[data-testid=dumps]')).toBe(c.dumps);
      expect(await page.isDisabled('[data-testid=dumps]')).toBe(false);
    }, 150_000);
  }

  it('no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('a CircuitPython session (stats-only dumps) says what it can show', () => {
  let win: TestWindow | undefined;
  let served: Served;
  let browser: Browser;
  let home: string;
  let session: string;

  beforeAll(async () => {
    mkdirSync(ART, { recursive: true });
    win = await startWindow('heapscope-e2e-cp-', async (dir) => {
      session = join(dir, 'circuitpython.hss');
      await promisify(execFile)(process.execPath, [join(ROOT, 'bin/heapscope.mjs'), 'import', CP_STREAM, '-o', session], { cwd: ROOT, env: { ...process.env, HEAPSCOPE_HOME: dir }, timeout: 60_000 });
      return ['--session', session];
    });
    ({ home, served, browser } = win);
  }, 240_000);

  afterAll(async () => {
    await win?.stop();
  });

  for (const [w, h] of [
    [1440, 900],
    [1280, 720],
  ] as const) {
    it(`at ${w}×${h}: the frame pane and the timeline`, async () => {
      const page = await browser.newPage({ viewport: { width: w, height: h }, colorScheme: 'light' });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(served.url);
      // The dump the recorder measured its cost with, then the program's eleven.
      await waitFor(page, 'the session', (p) => p.frames() === 12, 60_000);
      await page.keyboard.press('End');
      await page.click('[data-testid=tab-frame]');
      await page.waitForSelector('[data-testid=frame-stats-only]');
      expect((await page.textContent('[data-testid=frame-map-none]'))?.trim()).toBe('none: heap totals only');
      const panel = (await page.textContent('[data-testid=frame-panel]')) ?? '';
      expect(panel).not.toMatch(/incomplete/);
      expect(panel).not.toMatch(/Longest free run|Fragmentation/);
      expect(await page.textContent('[data-testid=frame-stats-limits]')).toMatch(/no block map/);
      // The last dump: 40,224 B used after 33,200 B (the stream's last two stats frames).
      expect(await page.textContent('[data-testid=frame-stats-change]')).toBe('+6.86 KiB used · −6.86 KiB free');
      // No blank map: the map pane says why there is none.
      expect(await page.textContent('[data-testid=map-stats-only]')).toMatch(/heap totals only/);
      await page.waitForSelector('[data-testid=timeline-stats-only]');
      // Used and free drawn as lines with a dot per dump, and a bar per dump for the change.
      expect(await page.locator('[data-testid=timeline] .recharts-line-dots circle').count()).toBeGreaterThanOrEqual(22);
      expect(await page.locator('[data-testid=timeline] .recharts-bar-rectangle').count()).toBeGreaterThanOrEqual(10);
      await page.screenshot({ path: join(ART, `boards-circuitpython-${w}.png`) });
      expect(errors).toEqual([]);
      await page.close();
    }, 120_000);
  }
});
