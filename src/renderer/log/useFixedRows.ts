/**
 * The rows of a scroll box to render when every row is `rowH` pixels (see shared/view/fixedRows):
 * it follows the box's scroll position and height, so opening a long log costs the rows on
 * screen, not one measurement per line.
 */
import { useCallback, useLayoutEffect, useState, type RefObject } from 'react';
import { rowWindow, scrollTopFor, type RowAlign } from '../../shared/view/fixedRows';

export interface FixedRows {
  start: number;
  end: number;
  /** Height of all the rows (the spacer's). */
  total: number;
  scrollToIndex: (row: number, align: RowAlign) => void;
}

export function useFixedRows(scroller: RefObject<HTMLElement | null>, rows: number, rowH: number, overscan: number): FixedRows {
  const [view, setView] = useState({ top: 0, h: 0 });
  // Read before the first paint and on every scroll and resize; unchanged reads render nothing.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const read = () => setView((v) => (v.top === el.scrollTop && v.h === el.clientHeight ? v : { top: el.scrollTop, h: el.clientHeight }));
    read();
    el.addEventListener('scroll', read, { passive: true });
    const ro = new ResizeObserver(read);
    ro.observe(el);
    return () => {
      el.removeEventListener('scroll', read);
      ro.disconnect();
    };
  }, [scroller]);
  const scrollToIndex = useCallback(
    (row: number, align: RowAlign) => {
      const el = scroller.current;
      if (el) el.scrollTop = scrollTopFor(row, align, el.clientHeight, rows, rowH);
    },
    [scroller, rows, rowH],
  );
  const { start, end } = rowWindow(view.top, view.h, rows, rowH, overscan);
  return { start, end, total: rows * rowH, scrollToIndex };
}
