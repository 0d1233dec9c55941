/** The window: connect bar, map + side pane, transport, timeline, status bar; keys; drop to import. */
import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ConnectBar, RecordingPhases } from './components/ConnectBar';
import { ExportDialog, OpenDialog, SaveDialog } from './components/Dialogs';
import { LeakBanner } from './components/LeakBanner';
import { KeysHelp } from './components/KeysHelp';
import { MapPane } from './components/MapPane';
import { SidePane } from './components/SidePane';
import { Transport } from './components/Transport';
import type { LogPaneHandle } from './log/LogPane';
import type { HeapMapHandle } from './map/HeapMap';
import { themeColours, type Theme } from './map/colors';
import { store, useApp } from './state/store';
import { registerMap } from './probe';
import { useMenuCommands } from './menuCommands';
import { Timeline, type Marker, type MarkerKind, type TimelineData } from './timeline/Timeline';
import { bytes, duration } from '../shared/view/format';
import { PRELOAD_GLOBAL, PRELOAD_PATH_FOR_FILE } from '../shared/api';

function useTheme(): Theme {
  const q = useMemo(() => matchMedia('(prefers-color-scheme: dark)'), []);
  const [dark, setDark] = useState(q.matches);
  useEffect(() => {
    const f = () => setDark(q.matches);
    q.addEventListener('change', f);
    return () => q.removeEventListener('change', f);
  }, [q]);
  return dark ? 'dark' : 'light';
}

const MARKER_KINDS = new Set<MarkerKind>(['memoryError', 'softReboot', 'traceback', 'gap', 'mark', 'frameLost', 'keyboardInterrupt']);

export function App() {
  const st = store();
  const theme = useTheme();
  const [tintTails, setTintTails] = useState(() => localStorage.getItem('heapscope.tintTails') !== '0');
  const colours = themeColours(theme, tintTails);
  const mapRef = useRef<HeapMapHandle>(null);
  const logRef = useRef<LogPaneHandle>(null);
  registerMap(mapRef);
  useMenuCommands(st, mapRef, logRef);
  const dialog = useApp((s) => s.dialog);
  const [dropping, setDropping] = useState(false);
  const [side, setSide] = useState(() => Number(localStorage.getItem('heapscope.side')) || 420);

  const onTintTails = (v: boolean) => {
    localStorage.setItem('heapscope.tintTails', v ? '1' : '0');
    setTintTails(v);
  };

  // ── keys (UX.md) ──
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
      const ctrl = e.ctrlKey || e.metaKey;
      const s = st.state;
      if (ctrl) {
        const k = e.key.toLowerCase();
        if (k === 'f') {
          e.preventDefault();
          st.set({ sideTab: 'log' });
          setTimeout(() => logRef.current?.focusSearch(), 0);
        } else if (k === 'o') {
          e.preventDefault();
          void st.open();
        } else if (k === 's') {
          e.preventDefault();
          void st.saveAs();
        } else if (k === 'e') {
          e.preventDefault();
          st.set({ dialog: 'export' });
        }
        return;
      }
      if (typing || e.altKey) return;
      // A focused button would also "click" on Space/Enter: the key belongs to the window.
      if (t && t.tagName === 'BUTTON' && (e.key === ' ' || e.key === 'Enter')) {
        if (e.key === 'Enter') return;
        t.blur();
      }
      if (s.dialog) {
        if (e.key === 'Escape') st.set({ dialog: null });
        return;
      }
      const key = e.key;
      let handled = true;
      switch (key) {
        case ' ':
          st.togglePlay();
          break;
        case 'ArrowRight':
          st.step(e.shiftKey ? 10 : 1);
          break;
        case 'ArrowLeft':
          st.step(e.shiftKey ? -10 : -1);
          break;
        case 'Home':
          st.home();
          break;
        case 'End':
          st.end();
          break;
        case '.':
        case '>':
          st.stepEvent(1);
          break;
        case ',':
        case '<':
          st.stepEvent(-1);
          break;
        case '[':
          st.pin('A');
          break;
        case ']':
          st.pin('B');
          break;
        case 'w':
        case 'W':
          mapRef.current?.zoom(1);
          break;
        case 's':
        case 'S':
          mapRef.current?.zoom(-1);
          break;
        case 'a':
        case 'A':
          mapRef.current?.pan(-1);
          break;
        case 'd':
        case 'D':
          mapRef.current?.pan(1);
          break;
        case 'f':
        case 'F':
          mapRef.current?.fit();
          break;
        case 'c':
        case 'C':
          st.toggleCompare();
          break;
        case 'm':
        case 'M':
          void st.mark(`mark at ${new Date().toLocaleTimeString()}`);
          break;
        case '?':
          st.set({ dialog: 'keys' });
          break;
        case 'Escape':
          if (s.compare) st.set({ compare: false });
          else if (s.range) st.set({ range: null });
          else handled = false;
          break;
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    };
    // After picking from a list in the bars, give the keys back to the window.
    const onChange = (e: Event) => {
      const t = e.target as HTMLElement;
      if (t.tagName === 'SELECT' && t.closest('.transport, .connect')) t.blur();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('change', onChange);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('change', onChange);
    };
  }, [st]);

  // ── drop a capture or session anywhere ──
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setDropping(true);
    };
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDropping(false);
    };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      depth = 0;
      setDropping(false);
      const file = e.dataTransfer?.files?.[0];
      if (!file) return;
      // Electron: the preload's webUtils.getPathForFile says where the file is on disk.
      const g = window as unknown as Record<string, Record<string, ((f: File) => string) | undefined> | undefined>;
      const inElectron = typeof g[PRELOAD_GLOBAL]?.[PRELOAD_PATH_FOR_FILE] === 'function';
      const path = inElectron ? g[PRELOAD_GLOBAL]![PRELOAD_PATH_FOR_FILE]!(file) : '';
      if (path) void st.openPath(path);
      // A browser hands over the bytes, not the place: send them to HeapScope.
      else if (!inElectron) void st.openFile(file);
      else
        st.set({
          banner: {
            code: 'UNSUPPORTED',
            title: `Cannot open “${file.name}”`,
            message: 'What was dropped is not a file on this computer’s disk.',
            fix: 'Save it to a file first, then drop or open that file.',
          },
        });
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [st]);

  // ── splitter ──
  const onSplit = useCallback(
    (e: React.PointerEvent) => {
      const startX = e.clientX;
      const start = side;
      const move = (m: PointerEvent) => setSide(Math.max(260, Math.min(window.innerWidth - 420, start - (m.clientX - startX))));
      const up = () => {
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', up);
        setSide((v) => {
          localStorage.setItem('heapscope.side', String(v));
          return v;
        });
      };
      window.addEventListener('pointermove', move);
      window.addEventListener('pointerup', up);
    },
    [side],
  );

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden>
            {['#56b4e9', '#d55e00', '#b8b8b8', '#009e73', '#b8b8b8', '#e69f00', '#b8b8b8', '#0072b2', '#f2f2f2'].map((c, i) => (
              <i key={i} style={{ background: c }} />
            ))}
          </span>
          <span className="brand-name">HeapScope</span>
        </div>
        <span className="sep" />
        <ConnectBar />
        <span className="spacer" />
        <SessionButtons />
      </header>
      <div style={{ display: 'flex', flexDirection: 'column', minHeight: 0 }}>
        <RecordingPhases />
        <Banner />
        <LeakBanner />
        <div className="main" style={{ ['--side' as string]: `${side}px`, flex: 1 }}>
          <MapPane colours={colours} mapRef={mapRef} tintTails={tintTails} onTintTails={onTintTails} />
          <div className="splitter" onPointerDown={onSplit} role="separator" aria-orientation="vertical" />
          <SidePane colours={colours} logRef={logRef} />
        </div>
      </div>
      <Transport />
      <TimelineBox colours={colours} />
      <StatusBar />
      {dialog === 'keys' && <KeysHelp onClose={() => st.set({ dialog: null })} />}
      {dialog === 'open' && <OpenDialog />}
      {dialog === 'save' && <SaveDialog />}
      {dialog === 'export' && <ExportDialog />}
      <Toasts />
      {dropping && <div className="drop">Drop a session or a capture to open it</div>}
    </div>
  );
}

function SessionButtons() {
  const st = store();
  const hasSession = useApp((s) => !!s.meta);
  const jobs = useApp((s) => s.jobs.filter((j) => !j.finished).length);
  return (
    <div style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
      <button className="btn" onClick={() => void st.open()} title="Open a session or a capture (Ctrl+O)" data-testid="open">
        Open…
      </button>
      <button className="btn" onClick={() => void st.saveAs()} disabled={!hasSession} title="Save the session as (Ctrl+S)" data-testid="save">
        Save as…
      </button>
      <button className="btn primary" onClick={() => st.set({ dialog: 'export' })} disabled={!hasSession} title="Export CSV, JSON, PNG, GIF or the raw capture (Ctrl+E)" data-testid="export">
        Export…{jobs ? ` (${jobs})` : ''}
      </button>
      <button className="btn icon ghost" onClick={() => st.set({ dialog: 'keys' })} title="Keys (?)" data-testid="keys">
        ?
      </button>
    </div>
  );
}

function TimelineBox({ colours }: { colours: ReturnType<typeof themeColours> }) {
  const st = store();
  const s = useApp((x) => ({ v: x.framesVersion, events: x.events, breakups: x.breakups, frame: x.frame, pinA: x.pinA, pinB: x.pinB, range: x.range, n: x.frameCount }));
  // Rebuilt at most a few times a second while recording.
  const [tick, setTick] = useState(0);
  const last = useRef(0);
  const shownFrames = useRef(st.frames);
  useEffect(() => {
    if (st.frames !== shownFrames.current) {
      // Another session (or the same one read again): its timeline at once, not behind a
      // throttle and a transition that other work may push back (opening a day-long soak).
      shownFrames.current = st.frames;
      last.current = performance.now();
      setTick((t) => t + 1);
      return;
    }
    const now = performance.now();
    // While recording, the store already renders at most a few times a second, just after a
    // dump's paint: the chart follows in that same quiet, not on a clock of its own.
    const wait = st.state.meta?.live ? 0 : Math.max(0, 250 - (now - last.current));
    const id = setTimeout(() => {
      last.current = performance.now();
      // A transition: React may interrupt redrawing the chart to put a new dump's map on screen.
      startTransition(() => setTick((t) => t + 1));
    }, wait);
    return () => clearTimeout(id);
  }, [s.v, s.events, s.breakups]);
  const data = useMemo<TimelineData | null>(() => {
    const f = st.frames;
    if (!f.length) return null;
    const markers: Marker[] = [];
    for (const e of s.events) {
      if (!MARKER_KINDS.has(e.kind as MarkerKind)) continue;
      const t = f.eventTime(e);
      markers.push({ t, kind: e.kind as MarkerKind, label: e.text });
    }
    for (const b of s.breakups) {
      markers.push({ t: f.t[b.frame], kind: 'breakup', label: `Heap broke apart at frame ${b.frame + 1}: ${bytes(b.freeBytes)} free, longest free run ${bytes(b.largestBytes)}` });
    }
    // Copies while recording: the index grows under us and may retime the frames it has. A
    // session opened from a file never changes (another one is another index): its columns as
    // they are, views, not 10 MB of copies on the way to a day's first pixels.
    const own = st.state.meta?.live ? (a: Float64Array) => a.slice() : (a: Float64Array) => a;
    return {
      t: own(f.times()),
      used: own(f.col('used')),
      free: own(f.col('free')),
      largest: own(f.col('largest')),
      kinds: f.kindColumns().map((k) => ({ letter: k.letter, values: own(k.values) })),
      logLine: own(f.col('logLine')),
      markers,
      timeBase: f.timeBase,
      statsOnly: f.light ? !f.col('largest').some(Number.isFinite) : !f.cols.blocks.subarray(0, f.length).some((b) => b > 0),
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tick, st]);
  return (
    <Timeline
      data={data}
      frame={s.frame}
      pinA={s.pinA}
      pinB={s.pinB}
      range={s.range}
      colours={colours}
      onSeek={(i) => {
        st.pause();
        void st.seek(i);
      }}
      onRange={(r) => st.set({ range: r })}
    />
  );
}

function Banner() {
  const st = store();
  const b = useApp((s) => s.banner);
  const conn = useApp((s) => s.conn);
  if (conn === 'closed' && !b)
    return (
      <div className="banner error" role="alert">
        <div>
          <div className="what">The connection to HeapScope was lost.</div>
          <div className="fix">Check that HeapScope (or `heapscope serve`) is still running, then reload this page.</div>
        </div>
      </div>
    );
  if (!b) return null;
  return (
    <div className={`banner ${b.level ?? 'error'}`} role="alert" data-testid="banner">
      <div style={{ flex: 1 }}>
        <div className="what">
          {b.title ? `${b.title}: ` : ''}
          {b.message}
        </div>
        {b.fix && <div className="fix">{b.fix}</div>}
      </div>
      <button className="btn ghost icon" onClick={() => st.set({ banner: null })} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}

function Toasts() {
  const toasts = useApp((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} data-testid="toast">
          <div>
            {t.text}
            {t.fix && <div className="muted">{t.fix}</div>}
          </div>
        </div>
      ))}
    </div>
  );
}

function StatusBar() {
  const s = useApp((x) => ({ meta: x.meta, conn: x.conn, bridge: x.bridge, drawMs: x.drawMs, lat: x.liveLatencyMs, n: x.frameCount, logs: x.logCount, rec: x.rec, busy: x.busy }));
  const m = s.meta;
  return (
    <div className="statusbar" data-testid="statusbar">
      <span className="grow" title={m?.path}>
        {s.busy ? (
          <span data-testid="busy">
            {s.busy.what}…{s.busy.total ? ` ${Math.floor((100 * s.busy.done) / s.busy.total)} %` : ''}
          </span>
        ) : m ? (
          <>
            <b style={{ color: 'var(--text)' }}>{m.name}</b> · {m.source === 'import' ? `imported from ${m.origin ?? 'a capture'}` : `recorded${m.origin ? ` from ${m.origin}` : ''}`}
            {m.board?.version ? ` · ${m.board.version}` : ''}
            {m.board?.machine ? ` · ${m.board.machine}` : ''} · {s.n} frames · {s.logs} log lines · {bytes(m.live && s.rec ? Math.max(s.rec.bytes, m.rawBytes) : m.rawBytes)} raw
            {m.live ? ' · recording' : ''}
          </>
        ) : (
          'No session open'
        )}
      </span>
      {s.lat !== null && m?.live && <span title="From a dump's last byte to its pixels">live {Math.round(s.lat)} ms behind</span>}
      <span title="Time to draw the heap map">map {s.drawMs.toFixed(1)} ms</span>
      <span>{s.conn === 'open' ? (s.bridge === 'ws' ? 'browser · connected' : 'desktop') : s.conn === 'connecting' ? 'connecting…' : 'disconnected'}</span>
      {s.rec?.phase === 'recording' && <span>{duration((Date.now() - s.rec.startedAt) / 1000)} recorded</span>}
    </div>
  );
}
