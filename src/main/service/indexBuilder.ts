/**
 * Turns capture events (in arrival order) into what the API serves: the snapshot index with
 * metrics, the log lines, and the timeline events. Incremental, so the same code indexes an
 * import in one go and a live recording chunk by chunk.
 */
import type { CaptureEvent } from '../../shared/capture/events';
import type { HeapSnapshot } from '../../shared/heap/snapshot';
import { computeMetrics, type SnapshotMetrics } from '../../shared/heap/metrics';
import type { LogLine, SnapshotData, SnapshotIndexEntry, TimelineEvent } from '../../shared/api';
import { LogStore } from './logStore';

export interface IndexDelta {
  snapshots: { entry: SnapshotIndexEntry; data: SnapshotData }[];
  lines: LogLine[];
  events: TimelineEvent[];
}

export function entryOf(s: HeapSnapshot, logLine: number, hostMs: number | null, metrics?: SnapshotMetrics): SnapshotIndexEntry {
  return {
    index: s.index,
    line: s.line,
    byteStart: s.byteStart,
    byteEnd: s.byteEnd,
    framing: s.framing,
    seq: s.seq,
    deviceMs: s.deviceMs,
    hostMs,
    collected: s.collected,
    blockSize: s.blockSize,
    addressStyle: s.addressStyle,
    areas: s.areas.map((a) => ({ address: a.address, blocks: a.blocks })),
    printed: s.printed,
    stats: s.stats,
    complete: s.complete,
    consistent: s.consistent,
    problems: s.problems,
    metrics: metrics ?? computeMetrics(s),
    logLine,
  };
}

export function dataOf(s: HeapSnapshot): SnapshotData {
  return {
    index: s.index,
    blockSize: s.blockSize,
    addressStyle: s.addressStyle,
    areas: s.areas.map((a) => ({ address: a.address, blocks: a.blocks, kinds: a.kinds })),
  };
}

export class IndexBuilder {
  readonly entries: SnapshotIndexEntry[] = [];
  /** Log lines in typed arrays, not objects: a log of millions of short lines stays small. */
  readonly lines = new LogStore();
  readonly events: TimelineEvent[] = [];
  private lastLogOffset = -1;
  /** The object last handed out in a delta for the last line (a device event marks it too). */
  private lastDelta: LogLine | null = null;

  /** Adds a snapshot known by its index entry only (a session file's index). */
  pushEntry(e: Omit<SnapshotIndexEntry, 'logLine'>): SnapshotIndexEntry {
    const entry: SnapshotIndexEntry = { ...e, index: this.entries.length, logLine: this.lines.length };
    this.entries.push(entry);
    return entry;
  }

  /** Adds events; `hostMs` is when their bytes arrived (null for imports). */
  add(evs: readonly CaptureEvent[], hostMs: number | null = null): IndexDelta {
    const delta: IndexDelta = { snapshots: [], lines: [], events: [] };
    for (const e of evs) {
      switch (e.type) {
        case 'snapshot': {
          // Snapshots are numbered by their order in this session, whatever the parser says.
          const s = e.snapshot.index === this.entries.length ? e.snapshot : { ...e.snapshot, index: this.entries.length };
          const entry = entryOf(s, this.lines.length, hostMs);
          this.entries.push(entry);
          delta.snapshots.push({ entry, data: dataOf(s) });
          break;
        }
        case 'log': {
          const l = this.lines.push(e.text, e.line, this.entries.length, hostMs, e.byteOffset);
          this.lastDelta = l;
          delta.lines.push(l);
          this.lastLogOffset = e.byteOffset;
          break;
        }
        case 'device': {
          // A device event read from a log line follows that line, at the same offset.
          const last = this.lines.length - 1;
          if (last >= 0 && e.byteOffset === this.lastLogOffset && this.lines.lineOf(last) === e.line && !this.lines.deviceOf(last)) {
            this.lines.setDevice(last, e.kind);
            if (this.lastDelta && this.lastDelta.n === last) this.lastDelta.device = e.kind;
          }
          const t = timelineEventOf(e, this.events.length, this.entries.length, this.lines.length, hostMs);
          this.events.push(t);
          delta.events.push(t);
          break;
        }
        case 'mark':
        case 'gap': {
          const t = timelineEventOf(e, this.events.length, this.entries.length, this.lines.length, hostMs);
          this.events.push(t);
          delta.events.push(t);
          break;
        }
      }
    }
    return delta;
  }
}

type TimelineCaptureEvent = Extract<CaptureEvent, { type: 'device' | 'mark' | 'gap' }>;

/** The timeline's form of a device event, a mark or a gap: event `i`, after `snapshot` snapshots and `logLine` lines. */
export function timelineEventOf(e: TimelineCaptureEvent, i: number, snapshot: number, logLine: number, hostMs: number | null): TimelineEvent {
  const at = { i, line: e.line, byteOffset: e.byteOffset, snapshot, logLine };
  switch (e.type) {
    case 'device': {
      const t: TimelineEvent = { ...at, type: 'device', kind: e.kind, text: e.text, hostMs };
      if (e.bytes !== undefined) t.bytes = e.bytes;
      if (e.lost !== undefined) t.lost = e.lost;
      return t;
    }
    case 'mark':
      return { ...at, type: 'mark', kind: 'mark', text: e.label, deviceMs: e.deviceMs, hostMs };
    case 'gap':
      return { ...at, type: 'gap', kind: 'gap', text: e.reason, hostMs: e.hostMsStart };
  }
}
