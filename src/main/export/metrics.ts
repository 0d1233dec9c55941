/** CSV and JSON of the per-snapshot metrics: from the index alone, no map is decoded. */
import type { SessionMeta, SnapshotIndexEntry } from '../../shared/api';

/** Kind letters in a stable order: the documented ones first, then any other, alphabetically. */
const KIND_ORDER = ['h', 'T', 'L', 'D', 'S', 'A', 'F', 'B', 'M', 'm'];

export function kindColumns(entries: readonly SnapshotIndexEntry[]): string[] {
  const seen = new Set<string>();
  for (const e of entries) for (const k of Object.keys(e.metrics.kinds)) seen.add(k);
  const known = KIND_ORDER.filter((k) => seen.has(k));
  const other = [...seen].filter((k) => !KIND_ORDER.includes(k)).sort();
  return [...known, ...other];
}

export const CSV_BASE_COLUMNS = [
  'index',
  'seq',
  'line',
  'device_ms',
  'host_ms',
  'host_time',
  'collected',
  'complete',
  'consistent',
  'block_size',
  'areas',
  'printed_total',
  'printed_used',
  'printed_free',
  'printed_max_free_blocks',
  'printed_max_block_blocks',
  'printed_1_blocks',
  'printed_2_blocks',
  'stats_alloc',
  'stats_free',
  'blocks',
  'free_blocks',
  'head_blocks',
  'tail_blocks',
  'used_bytes',
  'free_bytes',
  'total_bytes',
  'largest_free_run_blocks',
  'largest_free_run_bytes',
  'free_runs',
  'fragmentation',
  'one_block_allocs',
  'two_block_allocs',
  'largest_alloc_blocks',
] as const;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') return Number.isFinite(v) ? String(Math.round(v * 1e6) / 1e6) : '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(kinds: readonly string[]): string {
  // Kind letters are case-sensitive: `kind_m` (marked) and `kind_M` (module) differ.
  return [...CSV_BASE_COLUMNS, ...kinds.map((k) => `kind_${k}`), 'problems'].join(',');
}

export function csvRow(e: SnapshotIndexEntry, kinds: readonly string[]): string {
  const m = e.metrics;
  const p = e.printed;
  const vals: unknown[] = [
    e.index,
    e.seq,
    e.line,
    e.deviceMs,
    e.hostMs,
    e.hostMs !== null ? new Date(e.hostMs).toISOString() : null,
    e.collected,
    e.complete,
    e.consistent,
    e.blockSize,
    e.areas.length,
    p?.total,
    p?.used,
    p?.free,
    p?.maxFreeSize,
    p?.maxBlockSize,
    p?.oneBlocks,
    p?.twoBlocks,
    e.stats?.alloc,
    e.stats?.free,
    m.blocks,
    m.freeBlocks,
    m.headBlocks,
    m.tailBlocks,
    m.usedBytes,
    m.freeBytes,
    m.totalBytes,
    m.largestFreeRun,
    m.largestFreeRunBytes,
    m.freeRuns,
    m.fragmentation,
    m.oneBlockAllocs,
    m.twoBlockAllocs,
    m.largestAlloc,
    ...kinds.map((k) => m.kinds[k] ?? 0),
    e.problems.join('; '),
  ];
  return vals.map(cell).join(',');
}

export function metricsJson(meta: SessionMeta, entries: readonly SnapshotIndexEntry[]): unknown {
  return {
    format: 'heapscope-metrics',
    version: 1,
    session: { name: meta.name, source: meta.source, origin: meta.origin ?? null, board: meta.board ?? null, createdAt: meta.createdAt },
    snapshots: entries.map((e) => ({
      index: e.index,
      seq: e.seq,
      line: e.line,
      deviceMs: e.deviceMs,
      hostMs: e.hostMs,
      collected: e.collected,
      complete: e.complete,
      consistent: e.consistent,
      problems: e.problems,
      blockSize: e.blockSize,
      areas: e.areas,
      printed: e.printed,
      stats: e.stats,
      metrics: e.metrics,
    })),
  };
}
