import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, type LineSink } from '../../src/shared/capture/lineSplitter';

type Line = [text: string, termLen: number, lineNo: number, byteOffset: number, cut: number];

/** Every line a sink is given, whichever way; `guessed` counts those taken from the splitter's guess. */
function split(bytes: Uint8Array, chunk: number, whole: ((b: Uint8Array, s: number, e: number) => boolean) | null, maxLine?: number) {
  const lines: Line[] = [];
  let guessed = 0;
  const sink: LineSink = {
    line: (b, s, e, termLen, lineNo, byteOffset, cut) => void lines.push([Buffer.from(b.subarray(s, e)).toString('latin1'), termLen, lineNo, byteOffset, cut]),
  };
  if (whole) {
    sink.lineIfWhole = (b, s, e, termLen, lineNo, byteOffset) => {
      if (!whole(b, s, e)) return false;
      guessed++;
      lines.push([Buffer.from(b.subarray(s, e)).toString('latin1'), termLen, lineNo, byteOffset, 0]);
      return true;
    };
  }
  const sp = new LineSplitter(sink, maxLine);
  for (let i = 0; i < bytes.length; i += chunk) sp.push(bytes.slice(i, i + chunk));
  sp.end();
  return { lines, guessed };
}

/** What a sink may claim: no terminator anywhere in the range (and, to exercise refusals, a whim). */
const noTerminator = (b: Uint8Array, s: number, e: number) => {
  for (let i = s; i < e; i++) if (b[i] === 0x0a || b[i] === 0x0d) return false;
  return true;
};

describe('the splitter’s guess at the next line', () => {
  it('gives the same lines as searching for each terminator, whatever the chunks (property)', () => {
    // Runs of equal-length lines (as a map's are) among others, every kind of line end.
    const line = fc.tuple(fc.constantFrom('0000a400: h=..T', 'x', '', 'GC: total: 9', '0000a440: ==hh.'), fc.constantFrom('\n', '\r\n', '\r'));
    const text = fc.array(fc.tuple(line, fc.integer({ min: 1, max: 6 })), { maxLength: 40 }).map((ls) => ls.map(([[l, t], n]) => (l + t).repeat(n)).join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 64 }), fc.boolean(), (t, chunk, whim) => {
        const bytes = Uint8Array.from(t, (c) => c.charCodeAt(0));
        const plain = split(bytes, 1 << 20, null);
        const sink = whim ? (b: Uint8Array, s: number, e: number) => noTerminator(b, s, e) && (e - s) % 2 === 0 : noTerminator;
        const guessing = split(bytes, chunk, sink);
        expect(guessing.lines).toEqual(plain.lines);
      }),
      { numRuns: 500 },
    );
  });

  it('skips the search for most lines of a map', () => {
    const map = '00000400: ' + 'h=..'.repeat(16) + '\r\n';
    const bytes = Uint8Array.from(map.repeat(1000), (c) => c.charCodeAt(0));
    const { lines, guessed } = split(bytes, 4096, noTerminator);
    expect(lines).toHaveLength(1000);
    expect(guessed).toBeGreaterThan(900);
  });

  it('never guesses a line longer than the splitter keeps', () => {
    const long = 'a'.repeat(100) + '\n';
    const bytes = Uint8Array.from(long.repeat(5), (c) => c.charCodeAt(0));
    const { lines, guessed } = split(bytes, 1 << 20, noTerminator, 64);
    expect(guessed).toBe(0);
    expect(lines.map((l) => l[4])).toEqual([36, 36, 36, 36, 36]);
  });
});
