/**
 * Every line the program printed, virtualised: only the rows on screen exist, and lines are
 * fetched from the service a page at a time (a bounded cache), so a million lines scroll as
 * smoothly as ten. The current frame's lines are highlighted; a click jumps to the frame
 * right after the line; Ctrl+F searches (in the service, over the whole log). Tracebacks fold
 * into one row showing their exception line (a click unfolds them), and each line can show
 * the heap change between the dumps either side of it.
 */
import { forwardRef, useCallback, useEffect, useImperativeHandle, useMemo, useReducer, useRef, useState } from 'react';
import { LinePageCache, stepMatch } from '../../shared/view/logIndex';
import { duration } from '../../shared/view/format';
import { FoldMap, MAX_FOLD, tracebackEnd, type Fold } from '../../shared/view/logFolds';
import type { HeapChange } from './heapChange';
import { useFixedRows } from './useFixedRows';
import '../styles/lifetimes.css';

export type LineKind = 'log' | 'memoryError' | 'traceback' | 'softReboot' | 'mark' | 'device' | 'gap';

export interface LogLineView {
  /** Index of the line in the log (0-based). */
  index: number;
  text: string;
  /** Seconds since the start, when known. */
  t: number | null;
  kind: LineKind;
  /** Dumps before the line (it was printed between dump snapshot-1 and dump snapshot). */
  snapshot?: number;
}

/** Tracebacks folded at most (past that, they show unfolded). */
const MAX_TRACEBACKS = 5000;

export interface LogSearchResult {
  matches: number[];
  /** True when the service stopped at a limit. */
  truncated?: boolean;
  error?: string;
}

export interface LogPaneHandle {
  focusSearch(): void;
  scrollTo(line: number): void;
}

interface Props {
  count: number;
  /** Changes when lines already fetched may have changed (new session). */
  epoch: number;
  fetchLines: (start: number, count: number) => Promise<LogLineView[]>;
  search: (query: string, opts: { caseSensitive: boolean; regex: boolean }) => Promise<LogSearchResult>;
  frameRange: { start: number; end: number };
  /** Follow the end while recording. */
  live: boolean;
  onJump: (line: number) => void;
  /** Log lines that start a traceback (they fold, with the lines that belong to them). */
  tracebacks?: readonly number[];
  /** The heap change either side of a line, from its `snapshot`. */
  heapChange?: (snapshot: number) => HeapChange | null;
}

const ROW = 18;

export const LogPane = forwardRef<LogPaneHandle, Props>(function LogPane(p, ref) {
  const [, bump] = useReducer((x: number) => x + 1, 0);
  const scroller = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const fetchRef = useRef(p.fetchLines);
  fetchRef.current = p.fetchLines;
  const cache = useMemo(() => new LinePageCache<LogLineView>((s, c) => fetchRef.current(s, c), 256, 48, bump), []);
  const [query, setQuery] = useState('');
  const [caseSensitive, setCase] = useState(false);
  const [regex, setRegex] = useState(false);
  const [result, setResult] = useState<LogSearchResult | null>(null);
  const [current, setCurrent] = useState(-1);
  const [follow, setFollow] = useState(true);
  const lastCount = useRef(0);
  const [folds, setFolds] = useState<Map<number, Fold>>(() => new Map());
  const [open, setOpen] = useState<ReadonlySet<number>>(() => new Set());
  const [showHeap, setShowHeap] = useState(false);
  const fm = useMemo(() => {
    const closed = [...folds.values()].filter((f) => !open.has(f.start) && f.end < p.count).sort((a, b) => a.start - b.start);
    return new FoldMap(p.count, closed);
  }, [folds, open, p.count]);
  const fmRef = useRef(fm);
  fmRef.current = fm;

  // Where each traceback ends, read from its lines (a few calls, once per traceback).
  const tracebacks = p.tracebacks;
  useEffect(() => {
    if (!tracebacks?.length) return;
    let gone = false;
    (async () => {
      const found: Fold[] = [];
      for (const start of tracebacks.slice(0, MAX_TRACEBACKS)) {
        if (gone) return;
        if (folds.has(start) || start >= p.count) continue;
        const lines = await fetchRef.current(start, Math.min(MAX_FOLD + 1, p.count - start)).catch(() => []);
        if (!lines.length || !/^Traceback \(most recent call last\)/.test(lines[0].text.trim())) continue;
        const f = tracebackEnd(start, lines.map((l) => l.text));
        if (f) found.push(f);
      }
      if (!gone && found.length) setFolds((m) => new Map([...m, ...found.map((f) => [f.start, f] as const)]));
    })();
    return () => {
      gone = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tracebacks, p.count, p.epoch]);

  useEffect(() => {
    cache.clear();
    lastCount.current = 0;
    setResult(null);
    setCurrent(-1);
    setFolds(new Map());
    setOpen(new Set());
    bump();
  }, [p.epoch, cache]);

  // New lines: the last page is incomplete, fetch it again.
  useEffect(() => {
    if (p.count !== lastCount.current) {
      cache.invalidateFrom(lastCount.current);
      lastCount.current = p.count;
      bump();
    }
  }, [p.count, cache]);

  // Every row is one line of ROW pixels (a long line is cut; the chosen one shows whole below):
  // the rows on screen are arithmetic, so a day's log opens at the cost of a screenful.
  const v = useFixedRows(scroller, fm.rows, ROW, 20);

  // Another session's rows come after its first paint: the timeline and the map are what one
  // looks at first, and a screenful of new rows cost the open of a day's soak a third of the
  // window's part (their render and first layout). The list keeps its height meanwhile.
  const [rowsEpoch, setRowsEpoch] = useState(p.epoch);
  useEffect(() => {
    if (rowsEpoch === p.epoch) return;
    let id = 0;
    const raf = requestAnimationFrame(() => (id = window.setTimeout(() => setRowsEpoch(p.epoch))));
    return () => {
      cancelAnimationFrame(raf);
      clearTimeout(id);
    };
  }, [p.epoch, rowsEpoch]);
  const rowsFrom = rowsEpoch === p.epoch ? v.start : v.end;

  // Follow the tail while recording, unless the user scrolled away.
  useEffect(() => {
    if (p.live && follow && fm.rows > 0) v.scrollToIndex(fm.rows - 1, 'end');
  }, [fm, p.live, follow, v.scrollToIndex]);

  // Keep the current frame's lines in view when not following. Deferred and computed from
  // the fixed row height (no layout reads), so scrubbing the map never waits for the log.
  const viewH = useRef(0);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => (viewH.current = el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const lastRange = useRef<string>('');
  useEffect(() => {
    const key = `${p.frameRange.start}:${p.frameRange.end}`;
    if (key === lastRange.current || (p.live && follow)) return;
    const id = setTimeout(() => {
      lastRange.current = key;
      const el = scroller.current;
      if (!el || p.frameRange.end <= p.frameRange.start) return;
      const top = el.scrollTop;
      const h = viewH.current || 400;
      const y0 = fmRef.current.rowOfLine(p.frameRange.start) * ROW;
      const y1 = (fmRef.current.rowOfLine(p.frameRange.end - 1) + 1) * ROW;
      if (y1 > top && y0 < top + h) return; // some of it is in view already
      el.scrollTop = Math.max(0, Math.min(y1 - ROW, y0 + (y1 - y0) / 2) - h / 2);
    }, 120);
    return () => clearTimeout(id);
  }, [p.frameRange, p.live, follow]);

  useImperativeHandle(ref, () => ({
    focusSearch: () => {
      searchRef.current?.focus();
      searchRef.current?.select();
    },
    scrollTo: (line) => v.scrollToIndex(fmRef.current.rowOfLine(line), 'center'),
  }));

  const runSearch = useCallback(
    async (q: string) => {
      if (!q) {
        setResult(null);
        return;
      }
      const r = await p.search(q, { caseSensitive, regex });
      setResult(r);
      if (r.matches.length) {
        const first = stepMatch(r.matches, Math.max(p.frameRange.start - 1, -1), 1);
        setCurrent(first);
        v.scrollToIndex(fmRef.current.rowOfLine(first), 'center');
      }
    },
    [p, caseSensitive, regex, v],
  );
  // Search as one types (debounced).
  useEffect(() => {
    const id = setTimeout(() => void runSearch(query), 180);
    return () => clearTimeout(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, caseSensitive, regex]);

  const step = (dir: 1 | -1) => {
    if (!result?.matches.length) return;
    const next = stepMatch(result.matches, current, dir);
    setCurrent(next);
    v.scrollToIndex(fmRef.current.rowOfLine(next), 'center');
    p.onJump(next);
  };
  const matchSet = useMemo(() => new Set(result?.matches ?? []), [result]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW * 2;
    if (p.live) setFollow(atEnd);
  };

  return (
    <>
      <div className="pane-head">
        <div className="search">
          <input
            ref={searchRef}
            type="search"
            placeholder="Search the log (Ctrl+F)"
            value={query}
            aria-label="Search the log"
            data-testid="log-search"
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                step(e.shiftKey ? -1 : 1);
              } else if (e.key === 'Escape') {
                setQuery('');
                (e.target as HTMLInputElement).blur();
              }
              e.stopPropagation();
            }}
          />
          <button className={`btn icon${caseSensitive ? ' active' : ''}`} title="Match case" onClick={() => setCase(!caseSensitive)}>
            Aa
          </button>
          <button className={`btn icon${regex ? ' active' : ''}`} title="Regular expression" onClick={() => setRegex(!regex)}>
            .*
          </button>
          <button className="btn icon" title="Previous match (Shift+Enter)" onClick={() => step(-1)} disabled={!result?.matches.length}>
            ↑
          </button>
          <button className="btn icon" title="Next match (Enter)" onClick={() => step(1)} disabled={!result?.matches.length}>
            ↓
          </button>
          {p.heapChange && (
            <button
              className={`btn icon${showHeap ? ' active' : ''}`}
              title="Show the heap change beside each line: used bytes from the dump before it to the dump after it"
              onClick={() => setShowHeap(!showHeap)}
              data-testid="log-heap-toggle"
              style={{ width: 'auto', padding: '0 6px' }}
            >
              ±heap
            </button>
          )}
          {!result?.error && (
            <span className="count" data-testid="log-search-count">
              {result ? `${result.matches.length ? result.matches.indexOf(current) + 1 : 0} / ${result.matches.length}${result.truncated ? '+' : ''}` : `${p.count.toLocaleString()} lines`}
            </span>
          )}
          {/* On its own line, wrapped: the box keeps its width, the message stays in the pane. */}
          {result?.error && (
            <div className="search-error" data-testid="log-search-error">
              {result.error}
            </div>
          )}
        </div>
      </div>
      <div className="log" ref={scroller} onScroll={onScroll} data-testid="log">
        {p.count === 0 ? (
          <div className="log-empty">Nothing printed yet. What the program prints appears here, beside the heap.</div>
        ) : (
          <div style={{ height: v.total, position: 'relative' }}>
            {rowRange(rowsFrom, v.end).map((row) => {
              const fold = fm.foldAtRow(row);
              const index = fm.lineOfRow(row);
              // A folded traceback shows its exception line.
              const shown = fold ? fold.end : index;
              const line = cache.get(shown);
              const last = fold ? fold.end : index;
              const inFrame = last >= p.frameRange.start && index < p.frameRange.end;
              const cls = ['log-row'];
              if (inFrame) cls.push('frame');
              if (matchSet.has(index) || (fold && result?.matches.some((m) => m >= fold.start && m <= fold.end))) cls.push('match');
              if (index === current || (fold && current >= fold.start && current <= fold.end)) cls.push('current');
              if (fold) cls.push('folded');
              if (line) {
                if (line.kind === 'memoryError' || (fold && /MemoryError/.test(line.text))) cls.push('err');
                else if (fold || line.kind === 'traceback' || line.kind === 'softReboot' || line.kind === 'device' || line.kind === 'gap') cls.push('dev');
                else if (line.kind === 'mark') cls.push('mark');
              }
              const openFold = folds.get(index);
              const unfolded = !fold && openFold && open.has(index);
              const heap = showHeap && p.heapChange && line?.snapshot !== undefined ? p.heapChange(line.snapshot) : null;
              return (
                <div
                  key={row}
                  className={cls.join(' ')}
                  style={{ transform: `translateY(${row * ROW}px)` }}
                  data-line={index}
                  {...(fold ? { 'data-fold': `${fold.start}-${fold.end}`, title: 'A traceback: click to unfold it' } : {})}
                  onClick={() => {
                    if (fold) setOpen((o) => new Set(o).add(fold.start));
                    setCurrent(index);
                    p.onJump(index);
                  }}
                >
                  <span className="ln">{index + 1}</span>
                  <span className="tm">{line && line.t !== null ? duration(line.t) : ''}</span>
                  {showHeap && p.heapChange && (
                    <span className={`hp${heap ? (heap.sign > 0 ? ' pos' : heap.sign < 0 ? ' neg' : '') : ''}`} title={heap?.title ?? 'No dump on both sides of this line'} data-testid="log-heap">
                      {heap?.text ?? ''}
                    </span>
                  )}
                  {fold || unfolded ? (
                    <button
                      className="fold-toggle"
                      aria-expanded={!fold}
                      title={fold ? 'Unfold the traceback' : 'Fold the traceback into one row'}
                      data-testid="log-fold-toggle"
                      onClick={(e) => {
                        e.stopPropagation();
                        const start = fold ? fold.start : index;
                        setOpen((o) => {
                          const n = new Set(o);
                          if (fold) n.add(start);
                          else n.delete(start);
                          return n;
                        });
                      }}
                    >
                      {fold ? '▸' : '▾'}
                    </button>
                  ) : null}
                  <span className="tx" title={line?.text}>
                    {line ? line.text || ' ' : '…'}
                    {fold ? <span className="fold-note"> traceback, {fold.end - fold.start + 1} lines</span> : null}
                  </span>
                </div>
              );
            })}
          </div>
        )}
      </div>
      {/* The chosen line whole, wrapped: a long line is cut in the list, never here. */}
      {current >= 0 && cache.get(current) && (
        <div className="log-whole" data-testid="log-whole">
          <span className="faint">{current + 1} </span>
          {cache.get(current)!.text}
        </div>
      )}
      {p.live && !follow && p.count > 0 && (
        <button className="btn" style={{ position: 'absolute', right: 16, bottom: 12 }} onClick={() => setFollow(true)}>
          Follow ↓
        </button>
      )}
    </>
  );
});

function rowRange(start: number, end: number): number[] {
  const out: number[] = [];
  for (let r = start; r < end; r++) out.push(r);
  return out;
}
