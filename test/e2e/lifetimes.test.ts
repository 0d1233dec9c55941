/**
 * Lifetimes in the window, in Chromium against `heapscope serve --session`: the recorded leak
 * demo (test/lifetimes/fixtures) opens with the leak banner ("Leaking N B/min, … in about M
 * min", the objects and the line they were born during); Show goes to the Strip tab at the
 * frame the evidence ends; the steady demo shows no banner. Screenshot:
 * test-artifacts/e2e-leak.png (look at it).
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

  async function open(demo: string) {
    const served = await serve(['--session', sessions[demo]], { HEAPSCOPE_HOME: home });
    servers.push(served);
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, colorScheme: 'light' });
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
});
