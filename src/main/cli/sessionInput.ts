/**
 * Opening what a user names on the command line: a session file or a raw capture. Session
 * errors already say what is wrong and what to do; they become InputErrors (exit 1).
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { kindOf } from '../session/files';
// The session modules themselves, not '../session' or the service's sessionStore: those pull
// in the importer, the writer and (through the service's errors) the API schemas, which
// `inspect` on a raw capture has no use for.
import { SessionFormatError } from '../session/format';
import { looksLikeSession } from '../session/sniff';
import { SessionReader } from '../session/reader';
import { InputError } from './errors';

export async function assertFile(file: string): Promise<void> {
  const info = await stat(file);
  if (info.isDirectory()) throw new InputError(file, 'is a directory, not a capture or session');
  // A FIFO or a device would block or never end: refused before anything opens it.
  if (!info.isFile()) throw new InputError(file, `is ${kindOf(info)}, not a file: HeapScope reads only regular files`);
}

/**
 * An output file can be written: its folder exists and is writable, and it does not exist
 * already unless `force`. Checked before any work (and before a board is started).
 */
export async function assertOutput(file: string, force: boolean): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const d = await stat(dir).catch(() => null);
  if (!d) throw new InputError(file, `cannot be written: its folder ${dir} does not exist`);
  if (!d.isDirectory()) throw new InputError(file, `cannot be written: ${dir} is not a folder`);
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new InputError(file, `cannot be written: the folder ${dir} is read-only or not yours to write`);
  }
  const f = await stat(file).catch(() => null);
  if (f?.isDirectory()) throw new InputError(file, 'is a folder: give a file name');
  if (f && !force) throw new InputError(file, 'already exists: it is left as it is (add --force to replace it)');
}

export function isSessionFile(file: string): boolean {
  return looksLikeSession(file);
}

/** Opens a session; a damaged one opens with what comes before the damage, and says so. */
export function openSession(file: string): SessionReader {
  try {
    const reader = SessionReader.open(file);
    if (reader.damage) process.stderr.write(`heapscope: warning: ${reader.damage.message}\n`);
    else if (!reader.complete) {
      process.stderr.write(`heapscope: warning: ${file} was not closed (the recording stopped abruptly); reading everything up to the cut\n`);
    }
    return reader;
  } catch (err) {
    if (err instanceof SessionFormatError) throw new InputError(file, stripPath(file, err.message));
    throw err;
  }
}

/** Session messages start with the path; the CLI prints it once, first. */
function stripPath(file: string, message: string): string {
  return message.startsWith(file) ? message.slice(file.length).replace(/^[:\s]+/, '') : message;
}
