/**
 * The log pane's bookkeeping, with no DOM: which lines belong to which frame, which frame a
 * line jumps to, a bounded cache of line windows fetched from the service, and search.
 */

/**
 * `logBefore[f]` is the number of log lines printed before snapshot f (non-decreasing).
 * Frame f "owns" the lines printed since the previous frame: [logBefore[f-1], logBefore[f]).
 * Frame 0 owns every line before it.
 */
export function linesOfFrame(logBefore: ArrayLike<number>, frame: number): { start: number; end: number } {
  if (frame < 0 || frame >= logBefore.length) return { start: 0, end: 0 };
  const start = frame === 0 ? 0 : logBefore[frame - 1];
  return { start, end: logBefore[frame] };
}

/**
 * The frame a log line jumps to: the first snapshot taken after the line was printed (the
 * heap as it was right after it), or the last frame for lines after the last snapshot.
 * -1 when there are no frames.
 */
export function frameOfLine(logBefore: ArrayLike<number>, line: number): number {
  const n = logBefore.length;
  if (n === 0) return -1;
  // First f with logBefore[f] > line.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (logBefore[mid] > line) hi = mid;
    else lo = mid + 1;
  }
  return lo < n ? lo : n - 1;
}

export interface SearchOptions {
  caseSensitive?: boolean;
  regex?: boolean;
}

/** A predicate for a query, or an error message for a bad regular expression. */
export function matcher(query: string, o: SearchOptions = {}): ((s: string) => boolean) | { error: string } {
  if (o.regex) {
    try {
      const re = new RegExp(query, o.caseSensitive ? '' : 'i');
      return (s) => re.test(s);
    } catch (e) {
      return { error: `Not a valid regular expression: ${(e as Error).message}` };
    }
  }
  if (o.caseSensitive) return (s) => s.includes(query);
  const q = query.toLowerCase();
  return (s) => s.toLowerCase().includes(q);
}

/** Indexes (offset by `first`) of the lines that match, in order. */
export function findInLines(lines: readonly string[], query: string, o: SearchOptions = {}, first = 0): number[] {
  if (!query) return [];
  const m = matcher(query, o);
  if (typeof m !== 'function') return [];
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) if (m(lines[i])) out.push(first + i);
  return out;
}

/** The next (or previous) match from a position, wrapping around; -1 with no matches. */
export function stepMatch(matches: readonly number[], from: number, dir: 1 | -1): number {
  if (matches.length === 0) return -1;
  if (dir > 0) {
    for (const m of matches) if (m > from) return m;
    return matches[0];
  }
  for (let i = matches.length - 1; i >= 0; i--) if (matches[i] < from) return matches[i];
  return matches[matches.length - 1];
}

/**
 * Fixed-size pages of lines fetched on demand, least recently used evicted first: the pane
 * holds a window around what is on screen, never the whole log.
 */
export class LinePageCache<T> {
  private readonly pages = new Map<number, T[]>();
  private readonly pending = new Map<number, Promise<void>>();
  private generation = 0;

  constructor(
    private readonly fetchPage: (start: number, count: number) => Promise<T[]>,
    readonly pageSize = 512,
    readonly maxPages = 64,
    private readonly onLoad: () => void = () => {},
  ) {}

  /** The line, or undefined while its page loads (the load is started). */
  get(i: number): T | undefined {
    const p = Math.floor(i / this.pageSize);
    const page = this.pages.get(p);
    if (page) {
      // Refresh recency.
      this.pages.delete(p);
      this.pages.set(p, page);
      return page[i - p * this.pageSize];
    }
    this.load(p);
    return undefined;
  }

  has(i: number): boolean {
    return this.pages.has(Math.floor(i / this.pageSize));
  }

  /** Starts loading the page holding line i (resolves when it is in). */
  load(p: number): Promise<void> {
    const existing = this.pending.get(p);
    if (existing) return existing;
    if (this.pages.has(p)) return Promise.resolve();
    const gen = this.generation;
    const pr = this.fetchPage(p * this.pageSize, this.pageSize)
      .then((lines) => {
        if (gen !== this.generation) return;
        this.pages.set(p, lines);
        while (this.pages.size > this.maxPages) {
          const oldest = this.pages.keys().next().value as number;
          this.pages.delete(oldest);
        }
        this.onLoad();
      })
      .catch(() => {})
      .finally(() => {
        if (this.pending.get(p) === pr) this.pending.delete(p);
      });
    this.pending.set(p, pr);
    return pr;
  }

  /** Lines were appended (live recording): the last, partial page must be fetched again. */
  invalidateFrom(line: number): void {
    const p = Math.floor(line / this.pageSize);
    for (const k of [...this.pages.keys()]) if (k >= p) this.pages.delete(k);
    // Loads in flight may carry the old page: drop their results (they are asked again).
    this.generation++;
    this.pending.clear();
  }

  clear(): void {
    this.generation++;
    this.pages.clear();
    this.pending.clear();
  }

  get size(): number {
    return this.pages.size;
  }
}
