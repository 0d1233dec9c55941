/**
 * A session file's index for the service, read a record at a time: one walk in arrival order
 * gives the frame series, the timeline events and where each index page starts in the log;
 * a window of log lines, or a search, then re-reads only the page it is in (from its start: a
 * page decodes only from its first record). Nothing is kept per log line, so memory follows the
 * frames and the window asked for, not the log (a capture of 5 million short lines is three
 * pages of ~2 million lines each: the reader's page cache would hold one whole page as objects).
 *
 * The order is the one the full index in memory gives (FileSessionView built it by merging the
 * reader's `snapshots` and `events`): a snapshot comes before the first event at or after its
 * last byte. The items come in the order the writer recorded them, so a snapshot waits only
 * until the events recorded before its last byte have gone by.
 */
import type { FrameSeries, LogLine, SnapshotIndexEntry, TimelineEvent } from '../../shared/api';
import type { SessionEvent, SessionReader, SnapshotRef } from '../session';
import { timelineEventOf } from './indexBuilder';

export type FileEntry = Omit<SnapshotIndexEntry, 'logLine'>;

/** A snapshot the walk holds: its entry, or where it ends and its entry on demand (entryOf). */
export type Snap = FileEntry | SnapshotRef;

const isRef = (x: Snap): x is SnapshotRef => typeof (x as SnapshotRef).entry === 'function';
export const entryOf = (x: Snap): FileEntry => (isRef(x) ? x.entry() : x);
/** An entry or a ref, not a page state's bare end (see WalkState.pending). */
const isSnap = (x: { byteEnd: number }): x is Snap => isRef(x as Snap) || 'metrics' in x;
/** Snapshot i of the reader walked, made when asked for. */
const readAgain = (r: SessionReader, i: number, byteEnd: number): SnapshotRef => ({ byteEnd, entry: () => r.entry(i) });

/** One item of the walk: a snapshot (the i-th, after `logLine` log lines) or an event. */
export type Step =
  | { kind: 'snapshot'; snap: Snap; i: number; logLine: number }
  | { kind: 'event'; ev: SessionEvent; snapshot: number; logLine: number }
  /** `n` log lines from line `logLine` on, counted, not made (a walk that only counts them). */
  | { kind: 'lines'; n: number; snapshot: number; logLine: number };

/** Where the walk stands at the start of a page: enough to start again from there. */
export interface WalkState {
  snapshots: number;
  lines: number;
  /** Timeline events (every event but log lines) before it. */
  events: number;
  /**
   * Snapshots read but not placed yet (waiting for an event at or after their last byte): where
   * each ends; the k-th is snapshot `snapshots + k`, its entry read again when a walk from here
   * needs it (nearly every page starts with one: keeping entries would decode every page whole).
   */
  pending: Array<{ byteEnd: number }>;
}

/**
 * Snapshots waiting to be placed: past this many (a session of dumps with no line between them
 * for thousands of frames), the oldest is placed at once rather than held.
 */
const MAX_PENDING = 4096;

/**
 * The index in arrival order from page `page` on (pageCount: the recovered tail), given the
 * state at its start. `atPage` is told the state at the start of each page.
 */
export function* walkFrom(r: SessionReader, start: WalkState, page: number, atPage?: (k: number, s: WalkState) => void, countLogs = false, refs = false): Generator<Step> {
  let snapshots = start.snapshots;
  let lines = start.lines;
  let events = start.events;
  let pending: Snap[] = start.pending.map((p, j) => (isSnap(p) ? p : readAgain(r, start.snapshots + j, p.byteEnd)));
  let head = 0;
  const take = (): Step => ({ kind: 'snapshot', snap: pending[head++], i: snapshots++, logLine: lines });
  for (let k = page; k <= r.pageCount; k++) {
    if (head > 0) {
      pending = pending.slice(head);
      head = 0;
    }
    atPage?.(k, { snapshots, lines, events, pending: pending.map((p) => ({ byteEnd: p.byteEnd })) });
    for (const it of k < r.pageCount ? r.pageItems(k, countLogs, refs) : r.tailItems()) {
      if (it.lines !== undefined) {
        // A run of log lines: given whole, or split where a waiting snapshot ends.
        const end = it.from + it.lines;
        let i = it.from;
        while (i < end) {
          let j = end;
          if (head < pending.length) {
            const e = pending[head].byteEnd;
            j = i;
            while (j < end && it.offsets[j] < e) j++;
          }
          if (j > i) {
            yield { kind: 'lines', n: j - i, snapshot: snapshots, logLine: lines };
            lines += j - i;
            i = j;
          }
          if (i < end) {
            while (head < pending.length && pending[head].byteEnd <= it.offsets[i]) yield take();
            if (head === pending.length && head > 0) {
              pending = [];
              head = 0;
            }
          }
        }
        continue;
      }
      if (it.snapshot || it.ref) {
        pending.push(it.snapshot ?? it.ref);
        if (pending.length - head > MAX_PENDING) yield take();
        continue;
      }
      const ev = it.event;
      while (head < pending.length && pending[head].byteEnd <= ev.byteOffset) yield take();
      if (head === pending.length && head > 0) {
        pending = [];
        head = 0;
      }
      yield { kind: 'event', ev, snapshot: snapshots, logLine: lines };
      if (ev.type === 'log') lines++;
      else events++;
    }
  }
  while (head < pending.length) yield take();
}

export interface FileIndex {
  series: FrameSeries;
  logCount: number;
  /** The walk's state at the start of each page, and of the recovered tail (index pageCount). */
  pages: WalkState[];
}

/** A walk keeps nothing per log line: it stops to let other calls through every this many ms. */
const SLICE_MS = 8;

export function emptySeries(n: number): FrameSeries {
  return {
    frames: n,
    usedBytes: new Float32Array(n),
    freeBytes: new Float32Array(n),
    largestFreeBytes: new Float32Array(n),
    fragmentation: new Float32Array(n),
    timeMs: new Float64Array(n),
    logLine: new Uint32Array(n),
    events: [],
    logLineCount: 0,
  };
}

const num = (x: number | null | undefined) => (typeof x === 'number' ? x : NaN);

export function putFrame(s: FrameSeries, i: number, e: FileEntry, logLine: number): void {
  const m = e.metrics;
  s.usedBytes[i] = num(m.usedBytes);
  s.freeBytes[i] = num(m.freeBytes);
  s.largestFreeBytes[i] = num(m.largestFreeRunBytes);
  s.fragmentation[i] = m.fragmentation;
  s.timeMs[i] = num(e.hostMs ?? e.deviceMs);
  s.logLine[i] = logLine;
}

/**
 * Runs a pass that yields now and then: in one go (`sync`, for a caller that cannot wait), or
 * giving way to the event loop every few ms and stopping (null) when `alive` turns false.
 */
function runPass(pass: Generator<void, FileIndex>, alive: () => boolean, sync: boolean): FileIndex | Promise<FileIndex | null> {
  if (sync) {
    for (;;) {
      const x = pass.next();
      if (x.done) return x.value;
    }
  }
  return (async () => {
    let slice = performance.now();
    for (;;) {
      const x = pass.next();
      if (x.done) return x.value;
      if (performance.now() - slice >= SLICE_MS) {
        await new Promise((res) => setImmediate(res));
        slice = performance.now();
        if (!alive()) return null;
      }
    }
  })();
}

/**
 * The whole walk, item by item: the frame series, the timeline events and each page's start
 * (what indexFromPages gives from the columns; kept as the walk the log and growth continue).
 */
export function indexFile(r: SessionReader, alive: () => boolean, sync: true): FileIndex;
export function indexFile(r: SessionReader, alive: () => boolean, sync?: false): Promise<FileIndex | null>;
export function indexFile(r: SessionReader, alive: () => boolean, sync = false): FileIndex | Promise<FileIndex | null> {
  return runPass(walkPass(r), alive, sync);
}

function* walkPass(r: SessionReader): Generator<void, FileIndex> {
  const s = emptySeries(r.snapshotCount);
  const pages: WalkState[] = [];
  let lines = 0;
  // Log lines are only counted: none is made (a long log is millions of them).
  for (const st of walkFrom(r, { snapshots: 0, lines: 0, events: 0, pending: [] }, 0, (k, ws) => (pages[k] = ws), true, true)) {
    if (st.kind === 'snapshot') {
      if (st.i < s.frames) putFrame(s, st.i, entryOf(st.snap), st.logLine);
    } else if (st.kind === 'lines') {
      lines += st.n;
    } else if (st.ev.type === 'log') {
      lines++;
    } else {
      s.events.push(timelineEventOf(st.ev, s.events.length, st.snapshot, st.logLine, st.ev.hostMs) as TimelineEvent);
    }
    yield;
  }
  s.logLineCount = lines;
  return { series: s, logCount: lines, pages };
}

/** What a session gained since it was last indexed (see grownIndex). */
export interface Growth {
  index: FileIndex;
  snapshots: SnapshotIndexEntry[];
  lines: LogLine[];
  events: TimelineEvent[];
}

/**
 * The index of `r`, a reader that continues the one `prev` indexed (SessionReader.continueFrom):
 * the walk starts again at the first page it did not keep, from the state `prev` recorded there,
 * so only the last page and what the file gained are read. Returns the new index and the items
 * past those `prev` counted (what to push), or null when `r` holds fewer (a read caught between
 * two writes: keep what is shown, look again later).
 */
export function grownIndex(prev: FileIndex, r: SessionReader): Growth | null {
  const k0 = Math.min(r.pagesKept, prev.pages.length - 1);
  const start = prev.pages[k0];
  const ps = prev.series;
  if (r.snapshotCount < ps.frames) return null;
  const s = emptySeries(r.snapshotCount);
  for (const key of ['usedBytes', 'freeBytes', 'largestFreeBytes', 'fragmentation', 'timeMs', 'logLine'] as const) {
    (s[key] as Float32Array).set((ps[key] as Float32Array).subarray(0, start.snapshots));
  }
  s.events = ps.events.slice(0, start.events);
  const pages = prev.pages.slice(0, k0);
  const out: Growth = { index: { series: s, logCount: 0, pages }, snapshots: [], lines: [], events: [] };
  let lines = start.lines;
  let last: { line: LogLine; ev: SessionEvent } | null = null;
  for (const st of walkFrom(r, start, k0, (k, w) => (pages[k] = w))) {
    if (st.kind === 'snapshot') {
      const entry = entryOf(st.snap);
      if (st.i < s.frames) putFrame(s, st.i, entry, st.logLine);
      if (st.i >= ps.frames) out.snapshots.push({ ...entry, logLine: st.logLine });
      continue;
    }
    if (st.kind !== 'event') continue;
    const ev = st.ev;
    if (ev.type === 'log') {
      if (lines >= prev.logCount) {
        const line: LogLine = { n: lines, text: (ev as { text: string }).text, line: ev.line, snapshot: st.snapshot, hostMs: ev.hostMs };
        out.lines.push(line);
        last = { line, ev };
      } else last = null;
      lines++;
      continue;
    }
    // A device event read from a log line follows it at the same offset: it marks the line.
    if (ev.type === 'device' && last && !last.line.device && ev.byteOffset === last.ev.byteOffset && ev.line === last.ev.line) last.line.device = ev.kind;
    const t = timelineEventOf(ev, s.events.length, st.snapshot, st.logLine, ev.hostMs) as TimelineEvent;
    s.events.push(t);
    if (t.i >= ps.events.length) out.events.push(t);
  }
  if (lines < prev.logCount || s.events.length < ps.events.length) return null;
  s.logLineCount = lines;
  out.index.logCount = lines;
  return out;
}

interface Cursor {
  steps: Generator<Step>;
  /** The number of the next log line it gives. */
  next: number;
  peeked: Step | null;
}

/** Cursors kept: a search reading on and the window's reads elsewhere do not undo each other. */
const CURSORS = 2;

/**
 * Log lines read back from a session file through its index, a page at a time. A cursor stays
 * where a read ended, so reading on (a search, the log scrolled down) decodes nothing twice; a
 * read elsewhere starts again from the start of the page that holds it.
 */
export class FileLog {
  /** Most recently used first. */
  private cursors: Cursor[] = [];

  constructor(
    private readonly r: SessionReader,
    private readonly index: FileIndex,
  ) {}

  get count(): number {
    return this.index.logCount;
  }

  /** Lines [from, from + count) as the API's objects (a device event on a line marks it). */
  lines(from: number, count: number): LogLine[] {
    const out: LogLine[] = [];
    this.read(from, count, (ev, n, snapshot) => {
      out.push({ n, text: (ev as { text: string }).text, line: ev.line, snapshot, hostMs: ev.hostMs });
    }, (kind) => {
      const last = out[out.length - 1];
      if (last && !last.device) last.device = kind;
    });
    return out;
  }

  /** The texts of lines [from, from + count) (for search). */
  texts(from: number, count: number): string[] {
    const out: string[] = [];
    this.read(from, count, (ev) => out.push((ev as { text: string }).text));
    return out;
  }

  private read(
    from: number,
    count: number,
    line: (ev: SessionEvent, n: number, snapshot: number) => void,
    device?: (kind: Extract<SessionEvent, { type: 'device' }>['kind']) => void,
  ): void {
    const end = Math.min(this.index.logCount, from + count);
    if (!(from < end)) return;
    const pages = this.index.pages;
    // The last page starting at or before line `from`.
    let lo = 0;
    let hi = pages.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pages[mid].lines <= from) lo = mid;
      else hi = mid - 1;
    }
    // Pages with no line share their start with the next: the later one reads less.
    while (lo + 1 < pages.length && pages[lo + 1].lines <= from) lo++;
    // The cursor furthest on that has not passed `from` and is in its page, else a new one.
    let c: Cursor | null = null;
    for (const x of this.cursors) if (x.next <= from && x.next >= pages[lo].lines && (!c || x.next > c.next)) c = x;
    if (c) this.cursors = this.cursors.filter((x) => x !== c);
    else c = { steps: walkFrom(this.r, pages[lo], lo), next: pages[lo].lines, peeked: null };
    let last: SessionEvent | null = null;
    for (;;) {
      const st = c.peeked ?? c.steps.next().value;
      c.peeked = null;
      if (!st) break;
      if (st.kind !== 'event') continue;
      const ev = st.ev;
      if (ev.type === 'log') {
        if (st.logLine >= end) {
          // The next read may start here.
          c.peeked = st;
          break;
        }
        c.next = st.logLine + 1;
        if (st.logLine >= from) {
          line(ev, st.logLine, st.snapshot);
          last = ev;
        } else last = null;
      } else if (ev.type === 'device' && last && device && ev.byteOffset === last.byteOffset && ev.line === last.line) {
        device(ev.kind);
      }
    }
    // One that reached the end of the log is done; the others are kept, this one first.
    if (c.peeked !== null) this.cursors = [c, ...this.cursors].slice(0, CURSORS);
  }
}

/**
 * The walk's index (series, timeline, log count, page states) in one pass over the pages'
 * columns: figures and event offsets as typed arrays, no entry made, only device events, marks
 * and gaps as objects. The order is walkFrom's to the item: a page's snapshot is read before the
 * first event of its page at or after its last byte (or at its page's end), placed before the
 * first event from then on at or after it, the oldest placed at once past MAX_PENDING waiting.
 * What a timeline draws at open, with what the log and summary need: no walk follows.
 */
export function indexFromPages(r: SessionReader, alive: () => boolean, sync: true): FileIndex;
export function indexFromPages(r: SessionReader, alive?: () => boolean, sync?: false): Promise<FileIndex | null>;
export function indexFromPages(r: SessionReader, alive: () => boolean = () => true, sync = false): FileIndex | Promise<FileIndex | null> {
  return runPass(pagesPass(r), alive, sync);
}

function* pagesPass(r: SessionReader): Generator<void, FileIndex> {
  const n = r.snapshotCount;
  const s = emptySeries(n);
  const ends = new Float64Array(n);
  const pages: WalkState[] = [];
  /** Snapshots placed, and read (those in between wait). */
  let placed = 0;
  let read = 0;
  let lines = 0;
  let events = 0;
  /** Items since the last yield: the runner reads the clock every 256 of them, no more often. */
  let k = 0;
  const place = () => {
    s.logLine[placed++] = lines;
  };
  for (let p = 0; p <= r.pageCount; p++) {
    const waiting: Array<{ byteEnd: number }> = [];
    for (let i = placed; i < read; i++) waiting.push({ byteEnd: ends[i] });
    pages[p] = { snapshots: placed, lines, events, pending: waiting };
    const c = r.pageColumns(p);
    const f = c.figures;
    const ns = f.byteEnd.length;
    const off = c.offsets.byteOffset;
    const isLog = c.offsets.isLog;
    const ne = off.length;
    if (c.firstSnapshot !== read || c.firstSnapshot + ns > n) throw new Error(`index page ${p} starts at snapshot ${c.firstSnapshot}, after ${read} read`);
    const at0 = c.firstSnapshot;
    s.usedBytes.set(f.usedBytes, at0);
    s.freeBytes.set(f.freeBytes, at0);
    s.largestFreeBytes.set(f.largestFreeBytes, at0);
    s.fragmentation.set(f.fragmentation, at0);
    s.timeMs.set(f.timeMs, at0);
    ends.set(f.byteEnd, at0);
    const pageEnd = at0 + ns;
    for (let ei = 0; ei < ne; ei++) {
      const at = off[ei];
      while (read < pageEnd && ends[read] <= at) {
        read++;
        if (read - placed > MAX_PENDING) place();
      }
      while (placed < read && ends[placed] <= at) place();
      if (isLog[ei] === 1) lines++;
      else {
        const ev = r.event(c.firstEvent + ei);
        if (ev.type === 'log') lines++;
        else s.events.push(timelineEventOf(ev, events++, placed, lines, ev.hostMs) as TimelineEvent);
      }
      if ((++k & 255) === 0) yield;
    }
    while (read < pageEnd) {
      read++;
      if (read - placed > MAX_PENDING) place();
    }
  }
  while (placed < read) place();
  if (read !== n) throw new Error(`the index pages hold ${read} snapshots of ${n}`);
  s.logLineCount = lines;
  return { series: s, logCount: lines, pages };
}
