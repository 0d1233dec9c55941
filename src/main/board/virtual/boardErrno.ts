/**
 * The virtual board's filesystem errors in a board's numbers. MicroPython's WebAssembly build
 * is compiled with MicroPython's own errno values (its `errno.ENOENT` is 2, as on every board),
 * but its filesystem calls go to Emscripten's libc, whose errno numbering is WASI's
 * (ENOENT = 44, EEXIST = 20, EACCES = 2…). So `open('missing')` raised `OSError: 44`, which no
 * tool knows: mpremote, Thonny and rshell test `errno == ENOENT`. The numbers are translated
 * where they cross from the JS filesystem into wasm (the syscall imports), so MicroPython's C
 * code, its `OSError` and its printed `[Errno 2] ENOENT` all see a board's value.
 */

/** Emscripten (WASI) errno → the value MicroPython boards use (Linux's, as in py/mperrno.h). */
export const EMSCRIPTEN_TO_BOARD_ERRNO: Readonly<Record<number, number>> = {
  63: 1, // EPERM
  44: 2, // ENOENT
  27: 4, // EINTR
  29: 5, // EIO
  60: 6, // ENXIO
  1: 7, // E2BIG
  8: 9, // EBADF
  6: 11, // EAGAIN
  48: 12, // ENOMEM
  2: 13, // EACCES
  21: 14, // EFAULT
  10: 16, // EBUSY
  20: 17, // EEXIST
  75: 18, // EXDEV
  43: 19, // ENODEV
  54: 20, // ENOTDIR
  31: 21, // EISDIR
  28: 22, // EINVAL
  41: 23, // ENFILE
  33: 24, // EMFILE
  59: 25, // ENOTTY
  22: 27, // EFBIG
  51: 28, // ENOSPC
  70: 29, // ESPIPE
  69: 30, // EROFS
  34: 31, // EMLINK
  64: 32, // EPIPE
  68: 34, // ERANGE
  37: 36, // ENAMETOOLONG
  52: 38, // ENOSYS
  55: 39, // ENOTEMPTY
  32: 40, // ELOOP
  138: 95, // EOPNOTSUPP / ENOTSUP
  73: 110, // ETIMEDOUT
};

/** A board's errno for an Emscripten one; unknown numbers pass unchanged. */
export function boardErrno(emscripten: number): number {
  return EMSCRIPTEN_TO_BOARD_ERRNO[emscripten] ?? emscripten;
}

type Fn = (...args: unknown[]) => unknown;

/**
 * Wraps the filesystem imports of an Emscripten module in place: `__syscall_*` return -errno,
 * WASI's `fd_*` return errno (0 for success). Call before instantiating. Returns how many
 * imports it wrapped.
 */
export function translateFsErrno(imports: Record<string, unknown>): number {
  let n = 0;
  for (const name of Object.keys(imports)) {
    const f = imports[name];
    if (typeof f !== 'function') continue;
    if (name.startsWith('__syscall_')) {
      imports[name] = (...args: unknown[]) => {
        const r = (f as Fn)(...args);
        return typeof r === 'number' && r < 0 && r > -4096 ? -boardErrno(-r) : r;
      };
      n++;
    } else if (name.startsWith('fd_')) {
      imports[name] = (...args: unknown[]) => {
        const r = (f as Fn)(...args);
        return typeof r === 'number' && r > 0 ? boardErrno(r) : r;
      };
      n++;
    }
  }
  return n;
}
