import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/shared/capture/captureReader';
import type { CaptureEvent } from '../../src/shared/capture/events';
import { agesAt, aliveAt, blameByPhase, compareObjects, feedEvent, LifetimeTracker, rowOf, type LifetimeFrame } from '../../src/shared/lifetimes';
import { referenceLives, type RefStep } from './reference';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** Capture events as reference steps (what feedEvent does, spelt out). */
function stepsOf(events: CaptureEvent[]): RefStep[] {
  const steps: RefStep[] = [];
  for (const e of events) {
    if (e.type === 'log' && e.text.trim() !== '') steps.push({ phase: e.text });
    else if (e.type === 'mark') steps.push({ phase: e.label });
    else if (e.type === 'device' && e.kind === 'softReboot') steps.push({ reset: true });
    else if (e.type === 'snapshot') steps.push({ frame: { index: e.snapshot.index, timeMs: e.snapshot.deviceMs, areas: e.snapshot.areas } });
  }
  return steps;
}

function track(steps: RefStep[]): LifetimeTracker {
  const t = new LifetimeTracker();
  for (const s of steps) {
    if ('phase' in s) t.notePhase('log', s.phase, 1);
    else if ('reset' in s) t.reset();
    else t.addFrame(s.frame);
  }
  return t;
}

/** The tracker agrees with the reference at every frame, and compare agrees with set differences. */
function expectAgrees(steps: RefStep[], pairs = 20): void {
  const t = track(steps);
  const ref = referenceLives(steps);
  expect(t.frameCount).toBe(ref.length);
  for (const { index, alive } of ref) {
    const got = aliveAt(t, index).map((id) => {
      const r = rowOf(t, id);
      return { area: r.area, start: r.start, length: r.blocks, kind: r.kind, bornFrame: r.bornFrame, bornBefore: r.bornBefore, phase: r.bornNear };
    });
    const want = [...alive.values()].sort((a, b) => a.area - b.area || a.start - b.start);
    got.sort((a, b) => a.area - b.area || a.start - b.start);
    expect(got).toEqual(want);
  }
  // Died: the first frame an object is missing from.
  for (let id = 0; id < t.count; id++) {
    const r = rowOf(t, id);
    const k = ref.findIndex((f) => f.index === r.bornFrame);
    let dies = -1;
    for (let j = k; j < ref.length; j++) {
      const o = ref[j].alive.get(`${r.area}:${r.start}`);
      if (!o || o.bornFrame !== r.bornFrame) {
        dies = ref[j].index;
        break;
      }
    }
    expect(r.diedFrame).toBe(dies);
  }
  for (let p = 0; p < pairs && ref.length > 0; p++) {
    const a = ref[(p * 7) % ref.length];
    const b = ref[(p * 13 + 3) % ref.length];
    const [x, y] = a.index <= b.index ? [a, b] : [b, a];
    const c = compareObjects(t, x.index, y.index);
    const keys = (ids: number[]) => ids.map((id) => `${t.area[id]}:${t.start[id]}:${rowOf(t, id).bornFrame}`).sort();
    const ident = (m: Map<string, { bornFrame: number }>) => new Set([...m].map(([k, o]) => `${k}:${o.bornFrame}`));
    const A = ident(x.alive);
    const B = ident(y.alive);
    expect(keys(c.survived)).toEqual([...A].filter((k) => B.has(k)).sort());
    expect(keys(c.gone)).toEqual([...A].filter((k) => !B.has(k)).sort());
    expect(keys(c.added)).toEqual([...B].filter((k) => !A.has(k)).sort());
  }
}

const CODES = [0x2e, 0x2e, 0x2e, 0x3d, 0x3d, 0x68, 0x54, 0x53, 0x00];

describe('object lifetimes: the tracker agrees with the slow reference', () => {
  it('on the real leak demo (MicroPython 1.27, 81 dumps)', () => {
    expectAgrees(stepsOf(readCapture(fixture('leak-demo.txt'))));
  });

  it('on the real steady demo (churn)', () => {
    expectAgrees(stepsOf(readCapture(fixture('steady-demo.txt'))));
  });

  it('on random heaps: mutations, lost blocks, new heaps, reboots, lines between dumps', () => {
    const step = fc.oneof(
      { weight: 6, arbitrary: fc.array(fc.tuple(fc.nat(63), fc.constantFrom(...CODES)), { maxLength: 12 }).map((m) => ({ mutate: m })) },
      { weight: 2, arbitrary: fc.string({ maxLength: 6 }).map((p) => ({ phase: p })) },
      { weight: 1, arbitrary: fc.constant({ reset: true as const }) },
      { weight: 1, arbitrary: fc.constant({ reshape: true as const }) },
      { weight: 1, arbitrary: fc.constant({ noMap: true as const }) },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CODES), { minLength: 64, maxLength: 64 }), fc.array(step, { maxLength: 40 }), (base, ops) => {
        let k = Uint8Array.from(base);
        let second = false;
        let index = 0;
        const steps: RefStep[] = [];
        const frame = (): LifetimeFrame => {
          const areas = second ? [{ address: 'a', kinds: k.slice(0, 40) }, { address: 'b', kinds: k.slice(40) }] : [{ address: 'a', kinds: k.slice() }];
          return { index: index++, timeMs: index * 100, areas };
        };
        steps.push({ frame: frame() });
        for (const op of ops) {
          if ('mutate' in op) {
            k = k.slice();
            for (const [i, c] of op.mutate) k[i] = c;
            steps.push({ frame: frame() });
          } else if ('phase' in op) steps.push({ phase: op.phase });
          else if ('reset' in op) steps.push({ reset: true });
          else if ('reshape' in op) {
            second = !second;
            steps.push({ frame: frame() });
          } else steps.push({ frame: { index: index++, timeMs: null, areas: [] } });
        }
        expectAgrees(steps, 6);
      }),
      { numRuns: 300 },
    );
  });

  it('on larger heaps given at any byte offset: far-apart changes, objects cut or grown across a change', () => {
    // The tracker walks only the stretches that changed, comparing words: maps of a length that
    // is no multiple of four, views that start off a word boundary, long unchanged runs between
    // edits, and edits that cut an object or make one longer over its unchanged neighbours.
    const N = 301;
    const edit = fc.tuple(fc.nat(N - 1), fc.constantFrom(0x2e, 0x68, 0x54, 0x42, 0x00), fc.nat(40));
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CODES), { minLength: N, maxLength: N }), fc.array(fc.tuple(fc.array(edit, { maxLength: 4 }), fc.nat(3)), { maxLength: 25 }), (base, ops) => {
        let k = Uint8Array.from(base);
        let index = 0;
        const steps: RefStep[] = [];
        const frame = (offset: number): LifetimeFrame => {
          const buf = new Uint8Array(N + 8);
          buf.set(k, offset);
          return { index: index++, timeMs: index * 100, areas: [{ address: 'a', kinds: buf.subarray(offset, offset + N) }] };
        };
        steps.push({ frame: frame(0) });
        for (const [edits, offset] of ops) {
          k = k.slice();
          // An object written whole: its head, then tails (`=`) over whatever was there.
          for (const [at, c, len] of edits) {
            k[at] = c;
            if (c !== 0x2e && c !== 0x00) k.fill(0x3d, at + 1, Math.min(N, at + 1 + len));
            else k.fill(c, at + 1, Math.min(N, at + 1 + (len % 4)));
          }
          steps.push({ frame: frame(offset) });
        }
        expectAgrees(steps, 6);
      }),
      { numRuns: 200 },
    );
  });
});

describe('object lifetimes: what the window and the CLI ask', () => {
  const events = readCapture(fixture('leak-demo.txt'));
  const t = new LifetimeTracker();
  for (const e of events) feedEvent(t, e);
  const snaps = events.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : []));
  const last = snaps[snaps.length - 1];

  it('blame by phase: the leak is born during the loop that prints its progress', () => {
    const b = blameByPhase(t, last.index);
    expect(b[0].phase).toBe('leak: # items, #.# KB held, # B free');
    expect(b[0].example).toMatch(/^leak: \d+ items/);
    const alive = aliveAt(t, last.index);
    expect(b.reduce((s, g) => s + g.count, 0)).toBe(alive.length);
    expect(b.reduce((s, g) => s + g.blocks, 0)).toBe(alive.reduce((s, id) => s + t.length[id], 0));
  });

  it('ages: each block of an object carries its age in frames, 0 where nothing lives', () => {
    const [ages] = agesAt(t, last.index, [last.areas[0].blocks]);
    const k = last.areas[0].kinds;
    for (let i = 0; i < k.length; i++) expect(ages[i] === 0).toBe(k[i] === 0x2e);
    // An object there since the first dump is as old as the session.
    expect(Math.max(...ages)).toBe(t.frameCount);
  });

  it('compare totals per kind add up to the lists', () => {
    const c = compareObjects(t, snaps[10].index, last.index);
    for (const list of ['added', 'gone', 'survived'] as const) {
      expect(c.totals[list].reduce((s, k) => s + k.count, 0)).toBe(c[list].length);
    }
    expect(c.added.length).toBeGreaterThan(500);
  });
});
