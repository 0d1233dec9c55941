/**
 * The virtual board in process: real MicroPython (WebAssembly) in a worker, driven with the
 * bytes a host sends over a board's serial console.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualBoard } from '../../src/main/board/virtual/virtualBoard';
import { MpremoteHost, sleep, ExecError, readExecEnd } from './host';

function attach(board: VirtualBoard): MpremoteHost {
  return new MpremoteHost({ write: (b) => board.write(b), onData: (l) => board.on('data', l) });
}

const BANNER = /^MicroPython v1\.27\.0 on 2025-12-10; HeapScope virtual board \(WebAssembly\) with 192 KB heap\r\nType "help\(\)" for more information\.\r\n>>> $/;

describe('virtual board: friendly REPL', () => {
  let board: VirtualBoard;
  let host: MpremoteHost;
  beforeAll(async () => {
    board = new VirtualBoard();
    host = attach(board);
    await board.ready;
  });
  afterAll(() => board.close());

  it('prints a banner that says it is virtual, then the prompt', async () => {
    const banner = await host.reader.readUntil('>>> ');
    expect(banner.toString('latin1')).toMatch(BANNER);
  });

  it('echoes, runs a line on Enter and prints expression values', async () => {
    host.write('1+2\r');
    expect((await host.reader.readUntil('>>> ')).toString('latin1')).toBe('1+2\r\n3\r\n>>> ');
    host.write('print("a\\nb")\r');
    expect((await host.reader.readUntil('>>> ')).toString('latin1')).toBe('print("a\\nb")\r\na\r\nb\r\n>>> ');
  });

  it('continues compound statements and prints tracebacks to the console', async () => {
    host.write('for i in range(2):\r');
    expect((await host.reader.readUntil('...     ')).toString('latin1')).toBe('for i in range(2):\r\n...     ');
    // Auto-indent offers "    " again: Backspace removes it, Enter on the empty line runs.
    host.write('print(i)\r\x08\r');
    expect((await host.reader.readUntil('>>> ')).toString('latin1')).toBe('print(i)\r\n...     \b\b\b\b\x1b[K\r\n0\r\n1\r\n>>> ');
    host.write('1/0\r');
    expect((await host.reader.readUntil('>>> ')).toString('latin1')).toBe(
      '1/0\r\nTraceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nZeroDivisionError: divide by zero\r\n>>> ',
    );
  });

  it('Ctrl-C at the prompt gives a new prompt; Ctrl-B reprints the banner', async () => {
    host.write('\x03');
    expect((await host.reader.readUntil('>>> ')).toString('latin1')).toBe('\r\n>>> ');
    host.write('\x02');
    const b = (await host.reader.readUntil('>>> ')).toString('latin1');
    expect(b.startsWith('\r\n')).toBe(true);
    expect(b.slice(2)).toMatch(BANNER);
  });

  it('a Ctrl-C sent the instant a prompt arrives is a Ctrl-C at the prompt', async () => {
    for (let i = 0; i < 20; i++) {
      let armed = true;
      const onData = (b: Uint8Array) => {
        // React inside the data event, before the board's thread can do anything else.
        if (armed && Buffer.from(b).toString('latin1').endsWith('>>> ')) {
          armed = false;
          board.write('\x03');
        }
      };
      board.on('data', onData);
      host.write(`${i}*2\r`);
      await host.reader.readUntil(`${i * 2}\r\n>>> `);
      expect((await host.reader.readUntil('>>> ')).toString('latin1')).toBe('\r\n>>> ');
      board.off('data', onData);
    }
    host.write('1+1\r');
    expect((await host.reader.readUntil('>>> ')).toString('latin1')).toBe('1+1\r\n2\r\n>>> ');
  });

  it('Ctrl-A enters the raw REPL, Ctrl-B leaves it', async () => {
    host.write('\r\x01');
    expect((await host.reader.readUntil('raw REPL; CTRL-B to exit\r\n>')).toString('latin1')).toBe(
      '\r\n>>> \r\nraw REPL; CTRL-B to exit\r\n>',
    );
    host.write('\x02');
    const b = (await host.reader.readUntil('>>> ')).toString('latin1');
    expect(b.slice(2)).toMatch(BANNER);
    host.write('x = 5\rx\r');
    expect((await host.reader.readUntil('\r\n5\r\n>>> ')).toString('latin1')).toBe('x = 5\r\n>>> x\r\n5\r\n>>> ');
  });
});

describe('virtual board: raw REPL', () => {
  let board: VirtualBoard;
  let host: MpremoteHost;
  beforeAll(async () => {
    board = new VirtualBoard({ files: { 'main.py': Buffer.from('print("main.py ran")\n') } });
    host = attach(board);
    await board.ready;
    await host.enterRawRepl(true);
  });
  afterAll(() => board.close());

  it('separates stdout and the traceback with the exec framing', async () => {
    host.useRawPaste = false;
    await host.reader.readUntil('>');
    host.write('print("out")\nimport sys\nprint("err?", file=sys.stderr)\nx = [][1]\x04');
    const all = await readExecEnd(host);
    expect(all).toBe(
      'OKout\r\nerr?\r\n\x04Traceback (most recent call last):\r\n  File "<stdin>", line 4, in <module>\r\nIndexError: list index out of range\r\n\x04>',
    );
    host.useRawPaste = true;
  });

  it('keeps globals between execs and does not echo expression values', async () => {
    await host.exec('a = 40');
    expect(await host.exec('a + 2')).toBe('');
    expect(await host.exec('print(a + 2)')).toBe('42\r\n');
  });

  it('Ctrl-C while typing a line clears it; Ctrl-A reprints the raw banner', async () => {
    await host.reader.readUntil('>');
    host.write('print("never")\x03print("yes")\x04');
    expect(await readExecEnd(host)).toBe('OKyes\r\n\x04\x04>');
    await host.reader.readUntil('>');
    host.write('junk\x01');
    expect((await host.reader.readUntil('raw REPL; CTRL-B to exit\r\n>')).toString('latin1')).toBe('raw REPL; CTRL-B to exit\r\n>');
    host.reader.unread('>');
  });

  it('ends output without a newline before the framing', async () => {
    for (const text of ['G', 'GC:', '  Fi', 'x']) {
      await host.execRawNoFollow(`print('${text}', end='')`);
      expect(await readExecEnd(host)).toBe(`${text}\x04\x04>`);
    }
  });

  it('reports a SyntaxError as a board does', async () => {
    await expect(host.exec('def f(:\n  pass')).rejects.toThrow(/File "<stdin>", line 1\r\nSyntaxError: invalid syntax/);
  });

  it('answers an unknown raw-paste command with R\\x00', async () => {
    await host.reader.readUntil('>');
    host.write('\x05B\x01');
    expect((await host.reader.read(3)).toString('latin1')).toBe('R\x00>');
    host.write('\x03'); // nothing to clear; stay at the prompt
    host.write(Buffer.from('print(1)\x04'));
    expect(await readExecEnd(host)).toBe('OK1\r\n\x04\x04>');
  });

  it('soft reset in raw mode: OK, soft reboot, raw banner; main.py does not run; fresh heap; files kept', async () => {
    await host.exec("open('data.txt','w').write('kept')\nimport os\nos.mkdir('lib')\nbig = [bytearray(1000) for i in range(40)]");
    const before = Number((await host.exec('import gc\ngc.collect()\nprint(gc.mem_alloc())')).trim());
    expect(before).toBeGreaterThan(40_000);
    await host.reader.readUntil('>');
    host.write('\x04');
    const text = (await host.reader.readUntil('raw REPL; CTRL-B to exit\r\n>')).toString('latin1');
    expect(text).toBe('OK\r\nMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>');
    host.reader.unread('>');
    const after = Number((await host.exec('import gc\ngc.collect()\nprint(gc.mem_alloc())')).trim());
    expect(after).toBeLessThan(before / 4);
    expect(await host.exec("print(open('data.txt').read())")).toBe('kept\r\n');
    // (The listing also shows the interpreter's /dev, /proc and /.vboard.)
    const names = await host.exec("import os\nprint(' '.join(sorted(os.listdir('/'))))");
    expect(names.trim().split(' ').filter((n) => !['dev', 'proc', '.vboard'].includes(n))).toEqual(['data.txt', 'lib', 'main.py']);
    await expect(host.exec('print(big)')).rejects.toThrow(/NameError/);
  });

  it('sys.exit() in an exec ends it and soft-resets, as pyexec does', async () => {
    await host.reader.readUntil('>');
    host.write('\x05A\x01');
    await host.reader.read(2);
    await host.rawPasteWrite(Buffer.from('print("bye")\nimport sys\nsys.exit()\n'));
    expect((await host.reader.readUntil('raw REPL; CTRL-B to exit\r\n>')).toString('latin1')).toBe(
      'bye\r\n\x04\x04MPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>',
    );
    host.reader.unread('>');
  });

  it('raises MemoryError when an allocation does not fit the fixed heap', async () => {
    const err = await host.exec('b = bytearray(256 * 1024)').catch((e: ExecError) => e);
    expect(err).toBeInstanceOf(ExecError);
    expect((err as ExecError).stderr).toBe(
      'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nMemoryError: memory allocation failed, allocating 262144 bytes\r\n',
    );
    // Filling the heap with small blocks also ends in MemoryError, and the board recovers.
    const fill = await host.exec('l = []\ntry:\n    while True:\n        l.append(bytearray(512))\nexcept MemoryError:\n    n = len(l)\n    l = None\n    print(n)');
    expect(Number(fill.trim())).toBeGreaterThan(200);
    expect(Number(fill.trim())).toBeLessThan(192 * 2);
    expect(await host.exec('import gc\ngc.collect()\nx = bytearray(64 * 1024)\nprint(len(x))')).toBe('65536\r\n');
  });

  it('mem_info(1) shows one heap area of about the heap size', async () => {
    const out = await host.exec('import micropython\nmicropython.mem_info(1)');
    const total = Number(/GC: total: (\d+),/.exec(out)?.[1]);
    expect(total).toBeGreaterThan(180 * 1024);
    expect(total).toBeLessThanOrEqual(192 * 1024);
    expect(out).not.toContain('max new split');
    expect(out.match(/GC memory layout; from [0-9a-f]+:/g)).toHaveLength(1);
    // The last map line's address + its blocks × 16 bytes covers the whole area.
    const lines = out.split('\r\n').filter((l) => /^[0-9a-f]{8}: /.test(l));
    const last = lines[lines.length - 1];
    const end = parseInt(last.slice(0, 8), 16) + (last.length - 10) * 16;
    expect(end).toBe(total);
    expect(out.split('\r\n').every((l, i, a) => i === a.length - 1 || !l.includes('\n'))).toBe(true);
  });

  it('survives running out of heap with nothing caught: MemoryError, then soft reset', async () => {
    const [out, err] = await host.execRaw('l = []\nwhile True:\n    l.append(bytearray(100))\n', 10_000);
    expect(out.toString()).toBe('');
    // With the heap full, MicroPython cannot allocate the message or the traceback.
    expect(err.toString()).toMatch(/MemoryError: .*\r\n$/);
    await host.reader.readUntil('>');
    host.write('\x04');
    await host.reader.readUntil('raw REPL; CTRL-B to exit\r\n>');
    host.reader.unread('>');
    expect(await host.exec('print(len([bytearray(100) for i in range(100)]))')).toBe('100\r\n');
  });
});

describe('virtual board: raw-paste', () => {
  let board: VirtualBoard;
  let host: MpremoteHost;
  beforeAll(async () => {
    board = new VirtualBoard();
    host = attach(board);
    await board.ready;
    await host.enterRawRepl(false);
  });
  afterAll(() => board.close());

  it('answers R\\x01, a 128-byte window and a first credit', async () => {
    await host.reader.readUntil('>');
    host.write('\x05A\x01');
    expect([...(await host.reader.read(5))]).toEqual([0x52, 0x01, 0x80, 0x00, 0x01]);
    // One credit per 128 bytes consumed, and not before.
    host.write(Buffer.from('#'.repeat(127)));
    await sleep(150);
    expect(host.reader.inWaiting()).toBe(0);
    host.write(Buffer.from('\n'));
    expect([...(await host.reader.read(1))]).toEqual([0x01]);
    host.write(Buffer.from('print("pasted")\n\x04'));
    expect(await readExecEnd(host)).toBe('\x04pasted\r\n\x04\x04>');
  });

  it('runs a program of many windows under flow control', async () => {
    const lines: string[] = ['total = 0'];
    for (let i = 0; i < 300; i++) lines.push(`total += ${i}  # line ${i} ${'x'.repeat(i % 17)}`);
    lines.push('print("total", total)');
    const code = Buffer.from(lines.join('\n') + '\n');
    expect(code.length).toBeGreaterThan(40 * 128);
    const [out, err] = await host.execRaw(code);
    expect(err.toString()).toBe('');
    expect(out.toString()).toBe(`total ${(299 * 300) / 2}\r\n`);
    expect(host.pasteStats.window).toBe(128);
    expect(host.pasteStats.abortedAt).toBe(-1);
    // A credit for the first window plus one per 128 bytes received.
    expect(host.pasteStats.credits).toBeGreaterThanOrEqual(Math.floor(code.length / 128) - 1);
  });

  it('stops the transfer early on a syntax error, as a board compiling on the fly does', async () => {
    const body = Array.from({ length: 200 }, (_, i) => `v${i} = ${i}`).join('\n');
    const code = Buffer.from(`x = 1\ny = = 2\n${body}\nprint("never")\n`);
    const [out, err] = await host.execRaw(code);
    expect(host.pasteStats.abortedAt).toBeGreaterThan(0);
    expect(host.pasteStats.abortedAt).toBeLessThan(code.length / 2);
    expect(out.toString()).toBe('');
    expect(err.toString()).toBe('Traceback (most recent call last):\r\n  File "<stdin>", line 2\r\nSyntaxError: invalid syntax\r\n');
    // Still in sync afterwards.
    expect(await host.exec('print("next")')).toBe('next\r\n');
  });

  it('does not stop early for code that is only unfinished (open blocks, strings, brackets)', async () => {
    const parts = [
      'def f(a,\n      b):\n',
      '    s = """\n' + 'text line\n'.repeat(60) + '"""\n',
      '    return (a +\n' + '        1 +\n'.repeat(40) + '        b)\n',
      'try:\n' + '    x = 1\n'.repeat(50) + 'except Exception:\n    pass\n',
      'print(f(1, 2))\n',
    ];
    const [out, err] = await host.execRaw(Buffer.from(parts.join('')));
    expect(err.toString()).toBe('');
    expect(out.toString()).toBe(`${1 + 40 + 2}\r\n`);
  });

  it('runs code longer than the interpreter glue takes at once, compiled as it is read', async () => {
    const lines = Array.from({ length: 1200 }, (_, i) => `# comment line ${i} ${'-'.repeat(40)}`);
    lines.push('x = 42', 'def f():', '    return 1/0', 'print(x, __name__)', 'f()');
    const [out, err] = await host.execRaw(Buffer.from(lines.join('\n') + '\n'));
    expect(out.toString()).toBe('42 __main__\r\n');
    expect(err.toString()).toBe(
      'Traceback (most recent call last):\r\n  File "<stdin>", line 1205, in <module>\r\n  File "<stdin>", line 1203, in f\r\nZeroDivisionError: divide by zero\r\n',
    );
    // A syntax error deep in a long program still stops the transfer before its end.
    const bad = Buffer.from(lines.slice(0, 900).join('\n') + '\ny = = 1\n' + lines.join('\n') + '\n');
    const [, err2] = await host.execRaw(bad);
    expect(host.pasteStats.abortedAt).toBeGreaterThan(0);
    expect(host.pasteStats.abortedAt).toBeLessThan(bad.length / 2);
    expect(err2.toString()).toBe('Traceback (most recent call last):\r\n  File "<stdin>", line 901\r\nSyntaxError: invalid syntax\r\n');
  });

  it('Ctrl-C during the transfer raises KeyboardInterrupt', async () => {
    await host.reader.readUntil('>');
    host.write('\x05A\x01');
    await host.reader.read(5);
    host.write(Buffer.from('print(1)\n'));
    host.write('\x03');
    expect(await readExecEnd(host)).toBe('\x04\x04KeyboardInterrupt: \r\n\x04>');
  });
});

describe('virtual board: running programs', () => {
  let board: VirtualBoard;
  let host: MpremoteHost;
  beforeAll(async () => {
    board = new VirtualBoard({
      files: { 'main.py': Buffer.from('import time\nprint("main.py start")\nwhile True:\n    time.sleep_ms(10)\n') },
    });
    host = attach(board);
    await board.ready;
  });
  afterAll(() => board.close());

  it('runs main.py at power-on; Ctrl-C stops it with a traceback naming main.py', async () => {
    await host.reader.readUntil('main.py start\r\n');
    await sleep(100);
    host.write('\x03');
    const out = (await host.reader.readUntil('>>> ')).toString('latin1');
    expect(out).toMatch(
      /^Traceback \(most recent call last\):\r\n  File "main\.py", line 4, in <module>\r\nKeyboardInterrupt: \r\nMicroPython v1\.27\.0 on 2025-12-10; HeapScope/,
    );
  });

  it('Ctrl-C interrupts `while True: time.sleep_ms(10)` within 100 ms', async () => {
    await host.enterRawRepl(false);
    const latencies: number[] = [];
    for (let round = 0; round < 5; round++) {
      await host.execRawNoFollow('import time\nwhile True:\n    time.sleep_ms(10)\n');
      await sleep(150);
      const t0 = performance.now();
      host.write('\x03');
      const [out, err] = await host.follow();
      latencies.push(performance.now() - t0);
      expect(out.toString()).toBe('');
      expect(err.toString()).toBe('Traceback (most recent call last):\r\n  File "<stdin>", line 3, in <module>\r\nKeyboardInterrupt: \r\n');
    }
    console.log(`Ctrl-C latency (in process), ms: ${latencies.map((l) => l.toFixed(1)).join(', ')}`);
    expect(Math.max(...latencies)).toBeLessThan(100);
  });

  it('Ctrl-C interrupts a loop that prints without sleeping', async () => {
    await host.execRawNoFollow('i = 0\nwhile True:\n    i += 1\n    print(i)\n');
    await sleep(100);
    const t0 = performance.now();
    host.write('\x03');
    const [, err] = await host.follow();
    expect(performance.now() - t0).toBeLessThan(500);
    expect(err.toString()).toContain('KeyboardInterrupt: \r\n');
  });

  it('soft reset in friendly mode runs boot.py and main.py again', async () => {
    await host.exec("open('boot.py','w').write('print(\"boot.py ran\")\\n')");
    host.exitRawRepl();
    await host.reader.readUntil('>>> ');
    host.write('\x04');
    const out = (await host.reader.readUntil('main.py start\r\n')).toString('latin1');
    expect(out).toBe('\r\nMPY: soft reboot\r\nboot.py ran\r\nmain.py start\r\n');
    host.write('\x03');
    await host.reader.readUntil('>>> ');
  });

  it("serves the helper's periodic dumps: machine.Timer + micropython.schedule + mem_info", async () => {
    await host.enterRawRepl(true);
    const program = [
      'import gc, machine, micropython, time',
      'seq = 0',
      'def dump(_):',
      '    global seq',
      "    print('@@HS:B', seq, time.ticks_ms(), 0)",
      '    micropython.mem_info(1)',
      "    print('@@HS:E', seq)",
      '    seq += 1',
      '_dump = dump',
      'def tick(t):',
      '    micropython.schedule(_dump, 0)',
      'tim = machine.Timer(-1, period=100, callback=tick)',
      'keep = []',
      'for i in range(45):',
      '    keep.append(bytearray(200))',
      '    time.sleep_ms(10)',
      'tim.deinit()',
      "print('done', seq)",
    ].join('\n');
    const out = await host.exec(program);
    const begins = out.match(/^@@HS:B \d+ \d+ 0\r$/gm) ?? [];
    const ends = out.match(/^@@HS:E \d+\r$/gm) ?? [];
    expect(begins.length).toBeGreaterThanOrEqual(3);
    expect(ends.length).toBe(begins.length);
    expect(out.match(/GC: total: \d+/g)?.length).toBe(begins.length);
    expect(out).toMatch(/done \d+\r\n$/);
    // The heap in the dumps grows as the program keeps its bytearrays.
    const used = [...out.matchAll(/GC: total: \d+, used: (\d+)/g)].map((m) => Number(m[1]));
    expect(used[used.length - 1]).toBeGreaterThan(used[0]);
  });
});

describe('virtual board: a loop that cannot see Ctrl-C', () => {
  it('is reset like a board whose reset button was pressed, keeping its files', async () => {
    const board = new VirtualBoard({ stuckResetMs: 500 });
    const host = attach(board);
    const resets: string[] = [];
    board.on('reset', (r) => resets.push(r));
    try {
      await board.ready;
      await host.enterRawRepl(false);
      await host.exec("open('keep.txt','w').write('yes')");
      await host.execRawNoFollow('while True:\n    pass\n');
      await sleep(100);
      host.write('\x03');
      const banner = (await host.reader.readUntil('>>> ', 5000)).toString('latin1');
      expect(banner).toContain('HeapScope virtual board');
      expect(resets).toHaveLength(1);
      await host.enterRawRepl(false);
      expect(await host.exec("print(open('keep.txt').read())")).toBe('yes\r\n');
    } finally {
      await board.close();
    }
  });
});

describe('virtual board: the demos as main.py', () => {
  const demos = ['steady', 'leak', 'fragment', 'asyncio'] as const;
  for (const demo of demos) {
    it(`${demo}: runs at power-on and stops on Ctrl-C`, async () => {
      let board: VirtualBoard;
      try {
        board = new VirtualBoard({ demo });
        await board.ready;
      } catch (err) {
        // The demos are written separately; say so rather than fail when one is missing.
        if (/not found/.test(String(err))) return;
        throw err;
      }
      const host = attach(board);
      try {
        await sleep(1200);
        host.write('\r\x03');
        const text = (await host.reader.readUntil('for more information.\r\n>>> ', 5000)).toString('latin1');
        expect(text).toContain('Traceback (most recent call last):\r\n');
        expect(text).toMatch(/File "main\.py", line \d+/);
        expect(text).not.toContain('.vboard');
        // The asyncio demo needs the helper, which the host installs: without it, ImportError.
        if (demo === 'asyncio') expect(text).toMatch(/ImportError: no module named 'mem_dump'/);
        else expect(text).toContain('KeyboardInterrupt: \r\n');
      } finally {
        await board.close();
      }
    });
  }
});
