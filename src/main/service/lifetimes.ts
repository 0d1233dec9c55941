/**
 * getLifetimes' work: a session's object lifetimes, built once per session and brought up to
 * date with the frames that arrived since the last call (a recording grows under it).
 */
import type { LifetimesRequest, LifetimesResult, ObjectsRequest, ObjectsResult, SnapshotIndexEntry as IndexEntry, TimelineEvent } from '../../shared/api';
import { objectsAnswer } from '../../shared/lifetimes/objects';
import { blameByPhase } from '../../shared/lifetimes/queries';
import { followKey, MapFollower } from '../../shared/heap/mapFollower';
import type { SnapshotIndexEntry } from '../../shared/heap/snapshot';
import { SessionLifetimes, type FrameMaps } from '../../shared/lifetimes/session';
import type { SessionView } from './sessionView';

/** Longest stretch of catching up between two turns of the event loop. */
const YIELD_MS = 4;
/** Index entries read at a time while catching up. */
const ENTRY_PAGE = 2048;
/** Log lines read at a time while catching up. */
const LINE_PAGE = 4096;

export class LifetimesMaker {
  private readonly life = new SessionLifetimes();
  private readonly follower = new MapFollower();
  private next = 0;
  private nextEvent = 0;
  private nextLine = 0;
  private busy: Promise<unknown> = Promise.resolve();

  /** Fed while the session was being recorded: see `stale`. */
  private fedLive = false;

  constructor(readonly view: SessionView) {}

  /**
   * A recording's tracker was fed as dumps, lines and events arrived, and a line indexed after
   * the dump it preceded lands in the wrong phase; the leak verdict then differs from the one the
   * finished file gives (a fragment run named a leak in the window, steady in `inspect`). Once the
   * recording has ended, its tracker is rebuilt once from the file, in the file's order.
   */
  stale(): boolean {
    return this.fedLive && !this.view.meta.live;
  }

  /** Serialised: two calls never feed the tracker at once. */
  get(req: LifetimesRequest): Promise<LifetimesResult> {
    const run = this.busy.then(() => this.answer(req));
    this.busy = run.catch(() => undefined);
    return run;
  }

  /** Objects at a frame (or compared): serialised with `get`, on the same tracker. */
  objects(req: ObjectsRequest): Promise<ObjectsResult> {
    const run = this.busy.then(async () => {
      await this.catchUp();
      return objectsAnswer(this.life.tracker, req.frame, req.from);
    });
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async answer(req: LifetimesRequest): Promise<LifetimesResult> {
    await this.catchUp();
    const t = this.life.tracker;
    const v = this.life.leak();
    const bs = this.life.heapFigures().blockSize ?? 0;
    const frame = Math.min(req.frame ?? Number.MAX_SAFE_INTEGER, Math.max(0, this.next - 1));
    const blame = t.frameCount ? blameByPhase(t, frame).slice(0, 12).map((b) => ({ ...b, bytes: b.blocks * bs })) : [];
    return {
      frames: t.frameCount,
      frame,
      leak: {
        verdict: v.verdict,
        bytesPerMinute: v.bytesPerMinute,
        forecastMs: v.forecastMs,
        forecastLimit: v.forecastLimit,
        groups: v.groups,
        reason: v.reason,
        window: v.window,
        survivors: v.survivors.length,
      },
      blame,
    };
  }

  private feedEvent(ev: TimelineEvent): void {
    if (ev.kind === 'mark') this.life.event({ type: 'mark', label: ev.text, deviceMs: ev.deviceMs ?? null, line: ev.line, byteOffset: ev.byteOffset });
    else if (ev.type === 'device') this.life.event({ type: 'device', kind: ev.kind as Exclude<typeof ev.kind, 'mark' | 'gap'>, text: ev.text, line: ev.line, byteOffset: ev.byteOffset, ...(ev.bytes !== undefined ? { bytes: ev.bytes } : {}) });
  }

  /**
   * A dump's maps: followed from the last dump's when only map lines changed (see
   * MapFollower), else the parser's. Every map given reaches the tracker, in order.
   */
  private async maps(i: number, e: SnapshotIndexEntry): Promise<FrameMaps> {
    const key = followKey(e);
    if (key === null) {
      this.follower.forget();
      return { areas: (await this.view.getSnapshot(i)).areas, changed: null };
    }
    const bytes = await this.view.readRaw(e.byteStart, e.byteEnd);
    const got = this.follower.follow(bytes, key);
    if (got !== null) return got;
    const snap = await this.view.getSnapshot(i);
    this.follower.learn(bytes, snap.areas, key);
    return { areas: snap.areas, changed: null };
  }

  /** Lines, marks and device events before each dump, then the dump: in the order they came. */
  private async catchUp(): Promise<void> {
    if (this.view.meta.live) this.fedLive = true;
    await this.view.ready?.();
    const events = this.view.events();
    const lineCount = await this.view.logCount();
    // The dumps there are now (the list may grow while this yields; the lines counted go with these).
    const end = this.view.snapshotCount();
    // A page of entries at a time: the whole index as objects is hundreds of MB on a day's soak.
    let page: IndexEntry[] = [];
    let pageAt = 0;
    let since = performance.now();
    while (this.next < end) {
      // A recording's dumps arrive on this event loop: give way every few ms, so catching up
      // (a file read per dump) never holds a live frame back from the window.
      if (performance.now() - since > YIELD_MS) {
        await new Promise((r) => setImmediate(r));
        since = performance.now();
      }
      if (this.next - pageAt >= page.length) {
        pageAt = this.next;
        page = await this.view.entriesFrom(pageAt, Math.min(ENTRY_PAGE, end - pageAt));
        if (page.length === 0) break;
      }
      const e = page[this.next - pageAt];
      // What was printed before dump `next`: lines [nextLine, e.logLine), events with snapshot ≤ next.
      const upTo = Math.min(lineCount, e.logLine);
      const evs: TimelineEvent[] = [];
      while (this.nextEvent < events.length && events[this.nextEvent].snapshot <= this.next) evs.push(events[this.nextEvent++]);
      evs.sort((a, b) => a.line - b.line);
      // Lines a page at a time, with events fed among them by line (a line before an event on
      // the same line, as printed): a dump after a long log (600,000 lines in a test) must
      // neither hold every line as an object at once nor the event loop while it feeds them.
      let ev = 0;
      while (this.nextLine < upTo) {
        const lines = await this.view.logLines(this.nextLine, Math.min(LINE_PAGE, upTo - this.nextLine));
        if (lines.length === 0) break;
        for (const l of lines) {
          while (ev < evs.length && evs[ev].line < l.line) this.feedEvent(evs[ev++]);
          this.life.event({ type: 'log', text: l.text, line: l.line, byteOffset: 0 });
        }
        this.nextLine += lines.length;
        if (performance.now() - since > YIELD_MS) {
          await new Promise((r) => setImmediate(r));
          since = performance.now();
        }
      }
      this.nextLine = Math.max(this.nextLine, upTo);
      while (ev < evs.length) this.feedEvent(evs[ev++]);
      if (e.areas.length > 0) {
        const m = await this.maps(this.next, e);
        this.life.frame(e, m.areas, e.metrics, e.hostMs, m.changed);
      }
      this.next++;
    }
  }
}
