/**
 * The on-device helper `device/mem_dump.py`: put it on the board (skipped when identical), or,
 * where Python cannot write the filesystem, hand its source to the launcher to run from RAM.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BoardIdentity } from '../repl/identify';
import type { RawRepl } from '../repl/rawRepl';
import { BoardExecError } from '../serial/errors';
import { installFile, type InstallResult } from './installFile';

const EIO = 5;
const ENOSPC = 28;

export const HELPER_MODULE = 'mem_dump';
export const HELPER_FILE = 'mem_dump.py';

/**
 * Where the helper's source is: `device/mem_dump.py` in the folder that holds HeapScope's
 * code, found by walking up from this module, which sits at a different depth in each form
 * (src/main/board/install in a checkout, out/cli for the compiled CLI, out/main inside the
 * packaged app's archive). Never the working directory: HeapScope may start from anywhere.
 */
export function helperSourcePath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'device', HELPER_FILE);
    if (existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`the helper ${HELPER_FILE} was not found in a device/ folder above ${path.dirname(fileURLToPath(import.meta.url))}`);
    dir = up;
  }
}

export function readHelperSource(file = helperSourcePath()): Uint8Array {
  return readFileSync(file);
}

export type HelperPlacement =
  /** `import mem_dump` works: the file is on the board. */
  | { where: 'file'; result: Extract<InstallResult, { status: 'skipped' | 'written' }> }
  /** The launcher must carry the helper's source (read-only filesystem). */
  | { where: 'ram'; source: Uint8Array; reason: string };

export interface InstallHelperOptions {
  source?: Uint8Array;
  force?: boolean;
  /** Never write the board's filesystem: always send the helper from RAM. */
  fromRam?: boolean;
  onProgress?: (written: number, total: number) => void;
}

export async function installHelper(repl: RawRepl, id: BoardIdentity, opts: InstallHelperOptions = {}): Promise<HelperPlacement> {
  const source = opts.source ?? readHelperSource();
  if (opts.fromRam) return { where: 'ram', source, reason: 'asked to run the helper from RAM' };
  if (id.readOnlyFs) return { where: 'ram', source, reason: 'the board\'s filesystem is read-only to Python' };
  let result: InstallResult;
  try {
    result = await installFile(repl, HELPER_FILE, source, {
      hasSha256: id.hasSha256,
      force: opts.force,
      onProgress: opts.onProgress,
    });
  } catch (err) {
    // A full or failing filesystem: the recording can still run, with the helper in RAM.
    const errno = err instanceof BoardExecError ? err.errno : null;
    if (errno === ENOSPC || errno === EIO) {
      return { where: 'ram', source, reason: `the helper could not be written (${errno === ENOSPC ? 'the filesystem is full' : 'a filesystem error'})` };
    }
    throw err;
  }
  if (result.status === 'read-only') {
    return { where: 'ram', source, reason: 'the board\'s filesystem is read-only to Python (EROFS)' };
  }
  return { where: 'file', result };
}
