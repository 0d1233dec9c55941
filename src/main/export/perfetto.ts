/**
 * A session as a Chrome trace-event JSON file, which ui.perfetto.dev and chrome://tracing open
 * (the "JSON Object Format": { traceEvents: [...] }, timestamps in microseconds).
 *
 * - Counter tracks ("C" events): used and free bytes, the longest free run, heads per kind.
 * - Instant events ("i"): log lines (on a "log" thread), marks, MemoryErrors, the heap's
 *   break-ups and link gaps (on an "events" thread).
 *
 * Time is the board's clock when every dump carries it, else the host's, else one second per
 * dump (said in the trace's metadata). A line or event without a time of that clock is placed
 * at the dump before it.
 */
import type { LogLine, SessionMeta, SnapshotIndexEntry, TimelineEvent } from '../../shared/api';
import { BreakupDetector } from '../../shared/view/breakup';

export type TraceClock = 'device' | 'host' | 'frames';

export interface TraceEvent {
  name: string;
  ph: 'C' | 'i' | 'M';
  ts?: number;
  pid: number;
  tid: number;
  s?: 'g' | 'p' | 't';
  cat?: string;
  args?: Record<string, unknown>;
}

export interface PerfettoTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string>;
}

const PID = 1;
const HEAP_TID = 1;
const EVENTS_TID = 2;
const LOG_TID = 3;

export function traceClock(entries: readonly SnapshotIndexEntry[]): TraceClock {
  if (entries.length && entries.every((e) => e.deviceMs !== null)) return 'device';
  if (entries.length && entries.every((e) => e.hostMs !== null)) return 'host';
  return 'frames';
}

/**
 * The trace, built in one pass over the index (no map is decoded); log lines arrive in pages
 * through `lines` so a long session is never held twice.
 */
export async function perfettoTrace(
  meta: SessionMeta,
  allEntries: readonly SnapshotIndexEntry[],
  allEvents: readonly TimelineEvent[],
  lines: AsyncIterable<LogLine[]> | Iterable<LogLine[]>,
  range: { from: number; to: number } = { from: 0, to: allEntries.length - 1 },
): Promise<PerfettoTrace> {
  // Frames from..to, and what was printed after dump `from` up to the dump after `to` (from the
  // start when the range starts at the first dump). Positions below are within the range.
  const base = range.from;
  const entries = allEntries.slice(range.from, range.to + 1);
  const inRange = (snapshot: number) => (range.from === 0 || snapshot > range.from) && snapshot <= range.to + 1;
  const events = allEvents.filter((e) => inRange(e.snapshot));
  const clock = traceClock(entries);
  const msOf = (e: SnapshotIndexEntry, i: number): number => (clock === 'device' ? e.deviceMs! : clock === 'host' ? e.hostMs! : i * 1000);
  const t0 = entries.length ? msOf(entries[0], 0) : 0;
  const frameUs = entries.map((e, i) => Math.max(0, Math.round((msOf(e, i) - t0) * 1000)));
  /** An item printed after `snapshot` dumps: its own time on the trace's clock, else the dump before it. */
  const at = (snapshot: number, own: { deviceMs?: number | null; hostMs?: number | null }): number => {
    const mine = clock === 'device' ? own.deviceMs : clock === 'host' ? own.hostMs : null;
    if (mine !== null && mine !== undefined) return Math.max(0, Math.round((mine - t0) * 1000));
    const k = snapshot - base;
    return k > 0 && entries.length ? frameUs[Math.min(k, entries.length) - 1] : 0;
  };

  const out: TraceEvent[] = [];
  const board = [meta.board?.machine ?? meta.board?.name, meta.board?.version].filter(Boolean).join(', ');
  const name = board ? `HeapScope: ${board}` : `HeapScope: ${meta.name}`;
  out.push({ name: 'process_name', ph: 'M', pid: PID, tid: 0, args: { name } });
  out.push({ name: 'thread_name', ph: 'M', pid: PID, tid: HEAP_TID, args: { name: 'heap' } });
  out.push({ name: 'thread_name', ph: 'M', pid: PID, tid: EVENTS_TID, args: { name: 'events' } });
  out.push({ name: 'thread_name', ph: 'M', pid: PID, tid: LOG_TID, args: { name: 'log' } });

  const kinds = new Set<string>();
  for (const e of entries) for (const k of Object.keys(e.metrics.kinds)) kinds.add(k);
  const breakups = new BreakupDetector();
  entries.forEach((e, i) => {
    const ts = frameUs[i];
    const m = e.metrics;
    const heap: Record<string, number> = {};
    if (m.usedBytes !== null) heap.used = m.usedBytes;
    if (m.freeBytes !== null) heap.free = m.freeBytes;
    if (Object.keys(heap).length) out.push({ name: 'heap bytes', ph: 'C', ts, pid: PID, tid: HEAP_TID, args: heap });
    if (m.largestFreeRunBytes !== null) out.push({ name: 'longest free run bytes', ph: 'C', ts, pid: PID, tid: HEAP_TID, args: { bytes: m.largestFreeRunBytes } });
    if (e.areas.length > 0) {
      const perKind: Record<string, number> = {};
      for (const k of kinds) perKind[k] = m.kinds[k] ?? 0;
      out.push({ name: 'objects per kind', ph: 'C', ts, pid: PID, tid: HEAP_TID, args: perKind });
      const b = breakups.push(base + i, m.fragmentation, m.freeBytes ?? NaN, m.totalBytes ?? NaN, m.largestFreeRunBytes ?? NaN);
      if (b) {
        out.push({
          name: 'heap broke apart',
          cat: 'breakup',
          ph: 'i',
          s: 'p',
          ts,
          pid: PID,
          tid: EVENTS_TID,
          args: { frame: base + i, freeBytes: b.freeBytes, longestFreeRunBytes: b.largestBytes, fragmentation: Math.round(b.fragmentation * 1000) / 1000 },
        });
      }
    }
  });

  for (const ev of events) {
    const ts = at(ev.snapshot, ev);
    const args: Record<string, unknown> = { line: ev.line, text: ev.text };
    if (ev.bytes !== undefined) args.bytes = ev.bytes;
    if (ev.lost !== undefined) args.lost = ev.lost;
    if (ev.kind === 'mark') out.push({ name: `mark: ${ev.text}`, cat: 'mark', ph: 'i', s: 'p', ts, pid: PID, tid: EVENTS_TID, args });
    else if (ev.kind === 'memoryError') out.push({ name: ev.bytes !== undefined ? `MemoryError (${ev.bytes} bytes)` : 'MemoryError', cat: 'memoryError', ph: 'i', s: 'g', ts, pid: PID, tid: EVENTS_TID, args });
    else if (ev.kind === 'gap') out.push({ name: 'link gap', cat: 'gap', ph: 'i', s: 'p', ts, pid: PID, tid: EVENTS_TID, args });
    else out.push({ name: ev.kind, cat: 'device', ph: 'i', s: 't', ts, pid: PID, tid: EVENTS_TID, args });
  }

  for await (const page of lines) {
    for (const l of page) {
      if (!inRange(l.snapshot)) continue;
      out.push({ name: l.text.length > 200 ? `${l.text.slice(0, 199)}…` : l.text, cat: 'log', ph: 'i', s: 't', ts: at(l.snapshot, { hostMs: l.hostMs }), pid: PID, tid: LOG_TID, args: { line: l.line } });
    }
  }

  return {
    traceEvents: out,
    displayTimeUnit: 'ms',
    otherData: {
      producer: 'HeapScope',
      clock: clock === 'device' ? "the board's ticks_ms" : clock === 'host' ? "the host's clock" : 'none in the session: one second per dump',
      session: meta.name,
      ...(board ? { board } : {}),
    },
  };
}
