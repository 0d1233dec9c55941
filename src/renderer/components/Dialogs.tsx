/** Open (with recent sessions), Save as, and Export (with progress and cancel). */
import { useEffect, useMemo, useState } from 'react';
import type { ExportFormat, RecentSession } from '../../shared/api';
import { bytes, clock } from '../../shared/view/format';
import { breakupRange } from '../../shared/view/breakup';
import { memoryErrorBadge, summaryFacts } from '../../shared/view/sessionSummary';
import { eventFrame } from '../../shared/view/frameIndex';
import { store, useApp } from '../state/store';
import { downloadHref } from '../upload';

function Dialog({ title, onClose, children, footer, testid }: { title: string; onClose: () => void; children: React.ReactNode; footer?: React.ReactNode; testid?: string }) {
  useEffect(() => {
    const k = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', k);
    return () => window.removeEventListener('keydown', k);
  }, [onClose]);
  return (
    <div className="scrim" onMouseDown={onClose}>
      <div className="dialog" role="dialog" aria-label={title} onMouseDown={(e) => e.stopPropagation()} data-testid={testid}>
        <header>
          {title}
          <span className="spacer" />
          <button className="btn ghost icon" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="body">{children}</div>
        {footer && <footer>{footer}</footer>}
      </div>
    </div>
  );
}

export function OpenDialog() {
  const st = store();
  const recent = useApp((s) => s.recent);
  const [path, setPath] = useState('');
  const close = () => st.set({ dialog: null });
  return (
    <Dialog
      title="Open a session or a capture"
      onClose={close}
      testid="open-dialog"
      footer={
        <>
          <button className="btn" onClick={close}>
            Cancel
          </button>
          <button className="btn primary" onClick={() => void st.openPath(path)} disabled={!path.trim()} data-testid="open-go">
            Open
          </button>
        </>
      }
    >
      <div className="field">
        <label htmlFor="open-path">File on this computer</label>
        <input
          id="open-path"
          type="text"
          autoFocus
          placeholder="/home/me/heapscope/session.hss, or any log with mem_info(1) dumps"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          onKeyDown={(e) => {
            e.stopPropagation();
            if (e.key === 'Enter' && path.trim()) void st.openPath(path);
          }}
          data-testid="open-path"
        />
        <span className="hint">A HeapScope session opens as it was saved; any other text file is read as a capture (mpremote, screen, Thonny, pi-mst…).</span>
      </div>
      <div className="field">
        <label htmlFor="open-pick">Or send a file from this browser’s computer</label>
        <input
          id="open-pick"
          type="file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void st.openFile(f);
          }}
          data-testid="open-pick"
        />
        <span className="hint">HeapScope keeps a copy in its uploads folder and opens that. Dropping a file on the window does the same.</span>
      </div>
      {recent.length > 0 && (
        <div className="field">
          <span className="field-label">Recent</span>
          <div className="menu recent-list" style={{ position: 'static', boxShadow: 'none', margin: 0 }} data-testid="recent-list">
            {recent.map((r) => (
              <RecentRow key={r.path} r={r} onOpen={() => void st.openPath(r.path)} />
            ))}
          </div>
        </div>
      )}
    </Dialog>
  );
}

/** A recent session as its summary reads: what ran on which board, how long, how many frames, and how it ended. */
function RecentRow({ r, onOpen }: { r: RecentSession; onOpen: () => void }) {
  const sum = r.summary;
  const badge = sum ? memoryErrorBadge(sum) : null;
  const facts = sum ? [sum.board, ...summaryFacts(sum)].filter(Boolean).join(' · ') : '';
  return (
    <button onClick={onOpen} disabled={!r.exists} title={r.exists ? r.path : `${r.path} (no longer on disk)`} data-testid="recent-row">
      <span className="recent-main">
        <span className="recent-title">
          <b>{sum?.program ?? r.name}</b>
          {badge && (
            <span className="chip err" data-testid="recent-oom">
              {badge}
            </span>
          )}
        </span>
        {facts && (
          <span className="recent-facts" data-testid="recent-facts">
            {facts}
          </span>
        )}
        <span className="faint mono recent-path">{sum?.program ? r.name : r.path}</span>
      </span>
      <span className="faint recent-when">{r.exists ? new Date(r.openedAt).toLocaleDateString() : 'missing'}</span>
    </button>
  );
}

export function SaveDialog() {
  const st = store();
  const meta = useApp((s) => s.meta);
  const [path, setPath] = useState(meta?.path.replace(/(\.[^./\\]+)?$/, '-copy$1') ?? '');
  const close = () => st.set({ dialog: null });
  return (
    <Dialog
      title="Save the session as"
      onClose={close}
      testid="save-dialog"
      footer={
        <>
          <button className="btn" onClick={close}>
            Cancel
          </button>
          <button className="btn primary" onClick={() => void st.saveAs(path)} disabled={!path.trim()} data-testid="save-go">
            Save
          </button>
        </>
      }
    >
      <div className="field">
        <label htmlFor="save-path">Save to</label>
        <input id="save-path" type="text" autoFocus value={path} onChange={(e) => setPath(e.target.value)} onKeyDown={(e) => e.stopPropagation()} data-testid="save-path" />
        <span className="hint">The session is already on disk at {meta?.path}; this writes a copy you can keep.</span>
      </div>
    </Dialog>
  );
}

const FORMATS: Array<{ f: ExportFormat; title: string; what: string }> = [
  { f: 'gif', title: 'Animated GIF', what: 'The heap map over a range of frames' },
  { f: 'png', title: 'PNG image', what: 'The heap map of the current frame' },
  { f: 'csv', title: 'CSV metrics', what: 'One row per frame: used, free, longest run…' },
  { f: 'json', title: 'JSON metrics', what: 'Frames, figures and events, for scripts' },
  { f: 'raw', title: 'Raw capture', what: 'The bytes the board sent, as text' },
  { f: 'perfetto', title: 'Perfetto trace', what: 'Counters and events for ui.perfetto.dev' },
];

export function ExportDialog() {
  const st = store();
  const s = useApp((x) => ({ frame: x.frame, n: x.frameCount, range: x.range, pinA: x.pinA, pinB: x.pinB, jobs: x.jobs, dialogs: x.dialogs, meta: x.meta, events: x.events, breakups: x.breakups }));
  const prefersDark = typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches;
  const [format, setFormat] = useState<ExportFormat>('gif');
  const pinned = s.pinA !== null && s.pinB !== null ? ([Math.min(s.pinA, s.pinB), Math.max(s.pinA, s.pinB)] as [number, number]) : null;
  // From the heap breaking apart to the last heap before the MemoryError it led to.
  const toFailure = useMemo(() => {
    for (const e of s.events) {
      if (e.kind !== 'memoryError') continue;
      const r = breakupRange(s.breakups, eventFrame(e, s.n));
      if (r) return r;
    }
    return null;
  }, [s.events, s.breakups, s.n]);
  // Until the user picks, the frames follow the format: a GIF is best of the break-up.
  const [chosen, setWhich] = useState<'all' | 'selection' | 'pins' | 'around' | 'breakup' | null>(null);
  const which = chosen ?? (s.range ? 'selection' : pinned ? 'pins' : format === 'gif' && toFailure ? 'breakup' : 'all');
  const [fps, setFps] = useState(10);
  const [scale, setScale] = useState(2);
  const [pngScale, setPngScale] = useState(4);
  const [theme, setTheme] = useState<'light' | 'dark'>(prefersDark ? 'dark' : 'light');
  const [path, setPath] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const job = s.jobs.find((j) => j.jobId === jobId) ?? (jobId ? null : s.jobs.find((j) => !j.finished) ?? null);
  const running = !!job && !job.finished;
  const close = () => st.set({ dialog: null });
  const range = useMemo((): [number, number] => {
    const last = Math.max(0, s.n - 1);
    if (which === 'selection' && s.range) return s.range;
    if (which === 'pins' && pinned) return pinned;
    if (which === 'breakup' && toFailure) return toFailure;
    if (which === 'around') return [Math.max(0, s.frame - 50), Math.min(last, s.frame + 10)];
    return [0, last];
  }, [which, s.range, pinned, toFailure, s.frame, s.n]);
  const frames = range[1] - range[0] + 1;
  const usesRange = format !== 'png';
  const image = format === 'png' || format === 'gif';

  const go = async () => {
    let dest = path.trim() || undefined;
    if (!dest && s.dialogs) {
      try {
        const r = await st.api.chooseFile({ mode: 'save', purpose: 'export', title: 'Export to', defaultPath: `${s.meta?.name.replace(/\.[^.]+$/, '') ?? 'heap'}.${format === 'raw' ? 'txt' : format === 'perfetto' ? 'trace.json' : format}` });
        if (!r.path) return;
        dest = r.path;
      } catch {
        /* fall back to the default beside the session */
      }
    }
    const pending = st.exportAs({
      format,
      ...(usesRange ? { range: { from: range[0], to: range[1] } } : { snapshot: s.frame }),
      ...(dest ? { path: dest } : {}),
      ...(image ? { theme, scale: format === 'png' ? pngScale : scale } : {}),
      ...(format === 'gif' ? { fps } : {}),
    });
    // The job appears in the store synchronously: follow it.
    const j = store().state.jobs[store().state.jobs.length - 1];
    if (j) setJobId(j.jobId);
    await pending;
  };

  return (
    <Dialog
      title="Export"
      onClose={close}
      testid="export-dialog"
      footer={
        running ? (
          <button className="btn" onClick={() => job && void st.cancelJob(job.jobId)} data-testid="export-cancel">
            Cancel export
          </button>
        ) : (
          <>
            <button className="btn" onClick={close}>
              {job?.finished ? 'Close' : 'Cancel'}
            </button>
            <button className="btn primary" onClick={() => void go()} disabled={!s.meta || s.n === 0} data-testid="export-go">
              Export {FORMATS.find((x) => x.f === format)!.title}
            </button>
          </>
        )
      }
    >
      <div className="choice">
        {FORMATS.map((x) => (
          <button key={x.f} className={format === x.f ? 'on' : ''} onClick={() => setFormat(x.f)} disabled={running} data-testid={`export-${x.f}`}>
            <b>{x.title}</b>
            <span>{x.what}</span>
          </button>
        ))}
      </div>
      {usesRange ? (
        <div className="field">
          <span className="field-label">Frames</span>
          <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap' }}>
            <label className="check">
              <input type="radio" checked={which === 'all'} onChange={() => setWhich('all')} /> All ({s.n})
            </label>
            <label className="check" title={s.range ? '' : 'Shift+drag on the timeline to select a range'} style={s.range ? undefined : { opacity: 0.5 }}>
              <input type="radio" disabled={!s.range} checked={which === 'selection'} onChange={() => setWhich('selection')} /> Timeline selection{s.range ? ` (${s.range[0] + 1}–${s.range[1] + 1})` : ''}
            </label>
            <label className="check" style={pinned ? undefined : { opacity: 0.5 }} title={pinned ? '' : 'Pin A and B with [ and ]'}>
              <input type="radio" disabled={!pinned} checked={which === 'pins'} onChange={() => setWhich('pins')} /> A to B{pinned ? ` (${pinned[0] + 1}–${pinned[1] + 1})` : ''}
            </label>
            {toFailure && (
              <label className="check" title="From ten frames before the heap broke apart (the allocations that set it up) to the last heap before the MemoryError">
                <input type="radio" checked={which === 'breakup'} onChange={() => setWhich('breakup')} data-testid="range-breakup" /> Heap breaking apart → MemoryError ({toFailure[0] + 1}–{toFailure[1] + 1})
              </label>
            )}
            <label className="check">
              <input type="radio" checked={which === 'around'} onChange={() => setWhich('around')} /> The 50 frames up to this one
            </label>
          </div>
          <span className="hint">
            Frames {range[0] + 1}–{range[1] + 1}: {frames} frame{frames === 1 ? '' : 's'}
            {format === 'gif' ? `, ${(frames / fps).toFixed(1)} s at ${fps} fps` : ''}.
          </span>
        </div>
      ) : (
        <span className="hint">Frame {s.frame + 1} (the one on screen).</span>
      )}
      {image && (
        <div style={{ display: 'flex', gap: 14, flexWrap: 'wrap' }}>
          <div className="field">
            <label>Pixels per block</label>
            <select value={format === 'png' ? pngScale : scale} onChange={(e) => (format === 'png' ? setPngScale : setScale)(Number(e.target.value))}>
              {[1, 2, 3, 4, 6, 8, 12, 16].map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </div>
          {format === 'gif' && (
            <div className="field">
              <label>Frames per second</label>
              <select value={fps} onChange={(e) => setFps(Number(e.target.value))}>
                {[2, 5, 10, 15, 20, 30].map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div className="field">
            <label>Colours</label>
            <select value={theme} onChange={(e) => setTheme(e.target.value as 'light' | 'dark')}>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </div>
        </div>
      )}
      <div className="field">
        <label htmlFor="export-path">Save to</label>
        <input
          id="export-path"
          type="text"
          placeholder={s.dialogs ? 'Choose when exporting (or type a path)' : 'Beside the session, with a derived name (or type a path)'}
          value={path}
          onChange={(e) => setPath(e.target.value)}
          onKeyDown={(e) => e.stopPropagation()}
          data-testid="export-path"
        />
      </div>
      {job && (
        <div className="field" data-testid="export-progress">
          <span className="field-label">
            {job.finished ? (job.error ? (job.error.code === 'CANCELLED' ? 'Cancelled' : 'Failed') : 'Done') : `Exporting: ${job.phase}`}
          </span>
          {!job.finished && (
            <div className={`progress${job.total <= 1 ? ' indet' : ''}`}>
              <i style={{ width: `${(100 * job.done) / Math.max(1, job.total)}%` }} />
            </div>
          )}
          {job.finished && !job.error && job.path && (
            <span data-testid="export-result">
              Wrote <span className="mono">{job.path}</span> ({bytes(job.bytes ?? 0)}) at {clock(Date.now())}.
              {st.state.bridge === 'ws' && (
                <>
                  {' '}
                  <a href={downloadHref(job.path)} download={job.path.split(/[\\/]/).pop()} data-testid="export-download">
                    Download again
                  </a>
                </>
              )}
            </span>
          )}
          {job.error && job.error.code !== 'CANCELLED' && (
            <span style={{ color: 'var(--danger)' }}>
              {job.error.message} {job.error.fix}
            </span>
          )}
        </div>
      )}
    </Dialog>
  );
}
