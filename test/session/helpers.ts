import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from "vitest";
import { readCapture } from '../../src/shared/capture/captureReader';
import type { CaptureEvent } from '../../src/shared/capture/events';
import { computeMetrics } from '../../src/shared/heap/metrics';
import type { HeapSnapshot } from '../../src/shared/heap/snapshot';
import type { SessionEvent, SnapshotIndexEntry } from '../../src/main/session';
import { SessionWriter, type SessionWriterOptions } from '../../src/main/session';

/** A temporary folder for this test file, removed when it ends. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-session-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** What the capture parser makes of the bytes: snapshots and the other events. */
export function expectedOf(bytes: Uint8Array): { snapshots: HeapSnapshot[]; events: CaptureEvent[] } {
  const all = readCapture(bytes);
  return {
    snapshots: all.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : [])),
    events: all.filter((e) => e.type !== 'snapshot'),
  };
}

/** An index entry as the sequential parse would give it (no host time). */
export function entryOf(s: HeapSnapshot): Omit<SnapshotIndexEntry, 'hostMs'> {
  return {
    index: s.index,
    line: s.line,
    byteStart: s.byteStart,
    byteEnd: s.byteEnd,
    framing: s.framing,
    seq: s.seq,
    deviceMs: s.deviceMs,
    collected: s.collected,
    printed: s.printed,
    blockSize: s.blockSize,
    addressStyle: s.addressStyle,
    areas: s.areas.map((a) => ({ address: a.address, blocks: a.blocks })),
    stats: s.stats,
    complete: s.complete,
    consistent: s.consistent,
    problems: s.problems,
    metrics: computeMetrics(s),
  };
}

export function withoutHost(e: SnapshotIndexEntry | SessionEvent): unknown {
  const { hostMs: _h, ...rest } = e;
  return rest;
}

/** A snapshot as plain JSON (maps as text), to compare with toEqual. */
export function plain(s: HeapSnapshot): unknown {
  return { ...s, areas: s.areas.map((a) => ({ ...a, kinds: Buffer.from(a.kinds).toString('latin1') })) };
}

/**
 * Writes bytes to a session in pieces of the given sizes, flushing after the pieces listed,
 * and closes it (unless `abandon`).
 */
export function writeSession(
  file: string,
  bytes: Uint8Array,
  opts: SessionWriterOptions & { pieces?: number[]; flushEvery?: number; abandon?: boolean; hostMs?: number | null } = {},
): SessionWriter {
  const w = SessionWriter.create(file, { title: path.basename(file) }, opts);
  const pieces = opts.pieces ?? [1 << 20];
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const n = Math.max(1, pieces[k % pieces.length]);
    w.appendRaw(bytes.subarray(at, at + n), opts.hostMs === undefined ? 1_700_000_000_000 + at : opts.hostMs);
    at += n;
    k++;
    if (opts.flushEvery && k % opts.flushEvery === 0) w.flush();
  }
  if (opts.abandon) {
    w.flush();
    w.abandon();
  } else {
    w.close();
  }
  return w;
}

/** A small deterministic PRNG for tests. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * A copy of a session file at `out` with one byte flipped in the payload of a raw record (type 3)
 * past the middle of the file: damage a reader finds only when it decodes that record.
 */
export function damagedCopy(file: string, out: string): string {
  const b = readFileSync(file);
  let at = 16;
  let hit = -1;
  while (at < b.length) {
    const len = b.readUInt32LE(at + 1);
    if (b[at] === 3 && at > b.length / 2 && len > 40) {
      hit = at + 9 + (len >> 1);
      break;
    }
    at += 9 + len;
  }
  if (hit < 0) throw new Error(`${file} has no raw record past its middle to damage`);
  b[hit] ^= 0x10;
  writeFileSync(out, b);
  return out;
}
