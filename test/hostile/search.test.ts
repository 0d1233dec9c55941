/**
 * Issue 9, point 3: a search cannot stall the service. `^(a+)+$` on a line of 40 a's and a `!`
 * backtracks for hours in JavaScript's engine; on a real `heapscope serve` it now answers, the
 * server answers others meanwhile, and a long search is cancelled by its jobId.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createWsClient, type HeapScopeApi } from '../../src/shared/api';
import { FIXTURES, startServe, type Served } from './support';

let dir: string;
let served: Served;
let api: HeapScopeApi & { close(): void; ready: Promise<void> };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hs-hostile-search-'));
  const evil = 'a'.repeat(40) + '!';
  const lines = Array.from({ length: 300_000 }, (_, i) => (i % 1000 === 0 ? evil : `line ${i}`));
  writeFileSync(join(dir, 'cap.txt'), readFileSync(join(FIXTURES, 'dump.txt'), 'utf8') + lines.join('\n') + '\n');
  served = await startServe(['--session', join(dir, 'cap.txt')], { HEAPSCOPE_HOME: join(dir, 'home') });
  api = createWsClient(`ws://127.0.0.1:${served.port}/ws?token=${served.token}`, WebSocket as never) as never;
  await api.ready;
}, 120_000);

afterAll(async () => {
  api?.close();
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('searchLog', () => {
  it('a catastrophic pattern answers (no match), and other calls are served meanwhile', async () => {
    const search = api.searchLog({ query: '^(a+)+$', regex: true });
    const status = await api.getStatus();
    expect(status.session?.name).toBe('cap.txt');
    const r = await search;
    expect(r).toEqual({ matches: [], truncated: false });
    const hits = await api.searchLog({ query: '^(a+)+!$', regex: true, limit: 5 });
    expect(hits.matches.length).toBe(5);
    expect(hits.truncated).toBe(true);
  }, 120_000);

  it('a search is cancelled by its jobId', async () => {
    const search = api.searchLog({ query: 'no such (text|words)', regex: true, jobId: 'find-1' });
    await api.cancelJob({ jobId: 'find-1' });
    await expect(search).rejects.toMatchObject({ code: 'CANCELLED' });
    // The next one runs to the end.
    expect((await api.searchLog({ query: 'line 299999' })).matches.length).toBe(1);
  }, 120_000);

  it('a pattern RE2 cannot run says why, in words', async () => {
    await expect(api.searchLog({ query: '(?<=a)b', regex: true })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const err = await api.searchLog({ query: 'x(y', regex: true }).catch((e) => e);
    expect(err.message).toContain('not a valid regular expression');
    expect(err.fix).toMatch(/[Ll]ook-behind/);
  }, 30_000);
});
