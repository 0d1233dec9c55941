import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { heapscope } from '../support/cli';
import { testService } from '../support/service';

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
