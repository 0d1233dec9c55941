import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionReader } from '../../src/main/session';
import { heapscope } from '../support/cli';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-check-'));
const leak = path.join(dir, 'leak.hss');
const steady = path.join(dir, 'steady.hss');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  expect(heapscope(['import', fixture('leak-demo.txt'), '-o', leak]).code).toBe(0);
  expect(heapscope(['import', fixture('steady-demo.txt'), '-o', steady]).code).toBe(0);
}, 120_000);

describe('heapscope check', () => {
  it('--no-leak fails on the leak demo with one line, passes on the steady demo', () => {
    const bad = heapscope(['check', '--no-leak', leak]);
    expect(bad.code).toBe(1);
    const lines = bad.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^no-leak: broken at frame \d+ \(\d+\.\d s\): leaking [\d.]+ (KiB|B)\/min, .*limit no leak$/);
    const good = heapscope(['check', '--no-leak', steady]);
    expect(good.code).toBe(0);
    expect(good.stdout).toBe('steady.hss: 1 rule holds: no leak\n');
  });

  it('each broken rule: the first frame over the limit, its time, its value and the limit', () => {
    const r = SessionReader.open(steady);
    const snaps = r.snapshots.filter((s) => s.areas.length > 0);
    r.close();
    // Limits between the session's own extremes, so some frames break each one.
    const used = snaps.map((s) => s.metrics.usedBytes!);
    const maxUsed = Math.round((Math.min(...used) + Math.max(...used)) / 2);
    const firstOver = snaps.find((s) => s.metrics.usedBytes! > maxUsed)!;
    const frag = snaps.map((s) => s.metrics.fragmentation);
    const maxFrag = Math.round(((Math.min(...frag) + Math.max(...frag)) / 2) * 100);
    const firstFrag = snaps.find((s) => s.metrics.fragmentation > maxFrag / 100)!;
    const t0 = snaps[0].deviceMs!;
    const res = heapscope(['check', '--max-used', String(maxUsed), '--max-fragmentation', `${maxFrag}%`, '--no-memory-error', steady]);
    expect(res.code).toBe(1);
    const lines = res.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      `max-used: broken at frame ${firstOver.index} (${((firstOver.deviceMs! - t0) / 1000).toFixed(1)} s): ${firstOver.metrics.usedBytes} B used, limit used ≤ ${maxUsed} B; ` +
        `${used.filter((u) => u > maxUsed).length} times in all`,
    );
    expect(lines[1]).toMatch(new RegExp(`^max-fragmentation: broken at frame ${firstFrag.index} \\(.* s\\): fragmentation [\\d.]+ %, limit fragmentation ≤ ${maxFrag}\\.0 %`));
    // Limits every frame keeps: exit 0.
    const ok = heapscope(['check', '--max-used', '100%', '--min-largest-free', '1', '--json', steady]);
    expect(ok.code).toBe(0);
    const json = JSON.parse(ok.stdout);
    expect(json.ok).toBe(true);
    expect(json.rules.map((x: { rule: string }) => x.rule)).toEqual(['max-used', 'min-largest-free']);
  });

  it('--no-memory-error on a capture that ends in one; --json gives the rules', () => {
    const capture = path.join(dir, 'oom.txt');
    writeFileSync(capture, Buffer.concat([readFileSync(fixture('steady-demo.txt')), Buffer.from('Traceback (most recent call last):\r\n  File "main.py", line 9, in <module>\r\nMemoryError: memory allocation failed, allocating 582 bytes\r\n')]));
    const r = heapscope(['check', '--no-memory-error', '--json', capture]);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.ok).toBe(false);
    expect(json.rules[0]).toMatchObject({ rule: 'no-memory-error', ok: false, count: 1, value: expect.stringMatching(/allocating 582 bytes/) });
  });

  it('--junit writes a JUnit report, rewrites its own, and never replaces another file', () => {
    const junit = path.join(dir, 'report.xml');
    expect(heapscope(['check', '--no-leak', '--max-used', '99%', '--junit', junit, leak]).code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="heapscope check" tests="2" failures="1">/);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml.match(/<failure message="no-leak: broken at frame \d+/g)).toHaveLength(1);
    expect(heapscope(['check', '--no-leak', '--junit', junit, steady]).code).toBe(0);
    expect(readFileSync(junit, 'utf8')).toMatch(/tests="1" failures="0"/);
    const notes = path.join(dir, 'notes.txt');
    writeFileSync(notes, 'mine');
    const r = heapscope(['check', '--no-leak', '--junit', notes, steady]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/notes\.txt: exists and is not a JUnit report: not replaced/);
    expect(readFileSync(notes, 'utf8')).toBe('mine');
  });

  it('bad usage exits 2; a missing file exits 1', () => {
    expect(heapscope(['check', steady]).code).toBe(2);
    expect(heapscope(['check', '--max-fragmentation', '120%', steady]).code).toBe(2);
    expect(heapscope(['check', '--max-used', 'lots', steady]).code).toBe(2);
    const missing = heapscope(['check', '--no-leak', path.join(dir, 'nope.hss')]);
    expect(missing.code).toBe(1);
    expect(existsSync(path.join(dir, 'nope.hss'))).toBe(false);
  });
});

describe('heapscope record takes the same rules', () => {
  it('records the virtual leak demo, then exits 1: the leak broke --no-leak', () => {
    const out = path.join(dir, 'rec.hss');
    const r = heapscope(['record', '--port', 'virtual', '--demo', 'leak', '--duration', '15s', '--period', '300', '--no-leak', '-q', '-o', out]);
    expect(r.code, r.stderr).toBe(1);
    expect(existsSync(out)).toBe(true);
    expect(r.stdout).toMatch(/^no-leak: broken at frame \d+/);
  }, 120_000);
});
