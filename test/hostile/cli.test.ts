/**
 * Issue 9, points 7, 9 and 10 on the command line: the real CLI never destroys its own input
 * (same file compared by device and inode), never replaces an existing file without --force,
 * refuses a FIFO or a device at once instead of hanging, and says in words why an output
 * cannot be written, before a board is started.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { BIN, FIXTURES } from './support';

let dir: string;
const cap = () => join(dir, 'd', 'cap.txt');
const original = () => readFileSync(join(FIXTURES, 'full.txt'));

/** The CLI, from `cwd`, killed after 30 s (a hang is a failure, not a stuck suite). */
function cli(args: string[], cwd = dir) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, signal: r.signal, stderr: r.stderr, stdout: r.stdout };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hs-hostile-cli-'));
  mkdirSync(join(dir, 'd'));
  copyFileSync(join(FIXTURES, 'full.txt'), cap());
  expect(cli(['import', cap(), '-o', join(dir, 's.hss')]).code).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('import never destroys its own input', () => {
  it('refuses the capture under another spelling, a symlink or a hard link', () => {
    linkSync(cap(), join(dir, 'hard.hss'));
    symlinkSync(cap(), join(dir, 'soft.hss'));
    for (const out of ['./d/cap.txt', 'd/../d/cap.txt', join(dir, 'hard.hss'), join(dir, 'soft.hss')]) {
      const r = cli(['import', 'd/cap.txt', '-o', out, '--force']);
      expect(r.code, out).toBe(2);
      expect(r.stderr).toContain('is the capture itself');
      expect(readFileSync(cap())).toEqual(original());
    }
  });
});

describe('no file is replaced without --force', () => {
  it('import -o an existing session', () => {
    const out = join(dir, 'taken.hss');
    writeFileSync(out, 'precious');
    const r = cli(['import', cap(), '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${out}: already exists`);
    expect(r.stderr).toContain('--force');
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect(cli(['import', cap(), '-o', out, '--force']).code).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toBe('precious');
  });

  it('export -o an existing file; never onto the session itself', () => {
    const out = join(dir, 'taken.csv');
    writeFileSync(out, 'precious');
    expect(cli(['export', join(dir, 's.hss'), '--format', 'csv', '-o', out]).code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect(cli(['export', join(dir, 's.hss'), '--format', 'csv', '-o', out, '--force']).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^index,/);
    const r = cli(['export', 's.hss', '--format', 'raw', '-o', './s.hss', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is the session itself');
  });

  it('record -o an existing session: refused before the board is started', () => {
    const out = join(dir, 'rec.hss');
    writeFileSync(out, 'precious');
    const r = cli(['record', '--port', 'virtual', '--duration', '2s', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${out}: already exists`);
    expect(r.stderr).not.toMatch(/Starting|virtual board|Taking control/i);
    expect(readFileSync(out, 'utf8')).toBe('precious');
  });
});

describe('FIFOs and devices are refused at once', () => {
  it('inspect, import and export of a FIFO or /dev/zero end with a message, not a hang', () => {
    const fifo = join(dir, 'pipe.txt');
    execFileSync('mkfifo', [fifo]);
    for (const f of [fifo, '/dev/zero']) {
      for (const args of [['inspect', f], ['import', f, '-o', join(dir, 'f.hss')], ['export', f, '--format', 'csv']]) {
        const r = cli(args);
        expect(r.signal, args.join(' ')).toBeNull();
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr).toMatch(/is a (named pipe \(FIFO\)|character device), not a file/);
      }
    }
  });
});

describe('messages in words for an output that cannot be written', () => {
  it('a missing folder, named once, before the board is started', () => {
    const out = join(dir, 'nope', 's.hss');
    for (const args of [['record', '--port', 'virtual', '--duration', '2s', '-o', out], ['import', cap(), '-o', out]]) {
      const r = cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`heapscope: ${out}: cannot be written: its folder ${join(dir, 'nope')} does not exist`);
    }
  });

  it('a read-only folder, before the board is started', (ctx) => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    let mounted = false;
    if (process.getuid?.() === 0) {
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', ro], { stdio: 'pipe' });
        mounted = true;
      } catch {
        mounted = false;
      }
    } else {
      execFileSync('chmod', ['555', ro]);
      mounted = true;
    }
    if (!mounted) {
      console.log('skipping the read-only folder test: cannot mount a read-only tmpfs');
      return ctx.skip();
    }
    try {
      const out = join(ro, 's.hss');
      for (const args of [['record', '--port', 'virtual', '--duration', '2s', '-o', out], ['import', cap(), '-o', relative(dir, out)]]) {
        const r = cli(args);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/cannot be written: the folder .* is read-only or not yours to write/);
        expect(r.stderr).not.toMatch(/EROFS|EACCES|Starting/);
      }
    } finally {
      if (process.getuid?.() === 0) spawnSync('umount', [ro]);
    }
  });
});
