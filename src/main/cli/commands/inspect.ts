import { createReadStream } from 'node:fs';
import path from 'node:path';
import { CaptureReader, FEED_SLICE } from '../../../shared/capture/captureReader';
import type { CaptureEvent } from '../../../shared/capture/events';
import type { SnapshotIndexEntry } from '../../../shared/heap/snapshot';
import {
  formatReport,
  formatSummary,
  inspectIndexEntry,
  InspectReportBuilder,
  InspectSummary,
  type InspectReport,
  type InspectSnapshot,
} from '../../../shared/report/inspectReport';
import { SessionFormatError } from '../../session/format';
import { passMaps, threadCpuMs } from '../../session/followAhead';
import { InputError, UsageError } from '../errors';

import { assertFile, isSessionFile, openSession } from '../sessionInput';

export interface InspectCliOptions {
  json?: boolean;
  /** 1: one thread; 2: the maps decoded ahead in a second one (default: see passMaps). */
  threads?: '1' | '2';
}

/** `heapscope inspect`: its options are in ./index.ts. */
export async function run(file: string, opts: InspectCliOptions): Promise<void> {
  if (isSessionFile(file)) {
    await assertFile(file);
    // Written as it is read: a day-long session's report is never held whole.
    const out = new ChunkedWriter((s) => process.stdout.write(s));
    const sum = new InspectSummary();
    const threads = opts.threads === undefined ? undefined : opts.threads === '2' ? 2 : 1;
    const rest = inspectSession(file, opts.json ? (s) => out.write(JSON.stringify(s)) : (s) => sum.add(s), opts.json ? out : null, threads);
    if (opts.json) out.end();
    else process.stdout.write(formatSummary(path.basename(file), sum, rest));
    return;
  }
  const report = await inspectFile(file);
  if (opts.json) process.stdout.write(JSON.stringify(report) + '\n');
  else process.stdout.write(formatReport(path.basename(file), report));
}

/** The whole report, held (a raw capture's, or a session's for callers that want it as one). */
export async function inspectFile(file: string): Promise<InspectReport> {
  await assertFile(file);
  if (isSessionFile(file)) {
    const snapshots: InspectSnapshot[] = [];
    const rest = inspectSession(file, (s) => snapshots.push(s), null);
    return { snapshots, ...rest };
  }
  const builder = new InspectReportBuilder();
  const reader = new CaptureReader();
  let binary = 0;
  let seen = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer;
    if (seen < 65536) {
      for (let i = 0; i < Math.min(bytes.length, 65536 - seen); i++) if (bytes[i] === 0) binary++;
      seen += bytes.length;
    }
    // In slices: each line is an event until the builder has it, so a 1 MiB chunk of short
    // lines would be a million objects at once.
    for (let i = 0; i < bytes.length; i += FEED_SLICE) builder.add(reader.feed(bytes.subarray(i, i + FEED_SLICE)));
  }
  builder.add(reader.end());
  const report = builder.build();
  if (report.snapshots.length === 0 && binary > 0) {
    throw new InputError(file, 'is binary data, not a text capture or a HeapScope session');
  }
  return report;
}

/**
 * A session's report in one pass over its index and its maps (each dump's map followed from
 * the one before: see FollowedSessionMaps). Snapshots go to `each` in order; with `json`, the
 * report's JSON is written around them there, byte for byte what JSON.stringify of the whole
 * report gives. Returns the rest of the report.
 */
function inspectSession(file: string, each: (s: InspectSnapshot) => void, json: ChunkedWriter | null, threads?: 1 | 2): Omit<InspectReport, 'snapshots'> {
  const reader = openSession(file);
  const maps = passMaps(reader, file, threads);
  try {
    if (maps === null) throw new UsageError('--threads 2 needs the compiled CLI (out/cli/followWorker.js): run npm install');
    const builder = new InspectReportBuilder();
    let first = true;
    json?.write('{"snapshots":[');
    // Damage in an index page not read before: the session ends before it, as when the whole
    // index is read at once (the snapshots and events of the pages before it are the report).
    let cut: SessionFormatError | null = null;
    const guard = <T>(f: () => T): T => {
      try {
        return f();
      } catch (err) {
        if (err instanceof SessionFormatError) cut ??= err;
        throw err;
      }
    };
    const src = {
      snapshotCount: reader.snapshotCount,
      eventCount: reader.eventCount,
      entry: (i: number) => guard(() => reader.entry(i)),
      event: (i: number) => guard(() => reader.event(i)),
      getSnapshot: (i: number) => reader.getSnapshot(i),
    };
    const opts = {
      maps: (i: number, e: SnapshotIndexEntry) => maps.maps(i, e),
      onEntry: (e: SnapshotIndexEntry) => {
        if (json && !first) json.write(',');
        first = false;
        each(inspectIndexEntry(e));
      },
      onEvent: (e: CaptureEvent) => builder.add([e], false),
    };
    try {
      builder.lifetimes.update(src, opts);
    } catch (err) {
      if (cut === null || err !== cut) throw err;
      process.stderr.write(`heapscope: warning: ${(err as Error).message}\n`);
      // The events before the damaged page still count; the snapshots stop where it starts.
      const fed = builder.lifetimes.fed;
      try {
        builder.lifetimes.update({ ...src, snapshotCount: fed }, opts);
      } catch (again) {
        if (!(again instanceof SessionFormatError)) throw again;
      }
    }
    const report = builder.build();
    if (json) {
      json.write(`],"logLines":${JSON.stringify(report.logLines)},"events":${JSON.stringify(report.events)},"leak":${JSON.stringify(report.leak)}}\n`);
    }
    return { logLines: report.logLines, events: report.events, leak: report.leak };
  } finally {
    // What the pass cost each thread (the bench reads it): see RawAhead.toJSON.
    if (process.env.HEAPSCOPE_DEBUG_PASS) {
      maps?.raw?.settle();
      process.stderr.write(`pass: ${JSON.stringify(maps?.raw ?? { passCpuMs: threadCpuMs() })}\n`);
    }
    maps?.close();
    reader.close();
  }
}

/** Text written in chunks of about 1 MiB (one write per chunk, not one per snapshot). */
class ChunkedWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly sink: (s: string) => void) {}

  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 1 << 20) this.flush();
  }

  end(): void {
    this.flush();
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    this.sink(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}
