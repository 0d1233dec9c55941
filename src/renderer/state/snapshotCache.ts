/**
 * Decoded maps by snapshot index, least recently used evicted first, bounded in bytes: the
 * renderer holds a window of maps around the playhead, never the session.
 */
import type { SnapshotData } from '../../shared/api';

export class SnapshotCache {
  private readonly map = new Map<number, SnapshotData>();
  private bytes = 0;

  constructor(private readonly maxBytes = 48 * 1024 * 1024, private readonly maxEntries = 256) {}

  get(i: number): SnapshotData | undefined {
    const s = this.map.get(i);
    if (s) {
      this.map.delete(i);
      this.map.set(i, s);
    }
    return s;
  }

  has(i: number): boolean {
    return this.map.has(i);
  }

  put(s: SnapshotData): void {
    const old = this.map.get(s.index);
    if (old) {
      this.bytes -= sizeOf(old);
      this.map.delete(s.index);
    }
    this.map.set(s.index, s);
    this.bytes += sizeOf(s);
    while ((this.bytes > this.maxBytes || this.map.size > this.maxEntries) && this.map.size > 1) {
      const [k, v] = this.map.entries().next().value as [number, SnapshotData];
      this.map.delete(k);
      this.bytes -= sizeOf(v);
    }
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.map.size;
  }

  get byteSize(): number {
    return this.bytes;
  }
}

function sizeOf(s: SnapshotData): number {
  let n = 200;
  for (const a of s.areas) n += a.kinds.byteLength + 64;
  return n;
}
