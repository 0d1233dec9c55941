import type { Command } from 'commander';
import { importCapture } from '../../session';
import { InputError, UsageError } from '../errors';
import { assertFile, isSessionFile } from '../sessionInput';

export function register(program: Command): void {
  program
    .command('import')
    .description('make a raw capture (any terminal log with mem_info dumps) into a session')
    .argument('<capture>', 'the capture: a log from mpremote, screen, Thonny, a pi-mst capture, a paste…')
    .requiredOption('-o, --output <session>', 'the session file to write (.hss)')
    .action(async (capture: string, opts: { output: string }) => {
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
    });
}
