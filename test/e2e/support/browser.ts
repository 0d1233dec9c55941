/** Chromium through playwright-core, and the `heapscope serve` process, for the e2e tests and the bench. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

export interface Served {
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts `heapscope serve` and resolves with the URL it prints first. */
export async function serve(args: string[] = [], env: Record<string, string> = {}): Promise<Served> {
  const proc = spawn(process.execPath, [`${ROOT}bin/heapscope.mjs`, 'serve', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += String(d)));
  // Never leave a server behind, whatever ends this process.
  const reap = () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  };
  process.once('exit', reap);
  proc.once('exit', () => process.removeListener('exit', reap));
  const rl = createInterface({ input: proc.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve printed no URL in 30 s; stderr: ${err}`)), 30000);
    rl.on('line', (line) => {
      const m = /https?:\/\/\S+/.exec(line);
      if (m) {
        clearTimeout(t);
        resolve(m[0]);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`serve exited (${code}) before printing a URL; stderr: ${err}`));
    });
  });
  return {
    url,
    proc,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.exitCode === null && proc.kill('SIGKILL'), 5000);
      }),
  };
}

export function rendererBuilt(): boolean {
  return existsSync(`${ROOT}out/renderer/index.html`);
}

/** What every window test starts from: a HeapScope home folder, `heapscope serve` over it, Chromium. */
export interface TestWindow {
  home: string;
  served: Served;
  browser: Browser;
  /** Closes the browser, stops the server and removes the home folder. */
  stop(): Promise<void>;
}

/**
 * Starts a window on a new home folder (named from `prefix`); `prepare` may put files there
 * first and returns `serve`'s arguments (`--session FILE`).
 */
export async function startWindow(prefix: string, prepare: (home: string) => string[] | Promise<string[]> = () => []): Promise<TestWindow> {
  const home = mkdtempSync(join(tmpdir(), prefix));
  let served: Served | null = null;
  try {
    served = await serve(await prepare(home), { HEAPSCOPE_HOME: home });
    const browser = await launchChromium();
    const s = served;
    return {
      home,
      served: s,
      browser,
      async stop() {
        await browser.close();
        await s.stop();
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await served?.stop();
    rmSync(home, { recursive: true, force: true });
    throw e;
  }
}

/** A light page of the window at this size, its uncaught errors collected, the app loaded. */
export async function openPage(w: TestWindow, width: number, height: number, errors: string[]): Promise<Page> {
  const page = await w.browser.newPage({ viewport: { width, height }, colorScheme: 'light' });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(w.served.url);
  return page;
}
