/**
 * The summary `heapscope inspect` prints: built incrementally from events so a capture of any
 * size is inspected in one streaming pass.
 */
import type { CaptureEvent } from '../capture/events';
import { computeMetrics, type SnapshotMetrics } from '../heap/metrics';
import type { HeapSnapshot } from '../heap/snapshot';
import { formatLeak, type LeakVerdict } from '../lifetimes/leak';
import { SessionLifetimes } from '../lifetimes/session';

/** What inspect needs of a snapshot: everything but its map, plus its metrics. */
export type SnapshotFigures = Pick<
  HeapSnapshot,
  'index' | 'line' | 'deviceMs' | 'seq' | 'collected' | 'complete' | 'consistent' | 'problems' | 'printed' | 'stats' | 'blockSize'
> & { areas: ReadonlyArray<{ address: string; blocks: number }> };

export interface InspectSnapshot {
  index: number;
  line: number;
  deviceMs: number | null;
  seq: number | null;
  collected: boolean | null;
  complete: boolean;
  consistent: boolean;
  problems: string[];
  printed: { total: number | null; used: number | null; free: number | null; maxNewSplit: number | null } | null;
  stats: { alloc: number; free: number } | null;
  blockSize: number | null;
  areas: Array<{ address: string; blocks: number }>;
  counts: { free: number; head: number; tail: number; unknown: number };
  kinds: Record<string, number>;
  usedBytes: number | null;
  freeBytes: number | null;
  largestFreeRun: number;
  freeRuns: number;
  fragmentation: number;
}

export interface InspectEvent {
  type: string;
  line: number;
  text?: string;
  bytes?: number;
  lost?: number;
  label?: string;
}

/** The leak verdict as `inspect --json` prints it. */
export type InspectLeak = Pick<LeakVerdict, 'verdict' | 'bytesPerMinute' | 'forecastMs' | 'forecastLimit' | 'groups' | 'reason'>;

export interface InspectReport {
  snapshots: InspectSnapshot[];
  logLines: number;
  events: InspectEvent[];
  leak?: InspectLeak;
}

export function inspectLeak(v: LeakVerdict): InspectLeak {
  return { verdict: v.verdict, bytesPerMinute: v.bytesPerMinute, forecastMs: v.forecastMs, forecastLimit: v.forecastLimit, groups: v.groups, reason: v.reason };
}

export class InspectReportBuilder {
  private readonly report: InspectReport = { snapshots: [], logLines: 0, events: [] };
  /** Lifetimes of the capture's objects, for the leak verdict. */
  readonly lifetimes = new SessionLifetimes();

  /** `withMaps`: the events carry whole dumps (a raw capture); a session's lifetimes are fed by the caller. */
  add(events: Iterable<CaptureEvent>, withMaps = true): void {
    for (const e of events) {
      if (withMaps) this.lifetimes.addCaptureEvent(e);
      switch (e.type) {
        case 'log':
          this.report.logLines++;
          break;
        case 'snapshot':
          this.report.snapshots.push(inspectSnapshot(e.snapshot));
          break;
        case 'device': {
          const ev: InspectEvent = { type: e.kind, line: e.line, text: e.text };
          if (e.bytes !== undefined) ev.bytes = e.bytes;
          if (e.lost !== undefined) ev.lost = e.lost;
          this.report.events.push(ev);
          break;
        }
        case 'mark':
          this.report.events.push({ type: 'mark', line: e.line, label: e.label });
          break;
        case 'gap':
          this.report.events.push({ type: 'gap', line: e.line, text: e.reason });
          break;
      }
    }
  }

  build(): InspectReport {
    this.report.leak = inspectLeak(this.lifetimes.leak());
    return this.report;
  }
}

export function inspectSnapshot(s: HeapSnapshot): InspectSnapshot {
  return inspectFigures(s, computeMetrics(s));
}

/** A session index entry (figures and metrics, no map). */
export function inspectIndexEntry(e: SnapshotFigures & { metrics: SnapshotMetrics }): InspectSnapshot {
  return inspectFigures(e, e.metrics);
}

function inspectFigures(s: SnapshotFigures, m: SnapshotMetrics): InspectSnapshot {
  return {
    index: s.index,
    line: s.line,
    deviceMs: s.deviceMs,
    seq: s.seq,
    collected: s.collected,
    complete: s.complete,
    consistent: s.consistent,
    problems: s.problems,
    printed: s.printed && { total: s.printed.total, used: s.printed.used, free: s.printed.free, maxNewSplit: s.printed.maxNewSplit },
    stats: s.stats,
    blockSize: s.blockSize,
    areas: s.areas.map((a) => ({ address: a.address, blocks: a.blocks })),
    counts: { free: m.freeBlocks, head: m.headBlocks, tail: m.tailBlocks, unknown: m.unknownBlocks },
    kinds: m.kinds,
    usedBytes: m.usedBytes,
    freeBytes: m.freeBytes,
    largestFreeRun: m.largestFreeRun,
    freeRuns: m.freeRuns,
    fragmentation: Math.round(m.fragmentation * 10000) / 10000,
  };
}

const kb = (n: number | null) => (n === null ? '?' : n >= 10240 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);

/**
 * What the summary says of the snapshots, gathered one at a time (a session's snapshots are
 * never all held at once).
 */
export class InspectSummary {
  count = 0;
  first: InspectSnapshot | null = null;
  last: InspectSnapshot | null = null;
  peakUsed = 0;
  withoutMap = 0;
  damagedCount = 0;
  /** The first damaged snapshots (the summary lists ten). */
  readonly damaged: InspectSnapshot[] = [];

  add(s: InspectSnapshot): void {
    this.count++;
    this.first ??= s;
    this.last = s;
    this.peakUsed = Math.max(this.peakUsed, s.usedBytes ?? 0);
    if (s.areas.length === 0) this.withoutMap++;
    if (!s.consistent || (!s.complete && s.areas.length > 0)) {
      this.damagedCount++;
      if (this.damaged.length < 10) this.damaged.push(s);
    }
  }
}

/** A short summary a person can read. */
export function formatReport(name: string, r: InspectReport): string {
  const summary = new InspectSummary();
  for (const s of r.snapshots) summary.add(s);
  return formatSummary(name, summary, r);
}

/** The summary from snapshots gathered one by one, and the rest of the report. */
export function formatSummary(name: string, sum: InspectSummary, r: Omit<InspectReport, 'snapshots'>): string {
  const out: string[] = [];
  const n = sum.count;
  out.push(`${name}: ${n} heap snapshot${n === 1 ? '' : 's'}, ${r.logLines} log line${r.logLines === 1 ? '' : 's'}, ${r.events.length} event${r.events.length === 1 ? '' : 's'}`);
  if (sum.first && sum.last) {
    const first = sum.first;
    const last = sum.last;
    const areas = last.areas.map((a) => `${a.address} (${a.blocks} blocks)`).join(', ');
    if (areas) out.push(`  heap: ${areas}, block size ${last.blockSize ?? 'unknown'}`);
    out.push(`  used: ${kb(first.usedBytes)} first, ${kb(last.usedBytes)} last, ${kb(sum.peakUsed)} peak`);
    out.push(
      `  last: ${kb(last.freeBytes)} free, longest free run ${last.largestFreeRun} blocks in ${last.freeRuns} free runs, fragmentation ${(last.fragmentation * 100).toFixed(1)} %`,
    );
    if (sum.withoutMap) out.push(`  ${sum.withoutMap} without a map (header only or stats only)`);
  }
  if (r.leak) {
    out.push(`  ${r.leak.verdict === 'leaking' ? `leak: ${formatLeak(r.leak)}` : formatLeak(r.leak)}`);
    if (r.leak.verdict === 'leaking') {
      for (const g of r.leak.groups.slice(0, 5)) {
        out.push(`    ${g.count} × ${g.kind} of ${g.size} B, born during "${g.bornNear}"`);
      }
    }
  }
  if (sum.damagedCount) {
    out.push(`  ${sum.damagedCount} damaged:`);
    for (const s of sum.damaged) out.push(`    #${s.index} (line ${s.line}): ${s.problems.join('; ')}`);
    if (sum.damagedCount > 10) out.push(`    … and ${sum.damagedCount - 10} more`);
  }
  const byType = new Map<string, InspectEvent[]>();
  for (const e of r.events) byType.set(e.type, [...(byType.get(e.type) ?? []), e]);
  for (const [type, list] of byType) {
    const sample = list
      .slice(0, 3)
      .map((e) => `line ${e.line}${e.bytes !== undefined ? ` (${e.bytes} bytes)` : ''}${e.label ? ` "${e.label}"` : ''}`)
      .join(', ');
    out.push(`  ${type}: ${list.length}× — ${sample}${list.length > 3 ? ', …' : ''}`);
  }
  return out.join('\n') + '\n';
}
