/**
 * Finds "clean" line boundaries in Python source that is still arriving: points after a newline
 * where no bracket, string or backslash continuation is open, so that the text before them is a
 * sequence of complete logical lines.
 *
 * A board compiles raw-paste code while it receives it and stops the transfer (`\x04`) as soon
 * as its parser meets a syntax error. The virtual board compiles with `runPython` only once it
 * has all the code, so it checks complete-line prefixes on the way to report such errors in the
 * middle of the stream, as hardware does.
 */
export class CleanBoundaryScanner {
  /** Byte offset just after the last clean boundary found (0: none yet). */
  clean = 0;
  /** Number of lines (newlines) before `clean`. */
  cleanLines = 0;

  /**
   * Scan `buf[0, length)` from the last clean boundary on (the state there is known to be empty)
   * and advance `clean` as far as possible. Stops early where more bytes are needed to decide.
   */
  scan(buf: Uint8Array, length: number): void {
    let i = this.clean;
    let lines = this.cleanLines;
    let depth = 0;
    let quote = 0; // 0, or the quote byte of the open string
    let triple = false;
    while (i < length) {
      const c = buf[i];
      if (quote) {
        if (c === 0x5c /* \ */) {
          if (i + 1 >= length) return;
          if (buf[i + 1] === 0x0a) lines++;
          i += 2;
          continue;
        }
        if (c === quote) {
          if (!triple) {
            quote = 0;
            i++;
            continue;
          }
          if (i + 2 >= length) return;
          if (buf[i + 1] === quote && buf[i + 2] === quote) {
            quote = 0;
            i += 3;
            continue;
          }
          i++;
          continue;
        }
        if (c === 0x0a) {
          lines++;
          // An unterminated one-line string: a syntax error the compiler reports; resume.
          if (!triple) quote = 0;
        }
        i++;
        continue;
      }
      if (c === 0x23 /* # */) {
        while (i < length && buf[i] !== 0x0a) i++;
        continue;
      }
      if (c === 0x27 || c === 0x22) {
        if (i + 2 >= length) return;
        quote = c;
        triple = buf[i + 1] === c && buf[i + 2] === c;
        i += triple ? 3 : 1;
        continue;
      }
      if (c === 0x28 || c === 0x5b || c === 0x7b) depth++;
      else if (c === 0x29 || c === 0x5d || c === 0x7d) depth = Math.max(0, depth - 1);
      else if (c === 0x5c) {
        // Backslash continuation (\ then \n or \r\n): the logical line goes on.
        if (i + 1 >= length) return;
        if (buf[i + 1] === 0x0a || (buf[i + 1] === 0x0d && i + 2 < length && buf[i + 2] === 0x0a)) {
          const skip = buf[i + 1] === 0x0a ? 2 : 3;
          lines++;
          i += skip;
          continue;
        }
      } else if (c === 0x0a) {
        lines++;
        if (depth === 0) {
          this.clean = i + 1;
          this.cleanLines = lines;
        }
      }
      i++;
    }
  }
}

/**
 * Python that compiles `prefix` (complete lines) without running it: the lines become the body
 * of `if 0:` (MicroPython parses it fully and emits no code for it). Each line gets one leading
 * tab, which shifts every indentation by exactly one tab stop, so indentation stays consistent.
 * Reported line numbers are one more than in `prefix`.
 */
export function syntaxCheckSource(prefix: string): string {
  return 'if 0:\n\t' + prefix.replace(/\n/g, '\n\t') + 'pass\n';
}
