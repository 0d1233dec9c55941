/** Helpers for the hostile-input tests: a real `heapscope serve`, raw sockets, fixtures. */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/heapscope.mjs');
export const FIXTURES = path.join(ROOT, 'test/hostile/fixtures');

export interface Served {
  child: ChildProcess;
  port: number;
  token: string;
  stderr(): string;
  stop(): Promise<number | null>;
}

/** Starts `heapscope serve --no-build` and waits for the URL it prints. */
export async function startServe(args: string[], env: Record<string, string>): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--no-build', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const first = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve printed no URL; stderr: ${err}`)), 60_000);
    child.on('exit', (c) => reject(new Error(`serve exited ${c}; stderr: ${err}`)));
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(t);
        resolve(out.slice(0, nl));
      }
    });
  });
  const u = new URL(first);
  return {
    child,
    port: Number(u.port),
    token: u.searchParams.get('token')!,
    stderr: () => err,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Sends raw bytes to 127.0.0.1:port and returns the HTTP status of the answer (0: the server
 * closed the connection without one).
 */
export function rawStatus(port: number, bytes: string | Buffer, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer in ${timeoutMs} ms to ${JSON.stringify(String(bytes).slice(0, 80))}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(t);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      resolve(m ? Number(m[1]) : 0);
    };
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (/^HTTP\/1\.1 \d{3}/.test(got)) {
        s.destroy();
        done();
      }
    });
    s.on('close', done);
    s.on('error', () => undefined);
    s.write(bytes);
  });
}

/** A WebSocket upgrade request for `path`, with extra header lines. */
export function upgradeRequest(port: number, p: string, extra: string[] = []): string {
  return [
    `GET ${p} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...extra,
    '',
    '',
  ].join('\r\n');
}

/**
 * A folder with a small tmpfs mounted at `mnt` for the disk-full tests (mounting needs root);
 * `why` says why not, and the caller's tests skip printing it.
 */
export function smallTmpfs(prefix: string, size: string, what: string): { dir: string; mnt: string; why: string | null; release(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const mnt = path.join(dir, 'small');
  mkdirSync(mnt);
  let why: string | null = null;
  if (process.getuid?.() !== 0) why = 'not running as root: cannot mount a small tmpfs to fill';
  else {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (err) {
      why = `mount -t tmpfs failed (${String((err as Error).message).split('\n')[0]})`;
    }
  }
  if (why) console.log(`skipping the ${what} tests: ${why}`);
  return {
    dir,
    mnt,
    why,
    release() {
      if (!why) spawnSync('umount', [mnt]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Bytes still free on the file system of `p`. */
export function availableBytes(p: string): number {
  return Number(execFileSync('df', ['-B1', '--output=avail', p], { encoding: 'utf8' }).trim().split('\n')[1]);
}

/** Fills the tmpfs at `mnt`, leaving about `free` bytes. */
export function fillLeaving(mnt: string, free: number): void {
  rmSync(path.join(mnt, 'filler'), { force: true });
  writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(Math.max(0, availableBytes(mnt) - free), 0x41));
}
