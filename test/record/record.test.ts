/**
 * Whole recordings: the virtual board (real MicroPython) over a socat PTY, the real serialport
 * binding, the recorder, the session writer; the sessions read back with the session reader.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawRepl } from '../../src/main/board/repl/rawRepl';
import { recordToSession } from '../../src/main/record/toSession';
import { makeRig, STEADY, until, type Rig } from '../board/support/rig';
import { contentsOf, expectSessionHas, openSession, programOutput, sleep } from './support';

let rig: Rig | null = null;
let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hs-record-'));
});
afterEach(async () => {
  await rig?.close();
  rig = null;
  rmSync(dir, { recursive: true, force: true });
});

const OOM_SCRIPT = `import time
keep = []
for step in range(12):
    keep.append(bytearray(2000))
    print("step", step)
    time.sleep_ms(60)
big = bytearray(10_000_000)
`;

/** After a recording: the board is in the raw REPL, helper not loaded, no timer printing. */
async function expectBoardClean(r: Rig): Promise<void> {
  const repl = new RawRepl(await r.open());
  await repl.takeControl();
  expect((await repl.execOk("import sys\nprint('mem_dump' in sys.modules)")).trim()).toBe('False');
  await sleep(400);
  expect(repl.reader.available).toBe(0);
  repl.dispose();
  await repl.link.close();
}

describe('recording the virtual board over a PTY', () => {
  it('records a program from RAM to its MemoryError, every dump and line in the session', async () => {
    rig = await makeRig();
    const out = path.join(dir, 'oom.hss');
    const phases: string[] = [];
    const h = recordToSession(
      { port: rig.port, run: { kind: 'script', path: 'oom.py', source: Buffer.from(OOM_SCRIPT) }, periodMs: 100, collect: false, sessionPath: out },
      { phase: (p) => phases.push(p) },
    );
    await h.started;
    const { summary, session, counts } = await h.done;
    expect(summary.endedBy).toBe('program-ended');
    expect(summary.programError).toMatch(/MemoryError/);
    expect(summary.helper).toBe('file-written');
    expect(phases).toEqual(expect.arrayContaining(['opening', 'takingControl', 'identifying', 'installingHelper', 'starting', 'recording', 'stopping', 'stopped']));
    expect(session?.snapshots).toBeGreaterThanOrEqual(5);
    const s = openSession(out);
    expect(s.complete).toBe(true);
    expect(s.snapshots.length).toBe(counts.snapshots);
    expect(s.snapshots[0].framing).toBe('helper');
    const logs = s.events.filter((e) => e.type === 'log').map((e) => (e as { text: string }).text);
    for (let i = 0; i < 12; i++) expect(logs).toContain(`step ${i}`);
    expect(s.events.some((e) => e.type === 'device' && e.kind === 'memoryError')).toBe(true);
    // Everything the board printed after the launcher started is in the session.
    expectSessionHas(s, programOutput(rig.proxy.forwardedBytes));
    s.close();
    await expectBoardClean(rig);
  });

  it('stops on request: Ctrl-C, soft reset (timers gone), the session closed', async () => {
    rig = await makeRig({ files: { 'main.py': Buffer.from(STEADY) } });
    const out = path.join(dir, 'stop.hss');
    const h = recordToSession({ port: rig.port, run: { kind: 'main' }, periodMs: 100, collect: true, sessionPath: out });
    await h.started;
    await until(() => h.counts.snapshots >= 4, 10_000, 'four dumps');
    const t0 = Date.now();
    const { summary } = await h.stop();
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(summary.endedBy).toBe('stopped');
    const s = openSession(out);
    expect(s.complete).toBe(true);
    expect(s.snapshots.length).toBeGreaterThanOrEqual(4);
    expect(s.snapshots.every((x) => x.collected === true)).toBe(true);
    const logs = s.events.filter((e) => e.type === 'log').map((e) => (e as { text: string }).text);
    expect(logs).toContain('tick 1');
    s.close();
    await expectBoardClean(rig);
  });

  it('stops by itself after --duration, and skips the helper the second time', async () => {
    rig = await makeRig({ files: { 'main.py': Buffer.from(STEADY) } });
    const first = await recordToSession({ port: rig.port, run: { kind: 'main' }, periodMs: 200, collect: false, durationMs: 1200, sessionPath: path.join(dir, 'a.hss') }).done;
    expect(first.summary.endedBy).toBe('duration');
    expect(first.summary.helper).toBe('file-written');
    expect(first.counts.snapshots).toBeGreaterThanOrEqual(4);
    const second = await recordToSession({ port: rig.port, run: { kind: 'main' }, periodMs: 200, collect: false, durationMs: 600, sessionPath: path.join(dir, 'b.hss') }).done;
    expect(second.summary.helper).toBe('file-skipped');
    expect(second.counts.snapshots).toBeGreaterThanOrEqual(2);
  });

  it('attaches without taking over: records what a self-dumping program prints, leaves it running', async () => {
    const { readHelperSource } = await import('../../src/main/board/install/installHelper');
    rig = await makeRig({
      files: {
        'mem_dump.py': Buffer.from(readHelperSource()),
        'main.py': Buffer.from('import mem_dump\nmem_dump.start_timer(150)\n' + STEADY),
      },
    });
    await sleep(300);
    const out = path.join(dir, 'attach.hss');
    const h = recordToSession({ port: rig.port, run: { kind: 'attach' }, periodMs: 150, collect: false, sessionPath: out });
    await h.started;
    await until(() => h.counts.snapshots >= 3, 10_000, 'three dumps');
    await h.stop();
    const s = openSession(out);
    expect(s.snapshots.length).toBeGreaterThanOrEqual(3);
    s.close();
    // Still running: more ticks arrive after the recording.
    const seen = rig.proxy.fromBoard.length;
    await sleep(300);
    expect(rig.proxy.fromBoard.length).toBeGreaterThan(seen);
  });

  it('runs the helper from RAM when asked (as on a read-only filesystem)', async () => {
    rig = await makeRig();
    const out = path.join(dir, 'ram.hss');
    const { summary, counts } = await recordToSession({
      port: rig.port,
      run: { kind: 'script', path: 'oom.py', source: Buffer.from(OOM_SCRIPT) },
      periodMs: 100,
      collect: false,
      helperFromRam: true,
      sessionPath: out,
    }).done;
    expect(summary.helper).toBe('ram');
    expect(summary.endedBy).toBe('program-ended');
    expect(counts.snapshots).toBeGreaterThanOrEqual(5);
    const have = contentsOf(rig.proxy.forwardedBytes);
    expect(have.logs).toContain('step 11');
  });
});

describe('firmware without micropython.mem_info', () => {
  it('records stats-only frames and says so', async () => {
    // boot.py hides mem_info the way CircuitPython lacks it: `import micropython` gets a copy without it.
    const boot = `import sys, micropython as _m
class _NoMemInfo:
    pass
_x = _NoMemInfo()
for _k in ('schedule', 'const', 'kbd_intr', 'alloc_emergency_exception_buf', 'opt_level', 'heap_lock', 'heap_unlock'):
    if hasattr(_m, _k):
        setattr(_x, _k, getattr(_m, _k))
sys.modules['micropython'] = _x
del _x, _k, _m, _NoMemInfo
`;
    rig = await makeRig({ files: { 'boot.py': Buffer.from(boot), 'main.py': Buffer.from(STEADY) } });
    const notes: string[] = [];
    const out = path.join(dir, 'stats.hss');
    const h = recordToSession({ port: rig.port, run: { kind: 'main' }, periodMs: 100, collect: false, durationMs: 1500, sessionPath: out }, { note: (m) => notes.push(m) });
    const { summary } = await h.done;
    expect(summary.identity?.hasMemInfo).toBe(false);
    expect(notes.join('\n')).toMatch(/no micropython\.mem_info: each dump is the heap.s totals only/);
    const s = openSession(out);
    expect(s.snapshots.length).toBeGreaterThanOrEqual(5);
    expect(s.snapshots.every((x) => x.stats !== null && x.areas.length === 0)).toBe(true);
    s.close();
  });
});

describe('a program that is not there', () => {
  it('fails in words before recording, and leaves no session', async () => {
    rig = await makeRig();
    const out = path.join(dir, 'none.hss');
    const h = recordToSession({ port: rig.port, run: { kind: 'main', file: 'app.py' }, periodMs: 100, collect: false, sessionPath: out });
    await expect(h.started).rejects.toThrow(/There is no app.py on the board/);
    const { summary, session } = await h.done;
    expect(summary.endedBy).toBe('failed');
    expect(session).toBeNull();
  });
});
