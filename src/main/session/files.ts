/**
 * Files from outside, opened and written safely: only regular files are read (a FIFO would
 * block the process forever, /dev/zero never ends), opened without blocking and checked on the
 * descriptor itself (no window between the check and the read); an existing file is never
 * replaced unless the caller says so; two paths are the same file when their device and inode
 * are.
 */
import { constants, closeSync, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';

/** A file the caller may not read or write: the message names it and says why, in words. */
export class FileRefusedError extends Error {
  override readonly name = 'FileRefusedError';
  constructor(
    readonly path: string,
    readonly reason: 'not-a-file' | 'too-large' | 'exists' | 'same-file',
    message: string,
  ) {
    super(message);
  }
}

/** What a non-regular file is, in words. */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function check(path: string, st: Stats, maxBytes: number | undefined): void {
  if (!st.isFile()) throw new FileRefusedError(path, 'not-a-file', `${path} is ${kindOf(st)}, not a file: HeapScope reads only regular files`);
  if (maxBytes !== undefined && st.size > maxBytes) {
    throw new FileRefusedError(path, 'too-large', `${path} is ${formatBytes(st.size)}, more than the ${formatBytes(maxBytes)} this can read`);
  }
}

// O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting forever.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Opens a regular file for reading; refuses anything else (and files over `maxBytes`). */
export async function openRegular(path: string, maxBytes?: number): Promise<{ fh: FileHandle; size: number }> {
  const fh = await open(path, READ_FLAGS);
  try {
    const st = await fh.stat();
    check(path, st, maxBytes);
    return { fh, size: st.size };
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}

/** The same, synchronously (for the session reader), returning the descriptor. */
export function openRegularSync(path: string, maxBytes?: number): { fd: number; size: number } {
  const fd = openSync(path, READ_FLAGS);
  try {
    const st = fstatSync(fd);
    check(path, st, maxBytes);
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Checks, without opening it, that `path` is a regular file (no FIFO is ever opened). */
export async function assertRegular(path: string, maxBytes?: number): Promise<Stats> {
  const st = await stat(path);
  check(path, st, maxBytes);
  return st;
}

/** True when `a` and `b` are the same file on disk (device and inode; links and `./` alike). */
export function sameFile(a: string, b: string): boolean {
  let x: Stats;
  let y: Stats;
  try {
    x = statSync(a);
    y = statSync(b);
  } catch {
    return false;
  }
  return x.dev === y.dev && x.ino === y.ino;
}

/** Refuses to go on when `path` exists and the caller did not ask to replace it. */
export function refuseToReplace(path: string, overwrite: boolean | undefined, how = 'ask to replace it'): void {
  if (overwrite) return;
  let exists = true;
  try {
    statSync(path);
  } catch (err) {
    exists = (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  if (exists) throw new FileRefusedError(path, 'exists', `${path} already exists: it is left as it is (${how})`);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MB`;
  return `${(n / (1 << 30)).toFixed(2)} GB`;
}

/** What a failed write means, in words. */
export function writeFailureWords(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'EROFS':
      return 'the disk is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (the folder is not writable)';
    case 'ENOENT':
      return 'its folder does not exist';
    case 'ENOTDIR':
      return 'a part of its folder path is not a folder';
    case 'EIO':
      return 'the disk failed (input/output error)';
    case 'EFBIG':
      return 'the file would be larger than this disk allows';
    default:
      return (err as Error)?.message ?? String(err);
  }
}

/**
 * A write that did not complete. Names the file the user asked for (never a temporary one)
 * and keeps the system's code (ENOSPC…) for callers that map it.
 */
export class WriteFailedError extends Error {
  override readonly name = 'WriteFailedError';
  readonly code: string | undefined;
  constructor(
    readonly path: string,
    cause: unknown,
    what = 'was not written',
  ) {
    super(`${path} ${what}: ${writeFailureWords(cause)}`);
    this.code = (cause as NodeJS.ErrnoException)?.code;
  }
}

/** Writes all of `buf` at the file's position: a short write is continued, never ignored. */
export async function writeAll(fh: FileHandle, buf: Uint8Array): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    if (bytesWritten <= 0) throw Object.assign(new Error('no byte was written'), { code: 'ENOSPC' });
    off += bytesWritten;
  }
}

/**
 * Writes a new file completely or not at all: into `<path>.part-…` (created, never an existing
 * file), synced, then renamed to `path`. `fill` writes the content through `write`. A disk
 * error (full disk, quota, I/O) is a WriteFailedError naming `path`, never the `.part`, and
 * the partial file is removed; an error of `fill` itself comes out as it is, also leaving
 * nothing behind. Whether `path` may be replaced is for the caller to check first
 * (refuseToReplace).
 */
export async function writeFileWhole(path: string, fill: (write: (buf: Uint8Array) => Promise<void>) => Promise<void>): Promise<number> {
  const tmp = `${path}.part-${process.pid}-${Date.now().toString(36)}`;
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'wx');
  } catch (err) {
    throw new WriteFailedError(path, err, 'cannot be written');
  }
  let bytes = 0;
  let diskError: unknown = null;
  const disk = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      diskError = err;
      throw err;
    }
  };
  try {
    await fill(async (buf) => {
      await disk(() => writeAll(fh, buf));
      bytes += buf.length;
    });
    // A sync or close that fails (delayed allocation on a full disk) fails the write.
    await disk(() => fh.sync());
    await disk(() => fh.close());
    await disk(() => rename(tmp, path));
    return bytes;
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    if (diskError !== null && err === diskError) throw new WriteFailedError(path, err, 'was not written (the partial file was removed)');
    throw err;
  }
}
