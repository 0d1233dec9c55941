/** The pane beside the map: the log, the current frame's figures, the A → B comparison, and the film strip. */
import { Fragment, useCallback, useMemo, useState } from 'react';
import type { LogLine, SnapshotData, TimelineEvent } from '../../shared/api';
import { F_COLLECTED, F_COLLECT_KNOWN, F_COMPLETE, F_CONSISTENT, F_HAS_MAP } from '../../shared/view/frameIndex';
import { bytes, int, kindName, percent, signedBytes, clock, duration } from '../../shared/view/format';
import { untypedShare } from '../../shared/view/heapAnalysis';
import { fragmentationBlame } from '../../shared/view/fragmentationBlame';
import { BREAKUP_OFF } from '../../shared/view/breakup';
import { FREE } from '../../shared/heap/blockKinds';
import { blocksFor, firstFit } from '../../shared/view/firstFit';
import { blockAddress } from '../../shared/view/mapLayout';
import { LogPane, type LogLineView, type LogPaneHandle, type LineKind } from '../log/LogPane';
import type { ThemeColours } from '../map/colors';
import { store, useApp } from '../state/store';
import { FilmStripTab } from './FilmStrip';
import { BornDuring } from './BornDuring';
import { CompareView } from '../compare/CompareView';
import { heapChangeAt } from '../log/heapChange';

export function SidePane({ colours, logRef }: { colours: ThemeColours; logRef: React.RefObject<LogPaneHandle | null> }) {
  const tab = useApp((s) => s.sideTab);
  const hasCompare = useApp((s) => s.compareDiff !== null);
  const st = store();
  return (
    <div className="pane" style={{ position: 'relative' }} data-testid="side-pane">
      <div className="pane-head" style={{ paddingBottom: 0, borderBottom: 0, minHeight: 32 }}>
        <div className="tabs" role="tablist">
          <button className={`tab${tab === 'log' ? ' on' : ''}`} onClick={() => st.set({ sideTab: 'log' })} role="tab" data-testid="tab-log">
            Log
          </button>
          <button className={`tab${tab === 'frame' ? ' on' : ''}`} onClick={() => st.set({ sideTab: 'frame' })} role="tab" data-testid="tab-frame">
            Frame
          </button>
          <button className={`tab${tab === 'compare' ? ' on' : ''}`} onClick={() => st.set({ sideTab: 'compare' })} role="tab" data-testid="tab-compare">
            Compare{hasCompare && <span className="badge">A→B</span>}
          </button>
          <button
            className={`tab${tab === 'strip' ? ' on' : ''}`}
            onClick={() => st.set({ sideTab: 'strip' })}
            role="tab"
            data-testid="tab-strip"
            title="The whole session in one picture: time across, address down"
          >
            Strip
          </button>
        </div>
      </div>
      {tab === 'log' && <LogTab logRef={logRef} />}
      {tab === 'frame' && <FrameTab />}
      {tab === 'compare' && <CompareView colours={colours} />}
      {tab === 'strip' && <FilmStripTab colours={colours} />}
    </div>
  );
}

function kindOfLine(l: LogLine): LineKind {
  switch (l.device) {
    case 'memoryError':
      return 'memoryError';
    case 'traceback':
      return 'traceback';
    case 'softReboot':
      return 'softReboot';
    case undefined:
      return 'log';
    default:
      return 'device';
  }
}

function LogTab({ logRef }: { logRef: React.RefObject<LogPaneHandle | null> }) {
  const st = store();
  const s = useApp((x) => ({ count: x.logCount, epoch: x.logEpoch, frame: x.frame, n: x.frameCount, live: !!x.meta?.live && x.follow, events: x.events }));
  // A device event read from a log line is indexed just after that line.
  const tracebacks = useMemo(() => s.events.filter((e) => e.kind === 'traceback' && e.logLine > 0).map((e) => e.logLine - 1), [s.events]);
  const heapChange = useCallback((snapshot: number) => heapChangeAt(st.frames, snapshot), [st, s.n]);
  const range = useMemo(() => st.frames.logRange(s.frame), [st, s.frame, s.n]);
  const fetchLines = useCallback(
    async (start: number, count: number): Promise<LogLineView[]> => {
      const r = await st.api.getLogLines({ from: start, count: Math.max(0, Math.min(count, s.count - start)) });
      const f = st.frames;
      const h0 = f.length && f.timeBase === 'host' ? f.cols.hostMs[0] : NaN;
      return r.lines.map((l) => ({
        index: l.n,
        text: l.text,
        t: l.hostMs !== null && Number.isFinite(h0) ? (l.hostMs - h0) / 1000 : f.timeBase !== 'index' && l.snapshot > 0 && l.snapshot <= f.length ? f.t[l.snapshot - 1] : null,
        kind: kindOfLine(l),
        snapshot: l.snapshot,
      }));
    },
    [st, s.count],
  );
  const search = useCallback(
    async (query: string, o: { caseSensitive: boolean; regex: boolean }) => {
      try {
        const r = await st.api.searchLog({ query, regex: o.regex, caseSensitive: o.caseSensitive, limit: 100000 });
        return { matches: r.matches, truncated: r.truncated };
      } catch (e) {
        return { matches: [], error: (e as Error).message };
      }
    },
    [st],
  );
  return (
    <LogPane
      ref={logRef}
      count={s.count}
      epoch={s.epoch}
      fetchLines={fetchLines}
      search={search}
      frameRange={range}
      live={s.live}
      onJump={(line) => st.jumpToLogLine(line)}
      tracebacks={tracebacks}
      heapChange={heapChange}
    />
  );
}

function FrameTab() {
  const st = store();
  const s = useApp((x) => ({ frame: x.frame, n: x.frameCount, data: x.frameData, v: x.framesVersion, events: x.events }));
  const f = st.frames;
  const share = useMemo(() => (s.data ? untypedShare(s.data.areas) : null), [s.data]);
  if (!s.n) return <div className="log-empty">Record or open a session to see a frame’s figures.</div>;
  const i = Math.min(s.frame, s.n - 1);
  const c = (k: Parameters<typeof f.col>[0]) => f.cols[k][i];
  const bs = c('blockSize');
  const problems = f.problems.get(i) ?? [];
  const kinds = [...f.kinds].map(([k, v]) => [k, v[i]] as const).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const near = s.events.filter((e) => e.snapshot === i + 1 || e.snapshot === i);
  const hasMap = f.has(i, F_HAS_MAP);
  return (
    <div className="scroll" data-testid="frame-panel">
      <div className="section">
        <h3>Frame {i + 1}</h3>
        <div className="kv">
          <span>Time</span>
          <span>{f.timeBase === 'index' ? '—' : duration(f.t[i])}</span>
          {Number.isFinite(c('hostMs')) && (
            <>
              <span>Arrived</span>
              <span>{clock(c('hostMs'))}</span>
            </>
          )}
          {Number.isFinite(c('deviceMs')) && (
            <>
              <span>Device ticks</span>
              <span>{int(c('deviceMs'))} ms</span>
            </>
          )}
          {Number.isFinite(c('seq')) && (
            <>
              <span>Helper sequence</span>
              <span>{c('seq')}</span>
            </>
          )}
          <span>gc.collect() first</span>
          <span>{f.has(i, F_COLLECT_KNOWN) ? (f.has(i, F_COLLECTED) ? 'yes: live data only' : 'no: includes garbage') : 'unknown'}</span>
          <span>Map</span>
          {hasMap ? (
            <span>
              {f.has(i, F_COMPLETE) ? 'complete' : 'incomplete'} · {f.has(i, F_CONSISTENT) ? 'matches the printed figures' : 'disagrees with the printed figures'}
            </span>
          ) : (
            <span data-testid="frame-map-none">none: heap totals only</span>
          )}
        </div>
      </div>
      {!hasMap && <StatsOnly frame={i} />}
      {hasMap && (
        <div className="section">
        <h3>Heap</h3>
        <div className="kv">
          <span>Used</span>
          <span>{bytes(c('used'))}</span>
          <span>Free</span>
          <span>{bytes(c('free'))}</span>
          <span>Total</span>
          <span>{bytes(c('total'))}</span>
          <span>Longest free run</span>
          <span>
            {bytes(c('largest'))} · {int(c('largestBlocks'))} blocks
          </span>
          <span title="1 − longest free run ÷ total free">Fragmentation</span>
          <span>{percent(c('fragmentation'))}</span>
          <span>Free runs</span>
          <span>{int(c('freeRuns'))}</span>
          <span>1-block / 2-block allocations</span>
          <span>
            {int(c('oneBlocks'))} / {int(c('twoBlocks'))}
          </span>
          <span>Largest allocation</span>
          <span>
            {int(c('largestAlloc'))} blocks{Number.isFinite(bs) ? ` · ${bytes(c('largestAlloc') * bs)}` : ''}
          </span>
          <span>Block size</span>
          <span>{Number.isFinite(bs) ? `${bs} bytes` : 'unknown'}</span>
          {share && (
            <>
              <span title="What the letters cannot type: instances, closures, data buffers…">Held by h objects</span>
              <span>{share.used ? percent(share.blocks / share.used, 0) : '—'} of used</span>
            </>
          )}
        </div>
      </div>
      )}
      {s.data && s.data.index === i && <WouldItFit data={s.data} asked={near.find((e) => e.kind === 'memoryError' && e.snapshot === i + 1)?.bytes ?? null} />}
      {s.data && s.data.index === i && <Blockers data={s.data} />}
      <BornDuring frame={i} />
      {kinds.length > 0 && (
        <div className="section">
          <h3>Objects by kind</h3>
          <div className="kv">
            {kinds.map(([k, v]) => (
              <KindRow key={k} k={k} v={v} />
            ))}
          </div>
        </div>
      )}
      {near.length > 0 && (
        <div className="section">
          <h3>Events next to this frame</h3>
          {near.map((e) => (
            <EventLine key={e.i} e={e} frame={i} />
          ))}
        </div>
      )}
      {problems.length > 0 && (
        <div className="section">
          <h3>What was wrong with this dump</h3>
          <ul style={{ margin: 0, paddingLeft: 18, color: 'var(--warn)' }}>
            {problems.map((p, k) => (
              <li key={k}>{p}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/**
 * A frame with no map (CircuitPython, or any firmware without micropython.mem_info): what the
 * board reported, the change since the dump before, and plainly what such a dump cannot show.
 */
function StatsOnly({ frame: i }: { frame: number }) {
  const f = store().frames;
  const used = f.cols.used[i];
  const free = f.cols.free[i];
  const total = f.cols.total[i];
  const prev = i > 0 && Number.isFinite(f.cols.used[i - 1]) ? i - 1 : -1;
  const dUsed = prev >= 0 ? used - f.cols.used[prev] : NaN;
  const dFree = prev >= 0 ? free - f.cols.free[prev] : NaN;
  let peak = -Infinity;
  for (let k = 0; k <= i; k++) if (Number.isFinite(f.cols.used[k])) peak = Math.max(peak, f.cols.used[k]);
  return (
    <>
      <div className="section" data-testid="frame-stats-only">
        <h3>Heap (as the board reported it)</h3>
        <div className="kv">
          <span title="gc.mem_alloc()">Used</span>
          <span>{bytes(used)}</span>
          <span title="gc.mem_free()">Free</span>
          <span>{bytes(free)}</span>
          <span>Total</span>
          <span>{bytes(total)}</span>
          <span>Used, of the heap</span>
          <span>{Number.isFinite(total) && total > 0 ? percent(used / total) : '—'}</span>
          <span>Change since the dump before</span>
          <span data-testid="frame-stats-change">{Number.isFinite(dUsed) ? `${signedBytes(dUsed)} used · ${signedBytes(dFree)} free` : 'first dump'}</span>
          <span>Most used so far</span>
          <span>{Number.isFinite(peak) ? bytes(peak) : '—'}</span>
        </div>
      </div>
      <div className="section" data-testid="frame-stats-limits">
        <h3>What these dumps can show</h3>
        <p className="muted" style={{ margin: 0 }}>
          This firmware has no <span className="mono">micropython.mem_info</span> (CircuitPython never has), so each dump is the heap&rsquo;s totals
          only: used and free, and how they change from dump to dump (the timeline). It has no block map: no picture of the heap, no
          fragmentation or longest free run, no objects by kind, no &ldquo;would it fit&rdquo;.
        </p>
      </div>
    </>
  );
}

/** "Would N bytes fit here, and where?" (first fit, as gc_alloc searches after a collection). */
function WouldItFit({ data, asked }: { data: SnapshotData; asked: number | null }) {
  // Before a MemoryError the box holds the request that failed (a value, not a grey hint).
  const [typed, setText] = useState<string | null>(null);
  const text = typed ?? (asked ? String(asked) : '');
  const bs = data.blockSize;
  const value = text.trim() === '' ? null : Number(text.replace(/[_\s,]/g, ''));
  const answer = useMemo(() => (bs && value && Number.isFinite(value) && value > 0 ? firstFit(data.areas, blocksFor(value, bs)) : null), [data, bs, value]);
  if (!bs) return null;
  return (
    <div className="section" data-testid="would-it-fit">
      <h3>Would it fit?</h3>
      <label className="fit-ask">
        An allocation of{' '}
        <input type="text" inputMode="numeric" placeholder="bytes" value={text} onChange={(e) => setText(e.target.value)} aria-label="Bytes to allocate" data-testid="fit-bytes" />{' '}
        bytes{asked && value === asked ? ' (the request that failed next)' : ''}
      </label>
      {answer && (
        <p className={answer.at ? '' : 'fit-no'} style={{ margin: '6px 0 0', fontSize: 12 }} data-testid="fit-answer">
          {answer.at
            ? `Fits: the first free run long enough starts at ${blockAddress(data.areas[answer.at.area].address, answer.at.block, bs)} (${int(answer.at.runBlocks)} blocks, ${bytes(answer.at.runBlocks * bs)}).`
            : `Does not fit: it needs ${int(answer.blocks)} blocks in one run, and the longest free run is ${int(answer.longest)} blocks (${bytes(answer.longest * bs)}).`}
        </p>
      )}
    </div>
  );
}

/** The objects whose freeing would give the longest free runs: what keeps the heap apart. */
function Blockers({ data }: { data: SnapshotData }) {
  const r = useMemo(() => fragmentationBlame(data.areas, 5), [data]);
  const free = useMemo(() => data.areas.reduce((n, a) => n + countFree(a.kinds), 0), [data]);
  // A heap whose free space is mostly one run is not kept apart: naming blockers there is noise.
  if (!r.objects.length || r.longest >= free * (1 - BREAKUP_OFF)) return null;
  const bs = data.blockSize;
  const size = (blocks: number) => (bs ? bytes(blocks * bs) : `${int(blocks)} blocks`);
  return (
    <div className="section" data-testid="blockers">
      <h3>What keeps the free space apart</h3>
      <p className="muted" style={{ margin: '0 0 6px', fontSize: 12 }}>
        Objects never move, so each of these splits free space for as long as it lives. Freeing it would give a free run longer than the longest now ({size(r.longest)}){r.count > r.objects.length ? `; ${int(r.count)} objects in all` : ''}.
      </p>
      <div className="kv">
        {r.objects.map((o) => {
          const letter = String.fromCharCode(o.code);
          return (
            <Fragment key={`${o.area}:${o.head}`}>
              <span title={kindName(letter)}>
                <b className="mono">{letter}</b> {size(o.blocks)} at <span className="mono">{blockAddress(data.areas[o.area].address, o.head, bs)}</span>
              </span>
              <span>→ {size(o.runIfFreed)}</span>
            </Fragment>
          );
        })}
      </div>
    </div>
  );
}

function KindRow({ k, v }: { k: string; v: number }) {
  return (
    <>
      <span>
        <b className="mono">{k}</b> {kindName(k)}
      </span>
      <span>{int(v)}</span>
    </>
  );
}

function EventLine({ e, frame }: { e: TimelineEvent; frame: number }) {
  const after = e.snapshot === frame + 1;
  return (
    <div style={{ fontSize: 12, marginBottom: 4 }}>
      <span className={`chip${e.kind === 'memoryError' ? ' err' : ''}`}>{after ? 'just after' : 'just before'}</span> <span className="mono">{e.text}</span>
      {e.kind === 'memoryError' && e.bytes ? <div className="muted">A request for {bytes(e.bytes)} could not be met{after ? ': this is the last heap before it.' : '.'}</div> : null}
    </div>
  );
}

function countFree(kinds: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < kinds.length; i++) if (kinds[i] === FREE) n++;
  return n;
}
