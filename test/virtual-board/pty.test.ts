/**
 * The virtual board served on a socat PTY and driven through the real `serialport` package with
 * the byte sequences mpremote sends (tools/mpremote/mpremote/transport_serial.py).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPtyPair } from '../../src/main/board/virtual/ptyPair';
import { serveVirtualBoardOnPath, type VirtualBoardServer } from '../../src/main/board/virtual/serve';
import { MpremoteHost, sleep } from './host';

const ROOT = path.resolve(__dirname, '../..');

async function openPort(p: string): Promise<SerialPort> {
  const port = new SerialPort({ path: p, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return port;
}

function hostOn(port: SerialPort): MpremoteHost {
  return new MpremoteHost({ write: (b) => port.write(Buffer.from(b)), onData: (l) => port.on('data', l) });
}

describe('openPtyPair', () => {
  it('connects two ends through socat and cleans up', async () => {
    const pair = await openPtyPair();
    const [a, b] = [await openPort(pair.a), await openPort(pair.b)];
    const got = new Promise<string>((r) => b.once('data', (d: Buffer) => r(d.toString())));
    a.write('ping');
    expect(await got).toBe('ping');
    await new Promise((r) => a.close(r));
    await new Promise((r) => b.close(r));
    await pair.close();
    expect(existsSync(pair.a)).toBe(false);
    expect(existsSync(pair.b)).toBe(false);
  });

  it('says how to install socat when it is missing', async () => {
    await expect(openPtyPair({ socat: '/nonexistent/socat' })).rejects.toThrow(/socat is not installed/);
  });
});

describe('virtual board over a PTY (serialport + mpremote byte sequences)', () => {
  let dir: string;
  let server: VirtualBoardServer;
  let port: SerialPort;
  let host: MpremoteHost;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hs-vb-test-'));
    server = await serveVirtualBoardOnPath(path.join(dir, 'port'), {
      files: { 'main.py': Buffer.from('import time\nn = 0\nwhile True:\n    n += 1\n    time.sleep_ms(50)\n') },
    });
    port = await openPort(server.path);
    host = hostOn(port);
  });
  afterAll(async () => {
    if (port?.isOpen) await new Promise((r) => port.close(r));
    await server?.close();
    await rm(dir, { recursive: true, force: true });
    expect(existsSync(path.join(dir, 'port'))).toBe(false);
  });

  it('stops main.py with Ctrl-C and shows the friendly banner', async () => {
    host.write('\r\x03');
    await host.reader.readUntil('KeyboardInterrupt: \r\n');
    const banner = (await host.reader.readUntil('>>> ')).toString('latin1');
    expect(banner).toMatch(/^MicroPython v1\.27\.0 on 2025-12-10; HeapScope virtual board \(WebAssembly\) with 192 KB heap\r\nType "help\(\)" for more information\.\r\n>>> $/);
    host.write('2**10\r');
    expect((await host.reader.readUntil('1024\r\n>>> ')).toString('latin1')).toBe('\r\n>>> 2**10\r\n1024\r\n>>> ');
  });

  it('enters the raw REPL with a soft reset and separates stdout from stderr', async () => {
    await host.enterRawRepl(true);
    const [out, err] = await host.execRaw('print("hello")\nraise ValueError("bad")\n');
    expect(out.toString()).toBe('hello\r\n');
    expect(err.toString()).toBe('Traceback (most recent call last):\r\n  File "<stdin>", line 2, in <module>\r\nValueError: bad\r\n');
  });

  it('takes a program of many raw-paste windows', async () => {
    const code = Buffer.from(Array.from({ length: 400 }, (_, i) => `a${i} = ${i} * 2`).join('\n') + '\nprint(a399)\n');
    expect(code.length).toBeGreaterThan(30 * 128);
    expect(await host.exec(code)).toBe('798\r\n');
    expect(host.pasteStats.window).toBe(128);
    expect(host.pasteStats.credits).toBeGreaterThan(25);
  });

  it('copies a file on and reads it back as mpremote fs cp does', async () => {
    const data = Buffer.alloc(1500);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 8)) & 0xff;
    await host.fsWritefile('blob.bin', data);
    expect(await host.eval("__import__('os').stat('blob.bin')[6]")).toBe('1500');
    expect((await host.fsReadfile('blob.bin')).equals(data)).toBe(true);
  });

  it('runs a script from RAM and streams its output (mpremote run)', async () => {
    await host.execRawNoFollow('import time\nfor i in range(3):\n    print("tick", i)\n    time.sleep_ms(30)\n');
    const [out, err] = await host.follow();
    expect(out.toString()).toBe('tick 0\r\ntick 1\r\ntick 2\r\n');
    expect(err.length).toBe(0);
  });

  it('interrupts `while True: time.sleep_ms(10)` within 100 ms (measured over the PTY)', async () => {
    const latencies: number[] = [];
    for (let round = 0; round < 5; round++) {
      await host.execRawNoFollow('import time\nwhile True:\n    time.sleep_ms(10)\n');
      await sleep(120);
      const t0 = performance.now();
      host.write('\x03');
      await host.reader.readUntil('KeyboardInterrupt: \r\n');
      latencies.push(performance.now() - t0);
      await host.reader.readUntil('\x04');
    }
    console.log(`Ctrl-C latency over the PTY, ms: ${latencies.map((l) => l.toFixed(1)).join(', ')}`);
    expect(Math.max(...latencies)).toBeLessThan(100);
  });

  it('raises MemoryError and shows one heap area in mem_info(1)', async () => {
    await expect(host.exec('x = bytearray(200 * 1024)')).rejects.toThrow(/MemoryError: memory allocation failed, allocating 204800 bytes/);
    const info = await host.exec('import micropython\nmicropython.mem_info(1)');
    expect(info.match(/GC memory layout; from [0-9a-f]+:/g)).toHaveLength(1);
    const total = Number(/GC: total: (\d+),/.exec(info)?.[1]);
    expect(total).toBeGreaterThan(180 * 1024);
    expect(total).toBeLessThanOrEqual(192 * 1024);
  });

  it('soft reset: fresh heap, files survive, main.py not run in raw mode', async () => {
    await host.exec('junk = [bytearray(2000) for i in range(30)]');
    const before = Number(await host.eval('__import__("gc").mem_alloc()'));
    await host.reader.readUntil('>');
    host.write('\x04');
    expect((await host.reader.readUntil('raw REPL; CTRL-B to exit\r\n>')).toString('latin1')).toBe(
      'OK\r\nMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>',
    );
    host.reader.unread('>');
    const after = Number(await host.eval('__import__("gc").mem_alloc()'));
    expect(after).toBeLessThan(before - 50_000);
    expect(await host.eval("__import__('os').stat('blob.bin')[6]")).toBe('1500');
    expect(await host.eval("'n' in globals()")).toBe('False');
  });

  it('leaves the raw REPL with Ctrl-B', async () => {
    host.exitRawRepl();
    const text = (await host.reader.readUntil('>>> ')).toString('latin1');
    expect(text).toMatch(/>\r\nMicroPython v1\.27\.0 on 2025-12-10; HeapScope virtual board/);
  });
});

const demo = path.join(ROOT, 'device/demos/leak.py');
const helper = path.join(ROOT, 'device/mem_dump.py');

describe.skipIf(!existsSync(demo) || !existsSync(helper))('a demo board with the real helper, over a PTY', () => {
  it('installs mem_dump.py, launches main.py with timer dumps, and stops on Ctrl-C', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hs-vb-demo-'));
    const server = await serveVirtualBoardOnPath(path.join(dir, 'port'), { demo: 'leak' });
    const port = await openPort(server.path);
    const host = hostOn(port);
    try {
      await host.enterRawRepl(true);
      expect(await host.eval("'mem_dump.py' in __import__('os').listdir('/')")).toBe('False');
      await host.fsWritefile('mem_dump.py', readFileSync(helper));
      await host.exec('pass');
      // The launcher of BOARD-PROTOCOL.md, from RAM, after a soft reset.
      await host.reader.readUntil('>');
      host.write('\x04');
      await host.reader.readUntil('raw REPL; CTRL-B to exit\r\n');
      await host.execRawNoFollow(
        "import mem_dump\nmem_dump.start_timer(150, False)\nexec(open('main.py').read(), {'__name__': '__main__'})\n",
      );
      await sleep(3500);
      host.write('\x03');
      const [out, err] = await host.follow();
      const text = out.toString('latin1');
      expect(text).toMatch(/^@@HS:H 1 150 timer 0 micropython\r\n/m);
      const begins = text.match(/^@@HS:B \d+ \d+ 0\r$/gm) ?? [];
      expect(begins.length).toBeGreaterThanOrEqual(8);
      expect((text.match(/^@@HS:E \d+\r$/gm) ?? []).length).toBeGreaterThanOrEqual(begins.length - 1);
      expect(text).toMatch(/^leak: \d+ readings kept, used grows \d+ KiB\/min/m);
      expect(err.toString()).toMatch(/KeyboardInterrupt: \r\n$/);
      expect(err.toString()).not.toContain('.vboard');
    } finally {
      await new Promise((r) => port.close(r));
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
