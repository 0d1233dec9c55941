/**
 * A pass over every dump with the raw bytes decoded ahead by the worker (followAhead.ts,
 * the compiled out/cli/followWorker.js the suite builds first) against the same pass in one
 * thread: the same maps and the same changed ranges for every dump, the same lifetimes, and on
 * a damaged file the same failures at the same dumps. Small slices, so dumps lie across them
 * and the worker waits on the pass (AHEAD) many times.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SessionFormatError, SessionReader } from '../../src/main/session';
import { RawAhead } from '../../src/main/session/followAhead';
import { FollowedSessionMaps } from '../../src/main/session/followMaps';
import { SessionLifetimes } from '../../src/shared/lifetimes/session';
import { heapscope } from '../support/cli';
import { damagedCopy, tempDir, writeSession } from './helpers';

const dir = tempDir();
const worker = new URL('../../out/cli/followWorker.js', import.meta.url);
const leakDemo = new Uint8Array(readFileSync(new URL('../lifetimes/fixtures/leak-demo.txt', import.meta.url)));
const legacy = fileURLToPath(new URL('../fixtures/sessions/', import.meta.url));

function session(name: string): string {
  const file = path.join(dir, name);
  writeSession(file, leakDemo, { pieces: [900, 4000, 333], flushEvery: 3, segmentSnapshots: 5 });
  return file;
}

/** Every dump's maps and changed ranges as text (or the error the pass met there). */
function pass(file: string, ahead: boolean, slice = 4096, entry = worker, patienceMs?: number): { dumps: string[]; raw: RawAhead | null } {
  // Raw records are checked when read (checkTail 0): damage is met mid-pass.
  const r = SessionReader.open(file, { checkTail: 0 });
  const raw = ahead ? new RawAhead(r, file, entry, { slice, patienceMs }) : null;
  const maps = new FollowedSessionMaps(r, raw ?? undefined);
  const dumps: string[] = [];
  try {
    for (let i = 0; i < r.snapshotCount; i++) {
      const e = r.entry(i);
      if (e.areas.length === 0) continue;
      try {
        const m = maps.maps(i, e);
        const kinds = m.areas.map((a) => `${a.address}:${Buffer.from(a.kinds).toString('latin1')}`).join('|');
        const changed = m.changed === null ? 'all' : m.changed.map((c) => Array.from(c).join(',')).join('|');
        dumps.push(`${i} ${changed} ${kinds}`);
      } catch (err) {
        if (!(err instanceof SessionFormatError)) throw err;
        dumps.push(`${i} error: ${err.message}`);
      }
    }
  } finally {
    raw?.close();
    r.close();
  }
  return { dumps, raw };
}

describe('a pass with the raw bytes decoded ahead in a worker', () => {
  it('gives every dump the same maps and changed ranges as the pass in one thread, across many slices', () => {
    const file = session('ahead.hss');
    const one = pass(file, false);
    const two = pass(file, true);
    expect(one.dumps.length).toBeGreaterThan(50);
    expect(two.raw!.fromWorker).toBeGreaterThan(leakDemo.length / 2);
    expect(two.raw!.fromReader).toBe(0);
    expect(two.raw!.stopped).toBeNull();
    expect(two.dumps).toEqual(one.dumps);
    // Followed dumps (changed ranges, not whole maps) are most of them either way.
    expect(two.dumps.filter((d) => d.split(' ')[1] !== 'all').length).toBeGreaterThan(one.dumps.length / 2);
  });

  it('gives the same lifetimes and leak verdict', () => {
    const file = session('ahead-life.hss');
    const verdict = (ahead: boolean) => {
      const r = SessionReader.open(file);
      const raw = ahead ? new RawAhead(r, file, worker, { slice: 1000 }) : null;
      const maps = new FollowedSessionMaps(r, raw ?? undefined);
      try {
        const life = new SessionLifetimes();
        life.update(r, { maps: (i, e) => maps.maps(i, e) });
        return { leak: life.leak(), objects: life.tracker.count };
      } finally {
        raw?.close();
        r.close();
      }
    };
    const one = verdict(false);
    expect(one.objects).toBeGreaterThan(100);
    expect(verdict(true)).toEqual(one);
  });

  it('on a damaged file, fails on the same dumps and gives the same maps for the rest (this thread reads from the damage on)', () => {
    const file = damagedCopy(session('ahead-damage.hss'), path.join(dir, 'ahead-damaged.hss'));
    const one = pass(file, false);
    const two = pass(file, true);
    expect(one.dumps.some((d) => d.includes(' error: '))).toBe(true);
    expect(one.dumps.filter((d) => !d.includes(' error: ')).length).toBeGreaterThan(one.dumps.length / 3);
    expect(two.dumps).toEqual(one.dumps);
    expect(two.raw!.stopped).toMatch(/stopped/);
    expect(two.raw!.fromWorker).toBeGreaterThan(0);
    expect(two.raw!.fromReader).toBeGreaterThan(0);
  });

  it('a worker that gives nothing (it died) costs the wait, not the results: this thread reads it all', () => {
    const file = session('ahead-dead.hss');
    const dead = path.join(dir, 'deadWorker.mjs');
    writeFileSync(dead, 'process.exit(0);\n');
    const one = pass(file, false);
    const two = pass(file, true, 4096, pathToFileURL(dead), 300);
    expect(two.dumps).toEqual(one.dumps);
    expect(two.raw!.stopped).toMatch(/in time/);
    expect(two.raw!.fromWorker).toBe(0);
  });

  it('heapscope inspect --json prints the same bytes with --threads 2 as with --threads 1', () => {
    const made = session('ahead-cli.hss');
    const files = [made, damagedCopy(made, path.join(dir, 'ahead-cli-damaged.hss')), ...['legacy-f1.hss', 'legacy-f2.hss', 'legacy-f2-rawtext.hss'].map((f) => path.join(legacy, f))];
    for (const f of files) {
      const one = heapscope(['inspect', f, '--json', '--threads', '1']);
      const two = heapscope(['inspect', f, '--json', '--threads', '2']);
      expect(one.stdout.length, f).toBeGreaterThan(100);
      expect(two.code, f).toBe(one.code);
      expect(two.stdout, f).toBe(one.stdout);
      expect(two.stderr, f).toBe(one.stderr);
    }
  });
});
