/**
 * The browser window (`heapscope serve`) opens files by content: a browser hands over a
 * dropped or picked file's bytes, never its path. A real drop (a DataTransfer with a File, as
 * Chromium builds it) and a pick through the Open dialog's file input each open a real corpus
 * dump; the bridge's upload endpoint refuses what it must (no token, foreign origin, no upload
 * header, too large, a body shorter than it said) and never replaces a file. An export made in
 * the window is delivered as a download too, and nothing but an export can be downloaded.
 *
 * Needs Chromium (/usr/bin/chromium or $CHROMIUM); skipped without it. Screenshots go to
 * test-artifacts/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { openPage, ROOT, startWindow, type Served, type TestWindow } from './support/browser';
import { probe, waitFor } from './support/probe';
import { MAX_UPLOAD_BYTES, UPLOAD_HEADER } from '../../src/shared/upload';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ART = join(ROOT, 'test-artifacts');
const FIXTURES = join(__dirname, 'fixtures');
const NEARLY_FULL = '024-rp2-v1.23plus-picow-heap-nearly-full.txt';
const SPLIT_HEAP = '025-esp32-v1.21plus-split-heap-two-areas.txt';

/** A raw HTTP request to the bridge (Node's fetch would add its own headers). */
function post(url: URL, headers: Record<string, string>, body: Buffer, declared = body.length): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Length': String(declared), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    if (declared === body.length) req.end(body);
    else {
      // Say more than is sent, then hang up.
      req.write(body);
      setTimeout(() => req.destroy(), 200);
    }
  });
}

describe.skipIf(!existsSync(CHROMIUM))('opening files by content in the browser window', () => {
  let win: TestWindow | undefined;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let home: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ART, { recursive: true });
    win = await startWindow('heapscope-upload-');
    ({ home, served, browser } = win);
    page = await openPage(win, 1280, 800, pageErrors);
    await page.waitForSelector('[data-testid=open]');
  }, 240_000);

  afterAll(async () => {
    await win?.stop();
  });

  const uploads = () => (existsSync(join(home, 'uploads')) ? readdirSync(join(home, 'uploads')) : []);

  it('a dropped file opens by its content', async () => {
    const text = readFileSync(join(FIXTURES, NEARLY_FULL), 'utf8');
    // A drop as Chromium delivers it: dragenter, dragover, drop, with the file in a DataTransfer.
    await page.evaluate(
      ([name, content]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([content], name, { type: 'text/plain' }));
        for (const type of ['dragenter', 'dragover', 'drop']) {
          window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
        }
      },
      [NEARLY_FULL, text],
    );
    await waitFor(page, 'the dropped capture to open', (p) => p.frames() === 1 && p.shownIndex() === 0, 60_000);
    await page.waitForSelector(`text=${NEARLY_FULL}`);
    const status = await page.textContent('body');
    expect(status).toContain('imported from');
    await page.screenshot({ path: join(ART, 'open-by-drop.png') });
    // HeapScope kept the bytes, exactly, in its uploads folder.
    const kept = uploads().filter((f) => f.endsWith(NEARLY_FULL));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(home, 'uploads', kept[0]), 'utf8')).toBe(text);
  });

  it('a file picked in the Open dialog opens by its content; the same file twice keeps both copies', async () => {
    for (let i = 0; i < 2; i++) {
      await page.click('[data-testid=open]');
      await page.waitForSelector('[data-testid=open-pick]');
      await page.setInputFiles('[data-testid=open-pick]', join(FIXTURES, SPLIT_HEAP));
      await page.waitForSelector('[data-testid=open-dialog]', { state: 'detached' });
      await page.waitForSelector(`text=${SPLIT_HEAP}`, { timeout: 60_000 });
      await waitFor(page, 'the picked capture to show', (p) => p.frames() >= 1 && p.shownIndex() !== null, 60_000);
    }
    await page.screenshot({ path: join(ART, 'open-by-pick.png') });
    expect(uploads().filter((f) => f.endsWith(SPLIT_HEAP))).toHaveLength(2);
    expect(pageErrors).toEqual([]);
  });

  it('an export in the browser window arrives as a download too; nothing else is downloadable', async () => {
    await page.click('[data-testid=export]');
    await page.waitForSelector('[data-testid=export-dialog]');
    await page.click('[data-testid=export-csv]');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('[data-testid=export-go]')]);
    await page.waitForSelector('[data-testid=export-result]', { timeout: 30_000 });
    const written = (await page.textContent('[data-testid=export-result] .mono'))!.trim();
    expect(download.suggestedFilename()).toBe(written.split('/').pop());
    const got = readFileSync((await download.path())!, 'utf8');
    expect(got).toBe(readFileSync(written, 'utf8'));
    expect(got.trim().split(/\r?\n/)).toHaveLength(2); // a header and the one frame
    await page.screenshot({ path: join(ART, 'export-download.png') });
    // The link offers it again; any other path is refused, even one that exists.
    const again = await page.getAttribute('[data-testid=export-download]', 'href');
    expect(again).toContain(encodeURIComponent(written));
    await page.keyboard.press('Escape');
    const token = new URL(served.url).searchParams.get('token')!;
    const status = (p: string, t = token) => page.evaluate(async (u) => (await fetch(u)).status, `./download?token=${t}&path=${encodeURIComponent(p)}`);
    expect(await status(written)).toBe(200);
    expect(await status('/etc/passwd')).toBe(404);
    expect(await status(join(home, 'recent.json'))).toBe(404);
    expect(await status(written, 'wrong')).toBe(401);
  });

  it('the upload endpoint refuses what it must, and keeps nothing it refused', async () => {
    const base = new URL(served.url);
    const token = base.searchParams.get('token')!;
    const at = (q: string) => new URL(`/upload?${q}`, base);
    const body = Buffer.from('GC: total: 1\n');
    const before = uploads().length;
    // No token, a foreign origin, no upload header.
    expect((await post(at('name=a.txt'), { [UPLOAD_HEADER]: '1' }, body)).status).toBe(401);
    expect((await post(at(`token=${token}&name=a.txt`), { [UPLOAD_HEADER]: '1', Origin: 'http://evil.example' }, body)).status).toBe(403);
    expect((await post(at(`token=${token}&name=a.txt`), {}, body)).status).toBe(403);
    // Too large, said up front: refused before a byte is stored.
    const big = await post(at(`token=${token}&name=big.txt`), { [UPLOAD_HEADER]: '1' }, Buffer.alloc(0), MAX_UPLOAD_BYTES + 1);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).error.message).toMatch(/accepts files up to/);
    // A body that ends short of its length: the partial file is removed.
    await post(at(`token=${token}&name=short.txt`), { [UPLOAD_HEADER]: '1' }, body, body.length + 1000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    expect(uploads().length).toBe(before);
    // A good one, with a name that tries to leave the folder: kept inside it.
    const ok = await post(at(`token=${token}&name=${encodeURIComponent('../../etc/passwd')}`), { [UPLOAD_HEADER]: '1' }, body);
    expect(ok.status).toBe(200);
    const path = JSON.parse(ok.body).path as string;
    expect(path.startsWith(join(home, 'uploads') + '/')).toBe(true);
    expect(path.endsWith('-passwd')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(body.toString());
    expect(await probe(page, (p) => p.frames())).toBeGreaterThan(0);
  });
});
