/** Any error → a ServiceError in words, with what to do. Never a stack trace. */
import { ApiError, type ServiceError, type ServiceErrorCode } from '../../shared/api';

export function apiError(code: ServiceErrorCode, message: string, fix?: string): ApiError {
  return new ApiError(fix ? { code, message, fix } : { code, message });
}

export class CancelledError extends ApiError {
  constructor(what = 'The job') {
    super({ code: 'CANCELLED', message: `${what} was cancelled.` });
  }
}

interface BoardErrorLike {
  name: string;
  kind: string;
  what: string;
  advice: string;
}

function isBoardError(e: unknown): e is BoardErrorLike {
  return !!e && typeof e === 'object' && 'kind' in e && 'what' in e && 'advice' in e;
}

export function toServiceError(err: unknown): ServiceError {
  if (err instanceof ApiError) return err.toJSON();
  if (isBoardError(err)) {
    const code: ServiceErrorCode =
      err.kind === 'permission'
        ? 'PERMISSION'
        : err.kind === 'busy' || err.kind === 'busy-link'
          ? 'BUSY'
          : err.kind === 'not-found'
            ? 'NOT_FOUND'
            : err.kind === 'cancelled'
              ? 'CANCELLED'
              : 'BOARD';
    return err.advice ? { code, message: err.what, fix: err.advice } : { code, message: err.what };
  }
  if (err instanceof Error && err.name === 'WriteFailedError') {
    const c = (err as Error & { code?: string }).code;
    const fix =
      c === 'ENOSPC' || c === 'EDQUOT'
        ? 'Free some space (or pick another disk) and try again; nothing else was changed.'
        : c === 'EACCES' || c === 'EPERM' || c === 'EROFS' || c === 'ENOENT' || c === 'ENOTDIR'
          ? 'Pick a folder you may write to.'
          : 'Try again, or pick another place.';
    return { code: c === 'EACCES' || c === 'EPERM' || c === 'EROFS' ? 'PERMISSION' : 'INTERNAL', message: err.message, fix };
  }
  if (err instanceof Error && err.name === 'SessionLockedError') {
    return { code: 'BUSY', message: err.message, fix: 'Pick another file, or stop the other recording first.' };
  }
  if (err instanceof Error && err.name === 'FileRefusedError') {
    const r = (err as Error & { reason: string }).reason;
    if (r === 'exists') return { code: 'EXISTS', message: err.message, fix: 'Pick another name, or confirm that the file may be replaced.' };
    if (r === 'too-large') return { code: 'BAD_FILE', message: err.message, fix: 'Import it as a session instead: that reads it a piece at a time.' };
    return { code: 'BAD_REQUEST', message: err.message, fix: 'Pick a regular file.' };
  }
  const e = err as NodeJS.ErrnoException & { file?: string };
  if (e && typeof e === 'object' && e.name === 'AbortError') return { code: 'CANCELLED', message: 'The job was cancelled.' };
  if (e && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
    const p = e.path ?? '';
    switch (e.code) {
      case 'ENOENT':
        return { code: 'NOT_FOUND', message: `There is no file ${p}.`, fix: 'Check the path; the file may have been moved or deleted.' };
      case 'EACCES':
      case 'EPERM':
        return { code: 'PERMISSION', message: `Permission denied: ${p}.`, fix: 'Pick a file or folder you may read and write.' };
      case 'EISDIR':
        // readFile() of a folder says EISDIR without naming it.
        return { code: 'BAD_REQUEST', message: p ? `${p} is a folder, not a file.` : 'A folder was given where a file was expected.', fix: 'Pick a file.' };
      case 'ENOSPC':
        return { code: 'INTERNAL', message: p ? `${p}: the disk is full.` : 'The disk is full.', fix: 'Free some space and try again; what was captured so far is kept.' };
      case 'EROFS':
        return { code: 'PERMISSION', message: `${p} is on a read-only disk.`, fix: 'Pick another folder.' };
      default:
        return { code: 'INTERNAL', message: `${p ? p + ': ' : ''}${e.message}` };
    }
  }
  // Errors from the session module (format, version, damage) read as a bad file.
  const name = (e && (e as Error).name) || '';
  const message = (e && (e as Error).message) || String(err);
  if (/Session|Format|Malformed|Version|Corrupt|LineDelta/i.test(name)) {
    return {
      code: 'BAD_FILE',
      message,
      fix: 'The file may come from a newer HeapScope or be damaged; its raw capture can still be imported if you have it.',
    };
  }
  return { code: 'INTERNAL', message };
}
