import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/shared/capture/captureReader';
import { computeMetrics } from '../../src/shared/heap/metrics';
import { corpusFile, corpusNames, expectedFigures, SEEDS, snapshotsOf } from '../support/corpus';

describe('real dumps from real boards reproduce expected.json', () => {
  const expected = expectedFigures();
  for (const name of corpusNames()) {
    it(name, () => {
      const snaps = snapshotsOf(readCapture(corpusFile(name)));
      const got = snaps.map((s) => {
        const m = computeMetrics(s);
        return {
          line: s.line,
          printed: s.printed && {
            total: s.printed.total,
            used: s.printed.used,
            free: s.printed.free,
            maxNewSplit: s.printed.maxNewSplit,
          },
          areas: s.areas.map((a) => ({ address: a.address, blocks: a.blocks })),
          blockSize: s.blockSize,
          counts: { free: m.freeBlocks, head: m.headBlocks, tail: m.tailBlocks },
          largestFreeRun: m.largestFreeRun,
          complete: s.complete,
          consistent: s.consistent,
        };
      });
      expect(got).toEqual(expected[name]);
      // Every problem is reported in words, and a clean dump reports none.
      for (const s of snaps) {
        if (s.complete && s.consistent && !/truncated|separator|prefix/.test(name)) expect(s.problems).toEqual([]);
        if (!s.complete || !s.consistent) expect(s.problems.length).toBeGreaterThan(0);
      }
    });
  }

  it('damaged dumps name the damage', () => {
    const problems = (name: string) => snapshotsOf(readCapture(corpusFile(name)))[0].problems.join('\n');
    expect(problems('015-rp2-v1.20.0-pico-stubber-addr-truncated.txt')).toMatch(/line 9: address cut short/);
    expect(problems('016-rp2-v1.20.0-pico-stubber-dropped-map-char.txt')).toMatch(/line 65: map line has 63 blocks/);
    expect(problems('017-rp2-v1.20.0-pico-stubber-dropped-separator.txt')).toMatch(/line 26: ": " separator lost/);
    expect(problems('018-rp2-v1.20.0-pico-stubber-addr-truncated-2.txt')).toMatch(/line 72: address cut short to 3 digits/);
    expect(problems('019-rp2-v1.20.0-w5500evbpico-stubber-gc-prefix-dropped.txt')).toMatch(/line 4: start of the GC line lost/);
  });

  it('interleaved program output is kept line for line', () => {
    const bytes = corpusFile('020-esp32s3-v1.20.0-stubber.txt');
    const events = readCapture(bytes);
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.text] : []));
    const lines = new TextDecoder().decode(bytes).split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const s = snapshotsOf(events)[0];
    const dumpLines = new Set<number>();
    // The dump's lines are exactly the ones between its first line and its end.
    const dumpEndLine = lines.findIndex((l, i) => i >= s.line - 1 && !/^(stack|GC|\s*No\.|[0-9a-f]{8}:|\s+\()/.test(l));
    for (let i = s.line - 1; i < dumpEndLine; i++) dumpLines.add(i);
    const outside = lines.filter((_, i) => !dumpLines.has(i));
    expect(logs).toEqual(outside);
    expect(logs.filter((l) => l.startsWith('INFO')).length).toBeGreaterThan(3);
  });
});

describe('the seeds', () => {
  it('a 2016 STM32 capture: t tails, absolute 20-bit addresses, MemoryError tracebacks', () => {
    const events = readCapture(readFileSync(path.join(SEEDS, '000_2cd76ab42096ead2.txt')));
    const [s] = snapshotsOf(events);
    expect(s.addressStyle).toBe('abs5');
    expect(s.blockSize).toBe(16);
    expect(s.areas).toHaveLength(1);
    expect(s.areas[0].address).toBe('20003600');
    expect(s.complete && s.consistent).toBe(true);
    const m = computeMetrics(s);
    expect(m.usedBytes).toBe(145840);
    expect(m.freeBytes).toBe(20560);
    expect(m.kinds.t).toBeUndefined(); // old tails read as tails, not as a head letter
    const errors = events.filter((e) => e.type === 'device' && e.kind === 'memoryError');
    expect(errors.map((e) => (e.type === 'device' ? e.bytes : 0))).toEqual([582, 582]);
  });

  it('an ESP8266 capture: header-only dumps, then a map with a pasted fold line', () => {
    const snaps = snapshotsOf(readCapture(readFileSync(path.join(SEEDS, '001_875b3f0662365714.txt'))));
    expect(snaps.map((s) => s.areas.length)).toEqual([0, 0, 1]);
    expect(snaps[0].printed?.used).toBe(13760);
    expect(snaps[1].printed?.used).toBe(14288);
    expect(snaps[0].complete).toBe(false); // no map: it cannot cover the heap
    const s = snaps[2];
    expect(s.addressStyle).toBe('off5');
    expect(s.complete && s.consistent).toBe(true);
    expect(computeMetrics(s).usedBytes).toBe(14656);
  });
});
