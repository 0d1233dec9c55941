/**
 * A session's leak verdict, from lifetimes: objects born after a warm-up that are still alive
 * at the end, and keep being added all along the session. Objects born in the last stretch are
 * left out: they have had no time to die (garbage waits for the next collection).
 *
 * - leaking: such survivors were born in every quarter of the window between warm-up and that
 *   last stretch (at least MIN_SURVIVORS of them); growth is their bytes over the window's time.
 * - steady: enough frames, and no such steady stream of survivors.
 * - unknown: too few frames with a map, no clock, or no block size.
 *
 * The forecast is at the growth rate: until the heap is full, or until the longest free run is
 * shorter than the largest allocation seen (whichever comes first).
 */
import { phaseKey } from './queries';
import type { LifetimeTracker } from './tracker';

export type LeakVerdictKind = 'leaking' | 'steady' | 'unknown';

export interface LeakGroup {
  kind: string;
  /** Bytes of each object in the group. */
  size: number;
  count: number;
  /** The log line or mark most of them were born during (numbers folded to `#`). */
  bornNear: string;
}

export interface LeakVerdict {
  verdict: LeakVerdictKind;
  /** Growth of the survivors; null when unknown. */
  bytesPerMinute: number | null;
  /** Time from the last frame until the heap cannot take the largest allocation seen; null unless leaking. */
  forecastMs: number | null;
  /** What the forecast runs into. */
  forecastLimit: 'full' | 'largestFreeRun' | null;
  groups: LeakGroup[];
  /** Why, in words. */
  reason: string;
  /** The survivors (object ids) behind the verdict. */
  survivors: number[];
  /** Snapshot indexes: the end of warm-up and the start of the last stretch. */
  window: { from: number; to: number } | null;
}

export interface HeapFigures {
  blockSize: number | null;
  /** At the last frame. */
  freeBytes: number | null;
  largestFreeRunBytes: number | null;
  /** The largest allocation seen in the session (or a failed request, if larger), bytes. */
  largestAllocBytes: number | null;
}

export const MIN_FRAMES = 8;
export const MIN_SURVIVORS = 4;
const WARMUP = 0.2;
const SETTLE = 0.2;

function unknown(reason: string): LeakVerdict {
  return { verdict: 'unknown', bytesPerMinute: null, forecastMs: null, forecastLimit: null, groups: [], reason, survivors: [], window: null };
}

export function leakVerdict(t: LifetimeTracker, h: HeapFigures): LeakVerdict {
  const n = t.frameCount;
  const r0 = t.runStart;
  const m = n - r0;
  if (m < MIN_FRAMES) return unknown(`${m} frame${m === 1 ? '' : 's'} with a map since the heap started (${MIN_FRAMES} needed)`);
  if (!h.blockSize) return unknown('the block size is unknown');
  const bs = h.blockSize;
  const w = r0 + Math.max(1, Math.floor(m * WARMUP));
  const c = n - 1 - Math.max(2, Math.floor(m * SETTLE));
  const tw = t.times[w];
  const tc = t.times[c];
  if (tw === null || tc === null || !(tc > tw)) return unknown('the frames carry no clock');
  // Survivors: born after warm-up, before the last stretch, alive at the end.
  const from = t.firstBornAfter(w);
  const to = t.firstBornAfter(c);
  const survivors: number[] = [];
  const quarters = [0, 0, 0, 0];
  let blocks = 0;
  for (let id = from; id < to; id++) {
    if (t.diedAt[id] >= 0) continue;
    survivors.push(id);
    blocks += t.length[id];
    const q = Math.min(3, Math.floor(((t.bornAt[id] - w - 1) * 4) / (c - w)));
    quarters[q]++;
  }
  const bytes = blocks * bs;
  const bytesPerMinute = Math.round((bytes / (tc - tw)) * 60_000);
  const window = { from: t.frames[w], to: t.frames[c] };
  const everyQuarter = quarters.every((q) => q > 0);
  if (survivors.length < MIN_SURVIVORS || !everyQuarter) {
    const why =
      survivors.length === 0
        ? 'nothing born after warm-up lives to the end'
        : `${survivors.length} object${survivors.length === 1 ? '' : 's'} born after warm-up live to the end, not added steadily (per quarter: ${quarters.join(', ')})`;
    return { verdict: 'steady', bytesPerMinute, forecastMs: null, forecastLimit: null, groups: groupsOf(t, survivors, bs), reason: why, survivors, window };
  }
  const perMs = bytes / (tc - tw);
  let forecastMs: number | null = null;
  let forecastLimit: LeakVerdict['forecastLimit'] = null;
  if (h.freeBytes !== null) {
    forecastMs = Math.round(h.freeBytes / perMs);
    forecastLimit = 'full';
  }
  if (h.largestFreeRunBytes !== null && h.largestAllocBytes !== null) {
    const frag = Math.round(Math.max(0, h.largestFreeRunBytes - h.largestAllocBytes) / perMs);
    if (forecastMs === null || frag < forecastMs) {
      forecastMs = frag;
      forecastLimit = 'largestFreeRun';
    }
  }
  return {
    verdict: 'leaking',
    bytesPerMinute,
    forecastMs,
    forecastLimit,
    groups: groupsOf(t, survivors, bs),
    reason: `${survivors.length} objects (${bytes} B) born after warm-up never died, added in every quarter of the session`,
    survivors,
    window,
  };
}

/** Survivors by kind and size, most bytes first, each with the phase most of them were born in. */
function groupsOf(t: LifetimeTracker, ids: readonly number[], bs: number): LeakGroup[] {
  const groups = new Map<string, { kind: string; size: number; count: number; phases: Map<string, number> }>();
  for (const id of ids) {
    const kind = String.fromCharCode(t.code[id]);
    const size = t.length[id] * bs;
    const key = `${kind}:${size}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { kind, size, count: 0, phases: new Map() }));
    g.count++;
    const p = phaseKey(t.phases[t.phaseOf[id]].text);
    g.phases.set(p, (g.phases.get(p) ?? 0) + 1);
  }
  return [...groups.values()]
    .sort((a, b) => b.size * b.count - a.size * a.count || a.kind.localeCompare(b.kind))
    .slice(0, 10)
    .map((g) => {
      let bornNear = '';
      let best = 0;
      for (const [p, k] of g.phases) if (k > best) [bornNear, best] = [p, k];
      return { kind: g.kind, size: g.size, count: g.count, bornNear };
    });
}

/** "leaking 960 B/min, full in about 2 min" */
export function formatLeak(v: Pick<LeakVerdict, 'verdict' | 'reason' | 'bytesPerMinute' | 'forecastMs' | 'forecastLimit'>): string {
  if (v.verdict === 'unknown') return `leak: unknown (${v.reason})`;
  if (v.verdict === 'steady') return `leak: steady (${v.reason})`;
  const rate = v.bytesPerMinute ?? 0;
  let s = `leaking ${rate >= 10240 ? `${(rate / 1024).toFixed(1)} KiB` : `${rate} B`}/min`;
  if (v.forecastMs !== null) {
    const what = v.forecastLimit === 'largestFreeRun' ? 'no room for the largest allocation' : 'full';
    s += `, ${what} in about ${formatDuration(v.forecastMs)}`;
  }
  return s;
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 172_800_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${Math.round(ms / 86_400_000)} days`;
}
