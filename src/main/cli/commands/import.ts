import { rm } from 'node:fs/promises';
import { importCapture } from '../../session';
import { InputError, UsageError } from '../errors';
import { assertFile, assertOutput, isSessionFile } from '../sessionInput';
import { sameFile } from '../../session/files';

export interface ImportCliOptions {
  output: string;
  force?: boolean;
  /** A log meant to have no dump still becomes a session (its lines, no snapshots). */
  allowEmpty?: boolean;
  /** Code the raw records in this thread, not in a worker (for a busy machine, and to compare). */
  oneThread?: boolean;
}

/** `heapscope import`: its options are in ./index.ts. */
export async function run(capture: string, opts: ImportCliOptions): Promise<void> {
  await assertFile(capture);
  if (isSessionFile(capture)) throw new InputError(capture, 'is already a HeapScope session');
  // The same file by any name (./d/cap.txt, a link): device and inode, not the path string.
  if (opts.output === capture || sameFile(opts.output, capture)) throw new UsageError(`${opts.output} is the capture itself: the session must not overwrite it`);
  await assertOutput(opts.output, !!opts.force);
  const t0 = Date.now();
  const summary = await importCapture(capture, opts.output, {}, opts.oneThread ? { worker: undefined } : {});
  if (summary.snapshots === 0 && !opts.allowEmpty) {
    // A session of nothing is a mistake far more often than a wish: say so, keep no file.
    await rm(opts.output, { force: true });
    throw new InputError(capture, 'no heap dump found (HeapScope reads the text micropython.mem_info(1) prints, the helper’s @@HS: frames and pi-mst’s @@@ frames); pass --allow-empty to keep a session of its log lines anyway');
  }
  const raw = summary.rawLength;
  const size = summary.fileBytes;
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  // A ratio to the capture means something only when there were dumps to code; a log with none
  // is stored as it is, and a few bytes of text against a session's fixed header read as 2000 %.
  const sizeNote = summary.snapshots > 0 ? ` (${((100 * size) / Math.max(1, raw)).toFixed(1)} % of the capture)` : ', its log lines only';
  process.stderr.write(
    `${opts.output}: ${summary.snapshots === 0 ? 'no heap dump (--allow-empty)' : `${summary.snapshots} snapshots`} from ${kb(raw)} in ${secs} s; session ${kb(size)}${sizeNote}\n`,
  );
}

/** Whole KB, with the bytes below 1 KB (a 25-byte log is not "0 KB"). */
function kb(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(0)} KB`;
}
