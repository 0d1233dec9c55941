/**
 * A pair of connected pseudo-terminals made by socat, like the two ends of a serial cable:
 * bytes written to one end are read from the other. The virtual board serves one end; a host
 * tool (HeapScope, mpremote, a terminal) opens the other as if it were a board's USB port.
 *
 *   socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, mkdtemp, readlink, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PtyPair {
  /** Path of one end (a symlink to a /dev/pts/N). */
  a: string;
  /** Path of the other end. */
  b: string;
  /** Process id of the shell that runs socat (ending its stdin stops socat). */
  pid: number;
  /** Resolves when socat exits (for whatever reason), with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops socat and removes the links; idempotent. */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** Where to put the first end's link (default: a fresh temporary directory). */
  linkA?: string;
  /** Where to put the second end's link (default: a fresh temporary directory). */
  linkB?: string;
  /** The socat executable (default `socat` on PATH). */
  socat?: string;
  /** How long to wait for socat to create both ends (default 5 s). */
  timeoutMs?: number;
}

/**
 * `sh -c GUARD sh SOCAT ARGS…`: start socat; a watcher stops it when stdin reaches end of file;
 * exit with socat's status. (127: socat not found.)
 */
const GUARD = `exe="$1"; shift
command -v "$exe" >/dev/null 2>&1 || { echo "socat: not found" >&2; exit 127; }
exec 3<&0
"$exe" "$@" </dev/null 3<&- &
p=$!
( while read -r _line; do :; done; kill $p 2>/dev/null ) <&3 &
w=$!
wait $p
s=$?
kill $w 2>/dev/null
exit $s`;

/** socat is missing or failed to make the pair. */
export class PtyPairError extends Error {}

/**
 * Starts socat and resolves once both ends exist and data flows between them.
 * An existing symlink at a requested link path is replaced; any other existing file is refused.
 */
export async function openPtyPair(opts: PtyPairOptions = {}): Promise<PtyPair> {
  let tmp: string | null = null;
  const tempDir = async () => (tmp ??= await mkdtemp(path.join(tmpdir(), 'heapscope-pty-')));
  const a = path.resolve(opts.linkA ?? path.join(await tempDir(), 'a'));
  const b = path.resolve(opts.linkB ?? path.join(await tempDir(), 'b'));
  for (const p of [a, b]) await clearLink(p);

  const args = ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`];
  // socat runs under a small shell that stops it when our end of its stdin pipe closes: on
  // close(), and also when this process dies without cleaning up (killed, crashed), so no
  // socat outlives its board.
  const child: ChildProcess = spawn('/bin/sh', ['-c', GUARD, 'sh', opts.socat ?? 'socat', ...args], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    if (log.length < 64 * 1024) log += s;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });

  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    for (const p of [a, b]) await removeOurLink(p);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(
        () => reject(new PtyPairError(`socat did not create the PTY pair within ${opts.timeoutMs ?? 5000} ms${log ? `: ${log.trim()}` : ''}`)),
        opts.timeoutMs ?? 5000,
      );
      const done = (err?: Error) => {
        clearTimeout(timeout);
        child.stderr?.off('data', onLog);
        child.off('error', onError);
        child.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      const onLog = () => {
        // "starting data transfer loop" comes once both PTYs (and their links) exist.
        if (log.includes('starting data transfer loop')) done();
      };
      const onError = (err: NodeJS.ErrnoException) =>
        done(
          new PtyPairError(
            err.code === 'ENOENT'
              ? 'socat is not installed: install it (e.g. `sudo apt-get install socat`) to serve the virtual board on a PTY'
              : `could not start socat: ${err.message}`,
          ),
        );
      const onExit = (code: number | null) =>
        done(
          new PtyPairError(
            code === 127
              ? 'socat is not installed: install it (e.g. `sudo apt-get install socat`) to serve the virtual board on a PTY'
              : `socat exited (code ${code}) before the PTY pair was ready${log ? `: ${log.trim()}` : ''}`,
          ),
        );
      child.stderr?.on('data', onLog);
      child.once('error', onError);
      child.once('exit', onExit);
      onLog();
    });
  } catch (err) {
    await cleanup();
    throw err;
  }

  let closing: Promise<void> | null = null;
  return {
    a,
    b,
    pid: child.pid ?? -1,
    exited,
    close: () => (closing ??= cleanup()),
  };
}

/** Remove a stale symlink at `p` (a previous run's PTY link); refuse to replace anything else. */
async function clearLink(p: string): Promise<void> {
  let st;
  try {
    st = await lstat(p);
  } catch {
    return;
  }
  if (!st.isSymbolicLink()) throw new PtyPairError(`${p} already exists and is not a symbolic link: choose another path`);
  await unlink(p);
}

/** Remove `p` if it is still a symlink to a PTY (socat normally removes its links itself). */
async function removeOurLink(p: string): Promise<void> {
  try {
    const target = await readlink(p);
    if (target.startsWith('/dev/pts/') || target.startsWith('/dev/tty')) await unlink(p);
  } catch {
    /* gone already */
  }
}
