/** What a board prints about itself, recognised in the program's log lines. */
import type { DeviceEvent } from './events';

const MEMORY_ERROR = /MemoryError(?::\s*(.*))?$/;
const ALLOCATING = /allocating (\d+) bytes/;
const BANNER = /^(MicroPython|Adafruit CircuitPython|CircuitPython) (v?\d[^\s;]*)(?:[^;]*?on ([^;]+))?;\s*(.*)$/;

/** The device event a log line announces, if any. */
export function deviceEventOf(text: string, line: number, byteOffset: number): DeviceEvent | null {
  const t = text.trim();
  if (t.length === 0) return null;
  const c = t.charCodeAt(0);
  if (/soft reboot/i.test(t) && t.length < 40) {
    return { type: 'device', kind: 'softReboot', text: t, line, byteOffset };
  }
  if (c === 0x54 /* T */ && t.startsWith('Traceback (most recent call last)')) {
    return { type: 'device', kind: 'traceback', text: t, line, byteOffset };
  }
  if (t.includes('MemoryError')) {
    const m = MEMORY_ERROR.exec(t);
    if (m) {
      const a = ALLOCATING.exec(t);
      const ev: DeviceEvent = { type: 'device', kind: 'memoryError', text: t, line, byteOffset };
      if (a) ev.bytes = Number(a[1]);
      return ev;
    }
  }
  if (c === 0x4b /* K */ && t.startsWith('KeyboardInterrupt')) {
    return { type: 'device', kind: 'keyboardInterrupt', text: t, line, byteOffset };
  }
  if (c === 0x4d /* M */ || c === 0x41 /* A */ || c === 0x43 /* C */) {
    const m = BANNER.exec(t);
    if (m) {
      const detail: Record<string, string> = { implementation: m[1], version: m[2] };
      if (m[3]) detail.date = m[3].trim();
      if (m[4]) detail.board = m[4].trim();
      return { type: 'device', kind: 'banner', text: t, line, byteOffset, detail };
    }
  }
  return null;
}
