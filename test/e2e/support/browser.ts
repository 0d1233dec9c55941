/** Chromium through playwright-core, and the `heapscope serve` process, for the e2e tests and the bench. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

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
