/**
 * Tracebacks folded in the log pane: `Traceback (most recent call last):`, its indented
 * `File …` lines, and the exception line that ends it show as one row (the exception's), until
 * expanded. The log stays virtualised: a FoldMap turns rows on screen into log lines and back
 * without touching the lines themselves.
 */

/** Lines s..end (inclusive) of one traceback; `end` is its exception line when it has one. */
export interface Fold {
  start: number;
  end: number;
}

/** The longest traceback folded (longer ones are most likely not a traceback at all). */
export const MAX_FOLD = 200;

/**
 * Where the traceback starting at `texts[0]` (log line `start`) ends: the first line after it
 * that is not indented is its exception line. Null when the lines give out before one (more
 * may yet come) or it runs longer than MAX_FOLD.
 */
export function tracebackEnd(start: number, texts: readonly string[]): Fold | null {
  for (let i = 1; i < texts.length && i <= MAX_FOLD; i++) {
    const t = texts[i];
    if (t.length > 0 && (t[0] === ' ' || t[0] === '\t')) continue;
    // A traceback's body is indented; a bare line right after the header is its exception.
    return { start, end: start + i };
  }
  return null;
}

/**
 * Rows of a log with some line ranges folded into one row each (the fold's first row stands
 * for all its lines). Folds must be sorted and disjoint.
 */
export class FoldMap {
  /** Rows after each fold start are shifted up by hidden[k]: lines hidden by folds 0..k. */
  private readonly hidden: number[] = [];
  /** Row of each fold. */
  private readonly rowOf: number[] = [];
  readonly rows: number;

  constructor(
    readonly lines: number,
    readonly folds: readonly Fold[],
  ) {
    let h = 0;
    for (const f of folds) {
      this.rowOf.push(f.start - h);
      h += f.end - f.start;
      this.hidden.push(h);
    }
    this.rows = lines - h;
  }

  /** The last fold whose row is at or before `row` (-1 if none). */
  private foldBeforeRow(row: number): number {
    let lo = 0;
    let hi = this.folds.length - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.rowOf[mid] <= row) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return k;
  }

  /** The fold shown at `row`, or null for a plain line. */
  foldAtRow(row: number): Fold | null {
    const k = this.foldBeforeRow(row);
    return k >= 0 && this.rowOf[k] === row ? this.folds[k] : null;
  }

  /** The log line a row shows (a fold's row: its first line). */
  lineOfRow(row: number): number {
    const k = this.foldBeforeRow(row);
    if (k < 0) return row;
    if (this.rowOf[k] === row) return this.folds[k].start;
    return row + this.hidden[k];
  }

  /** The row showing `line` (a folded line: its fold's row). */
  rowOfLine(line: number): number {
    let lo = 0;
    let hi = this.folds.length - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.folds[mid].start <= line) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (k < 0) return line;
    const f = this.folds[k];
    if (line <= f.end) return this.rowOf[k];
    return line - this.hidden[k];
  }
}
