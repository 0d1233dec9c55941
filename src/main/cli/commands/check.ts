/**
 * `heapscope check`: rules a session or capture must keep (its options are in ./index.ts).
 * Exit 0 when every rule holds, 1 with one line per broken rule, 2 on bad usage.
 */
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CaptureReader } from '../../../shared/capture/captureReader';
import { metricsOf } from '../../../shared/heap/metrics';
import { SessionLifetimes } from '../../../shared/lifetimes/session';
import { passMaps } from '../../session/followAhead';
export { hasRules } from '../../../shared/report/checkRules';
import { hasRules, junitXml, RuleChecker, type CheckRules, type RuleResult } from '../../../shared/report/checkRules';
import { ChecksFailed, InputError, UsageError } from '../errors';
import { assertFile, isSessionFile, openSession } from '../sessionInput';
import { SessionFormatError, type SessionReader, type SnapshotIndexEntry } from '../../session';

/** The rule options, shared with `record`. */
export interface RuleCliOptions {
  maxUsed?: string;
  minLargestFree?: string;
  maxFragmentation?: string;
  /** false with --no-memory-error (commander's negated option). */
  memoryError?: boolean;
  /** false with --no-leak. */
  leak?: boolean;
  junit?: string;
}

export interface CheckCliOptions extends RuleCliOptions {
  json?: boolean;
}

/** "4096", "12K", "1.5M" → bytes. */
function parseBytes(text: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`${name} takes bytes (e.g. 4096, 12K), not "${text}"`);
  const unit = (m[2] ?? 'b').toLowerCase();
  return Math.round(Number(m[1]) * (unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1048576 : 1));
}

function parsePercent(text: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  if (!m || Number(m[1]) > 100) throw new UsageError(`${name} takes a percentage from 0 to 100 (e.g. 30%), not "${text}"`);
  return Number(m[1]) / 100;
}

/** The rules the options ask for (UsageError on a bad value). */
export function parseRules(o: RuleCliOptions): CheckRules {
  const r: CheckRules = {};
  if (o.maxUsed !== undefined) {
    if (o.maxUsed.trim().endsWith('%')) r.maxUsedShare = parsePercent(o.maxUsed, '--max-used');
    else r.maxUsedBytes = parseBytes(o.maxUsed, '--max-used');
  }
  if (o.minLargestFree !== undefined) r.minLargestFreeBytes = parseBytes(o.minLargestFree, '--min-largest-free');
  if (o.maxFragmentation !== undefined) r.maxFragmentation = parsePercent(o.maxFragmentation, '--max-fragmentation');
  if (o.memoryError === false) r.noMemoryError = true;
  if (o.leak === false) r.noLeak = true;
  return r;
}

/** Checks a session or a raw capture against the rules. */
export async function checkFile(file: string, rules: CheckRules): Promise<RuleResult[]> {
  await assertFile(file);
  const checker = new RuleChecker(rules);
  const life = rules.noLeak ? new SessionLifetimes() : null;
  if (isSessionFile(file)) {
    const reader = openSession(file);
    try {
      // Frames and MemoryErrors in the order they arrived, the index read a page at a time (a
      // day-long session's index as objects is hundreds of MB): only MemoryErrors become objects.
      let k = 0;
      let off: ReturnType<SessionReader['eventOffsets']> | null = null;
      const memoryErrorsBefore = (at: number) => {
        for (; k < reader.eventCount; k++) {
          if (off === null || k < off.first || k - off.first >= off.offsets.byteOffset.length) off = reader.eventOffsets(k);
          const j = k - off.first;
          if (off.offsets.byteOffset[j] >= at) break;
          if (off.offsets.isLog[j]) continue;
          const e = reader.event(k);
          if (e.type === 'device' && e.kind === 'memoryError') checker.memoryError(e.line, e.bytes);
        }
      };
      for (let i = 0; i < reader.snapshotCount; i++) {
        let s: SnapshotIndexEntry;
        try {
          s = reader.entry(i);
        } catch (err) {
          if (!(err instanceof SessionFormatError)) throw err;
          // A damaged index page: the whole index is read as far as the damage (the session
          // then ends before it, as a full read has it), and the walk goes on from there.
          void reader.snapshots;
          off = null;
          if (i >= reader.snapshotCount) break;
          s = reader.entry(i);
        }
        memoryErrorsBefore(s.byteStart);
        checker.frame({ index: s.index, timeMs: s.deviceMs ?? s.hostMs, metrics: s.metrics });
      }
      memoryErrorsBefore(Infinity);
      // Each dump's map followed from the one before (only changed lines read), its raw bytes
      // decoded ahead in a second thread where that pays (see passMaps).
      if (life) {
        const maps = passMaps(reader, file)!;
        try {
          life.update(reader, { maps: (i, e) => maps.maps(i, e) });
        } finally {
          maps.close();
        }
      }
    } finally {
      reader.close();
    }
  } else {
    const reader = new CaptureReader();
    let sawDump = false;
    let nul = 0;
    const take = (events: ReturnType<CaptureReader['feed']>) => {
      for (const e of events) {
        life?.addCaptureEvent(e);
        if (e.type === 'snapshot') {
          sawDump = true;
          checker.frame({ index: e.snapshot.index, timeMs: e.snapshot.deviceMs, metrics: metricsOf(e.snapshot) });
        } else if (e.type === 'device' && e.kind === 'memoryError') checker.memoryError(e.line, e.bytes);
      }
    };
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      const bytes = chunk as Buffer;
      if (!sawDump && nul === 0) nul = bytes.subarray(0, 65536).indexOf(0) >= 0 ? 1 : 0;
      take(reader.feed(bytes));
    }
    take(reader.end());
    if (!sawDump && nul) throw new InputError(file, 'is binary data, not a text capture or a HeapScope session');
  }
  return checker.results(life ? life.leak() : null);
}

/**
 * Prints the results (one line per broken rule, or JSON), writes the JUnit file if asked, and
 * throws ChecksFailed when a rule broke.
 */
export function report(file: string, results: RuleResult[], opts: { json?: boolean; junit?: string }, out: (s: string) => void): void {
  if (opts.junit) writeJunit(opts.junit, junitXml(`heapscope check ${path.basename(file)}`, results));
  const broken = results.filter((r) => !r.ok);
  if (opts.json) out(JSON.stringify({ file, ok: broken.length === 0, rules: results }) + '\n');
  else if (broken.length) out(broken.map((r) => r.message).join('\n') + '\n');
  else out(`${path.basename(file)}: ${results.length === 1 ? '1 rule holds' : `${results.length} rules hold`}: ${results.map((r) => r.limit).join(', ')}\n`);
  if (broken.length) throw new ChecksFailed(`${broken.length} rule${broken.length === 1 ? '' : 's'} broken`);
}

/**
 * A JUnit report is rewritten on each run (that is what naming it asks for), but a file that is
 * not one is never replaced.
 */
function writeJunit(target: string, xml: string): void {
  if (existsSync(target)) {
    let head = '';
    try {
      head = readFileSync(target, 'utf8').slice(0, 4096);
    } catch {
      throw new InputError(target, 'exists and cannot be read: not replaced');
    }
    if (!/^(<\?xml[^>]*>\s*)?<testsuites[\s>]/.test(head.trimStart())) {
      throw new InputError(target, 'exists and is not a JUnit report: not replaced (remove it, or name another file)');
    }
  }
  writeFileSync(target, xml);
}

export async function run(file: string, opts: CheckCliOptions): Promise<void> {
  const rules = parseRules(opts);
  if (!hasRules(rules)) throw new UsageError('name at least one rule: --max-used, --min-largest-free, --max-fragmentation, --no-memory-error, --no-leak');
  const results = await checkFile(file, rules);
  report(file, results, opts, (s) => process.stdout.write(s));
}
