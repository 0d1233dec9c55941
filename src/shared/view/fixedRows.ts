/**
 * A virtual list whose rows all have one height: which rows a scroll position shows and where
 * to scroll to show a row are arithmetic, O(1) whatever the row count. (@tanstack/react-virtual
 * keeps a measurement object per row and rebuilds them all when the count changes: a day's
 * 250,000 log lines cost that on every open, for rows that are one line each.)
 */

export interface RowWindow {
  /** First row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
}

/** Rows [start, end) that cover the view at `scrollTop` of height `viewH`, `overscan` more either side. */
export function rowWindow(scrollTop: number, viewH: number, rows: number, rowH: number, overscan: number): RowWindow {
  if (!(rows > 0) || !(rowH > 0)) return { start: 0, end: 0 };
  const top = Number.isFinite(scrollTop) ? Math.max(0, scrollTop) : 0;
  const h = Number.isFinite(viewH) ? Math.max(0, viewH) : 0;
  const first = Math.min(rows - 1, Math.floor(top / rowH));
  const last = Math.min(rows - 1, Math.max(first, Math.ceil((top + h) / rowH) - 1));
  return { start: Math.max(0, first - overscan), end: Math.min(rows, last + 1 + overscan) };
}

export type RowAlign = 'start' | 'center' | 'end';

/** The scrollTop that shows `row` at the top, middle or bottom of a view `viewH` high, kept within the list. */
export function scrollTopFor(row: number, align: RowAlign, viewH: number, rows: number, rowH: number): number {
  if (!(rows > 0)) return 0;
  const r = Math.max(0, Math.min(rows - 1, Math.floor(row)));
  const h = Math.max(0, viewH);
  const y = r * rowH;
  const want = align === 'start' ? y : align === 'end' ? y + rowH - h : y + rowH / 2 - h / 2;
  return Math.max(0, Math.min(want, rows * rowH - h));
}
