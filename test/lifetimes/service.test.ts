import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { heapscope } from '../support/cli';
import { testService } from '../support/service';
import { turnsDuring } from '../support/eventLoop';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-life-svc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('service: getLifetimes', () => {
  it('gives the same verdict as inspect, and blame by phase at a frame', async () => {
    const session = path.join(dir, 'leak.hss');
    expect(heapscope(['import', fixture('leak-demo.txt'), '-o', session]).code).toBe(0);
    const fromCli = JSON.parse(heapscope(['inspect', '--json', session]).stdout).leak;
    const svc = testService(dir);
    await svc.openSession(session);
    const r = await svc.getLifetimes({});
    expect(r.frames).toBe(81);
    expect(r.frame).toBe(80);
    expect({ verdict: r.leak.verdict, bytesPerMinute: r.leak.bytesPerMinute, forecastMs: r.leak.forecastMs, groups: r.leak.groups }).toEqual({
      verdict: fromCli.verdict,
      bytesPerMinute: fromCli.bytesPerMinute,
      forecastMs: fromCli.forecastMs,
      groups: fromCli.groups,
    });
    expect(r.blame[0]).toMatchObject({ phase: 'leak: # items, #.# KB held, # B free', kind: 'log' });
    expect(r.blame[0].bytes).toBe(r.blame[0].blocks * 16);
    // Early on, less is alive and none of it was born during a progress line yet.
    const early = await svc.getLifetimes({ frame: 3 });
    expect(early.frame).toBe(3);
    expect(early.blame.every((b) => b.kind === 'start')).toBe(true);
    await svc.closeSession();
  });
});

describe('service: getLifetimes beside a recording', () => {
  it('gives way to the event loop while it catches up, so live dumps are pushed meanwhile', async () => {
    const session = path.join(dir, 'leak-yield.hss');
    const warm = path.join(dir, 'leak-yield-warm.hss');
    expect(heapscope(['import', fixture('leak-demo.txt'), '-o', session]).code).toBe(0);
    expect(heapscope(['import', fixture('leak-demo.txt'), '-o', warm]).code).toBe(0);
    const svc = testService(dir);
    // The first answer of a process compiles its code (one frame then takes 200 ms): warm it on another file.
    await svc.openSession(warm);
    await svc.getLifetimes({});
    await svc.closeSession();
    await svc.openSession(session);
    // The event loop's turns while the first answer is made (every frame walked): the longest
    // stretch without one is what a live dump's push would wait.
    const { result: r, turns, longest, took } = await turnsDuring(() => svc.getLifetimes({}));
    expect(r.frames).toBe(81);
    process.stdout.write(`  getLifetimes over 81 frames: ${took.toFixed(1)} ms, ${turns} turns of the event loop, longest stretch ${longest.toFixed(1)} ms\n`);
    // Walking 81 frames takes tens of ms; the loop turns in between. Without the yields it does
    // not turn at all (0 turns, the whole call one stretch); the bounds are generous for a loaded machine.
    expect(took).toBeGreaterThan(10);
    expect(turns).toBeGreaterThan(0);
    expect(longest).toBeLessThan(Math.max(25, took * 0.9));
    await svc.closeSession();
  });
});

describe('service: getObjects', () => {
  it('gives the objects alive at a frame with their births, and New / Gone / Survived between two', async () => {
    const session = path.join(dir, 'leak-objects.hss');
    expect(heapscope(['import', fixture('leak-demo.txt'), '-o', session]).code).toBe(0);
    const svc = testService(dir);
    await svc.openSession(session);
    const at = await svc.getObjects({ frame: 40 });
    expect(at.tracked).toBe(40);
    const alive = at.alive!;
    const n = alive.area.length;
    expect(n).toBeGreaterThan(50);
    expect(alive.kind.length).toBe(n);
    // Every one was born at or before the frame, is still alive, and its age counts frames since.
    for (let j = 0; j < n; j++) {
      expect(alive.bornFrame[j]).toBeLessThanOrEqual(40);
      expect(alive.diedFrame[j]).toBe(-1);
      expect(alive.ageFrames[j]).toBe(40 - alive.bornFrame[j] + 1);
      expect(at.phases[alive.phase[j]]).toBeDefined();
    }
    // Heads sit where the map has heads of that letter.
    const snap = await svc.getSnapshot(40);
    for (let j = 0; j < n; j++) expect(String.fromCharCode(snap.areas[alive.area[j]].kinds[alive.start[j]])).toBe(alive.kind[j]);
    // Objects born during the leak's progress lines are there.
    expect(alive.phase.some((p) => at.phases[p].text.startsWith('leak:'))).toBe(true);

    const c = (await svc.getObjects({ frame: 60, from: 20 })).compare!;
    expect([c.from, c.to]).toEqual([20, 60]);
    const a = (await svc.getObjects({ frame: 20 })).alive!;
    const b = (await svc.getObjects({ frame: 60 })).alive!;
    const key = (cols: typeof a, j: number) => `${cols.area[j]}:${cols.start[j]}:${cols.bornFrame[j]}`;
    const keys = (cols: typeof a) => new Set(cols.area.map((_, j) => key(cols, j)));
    const A = keys(a);
    const B = keys(b);
    expect(keys(c.survived)).toEqual(new Set([...A].filter((k) => B.has(k))));
    expect(keys(c.added)).toEqual(new Set([...B].filter((k) => !A.has(k))));
    expect(keys(c.gone)).toEqual(new Set([...A].filter((k) => !B.has(k))));
    // Gone objects died between A and B; totals per kind add up.
    for (const d of c.gone.diedFrame) expect(d > 20 && d <= 60).toBe(true);
    expect(c.totals.added.reduce((s, k) => s + k.count, 0)).toBe(c.added.area.length);
    expect(c.totals.gone.reduce((s, k) => s + k.blocks, 0)).toBe(c.gone.blocks.reduce((s, x) => s + x, 0));
    await expect(svc.getObjects({ frame: 100000 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await svc.closeSession();
  });
});

describe('service: getLifetimes while recording', () => {
  it('asked again and again as a recording grows, ends with the verdict of the finished file', async () => {
    const { readFileSync } = await import('node:fs');
    const capture = readFileSync(fixture('steady-demo.txt'));
    const svc = testService(dir, {
      recorder: {
        // Chunks of 613 bytes end anywhere: between a dump and the lines after it, mid-line.
        async start(_req, hooks) {
          hooks.phase('recording', 'Recording.');
          for (let off = 0; off < capture.length; off += 613) {
            hooks.data(new Uint8Array(capture.subarray(off, off + 613)), Date.now());
            if (off % (613 * 8) === 0) await svc.getLifetimes({});
          }
          return { stop: async () => undefined };
        },
      },
    });
    const sessionPath = path.join(dir, 'steady-live.hss');
    await svc.call('startRecording', { port: 'virtual', run: { kind: 'main' }, periodMs: 500, collect: false, sessionPath });
    await svc.stopRecording();
    const live = await svc.getLifetimes({});
    await svc.openSession(sessionPath);
    const file = await svc.getLifetimes({});
    expect(file.leak.verdict).toBe('steady');
    expect(live.frames).toBe(file.frames);
    expect(live.leak).toEqual(file.leak);
    expect(live.blame).toEqual(file.blame);
    await svc.dispose();
  });
});
