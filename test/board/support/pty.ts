/**
 * PTY pairs from socat for the board tests, and a way to cut one and bring it back at the
 * same path (as a board that re-enumerates comes back).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PtyPair {
  /** The two ends (symlinks to /dev/pts/N). */
  a: string;
  b: string;
  /** Kills socat: both ends go away (a reader on either sees a disconnect). */
  cut(): Promise<void>;
  /** Starts socat again with the same link names. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export function tempDir(prefix = 'hs-board-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function ptyPair(dir = tempDir()): Promise<PtyPair> {
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  let proc: ChildProcess | null = null;
  const start = async () => {
    proc = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
    await waitFor(() => existsSync(a) && existsSync(b), 5000, 'socat to make its PTYs');
  };
  const stop = async () => {
    const p = proc as ChildProcess | null;
    proc = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    await waitFor(() => !existsSync(a) && !existsSync(b), 2000, 'socat to remove its PTYs').catch(() => {});
  };
  await start();
  return {
    a,
    b,
    cut: stop,
    restore: start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
