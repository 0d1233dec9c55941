/** The virtual board's small pure parts. */
import { describe, expect, it } from 'vitest';
import { HiddenFrameFilter } from '../../src/main/board/virtual/boardConsole';
import { CleanBoundaryScanner, syntaxCheckSource } from '../../src/main/board/virtual/pasteScan';
import { parseSize } from '../../src/main/cli/commands/virtualBoard';
import { parsePyBytes, pyBytesRepr } from './host';

function cleanPoints(src: string, step = 1): number[] {
  const buf = Buffer.from(src);
  const s = new CleanBoundaryScanner();
  const seen: number[] = [];
  for (let n = step; n <= buf.length + step - 1; n += step) {
    s.scan(buf, Math.min(n, buf.length));
    if (!seen.includes(s.clean) && s.clean > 0) seen.push(s.clean);
  }
  return seen;
}

describe('CleanBoundaryScanner', () => {
  it('finds line ends outside brackets, strings and continuations, fed in any pieces', () => {
    const src = 'a = 1\nb = (1,\n 2)\ns = """x\ny"""\nt = "q\\"(" # (\nu = 1 + \\\n 2\n';
    const ends = [6, 18, 32, 47, 60];
    expect(cleanPoints(src, 1)).toEqual(ends);
    for (const step of [2, 3, 7, 100]) {
      const seen = cleanPoints(src, step);
      expect(seen.every((p) => ends.includes(p))).toBe(true);
      expect(seen[seen.length - 1]).toBe(60);
    }
    const s = new CleanBoundaryScanner();
    s.scan(Buffer.from(src), src.length);
    expect(s.cleanLines).toBe(src.split('\n').length - 1);
  });

  it('wraps a prefix so that it compiles without running, with indentation kept', () => {
    expect(syntaxCheckSource('x = 1\nif x:\n\ty = 2\n')).toBe('if 0:\n\tx = 1\n\tif x:\n\t\ty = 2\n\tpass\n');
  });
});

describe('HiddenFrameFilter', () => {
  it("drops the virtual board's own traceback entries, across chunk boundaries", () => {
    const text =
      'Traceback (most recent call last):\r\n  File "main.py", line 4, in <module>\r\n  File "/.vboard/_vb.py", line 46, in sleep_ms\r\nKeyboardInterrupt: \r\n  File is fine\r\n';
    const want = text.replace('  File "/.vboard/_vb.py", line 46, in sleep_ms\r\n', '');
    for (const step of [1, 3, 5, 17, 1000]) {
      const f = new HiddenFrameFilter();
      let out = '';
      for (let i = 0; i < text.length; i += step) out += Buffer.from(f.feed(Buffer.from(text.slice(i, i + step), 'latin1'))).toString('latin1');
      out += Buffer.from(f.release()).toString('latin1');
      expect(out).toBe(want);
    }
  });

  it('holds back only what could still become such an entry', () => {
    const f = new HiddenFrameFilter();
    expect(Buffer.from(f.feed(Buffer.from('progress: 1'))).toString()).toBe('progress: 1');
    expect(Buffer.from(f.feed(Buffer.from('\r\n  '))).toString()).toBe('\r\n');
    expect(Buffer.from(f.release()).toString()).toBe('  ');
  });
});

describe('--heap sizes', () => {
  it('reads bytes, K and M', () => {
    expect(parseSize('196608')).toBe(196608);
    expect(parseSize('192K')).toBe(196608);
    expect(parseSize('192kb')).toBe(196608);
    expect(parseSize('1M')).toBe(1 << 20);
    expect(() => parseSize('abc')).toThrow(/not a size/);
    expect(() => parseSize('8K')).toThrow(/out of range/);
  });
});

describe('test host helpers', () => {
  it('round-trips every byte through a Python bytes repr', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(parsePyBytes(pyBytesRepr(all)).equals(all)).toBe(true);
    expect(pyBytesRepr(Buffer.from("it's"))).toBe('b"it\'s"');
  });
});
