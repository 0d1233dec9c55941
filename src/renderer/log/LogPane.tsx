/**
 * Every line the program printed, virtualised: only the rows on screen exist, and lines are
 * fetched from the service a page at a time (a bounded cache), so a million lines scroll as
 * smoothly as ten. The current frame's lines are highlighted; a click jumps to the frame
 * right after the line; Ctrl+F searches (in the service, over the whole log).
 */
import { forwardRef, useCallback, useEffect, useImperativeHandle, useMemo, useReducer, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { LinePageCache, stepMatch } from '../../shared/view/logIndex';
import { duration } from '../../shared/view/format';

export type LineKind = 'log' | 'memoryError' | 'traceback' | 'softReboot' | 'mark' | 'device' | 'gap';

export interface LogLineView {
  /** Index of the line in the log (0-based). */
  index: number;
  text: string;
  /** Seconds since the start, when known. */
  t: number | null;
  kind: LineKind;
}

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

  useEffect(() => {
    cache.clear();
    lastCount.current = 0;
    setResult(null);
    setCurrent(-1);
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

  const v = useVirtualizer({
    count: p.count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 20,
  });

  // Follow the tail while recording, unless the user scrolled away.
  useEffect(() => {
    if (p.live && follow && p.count > 0) v.scrollToIndex(p.count - 1, { align: 'end' });
  }, [p.count, p.live, follow, v]);

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
      const y0 = p.frameRange.start * ROW;
      const y1 = p.frameRange.end * ROW;
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
    scrollTo: (line) => v.scrollToIndex(line, { align: 'center' }),
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
        v.scrollToIndex(first, { align: 'center' });
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
    v.scrollToIndex(next, { align: 'center' });
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
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {v.getVirtualItems().map((item) => {
              const line = cache.get(item.index);
              const inFrame = item.index >= p.frameRange.start && item.index < p.frameRange.end;
              const cls = ['log-row'];
              if (inFrame) cls.push('frame');
              if (matchSet.has(item.index)) cls.push('match');
              if (item.index === current) cls.push('current');
              if (line) {
                if (line.kind === 'memoryError') cls.push('err');
                else if (line.kind === 'traceback' || line.kind === 'softReboot' || line.kind === 'device' || line.kind === 'gap') cls.push('dev');
                else if (line.kind === 'mark') cls.push('mark');
              }
              return (
                <div
                  key={item.key}
                  className={cls.join(' ')}
                  style={{ transform: `translateY(${item.start}px)` }}
                  data-line={item.index}
                  onClick={() => {
                    setCurrent(item.index);
                    p.onJump(item.index);
                  }}
                >
                  <span className="ln">{item.index + 1}</span>
                  <span className="tm">{line && line.t !== null ? duration(line.t) : ''}</span>
                  <span className="tx" title={line?.text}>
                    {line ? line.text || ' ' : '…'}
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
