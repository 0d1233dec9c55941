import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../src/shared/api';
import { perfettoTrace } from '../../src/main/export/perfetto';
import { FileSessionView } from '../../src/main/service/sessionStore';
import { heapscope } from '../support/cli';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-perfetto-'));
const session = path.join(dir, 'oom.hss');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  // The recorded leak demo, ending in a MemoryError as a board that ran out would print it.
  const capture = path.join(dir, 'oom.txt');
  writeFileSync(capture, Buffer.concat([readFileSync(fixture('leak-demo.txt')), Buffer.from('Traceback (most recent call last):\r\n  File "main.py", line 19, in <module>\r\nMemoryError: memory allocation failed, allocating 2048 bytes\r\n')]));
  expect(heapscope(['import', capture, '-o', session]).code).toBe(0);
}, 120_000);

/**
 * The Trace Event Format (the "JSON Object Format" of Google's trace-event spec, as Perfetto's
 * JSON importer reads it): every rule a reader relies on, checked on every event.
 */
function expectTraceEventFormat(doc: unknown): Array<Record<string, any>> {
  expect(doc).toBeTypeOf('object');
  const d = doc as Record<string, any>;
  expect(Array.isArray(d.traceEvents)).toBe(true);
  if (d.displayTimeUnit !== undefined) expect(['ms', 'ns']).toContain(d.displayTimeUnit);
  const lastTs = new Map<string, number>();
  for (const e of d.traceEvents) {
    expect(typeof e.name, JSON.stringify(e)).toBe('string');
    expect(['B', 'E', 'X', 'i', 'I', 'C', 'b', 'n', 'e', 's', 't', 'f', 'P', 'N', 'O', 'D', 'M', 'V', 'v', 'R', 'c']).toContain(e.ph);
    expect(Number.isInteger(e.pid)).toBe(true);
    expect(Number.isInteger(e.tid)).toBe(true);
    if (e.ph === 'M') {
      expect(['process_name', 'thread_name', 'process_sort_index', 'thread_sort_index', 'process_labels']).toContain(e.name);
      expect(typeof e.args?.name === 'string' || typeof e.args?.sort_index === 'number').toBe(true);
      continue;
    }
    expect(typeof e.ts).toBe('number');
    expect(Number.isFinite(e.ts) && e.ts >= 0).toBe(true);
    if (e.ph === 'C') {
      // Counters: every arg a number (one track per arg); a track's samples in time order.
      expect(Object.keys(e.args).length).toBeGreaterThan(0);
      for (const v of Object.values(e.args)) expect(typeof v).toBe('number');
      const prev = lastTs.get(e.name) ?? -1;
      expect(e.ts).toBeGreaterThanOrEqual(prev);
      lastTs.set(e.name, e.ts);
    }
    if (e.ph === 'i' || e.ph === 'I') {
      if (e.s !== undefined) expect(['g', 'p', 't']).toContain(e.s);
    }
    if (e.args !== undefined) expect(typeof e.args).toBe('object');
  }
  return d.traceEvents;
}

describe('export --format perfetto', () => {
  it('writes trace-event JSON: counters per dump, log lines, the MemoryError, in the board clock', () => {
    const out = path.join(dir, 'oom.trace.json');
    const r = heapscope(['export', session, '--format', 'perfetto', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    const events = expectTraceEventFormat(doc);
    expect(doc.otherData.clock).toBe("the board's ticks_ms");
    const inspect = JSON.parse(heapscope(['inspect', '--json', session]).stdout);
    const withMap = inspect.snapshots.filter((s: { areas: unknown[] }) => s.areas.length > 0);
    const used = events.filter((e) => e.name === 'heap bytes');
    expect(used.map((e) => e.args.used)).toEqual(inspect.snapshots.map((s: { usedBytes: number }) => s.usedBytes));
    expect(used[used.length - 1].ts).toBe((inspect.snapshots.at(-1).deviceMs - inspect.snapshots[0].deviceMs) * 1000);
    expect(events.filter((e) => e.name === 'objects per kind')).toHaveLength(withMap.length);
    expect(events.filter((e) => e.name === 'longest free run bytes').map((e) => e.args.bytes)).toEqual(inspect.snapshots.map((s: { largestFreeRun: number; blockSize: number }) => s.largestFreeRun * s.blockSize));
    expect(events.filter((e) => e.cat === 'log')).toHaveLength(inspect.logLines);
    const oom = events.filter((e) => e.cat === 'memoryError');
    expect(oom).toHaveLength(1);
    expect(oom[0]).toMatchObject({ name: 'MemoryError (2048 bytes)', ph: 'i', s: 'g', ts: used[used.length - 1].ts });
    expect(events.filter((e) => e.name === 'thread_name').map((e) => e.args.name)).toEqual(['heap', 'events', 'log']);
  });

  it('a range keeps its frames and what was printed among them', async () => {
    const out = path.join(dir, 'part.trace.json');
    expect(heapscope(['export', session, '--format', 'perfetto', '--from', '10', '--to', '19', '-o', out]).code).toBe(0);
    const events = expectTraceEventFormat(JSON.parse(readFileSync(out, 'utf8')));
    expect(events.filter((e) => e.name === 'heap bytes')).toHaveLength(10);
    expect(events.filter((e) => e.name === 'heap bytes')[0].ts).toBe(0);
    const view = FileSessionView.open(session);
    try {
      const e = view.entries();
      const lines = (await view.logLines(0, await view.logCount())).filter((l) => l.snapshot > 10 && l.snapshot <= 20);
      expect(events.filter((x) => x.cat === 'log').map((x) => x.args.line)).toEqual(lines.map((l) => l.line));
      expect(e.length).toBeGreaterThan(20);
    } finally {
      view.close();
    }
  });

  it('marks, link gaps and the heap breaking apart become instant events', async () => {
    const view = FileSessionView.open(session);
    try {
      // The session's own index, with frame 30 broken apart and a mark and a gap added.
      const entries = view.entries().map((e, i) => (i === 30 ? { ...e, metrics: { ...e.metrics, fragmentation: 0.9, freeBytes: 100_000, largestFreeRunBytes: 10_000 } } : e));
      const extra: TimelineEvent[] = [
        { i: 0, type: 'mark', kind: 'mark', text: 'connecting to broker', line: 50, byteOffset: 0, snapshot: 5, logLine: 0, deviceMs: entries[4].deviceMs! + 10 },
        { i: 1, type: 'gap', kind: 'gap', text: 'the link went away', line: 60, byteOffset: 0, snapshot: 8, logLine: 0, hostMs: 1 },
      ];
      const trace = await perfettoTrace(view.meta, entries, extra, []);
      const events = expectTraceEventFormat(JSON.parse(JSON.stringify(trace)));
      const t0 = entries[0].deviceMs!;
      expect(events.find((e) => e.cat === 'mark')).toMatchObject({ name: 'mark: connecting to broker', ts: (entries[4].deviceMs! + 10 - t0) * 1000 });
      // A gap has host times only: placed at the dump before it.
      expect(events.find((e) => e.cat === 'gap')).toMatchObject({ name: 'link gap', ts: (entries[7].deviceMs! - t0) * 1000 });
      expect(events.find((e) => e.cat === 'breakup')).toMatchObject({ name: 'heap broke apart', ts: (entries[30].deviceMs! - t0) * 1000, args: { frame: 30 } });
    } finally {
      view.close();
    }
  });
});
