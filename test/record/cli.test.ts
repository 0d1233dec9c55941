/**
 * `heapscope ports` and `heapscope record` as a user runs them: a real process, the virtual
 * board on a PTY (or in process with --port virtual), SIGINT and kill -9.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, heapscope } from '../support/cli';
import { makeRig, until, type Rig } from '../board/support/rig';
import { openSession, sleep } from './support';

let rig: Rig | null = null;
let dir = '';
let child: ChildProcess | null = null;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hs-cli-'));
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  await rig?.close();
  rig = null;
  rmSync(dir, { recursive: true, force: true });
});

const STEADY = `import time
n = 0
while True:
    n += 1
    print("tick", n)
    time.sleep_ms(30)
`;

/** Starts `heapscope record …` and collects its stderr. */
function startRecord(args: string[]): { proc: ChildProcess; stderr: () => string; exit: Promise<{ code: number | null; signal: string | null }> } {
  const proc = spawn(process.execPath, [BIN, 'record', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (s: string) => (err += s));
  proc.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  return { proc, stderr: () => err, exit };
}

describe('heapscope ports / record', () => {
  it('lists ports, the virtual board always', () => {
    const r = heapscope(['ports', '--json']);
    expect(r.code).toBe(0);
    const ports = JSON.parse(r.stdout) as { path: string; kind: string }[];
    expect(ports[ports.length - 1]).toMatchObject({ path: 'virtual', kind: 'virtual' });
    expect(heapscope(['ports']).stdout).toMatch(/^virtual +Virtual board/m);
  });

  it('refuses bad usage with exit 2', () => {
    expect(heapscope(['record', '--port', 'virtual', '--run', 'main.py', '--attach', '-o', path.join(dir, 'x.hss')]).code).toBe(2);
    expect(heapscope(['record', '--port', '/dev/null', '--demo', 'leak', '-o', path.join(dir, 'x.hss')]).code).toBe(2);
    expect(heapscope(['record', '--port', 'virtual', '--duration', 'soon', '-o', path.join(dir, 'x.hss')]).code).toBe(2);
    const missing = heapscope(['record', '--port', path.join(dir, 'nope'), '-o', path.join(dir, 'x.hss')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/There is no port/);
  });

  it('records a local script over a PTY for --duration, and stops cleanly on SIGINT', async () => {
    rig = await makeRig();
    const script = path.join(dir, 'steady.py');
    writeFileSync(script, STEADY);
    const out = path.join(dir, 'a.hss');
    const r = startRecord(['--port', rig.port, '--script', script, '--period', '100', '-o', out]);
    await until(() => /Recording/.test(r.stderr()), 20_000, 'the recording to start');
    await sleep(1000);
    r.proc.kill('SIGINT');
    const { code } = await r.exit;
    expect(r.stderr()).toMatch(/Recorded \d+ dumps/);
    expect(code).toBe(0);
    const s = openSession(out);
    expect(s.complete).toBe(true);
    expect(s.snapshots.length).toBeGreaterThanOrEqual(5);
    s.close();
  });

  it('kill -9 mid-recording leaves a session that opens', async () => {
    rig = await makeRig({ files: { 'main.py': Buffer.from(STEADY) } });
    const out = path.join(dir, 'killed.hss');
    const r = startRecord(['--port', rig.port, '--period', '100', '-o', out]);
    await until(() => /Recording/.test(r.stderr()), 20_000, 'the recording to start');
    await sleep(2000);
    r.proc.kill('SIGKILL');
    await r.exit;
    const s = openSession(out);
    expect(s.complete).toBe(false);
    expect(s.snapshots.length).toBeGreaterThanOrEqual(5);
    expect(s.events.some((e) => e.type === 'log' && /^tick \d+$/.test((e as { text: string }).text))).toBe(true);
    s.close();
    // The board was left running the program with its dump timer: the next recording takes it over.
    const again = path.join(dir, 'again.hss');
    const r2 = startRecord(['--port', rig.port, '--period', '100', '--duration', '1s', '-o', again]);
    expect((await r2.exit).code, r2.stderr()).toBe(0);
    const s2 = openSession(again);
    expect(s2.complete).toBe(true);
    expect(s2.snapshots.length).toBeGreaterThanOrEqual(5);
    s2.close();
  });

  it('heapscope record --port virtual --demo fragment --duration 10s ends in its MemoryError', async () => {
    const out = path.join(dir, 's.hss');
    const r = startRecord(['--port', 'virtual', '--demo', 'fragment', '--duration', '10s', '-o', out]);
    const { code } = await r.exit;
    expect(code, r.stderr()).toBe(0);
    expect(r.stderr()).toMatch(/the program ended: MemoryError/);
    const s = openSession(out);
    expect(s.complete).toBe(true);
    expect(s.snapshots.length).toBeGreaterThanOrEqual(5);
    const last = s.events[s.events.length - 1];
    expect(s.events.some((e) => e.type === 'device' && e.kind === 'memoryError')).toBe(true);
    void last;
    s.close();
  }, 40_000);
});
