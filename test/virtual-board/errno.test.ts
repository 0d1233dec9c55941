/**
 * The virtual board's filesystem raises a board's errno values (ENOENT = 2…), not Emscripten's
 * (44…), over a real PTY; and MicroPython's own mpremote drives it: fs cp both ways, cat, ls,
 * rm, mkdir, and a file written by one connection is there at the next.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardErrno, EMSCRIPTEN_TO_BOARD_ERRNO, translateFsErrno } from '../../src/main/board/virtual/boardErrno';
import { serveVirtualBoardOnPath, type VirtualBoardServer } from '../../src/main/board/virtual/serve';
import { ExecError, MpremoteHost } from './host';

const run = promisify(execFile);

describe('boardErrno', () => {
  it("maps Emscripten's numbers to a board's, one to one", () => {
    expect(boardErrno(44)).toBe(2); // ENOENT
    expect(boardErrno(20)).toBe(17); // EEXIST
    expect(boardErrno(2)).toBe(13); // EACCES (Emscripten's 2 is not ENOENT)
    expect(boardErrno(51)).toBe(28); // ENOSPC
    expect(boardErrno(69)).toBe(30); // EROFS
    expect(boardErrno(9999)).toBe(9999);
    const targets = Object.values(EMSCRIPTEN_TO_BOARD_ERRNO);
    expect(new Set(targets).size).toBe(targets.length);
  });

  it('wraps syscall imports (-errno) and WASI fd_ imports (errno), and nothing else', () => {
    const imports: Record<string, unknown> = {
      __syscall_stat64: () => -44,
      __syscall_getcwd: () => 12,
      fd_close: () => 8,
      fd_write: () => 0,
      emscripten_resize_heap: () => -44,
      memory: 1,
    };
    expect(translateFsErrno(imports)).toBe(4);
    expect((imports.__syscall_stat64 as () => number)()).toBe(-2);
    expect((imports.__syscall_getcwd as () => number)()).toBe(12);
    expect((imports.fd_close as () => number)()).toBe(9);
    expect((imports.fd_write as () => number)()).toBe(0);
    expect((imports.emscripten_resize_heap as () => number)()).toBe(-44);
  });
});

async function openPort(p: string): Promise<SerialPort> {
  const port = new SerialPort({ path: p, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return port;
}

describe('the virtual board over a PTY raises OSError with a board errno', () => {
  let dir: string;
  let server: VirtualBoardServer;
  let port: SerialPort;
  let host: MpremoteHost;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hs-vb-errno-'));
    server = await serveVirtualBoardOnPath(path.join(dir, 'port'));
    port = await openPort(server.path);
    host = new MpremoteHost({ write: (b) => port.write(Buffer.from(b)), onData: (l) => port.on('data', l) });
    await host.enterRawRepl(true);
  });
  afterAll(async () => {
    if (port?.isOpen) await new Promise((r) => port.close(r));
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ENOENT, EEXIST, EISDIR, ENOTDIR, EINVAL, ENOTEMPTY: the numbers a board gives, equal to its errno module', async () => {
    const out = await host.exec(`import os, errno
open('f.txt', 'w').close()
os.mkdir('d')
open('d/g', 'w').close()
def t(name, fn):
    try:
        fn()
        print(name, 'none')
    except OSError as e:
        print(name, e.errno)
t('open', lambda: open('missing.txt'))
t('stat', lambda: os.stat('missing.txt'))
t('remove', lambda: os.remove('missing.txt'))
t('listdir', lambda: os.listdir('missing'))
t('mkdir', lambda: os.mkdir('d'))
t('openw-dir', lambda: open('d', 'w'))
t('listdir-file', lambda: os.listdir('f.txt'))
t('rename-into-self', lambda: os.rename('d', 'd/x'))
t('rmdir-full', lambda: os.rmdir('d'))
print('module', errno.ENOENT, errno.EEXIST, errno.EISDIR, errno.EINVAL)
`);
    const got = Object.fromEntries(out.trim().split(/\r?\n/).map((l) => [l.split(' ')[0], l.split(' ').slice(1).join(' ')]));
    expect(got).toEqual({
      open: '2',
      stat: '2',
      remove: '2',
      listdir: '2',
      mkdir: '17',
      'openw-dir': '21',
      'listdir-file': '20',
      'rename-into-self': '22',
      'rmdir-full': '39',
      module: '2 17 21 22',
    });
  });

  it("an uncaught error reads as a board's traceback: OSError: [Errno 2] ENOENT", async () => {
    const err = await host.exec("open('nope.txt')").then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExecError);
    expect((err as ExecError).stderr).toMatch(/OSError: \[Errno 2\] ENOENT\r?\n$/);
  });
});

/** mpremote's package directory (…/tools/mpremote/mpremote), or why there is none. */
function findMpremote(tmp: string): { dir: string } | { why: string } {
  const env = process.env.HEAPSCOPE_MPREMOTE;
  if (env) return existsSync(path.join(env, 'main.py')) ? { dir: env } : { why: `HEAPSCOPE_MPREMOTE=${env} has no main.py` };
  const mirror = '/work/.mirror/micropython+micropython/repo';
  if (!existsSync(mirror)) return { why: `no mpremote: set HEAPSCOPE_MPREMOTE to mpremote's package dir (${mirror} is not there either)` };
  return { dir: path.join(tmp, 'tools/mpremote/mpremote') };
}

const PYTHON = '/usr/bin/python3';

describe('mpremote drives the virtual board', () => {
  let dir = '';
  let server: VirtualBoardServer | null = null;
  let why: string | null = null;
  let mpremoteParent = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hs-vb-mpremote-'));
    const found = findMpremote(dir);
    if ('why' in found) {
      why = found.why;
    } else {
      if (!existsSync(found.dir)) {
        // MicroPython's sources as a bare git directory: take only tools/mpremote, into the temp dir.
        const mirror = '/work/.mirror/micropython+micropython/repo';
        await run('sh', ['-c', `git --git-dir="${mirror}" archive HEAD tools/mpremote | tar -x -C "${dir}"`]).catch((e: Error) => (why = `could not extract mpremote from ${mirror}: ${e.message}`));
      }
      mpremoteParent = path.dirname(found.dir);
      if (!why && !existsSync(PYTHON)) why = `${PYTHON} is not there`;
      if (!why) {
        const probe = await run(PYTHON, ['-c', 'import serial, platformdirs'], { env: { ...process.env, PYTHONPATH: mpremoteParent } }).catch((e: Error) => e);
        if (probe instanceof Error) why = `mpremote needs python3-serial and python3-platformdirs (apt-get install python3-serial python3-platformdirs): ${probe.message.split('\n').slice(-2).join(' ')}`;
      }
    }
    if (why) console.warn(`[skip] mpremote against the virtual board: ${why}`);
    else server = await serveVirtualBoardOnPath(path.join(dir, 'port'));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One mpremote run: one connection to the board. */
  async function mpremote(...args: string[]): Promise<{ code: number; out: string }> {
    try {
      const r = await run(PYTHON, ['-m', 'mpremote', 'connect', server!.path, ...args], { env: { ...process.env, PYTHONPATH: mpremoteParent }, timeout: 60_000 });
      return { code: 0, out: r.stdout + r.stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string; message: string };
      return { code: typeof err.code === 'number' ? err.code : -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message };
    }
  }

  it('fs mkdir, cp both ways, cat, ls, rm; a file written by one connection is there at the next', async (ctx) => {
    if (why) ctx.skip();
    const local = path.join(dir, 'hello.txt');
    const text = 'hello from the host\nline two\n';
    writeFileSync(local, text);

    let r = await mpremote('fs', 'mkdir', ':data');
    expect(r.code, r.out).toBe(0);
    r = await mpremote('fs', 'cp', local, ':data/hello.txt');
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/OSError|Error/);

    // A new connection: the file is still there.
    r = await mpremote('fs', 'cat', ':data/hello.txt');
    expect(r.code, r.out).toBe(0);
    expect(r.out.replace(/\r\n/g, '\n')).toContain(text); // the board's console sends \r\n

    r = await mpremote('fs', 'ls', ':data');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/hello\.txt/);

    const back = path.join(dir, 'back.txt');
    r = await mpremote('fs', 'cp', ':data/hello.txt', back);
    expect(r.code, r.out).toBe(0);
    expect(readFileSync(back, 'utf8')).toBe(text);

    // mkdir on a directory that exists: mpremote reads the board's EEXIST.
    r = await mpremote('fs', 'mkdir', ':data');
    expect(r.out).toMatch(/File exists/);

    // A missing file is ENOENT to mpremote, said in words (it was "OSError: 44").
    r = await mpremote('fs', 'cat', ':nope.txt');
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/No such file or directory/);
    expect(r.out).not.toMatch(/OSError: 44/);

    r = await mpremote('fs', 'rm', ':data/hello.txt');
    expect(r.code, r.out).toBe(0);
    r = await mpremote('fs', 'ls', ':data');
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/hello\.txt/);
    r = await mpremote('fs', 'rm', ':data/hello.txt');
    expect(r.out).toMatch(/No such file or directory/);
  }, 240_000);
});
