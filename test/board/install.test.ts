/** Putting files on the virtual board (real MicroPython) over a PTY: chunked, escaped, verified. */
import { afterEach, describe, expect, it } from 'vitest';
import { installFile, readRemoteFile } from '../../src/main/board/install/installFile';
import { installHelper, readHelperSource } from '../../src/main/board/install/installHelper';
import { identifyBoard } from '../../src/main/board/repl/identify';
import { RawRepl } from '../../src/main/board/repl/rawRepl';
import { makeRig, type Rig } from './support/rig';

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

describe('installing files', () => {
  it('installs the helper, verifies it, and skips it the second time', async () => {
    rig = await makeRig();
    const repl = new RawRepl(await rig.open());
    await repl.takeControl();
    const id = await identifyBoard(repl);
    const first = await installHelper(repl, id);
    expect(first.where).toBe('file');
    if (first.where !== 'file') return;
    expect(first.result.status).toBe('written');
    const source = readHelperSource();
    // What the board holds is the helper, byte for byte (read back over the link)…
    expect(Buffer.from(await readRemoteFile(repl, 'mem_dump.py'))).toEqual(Buffer.from(source));
    // …and importable.
    expect((await repl.execOk('import mem_dump\nprint(mem_dump.dump)')).trim()).toMatch(/function/);
    const second = await installHelper(repl, id);
    expect(second.where === 'file' && second.result.status).toBe('skipped');
    expect((await repl.execOk("import os\nprint('mem_dump.py.tmp' in os.listdir())")).trim()).toBe('False');
  });

  it('writes every byte value in ≤1 KB escaped execs, with and without sha256 on the board', async () => {
    rig = await makeRig();
    const repl = new RawRepl(await rig.open());
    await repl.takeControl();
    const content = Buffer.alloc(3000);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7 + (i >> 8)) & 0xff;
    let progress = 0;
    const r = await installFile(repl, 'blob.bin', content, { hasSha256: true, onProgress: (d) => (progress = d) });
    expect(r.status).toBe('written');
    expect(r.status === 'written' && r.chunks).toBeGreaterThanOrEqual(Math.ceil((3000 * 3) / 1024));
    expect(progress).toBe(3000);
    expect(Buffer.from(await readRemoteFile(repl, 'blob.bin'))).toEqual(content);
    // A board without hashlib.sha256: the check reads the file back.
    expect((await installFile(repl, 'blob.bin', content, { hasSha256: false })).status).toBe('skipped');
    const changed = Buffer.from(content);
    changed[1234] ^= 0xff;
    expect((await installFile(repl, 'blob.bin', changed, { hasSha256: false })).status).toBe('written');
    expect(Buffer.from(await readRemoteFile(repl, 'blob.bin'))).toEqual(changed);
  });

  it('reports a read-only filesystem instead of failing', async () => {
    rig = await makeRig({
      // boot.py makes open(…, 'w') fail as on CircuitPython with the USB drive mounted.
      files: {
        'boot.py': Buffer.from(
          "import builtins\n_open = builtins.open\ndef _ro(p, m='r', *a):\n    if 'w' in m or 'a' in m:\n        raise OSError(30)\n    return _open(p, m, *a)\nbuiltins.open = _ro\n",
        ),
      },
    });
    const repl = new RawRepl(await rig.open());
    await repl.takeControl({ softReset: true });
    const id = await identifyBoard(repl);
    expect(id.readOnlyFs).toBe(true);
    const placed = await installHelper(repl, id);
    expect(placed.where).toBe('ram');
    const direct = await installFile(repl, 'x.py', Buffer.from('x=1\n'), { hasSha256: true });
    expect(direct.status).toBe('read-only');
  });
});

describe('a full filesystem', () => {
  it('sends the helper from RAM instead', async () => {
    rig = await makeRig({
      files: {
        'boot.py': Buffer.from(
          "import builtins\n_open = builtins.open\nclass _Full:\n    def __init__(self, f):\n        self.f = f\n    def write(self, b):\n        raise OSError(28)\n    def close(self):\n        self.f.close()\ndef _o(p, m='r', *a):\n    f = _open(p, m, *a)\n    return _Full(f) if p.endswith('.tmp') else f\nbuiltins.open = _o\n",
        ),
      },
    });
    const repl = new RawRepl(await rig.open());
    await repl.takeControl({ softReset: true });
    const id = await identifyBoard(repl);
    const placed = await installHelper(repl, id);
    expect(placed.where).toBe('ram');
    expect(placed.where === 'ram' && placed.reason).toMatch(/full/);
    // Nothing half-written is left behind.
    expect((await repl.execOk("import os\nprint([f for f in os.listdir() if 'mem_dump' in f])")).trim()).toBe('[]');
  });
});
