import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { heapscope } from '../support/cli';
import { corpusFile, corpusNames, expectedFigures } from '../support/corpus';

describe('heapscope import / export', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-cli-'));
  const capture = path.join(dir, 'all.txt');
  const names = corpusNames();
  writeFileSync(capture, Buffer.concat(names.map((n) => corpusFile(n))));
  const session = path.join(dir, 'all.hss');

  it('imports a capture, and the session inspects to the same figures', () => {
    const r = heapscope(['import', capture, '-o', session]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/14 snapshots/);
    const fromRaw = JSON.parse(heapscope(['inspect', capture, '--json']).stdout);
    const fromSession = JSON.parse(heapscope(['inspect', session, '--json']).stdout);
    expect(fromSession).toEqual(fromRaw);
    const expected = expectedFigures();
    expect(fromSession.snapshots.map((s: { areas: unknown }) => s.areas)).toEqual(names.flatMap((n) => expected[n].map((e) => e.areas)));
  });

  it('raw export gives back the original bytes exactly', () => {
    const out = path.join(dir, 'back.txt');
    expect(heapscope(['export', session, '--format', 'raw', '-o', out]).code).toBe(0);
    expect(Buffer.compare(readFileSync(out), readFileSync(capture))).toBe(0);
  });

  it('CSV has one row per snapshot with printed and recomputed figures', () => {
    const r = heapscope(['export', session, '--format', 'csv']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows).toHaveLength(1 + names.length);
    const head = rows[0].split(',');
    for (const col of ['index', 'device_ms', 'printed_used', 'used_bytes', 'free_blocks', 'largest_free_run_blocks']) expect(head).toContain(col);
    const row = rows[3].split(',');
    expect(Number(row[head.indexOf('printed_used')])).toBe(expectedFigures()[names[2]][0].printed!.used);
  });

  it('JSON and PNG', () => {
    const j = JSON.parse(heapscope(['export', session, '--format', 'json']).stdout);
    expect(JSON.stringify(j)).toMatch(/largestFreeRun/);
    const png = path.join(dir, 'f.png');
    expect(heapscope(['export', session, '--format', 'png', '--snapshot', '12', '-o', png]).code).toBe(0);
    const img = PNG.sync.read(readFileSync(png));
    expect(img.width).toBeGreaterThan(0);
    expect(img.height).toBeGreaterThan(0);
  });

  it('bad input and bad usage', () => {
    const r = heapscope(['export', capture, '--format', 'csv']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/all.txt: is not a HeapScope session/);
    expect(heapscope(['export', session, '--format', 'xls']).code).toBe(2);
    expect(heapscope(['import', capture]).code).toBe(2);
    const again = heapscope(['import', session, '-o', path.join(dir, 'x.hss')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already a HeapScope session/);
    const junk = path.join(dir, 'junk.hss');
    writeFileSync(junk, Buffer.concat([readFileSync(session).subarray(0, 8), Buffer.from([99, 0, 0, 0, 1, 2, 3, 4])]));
    const bad = heapscope(['inspect', junk]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('a text with no dump: exit 1 and no session, unless --allow-empty; every line ends', () => {
    const text = path.join(dir, 'no-dumps.txt');
    writeFileSync(text, 'hello\r\nnothing to see\r\n');
    const out = path.join(dir, 'no-dumps.hss');
    const r = heapscope(['import', text, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no-dumps.txt: no heap dump found.*--allow-empty/);
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(existsSync(out)).toBe(false);
    const ok = heapscope(['import', text, '-o', out, '--allow-empty']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/no heap dump \(--allow-empty\) from 23 B .*its log lines only\n$/);
    expect(ok.stderr).not.toMatch(/%/);
    expect(existsSync(out)).toBe(true);
    for (const args of [['--version'], ['--help'], ['inspect', session], ['inspect', out], ['export', session, '--format', 'csv'], ['export', session, '--format', 'json'], ['import', text], ['export', text, '--format', 'csv']]) {
      const x = heapscope(args);
      for (const [name, s] of [['stdout', x.stdout], ['stderr', x.stderr]] as const) if (s) expect(s.endsWith('\n'), `${args.join(' ')}: ${name} ends its last line`).toBe(true);
    }
  }, 240_000);
});
