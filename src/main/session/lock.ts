/**
 * One writer per session file: `<session>.lock`, created with O_EXCL and holding the writer's
 * pid, taken before the session is opened for writing and removed when it is closed. A second
 * `record` (or import) onto a session being written is refused in words; a lock left by a
 * process that no longer runs (a crash, kill -9) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export class SessionLockedError extends Error {
  override readonly name = 'SessionLockedError';
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(`${path} is being written by another HeapScope (process ${pid}): it is left as it is; pick another file, or stop that recording first`);
  }
}

export const lockPath = (session: string): string => `${session}.lock`;

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid writing `session` now, or null. */
export function lockHolder(session: string): number | null {
  let text: string;
  try {
    text = readFileSync(lockPath(session), 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return alive(pid) ? pid : null;
}

/** Takes the lock on `session`; returns the function that releases it. */
export function lockSession(session: string): () => void {
  const file = lockPath(session);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = lockHolder(session);
      if (pid !== null && pid !== process.pid) throw new SessionLockedError(session, pid);
      if (pid === process.pid) throw new SessionLockedError(session, pid);
      // Stale: its writer is gone.
      rmSync(file, { force: true });
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } catch (err) {
      // A full disk: an empty lock would read as stale later, but leave nothing behind now.
      closeSync(fd);
      rmSync(file, { force: true });
      throw err;
    }
    closeSync(fd);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      rmSync(file, { force: true });
    };
  }
  throw new SessionLockedError(session, -1);
}
