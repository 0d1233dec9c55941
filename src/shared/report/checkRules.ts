/**
 * `heapscope check` and `record`'s rules: limits a session must stay within, checked frame by
 * frame (so a recording can be checked as it goes) and reported one line per broken rule, with
 * the first frame that broke it, its time, the value and the limit.
 */
import type { SnapshotMetrics } from '../heap/metrics';
import type { LeakVerdict } from '../lifetimes/leak';
import { formatLeak } from '../lifetimes/leak';

export interface CheckRules {
  /** Used bytes at most this many… */
  maxUsedBytes?: number;
  /** …or at most this share (0–1) of the heap. */
  maxUsedShare?: number;
  /** The longest free run at least this many bytes. */
  minLargestFreeBytes?: number;
  /** Fragmentation at most this share (0–1). */
  maxFragmentation?: number;
  noMemoryError?: boolean;
  noLeak?: boolean;
}

export type RuleName = 'max-used' | 'min-largest-free' | 'max-fragmentation' | 'no-memory-error' | 'no-leak';

export interface RuleResult {
  rule: RuleName;
  /** The limit in words, e.g. "used ≤ 140000 B". */
  limit: string;
  ok: boolean;
  /** The first frame that broke it (snapshot index), when a frame did. */
  frame: number | null;
  /** Seconds from the first frame to that frame, when the session has a clock. */
  seconds: number | null;
  /** The value that broke it, in words. */
  value: string | null;
  /** Frames (or events) that broke it. */
  count: number;
  /** One line: what broke, where, against what limit. */
  message: string;
}

export interface CheckFrameFigures {
  index: number;
  timeMs: number | null;
  metrics: SnapshotMetrics;
}

export function hasRules(r: CheckRules): boolean {
  return (
    r.maxUsedBytes !== undefined ||
    r.maxUsedShare !== undefined ||
    r.minLargestFreeBytes !== undefined ||
    r.maxFragmentation !== undefined ||
    !!r.noMemoryError ||
    !!r.noLeak
  );
}

interface Breach {
  frame: number | null;
  seconds: number | null;
  value: string;
  count: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Checks frames as they come; `results` says how each rule stands so far. */
export class RuleChecker {
  private firstMs: number | null = null;
  private lastFrame: number | null = null;
  private lastSeconds: number | null = null;
  private readonly breaches = new Map<RuleName, Breach>();
  private frames = 0;
  /** Seconds from the first frame, by snapshot index (to place the leak's window). */
  private readonly secondsAt = new Map<number, number | null>();

  constructor(readonly rules: CheckRules) {}

  frame(f: CheckFrameFigures): void {
    this.frames++;
    if (this.firstMs === null && f.timeMs !== null) this.firstMs = f.timeMs;
    const seconds = f.timeMs !== null && this.firstMs !== null ? (f.timeMs - this.firstMs) / 1000 : null;
    this.lastFrame = f.index;
    this.lastSeconds = seconds;
    this.secondsAt.set(f.index, seconds);
    const m = f.metrics;
    const r = this.rules;
    if (m.usedBytes !== null) {
      if (r.maxUsedBytes !== undefined && m.usedBytes > r.maxUsedBytes) this.breach('max-used', f.index, seconds, `${m.usedBytes} B used`);
      else if (r.maxUsedShare !== undefined && m.totalBytes && m.usedBytes / m.totalBytes > r.maxUsedShare) {
        this.breach('max-used', f.index, seconds, `${m.usedBytes} B used (${pct(m.usedBytes / m.totalBytes)} of ${m.totalBytes} B)`);
      }
    }
    if (r.minLargestFreeBytes !== undefined && m.largestFreeRunBytes !== null && m.largestFreeRunBytes < r.minLargestFreeBytes) {
      this.breach('min-largest-free', f.index, seconds, `longest free run ${m.largestFreeRunBytes} B`);
    }
    if (r.maxFragmentation !== undefined && m.fragmentation > r.maxFragmentation) {
      this.breach('max-fragmentation', f.index, seconds, `fragmentation ${pct(m.fragmentation)}`);
    }
  }

  /** A MemoryError the board printed (placed at the last frame before it). */
  memoryError(line: number, bytes: number | undefined): void {
    if (!this.rules.noMemoryError) return;
    this.breach('no-memory-error', this.lastFrame, this.lastSeconds, `MemoryError at capture line ${line}${bytes !== undefined ? ` (allocating ${bytes} bytes)` : ''}`);
  }

  private breach(rule: RuleName, frame: number | null, seconds: number | null, value: string): void {
    const b = this.breaches.get(rule);
    if (b) b.count++;
    else this.breaches.set(rule, { frame, seconds, value, count: 1 });
  }

  /** Every rule asked for, in a fixed order; `leak` is needed for --no-leak. */
  results(leak: LeakVerdict | null = null): RuleResult[] {
    const r = this.rules;
    const out: RuleResult[] = [];
    const add = (rule: RuleName, limit: string) => {
      const b = this.breaches.get(rule) ?? null;
      out.push(result(rule, limit, b));
    };
    if (r.maxUsedBytes !== undefined) add('max-used', `used ≤ ${r.maxUsedBytes} B`);
    else if (r.maxUsedShare !== undefined) add('max-used', `used ≤ ${pct(r.maxUsedShare)} of the heap`);
    if (r.minLargestFreeBytes !== undefined) add('min-largest-free', `longest free run ≥ ${r.minLargestFreeBytes} B`);
    if (r.maxFragmentation !== undefined) add('max-fragmentation', `fragmentation ≤ ${pct(r.maxFragmentation)}`);
    if (r.noMemoryError) add('no-memory-error', 'no MemoryError');
    if (r.noLeak) {
      const limit = 'no leak';
      if (leak === null) throw new Error('--no-leak needs the leak verdict');
      if (leak.verdict === 'leaking') {
        // Placed where the evidence ends: the last frame whose newborn count.
        const frame = leak.window?.to ?? this.lastFrame;
        const res = result('no-leak', limit, { frame, seconds: frame === null ? null : this.secondsAt.get(frame) ?? null, value: `${formatLeak(leak)} (${leak.reason})`, count: 1 });
        out.push(res);
      } else {
        const res = result('no-leak', limit, null);
        res.message = `no-leak: ok (${leak.verdict}: ${leak.reason})`;
        out.push(res);
      }
    }
    if (this.frames === 0 && out.some((x) => x.rule !== 'no-memory-error' && x.rule !== 'no-leak')) {
      // Nothing to measure is not a pass.
      for (const x of out) {
        if (x.rule === 'no-memory-error' || x.rule === 'no-leak' || !x.ok) continue;
        x.ok = false;
        x.value = 'no heap snapshot';
        x.message = `${x.rule}: broken: the session has no heap snapshot to check ${x.limit} against`;
      }
    }
    return out;
  }
}

function result(rule: RuleName, limit: string, b: Breach | null): RuleResult {
  if (!b) return { rule, limit, ok: true, frame: null, seconds: null, value: null, count: 0, message: `${rule}: ok (${limit})` };
  const where = b.frame === null ? 'before the first frame' : `frame ${b.frame}${b.seconds !== null ? ` (${b.seconds.toFixed(1)} s)` : ''}`;
  const more = b.count > 1 ? `; ${b.count} times in all` : '';
  return { rule, limit, ok: false, frame: b.frame, seconds: b.seconds, value: b.value, count: b.count, message: `${rule}: broken at ${where}: ${b.value}, limit ${limit}${more}` };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML: one test case per rule, a failure for each broken one. */
export function junitXml(name: string, results: readonly RuleResult[]): string {
  const failures = results.filter((r) => !r.ok).length;
  const cases = results.map((r) => {
    const open = `    <testcase classname="heapscope.check" name="${esc(`${r.rule}: ${r.limit}`)}" time="0"`;
    if (r.ok) return `${open}/>`;
    return `${open}>\n      <failure message="${esc(r.message)}" type="${r.rule}">${esc(r.message)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="heapscope check" tests="${results.length}" failures="${failures}">`,
    `  <testsuite name="${esc(name)}" tests="${results.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
