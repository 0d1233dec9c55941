/**
 * Where to record from and how: the port (friendly names; the virtual board and its demos),
 * what to run, the dump period with what each dump costs on this link, collect-before-dump,
 * and the big Record / Stop with the phases of taking control of the board.
 */
import { useMemo } from 'react';
import type { PortInfo, RecordingPhase } from '../../shared/api';
import { bytes, duration } from '../../shared/view/format';
import { store, useApp } from '../state/store';
import { Icon } from './Icon';

const PERIODS = [100, 200, 250, 500, 1000, 2000, 5000, 10000, 30000, 60000];

const PHASES: Array<[RecordingPhase, string]> = [
  ['opening', 'Open port'],
  ['takingControl', 'Take control'],
  ['identifying', 'Identify'],
  ['installingHelper', 'Install helper'],
  ['starting', 'Start program'],
  ['recording', 'Recording'],
];

/** Bytes per second the link carries, from what the port is. */
export function linkSpeed(p: PortInfo | undefined): { bps: number; name: string } {
  if (!p) return { bps: 11520, name: 'a 115200-baud UART' };
  if (p.kind === 'virtual') return { bps: 8 * 1024 * 1024, name: 'the virtual board' };
  const vid = (p.vendorId ?? '').toLowerCase();
  // USB-to-UART bridges: the board's UART speed, 115200 baud by default.
  if (['10c4', '1a86', '0403', '067b', '0d28'].includes(vid)) return { bps: 11520, name: 'a 115200-baud USB–UART bridge' };
  // Native USB CDC (RP2, Espressif S2/S3/C3 native, pyboard, Adafruit, SparkFun…).
  if (vid) return { bps: 1024 * 1024, name: 'native USB' };
  return { bps: 11520, name: 'a 115200-baud serial line' };
}

/** How dumps are made, as the connect bar says it. */
const DUMP_MODE_WORDS = { timer: 'dumps from a timer', async: 'dumps from an asyncio task', calls: "dumps at the program's mem_dump.dump() calls" } as const;

/** The same, short, for the REC status while recording (the full words are its title). */
const DUMP_MODE_SHORT = { timer: 'from a timer', async: 'from asyncio', calls: 'at dump() calls' } as const;

/** The choices of how dumps are made (auto picks on the board after identifying it). */
const DUMP_CHOICES = [
  { v: 'auto', label: 'Auto', title: "A timer where the board has one, else an asyncio task where it has asyncio, else the program's own mem_dump.dump() calls" },
  { v: 'timer', label: 'Timer', title: 'machine.Timer interrupts, every period' },
  { v: 'async', label: 'asyncio', title: "A task in the program's own asyncio event loop, every period (the program must use asyncio.run)" },
  { v: 'calls', label: 'Calls', title: 'Only where the program calls mem_dump.dump() (and mem_dump.mark())' },
] as const;

export function ConnectBar() {
  const s = useApp((x) => x.settings);
  const ports = useApp((x) => x.ports);
  const demos = useApp((x) => x.demos);
  const rec = useApp((x) => x.rec);
  const starting = useApp((x) => x.starting);
  const dialogs = useApp((x) => x.dialogs);
  const lastBytesPerDump = useApp((x) => (x.frameCount ? x.rec?.bytesPerDump ?? null : null));
  const st = store();
  const recording = st.isRecording() || starting;
  const port = ports.find((p) => p.path === s.port);
  const virtual = port?.kind === 'virtual' || s.port === 'virtual';
  // Until the port list arrives the remembered virtual board is still the virtual board.
  const link = linkSpeed(port ?? (virtual ? { path: 'virtual', name: 'Virtual board', kind: 'virtual' } : undefined));
  // Cost per dump: measured once a dump arrived, else ~76 bytes per KiB of used heap on a
  // 32-bit port, for a typical 192 KiB heap a third used.
  // Once the board is identified, one dump measured on it replaces the estimate.
  const measured = rec?.dumpCost ?? null;
  const perDump = measured?.bytes ?? rec?.bytesPerDump ?? lastBytesPerDump ?? (virtual ? 9000 : 15000);
  const costMs = measured ? measured.boardMs : (perDump / link.bps) * 1000;
  const tooSlow = measured ? measured.boardMs > s.periodMs : costMs > s.periodMs * 0.8;

  const program = virtual ? (s.run === 'script' ? '@script' : s.demo) : s.run;
  const programOptions = useMemo(() => {
    if (virtual)
      return [
        // Until the demo list arrives, the remembered demo stands for itself.
        ...(demos.length ? demos : s.run === 'main' && s.demo ? [{ id: s.demo, title: s.demo.charAt(0).toUpperCase() + s.demo.slice(1), description: '' }] : []).map((d) => ({ v: d.id, label: `Demo: ${d.title}`, title: d.description })),
        // Short enough for the box at 1280 px; the title says where the file runs from.
        { v: '@script', label: 'A .py file…', title: 'Run a .py file from this computer (type its path in File)' },
      ];
    return [
      { v: 'main', label: "The board's main.py", title: 'Soft-reset and run main.py with dumps' },
      { v: 'script', label: 'A .py file…', title: 'Run a .py file from this computer, from RAM, without copying it to the board' },
      { v: 'attach', label: 'Attach (start nothing)', title: 'Dump while whatever runs keeps running' },
    ];
  }, [virtual, demos, s.run, s.demo]);

  const onProgram = (v: string) => {
    if (virtual) st.setSettings(v === '@script' ? { run: 'script' } : { demo: v, run: 'main' });
    else st.setSettings({ run: v as 'main' | 'script' | 'attach' });
  };

  const browse = async () => {
    try {
      const r = await st.api.chooseFile({ mode: 'open', purpose: 'script', title: 'Run which file?', filters: [{ name: 'Python', extensions: ['py'] }] });
      if (r.path) st.setSettings({ scriptPath: r.path });
    } catch (e) {
      st.fail(e, 'Could not open the file dialog');
    }
  };

  const phaseIdx = rec ? PHASES.findIndex(([p]) => p === rec.phase) : -1;
  return (
    <div className={`connect${recording ? ' recording' : ''}`} data-testid="connect-bar">
      <div className="field">
        <label htmlFor="port">Board</label>
        <select id="port" data-testid="port" value={s.port} disabled={recording} onChange={(e) => st.setSettings({ port: e.target.value })} title={port ? portTitle(port) : ''}>
          {ports.length === 0 && <option value="virtual">Virtual board</option>}
          {ports.map((p) => (
            <option key={p.path} value={p.path}>
              {/* The virtual board's long name (MicroPython version, build) is in the title: its label must fit the box. */}
              {p.kind === 'virtual' ? 'Virtual board' : `${p.name}${p.serialNumber ? ` · ${p.serialNumber.slice(-6)}` : ''} (${p.path})`}
            </option>
          ))}
        </select>
      </div>
      <button className="btn icon ghost" title="Look for boards again" onClick={() => void st.refreshPorts()} disabled={recording} style={{ alignSelf: 'flex-end' }}>
        <Icon name="refresh" />
      </button>
      <div className="field">
        <label htmlFor="program">Run</label>
        <select id="program" data-testid="program" value={program} disabled={recording} onChange={(e) => onProgram(e.target.value)} title={programOptions.find((o) => o.v === program)?.title}>
          {programOptions.map((o) => (
            <option key={o.v} value={o.v} title={o.title}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      {s.run === 'script' && (
        <div className="field">
          <label htmlFor="script">File</label>
          <div style={{ display: 'flex', gap: 4 }}>
            <input id="script" type="text" placeholder="/path/to/program.py" value={s.scriptPath} disabled={recording} onChange={(e) => st.setSettings({ scriptPath: e.target.value })} className="script-path" title={s.scriptPath} />
            {dialogs && (
              <button className="btn" onClick={() => void browse()} disabled={recording}>
                Browse…
              </button>
            )}
          </div>
        </div>
      )}
      <div className="field">
        <label htmlFor="period">Dump every</label>
        <select id="period" data-testid="period" value={s.periodMs} disabled={recording} onChange={(e) => st.setSettings({ periodMs: Number(e.target.value) })}>
          {[...new Set([...PERIODS, s.periodMs])].sort((a, b) => a - b).map((p) => (
            <option key={p} value={p}>
              {p < 1000 ? `${p} ms` : `${p / 1000} s`}
            </option>
          ))}
        </select>
      </div>
      <div className="field dumps-field">
        <label htmlFor="dumps">Dumps</label>
        <select
          id="dumps"
          data-testid="dumps"
          value={s.dumps ?? 'auto'}
          disabled={recording}
          onChange={(e) => st.setSettings({ dumps: e.target.value as (typeof DUMP_CHOICES)[number]['v'] })}
          title={DUMP_CHOICES.find((o) => o.v === (s.dumps ?? 'auto'))?.title}
        >
          {DUMP_CHOICES.map((o) => (
            <option key={o.v} value={o.v} title={o.title}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field-col">
        {/* Its parts give way whole, last first, when the bar is narrow (the title says it all). */}
        <span
          className={`hint parts${tooSlow ? ' warn' : ''}`}
          title={[
            rec?.dumpWarning ?? (measured ? `One dump measured on this board: ${bytes(perDump)}, ${measured.boardMs} ms to print on this link.` : `Each dump is about ${bytes(perDump)}; ${link.name} carries about ${bytes(link.bps)}/s.`),
            rec?.dumps ? `The last recording ${DUMP_MODE_WORDS[rec.dumps].replace(/^dumps/, 'dumped')}.` : '',
            rec?.limits ?? '',
          ]
            .filter(Boolean)
            .join('\n')}
          style={tooSlow ? { color: 'var(--warn)' } : undefined}
          data-testid="dump-cost"
        >
          <span>
            {measured ? '' : '≈ '}
            {bytes(perDump)}/dump · {costMs < 1 ? '< 1 ms' : costMs < 1000 ? `${Math.round(costMs)} ms` : `${(costMs / 1000).toFixed(1)} s`} {measured ? 'measured' : 'on the link'}
          </span>
          {tooSlow ? <span> ⚠ longer than the period</span> : null}
          {rec?.limits ? (
            <span data-testid="dump-limits" title={rec.limits}>
              {' '}
              · heap totals only, no map
            </span>
          ) : null}
          {rec?.dumps && !recording ? <span data-testid="dump-mode"> · {DUMP_MODE_WORDS[rec.dumps]}</span> : null}
        </span>
        <label className="check small" title="Run gc.collect() before each dump: the map then shows live data only, not garbage waiting to be collected">
          <input type="checkbox" data-testid="collect" checked={s.collect} disabled={recording} onChange={(e) => st.setSettings({ collect: e.target.checked })} />
          <span className="mono">gc.collect()</span> first
        </label>
      </div>
      {recording ? (
        <button className="btn record stop" data-testid="stop" onClick={() => void st.stop()} disabled={rec?.phase === 'stopping'} title="Stop recording (the session is already on disk)">
          <span className="dot" />
          {rec?.phase === 'stopping' ? 'Stopping…' : 'Stop'}
        </button>
      ) : (
        <button className="btn record" data-testid="record" onClick={() => void st.record()} title="Take control of the board and record its heap">
          <span className="dot" />
          Record
        </button>
      )}
      {recording && rec?.phase === 'recording' && (
        <div className="rec-status" data-testid="rec-status">
          <span className="rec-live">REC</span>
          <span className="num">{duration((Date.now() - rec.startedAt) / 1000)}</span>
          <span className="muted num nowrap">
            {rec.snapshots === 1 ? '1 dump' : `${rec.snapshots} dumps`} · {bytes(rec.bytes)}
          </span>
          {/* The cost hint is hidden while recording: how dumps are made is said here instead. */}
          {rec.dumps ? (
            <span className="muted nowrap" data-testid="dump-mode" title={DUMP_MODE_WORDS[rec.dumps]}>
              · {DUMP_MODE_SHORT[rec.dumps]}
            </span>
          ) : null}
        </div>
      )}
    </div>
  );
}

function portTitle(p: PortInfo): string {
  return [p.name, p.path, p.manufacturer, p.serialNumber && `serial ${p.serialNumber}`, p.vendorId && `USB ${p.vendorId}:${p.productId ?? ''}`].filter(Boolean).join(' · ');
}

/** Under the top bar while the board is being taken over: each phase, what is happening, progress. */
export function RecordingPhases() {
  const rec = useApp((x) => x.rec);
  const starting = useApp((x) => x.starting);
  if (!rec && !starting) return null;
  if (rec && (rec.phase === 'recording' || rec.phase === 'stopped' || rec.phase === 'failed')) return null;
  const phaseIdx = rec ? PHASES.findIndex(([p]) => p === rec.phase) : 0;
  const stopping = rec?.phase === 'stopping';
  return (
    <div className="phase-strip" data-testid="rec-phases">
      <div className="phases" style={stopping ? { display: 'none' } : undefined}>
        {PHASES.slice(0, 5).map(([p, label], i) => (
          <span key={p} className={`phase${i < phaseIdx ? ' done' : i === phaseIdx ? ' now' : ''}`}>
            {i < phaseIdx ? '✓ ' : ''}
            {label}
          </span>
        ))}
      </div>
      <span className="muted">{rec?.phase === 'stopping' ? 'Stopping: closing the session on disk…' : rec?.message || 'Starting…'}</span>
      {rec?.progress ? (
        <div className="progress" style={{ width: 160 }}>
          <i style={{ width: `${(100 * rec.progress.done) / Math.max(1, rec.progress.total)}%` }} />
        </div>
      ) : (
        <div className="progress indet" style={{ width: 160 }}>
          <i />
        </div>
      )}
    </div>
  );
}
