/** Bad input (a file that cannot be read or understood): exit 1, one line naming the file. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    what: string,
  ) {
    super(`${file}: ${what}`);
  }
}

/** Bad usage (unknown option, missing argument): exit 2. */
export class UsageError extends Error {}

/** `check`'s rules (or `record`'s) were broken: exit 1, the lines already printed. */
export class ChecksFailed extends Error {}
