import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FoldMap, tracebackEnd, type Fold } from '../../src/shared/view/logFolds';

describe('tracebackEnd', () => {
  it('ends at the first line that is not indented: the exception line', () => {
    const tb = ['Traceback (most recent call last):', '  File "<stdin>", line 2, in <module>', '  File "main.py", line 27, in <module>', 'KeyboardInterrupt: ', 'next'];
    expect(tracebackEnd(17, tb)).toEqual({ start: 17, end: 20 });
    // MicroPython's MemoryError with its size.
    expect(tracebackEnd(3, ['Traceback (most recent call last):', '  File "main.py", line 9, in <module>', 'MemoryError: memory allocation failed, allocating 9600 bytes'])).toEqual({ start: 3, end: 5 });
  });
  it('is not known while the lines give out before an exception line', () => {
    expect(tracebackEnd(0, ['Traceback (most recent call last):', '  File "main.py", line 9'])).toBeNull();
    expect(tracebackEnd(0, ['Traceback (most recent call last):', ...Array.from({ length: 300 }, () => '  x'), 'E'])).toBeNull();
  });
});

/** The rows a fold map should give, spelt out: every line, folded ones as their fold's first line. */
function rowsByHand(lines: number, folds: Fold[]): number[] {
  const rows: number[] = [];
  for (let l = 0; l < lines; l++) {
    const f = folds.find((x) => l >= x.start && l <= x.end);
    if (!f || l === f.start) rows.push(l);
  }
  return rows;
}

describe('FoldMap', () => {
  it('agrees with folding by hand, both ways, for any folds', () => {
    const arb = fc
      .record({ lines: fc.integer({ min: 1, max: 200 }), cuts: fc.array(fc.tuple(fc.nat(199), fc.integer({ min: 1, max: 8 })), { maxLength: 12 }) })
      .map(({ lines, cuts }) => {
        const folds: Fold[] = [];
        let after = -1;
        for (const [s, n] of [...cuts].sort((a, b) => a[0] - b[0])) {
          if (s <= after || s + n >= lines) continue;
          folds.push({ start: s, end: s + n });
          after = s + n;
        }
        return { lines, folds };
      });
    fc.assert(
      fc.property(arb, ({ lines, folds }) => {
        const m = new FoldMap(lines, folds);
        const want = rowsByHand(lines, folds);
        expect(m.rows).toBe(want.length);
        want.forEach((line, row) => {
          expect(m.lineOfRow(row)).toBe(line);
          const f = m.foldAtRow(row);
          expect(f ? f.start : line).toBe(line);
          expect(!!f).toBe(folds.some((x) => x.start === line));
        });
        for (let l = 0; l < lines; l++) expect(want[m.rowOfLine(l)]).toBe(folds.find((x) => l >= x.start && l <= x.end)?.start ?? l);
      }),
    );
  });
});
