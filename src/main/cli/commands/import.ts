import { rm } from 'node:fs/promises';
import { importCapture, type SessionWriterOptions } from '../../session';
import { builtRawCoderWorker } from '../../session/rawCoderClient';
import { InputError, UsageError } from '../errors';
import { assertFile, assertOutput, isSessionFile } from '../sessionInput';
import { sameFile } from '../../session/files';

export interface ImportCliOptions {
  output: string;
  force?: boolean;
  /** A log meant to have no dump still becomes a session (its lines, no snapshots). */
  allowEmpty?: boolean;
  /** '1': the raw records coded in this thread; '2': in a worker; absent: importCapture decides. */
  threads?: '1' | '2';
}

/** `heapscope import`: its options are in ./index.ts. */
export async function run(capture: string, opts: ImportCliOptions): Promise<void> {
  await assertFile(capture);
  if (isSessionFile(capture)) throw new InputError(capture, 'is already a HeapScope session');
  // The same file by any name (./d/cap.txt, a link): device and inode, not the path string.
  if (opts.output === capture || sameFile(opts.output, capture)) throw new UsageError(`${opts.output} is the capture itself: the session must not overwrite it`);
  await assertOutput(opts.output, !!opts.force);
  const t0 = Date.now();
  let threads: SessionWriterOptions = {};
  if (opts.threads === '1') threads = { worker: undefined };
  if (opts.threads === '2') {
    const worker = builtRawCoderWorker();
    if (!worker) throw new UsageError('--threads 2 needs the compiled CLI (out/cli/rawCoderWorker.js): run npm install');
    threads = { worker };
  }
  const summary = await importCapture(capture, opts.output, {}, threads);
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
