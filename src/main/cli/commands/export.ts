import path from 'node:path';
import { EXPORT_EXTENSIONS, ExportInputError, runExport } from '../../export';
import { FileSessionView } from '../../service/sessionStore';
import { InputError, UsageError } from '../errors';
import { assertFile, assertOutput, isSessionFile, openSession } from '../sessionInput';
import { sameFile } from '../../session/files';
import { EXPORT_FORMATS as FORMATS } from './index';

type Format = (typeof FORMATS)[number];

export interface ExportCliOptions {
  format: string;
  output?: string;
  from?: string;
  to?: string;
  snapshot?: string;
  scale?: string;
  fps?: string;
  theme?: string;
  force?: boolean;
}

/** `heapscope export`: its options are in ./index.ts. */
export async function run(session: string, opts: ExportCliOptions): Promise<void> {
  const format = opts.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`unknown format "${opts.format}": use one of ${FORMATS.join(', ')}`);
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new UsageError(`--${name} takes a snapshot number, not "${v}"`);
    return Number(v);
  };
  const from = num('from', opts.from);
  const to = num('to', opts.to);
  const snapshot = num('snapshot', opts.snapshot);
  const within = (name: string, v: string | undefined, lo: number, hi: number, what: string) => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < lo || Number(v) > hi) throw new UsageError(`--${name} takes ${what} from ${lo} to ${hi}, not "${v}"`);
    return Number(v);
  };
  const scale = within('scale', opts.scale, 1, 16, 'pixels per block');
  const fps = within('fps', opts.fps, 1, 60, 'frames per second');
  if (opts.theme !== undefined && opts.theme !== 'light' && opts.theme !== 'dark') throw new UsageError(`--theme is light or dark, not "${opts.theme}"`);
  const look = { ...(scale !== undefined ? { scale } : {}), ...(fps !== undefined ? { fps } : {}), ...(opts.theme ? { theme: opts.theme as 'light' | 'dark' } : {}) };
  await assertFile(session);
  if (!isSessionFile(session)) {
    throw new InputError(session, `is not a HeapScope session (for a raw capture, run: heapscope import ${session} -o session.hss)`);
  }
  const toStdout = !opts.output && (format === 'csv' || format === 'json' || format === 'raw');
  const out = opts.output ?? (toStdout ? null : session.replace(/\.hss$/, '') + EXPORT_EXTENSIONS[format]);
  if (out !== null) {
    if (out === session || sameFile(out, session)) throw new UsageError(`${out} is the session itself: pick another output file`);
    await assertOutput(out, !!opts.force);
  }
  const view = new FileSessionView(openSession(session));
  try {
    const range = from !== undefined || to !== undefined ? { from: from ?? 0, to: to ?? Number.MAX_SAFE_INTEGER } : undefined;
    if (out === null) {
      // Through a temporary file so stdout gets exactly the bytes a file would.
      const { mkdtemp, readFile, rm } = await import('node:fs/promises');
      const { tmpdir } = await import('node:os');
      const dir = await mkdtemp(path.join(tmpdir(), 'heapscope-export-'));
      const tmp = path.join(dir, `out${EXPORT_EXTENSIONS[format]}`);
      try {
        await runExport(view, { format, range, snapshot, ...look, path: tmp });
        process.stdout.write(await readFile(tmp));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    } else {
      const done = await runExport(view, { format, range, snapshot, ...look, path: out });
      process.stderr.write(`${out}: ${done.bytes} bytes (${format})\n`);
    }
  } catch (err) {
    if (err instanceof ExportInputError) throw new InputError(session, err.message);
    throw err;
  } finally {
    view.close();
  }
}
