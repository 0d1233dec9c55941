import { describe, expect, it } from 'vitest';
import { rowWindow, scrollTopFor } from '../../src/shared/view/fixedRows';

const ROW = 18;

describe('fixed-height virtual rows', () => {
  it('renders the rows the view covers, with the overscan either side, whatever the row count', () => {
    // A view 400 px high scrolled to row 1000 of a day's 250,000 lines: rows 1000..1022 show.
    expect(rowWindow(1000 * ROW, 400, 250_000, ROW, 0)).toEqual({ start: 1000, end: 1023 });
    expect(rowWindow(1000 * ROW, 400, 250_000, ROW, 20)).toEqual({ start: 980, end: 1043 });
    // Half a row scrolled: the top row half shown stays; one more pixel down uncovers row 1023.
    expect(rowWindow(1000 * ROW + 9, 400, 250_000, ROW, 0)).toEqual({ start: 1000, end: 1023 });
    expect(rowWindow(1000 * ROW + 15, 400, 250_000, ROW, 0)).toEqual({ start: 1000, end: 1024 });
  });

  it('stays inside the list at both ends and when the view is bigger than the list', () => {
    expect(rowWindow(0, 400, 250_000, ROW, 20)).toEqual({ start: 0, end: 43 });
    expect(rowWindow(250_000 * ROW - 400, 400, 250_000, ROW, 20)).toEqual({ start: 250_000 - 23 - 20, end: 250_000 });
    expect(rowWindow(0, 900, 3, ROW, 20)).toEqual({ start: 0, end: 3 });
    // A scroll position past the end (the list shrank under it) still shows its last rows.
    expect(rowWindow(1e6, 400, 10, ROW, 2)).toEqual({ start: 7, end: 10 });
    expect(rowWindow(0, 400, 0, ROW, 20)).toEqual({ start: 0, end: 0 });
    // Before the box is laid out (height 0, NaN): the first row and the overscan, not nothing.
    expect(rowWindow(0, 0, 100, ROW, 5)).toEqual({ start: 0, end: 6 });
    expect(rowWindow(NaN, NaN, 100, ROW, 0)).toEqual({ start: 0, end: 1 });
  });

  it('scrolls a row to the top, middle or bottom of the view, never past the list', () => {
    expect(scrollTopFor(1000, 'start', 400, 250_000, ROW)).toBe(18_000);
    expect(scrollTopFor(1000, 'center', 400, 250_000, ROW)).toBe(18_000 + 9 - 200);
    expect(scrollTopFor(1000, 'end', 400, 250_000, ROW)).toBe(18_000 + 18 - 400);
    // The last row at the bottom: the list's end (following the tail while recording).
    expect(scrollTopFor(249_999, 'end', 400, 250_000, ROW)).toBe(250_000 * ROW - 400);
    expect(scrollTopFor(249_999, 'center', 400, 250_000, ROW)).toBe(250_000 * ROW - 400);
    expect(scrollTopFor(3, 'center', 400, 250_000, ROW)).toBe(0);
    expect(scrollTopFor(5, 'end', 400, 10, ROW)).toBe(0); // a short list does not scroll
    expect(scrollTopFor(1e9, 'start', 400, 100, ROW)).toBe(100 * ROW - 400);
    // The row shown is inside the window rendered at that scroll position.
    for (const align of ['start', 'center', 'end'] as const) {
      const w = rowWindow(scrollTopFor(123_456, align, 400, 250_000, ROW), 400, 250_000, ROW, 0);
      expect(w.start <= 123_456 && 123_456 < w.end).toBe(true);
    }
  });
});
