import { importCapture } from '../../session';
import { InputError, UsageError } from '../errors';
import { assertFile, isSessionFile } from '../sessionInput';

export interface ImportCliOptions {
  output: string;
}

/** `heapscope import`: its options are in ./index.ts. */
export async function run(capture: string, opts: ImportCliOptions): Promise<void> {
  await assertFile(capture);
  if (isSessionFile(capture)) throw new InputError(capture, 'is already a HeapScope session');
  if (opts.output === capture) throw new UsageError('the session must not overwrite the capture');
  const t0 = Date.now();
  const summary = await importCapture(capture, opts.output);
  const raw = summary.rawLength;
  const size = summary.fileBytes;
  process.stderr.write(
    `${opts.output}: ${summary.snapshots} snapshots from ${(raw / 1024).toFixed(0)} KB in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
      `session ${(size / 1024).toFixed(0)} KB (${((100 * size) / Math.max(1, raw)).toFixed(1)} % of the capture)\n`,
  );
}
