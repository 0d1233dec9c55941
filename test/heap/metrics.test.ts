import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/shared/heap/metrics';
import type { HeapSnapshot } from '../../src/shared/heap/snapshot';

/** The definitions from DUMP-FORMAT.md, one block at a time, as plainly as possible. */
function reference(areas: string[]) {
  let free = 0, tail = 0, head = 0, unknown = 0, largestFree = 0, freeRuns = 0, one = 0, two = 0, largestAlloc = 0;
  const kinds: Record<string, number> = {};
  for (const a of areas) {
    // Split into objects (head + tails) and free runs.
    const runs = (a.match(/\.+|\x00+|[^.=\x00]?=*/g) ?? []).filter((r) => r.length > 0);
    for (const r of runs) {
      if (r[0] === '.') {
        free += r.length;
        freeRuns++;
        largestFree = Math.max(largestFree, r.length);
      } else if (r[0] === '\x00') {
        unknown += r.length;
      } else {
        const tails = r[0] === '=' ? r.length : r.length - 1;
        tail += tails;
        if (r[0] !== '=') {
          head++;
          kinds[r[0]] = (kinds[r[0]] ?? 0) + 1;
        }
        if (r.length === 1) one++;
        if (r.length === 2) two++;
        largestAlloc = Math.max(largestAlloc, r.length);
      }
    }
  }
  return { free, tail, head, unknown, largestFree, freeRuns, one, two, largestAlloc, kinds };
}

const snapshotOf = (areas: string[], offset = 0): HeapSnapshot =>
  ({
    areas: areas.map((a) => {
      const buf = new Uint8Array(a.length + offset);
      for (let i = 0; i < a.length; i++) buf[i + offset] = a.charCodeAt(i);
      return { address: '0', blocks: a.length, kinds: buf.subarray(offset) };
    }),
    blockSize: 16,
    printed: null,
    stats: null,
  }) as unknown as HeapSnapshot;

describe('metrics', () => {
  it('match the plain definitions on any map, aligned or not (property)', () => {
    const block = fc.constantFrom('.', '.', '.', '=', '=', 'h', 'T', 'S', 'A', '\x00');
    const area = fc.array(fc.oneof(block, block.map((c) => c.repeat(9))), { maxLength: 300 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(area, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 3 }), (areas, offset) => {
        const m = computeMetrics(snapshotOf(areas, offset));
        const r = reference(areas);
        expect(m).toMatchObject({
          freeBlocks: r.free,
          tailBlocks: r.tail,
          headBlocks: r.head,
          unknownBlocks: r.unknown,
          largestFreeRun: r.largestFree,
          freeRuns: r.freeRuns,
          oneBlockAllocs: r.one,
          twoBlockAllocs: r.two,
          largestAlloc: r.largestAlloc,
          kinds: r.kinds,
        });
        expect(m.usedBytes).toBe((r.head + r.tail) * 16);
        expect(m.fragmentation).toBeCloseTo(r.free ? 1 - r.largestFree / r.free : 0, 10);
      }),
      { numRuns: 400 },
    );
  });

  it('free runs do not continue across areas', () => {
    const m = computeMetrics(snapshotOf(['h=....', '....h']));
    expect(m.largestFreeRun).toBe(4);
    expect(m.freeRuns).toBe(2);
  });

  it('fall back to stats when there is no map', () => {
    const s = { areas: [], blockSize: null, printed: null, stats: { alloc: 1000, free: 3000 } } as unknown as HeapSnapshot;
    expect(computeMetrics(s)).toMatchObject({ usedBytes: 1000, freeBytes: 3000, totalBytes: 4000 });
  });
});
