/**
 * What a recent-sessions row says about a session without opening it: the board or demo, the
 * program, how long it ran, how many frames, and whether it ended in a MemoryError. The
 * service computes it from the index it already holds when a session is opened, imported or
 * recorded, and keeps it in recent.json, so listing never decodes a session.
 */
import type { SessionMeta, SessionSummary, SnapshotIndexEntry, TimelineEvent } from '../api';
import { bytes } from './format';

/** A ticks_ms clock wraps; a span longer than a week is a wrap or junk, not a recording. */
const MAX_SPAN_MS = 7 * 24 * 3600 * 1000;

function span(a: number | null | undefined, b: number | null | undefined): number | null {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  const d = b - a;
  return d >= 0 && d <= MAX_SPAN_MS ? d : null;
}

/** Whoever made the dumps: the virtual board, the identified board, else the port or capture. */
export function boardLabel(meta: Pick<SessionMeta, 'source' | 'origin' | 'board'>): string | undefined {
  if (meta.source === 'recording' && meta.origin === 'virtual') return 'Virtual board';
  const b = meta.board;
  const named = b?.machine?.trim() || b?.name?.trim() || b?.platform?.trim();
  if (named) return named;
  if (meta.source === 'recording') return meta.origin || undefined;
  return undefined;
}

export function summarizeSession(meta: SessionMeta, entries: readonly SnapshotIndexEntry[], events: readonly TimelineEvent[]): SessionSummary {
  const first = entries[0];
  const last = entries[entries.length - 1];
  // The host clock when the dumps carry it (recordings), else the board's own clock (imports).
  const durationMs = first && last ? (span(first.hostMs, last.hostMs) ?? span(first.deviceMs, last.deviceMs)) : null;
  const oom = events.find((e) => e.kind === 'memoryError');
  const s: SessionSummary = {
    source: meta.source,
    durationMs,
    frames: entries.length,
    memoryError: oom ? { bytes: typeof oom.bytes === 'number' && oom.bytes > 0 ? oom.bytes : null } : null,
  };
  const board = boardLabel(meta);
  if (board) s.board = board;
  if (meta.program) s.program = meta.program;
  else if (meta.source === 'import' && meta.origin) s.program = `import of ${baseName(meta.origin)}`;
  return s;
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() || p;
}

/** A duration for a list: "0.8 s", "34 s", "3 min 06 s", "1 h 02 min". */
export function shortDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) {
    const t = Math.round(s);
    return `${Math.floor(t / 60)} min ${String(t % 60).padStart(2, '0')} s`;
  }
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The parts of a recent row after its title, in reading order: "34 s", "58 frames". */
export function summaryFacts(s: SessionSummary): string[] {
  const out: string[] = [];
  if (s.durationMs !== null) out.push(shortDuration(s.durationMs));
  out.push(s.frames === 1 ? '1 frame' : `${s.frames} frames`);
  return out;
}

/** The badge's words: "MemoryError" or "MemoryError (9.38 KiB)". */
export function memoryErrorBadge(s: SessionSummary): string | null {
  if (!s.memoryError) return null;
  return s.memoryError.bytes ? `MemoryError (${bytes(s.memoryError.bytes)})` : 'MemoryError';
}

/** One line, for a native menu: "Demo: Fragment · Virtual board · 34 s · 58 frames · MemoryError (9.38 KiB)". */
export function recentMenuLabel(s: SessionSummary, name: string): string {
  const parts = [s.program ?? name, s.board, ...summaryFacts(s)].filter((x): x is string => !!x);
  const badge = memoryErrorBadge(s);
  if (badge) parts.push(badge);
  return parts.join(' · ');
}
