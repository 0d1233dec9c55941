/** The centre: a header with the frame's key figures and zoom, the heap map, and its legend. */
import { useEffect, useMemo, useState } from 'react';
import { bytes, int, kindName, percent, signedBytes, sortKinds } from '../../shared/view/format';
import { untypedShare } from '../../shared/view/heapAnalysis';
import { HeapMap, type HeapMapHandle } from '../map/HeapMap';
import type { ThemeColours } from '../map/colors';
import { store, useApp } from '../state/store';
import { useAges } from '../map/useAges';
import { lifeHover } from '../map/lifeHover';
import { mapView, useMapView } from '../map/mapView';
import { AgeLegend, ColouringToggle } from '../map/AgeLegend';

interface Props {
  colours: ThemeColours;
  mapRef: React.RefObject<HeapMapHandle | null>;
  tintTails: boolean;
  onTintTails: (v: boolean) => void;
}

export function MapPane({ colours, mapRef, tintTails, onTintTails }: Props) {
  const st = store();
  const s = useApp((x) => ({
    data: x.frameData,
    prev: x.prevData,
    frame: x.frame,
    n: x.frameCount,
    compare: x.compare,
    diff: x.compareDiff,
    B: x.compareB,
    pinA: x.pinA,
    pinB: x.pinB,
    meta: x.meta,
    recording: !!x.rec && x.rec.phase !== 'stopped' && x.rec.phase !== 'failed',
    v: x.framesVersion,
    events: x.events,
    breakups: x.breakups,
    busy: x.busy,
    session: x.logEpoch,
  }));
  // Draw on input: the store puts a frame on the map at once, React follows after the paint.
  useEffect(() => {
    st.mapPainter = (f, prev) => mapRef.current?.show(f, prev) ?? false;
    return () => {
      st.mapPainter = null;
    };
  }, [st, mapRef]);
  const view = useMapView();
  const [showChanges, setShowChanges] = useState(true);
  const [showLargest, setShowLargest] = useState(true);
  const [zoom, setZoom] = useState<{ cell: number; fit: boolean }>({ cell: 1, fit: true });
  const comparing = s.compare && s.diff && s.B;
  const frame = comparing ? s.B : s.data;
  const f = st.frames;
  const i = Math.min(s.frame, Math.max(0, s.n - 1));
  // The frame is the last heap before a MemoryError: say what could not fit.
  const broke = s.breakups.find((b) => b.frame === i) ?? null;
  const failed = s.events.find((e) => e.kind === 'memoryError' && Math.min(s.n - 1, Math.max(0, e.snapshot - 1)) === i) ?? null;
  const share = useMemo(() => (frame ? untypedShare(frame.areas) : null), [frame]);
  const letters = useMemo(() => sortKinds([...f.kinds.keys()]), [f, s.v]);
  const byAge = view.colouring === 'age' && !comparing;
  const ages = useAges(st.api, comparing ? null : (s.data ?? null), byAge, s.session);
  const lifeOf = useMemo(() => (ages ? (area: number, head: number) => lifeHover(ages, st.frames, area, head) : null), [ages, st, s.v]);
  // A stats-only dump (CircuitPython, no mem_info) has no map to draw: say so instead of a blank.
  const noMap = !!frame && frame.areas.length === 0;
  const empty = noMap ? (
    <div data-testid="map-stats-only">
      <h2>No map in this dump: heap totals only</h2>
      <p>
        This firmware has no <span className="mono">micropython.mem_info</span> (CircuitPython never has): each dump is the used and free bytes, not
        where the blocks are. The timeline below shows used, free and the change per dump; the Frame tab has this dump&rsquo;s figures.
      </p>
    </div>
  ) : s.busy ? (
    <div>
      <h2>{s.busy.what}…</h2>
      <p>{s.busy.total ? `${Math.floor((100 * s.busy.done) / s.busy.total)} %` : 'Reading every dump in it; a large capture takes a few seconds.'}</p>
    </div>
  ) : s.meta ? (
    <div>
      <h2>No heap map in this session yet</h2>
      <p>{s.recording ? 'Waiting for the first dump…' : 'This session has no dumps with a map (stats-only frames show in the timeline).'}</p>
    </div>
  ) : (
    <div>
      <h2>See your MicroPython heap as it evolves</h2>
      <ol>
        <li>
          Pick a <b>board</b> (or the <b>virtual board</b> and a demo such as <i>fragment</i>) above.
        </li>
        <li>
          Press <b style={{ color: 'var(--record)' }}>● Record</b>. Dumps stream in live; press <b>Stop</b> when done.
        </li>
        <li>
          Scrub the timeline; <kbd>.</kbd> jumps to the next <b>MemoryError</b>; <kbd>[</kbd> <kbd>]</kbd> pin two frames to compare.
        </li>
        <li>
          <kbd>Ctrl</kbd>+<kbd>E</kbd> exports CSV, PNG or an animated GIF.
        </li>
      </ol>
      <p className="faint">
        Or open a saved session or any terminal log with <span className="mono">mem_info(1)</span> dumps (<kbd>Ctrl</kbd>+<kbd>O</kbd>, or drop it here). <kbd>?</kbd> lists the keys.
      </p>
    </div>
  );
  return (
    <div className="pane" style={{ borderRight: '1px solid var(--border)' }}>
      <div className="pane-head">
        {comparing ? (
          <div className="map-info" data-testid="map-title">
            <b>
              Diff <span className="pin a">A</span> {s.pinA! + 1} → <span className="pin b">B</span> {s.pinB! + 1}
            </b>
            <span>
              <span className="swatch" style={{ background: colours.allocated }} /> allocated {int(s.diff!.allocatedBlocks)}
            </span>
            <span>
              <span className="swatch" style={{ background: colours.freed }} /> freed {int(s.diff!.freedBlocks)}
            </span>
            <span>
              <span className="swatch" style={{ background: colours.same }} /> unchanged
            </span>
            <button className="btn" onClick={() => st.toggleCompare()}>
              Back to frame
            </button>
          </div>
        ) : s.n > 0 ? (
          <div className="map-info" data-testid="map-title">
            <b className="num">Frame {i + 1}</b>
            <span title="Used bytes">
              used <b className="num">{bytes(f.cols.used[i])}</b>
            </span>
            <span title="Free bytes">
              free <b className="num">{bytes(f.cols.free[i])}</b>
            </span>
            <span title="The longest run of free blocks: the largest allocation that can succeed">
              longest free <b className="num" style={{ color: colours.largestRun }}>{bytes(f.cols.largest[i])}</b>
            </span>
            <span title="1 − longest free run ÷ total free">
              fragmentation <b className="num">{percent(f.cols.fragmentation[i], 0)}</b>
            </span>
          </div>
        ) : (
          <span className="pane-title">Heap map</span>
        )}
        <span className="spacer" />
        <div className="zoom">
          <button className="btn icon ghost" onClick={() => mapRef.current?.zoom(-1)} title="Zoom out (S, wheel)" disabled={!frame}>
            −
          </button>
          <span className="num muted" style={{ minWidth: 64, textAlign: 'center', fontSize: 12 }} data-testid="zoom-level">
            {zoom.cell} px/block
          </span>
          <button className="btn icon ghost" onClick={() => mapRef.current?.zoom(1)} title="Zoom in (W, wheel)" disabled={!frame}>
            +
          </button>
          <button className={`btn${zoom.fit ? ' active' : ''}`} onClick={() => mapRef.current?.fit()} title="Fit the whole heap (F)" disabled={!frame}>
            Fit
          </button>
        </div>
      </div>
      {!comparing && s.n > 0 && (
        // Always there while a session is shown, so the map never jumps as notes come and go.
        <div className="map-notes" data-testid="map-notes">
          {!failed && !broke && !f.problems.has(i) && <SinceLast i={i} />}
          {failed && (
            <span className="chip err" title={`${failed.text}. The longest free run here is ${bytes(f.cols.largest[i])}: the largest block that can still be allocated.`} data-testid="map-memoryerror">
              next: MemoryError{failed.bytes ? `, ${bytes(failed.bytes)} asked` : /%u/.test(failed.text) ? ' (its size unsaid: the heap was too full to print it)' : ''}; the longest free run is {bytes(f.cols.largest[i])}
            </span>
          )}
          {broke && !failed && (
            <span className="chip frag" title="Plenty is free, but only in small pieces: an allocation larger than the longest free run fails from here on" data-testid="map-breakup">
              heap broke apart here: {bytes(broke.freeBytes)} free, but no piece larger than {bytes(broke.largestBytes)}
            </span>
          )}
          {f.problems.has(i) && (
            <span className="chip warn" title={f.problems.get(i)!.join('\n')} data-testid="frame-problems">
              ⚠ damaged dump: {f.problems.get(i)!.length} problem{f.problems.get(i)!.length === 1 ? '' : 's'} (Frame tab)
            </span>
          )}
        </div>
      )}
      <HeapMap
        ref={mapRef}
        frame={noMap ? null : (frame ?? null)}
        previous={comparing ? null : s.prev && s.data && s.prev.index === s.data.index - 1 ? s.prev : null}
        compare={comparing ? s.diff : null}
        showChanges={showChanges}
        showLargest={showLargest && !comparing}
        colours={colours}
        ages={byAge ? ages : null}
        lifeOf={lifeOf}
        highlight={view.highlight}
        onDrawn={(ms, f) => st.drawn(ms, f?.index ?? null)}
        onZoom={(cell, fit) => setZoom({ cell, fit })}
        empty={empty}
      />
      {comparing ? (
        // The diff map has three colours, not kinds: its own legend.
        <div className="legend" data-testid="legend">
          <span className="note" data-testid="diff-legend">
            The diff map: <span className="swatch" style={{ background: colours.allocated }} /> allocated between A and B · <span className="swatch" style={{ background: colours.freed }} /> freed ·{' '}
            <span className="swatch" style={{ background: colours.same }} /> unchanged · <span className="swatch" style={{ background: colours.free }} /> free in both.
          </span>
        </div>
      ) : byAge ? (
        <div className="legend" data-testid="legend">
          <ColouringToggle value={view.colouring} onChange={mapView.setColouring} />
          <AgeLegend colours={colours} ready={!!ages} />
        </div>
      ) : (
      <div className="legend" data-testid="legend">
        <ColouringToggle value={view.colouring} onChange={mapView.setColouring} />
        {letters.map((l) => (
          <span className="item" key={l} title={kindName(l)}>
            <span className="swatch letter" style={{ background: colours.kind(l) }}>
              {l}
            </span>
            {kindName(l)}
          </span>
        ))}
        <span className="item">
          <span className="swatch" style={{ background: colours.tail }} />
          tail
        </span>
        <span className="item">
          <span className="swatch" style={{ background: colours.free }} />
          free
        </span>
        <span className="note long">
          One letter per object: <b>S</b> is str <i>or</i> bytes, <b>A</b> bytearray <i>or</i> array, <b>h</b> anything else
          {share && share.used > 0 ? (
            <>
              {' '}
              — here <b>h</b> holds <b className={share.blocks / share.used > 0.5 ? 'warn' : ''}>{percent(share.blocks / share.used, 0)}</b> of the used heap
            </>
          ) : null}
          .
        </span>
        {/* A short window keeps the figure, not the sentence: the map gets the height (the swatches already name S, A and h). */}
        {share && share.used > 0 && (
          <span className="note short" title="One letter per object: S is str or bytes, A bytearray or array, h anything else">
            <b>h</b> holds <b className={share.blocks / share.used > 0.5 ? 'warn' : ''}>{percent(share.blocks / share.used, 0)}</b> of the used heap
          </span>
        )}
        <span className="spacer" />
        <div className="map-toggles">
        <label className="check" title="Outline what was allocated (solid) and freed (dashed) since the previous frame">
          <input type="checkbox" checked={showChanges} onChange={(e) => setShowChanges(e.target.checked)} />
          <span className="outline-sample" style={{ borderColor: colours.allocated }} /> new
          <span className="outline-sample" style={{ borderColor: colours.freed, borderStyle: 'dashed' }} /> freed
        </label>
        <label className="check" title="Outline the longest run of free blocks">
          <input type="checkbox" checked={showLargest} onChange={(e) => setShowLargest(e.target.checked)} />
          <span className="outline-sample" style={{ borderColor: colours.largestRun, borderStyle: 'dashed' }} /> longest free run
        </label>
        <label className="check" title="Colour tails with a paler shade of their object's kind (off: one neutral colour for every tail; the exported pictures always tint)">
          <input type="checkbox" checked={tintTails} onChange={(e) => onTintTails(e.target.checked)} />
          tint tails
        </label>

        </div>
      </div>
      )}
    </div>
  );
}

/** What changed since the frame before, from the index's figures (no maps needed). */
function SinceLast({ i }: { i: number }) {
  const f = store().frames;
  if (i === 0) return <span className="muted">The first frame of the session.</span>;
  const d = (c: 'used' | 'largest') => f.cols[c][i] - f.cols[c][i - 1];
  const used = d('used');
  const largest = d('largest');
  if (!Number.isFinite(used)) return <span className="muted">No figures for this frame.</span>;
  return (
    <span className="muted num">
      Since frame {i}: used {signedBytes(used)}
      {Number.isFinite(largest) ? `, longest free run ${signedBytes(largest)}` : ''}
    </span>
  );
}
