/**
 * Real firmware for the tests, from ../shared/boards (see its README): MicroPython's QEMU port
 * on qemu-system-arm, and the Raspberry Pi Pico (MicroPython or CircuitPython) on rp2040js.
 * Each board is a serial port (a PTY) that the code under test opens with the real serialport
 * binding. Emulators busy-wait a core: every board started here is killed by its pid when the
 * test ends, and at the latest when this process exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSerialLink } from '../../../src/main/board/serial/serialLink';

/** ../shared/boards beside the project's root. */
export const BOARDS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/boards');

export type BoardKind = 'qemu' | 'qemu-asyncio' | 'pico' | 'circuitpython';

const FILES: Record<BoardKind, string> = {
  qemu: 'qemu/qemu-mps2-an385.elf',
  'qemu-asyncio': 'qemu/qemu-mps2-an385-asyncio.elf',
  pico: 'pico/micropython-rpi-pico.uf2',
  circuitpython: 'pico/circuitpython-rpi-pico.uf2',
};

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why this board cannot run here, or null when it can. */
export function boardMissing(kind: BoardKind): string | null {
  const file = path.join(BOARDS_DIR, FILES[kind]);
  if (!existsSync(file)) return `${file} is not there (a fresh clone has no ../shared/boards)`;
  if (kind.startsWith('qemu') && !hasCommand('qemu-system-arm')) return 'qemu-system-arm is not installed (apt-get install qemu-system-arm)';
  if (!kind.startsWith('qemu') && !existsSync(path.join(BOARDS_DIR, 'pico/run-pico.mjs'))) return 'the Pico runner pico/run-pico.mjs is not there';
  if (!kind.startsWith('qemu') && !hasCommand('socat')) return 'socat is not installed (the Pico runner needs it)';
  return null;
}

/** For describe.skipIf: says why the tests are skipped, on the test output. */
export function skipUnless(...kinds: BoardKind[]): boolean {
  for (const k of kinds) {
    const why = boardMissing(k);
    if (why) {
      console.warn(`[skip] tests on the ${k} board: ${why}`);
      return true;
    }
  }
  return false;
}

export interface RunningBoard {
  kind: BoardKind;
  /** The serial port to open. */
  port: string;
  pid: number;
  /** Kills the emulator (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
}

const alive = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of alive) if (p.exitCode === null && p.pid) process.kill(p.pid, 'SIGKILL');
});

async function kill(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) {
    alive.delete(p);
    return;
  }
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const hard = setTimeout(() => p.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(hard);
  alive.delete(p);
}

/** Waits for `re` in the process's stdout or stderr; fails with what it printed. */
function waitForOutput(p: ChildProcess, re: RegExp, ms: number, what: string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err: Error | null, m?: RegExpMatchArray) => {
      clearTimeout(timer);
      p.stdout?.off('data', onData);
      p.stderr?.off('data', onData);
      p.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    };
    const onData = (b: Buffer) => {
      text += b.toString();
      const m = re.exec(text);
      if (m) done(null, m);
    };
    const onExit = (code: number | null) => done(new Error(`${what}: the emulator exited (${code}) before it was ready:\n${text}`));
    const timer = setTimeout(() => done(new Error(`${what}: not ready after ${ms} ms:\n${text}`)), ms);
    p.stdout?.on('data', onData);
    p.stderr?.on('data', onData);
    p.once('exit', onExit);
  });
}

/** The friendly prompt answers: the REPL is up. */
async function waitForRepl(port: string, ms: number): Promise<void> {
  const link = await openSerialLink(port);
  try {
    let got = '';
    link.onData((c) => (got += Buffer.from(c).toString('latin1')));
    const until = Date.now() + ms;
    while (!got.includes('>>> ')) {
      if (Date.now() > until) throw new Error(`no REPL prompt on ${port} after ${ms} ms (got ${JSON.stringify(got.slice(-200))})`);
      await link.write('\r');
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await link.close();
  }
}

export async function startBoard(kind: BoardKind, opts: { timeoutMs?: number } = {}): Promise<RunningBoard> {
  const why = boardMissing(kind);
  if (why) throw new Error(`cannot start the ${kind} board: ${why}`);
  const file = path.join(BOARDS_DIR, FILES[kind]);
  const timeoutMs = opts.timeoutMs ?? 90_000;
  let proc: ChildProcess;
  let port: string;
  let dir: string | null = null;
  if (kind === 'qemu' || kind === 'qemu-asyncio') {
    proc = spawn('qemu-system-arm', ['-machine', 'mps2-an385', '-nographic', '-monitor', 'null', '-semihosting', '-serial', 'pty', '-kernel', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    alive.add(proc);
    try {
      // Printed on stderr or stdout depending on the QEMU version.
      port = (await waitForOutput(proc, /char device redirected to (\/dev\/pts\/\d+)/, timeoutMs, 'qemu-system-arm'))[1];
      await waitForRepl(port, timeoutMs);
    } catch (err) {
      await kill(proc);
      throw err;
    }
  } else {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hs-pico-'));
    port = path.join(dir, 'tty');
    proc = spawn(process.execPath, [path.join(BOARDS_DIR, 'pico/run-pico.mjs'), '--link', port, '--image', file, '--quiet', '--exit-with-parent'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    alive.add(proc);
    try {
      await waitForOutput(proc, /REPL ready on /, timeoutMs, 'run-pico.mjs');
    } catch (err) {
      await kill(proc);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }
  const p = proc;
  return {
    kind,
    port,
    pid: p.pid!,
    stop: async () => {
      await kill(p);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
