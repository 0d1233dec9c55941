/**
 * The raw-REPL protocol against the virtual board (real MicroPython) over a socat PTY, opened
 * with the real serialport binding.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawRepl } from '../../src/main/board/repl/rawRepl';
import { identifyBoard } from '../../src/main/board/repl/identify';
import { BoardError, BoardExecError } from '../../src/main/board/serial/errors';
import { makeRig, type Rig } from './support/rig';

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

const STEADY_MAIN = Buffer.from('import time\nn = 0\nwhile True:\n    n += 1\n    print("tick", n)\n    time.sleep_ms(20)\n');

describe('raw REPL over a PTY', () => {
  it('takes control of a board busy printing, execs with stdout and stderr apart, uses raw-paste', async () => {
    rig = await makeRig({ files: { 'main.py': STEADY_MAIN } });
    const repl = new RawRepl(await rig.open());
    await new Promise((r) => setTimeout(r, 600)); // main.py is printing
    await repl.takeControl();
    expect(repl.inRawRepl).toBe(true);
    const r = await repl.exec('import sys\nprint("out", 6*7)\nprint("é→🌍")\nprint("err", file=sys.stderr)\n1/0');
    expect(r.stdoutText).toBe('out 42\r\né→🌍\r\nerr\r\n');
    expect(r.stderrText).toMatch(/ZeroDivisionError/);
    expect(repl.rawPasteSupported).toBe(true);
    await expect(repl.execOk('raise ValueError("nope")')).rejects.toBeInstanceOf(BoardExecError);
    // A long program goes through the window flow control.
    const big = Array.from({ length: 2000 }, (_, i) => `v${i} = ${i}`).join('\n') + '\nprint(v1999 + v1)\n';
    expect(big.length).toBeGreaterThan(20_000);
    expect((await repl.execOk(big)).trim()).toBe('2000');
    // A syntax error: the board stops reading early and reports it.
    const bad = await repl.exec('x = (\n' + 'y = 1\n'.repeat(200));
    expect(bad.stderrText).toMatch(/SyntaxError/);
    expect((await repl.execOk('print(1)')).trim()).toBe('1');
  });

  it('survives writes split at every byte, both ways', async () => {
    rig = await makeRig({ files: { 'main.py': STEADY_MAIN } });
    rig.proxy.settings.split = true;
    const repl = new RawRepl(await rig.open());
    await repl.takeControl();
    const r = await repl.exec('print("a" * 300)\nprint("ü" * 10)');
    expect(r.stdoutText).toBe('a'.repeat(300) + '\r\n' + 'ü'.repeat(10) + '\r\n');
    const id = await identifyBoard(repl);
    expect(id.impl).toBe('micropython');
  });

  it('falls back to plain raw mode: R\\x00, and old firmware that knows no raw-paste', async () => {
    rig = await makeRig();
    // A board that understands raw-paste but does not support it answers R\x00 and a prompt.
    rig.proxy.hostFilter = (b, reply) => {
      const i = b.indexOf('\x05A\x01');
      if (i < 0) return b;
      reply(Buffer.from('R\x00>'));
      return Buffer.concat([b.subarray(0, i), b.subarray(i + 3)]);
    };
    let repl = new RawRepl(await rig.open());
    await repl.takeControl();
    const code = 'print(sum(range(100)))\n' + '# padding\n'.repeat(100);
    expect((await repl.execOk(code)).trim()).toBe('4950');
    expect(repl.rawPasteSupported).toBe(false);
    expect((await repl.execOk('print(2)')).trim()).toBe('2');
    repl.dispose();
    await repl.link.close();

    // Old firmware: \x05A stays on the line, \x01 resets the raw REPL and reprints the banner.
    rig.proxy.hostFilter = (b) => {
      const i = b.indexOf('\x05A\x01');
      return i < 0 ? b : Buffer.concat([b.subarray(0, i), Buffer.from('\x01'), b.subarray(i + 3)]);
    };
    repl = new RawRepl(await rig.open());
    await repl.takeControl();
    expect((await repl.execOk(code)).trim()).toBe('4950');
    expect(repl.rawPasteSupported).toBe(false);
  });

  it('soft-resets in raw mode (clean state, boot.py runs, main.py does not) and identifies the board', async () => {
    rig = await makeRig({ files: { 'boot.py': Buffer.from('print("booting")\n'), 'main.py': Buffer.from('print("MAIN RAN")\n') } });
    const repl = new RawRepl(await rig.open());
    await repl.takeControl();
    await repl.execOk('leftover = 1');
    const out = Buffer.from(await repl.softReset()).toString();
    expect(out).toMatch(/booting/);
    expect(out).not.toMatch(/MAIN RAN/);
    expect((await repl.execOk("print('leftover' in globals())")).trim()).toBe('False');
    const id = await identifyBoard(repl);
    expect(id).toMatchObject({ impl: 'micropython', hasMemInfo: true, hasTimer: true, hasSchedule: true, hasSha256: true, readOnlyFs: false });
    expect(id.version).toMatch(/^1\.\d+\.\d+$/);
    expect(id.heapBytes).toBeGreaterThan(100_000);
  });

  it('puts a deadline on every read, and one transaction at a time', async () => {
    rig = await makeRig();
    const repl = new RawRepl(await rig.open(), { silenceMs: 400 });
    await repl.takeControl();
    const t0 = Date.now();
    const err = await repl.exec('import time\ntime.sleep(5)').catch((e) => e);
    expect(err).toBeInstanceOf(BoardError);
    expect((err as BoardError).kind).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(2000);
    // The board is still sleeping: take control again and carry on.
    await repl.takeControl();
    // Two callers at once: their transactions do not interleave.
    const [a, b] = await Promise.all([repl.execOk('print("A" * 2000)'), repl.execOk('print("B" * 2000)')]);
    expect(a.trim()).toBe('A'.repeat(2000));
    expect(b.trim()).toBe('B'.repeat(2000));
  });

  it('fails with advice when nothing answers, within its deadline', async () => {
    rig = await makeRig();
    rig.proxy.settings.hold = true; // the board's output never reaches the host
    const repl = new RawRepl(await rig.open());
    const t0 = Date.now();
    const err = await repl.takeControl({ totalMs: 1500 }).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(err).toBeInstanceOf(BoardError);
    expect((err as BoardError).kind).toBe('no-answer');
    expect((err as Error).message).toMatch(/reset/);
    expect((err as Error).message).toMatch(/kbd_intr/);
  });

  it('reports a link that goes away during a read', async () => {
    rig = await makeRig();
    const repl = new RawRepl(await rig.open());
    await repl.takeControl();
    const pending = repl.exec('import time\ntime.sleep(3)\nprint(1)');
    await new Promise((r) => setTimeout(r, 300));
    await rig.pair.cut();
    const err = await pending.catch((e) => e);
    expect(err).toBeInstanceOf(BoardError);
    expect((err as BoardError).kind).toBe('disconnected');
  });
});
