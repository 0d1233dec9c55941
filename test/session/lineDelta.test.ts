import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineDeltaDecoder, LineDeltaEncoder } from '../../src/main/session/lineDelta';
import { corpusFile, corpusNames, enc } from '../support/corpus';
import { synthCapture } from './synth';

/** Encodes in the given pieces, with flushes and segment cuts where asked; decodes; returns the bytes. */
function roundTrip(bytes: Uint8Array, pieces: number[], flushes: Set<number>, cuts: Set<number>, cells = true): Uint8Array {
  const e = new LineDeltaEncoder({ cells });
  const d = new LineDeltaDecoder();
  // A record's ops and its cell stream, taken together as the writer does.
  const take = () => {
    const ops = e.take();
    d.decode(ops, e.takeCells());
  };
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const n = Math.max(1, pieces[k % pieces.length]);
    e.push(bytes.subarray(at, at + n));
    at = Math.min(bytes.length, at + n);
    if (flushes.has(k)) {
      e.flushPartial();
      take();
    }
    if (cuts.has(k)) {
      // A segment cut somewhere in the bytes held back.
      const p = e.codedEnd + Math.floor((e.pushed - e.codedEnd) / 2);
      e.splitAt(p);
      take();
      e.clearTables();
      d.reset();
    }
    k++;
  }
  e.flushPartial();
  take();
  return d.view().slice();
}

const mapish = fc
  .record({
    indent: fc.constantFrom('', '   ', "'", '0> '),
    addr: fc.integer({ min: 0, max: 0xfff }).map((a) => (a * 0x400).toString(16).padStart(8, '0')),
    sep: fc.constantFrom(': ', ':', ' ', ''),
    chars: fc.stringMatching(/^[.=hTLDSABMF]{1,70}$/),
    eol: fc.constantFrom('\r\n', '\n', '\r', ''),
  })
  .map((r) => `${r.indent}${r.addr}${r.sep}${r.chars}${r.eol}`);
const texty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.tuple(fc.nat(99999), fc.nat(20), fc.constantFrom('\r\n', '\n', '\r')).map(([a, b, eol]) => `GC: total: ${a}, used: ${b}0, free: 0${a}${eol}`),
  fc.constantFrom('GC memory layout; from 20006a40:\r\n', 'GC memory layout; from 0x3ffe0000:\n', '       (12 lines all free)\r\n', '\r\n', '\n'),
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('\n', '\r\n')).map(([a, b, eol]) => `step ${a} slot ${b} x${'9'.repeat(18)} 007${eol}`),
);

describe('line-delta transform', () => {
  it('gives back every corpus file and a synthetic capture, whatever the chunking, with and without the heap model', () => {
    const files = [...corpusNames().map(corpusFile), synthCapture({ dumps: 40, blocks: 3000 }), synthCapture({ dumps: 20, framed: true, eol: '\n' })];
    for (const cells of [true, false]) {
      for (const bytes of files) {
        for (const pieces of [[bytes.length], [1], [7, 300, 64], [4096]]) {
          const back = roundTrip(bytes, pieces, new Set([3, 50, 51]), new Set([10, 200]), cells);
          expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
        }
      }
    }
  });

  it('gives back any bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(mapish, mapish, texty), { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 10 }),
        fc.uniqueArray(fc.nat(80)),
        fc.uniqueArray(fc.nat(80)),
        (lines, pieces, flushes, cuts) => {
          // Each line twice, the second one a little changed, so SAME/PATCH/NUMS all occur.
          const text = lines.map((l) => l + l.replace(/[h.]/, 'T').replace(/\d/, '7')).join('');
          const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
          const back = roundTrip(bytes, pieces, new Set(flushes), new Set(cuts));
          expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('gives back any sequence of maps through the heap model (property)', () => {
    // Dumps of the same few addresses whose cells change anyhow: objects appear, vanish, grow,
    // change kind; orphan tails; lines of cells only, and lines that end in other text.
    const cellLine = fc.oneof(fc.stringMatching(/^[.=hTLDSAB]{24}$/), fc.stringMatching(/^[.=hTLDSAB]{8,40}$/));
    const dump = fc.array(fc.tuple(fc.nat(5), cellLine, fc.boolean()), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(dump, { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }), fc.uniqueArray(fc.nat(40)), (dumps, pieces, flushes) => {
        const text = dumps
          .map((lines) => 'GC memory layout; from 20000:\r\n' + lines.map(([a, cells, plain]) => `${(a * 0x400).toString(16).padStart(8, '0')}: ${cells}${plain ? '' : ' x'}\r\n`).join(''))
          .join('');
        const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
        const back = roundTrip(bytes, pieces, new Set(flushes), new Set());
        expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes map lines whose MAP ops change from dump to dump (cells kept from an op only while its lines are untouched)', () => {
    // The decoder keeps each MAP op's cells to start the next op from the same line; these dumps
    // make every way that can go stale: a line missing (the op starts later and writes the
    // lines after it), a line changed outside its cells (a patch), a line new to its slot, the
    // map growing and shrinking at its end.
    const cells = (seed: number, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const x = (i * 7 + seed * 13) % 11;
        return x < 4 ? '.' : x < 7 ? '=' : 'hTLDA'[(i + seed) % 5];
      })
        .join('')
        .replace(/^=/, 'h');
    const line = (a: number, seed: number, indent = '') => `${indent}${(a * 0x400).toString(16).padStart(8, '0')}: ${cells(seed + a, 32)}\r\n`;
    const dumps: string[] = [];
    const plan: Array<{ lines: number[]; patch?: number; missing?: number }> = [
      { lines: [0, 1, 2, 3, 4] },
      { lines: [0, 1, 2, 3, 4] },
      { lines: [0, 1, 2, 3, 4], missing: 0 },
      { lines: [0, 1, 2, 3, 4] },
      { lines: [0, 1, 2, 3, 4], patch: 2 },
      { lines: [0, 1, 2, 3, 4] },
      { lines: [0, 1, 2, 3, 4, 5, 6] },
      { lines: [0, 1, 2, 3] },
      { lines: [0, 1, 2, 3, 4, 5, 6], missing: 1 },
      { lines: [0, 1, 2, 3, 4, 5, 6] },
      { lines: [0, 1, 2, 3, 4, 5, 6] },
    ];
    plan.forEach((d, k) => {
      const text = d.lines
        .filter((a) => a !== d.missing)
        .map((a) => line(a, k % 3 === 2 && a !== 3 ? k - 1 : k, a === d.patch ? "'" : ''))
        .join('');
      dumps.push(`GC: total: ${k}\r\nGC memory layout; from 20000:\r\n${text}`);
    });
    const bytes = new Uint8Array(Buffer.from(dumps.join(''), 'latin1'));
    for (const pieces of [[bytes.length], [97], [5, 3000]]) {
      const back = roundTrip(bytes, pieces, new Set([2, 9]), new Set());
      expect(Buffer.from(back).toString('latin1')).toBe(Buffer.from(bytes).toString('latin1'));
    }
  });

  it('decodes MAP ops that share only their first lines with the last op from the same line (property)', () => {
    // The decoder takes the cells of the lines an op shares with the last op from its first
    // line (same lines, untouched since) from that op: ops that match for a few lines and then
    // differ (a line missing, patched outside its cells, new, or the map ending sooner or
    // later) in every order, cells changing or not.
    const cells = (seed: number) =>
      Array.from({ length: 32 }, (_, i) => {
        const x = (i * 7 + seed * 13) % 11;
        return x < 4 ? '.' : x < 7 ? '=' : 'hTLDA'[(i + seed) % 5];
      })
        .join('')
        .replace(/^=/, 'h');
    const step = fc.record({ end: fc.integer({ min: 1, max: 9 }), missing: fc.integer({ min: -1, max: 9 }), patch: fc.integer({ min: -1, max: 9 }), churn: fc.nat(3), keep: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { minLength: 2, maxLength: 16 }), fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 3 }), (plan, pieces) => {
        const seeds = new Map<number, number>();
        const dumps = plan.map((d, k) => {
          const lines: string[] = [];
          for (let a = 0; a < d.end; a++) {
            if (a === d.missing) continue;
            // A few lines change cells each dump (or none, when `keep`).
            if (!d.keep && (a + k) % 4 <= d.churn) seeds.set(a, k * 10 + a);
            lines.push(`${a === d.patch ? "'" : ''}${(a * 0x200).toString(16).padStart(8, '0')}: ${cells(seeds.get(a) ?? a)}\r\n`);
          }
          return `GC: total: ${k}\r\nGC memory layout; from 20000:\r\n${lines.join('')}`;
        });
        const bytes = new Uint8Array(Buffer.from(dumps.join(''), 'latin1'));
        const back = roundTrip(bytes, pieces, new Set(), new Set());
        expect(Buffer.from(back).toString('latin1')).toBe(Buffer.from(bytes).toString('latin1'));
      }),
      { numRuns: 300 },
    );
  });

  it('codes a repeated dump in a few bytes a line', () => {
    const dump = synthCapture({ dumps: 1, blocks: 6400 });
    const e = new LineDeltaEncoder({ cells: false });
    e.push(dump);
    const first = e.take().length;
    e.push(dump);
    const second = e.take().length;
    expect(first).toBeGreaterThan(dump.length * 0.9);
    // 100 map lines as one RUN, the header lines as NUMS; the layout line stays a literal.
    expect(second).toBeLessThan(80);
  });

  it('codes a changed dump through the heap model in fewer bytes than its patches', () => {
    const two = synthCapture({ dumps: 2, blocks: 6400, churn: 0.03 });
    const cut = Buffer.from(two).indexOf('GC memory layout', Buffer.from(two).indexOf('GC memory layout') + 1);
    const size = (cells: boolean) => {
      const e = new LineDeltaEncoder({ cells });
      e.push(two.subarray(0, cut));
      e.take();
      e.takeCells();
      e.push(two.subarray(cut));
      return zlib.deflateRawSync(e.take()).length + e.takeCells().length;
    };
    expect(size(true)).toBeLessThan(size(false) * 0.7);
  });

  it('rejects a damaged stream with its own error, never a crash', () => {
    for (const cells of [false, true]) {
      const e = new LineDeltaEncoder({ cells });
      e.push(synthCapture({ dumps: 3, blocks: 2000 }));
      e.flushPartial();
      const ops = e.take();
      const cellStream = e.takeCells();
      let x = 12345;
      for (let t = 0; t < 300; t++) {
        const bad = ops.slice();
        const badCells = cellStream.slice();
        x = (x * 1103515245 + 12345) >>> 0;
        if (cells && t % 2 === 1) badCells[x % badCells.length] ^= 1 + (x >>> 24);
        else bad[x % bad.length] ^= 1 + (x >>> 24);
        const d = new LineDeltaDecoder();
        try {
          d.decode(bad, badCells);
        } catch (err) {
          expect((err as Error).constructor.name).toBe('LineDeltaError');
        }
      }
    }
    expect(() => new LineDeltaDecoder().decode(enc('\x08'))).toThrow(/unknown op/);
    expect(() => new LineDeltaDecoder().decode(enc('\x07\x01\x00\x01'))).toThrow(/without their cells/);
  });
});

describe('line-delta decoding a piece at a time', () => {
  it('stops once the output reaches the point asked for, and goes on to give back the same bytes', () => {
    const bytes = synthCapture({ dumps: 12, seed: 4 });
    const e = new LineDeltaEncoder({ cells: true });
    e.push(bytes);
    e.flushPartial();
    const ops = e.take();
    const cells = e.takeCells();
    const d = new LineDeltaDecoder();
    d.begin(ops, cells);
    // A few hundred bytes in, a dump in, then to the end: each step stops soon after its point.
    let ended = false;
    for (const until of [300, 20000, 20001, 90000]) {
      ended = d.step(until);
      expect(ended).toBe(false);
      expect(d.length).toBeGreaterThanOrEqual(until);
      // A step ends at an op: a whole map op (a dump's lines) at most past the point.
      expect(d.length).toBeLessThan(until + 20000);
      expect(Buffer.from(d.view()).equals(Buffer.from(bytes.subarray(0, d.length)))).toBe(true);
    }
    expect(d.step(Infinity)).toBe(true);
    expect(Buffer.from(d.view()).equals(Buffer.from(bytes))).toBe(true);
    expect(() => d.step(Infinity)).toThrow(/no record/);
  });
});
