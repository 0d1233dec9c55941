import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapscope } from '../support/cli';
import { CORPUS, expectedFigures } from '../support/corpus';


describe('heapscope inspect', () => {
  it('--json gives the figures of every corpus dump', () => {
    const expected = expectedFigures();
    for (const name of ['025-esp32-v1.21plus-split-heap-two-areas.txt', '016-rp2-v1.20.0-pico-stubber-dropped-map-char.txt']) {
      const r = heapscope(['inspect', path.join(CORPUS, name), '--json']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      const [e] = expected[name];
      expect(out.snapshots).toHaveLength(1);
      expect(out.snapshots[0]).toMatchObject({
        index: 0,
        line: e.line,
        deviceMs: null,
        complete: e.complete,
        consistent: e.consistent,
        printed: e.printed,
        blockSize: e.blockSize,
        areas: e.areas,
        counts: { free: e.counts.free, head: e.counts.head, tail: e.counts.tail },
        largestFreeRun: e.largestFreeRun,
      });
      expect(typeof out.snapshots[0].fragmentation).toBe('number');
      expect(typeof out.logLines).toBe('number');
      expect(Array.isArray(out.events)).toBe(true);
    }
  });

  it('reports MemoryError events with their size and line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hs-'));
    const f = path.join(dir, 'cap.txt');
    writeFileSync(f, 'hello\r\nTraceback (most recent call last):\r\n  File "main.py", line 3\r\nMemoryError: memory allocation failed, allocating 582 bytes\r\n');
    const out = JSON.parse(heapscope(['inspect', f, '--json']).stdout);
    expect(out.logLines).toBe(4);
    expect(out.events).toContainEqual(expect.objectContaining({ type: 'memoryError', bytes: 582, line: 4 }));
  });

  it('prints a readable summary without --json', () => {
    const r = heapscope(['inspect', path.join(CORPUS, '016-rp2-v1.20.0-pico-stubber-dropped-map-char.txt')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 heap snapshot/);
    expect(r.stdout).toMatch(/damaged/);
    expect(r.stdout).toMatch(/line 65/);
  });

  it('bad input: exit 1 with one line naming the file; bad usage: exit 2', () => {
    const missing = heapscope(['inspect', '/nonexistent/cap.txt']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/\/nonexistent\/cap.txt: no such file/);
    const dir = mkdtempSync(path.join(tmpdir(), 'hs-'));
    const bin = path.join(dir, 'photo.jpg');
    writeFileSync(bin, Buffer.from([0xff, 0xd8, 0, 0, 1, 2, 3, 0, 0]));
    const b = heapscope(['inspect', bin]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/photo.jpg: is binary data/);
    expect(b.stderr).not.toMatch(/at .*\.ts/); // no stack trace
    expect(heapscope(['inspect']).code).toBe(2);
    expect(heapscope(['inspect', 'x', '--bogus']).code).toBe(2);
    expect(heapscope(['frobnicate']).code).toBe(2);
    expect(heapscope(['--help']).code).toBe(0);
  });
});
