/**
 * Telling a session file from anything else by its first eight bytes, without loading the
 * reader, the writer or the importer (the CLI asks this before it knows what it needs).
 */
import { closeSync, readSync } from 'node:fs';
import { openRegularSync } from './files';
import { MAGIC } from './format';

/** True if the file starts with the session magic; false for anything unreadable or not a regular file (never blocks on a FIFO). */
export function looksLikeSession(path: string): boolean {
  let fd: number | null = null;
  try {
    fd = openRegularSync(path).fd;
    const head = new Uint8Array(MAGIC.length);
    const n = readSync(fd, head, 0, head.length, 0);
    return n === MAGIC.length && head.every((b, i) => b === MAGIC[i]);
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
