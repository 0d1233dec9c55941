/**
 * The recent list: summaries survive a restart, an old entry keeps its last summary when it is
 * added again without one, and a hand-edited recent.json with wrong shapes shows the path only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecentList } from '../../src/main/service/recent';
import { shortDuration, summaryFacts, memoryErrorBadge } from '../../src/shared/view/sessionSummary';
import type { SessionSummary } from '../../src/shared/api';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hs-recent-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frag: SessionSummary = { source: 'recording', board: 'Virtual board', program: 'Demo: Fragment', durationMs: 186_000, frames: 372, memoryError: { bytes: null } };

describe('recent list', () => {
  it('keeps summaries across restarts, and the last one known when added again without one', async () => {
    const file = join(dir, 'a.json');
    const a = new RecentList(file);
    await a.add('/s/one.hss', frag, 1);
    await a.add('/s/two.hss', undefined, 2);
    await a.add('/s/one.hss', undefined, 3);
    const b = await new RecentList(file).list();
    expect(b.map((r) => r.path)).toEqual(['/s/one.hss', '/s/two.hss']);
    expect(b[0].summary).toEqual(frag);
    expect(b[1].summary).toBeUndefined();
  });

  it('drops summaries of the wrong shape from a hand-edited file, keeping the paths', async () => {
    const file = join(dir, 'b.json');
    writeFileSync(
      file,
      JSON.stringify([
        { path: '/s/a.hss', openedAt: 1, summary: { ...frag, frames: -1 } },
        { path: '/s/b.hss', openedAt: 1, summary: { ...frag, program: 'x'.repeat(5000) } },
        { path: '/s/c.hss', openedAt: 1, summary: { ...frag, memoryError: { bytes: 'lots' } } },
        { path: '/s/d.hss', openedAt: 1, summary: 'hello' },
        { path: '/s/e.hss', openedAt: 1, summary: frag },
        { path: 7, openedAt: 1 },
      ]),
    );
    const l = await new RecentList(file).list();
    expect(l.map((r) => r.path)).toEqual(['/s/a.hss', '/s/b.hss', '/s/c.hss', '/s/d.hss', '/s/e.hss']);
    expect(l.map((r) => !!r.summary)).toEqual([false, false, false, false, true]);
  });

  it('words a summary as the row shows it', () => {
    expect(summaryFacts(frag)).toEqual(['3 min 06 s', '372 frames']);
    expect(memoryErrorBadge(frag)).toBe('MemoryError');
    expect(memoryErrorBadge({ ...frag, memoryError: { bytes: 9600 } })).toBe('MemoryError (9.38 KiB)');
    expect(memoryErrorBadge({ ...frag, memoryError: null })).toBeNull();
    expect(summaryFacts({ ...frag, durationMs: null, frames: 1 })).toEqual(['1 frame']);
    expect([shortDuration(800), shortDuration(34_400), shortDuration(3_725_000)]).toEqual(['0.8 s', '34 s', '1 h 02 min']);
  });
});
