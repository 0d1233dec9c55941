import { createReadStream } from 'node:fs';
import path from 'node:path';
import { CaptureReader, FEED_SLICE } from '../../../shared/capture/captureReader';
import {
  formatReport,
  inspectIndexEntry,
  InspectReportBuilder,
  type InspectReport,
} from '../../../shared/report/inspectReport';
import { InputError } from '../errors';

import { assertFile, isSessionFile, openSession } from '../sessionInput';

export interface InspectCliOptions {
  json?: boolean;
}

/** `heapscope inspect`: its options are in ./index.ts. */
export async function run(file: string, opts: InspectCliOptions): Promise<void> {
  const report = await inspectFile(file);
  if (opts.json) process.stdout.write(JSON.stringify(report) + '\n');
  else process.stdout.write(formatReport(path.basename(file), report));
}

export async function inspectFile(file: string): Promise<InspectReport> {
  await assertFile(file);
  if (isSessionFile(file)) {
    // A session's index already holds every figure: no map is decoded.
    const reader = openSession(file);
    try {
      const builder = new InspectReportBuilder();
      builder.add(reader.events, false);
      // Lifetimes need the maps: each is fetched once, in order.
      builder.lifetimes.update(reader);
      const report = builder.build();
      report.snapshots = reader.snapshots.map(inspectIndexEntry);
      return report;
    } finally {
      reader.close();
    }
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
