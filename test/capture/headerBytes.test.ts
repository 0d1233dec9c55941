import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/shared/capture/captureReader';
import { Stage } from '../../src/shared/capture/dumpAssembler';
import { BLOCKS_LINE, FOLD, GC_LINE, LAYOUT, MEM, STACK } from '../../src/shared/capture/dumpLines';
import { FIELDS, FOLD_UNSURE, readFold, readHeader, UNSURE } from '../../src/shared/capture/headerBytes';
import { asciiString } from '../../src/shared/capture/text';
import { snapshotsOf } from '../support/corpus';

/** What the text route makes of a line: its stage and figures, from the regexes themselves. */
function byText(text: string): { stage: Stage; fields: Array<number | string | null> } {
  const num = (x: string | undefined) => (x === undefined ? null : Number(x));
  let m: RegExpExecArray | null;
  if ((m = MEM.exec(text))) return { stage: Stage.Mem, fields: [num(m[1]), num(m[2]), num(m[3])] };
  if ((m = STACK.exec(text))) return { stage: Stage.Stack, fields: [num(m[1]), num(m[2])] };
  if ((m = GC_LINE.exec(text))) return { stage: Stage.Gc, fields: [num(m[1]), num(m[2]), num(m[3]), num(m[4])] };
  if ((m = BLOCKS_LINE.exec(text))) return { stage: Stage.Blocks, fields: [num(m[1]), num(m[2]), num(m[3]), num(m[4])] };
  if ((m = LAYOUT.exec(text))) return { stage: Stage.Map, fields: [m[1]] };
  return { stage: Stage.None, fields: [] };
}

/** What the byte route makes of it, in the same shape; null when it leaves the line to the text route. */
function byBytes(b: Uint8Array): { stage: Stage; fields: Array<number | string | null> } | null {
  const stage = readHeader(b, 0, b.length);
  if (stage === UNSURE) return null;
  const opt = (x: number) => (x < 0 ? null : x);
  switch (stage) {
    case Stage.Mem:
      return { stage, fields: [FIELDS[0], FIELDS[1], FIELDS[2]] };
    case Stage.Stack:
      return { stage, fields: [FIELDS[0], opt(FIELDS[1])] };
    case Stage.Gc:
    case Stage.Blocks:
      return { stage, fields: [FIELDS[0], FIELDS[1], FIELDS[2], opt(FIELDS[3])] };
    case Stage.Map:
      return { stage, fields: [asciiString(b, FIELDS[0], FIELDS[1])] };
    default:
      return { stage: Stage.None, fields: [] };
  }
}

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Lines built from the pieces of real header lines, damaged the way links damage them. */
const piece = fc.oneof(
  fc.constantFrom(
    'mem: total=', ', current=', ', peak=', 'stack: ', ' out of ', 'GC: total: ', ', used: ', ', free: ',
    ', max new split: ', 'No. of 1-blocks: ', ', 2-blocks: ', ', max blk sz: ', ', max free sz: ',
    'GC memory layout; from ', '0x', ':', '(', ' lines all free)', ' ', '\t', '\xa0', '\x0b', 'x', 'F', ', ',
  ),
  fc.stringMatching(/^[0-9]{1,18}$/),
  fc.stringMatching(/^[0-9a-fA-F]{1,9}$/),
  fc.string({ maxLength: 3 }).map((s) => s.replace(/[\r\n]/g, '')),
  fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
);
const headerish = fc.oneof(
  fc.array(piece, { maxLength: 12 }).map((p) => p.join('')),
  // Whole lines as boards print them, cut short anywhere.
  fc.tuple(
    fc.constantFrom(
      'mem: total=2260, current=1296, peak=2492',
      'stack: 432 out of 32768',
      'stack: 1264',
      'GC: total: 192064, used: 2256, free: 189808, max new split: 134217728',
      'GC: total: 2048, used: 912, free: 1136',
      'No. of 1-blocks: 20, 2-blocks: 3, max blk sz: 45, max free sz: 11783',
      'No. of 1-blocks: 6, 2-blocks: 2, max blk sz: 8',
      'GC memory layout; from 0x20003600:',
      'GC memory layout; from 30bc0:',
      'GC memory layout; from 0x:',
      'GC memory layout; from 0x0x1f:',
      'GC memory layout; from 0x3FFB5A30:',
      'GC memory layout; from 3ffB5a30:',
    ),
    fc.nat(),
    fc.string({ maxLength: 4 }),
  ).map(([line, cut, tail]) => line.slice(0, line.length - (cut % (line.length + 1))) + tail),
);

describe('header lines read from bytes', () => {
  it('give the regexes’ stage and figures, or leave the line to them (property)', () => {
    fc.assert(
      fc.property(headerish, (text) => {
        const got = byBytes(latin1(text));
        if (got === null) return; // the text route decides
        expect(got).toEqual(byText(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('decide every line a board prints, and leave what they cannot read exactly to the text', () => {
    for (const line of [
      'mem: total=2260, current=1296, peak=2492',
      'stack: 432 out of 32768',
      'GC: total: 192064, used: 2256, free: 189808, max new split: 134217728',
      'No. of 1-blocks: 20, 2-blocks: 3, max blk sz: 45, max free sz: 11783',
      'GC memory layout; from 0x3ffb5a30:',
      'GC memory layout; from 0x3FFB5A30:',
      'step 12 slot 3 alloc 256',
      'Some other output',
    ]) {
      expect(byBytes(latin1(line))).toEqual(byText(line));
    }
    expect(byBytes(latin1('GC: total: 1234567890123456, used: 1, free: 2'))).toBeNull();
    expect(byBytes(latin1('stack: 1' + ' '.repeat(5000)))).toBeNull();
  });

  it('read folds as FOLD does, spaces of every kind included', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.constantFrom('(', '( ', '(\t', '(\xa0 ', '(\x0c', ' (', ''), fc.stringMatching(/^[0-9]{0,17}$/), fc.constantFrom(' lines all free)', ' lines all free', ' lines all free) x', ' line all free)')),
        ([open, n, close]) => {
          const text = open + n + close;
          const got = readFold(latin1(text), 0, text.length);
          if (got === FOLD_UNSURE) return;
          const m = FOLD.exec(text);
          expect(got).toBe(m ? Number(m[1]) : -1);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a header figure too long for the bytes is still read, by the text route', () => {
    const big = '12345678901234567890';
    const dump = `GC: total: ${big}, used: 16, free: 48\nNo. of 1-blocks: 1, 2-blocks: 0, max blk sz: 1\nGC memory layout; from 20000000:\n00000000: h...\n`;
    const [s] = snapshotsOf(readCapture(latin1(dump)));
    expect(s.printed?.total).toBe(Number(big));
    expect(s.printed?.used).toBe(16);
    expect(s.areas[0].address).toBe('20000000');
  });
});
