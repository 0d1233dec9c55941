/**
 * `heapscope check` on a session reads its index a page at a time: the rules it reports equal
 * those of the same capture checked as text (the frames and MemoryErrors in arrival order),
 * on a session of many small index pages with MemoryErrors between dumps.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../src/main/cli/commands/check';
import { SessionReader } from '../../src/main/session';
import { tempDir, writeSession } from '../session/helpers';
import { synthCapture } from '../session/synth';

const dir = tempDir();

describe('heapscope check, page by page', () => {
  it('reports what a check of the same capture as text reports', async () => {
    let text = Buffer.from(synthCapture({ dumps: 120, seed: 13 })).toString('latin1');
    // MemoryErrors between dumps, in three pages of the index.
    for (const step of [17, 18, 61, 100]) {
      text = text.replace(`step ${step} objects`, `MemoryError: memory allocation failed, allocating ${step * 64} bytes\r\nstep ${step} objects`);
    }
    const bytes = Buffer.from(text, 'latin1');
    const capture = path.join(dir, 'errors.txt');
    writeFileSync(capture, bytes);
    const session = path.join(dir, 'errors.hss');
    writeSession(session, bytes, { pieces: [6000], flushEvery: 2, segmentSnapshots: 8, hostMs: null });
    const r = SessionReader.open(session);
    expect(r.pageCount).toBeGreaterThan(10);
    const used = r.snapshots.map((s) => s.metrics.usedBytes!);
    r.close();
    const rules = { maxUsedBytes: Math.round((Math.min(...used) + Math.max(...used)) / 2), noMemoryError: true, maxFragmentation: 0.5 };
    const fromSession = await checkFile(session, rules);
    const fromText = await checkFile(capture, rules);
    expect(fromSession).toEqual(fromText);
    expect(fromSession.find((x) => x.rule === 'no-memory-error')?.ok).toBe(false);
    expect(fromSession.find((x) => x.rule === 'max-used')?.ok).toBe(false);
  });
});
