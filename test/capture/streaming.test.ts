import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureReader, readCapture } from '../../src/shared/capture/captureReader';
import type { CaptureEvent } from '../../src/shared/capture/events';
import { FREE, TAIL, UNKNOWN } from '../../src/shared/heap/blockKinds';
import { comparable, corpusFile, corpusNames, enc } from '../support/corpus';
import { randomMap, renderDump } from '../support/renderDump';

function feedIn(bytes: Uint8Array, sizes: (i: number) => number): CaptureEvent[] {
  const r = new CaptureReader();
  const out: CaptureEvent[] = [];
  let i = 0;
  let k = 0;
  while (i < bytes.length) {
    const n = Math.max(1, sizes(k++));
    out.push(...r.feed(bytes.subarray(i, i + n)));
    i += n;
  }
  out.push(...r.end());
  return out;
}

const framedCapture = (() => {
  const base = { style: 'off8', pool: 0x20008b00, blockSize: 16, tail: '=', fold: true, eol: '\r\n', header: true } as const;
  let s = '@@HS:H 1 350 timer 0 micropython\r\n';
  for (let i = 0; i < 6; i++) {
    s += `step ${i}: working…\r\n`;
    s += `partial ${i}@@HS:B ${i} ${i * 350} ${i % 2}\r\n${renderDump([randomMap(3000, i + 1)], base)}@@HS:E ${i}\r\n`;
  }
  s += 'MemoryError: memory allocation failed, allocating 582 bytes\r\n\x1b[0m>>> ';
  return enc(s);
})();

const captures: Array<[string, Uint8Array]> = [
  ...corpusNames().map((n): [string, Uint8Array] => [n, corpusFile(n)]),
  ['framed synthetic capture', framedCapture],
];

describe('chunking never changes the events', () => {
  for (const [name, bytes] of captures) {
    it(`${name}: one byte at a time`, () => {
      expect(comparable(feedIn(bytes, () => 1))).toEqual(comparable(readCapture(bytes)));
    });
  }

  it('random chunk sizes (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: captures.length - 1 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 50 }), (which, sizes) => {
        const bytes = captures[which][1];
        expect(comparable(feedIn(bytes, (k) => sizes[k % sizes.length]))).toEqual(comparable(readCapture(bytes)));
      }),
      { numRuns: 150 },
    );
  });
});

/** Blocks a capture could honestly yield: map characters present plus folded free lines. */
function blocksAvailable(bytes: Uint8Array): number {
  const text = Buffer.from(bytes).toString('latin1');
  let n = 0;
  for (const m of text.matchAll(/\(\s*(\d+) lines all free\)/g)) n += Number(m[1]) * 64;
  for (const c of text) if (c === '.' || c === '=' || /[A-Za-z]/.test(c)) n++;
  return n;
}

describe('damaged input never throws and never invents blocks', () => {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 80 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  );

  it('mutated real captures (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: captures.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 12 }), (which, muts) => {
        let b = Array.from(captures[which][1]);
        for (const m of muts) {
          const at = b.length ? m.at % b.length : 0;
          if (m.kind === 'delete') b.splice(at, m.len);
          else if (m.kind === 'insert') b.splice(at, 0, ...m.bytes);
          else if (m.kind === 'replace') b[at] = m.byte;
          else if (m.kind === 'duplicate') b.splice(at, 0, ...b.slice(at, at + m.len));
          else b = b.slice(0, at);
        }
        const bytes = Uint8Array.from(b);
        const events = readCapture(bytes);
        let known = 0;
        for (const e of events) {
          if (e.type !== 'snapshot') continue;
          for (const a of e.snapshot.areas) {
            expect(a.kinds.length).toBe(a.blocks);
            for (const k of a.kinds) if (k !== UNKNOWN) known++;
          }
          // Header-only dumps are incomplete by nature; a map that falls short must say why.
          if (e.snapshot.areas.length && (!e.snapshot.complete || !e.snapshot.consistent)) expect(e.snapshot.problems.length).toBeGreaterThan(0);
        }
        expect(known).toBeLessThanOrEqual(blocksAvailable(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), (bytes) => {
        const events = readCapture(bytes);
        for (const e of events) {
          if (e.type === 'snapshot') for (const a of e.snapshot.areas) for (const k of a.kinds) expect(k === UNKNOWN || k === FREE || k === TAIL || (k > 0x20 && k < 0x7f)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
