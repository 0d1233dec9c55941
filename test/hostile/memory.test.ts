/**
 * Issue 9, point 9: memory is bounded by the work, not the input. A line with no end (a file
 * of zeros, a 50 MB paste) is kept as its first MAX_LINE_BYTES and its length; a run of empty
 * lines costs one event; the dumps around either are still read, at the same byte offsets,
 * whatever the chunking. Peak RSS of the real commands is in `npm run bench -- hostile`.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureReader } from '../../src/shared/capture/captureReader';
import type { CaptureEvent } from '../../src/shared/capture/events';
import { LineSplitter, MAX_LINE_BYTES } from '../../src/shared/capture/lineSplitter';
import { BIN, FIXTURES } from './support';

const dump = readFileSync(join(FIXTURES, 'full.txt'));

/** Feeds `bytes` in chunks of `size` and returns every event. */
function read(bytes: Uint8Array, size: number): CaptureEvent[] {
  const r = new CaptureReader();
  const out: CaptureEvent[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...r.feed(bytes.subarray(i, i + size)));
  out.push(...r.end());
  return out;
}

function lines(bytes: Uint8Array, size: number, max: number): Array<[string, number, number, number, number]> {
  const got: Array<[string, number, number, number, number]> = [];
  const s = new LineSplitter(
    {
      line: (b, start, end, termLen, lineNo, byteOffset, cut) => got.push([Buffer.from(b.subarray(start, end)).toString('latin1'), cut, termLen, lineNo, byteOffset]),
    },
    max,
  );
  for (let i = 0; i < bytes.length; i += size) s.push(bytes.subarray(i, i + size));
  s.end();
  return got;
}

describe('line splitter: a line past the cap is its prefix and a count', () => {
  it('gives the same prefix, cut, terminator and offsets at every chunking', () => {
    const text = Buffer.from('short\r\n' + 'x'.repeat(25) + '\rab\n' + 'y'.repeat(10) + '\r\n' + 'z'.repeat(40), 'latin1');
    const want = lines(text, text.length, 8);
    expect(want).toEqual([
      ['short', 0, 2, 1, 0],
      ['xxxxxxxx', 17, 1, 2, 7],
      ['ab', 0, 1, 3, 33],
      ['yyyyyyyy', 2, 2, 4, 36],
      ['zzzzzzzz', 32, 0, 5, 48],
    ]);
    for (const size of [1, 2, 3, 7, 9, 26]) expect(lines(text, size, 8), `chunks of ${size}`).toEqual(want);
  });
});

describe('capture reader on hostile shapes', () => {
  it('a 3 MB line with no end before a dump: one log line saying its length, the dump read at its offset', () => {
    const long = 3 << 20;
    const bytes = Buffer.concat([Buffer.alloc(long, 0x61), Buffer.from('\n'), dump]);
    for (const size of [1 << 20, 65536, 4093]) {
      const evs = read(bytes, size);
      const logs = evs.filter((e) => e.type === 'log');
      expect(logs[0].type === 'log' && logs[0].text.length).toBeLessThan(MAX_LINE_BYTES + 200);
      expect(logs[0].type === 'log' && logs[0].text).toContain(`a line of ${long} bytes`);
      const snaps = evs.filter((e) => e.type === 'snapshot');
      expect(snaps.length).toBe(1);
      expect(snaps[0].type === 'snapshot' && snaps[0].snapshot.byteStart).toBe(long + 1);
      expect(snaps[0].type === 'snapshot' && snaps[0].snapshot.line).toBe(2);
    }
  });

  it('a million empty lines cost one event; the dump after them is line 1000001', () => {
    const bytes = Buffer.concat([Buffer.alloc(1_000_000, 0x0a), dump]);
    const evs = read(bytes, 65536);
    expect(evs.filter((e) => e.type === 'log').length).toBe(1);
    const snap = evs.find((e) => e.type === 'snapshot');
    expect(snap?.type === 'snapshot' && snap.snapshot.line).toBe(1_000_001);
    // A single empty line between two texts is still a line of the log.
    const logs = read(Buffer.from('a\n\nb\n\n\n\nc\n'), 3).flatMap((e) => (e.type === 'log' ? [e.text] : []));
    expect(logs).toEqual(['a', '', 'b', '', 'c']);
  });

  it('heapscope import of a 4 MB line of zeros then a dump: one snapshot, the zeros named as one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-hostile-mem-'));
    try {
      const cap = join(dir, 'cap.txt');
      writeFileSync(cap, Buffer.concat([Buffer.alloc(4 << 20, 0), Buffer.from('\n'), dump]));
      const r = spawnSync(process.execPath, [BIN, 'import', cap, '-o', join(dir, 's.hss')], { encoding: 'utf8', timeout: 120_000 });
      expect(r.stderr).toContain('1 snapshots');
      expect(r.status).toBe(0);
      const ins = spawnSync(process.execPath, [BIN, 'inspect', join(dir, 's.hss'), '--json'], { encoding: 'utf8', timeout: 120_000 });
      const report = JSON.parse(ins.stdout);
      expect(report.snapshots.length).toBe(1);
      expect(report.logLines).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
