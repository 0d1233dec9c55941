import { describe, expect, it } from 'vitest';
import { escapeBytes, splitEscaped } from '../../src/main/board/install/installFile';
import { Utf8Stream } from '../../src/main/board/repl/utf8';
import { parseIdentity } from '../../src/main/board/repl/identify';
import { buildLauncher, programSourceLoader, ramHelperLoader } from '../../src/main/record/launcher';
import { parseDuration } from '../../src/main/cli/commands/record';

describe('pure parts of the board link', () => {
  it('escapes every byte so no control byte reaches the REPL, and splits by escaped size', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const esc = escapeBytes(all);
    expect(/[\x00-\x1f\x7f-\xff]/.test(esc)).toBe(false);
    // Python's reading of the literal gives the bytes back.
    const back = esc.replace(/\\x([0-9a-f]{2})|\\(.)/g, (_, hex, ch) => (hex ? String.fromCharCode(parseInt(hex, 16)) : ch));
    expect(Buffer.from(back, 'latin1')).toEqual(Buffer.from(all));
    const pieces = splitEscaped(all, 100);
    expect(pieces.every((p) => p.length <= 100)).toBe(true);
    expect(pieces.join('')).toBe(esc);
  });

  it('decodes UTF-8 split anywhere', () => {
    const bytes = Buffer.from('héllo → 🌍 ok', 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = new Utf8Stream();
      expect(d.push(bytes.subarray(0, cut)) + d.push(bytes.subarray(cut)) + d.end()).toBe('héllo → 🌍 ok');
    }
  });

  it('reads the identity lines', () => {
    const id = parseIdentity('impl=micropython\r\nversion=1.27.0\r\nplatform=rp2\r\nmachine=Pico\r\nmeminfo=1\r\nschedule=1\r\ntimer=1\r\nsha256=0\r\nreadonly=0\r\nheap=192064\r\n');
    expect(id).toMatchObject({ impl: 'micropython', version: '1.27.0', platform: 'rp2', hasMemInfo: true, hasSha256: false, readOnlyFs: false, heapBytes: 192064 });
  });

  it('builds launchers: the dumps guarded, the program wrapped so the dumps stop when it ends', () => {
    const main = Buffer.from(buildLauncher({ program: { kind: 'file', file: 'main.py' }, periodMs: 250, collect: true })).toString();
    expect(main).toBe(
      "import mem_dump\nmem_dump.guard(1)\nmem_dump.start_timer(250,1)\ntry:\n exec(compile(open('main.py').read(),'main.py','exec'),{'__name__':'__main__'})\nfinally:\n mem_dump._end()\n",
    );
    const p = { kind: 'source' as const, source: Buffer.from("print('a\\b')\x04\n"), name: 'x.py' };
    expect(programSourceLoader(p)).toBe("_hs_src='print(\\'a\\\\b\\')\\x04\\x0a'\n");
    const script = Buffer.from(buildLauncher({ program: p, periodMs: 100, collect: false, dumps: 'async' })).toString();
    expect(script).toBe("import mem_dump\nmem_dump.guard(1)\nmem_dump.start_async(100,0)\n_hs_c=compile(_hs_src,'x.py','exec')\ndel _hs_src\ntry:\n exec(_hs_c,{'__name__':'__main__'})\nfinally:\n mem_dump._end()\n");
    const calls = Buffer.from(buildLauncher({ program: { kind: 'none' }, periodMs: 100, collect: false, dumps: 'calls' })).toString();
    expect(calls).toBe('import mem_dump\nmem_dump.guard(1)\nmem_dump.dump(0)\n');
    expect(ramHelperLoader(Buffer.from('def dump(c):\n pass\n'))).toContain("exec('def dump(c):\\x0a pass\\x0a',_hs_g)");
  });

  it('reads durations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration('10')).toBe(10_000);
    expect(() => parseDuration('soon')).toThrow(/duration/);
  });
});
