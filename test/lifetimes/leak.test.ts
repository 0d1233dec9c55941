import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/shared/capture/captureReader';
import { metricsOf } from '../../src/shared/heap/metrics';
import { formatLeak, leakVerdict, LifetimeTracker, SessionLifetimes } from '../../src/shared/lifetimes';
import { heapscope } from '../support/cli';
import { synthFrames, type SynthLeak } from './synthFrames';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const fixturePath = (name: string) => new URL(name, FIXTURES).pathname;

function lifetimesOf(name: string): SessionLifetimes {
  const life = new SessionLifetimes();
  for (const e of readCapture(new Uint8Array(readFileSync(fixturePath(name))))) life.addCaptureEvent(e);
  return life;
}

function synthVerdict(o: SynthLeak, free = 40_000) {
  const t = new LifetimeTracker();
  for (const f of synthFrames(o)) t.addFrame(f);
  return leakVerdict(t, { blockSize: 16, freeBytes: free, largestFreeRunBytes: free / 2, largestAllocBytes: 1000 });
}

describe('leak verdict: a synthetic heap known by construction', () => {
  it('one 3-block list per second that never dies: leaking exactly 2880 B/min, and when it runs out', () => {
    const v = synthVerdict({ frames: 60, leakBlocks: 3 });
    expect(v.verdict).toBe('leaking');
    expect(v.bytesPerMinute).toBe(3 * 16 * 60);
    expect(v.groups).toEqual([{ kind: 'L', size: 48, count: v.survivors.length, bornNear: '(before the first line)' }]);
    // The longest free run (20 000 B) less the largest allocation (1000 B) goes first, at 48 B/s.
    expect(v.forecastLimit).toBe('largestFreeRun');
    expect(v.forecastMs).toBe(Math.round(19_000 / 0.048));
    expect(formatLeak(v)).toBe('leaking 2880 B/min, no room for the largest allocation in about 7 min');
  });

  it('churn alone is steady; so is a one-off allocation that stays', () => {
    const churn = synthVerdict({ frames: 60 });
    expect(churn.verdict).toBe('steady');
    expect(churn.survivors).toEqual([]);
    const burst = synthVerdict({ frames: 60, burstAt: 30, burst: 200 });
    expect(burst.verdict).toBe('steady');
    expect(burst.survivors.length).toBe(1);
    expect(burst.reason).toMatch(/not added steadily/);
  });

  it('too few frames, or no clock: unknown, and says why', () => {
    expect(synthVerdict({ frames: 5, leakBlocks: 3 })).toMatchObject({ verdict: 'unknown', bytesPerMinute: null, reason: expect.stringMatching(/5 frames/) });
    const t = new LifetimeTracker();
    for (const f of synthFrames({ frames: 40, leakBlocks: 3 })) t.addFrame({ ...f, timeMs: null });
    expect(leakVerdict(t, { blockSize: 16, freeBytes: 1, largestFreeRunBytes: 1, largestAllocBytes: 1 }).reason).toMatch(/no clock/);
  });
});

describe('leak verdict on the virtual board (real MicroPython dumps, recorded)', () => {
  it('the leak demo leaks: dicts and strings born during its progress line; rate near the growth of live data', () => {
    const life = lifetimesOf('leak-demo.txt');
    const v = life.leak();
    expect(v.verdict).toBe('leaking');
    const kinds = v.groups.map((g) => g.kind);
    expect(kinds).toEqual(expect.arrayContaining(['D', 'S']));
    for (const g of v.groups) expect(g.bornNear).toBe('leak: # items, #.# KB held, # B free');
    // The demo prints what it holds ("N.N KB held" after a collect): the rate must agree within a factor of 2.
    const events = readCapture(new Uint8Array(readFileSync(fixturePath('leak-demo.txt'))));
    const held = events.flatMap((e) => (e.type === 'log' && /^leak: \d+ items, (\d+)\.(\d) KB held/.test(e.text) ? [e] : []));
    const kb = (t: string) => Number(/(\d+\.\d) KB held/.exec(t)![1]) * 1024;
    const snaps = events.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : []));
    const timeAt = (line: number) => snaps.find((s) => s.line > line)!.deviceMs!;
    const a = held[1];
    const b = held[held.length - 1];
    const printedRate = ((kb(b.text) - kb(a.text)) / (timeAt(b.line) - timeAt(a.line))) * 60_000;
    expect(v.bytesPerMinute!).toBeGreaterThan(printedRate / 2);
    expect(v.bytesPerMinute!).toBeLessThan(printedRate * 2);
    // Forecast: from the last frame's free space at that rate.
    const last = snaps[snaps.length - 1];
    expect(v.forecastMs!).toBeLessThanOrEqual(Math.round(metricsOf(last).freeBytes! / (v.bytesPerMinute! / 60_000)) + 1000);
    expect(v.forecastMs!).toBeGreaterThan(30_000);
  });

  it('the steady demo is steady', () => {
    const v = lifetimesOf('steady-demo.txt').leak();
    expect(v.verdict).toBe('steady');
    expect(v.forecastMs).toBeNull();
  });
});

describe('inspect prints the verdict', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-leak-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--json has "leak" with verdict, rate, forecast and groups, for a capture and for its session alike', () => {
    const capture = heapscope(['inspect', '--json', fixturePath('leak-demo.txt')]);
    expect(capture.code).toBe(0);
    const leak = JSON.parse(capture.stdout).leak;
    expect(Object.keys(leak)).toEqual(expect.arrayContaining(['verdict', 'bytesPerMinute', 'forecastMs', 'groups']));
    expect(leak.verdict).toBe('leaking');
    expect(Object.keys(leak.groups[0]).sort()).toEqual(['bornNear', 'count', 'kind', 'size']);
    const session = path.join(dir, 'leak.hss');
    expect(heapscope(['import', fixturePath('leak-demo.txt'), '-o', session]).code).toBe(0);
    const fromSession = heapscope(['inspect', '--json', session]);
    expect(fromSession.code).toBe(0);
    // The session has host times too; with the board's clock in every dump, both read the same.
    expect(JSON.parse(fromSession.stdout).leak).toEqual(leak);
    const text = heapscope(['inspect', session]);
    expect(text.stdout).toMatch(/leak: leaking [\d.]+ (KiB|B)\/min, .* in about \d+ (s|min)/);
    expect(text.stdout).toMatch(/× D of 16 B, born during "leak: # items/);
  });

  it('the steady demo: "leak: steady"', () => {
    const r = heapscope(['inspect', fixturePath('steady-demo.txt')]);
    expect(r.stdout).toMatch(/^ {2}leak: steady \(/m);
  });
});
