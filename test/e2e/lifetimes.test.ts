/**
 * Lifetimes in the window, in Chromium against `heapscope serve --session`: the recorded leak
 * demo (test/lifetimes/fixtures) opens with the leak banner ("Leaking N B/min, … in about M
 * min", the objects and the line they were born during); Show goes to the Strip tab at the
 * frame the evidence ends; the steady demo shows no banner. At 1280×720 and 1440×900: the
 * map's age colouring (the pixel under the hover is its age bucket's colour, the hover says
 * born and age as a lower bound), the object-level Compare (New / Gone / Survived, sorted,
 * totals per kind, a click points at the object on the map, everything inside the side pane),
 * and the log's folded traceback and heap change per line. Screenshots:
 * test-artifacts/e2e-leak.png, e2e-age-*.png, e2e-compare-*.png, e2e-log-*.png (look at them).
 *
 * Needs Chromium (/usr/bin/chromium or $CHROMIUM); skipped without it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, ROOT, serve, type Served } from './support/browser';
import { probe, waitFor } from './support/probe';
import { AGE_RAMP } from '../../src/renderer/map/colors';
import { ageBucket } from '../../src/shared/lifetimes/ageMap';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ART = join(ROOT, 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);
const fixture = (name: string) => join(ROOT, 'test/lifetimes/fixtures', name);

describe.skipIf(!haveChromium)('lifetimes in the window', () => {
  let browser: Browser;
  let home: string;
  const servers: Served[] = [];
  const sessions: Record<string, string> = {};

  beforeAll(async () => {
    mkdirSync(ART, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'heapscope-e2e-life-'));
    for (const demo of ['leak', 'steady']) {
      sessions[demo] = join(home, `${demo}.hss`);
      execFileSync(process.execPath, [join(ROOT, 'bin/heapscope.mjs'), 'import', fixture(`${demo}-demo.txt`), '-o', sessions[demo]], { cwd: ROOT, timeout: 120_000 });
    }
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  async function open(demo: string, viewport = { width: 1280, height: 720 }) {
    const served = await serve(['--session', sessions[demo]], { HEAPSCOPE_HOME: home });
    servers.push(served);
    const page = await browser.newPage({ viewport, colorScheme: 'light' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    await waitFor(page, 'the session to load', (p) => p.frames() > 50 && p.shownIndex() !== null, 60_000);
    return { page, errors };
  }

  it('the leak demo: a banner with the rate, the forecast, the objects and where they were born', async () => {
    const { page, errors } = await open('leak');
    const banner = page.locator('[data-testid=leak-banner]');
    await banner.waitFor({ timeout: 30_000 });
    const text = (await banner.innerText()).replace(/\s+/g, ' ');
    expect(text).toMatch(/Leaking [\d.]+ (KiB|B)\/min, (full|no room for the largest allocation) in about \d+ (s|min)/);
    expect(text).toMatch(/\d+ objects born after warm-up never died: \d+ × h of 32 B, \d+ × D of 16 B/);
    expect(text).toMatch(/born during leak: # items, #\.# KB held, # B free/);
    // Fits the window: the banner's text is not wider than the window.
    const box = (await banner.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(1280);
    await page.screenshot({ path: join(ART, 'e2e-leak.png') });
    await page.click('[data-testid=leak-show]');
    await page.waitForSelector('[data-testid=strip-canvas]', { timeout: 30_000 });
    await waitFor(page, 'the frame where the evidence ends', (p) => p.shownIndex() === 64, 30_000);
    expect(await probe(page, (p) => p.frame())).toBe(64);
    await page.screenshot({ path: join(ART, 'e2e-leak-strip.png') });
    // Blame by phase at that frame, in the Frame tab.
    await page.click('[data-testid=tab-frame]');
    const born = page.locator('[data-testid=born-during]');
    await born.waitFor({ timeout: 30_000 });
    const rows = (await born.innerText()).replace(/\s+/g, ' ');
    expect(rows).toMatch(/leak: # items, #\.# KB held, # B free [\d ,]+ · [\d.]+ KiB/);
    expect(rows).toMatch(/before the first line [\d ,]+ · [\d.]+ (KiB|B)/);
    await born.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ART, 'e2e-born-during.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the steady demo: no banner', async () => {
    const { page, errors } = await open('steady');
    // The verdict has come back (the banner would be there by now on the leak demo).
    await page.waitForTimeout(3000);
    expect(await page.locator('[data-testid=leak-banner]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  for (const vp of [
    { width: 1280, height: 720 },
    { width: 1440, height: 900 },
  ]) {
    const size = `${vp.width}x${vp.height}`;

    it(`${size}: the map coloured by age; the hover says born, during what, and age as a lower bound`, async () => {
      const { page, errors } = await open('leak', vp);
      await page.keyboard.press('End');
      await waitFor(page, 'the last frame', (p) => p.shownIndex() === 80);
      await page.click('[data-testid=colour-by-age]');
      await page.locator('[data-testid=age-legend]').waitFor();
      await page.waitForFunction(() => document.querySelector('[data-testid=legend] .note')?.textContent?.startsWith('Age:'), null, { timeout: 30_000 });
      expect(await page.getAttribute('[data-testid=heap-map]', 'data-colouring')).toBe('age');
      // Hover heads until an old one and a young one are found; each pixel is its bucket's colour.
      const box = (await page.locator('[data-testid=map-canvas]').boundingBox())!;
      const seen = new Set<number>();
      let checked = 0;
      for (let y = box.y + 30; y < box.y + box.height && seen.size < 3; y += 3) {
        for (let x = box.x + 80; x < box.x + box.width - 10; x += 7) {
          await page.mouse.move(x, y);
          const tip = page.locator('[data-testid=map-tooltip]');
          if (!(await tip.count())) continue;
          const text = (await tip.innerText()).replace(/\s+/g, ' ');
          if (!/\(head\)/.test(text) || !(await page.locator('[data-testid=map-tooltip-life]').count())) continue;
          const m = /Born (by )?frame (\d+) · [\d:.]+ (During|During mark) (.+?) Age ≥ (\d+) frames?(?: · ≥ [\d:.]+)? (.*)$/.exec(text);
          expect(m, text).not.toBeNull();
          const [, before, born, , , age, note] = m!;
          expect(Number(age)).toBe(81 - Number(born) + 1);
          expect(note).toMatch(before ? /born then or earlier/ : /at least this old/);
          const b = ageBucket(Number(age));
          if (seen.has(b)) continue;
          seen.add(b);
          // The pixel under the pointer; at 5 px a block and up, one-pixel gaps part objects: then the one up and left.
          const rgb = await page.evaluate(
            ([px, py]) => {
              const c = document.querySelector('[data-testid=map-canvas]') as HTMLCanvasElement;
              const r = c.getBoundingClientRect();
              const g = c.getContext('2d')!;
              const at = (dx: number, dy: number) => {
                const d = g.getImageData(Math.floor((px - r.left) * devicePixelRatio) + dx, Math.floor((py - r.top) * devicePixelRatio) + dy, 1, 1).data;
                return `#${[d[0], d[1], d[2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
              };
              const background = g.getImageData(1, 1, 1, 1).data.join();
              const here = g.getImageData(Math.floor((px - r.left) * devicePixelRatio), Math.floor((py - r.top) * devicePixelRatio), 1, 1).data.join();
              return here === background ? at(-1, -1) : at(0, 0);
            },
            [x, y],
          );
          expect(rgb, `${text} at ${x},${y}`).toBe(AGE_RAMP[b]);
          checked++;
          if (b === 0 && vp.width === 1440) await page.screenshot({ path: join(ART, `e2e-age-hover-${size}.png`) });
        }
      }
      expect(checked).toBeGreaterThanOrEqual(2);
      await page.screenshot({ path: join(ART, `e2e-age-${size}.png`) });
      // Back to kinds.
      await page.click('[data-testid=colour-by-kind]');
      expect(await page.getAttribute('[data-testid=heap-map]', 'data-colouring')).toBe('kind');
      expect(errors).toEqual([]);
      await page.close();
    }, 180_000);

    it(`${size}: Compare lists New, Gone and Survived objects, sorted, with totals per kind, inside the side pane`, async () => {
      const { page, errors } = await open('leak', vp);
      await page.keyboard.press('Home');
      await waitFor(page, 'the first frame', (p) => p.shownIndex() === 0);
      await page.keyboard.press('[');
      await page.keyboard.press('End');
      await waitFor(page, 'the last frame', (p) => p.frame() === 80);
      await page.keyboard.press(']');
      await page.locator('[data-testid=object-list]').waitFor({ timeout: 30_000 });
      const counts: Record<string, number> = {};
      for (const l of ['added', 'gone', 'survived']) {
        const t = await page.locator(`[data-testid=objects-${l}] .num`).first().innerText();
        counts[l] = Number(t.replace(/\D/g, ''));
      }
      // The leak: hundreds of objects new at the end, more than went.
      expect(counts.added).toBeGreaterThan(800);
      expect(counts.added).toBeGreaterThan(counts.gone);
      expect(counts.survived).toBeGreaterThan(0);
      const pane = (await page.locator('[data-testid=side-pane]').boundingBox())!;
      const inside = async (sel: string) => {
        const boxes = await page.locator(sel).evaluateAll((els) =>
          els.map((e) => {
            const r = e.getBoundingClientRect();
            return { l: r.left, r: r.right, clipped: e.scrollWidth > e.clientWidth + 1, text: e.textContent };
          }),
        );
        expect(boxes.length, sel).toBeGreaterThan(0);
        for (const b of boxes) {
          expect(b.l, `${sel} ${b.text}`).toBeGreaterThanOrEqual(pane.x - 0.5);
          expect(b.r, `${sel} ${b.text}`).toBeLessThanOrEqual(pane.x + pane.width + 0.5);
        }
        return boxes;
      };
      for (const l of ['added', 'gone', 'survived']) {
        await page.click(`[data-testid=objects-${l}]`);
        // Totals per kind add up to the list.
        const totals = await page.locator('[data-testid=kind-totals] .kind-total').allInnerTexts();
        const sum = totals.reduce((n, t) => n + Number(/^\S+\s+([\d ,]+) ·/.exec(t.replace(/\s+/g, ' '))![1].replace(/[ ,]/g, '')), 0);
        expect(sum, l).toBe(counts[l]);
        // Headers, tabs, totals and the address, kind and size of every row shown: whole, inside the pane.
        for (const b of await inside('.obj-head .obj-cell')) expect(b.clipped, `header ${b.text}`).toBe(false);
        await inside('.obj-tab');
        await inside('.kind-total');
        if (counts[l] > 0) for (const sel of ['.obj-body .obj-address', '.obj-body .obj-kind', '.obj-body .obj-size']) for (const b of await inside(sel)) expect(b.clipped, `${sel} ${b.text}`).toBe(false);
      }
      // Sorting: size (largest first by default, then ascending), born, kind, address.
      await page.click('[data-testid=objects-added]');
      const col = async (sel: string) => page.locator(`.obj-body ${sel}`).allInnerTexts();
      const toBytes = (t: string) => {
        const m = /([\d.]+)\s*(B|KiB|MiB)/.exec(t)!;
        return Number(m[1]) * (m[2] === 'KiB' ? 1024 : m[2] === 'MiB' ? 1048576 : 1);
      };
      const monotone = (xs: number[], dir: 1 | -1) => xs.every((x, k) => k === 0 || dir * (x - xs[k - 1]) >= 0);
      expect(monotone((await col('.obj-size')).map(toBytes), -1)).toBe(true);
      await page.click('[data-testid=sort-size]');
      expect(monotone((await col('.obj-size')).map(toBytes), 1)).toBe(true);
      await page.click('[data-testid=sort-born]');
      expect(monotone((await col('.obj-born .num')).map((t) => Number(t.replace(/\D/g, ''))), 1)).toBe(true);
      await page.click('[data-testid=sort-address]');
      expect(monotone((await col('.obj-address')).map((t) => parseInt(t, 16)), 1)).toBe(true);
      // Virtualised: far fewer rows in the page than objects in the list.
      expect(await page.locator('.obj-body .obj-row').count()).toBeLessThan(Math.min(counts.added, 80));
      // A click points at the object on the map.
      await page.click('[data-testid=sort-size]');
      const row = page.locator('.obj-body .obj-row').nth(1);
      const address = await row.locator('.obj-address').innerText();
      await row.click();
      expect(await page.locator('.obj-body .obj-row.on .obj-address').innerText()).toBe(address);
      await page.waitForFunction((a) => document.querySelector('[data-testid=heap-map]')?.getAttribute('data-highlight') === a, address);
      await page.screenshot({ path: join(ART, `e2e-compare-${size}.png`) });
      expect(errors).toEqual([]);
      await page.close();
    }, 180_000);

    it(`${size}: the log folds the traceback into its exception line, unfolds on click, and shows the heap change per line`, async () => {
      const { page, errors } = await open('leak', vp);
      await page.click('[data-testid=tab-log]');
      const fold = page.locator('[data-fold]');
      await fold.waitFor({ timeout: 30_000 });
      // Lines 18–21: `Traceback…`, two `File` lines, `KeyboardInterrupt:`; one row, the exception's.
      expect(await fold.getAttribute('data-fold')).toBe('17-20');
      expect((await fold.innerText()).replace(/\s+/g, ' ')).toMatch(/^18 [\d:.]+ ▸ KeyboardInterrupt: traceback, 4 lines$/);
      expect(await page.locator('.log-row[data-line="18"]').count()).toBe(0);
      expect(await page.locator('.log-row').count()).toBe(18);
      await fold.click();
      await page.locator('.log-row[data-line="20"]').waitFor();
      expect(await page.locator('.log-row').count()).toBe(21);
      expect(await page.locator('.log-row[data-line="17"] .tx').innerText()).toMatch(/^Traceback \(most recent call last\):/);
      await page.click('.log-row[data-line="17"] [data-testid=log-fold-toggle]');
      await page.locator('[data-fold]').waitFor();
      expect(await page.locator('.log-row').count()).toBe(18);
      // The heap change between the dumps either side of each line.
      await page.click('[data-testid=log-heap-toggle]');
      const cells = page.locator('[data-testid=log-heap]');
      await cells.first().waitFor();
      const toBytes = (t: string) => {
        const m = /([−+-]?)([\d.]+)\s*(B|KiB)/.exec(t)!;
        return (m[1] === '−' || m[1] === '-' ? -1 : 1) * Number(m[2]) * (m[3] === 'KiB' ? 1024 : 1);
      };
      let shown = 0;
      for (let k = 0; k < (await cells.count()); k++) {
        const text = await cells.nth(k).innerText();
        const title = (await cells.nth(k).getAttribute('title'))!;
        const m = /from frame (\d+) to frame (\d+), the dumps either side of this line: (.+) → (.+)$/.exec(title);
        if (!m) continue;
        expect(Number(m[2])).toBe(Number(m[1]) + 1);
        const d = toBytes(m[4]) - toBytes(m[3]);
        if (text === '±0') expect(Math.abs(d)).toBeLessThan(0.05 * 1024);
        else expect(Math.sign(toBytes(text)), title).toBe(Math.sign(d));
        shown++;
      }
      expect(shown).toBeGreaterThan(10);
      await page.screenshot({ path: join(ART, `e2e-log-${size}.png`) });
      expect(errors).toEqual([]);
      await page.close();
    }, 180_000);
  }
});
