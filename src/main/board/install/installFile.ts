/**
 * Puts a file on the board through the raw REPL: escaped chunks (at most 1 KB of code each,
 * so control bytes in the content never reach the REPL raw) written to a temporary name,
 * renamed over the target, then checked by size and, where the board has hashlib.sha256,
 * by hash. Skips the upload when the board already holds the same content.
 */
import { createHash } from 'node:crypto';
import { BoardError, BoardExecError } from '../serial/errors';
import type { RawRepl } from '../repl/rawRepl';

export interface InstallFileOptions {
  /** The board has hashlib.sha256 (from identify); without it, the content is read back. */
  hasSha256: boolean;
  /** Most bytes of Python per exec (default 1024). */
  maxCodeBytes?: number;
  /** Write even when the board holds the same content. */
  force?: boolean;
  onProgress?: (written: number, total: number) => void;
}

export type InstallResult =
  | { status: 'skipped'; bytes: number; sha256: string }
  | { status: 'written'; bytes: number; sha256: string; chunks: number }
  | { status: 'read-only'; errno: number | null };

const EROFS = 30;

/** A Python string literal of the path (paths are plain text, never code). */
export function pyStr(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r') + "'";
}

/** Escapes bytes as a Python bytes literal body: printable ASCII as is, the rest as \xNN. */
export function escapeBytes(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x5c) s += '\\\\';
    else if (b === 0x27) s += "\\'";
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\x' + b.toString(16).padStart(2, '0');
  }
  return s;
}

/** Splits content into pieces whose escaped form fits `budget` characters. */
export function splitEscaped(content: Uint8Array, budget: number): string[] {
  const pieces: string[] = [];
  let cur = '';
  for (let i = 0; i < content.length; i++) {
    const e = escapeBytes(content.subarray(i, i + 1));
    if (cur.length + e.length > budget) {
      pieces.push(cur);
      cur = '';
    }
    cur += e;
  }
  if (cur.length || pieces.length === 0) pieces.push(cur);
  return pieces;
}

export function sha256Hex(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** What the board holds at `path`: its size (-1: none) and, when asked, its sha256. */
export async function remoteFileInfo(repl: RawRepl, path: string, withHash: boolean): Promise<{ size: number; sha256: string | null }> {
  const code = `import os
def _hs_fi(p,h):
 try:
  s=os.stat(p)[6]
 except OSError:
  print(-1)
  return
 print(s)
 if h:
  import hashlib,binascii
  d=hashlib.sha256()
  b=bytearray(256)
  mv=memoryview(b)
  with open(p,'rb') as f:
   while True:
    n=f.readinto(b)
    if not n:
     break
    d.update(mv[:n])
  print(binascii.hexlify(d.digest()).decode())
_hs_fi(${pyStr(path)},${withHash ? 1 : 0})
del _hs_fi
`;
  const lines = (await repl.execOk(code)).trim().split(/\r?\n/);
  const size = Number(lines[0]);
  if (!Number.isFinite(size)) throw new BoardError('protocol', `Could not read the size of ${path} on the board.`);
  return { size, sha256: withHash && size >= 0 ? (lines[1]?.trim() ?? null) : null };
}

/** Reads a file back from the board (for boards without sha256). */
export async function readRemoteFile(repl: RawRepl, path: string): Promise<Uint8Array> {
  const code = `import binascii
with open(${pyStr(path)},'rb') as f:
 while True:
  b=f.read(256)
  if not b:
   break
  print(binascii.hexlify(b).decode())
`;
  const out = await repl.execOk(code);
  return Buffer.from(out.replace(/\s+/g, ''), 'hex');
}

export async function installFile(repl: RawRepl, path: string, content: Uint8Array, opts: InstallFileOptions): Promise<InstallResult> {
  const hash = sha256Hex(content);
  if (!opts.force) {
    const have = await remoteFileInfo(repl, path, opts.hasSha256);
    if (have.size === content.length) {
      const same = opts.hasSha256
        ? have.sha256 === hash
        : Buffer.compare(Buffer.from(await readRemoteFile(repl, path)), Buffer.from(content)) === 0;
      if (same) return { status: 'skipped', bytes: content.length, sha256: hash };
    }
  }
  const tmp = path + '.tmp';
  const maxCode = opts.maxCodeBytes ?? 1024;
  const prefix = "_hs_f.write(b'";
  const suffix = "')\n";
  const pieces = splitEscaped(content, Math.max(16, maxCode - prefix.length - suffix.length));
  try {
    await repl.execOk(`_hs_f=open(${pyStr(tmp)},'wb')\n`);
  } catch (err) {
    if (err instanceof BoardExecError && (err.errno === EROFS || /EROFS|read-only/i.test(err.stderr))) {
      return { status: 'read-only', errno: err.errno };
    }
    throw err;
  }
  let written = 0;
  try {
    for (const piece of pieces) {
      await repl.execOk(prefix + piece + suffix);
      written += unescapedLength(piece);
      opts.onProgress?.(written, content.length);
    }
    await repl.execOk(`_hs_f.close()\ndel _hs_f\n`);
  } catch (err) {
    await repl.exec(`try:\n _hs_f.close()\nexcept Exception:\n pass\ntry:\n import os\n os.remove(${pyStr(tmp)})\nexcept Exception:\n pass\n`).catch(() => {});
    throw err;
  }
  await repl.execOk(
    `import os\ntry:\n os.rename(${pyStr(tmp)},${pyStr(path)})\nexcept OSError:\n os.remove(${pyStr(path)})\n os.rename(${pyStr(tmp)},${pyStr(path)})\n`,
  );
  const check = await remoteFileInfo(repl, path, opts.hasSha256);
  if (check.size !== content.length) {
    throw new BoardError('protocol', `${path} on the board has ${check.size} bytes after the upload, not ${content.length}.`, 'Try again; if it persists, the filesystem may be full.');
  }
  if (opts.hasSha256 && check.sha256 !== hash) {
    throw new BoardError('protocol', `${path} on the board does not match after the upload (sha256 differs).`, 'Try again; the link may be dropping bytes.');
  }
  return { status: 'written', bytes: content.length, sha256: hash, chunks: pieces.length };
}

function unescapedLength(piece: string): number {
  let n = 0;
  for (let i = 0; i < piece.length; i++) {
    if (piece[i] === '\\') i += piece[i + 1] === 'x' ? 3 : 1;
    n++;
  }
  return n;
}
