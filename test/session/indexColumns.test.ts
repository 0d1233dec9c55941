/**
 * The columnar index of format 3 (indexColumns.ts), codec alone: items packed into records and
 * unpacked in order give back every entry and event, including what the predictions do not
 * expect (numbers that are fractions or huge, a kind that disappears, head blocks that are not
 * the sum of the kinds, snapshots without a map, host times out of order), and the figures the
 * timeline reads from the columns equal the entries' own.
 */
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/shared/capture/captureReader';
import { computeMetrics, metricsFromCounts, type SnapshotMetrics } from '../../src/shared/heap/metrics';
import type { HeapSnapshot } from '../../src/shared/heap/snapshot';
import { summarize, type SessionEvent, type SnapshotIndexEntry, type SnapshotSummary } from '../../src/main/session/indexCodec';
import { chunkEntry, chunkEvent, ColumnPacker, ColumnUnpacker, emptyFigures, putChunkFigures, putEntryFigures, type PackItem } from '../../src/main/session/indexColumns';
import { corpusFile, corpusNames, enc } from '../support/corpus';

type Item = { snap: SnapshotSummary; hostMs: number | null; metrics: SnapshotMetrics } | { ev: SessionEvent; inRaw: boolean };

function expectedEntry(it: Extract<Item, { snap: unknown }>, index: number): SnapshotIndexEntry {
  const s = it.snap;
  const m = it.metrics;
  return {
    index,
    line: s.line,
    byteStart: s.byteStart,
    byteEnd: s.byteEnd,
    framing: s.framing,
    seq: s.seq,
    deviceMs: s.deviceMs,
    hostMs: it.hostMs,
    collected: s.collected,
    printed: s.printed,
    blockSize: s.blockSize,
    addressStyle: s.addressStyle,
    areas: s.areas,
    stats: s.stats,
    complete: s.complete,
    consistent: s.consistent,
    problems: s.problems,
    metrics: s.areas.length > 0 ? metricsFromCounts(m, s.blockSize) : m,
  };
}

/**
 * Packs the items in records of the given sizes (a reset where `resets` says), unpacks them, and
 * checks everything. `late`: every record is unpacked (and its figures taken) before any entry
 * is asked for, and entries are asked last record first (numbers and kinds then decode late).
 */
function roundTrip(items: Item[], sizes: number[], resets: number[] = [], late = false): void {
  const checks: Array<() => void> = [];
  const packer = new ColumnPacker();
  let unpacker = new ColumnUnpacker();
  let at = 0;
  let k = 0;
  let snapIndex = 0;
  while (at < items.length) {
    if (resets.includes(at)) {
      packer.reset();
      unpacker = new ColumnUnpacker();
    }
    let n = sizes[k++ % sizes.length];
    const next = resets.find((r) => r > at);
    if (next !== undefined) n = Math.min(n, next - at);
    const part = items.slice(at, at + n) as PackItem[];
    const body = packer.pack(part, 1000 + at, at + n >= items.length);
    const { chunk, p, ended } = unpacker.unpack(body);
    expect(p).toBe(1000 + at);
    expect(ended).toBe(at + n >= items.length);
    const snaps = part.filter((x) => 'snap' in x) as Array<Extract<Item, { snap: unknown }>>;
    const evs = part.filter((x) => 'ev' in x) as Array<Extract<Item, { ev: unknown }>>;
    expect([chunk.n, chunk.m]).toEqual([snaps.length, evs.length]);
    const figs = emptyFigures(chunk.n);
    const want = emptyFigures(chunk.n);
    putChunkFigures(figs, 0, chunk, chunk.n);
    const first = snapIndex;
    const check = () => {
      snaps.forEach((it, i) => {
        const e = chunkEntry(chunk, i, first + i);
        expect(e).toEqual(expectedEntry(it, first + i));
        putEntryFigures(want, i, e);
      });
      expect(figs).toEqual(want);
    };
    // Log lines are decoded when an event is first made, in the order of the records: late,
    // the last record's first makes every record before it decode its lines.
    const checkEvents = () =>
      evs.forEach((it, j) => {
        const got = chunkEvent(chunk, j);
        if (it.inRaw) {
          expect(got).toEqual({ logAt: { line: it.ev.line, byteOffset: it.ev.byteOffset, hostMs: it.ev.hostMs, length: (it.ev as { text: string }).text.length } });
        } else {
          expect(got).toEqual({ event: it.ev });
        }
      });
    if (late) checks.unshift(check, checkEvents);
    else {
      check();
      checkEvents();
    }
    snapIndex += snaps.length;
    at += n;
  }
  for (const c of checks) c();
}

/** Every corpus capture, read by the parser, as index items in arrival order (host times made up). */
function corpusItems(): Item[] {
  const items: Item[] = [];
  let host = 1_700_000_000_000;
  for (const name of corpusNames()) {
    for (const ev of readCapture(corpusFile(name))) {
      host += 350;
      if (ev.type === 'snapshot') items.push({ snap: summarize(ev.snapshot), hostMs: host, metrics: computeMetrics(ev.snapshot) });
      else items.push({ ev: { ...ev, hostMs: host }, inRaw: false });
    }
  }
  return items;
}

const statsFrame = (seq: number, alloc: number, free: number): HeapSnapshot =>
  (readCapture(enc(`@@HS:S ${seq} ${seq * 350} 1 ${alloc} ${free}\n`)).find((e) => e.type === 'snapshot') as { snapshot: HeapSnapshot }).snapshot;

describe('the columnar index', () => {
  it('gives back every entry and event of the corpus, whatever the record sizes', () => {
    const items = corpusItems();
    expect(items.filter((x) => 'snap' in x).length).toBeGreaterThan(10);
    roundTrip(items, [items.length]);
    roundTrip(items, [1, 3, 7], [0, 11, 40]);
  });

  it('gives the same entries and events when they are asked for after every record was unpacked, the last record first', () => {
    roundTrip(corpusItems(), [1, 3, 7], [0, 11, 40], true);
  });

  it('keeps numbers the predictions do not expect, and kinds that come and go', () => {
    const base = corpusItems().filter((x) => 'snap' in x && x.snap.areas.length > 0) as Array<Extract<Item, { snap: unknown }>>;
    const items: Item[] = [];
    base.forEach((it, i) => {
      const s: SnapshotSummary = { ...it.snap, problems: i % 4 === 1 ? ['line 3: a problem', 'ünïcode'] : it.snap.problems };
      const m: SnapshotMetrics = { ...it.metrics, kinds: { ...it.metrics.kinds } };
      if (i % 3 === 1) s.deviceMs = 1.5 + i; // a fraction: kept as JSON
      if (i % 5 === 2) s.seq = 2 ** 53 - 1 - i; // beyond a varint's safe range
      if (i % 4 === 3) m.kinds = { Z: 5 }; // head blocks no longer the sum of the kinds; others gone
      if (i % 6 === 4 && s.printed) s.printed = { ...s.printed, used: (s.printed.used ?? 0) + 17, mem: { total: 100, current: 50, peak: 70 } };
      items.push({ snap: s, hostMs: i % 7 === 3 ? null : i % 7 === 5 ? 0.25 : 1_700_000_000_000 - i * 1000, metrics: m });
      if (i % 2 === 0) items.push({ ev: { type: 'log', text: `tick ${i} rx ${i % 41} queue ${i % 7}`, line: s.line + 1, byteOffset: s.byteEnd, hostMs: 5 }, inRaw: false });
      if (i % 5 === 0) items.push({ ev: { type: 'log', text: 'plain text', line: s.line + 2, byteOffset: s.byteEnd + 40, hostMs: 6 }, inRaw: true });
    });
    const stats = statsFrame(7, 1234, 5678);
    items.push({ snap: summarize(stats), hostMs: null, metrics: computeMetrics(stats) });
    items.push({ ev: { type: 'device', kind: 'memoryError', text: 'MemoryError: memory allocation failed, allocating 582 bytes', bytes: 582, line: 9, byteOffset: 99, hostMs: null }, inRaw: false });
    items.push({ ev: { type: 'mark', label: 'button', deviceMs: null, line: 9, byteOffset: 99, hostMs: 1 }, inRaw: false });
    items.push({ ev: { type: 'gap', reason: 'USB gone', hostMsStart: 10, hostMsEnd: null, line: 9, byteOffset: 99, hostMs: 10 }, inRaw: false });
    items.push({ ev: { type: 'device', kind: 'banner', text: 'MicroPython v1.23.0', detail: { version: '1.23.0' }, line: 10, byteOffset: 120, hostMs: 11 }, inRaw: false });
    for (const it of base.slice(0, 3)) items.push({ snap: it.snap, hostMs: 12, metrics: it.metrics });
    roundTrip(items, [items.length]);
    roundTrip(items, [2, 5], [0, 9]);
    roundTrip(items, [2, 5], [0, 9], true);
  });

  it('refuses a record whose counts or columns are cut, in words', () => {
    const items = corpusItems().slice(0, 20);
    const body = new ColumnPacker().pack(items as PackItem[], 5, false);
    for (const cut of [3, 10, body.length >> 1, body.length - 1]) {
      expect(() => new ColumnUnpacker().unpack(body.subarray(0, cut))).toThrow(/./);
    }
    // Garbage claims nothing it cannot hold (no allocation from a count in the data).
    const junk = Uint8Array.from([0, 0, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f]);
    expect(() => new ColumnUnpacker().unpack(junk)).toThrow(/counts make no sense/);
  });
});
