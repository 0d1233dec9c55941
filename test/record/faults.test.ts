/**
 * Fault injection between the virtual board and the PTY: noise, dropped and duplicated bytes,
 * writes split at every byte, the link cut mid-dump and restored, the board soft- and
 * hard-resetting mid-recording. No crash, no hang past a deadline, and every complete dump and
 * log line from before the fault is in the session.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordToSession } from '../../src/main/record/toSession';
import { makeRig, STEADY, until, type Rig } from '../board/support/rig';
import { contentsOf, expectSessionHas, openSession, programOutput, sleep } from './support';

let rig: Rig | null = null;
let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hs-faults-'));
});
afterEach(async () => {
  await rig?.close();
  rig = null;
  rmSync(dir, { recursive: true, force: true });
});

describe('recording through faults', () => {
  it('noise, drops, duplicates and split writes: no crash, a clean stop, nothing before the fault lost', async () => {
    rig = await makeRig({ files: { 'main.py': Buffer.from(STEADY) }, seed: 7 });
    const out = path.join(dir, 'noise.hss');
    const h = recordToSession({ port: rig.port, run: { kind: 'main' }, periodMs: 100, collect: false, sessionPath: out });
    await h.started;
    await until(() => h.counts.snapshots >= 3, 10_000, 'three dumps');
    await sleep(100);
    const before = rig.proxy.forwardedBytes.length;
    rig.proxy.settings = { split: true, noise: 0.002, drop: 0.002, dup: 0.002 };
    await sleep(1500);
    rig.proxy.settings = {};
    const t0 = Date.now();
    const { summary } = await h.stop();
    // Bounded by the protocol's deadlines, not hung; generous for a loaded machine (9.3 s seen at load 12).
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(summary.endedBy).toBe('stopped');
    const s = openSession(out);
    expect(s.complete).toBe(true);
    const want = expectSessionHas(s, programOutput(rig.proxy.forwardedBytes, before));
    expect(want.seqs.length).toBeGreaterThanOrEqual(3);
    // Dumps kept coming through the noise (some damaged, most whole).
    expect(s.snapshots.length).toBeGreaterThan(want.seqs.length + 3);
    s.close();
  });

  it('the link cut mid-dump and restored: a gap, then recording resumes', async () => {
    rig = await makeRig({ files: { 'main.py': Buffer.from(STEADY) } });
    const out = path.join(dir, 'cut.hss');
    const notes: string[] = [];
    const h = recordToSession(
      { port: rig.port, run: { kind: 'main' }, periodMs: 150, collect: false, sessionPath: out, reconnectEveryMs: 200 },
      { note: (m) => notes.push(m) },
    );
    await h.started;
    await until(() => h.counts.snapshots >= 2, 10_000, 'two dumps');
    // The rest of the next dump is lost, 300 bytes after its begin marker.
    rig.proxy.resetHoldScan();
    rig.proxy.settings.holdAfter = { marker: '@@HS:B', after: 300 };
    await until(() => rig!.proxy.settings.hold === true, 10_000, 'the board in the middle of a dump');
    await sleep(200); // what was sent before has arrived
    const before = rig.proxy.forwardedBytes.length;
    const snapsBefore = h.counts.snapshots;
    await rig.proxy.close();
    await rig.pair.cut();
    await sleep(800);
    await rig.pair.restore();
    await rig.proxy.open();
    rig.proxy.settings.hold = false;
    await until(() => h.counts.snapshots >= snapsBefore + 3, 15_000, 'dumps after the link came back');
    const { summary } = await h.stop();
    expect(summary.gaps).toBe(1);
    expect(summary.relaunches).toBe(0); // the program kept running: only the link went away
    const s = openSession(out);
    expect(s.complete).toBe(true);
    const gap = s.events.find((e) => e.type === 'gap');
    expect(gap).toBeDefined();
    expect((gap as { hostMsEnd: number | null }).hostMsEnd).not.toBeNull();
    expectSessionHas(s, programOutput(rig.proxy.forwardedBytes, before));
    expect(s.snapshots.length).toBeGreaterThanOrEqual(snapsBefore + 3);
    s.close();
  });

  it('the board hard-resets mid-recording: the program is started again', async () => {
    rig = await makeRig();
    const out = path.join(dir, 'hard.hss');
    const h = recordToSession({ port: rig.port, run: { kind: 'script', path: 'steady.py', source: Buffer.from(STEADY) }, periodMs: 100, collect: false, sessionPath: out });
    await h.started;
    await until(() => h.counts.snapshots >= 3, 10_000, 'three dumps');
    await sleep(50);
    const before = rig.proxy.forwardedBytes.length;
    const snapsBefore = h.counts.snapshots;
    await rig.board.hardReset('test');
    await until(() => h.counts.snapshots >= snapsBefore + 3, 15_000, 'dumps after the reset');
    const { summary } = await h.stop();
    expect(summary.relaunches).toBe(1);
    const s = openSession(out);
    expectSessionHas(s, programOutput(rig.proxy.forwardedBytes, before));
    // The helper started twice: two hellos, sequence numbers from 0 again.
    const hellos = contentsOf(rig.proxy.forwardedBytes);
    expect(hellos.seqs.filter((q) => q === 0).length).toBe(2);
    s.close();
  });

  it('the board soft-resets mid-recording (the program exits): started again once, then recorded to the end', async () => {
    rig = await makeRig();
    const script = `import os, sys, time
first = 'again' not in os.listdir()
if first:
    open('again', 'w').close()
for i in range(15):
    print("run", "first" if first else "second", i)
    time.sleep_ms(40)
if first:
    sys.exit()
`;
    const out = path.join(dir, 'soft.hss');
    const { summary } = await recordToSession({ port: rig.port, run: { kind: 'script', path: 's.py', source: Buffer.from(script) }, periodMs: 100, collect: false, sessionPath: out }).done;
    expect(summary.endedBy).toBe('program-ended');
    expect(summary.relaunches).toBe(1);
    const s = openSession(out);
    const logs = s.events.filter((e) => e.type === 'log').map((e) => (e as { text: string }).text);
    expect(logs).toContain('run first 14');
    expect(logs).toContain('run second 14');
    expect(s.events.some((e) => e.type === 'device' && e.kind === 'softReboot')).toBe(true);
    s.close();
  });
});

describe('a board that ignores Ctrl-C', () => {
  it('stop still ends within its deadlines, with the session closed and a word about it', async () => {
    rig = await makeRig({ files: { 'main.py': Buffer.from(STEADY) } });
    const out = path.join(dir, 'deaf.hss');
    const notes: string[] = [];
    const h = recordToSession({ port: rig.port, run: { kind: 'main' }, periodMs: 100, collect: false, sessionPath: out, stopWaitMs: 400 }, { note: (m) => notes.push(m) });
    await h.started;
    await until(() => h.counts.snapshots >= 3, 10_000, 'three dumps');
    // From now on the board never sees a Ctrl-C (as after micropython.kbd_intr(-1)).
    rig.proxy.hostFilter = (b) => Buffer.from([...b].filter((x) => x !== 3));
    const t0 = Date.now();
    const { summary } = await h.stop();
    expect(Date.now() - t0).toBeLessThan(9000);
    expect(summary.endedBy).toBe('stopped');
    expect(notes.join('\n')).toMatch(/did not stop on Ctrl-C/);
    const s = openSession(out);
    expect(s.complete).toBe(true);
    expect(s.snapshots.length).toBeGreaterThanOrEqual(3);
    s.close();
  });
});
