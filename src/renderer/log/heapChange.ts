/**
 * The heap change beside a log line: used bytes from the dump before the line to the dump
 * after it (the two that bracket it), from the frame index's figures (no maps fetched).
 */
import type { FrameIndex } from '../../shared/view/frameIndex';
import { bytes, signedBytes } from '../../shared/view/format';

export interface HeapChange {
  text: string;
  title: string;
  sign: -1 | 0 | 1;
}

/** `snapshot`: the dumps before the line (it was printed between dump snapshot-1 and dump snapshot). */
export function heapChangeAt(f: FrameIndex, snapshot: number): HeapChange | null {
  if (snapshot <= 0 || snapshot >= f.length) return null;
  const a = f.cols.used[snapshot - 1];
  const b = f.cols.used[snapshot];
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  const d = b - a;
  return {
    text: d === 0 ? '±0' : signedBytes(d),
    title: `Used heap from frame ${snapshot} to frame ${snapshot + 1}, the dumps either side of this line: ${bytes(a)} → ${bytes(b)}`,
    sign: d > 0 ? 1 : d < 0 ? -1 : 0,
  };
}
