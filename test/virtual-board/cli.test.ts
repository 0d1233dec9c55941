/**
 * `heapscope virtual-board --link PATH`: a process that serves a board until SIGINT/SIGTERM.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { describe, expect, it } from 'vitest';
import { BIN, heapscope } from '../support/cli';
import { MpremoteHost } from './host';

describe('heapscope virtual-board', () => {
  it('serves a board on --link until SIGTERM, then removes the link', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hs-vb-cli-'));
    const link = path.join(dir, 'ttyVIRT');
    const child = spawn(process.execPath, [BIN, 'virtual-board', '--link', link, '--heap', '128K'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      for (let i = 0; i < 300 && !stdout.includes('Ctrl-C stops it'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(stdout).toContain(`Virtual MicroPython board on ${link} (128 KB heap)`);
      expect(existsSync(link)).toBe(true);

      const port = new SerialPort({ path: link, baudRate: 115200, autoOpen: false });
      await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
      const host = new MpremoteHost({ write: (b) => port.write(Buffer.from(b)), onData: (l) => port.on('data', l) });
      host.write('\r\x02');
      expect((await host.reader.readUntil('for more information.\r\n>>> ')).toString('latin1')).toContain('HeapScope virtual board (WebAssembly) with 128 KB heap\r\n');
      await host.enterRawRepl(true);
      const total = Number(/GC: total: (\d+)/.exec(await host.exec('import micropython\nmicropython.mem_info()'))?.[1]);
      expect(total).toBeGreaterThan(120 * 1024);
      expect(total).toBeLessThanOrEqual(128 * 1024);
      await new Promise((r) => port.close(r));

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(link)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
    expect(stderr).toBe('');
  });

  it('refuses a bad heap size or demo name (exit 2)', () => {
    const bad = heapscope(['virtual-board', '--link', '/tmp/never-created', '--heap', '12Q']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--heap');
    const small = heapscope(['virtual-board', '--link', '/tmp/never-created', '--heap', '1K']);
    expect(small.code).toBe(2);
    const demo = heapscope(['virtual-board', '--link', '/tmp/never-created', '--demo', 'nope']);
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain('steady, leak, fragment, asyncio');
    expect(existsSync('/tmp/never-created')).toBe(false);
  });
});
