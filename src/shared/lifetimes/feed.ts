/**
 * A capture's events into a LifetimeTracker, in arrival order: log lines and marks set the
 * phase, a soft reboot ends every life, a dump with a map is the next frame.
 */
import type { CaptureEvent } from '../capture/events';
import type { HeapSnapshot } from '../heap/snapshot';
import type { LifetimeTracker } from './tracker';

/** The clock a frame is placed on: the board's when it said, else the host's. */
export function frameTime(s: { deviceMs: number | null }, hostMs: number | null = null): number | null {
  return s.deviceMs ?? hostMs;
}

export function feedEvent(t: LifetimeTracker, e: CaptureEvent | (Exclude<CaptureEvent, { type: 'snapshot' }> & { hostMs?: number | null })): void {
  switch (e.type) {
    case 'log':
      if (e.text.trim() !== '') t.notePhase('log', e.text, e.line);
      break;
    case 'mark':
      t.notePhase('mark', e.label, e.line);
      break;
    case 'device':
      if (e.kind === 'softReboot') t.reset();
      break;
    case 'snapshot':
      feedSnapshot(t, e.snapshot, null);
      break;
  }
}

export function feedSnapshot(t: LifetimeTracker, s: HeapSnapshot, hostMs: number | null): void {
  t.addFrame({ index: s.index, timeMs: frameTime(s, hostMs), areas: s.areas });
}
