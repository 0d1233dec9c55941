import type { HeapSnapshot } from '../heap/snapshot';

/**
 * What a capture turns into, in arrival order. `line` is the 1-based line of the raw capture
 * where the event starts; `byteOffset` its first byte.
 */
export type CaptureEvent = LogEvent | SnapshotEvent | DeviceEvent | MarkEvent | GapEvent;

/** A line the program (or the REPL) printed, with control bytes and escape sequences removed. */
export interface LogEvent {
  type: 'log';
  text: string;
  line: number;
  byteOffset: number;
}

export interface SnapshotEvent {
  type: 'snapshot';
  snapshot: HeapSnapshot;
}

export type DeviceEventKind =
  | 'softReboot' // `MPY: soft reboot`, `soft reboot`
  | 'traceback' // `Traceback (most recent call last):`
  | 'memoryError' // `MemoryError: memory allocation failed, allocating N bytes`
  | 'keyboardInterrupt'
  | 'banner' // `MicroPython v1.23.0 on …` / `Adafruit CircuitPython …`
  | 'helperStart' // the helper's hello frame
  | 'frameLost'; // a helper sequence number was skipped

export interface DeviceEvent {
  type: 'device';
  kind: DeviceEventKind;
  text: string;
  line: number;
  byteOffset: number;
  /** For memoryError: the size of the failed request, when printed. */
  bytes?: number;
  /** For frameLost: how many frames were lost. */
  lost?: number;
  /** For banner/helperStart: what was announced (version, platform…). */
  detail?: Record<string, string | number | boolean>;
}

/** A user mark: from the helper's `mark(label)` or added by the host. */
export interface MarkEvent {
  type: 'mark';
  label: string;
  deviceMs: number | null;
  line: number;
  byteOffset: number;
}

/** The link went away and came back (inserted by the recorder, not read from bytes). */
export interface GapEvent {
  type: 'gap';
  reason: string;
  hostMsStart: number;
  hostMsEnd: number | null;
  line: number;
  byteOffset: number;
}
