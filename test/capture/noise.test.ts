/**
 * Serial noise in map lines: a UART replaces bytes. A hit line stays in its dump, its
 * unreadable cells become unknown blocks, the dump stays one snapshot and says what happened.
 * Checked on every real dump of the corpus (and the two seed captures), by hand and as a
 * property over random noise.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/shared/capture/captureReader';
import { MAP_CHARS, UNKNOWN } from '../../src/shared/heap/blockKinds';
import type { HeapSnapshot } from '../../src/shared/heap/snapshot';
import { corpusFile, corpusNames, enc, SEEDS, snapshotsOf } from '../support/corpus';

const SEED_CAPTURES = ['000_2cd76ab42096ead2.txt', '001_875b3f0662365714.txt'];
const captures: Array<[string, Uint8Array]> = [
  ...corpusNames().map((n): [string, Uint8Array] => [n, new Uint8Array(corpusFile(n))]),
  ...SEED_CAPTURES.map((n): [string, Uint8Array] => [n, new Uint8Array(readFileSync(path.join(SEEDS, n)))]),
];

/**
 * Where the map lines are: [start, end) of each line's address, separator and cells, without
 * what pasting put around it (indentation, quotes). At least 8 cells, so that no log line is
 * taken for one.
 */
function mapSpans(bytes: Uint8Array): Array<[number, number]> {
  const text = Buffer.from(bytes).toString('latin1');
  const spans: Array<[number, number]> = [];
  const re = /^(.*?)([0-9a-f]{3,8}:? ?[.=A-Za-z]{8,})['",\]\s]*$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (/[^\s'"[0-9>]/.test(m[1])) continue; // something other than paste decoration before it
    const start = m.index + m[1].length;
    spans.push([start, start + m[2].length]);
  }
  return spans;
}

/**
 * Bytes noise may put in place of another: anything that is no block character, save line
 * ends (those split a line: a different fault), `@` (two in a row open a frame) and the
 * characters a paste wraps a line in (space, tab, quotes, comma, brackets: at a line's end
 * they are read as that wrapping).
 */
const NOISE = (() => {
  const out: number[] = [];
  const wrapping = new Set([0x0a, 0x0d, 0x40, 0x20, 0x09, 0x27, 0x22, 0x2c, 0x5b, 0x5d]);
  for (let c = 0; c < 256; c++) if (MAP_CHARS[c] !== 1 && !wrapping.has(c)) out.push(c);
  return out;
})();

const shape = (snaps: HeapSnapshot[]) => snaps.map((s) => s.areas.map((a) => a.blocks));
const kindsText = (k: Uint8Array) => Buffer.from(k).toString('latin1');

/** The dump of 022 (a Pico W, fresh heap) with one map line replaced. */
function withLine(n: number, edit: (line: string) => string): { text: string; clean: HeapSnapshot } {
  const text = Buffer.from(corpusFile('022-rp2-v1.23plus-picow-after-soft-reset.txt')).toString('latin1');
  const lines = text.split('\n');
  const mapLines = lines.map((l, i) => (/^[0-9a-f]{8}: /.test(l) ? i : -1)).filter((i) => i >= 0);
  lines[mapLines[n]] = edit(lines[mapLines[n]]);
  return { text: lines.join('\n'), clean: snapshotsOf(readCapture(enc(text)))[0] };
}

describe('a map line with unexpected bytes', () => {
  for (const [name, byte] of [
    ['-', 0x2d],
    ['?', 0x3f],
    ['#', 0x23],
    ['~', 0x7e],
    ['NUL', 0x00],
    ['0xff', 0xff],
  ] as const) {
    it(`${name} in the middle: the line stays, that cell is unknown, the dump is one snapshot`, () => {
      const { text, clean } = withLine(1, (l) => l.slice(0, 30) + String.fromCharCode(byte) + l.slice(31));
      const snaps = snapshotsOf(readCapture(new Uint8Array(Buffer.from(text, 'latin1'))));
      expect(snaps).toHaveLength(1);
      const [s] = snaps;
      expect(s.areas[0].blocks).toBe(clean.areas[0].blocks);
      // Line 2 of the map, cell 30 - 10 (8 address digits and ": ").
      const at = 64 + 20;
      const want = new Uint8Array(clean.areas[0].kinds);
      want[at] = UNKNOWN;
      expect(kindsText(s.areas[0].kinds)).toBe(kindsText(want));
      expect(s.complete).toBe(false);
      expect(s.consistent).toBe(false);
      expect(s.problems.join('\n')).toMatch(/noise on the link: 1 character that is no block \(read as unknown block\)/);
      expect(s.problems.join('\n')).toMatch(/1 block unreadable \(noise on the link\): counted in neither used nor free/);
    });
  }

  it('in the first map line (once read as a 0-block snapshot, complete and consistent)', () => {
    const { text, clean } = withLine(0, (l) => l.slice(0, 12) + '#~' + l.slice(14));
    const snaps = snapshotsOf(readCapture(new Uint8Array(Buffer.from(text, 'latin1'))));
    expect(snaps).toHaveLength(1);
    expect(snaps[0].areas[0].blocks).toBe(clean.areas[0].blocks);
    expect(snaps[0].complete || snaps[0].consistent).toBe(false);
  });

  it('in the address: placed by position, no lines invented', () => {
    const { text, clean } = withLine(5, (l) => '0000?' + l.slice(5));
    const [s, more] = snapshotsOf(readCapture(new Uint8Array(Buffer.from(text, 'latin1'))));
    expect(more).toBeUndefined();
    expect(kindsText(s.areas[0].kinds)).toBe(kindsText(clean.areas[0].kinds));
    expect(s.problems.join('\n')).toMatch(/garbled address \(placed by position\)/);
  });

  it('a hex digit turned into another: the address jumps, but the next line says no line was lost', () => {
    // 00000400 → 00008400: 32 lines ahead, were it believed.
    const { text, clean } = withLine(1, (l) => '0000' + '8' + l.slice(5));
    const [s, more] = snapshotsOf(readCapture(new Uint8Array(Buffer.from(text, 'latin1'))));
    expect(more).toBeUndefined();
    expect(kindsText(s.areas[0].kinds)).toBe(kindsText(clean.areas[0].kinds));
    expect(s.problems.join('\n')).toMatch(/does not follow .*placed by position/);
  });

  it('in the separator: the cells are still read where they are', () => {
    const { text, clean } = withLine(2, (l) => l.slice(0, 8) + '?#' + l.slice(10));
    const [s, more] = snapshotsOf(readCapture(new Uint8Array(Buffer.from(text, 'latin1'))));
    expect(more).toBeUndefined();
    expect(kindsText(s.areas[0].kinds)).toBe(kindsText(clean.areas[0].kinds));
    expect(s.problems.join('\n')).toMatch(/damaged ": "/);
  });

  it('a program line after a dump is not read as a noisy map line', () => {
    const text = Buffer.from(corpusFile('022-rp2-v1.23plus-picow-after-soft-reset.txt')).toString('latin1');
    const events = readCapture(enc(text.trimEnd() + '\r\n>>> print(42)\r\n42\r\n12345678: done ~ ok\r\n'));
    expect(snapshotsOf(events)).toHaveLength(1);
    expect(snapshotsOf(events)[0].complete && snapshotsOf(events)[0].consistent).toBe(true);
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.text] : []));
    expect(logs).toContain('12345678: done ~ ok');
  });
});

describe('complete and consistent mean what they say', () => {
  it('a header and a layout line with no map is neither', () => {
    const text = 'GC: total: 2072832, used: 4416, free: 2068416\r\nNo. of 1-blocks: 41, 2-blocks: 13, max blk sz: 40, max free sz: 129272\r\nGC memory layout; from 7f00c0:\r\n>>> \r\n';
    const [s] = snapshotsOf(readCapture(enc(text)));
    expect(s.complete).toBe(false);
    expect(s.consistent).toBe(false);
    expect(s.problems.join('\n')).toMatch(/cannot be checked against the printed total, used and free/);
  });
});

describe('property: 1 to 3 noisy bytes anywhere in map lines', () => {
  for (const [name, bytes] of captures) {
    const spans = mapSpans(bytes);
    if (spans.length === 0) continue;
    it(`${name}: same number of snapshots, same block counts, the hit dump flagged`, () => {
      const clean = snapshotsOf(readCapture(bytes));
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(spans.length - 1), fc.nat(1000), fc.constantFrom(...NOISE)), { minLength: 1, maxLength: 3 }),
          (hits) => {
            const noisy = new Uint8Array(bytes); // a copy: a Buffer's slice() is a view
            const hitOffsets: number[] = [];
            for (const [line, pos, byte] of hits) {
              const [s, e] = spans[line];
              const at = s + (pos % (e - s));
              noisy[at] = byte === noisy[at] ? 0x23 : byte;
              hitOffsets.push(at);
            }
            const snaps = snapshotsOf(readCapture(noisy));
            expect(shape(snaps)).toEqual(shape(clean));
            // A dump noise hit says so in words, unless the noise changed nothing it reads (a
            // digit of an address already placed by position); one it missed is as it was.
            for (let i = 0; i < snaps.length; i++) {
              const hit = hitOffsets.some((o) => o >= clean[i].byteStart && o < clean[i].byteEnd);
              const same = snaps[i].areas.every((a, j) => kindsText(a.kinds) === kindsText(clean[i].areas[j].kinds));
              if (!hit || same) {
                expect(same).toBe(true);
                if (!hit) expect(snaps[i].problems).toEqual(clean[i].problems);
              } else {
                expect(snaps[i].problems).not.toEqual(clean[i].problems);
                expect(snaps[i].complete && snaps[i].consistent).toBe(false);
              }
            }
          },
        ),
        { numRuns: 150, seed: 8 },
      );
    });
  }
});
