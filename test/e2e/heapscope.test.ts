/**
 * The whole window in Chromium against `heapscope serve`: record 10 s of the virtual board's
 * fragment demo through the UI, watch the map change and the MemoryError marker appear, stop,
 * reopen the saved session, scrub by dragging and by keys, compare two frames, export CSV and
 * PNG, find where the heap broke apart and export a GIF of it, and check the files. Screenshots go to test-artifacts/ (look at them).
 *
 * Needs Chromium (/usr/bin/chromium or $CHROMIUM); skipped without it.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { openPage, ROOT, startWindow, type Served, type TestWindow } from './support/browser';
import { probe, waitFor } from './support/probe';
import { readGif } from '../support/gif';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ART = join(ROOT, 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);

/** A digest of the heap map's pixels. */
async function mapDigest(page: Page): Promise<string> {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid=map-canvas]') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let i = 0; i < d.length; i += 4) h = Math.imul(h ^ (d[i] | (d[i + 1] << 8) | (d[i + 2] << 16)), 16777619);
    return (h >>> 0).toString(16);
  });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ART, `${name}.png`) });
}

describe.skipIf(!haveChromium)('the HeapScope window in a browser', () => {
  let win: TestWindow | undefined;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let home: string;
  let sessionPath = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ART, { recursive: true });
    win = await startWindow('heapscope-e2e-');
    ({ home, served, browser } = win);
    page = await openPage(win, 1440, 900, pageErrors);
    await page.waitForSelector('[data-testid=record]');
  }, 240_000);

  afterAll(async () => {
    await win?.stop();
  });

  it('records the fragment demo on the virtual board, live', async () => {
    await page.waitForFunction(() => (document.querySelector('[data-testid=port]') as HTMLSelectElement | null)?.options.length);
    const ports = await page.$$eval('[data-testid=port] option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(ports).toContain('virtual');
    await page.selectOption('[data-testid=port]', 'virtual');
    await page.selectOption('[data-testid=program]', 'fragment');
    await page.selectOption('[data-testid=period]', '250');
    await shot(page, 'e2e-01-ready');
    await page.click('[data-testid=record]');
    await page.waitForSelector('[data-testid=stop]');
    await waitFor(page, 'the first frames', (p) => p.frames() >= 3, 60_000);
    const a = await mapDigest(page);
    const framesA = await probe(page, (p) => p.frames());
    await page.waitForTimeout(2000);
    await waitFor(page, 'more frames', (p) => p.frames() > 3);
    const framesB = await probe(page, (p) => p.frames());
    expect(framesB).toBeGreaterThan(framesA);
    expect(await mapDigest(page)).not.toBe(a); // the live map follows the dumps
    await shot(page, 'e2e-02-recording');
    // The demo runs into a MemoryError within about 10 s (give a slow machine 45).
    let sawMemoryError = true;
    try {
      await waitFor(page, 'the MemoryError event', (p) => p.events().some((e) => e.kind === 'memoryError'), 45_000);
      await page.waitForSelector('[data-testid=timeline] [data-marker=memoryError]', { timeout: 5000 });
    } catch {
      sawMemoryError = false;
    }
    await shot(page, 'e2e-03-memoryerror');
    // The program ended in its MemoryError: the recording may already have stopped by itself.
    await page.locator('[data-testid=stop]').click({ timeout: 3000 }).catch(() => undefined);
    await page.waitForSelector('[data-testid=record]', { timeout: 30_000 });
    sessionPath = (await page.getAttribute('[data-testid=statusbar] .grow', 'title')) ?? '';
    expect(sessionPath).toMatch(/\.hss$/);
    expect(existsSync(sessionPath)).toBe(true);
    expect(sawMemoryError, 'the fragment demo should end in a MemoryError, shown on the timeline').toBe(true);
  }, 180_000);

  it('reopens the saved session', async () => {
    await page.reload();
    await page.waitForSelector('[data-testid=open]');
    await page.keyboard.press('Control+o');
    await page.fill('[data-testid=open-path]', sessionPath);
    await page.click('[data-testid=open-go]');
    await waitFor(page, 'the session to load', (p) => p.frames() > 5 && p.shownIndex() === 0);
    // Where the program printed is ticked along the timeline.
    await page.waitForSelector('[data-testid=log-ticks] path');
    await shot(page, 'e2e-04-reopened');
  }, 60_000);

  it('scrubs by dragging the timeline and by keys', async () => {
    const n = await probe(page, (p) => p.frames());
    const box = (await page.locator('[data-testid=timeline-overlay]').boundingBox())!;
    // The plot starts after the 64-pixel axis and ends before the right one.
    const x = (f: number) => box.x + 64 + f * (box.width - 64 - 52);
    await page.mouse.move(x(0.1), box.y + box.height / 2);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(x(0.1 + (0.8 * k) / 10), box.y + box.height / 2);
    await page.mouse.up();
    // The seeks of the last moves may still be in flight: wait for where the drag ended.
    await waitFor(page, 'the map to catch up with the drag', (p) => p.frame() > Math.floor(p.frames() * 0.75) && p.shownIndex() === p.frame());
    const dragged = await probe(page, (p) => p.frame());
    expect(dragged).toBeLessThan(n);
    await page.keyboard.press('Home');
    await waitFor(page, 'Home', (p) => p.frame() === 0 && p.shownIndex() === 0);
    const first = await mapDigest(page);
    // Draw on input: by the end of the key's own task the map holds the next frame (fetched
    // ahead after Home), while the rest of the window (the title) re-renders after the paint.
    await page.waitForTimeout(1000);
    await page.evaluate(() => {
      const w = window as unknown as { __heapscope: { lastDrawnIndex(): number | null; wanted(): number }; __onKey: unknown };
      // Registered after the window's key handler, so it runs right after it, in the same task.
      window.addEventListener('keydown', () => (w.__onKey = { drawn: w.__heapscope.lastDrawnIndex(), wanted: w.__heapscope.wanted(), title: document.querySelector('[data-testid=map-title] b')?.textContent }), { once: true });
    });
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => (window as unknown as { __onKey: unknown }).__onKey)).toEqual({ drawn: 1, wanted: 1, title: 'Frame 1' });
    await waitFor(page, '→', (p) => p.frame() === 1 && p.shownIndex() === 1);
    await page.waitForFunction(() => document.querySelector('[data-testid=map-title] b')?.textContent === 'Frame 2');
    await page.keyboard.press('Shift+ArrowRight');
    await waitFor(page, 'Shift+→', (p) => p.frame() === Math.min(11, p.frames() - 1) && p.shownIndex() === p.frame());
    await page.keyboard.press('End');
    await waitFor(page, 'End', (p) => p.frame() === p.frames() - 1 && p.shownIndex() === p.frame());
    expect(await mapDigest(page)).not.toBe(first);
    await page.keyboard.press('ArrowLeft');
    await waitFor(page, '←', (p) => p.frame() === p.frames() - 2);
    // `.` goes to the last heap before the MemoryError.
    if (!(await probe(page, (p) => p.events().some((e) => e.kind === 'memoryError')))) return; // reported by the recording test
    await page.selectOption('[data-testid=event-filter]', 'memoryError');
    await page.keyboard.press('Home');
    await page.keyboard.press('.');
    await waitFor(page, 'the MemoryError frame', (p) => {
      const e = p.events().find((x) => x.kind === 'memoryError')!;
      return p.frame() === Math.min(p.frames() - 1, Math.max(0, e.snapshot - 1));
    });
    await shot(page, 'e2e-05-before-memoryerror');
    // Hover a block: its address, what it is, the object's extent and size.
    const map = (await page.locator('[data-testid=map-canvas]').boundingBox())!;
    await page.mouse.move(map.x + map.width * 0.3, map.y + 40);
    await page.waitForSelector('[data-testid=map-tooltip]');
    const tip = (await page.textContent('[data-testid=map-tooltip]'))!;
    expect(tip).toMatch(/Address\s*0x?[0-9a-f]+/i);
    expect(tip).toMatch(/Size\s*[\d,  ]+ blocks? · [\d,  ]+ B/);
    await page.mouse.move(map.x - 20, map.y - 20);
  }, 60_000);

  it('compares two frames', async () => {
    await page.keyboard.press('Home');
    await page.keyboard.press('[');
    await page.keyboard.press('End');
    await page.keyboard.press(']');
    // Object-level: the New list has rows, with totals per kind (test/e2e/lifetimes.test.ts checks them in depth).
    await page.waitForSelector('[data-testid=object-rows] .obj-row', { timeout: 30_000 });
    const rows = await page.$$eval('[data-testid=object-rows] .obj-row', (r) => r.length);
    expect(rows).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=kind-totals] .kind-total').count()).toBeGreaterThan(0);
    const title = await page.textContent('[data-testid=map-title]');
    expect(title).toMatch(/Diff/);
    await page.waitForTimeout(200);
    await shot(page, 'e2e-06-compare');
    await page.keyboard.press('c');
    await page.waitForFunction(() => !document.querySelector('[data-testid=map-title]')?.textContent?.includes('Diff'));
  }, 30_000);

  it('exports CSV and PNG', async () => {
    const exportOne = async (format: 'csv' | 'png') => {
      await page.keyboard.press('Control+e');
      await page.waitForSelector('[data-testid=export-dialog]');
      await page.click(`[data-testid=export-${format}]`);
      await page.click('[data-testid=export-go]');
      await page.waitForSelector('[data-testid=export-result]', { timeout: 30_000 });
      const text = (await page.textContent('[data-testid=export-result] .mono'))!.trim();
      if (format === 'png') await shot(page, 'e2e-07-export');
      await page.keyboard.press('Escape');
      return text;
    };
    const csv = await exportOne('csv');
    expect(existsSync(csv)).toBe(true);
    const lines = readFileSync(csv, 'utf8').trim().split(/\r?\n/);
    const n = await probe(page, (p) => p.frames());
    expect(lines.length).toBe(n + 1); // a header, then one row per frame
    expect(lines[0].toLowerCase()).toMatch(/used/);
    const png = await exportOne('png');
    const bytes = readFileSync(png);
    writeFileSync(join(ART, 'e2e-exported-frame.png'), bytes);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.readUInt32BE(16)).toBeGreaterThan(10); // width
    expect(bytes.readUInt32BE(20)).toBeGreaterThan(10); // height
    expect(statSync(png).size).toBeGreaterThan(100);
  }, 60_000);

  it('finds where the heap broke apart before the MemoryError and exports a GIF of it', async () => {
    const failure = await probe(page, (p) => {
      const e = p.events().find((x) => x.kind === 'memoryError');
      return e ? Math.min(p.frames() - 1, Math.max(0, e.snapshot - 1)) : -1;
    });
    expect(failure, 'the recording should hold the MemoryError').toBeGreaterThan(0);
    // One click from anywhere to the heap that broke apart.
    await page.keyboard.press('End');
    await page.click('[data-testid=breakup-chip]');
    await waitFor(page, 'the break-up frame', (p) => p.shownIndex() === p.frame() && p.frame() < p.frames() - 1);
    const broke = await probe(page, (p) => p.frame());
    expect(broke).toBeLessThanOrEqual(failure);
    expect(await page.textContent('[data-testid=breakup-chip]')).toMatch(/Broke apart here/);
    expect(await page.textContent('[data-testid=map-breakup]')).toMatch(/heap broke apart here: .* free, but no piece larger than/);
    expect(await page.locator('[data-testid=timeline] [data-marker=breakup]').count()).toBeGreaterThan(0);
    // The Frame tab names the objects that keep the free space apart.
    await page.click('[data-testid=tab-frame]');
    await page.waitForSelector('[data-testid=blockers]');
    expect(await page.textContent('[data-testid=blockers]')).toMatch(/What keeps the free space apart.*→/s);
    // And answers whether the request that failed would fit here (no), and a small one (yes).
    await page.fill('[data-testid=fit-bytes]', '9600');
    expect(await page.textContent('[data-testid=fit-answer]')).toMatch(/Does not fit: it needs 600 blocks/);
    await page.fill('[data-testid=fit-bytes]', '1000');
    expect(await page.textContent('[data-testid=fit-answer]')).toMatch(/^Fits: .* starts at 0x[0-9a-f]+/);
    await shot(page, 'e2e-09-breakup');
    await page.click('[data-testid=tab-log]');
    // Its GIF: the range from the break-up to the MemoryError is offered by name.
    await page.keyboard.press('Control+e');
    await page.waitForSelector('[data-testid=export-dialog]');
    await page.click('[data-testid=export-gif]');
    await page.click('[data-testid=range-breakup]');
    const label = (await page.textContent('label:has([data-testid=range-breakup])')) ?? '';
    const m = /\((\d+)–(\d+)\)/.exec(label);
    expect(m, label).not.toBeNull();
    const [from, to] = [Number(m![1]) - 1, Number(m![2]) - 1];
    expect(from).toBeLessThanOrEqual(broke);
    expect(to).toBe(failure);
    await page.click('[data-testid=export-go]');
    await page.waitForSelector('[data-testid=export-result]', { timeout: 60_000 });
    const gifPath = (await page.textContent('[data-testid=export-result] .mono'))!.trim();
    await shot(page, 'e2e-10-export-gif');
    await page.keyboard.press('Escape');
    const gif = readGif(readFileSync(gifPath));
    writeFileSync(join(ART, 'e2e-exported-breakup.gif'), readFileSync(gifPath));
    expect(gif.frames).toBe(to - from + 1);
    expect(gif.width).toBeGreaterThan(10);
  }, 90_000);

  it('says in words what is wrong with a damaged or newer file', async () => {
    const magic = Buffer.from([0x89, 0x48, 0x53, 0x53, 0x0d, 0x0a, 0x1a, 0x0a]);
    const header = Buffer.alloc(8);
    header.writeUInt16LE(99, 0); // format 99
    header.writeUInt16LE(99, 2); // needs a reader of format 99
    const newer = join(home, 'from-the-future.hss');
    writeFileSync(newer, Buffer.concat([magic, header, Buffer.alloc(64, 0xff)]));
    const saved = readFileSync(sessionPath);
    const damaged = join(home, 'damaged.hss');
    writeFileSync(damaged, Buffer.concat([saved.subarray(0, 16), Buffer.from(saved.subarray(16, saved.length >> 1).map((b) => b ^ 0x5a))]));
    const cases: Array<[string, RegExp]> = [
      [newer, /newer HeapScope/i],
      [damaged, /damaged|ends before|broken|cannot be read/i],
    ];
    for (const [file, words] of cases) {
      await page.keyboard.press('Control+o');
      await page.fill('[data-testid=open-path]', file);
      await page.click('[data-testid=open-go]');
      await page.waitForSelector('[data-testid=banner]', { timeout: 15_000 });
      const text = (await page.textContent('[data-testid=banner]')) ?? '';
      expect(text).toMatch(words);
      expect(text).not.toMatch(/\bat \S+ \(|\.ts:\d+/); // words, not a stack trace
      await shot(page, `e2e-08-${file.endsWith('damaged.hss') ? 'damaged' : 'newer'}`);
      await page.click('[data-testid=banner] button');
    }
    // The session that was open is still there.
    expect(await probe(page, (p) => p.frames())).toBeGreaterThan(5);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
