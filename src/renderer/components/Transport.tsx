/** Play/pause, step, speed, next/previous event of a chosen kind, the frame's times, and the A/B pins. */
import { Icon } from './Icon';
import { clock, duration } from '../../shared/view/format';
import type { TimelineEvent } from '../../shared/api';
import { eventFrame } from '../../shared/view/frameIndex';
import { bytes } from '../../shared/view/format';
import type { Breakup } from '../../shared/view/breakup';
import { EVENT_NAMES, store, useApp, type EventFilter } from '../state/store';

const SPEEDS = [1, 2, 5, 10, 20, 30, 60, 120];

export function Transport() {
  const st = store();
  const s = useApp((x) => ({
    frame: x.frame,
    n: x.frameCount,
    playing: x.playing,
    speed: x.speed,
    filter: x.eventFilter,
    pinA: x.pinA,
    pinB: x.pinB,
    compare: x.compare,
    follow: x.follow,
    live: !!x.meta?.live,
    loading: x.loadingFrame,
    events: x.events,
    breakups: x.breakups,
    v: x.framesVersion,
  }));
  const n = s.n;
  const f = st.frames;
  const has = n > 0;
  const t = has ? f.t[Math.min(s.frame, n - 1)] : 0;
  const host = has ? f.cols.hostMs[s.frame] : NaN;
  const dev = has ? f.cols.deviceMs[s.frame] : NaN;
  const counts: Partial<Record<EventFilter, number>> = {};
  for (const e of s.events) counts[e.kind as EventFilter] = (counts[e.kind as EventFilter] ?? 0) + 1;
  counts.breakup = s.breakups.length;
  return (
    <div className="transport" data-testid="transport">
      <button className="btn icon ghost" title="First frame (Home)" onClick={() => st.home()} disabled={!has}>
        <Icon name="first" />
      </button>
      <button className="btn icon ghost" title="Back 10 frames (Shift+←)" onClick={() => st.step(-10)} disabled={!has}>
        <Icon name="back10" />
      </button>
      <button className="btn icon ghost" title="Previous frame (←)" onClick={() => st.step(-1)} disabled={!has} data-testid="prev-frame">
        <Icon name="prev" />
      </button>
      <button className={`btn icon play${s.playing ? ' active' : ''}`} title="Play / pause (Space)" onClick={() => st.togglePlay()} disabled={n < 2} data-testid="play">
        <Icon name={s.playing ? 'pause' : 'play'} />
      </button>
      <button className="btn icon ghost" title="Next frame (→)" onClick={() => st.step(1)} disabled={!has} data-testid="next-frame">
        <Icon name="next" />
      </button>
      <button className="btn icon ghost" title="Forward 10 frames (Shift+→)" onClick={() => st.step(10)} disabled={!has}>
        <Icon name="fwd10" />
      </button>
      <button className="btn icon ghost" title="Last frame (End)" onClick={() => st.end()} disabled={!has}>
        <Icon name="last" />
      </button>
      <select value={s.speed} onChange={(e) => st.set({ speed: Number(e.target.value) })} title="Playback speed (frames per second)" aria-label="Speed">
        {SPEEDS.map((v) => (
          <option key={v} value={v}>
            {v} fps
          </option>
        ))}
      </select>
      <span className="sep" />
      <button className="btn icon ghost" title={`Previous ${EVENT_NAMES[s.filter]} (,)`} onClick={() => st.stepEvent(-1)} disabled={!has} data-testid="prev-event">
        <Icon name="prevEvent" />
      </button>
      <select value={s.filter} onChange={(e) => st.set({ eventFilter: e.target.value as EventFilter })} aria-label="Event kind" data-testid="event-filter" title="Which events , and . jump between">
        {(Object.keys(EVENT_NAMES) as EventFilter[]).map((k) => (
          <option key={k} value={k}>
            {k === 'any' ? 'Any event' : EVENT_NAMES[k].replace(/^./, (c) => c.toUpperCase())}
            {k !== 'any' && counts[k] ? ` (${counts[k]})` : k === 'any' ? ` (${s.events.length + s.breakups.length})` : ''}
          </option>
        ))}
      </select>
      <button className="btn icon ghost" title={`Next ${EVENT_NAMES[s.filter]} (.)`} onClick={() => st.stepEvent(1)} disabled={!has} data-testid="next-event">
        <Icon name="nextEvent" />
      </button>
      <span className="sep" />
      <div className="frame-label" data-testid="frame-label">
        {has ? (
          <>
            <b className="num">
              Frame {s.frame + 1} <span className="muted">/ {n}</span>
            </b>
            <span className="num" title="Time since the first dump">
              {f.timeBase === 'index' ? 'no clock in this capture' : `${duration(t)} s`}
            </span>
            {Number.isFinite(dev) && <span className="num muted" title="Device ticks_ms">device {Math.round(dev)} ms</span>}
            {Number.isFinite(host) && <span className="num muted" title="Wall clock when the dump arrived">{clock(host)}</span>}
            {s.loading && <span className="faint">loading…</span>}
          </>
        ) : (
          <span className="muted">No frames yet</span>
        )}
      </div>
      <span className="spacer" />
      <BreakupChip breakups={s.breakups} frame={s.frame} />
      <MemoryErrorChip events={s.events} n={n} frame={s.frame} />
      {s.live && (
        <button className={`btn${s.follow ? ' active' : ''}`} onClick={() => st.end()} title="Follow the newest dump (End)">
          {s.follow ? '● Live' : 'Go live'}
        </button>
      )}
      <button className="btn" onClick={() => st.pin('A')} disabled={!has} title="Pin this frame as A ([)" data-testid="pin-a">
        <span className="pin a">A</span>
        {s.pinA !== null ? <span className="num">{s.pinA + 1}</span> : 'Pin'}
      </button>
      <button className="btn" onClick={() => st.pin('B')} disabled={!has} title="Pin this frame as B (])" data-testid="pin-b">
        <span className="pin b">B</span>
        {s.pinB !== null ? <span className="num">{s.pinB + 1}</span> : 'Pin'}
      </button>
      <button className={`btn${s.compare ? ' active' : ''}`} onClick={() => st.toggleCompare()} disabled={s.pinA === null || s.pinB === null} title="Show what changed from A to B (C)" data-testid="compare">
        Compare A → B
      </button>
      {(s.pinA !== null || s.pinB !== null) && (
        <button className="btn icon ghost" onClick={() => st.clearPins()} title="Clear the pins">
          ✕
        </button>
      )}
    </div>
  );
}

/** A chip that takes the playhead to `frame` (pausing), or says the playhead is there. */
function JumpChip({ kind, frame, here, title, testid, children }: { kind: 'frag' | 'err'; frame: number; here: boolean; title: string; testid: string; children: string }) {
  return (
    <button
      className={`chip ${kind}${here ? '' : ' clickable'}`}
      style={{ border: 0, cursor: here ? 'default' : 'pointer' }}
      onClick={() => {
        store().pause();
        void store().seek(frame);
      }}
      title={title}
      data-testid={testid}
    >
      {children}
    </button>
  );
}

/** Where plenty was free but only in small pieces: one click to the first such heap. */
function BreakupChip({ breakups, frame }: { breakups: Breakup[]; frame: number }) {
  if (!breakups.length) return null;
  const target = breakups.find((b) => b.frame > frame) ?? breakups[breakups.length - 1];
  const here = target.frame === frame;
  const what = `${bytes(target.freeBytes)} free, longest free run ${bytes(target.largestBytes)}`;
  return (
    <JumpChip
      kind="frag"
      frame={target.frame}
      here={here}
      title={`The heap broke apart at frame ${target.frame + 1}: ${what}. From here, an allocation larger than the longest free run fails although the total free is larger.`}
      testid="breakup-chip"
    >
      {here ? 'Broke apart here' : `Broke apart → ${target.frame + 1}`}
    </JumpChip>
  );
}

/** The session ran out of memory: one click to the last heap before it. */
function MemoryErrorChip({ events, n, frame }: { events: TimelineEvent[]; n: number; frame: number }) {
  const errs = events.filter((e) => e.kind === 'memoryError');
  if (!errs.length || !n) return null;
  const target = errs.find((e) => eventFrame(e, n) > frame) ?? errs[0];
  const f = eventFrame(target, n);
  const here = f === frame;
  return (
    <JumpChip
      kind="err"
      frame={f}
      here={here}
      title={here ? `${target.text}${target.bytes ? ` (${bytes(target.bytes)} asked)` : ''}` : `${target.text}: click to go to the last heap before it (frame ${f + 1})`}
      testid="memoryerror-chip"
    >
      {here ? 'Before the MemoryError' : `MemoryError${errs.length > 1 ? ` ×${errs.length}` : ''} → ${f + 1}`}
    </JumpChip>
  );
}
