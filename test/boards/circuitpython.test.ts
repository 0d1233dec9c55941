/**
 * Real CircuitPython 10.2.1 on the emulated Pico: no mem_info, no Timer, no schedule, no
 * asyncio library in lib/, CIRCUITPY read-only to code. Its program is code.py; its dumps are
 * stats-only frames from the program's mem_dump.dump() calls, the helper running from RAM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordToSession } from '../../src/main/record/toSession';
import { openSession } from '../record/support';
import { skipUnless, startBoard, type RunningBoard } from './support/boards';

let board: RunningBoard | null = null;
let dir = '';

const CALLS = `import mem_dump, time
keep = []
for i in range(8):
    keep.append(bytearray(500 * (i + 1)))
    mem_dump.dump()
    time.sleep(0.05)
print("done", len(keep))
`;

describe.skipIf(skipUnless('circuitpython'))('CircuitPython 10.2.1 on the Pico', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hs-cp-'));
    board = await startBoard('circuitpython');
  }, 120_000);
  afterAll(async () => {
    await board?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the board's program, code.py, and says what CircuitPython can and cannot show", async () => {
    const out = path.join(dir, 'code.hss');
    const notes: string[] = [];
    let recording = '';
    const h = recordToSession({ port: board!.port, run: { kind: 'main' }, periodMs: 500, collect: false, sessionPath: out }, {
      note: (m) => notes.push(m),
      phase: (p, m) => p === 'recording' && (recording = m),
    });
    const { summary } = await h.done;
    expect(summary.error).toBeUndefined();
    expect(summary.endedBy).toBe('program-ended');
    expect(recording).toMatch(/running code\.py/);
    expect(summary.helper).toBe('ram');
    expect(summary.dumps).toBe('calls');
    const said = notes.join('\n');
    expect(said).toMatch(/CircuitPython has no micropython\.mem_info: each dump is the heap's totals only/);
    expect(said).toMatch(/no heap map/);
    const s = openSession(out);
    expect(s.events.some((e) => e.type === 'log' && e.text === 'Hello World!')).toBe(true);
    expect(s.snapshots.length).toBe(1);
    expect(s.snapshots[0].stats).not.toBeNull();
    s.close();
  }, 120_000);

  it('records the stats-only dumps a program asks for with mem_dump.dump(), the helper from RAM: a timeline of used and free', async () => {
    const out = path.join(dir, 'calls.hss');
    const h = recordToSession({ port: board!.port, run: { kind: 'script', path: 'calls.py', source: Buffer.from(CALLS) }, periodMs: 500, collect: false, sessionPath: out });
    const { summary } = await h.done;
    expect(summary.error).toBeUndefined();
    expect(summary.endedBy).toBe('program-ended');
    expect(summary.programError).toBe('');
    const s = openSession(out);
    expect(s.snapshots.length).toBe(9);
    // Stats frames whole: both figures, nothing wrong (a stats frame has no map to be complete).
    expect(s.snapshots.filter((x) => !x.stats || !x.consistent || x.problems.length)).toEqual([]);
    expect(s.snapshots.map((x) => x.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const used = s.snapshots.map((x) => x.metrics.usedBytes);
    // The program keeps 500, 1000, … bytes: used grows dump after dump.
    expect(used[8]! - used[0]!).toBeGreaterThan(500 * 36 * 0.9);
    expect(s.events.some((e) => e.type === 'log' && e.text === 'done 8')).toBe(true);
    s.close();
  }, 120_000);
});
