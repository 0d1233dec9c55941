/**
 * The service wired to the real back ends: serial ports and the virtual board, the recorder,
 * demo programs from device/demos, and the session store.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoInfo, PortInfo } from '../../shared/api';
import type { DemoLister, PortLister, Recorder, RecorderHandle, SessionStore } from './backends';
import { apiError } from './errors';
import { RawCaptureStore } from './rawStore';
import { looksLikeSession, SessionFileStore } from './sessionStore';
import { HeapScopeService, type ServiceOptions } from './service';

/** The folder with package.json (and device/, out/): HEAPSCOPE_ROOT, else found upwards. */
export function findProjectRoot(from?: string): string {
  if (process.env.HEAPSCOPE_ROOT) return process.env.HEAPSCOPE_ROOT;
  const starts: string[] = [];
  if (from) starts.push(from);
  try {
    starts.push(dirname(fileURLToPath(import.meta.url)));
  } catch {
    /* bundled without import.meta.url */
  }
  starts.push(process.cwd());
  for (const s of starts) {
    let dir = resolve(s);
    for (;;) {
      const pj = join(dir, 'package.json');
      if (existsSync(pj)) {
        try {
          if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'heapscope') return dir;
        } catch {
          /* keep looking */
        }
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return process.cwd();
}

/** Demo programs: device/demos/*.py, titled and described by their leading comment. */
export function fileDemoLister(dir: string): DemoLister {
  return {
    async list(): Promise<DemoInfo[]> {
      let names: string[];
      try {
        names = (await readdir(dir)).filter((n) => n.endsWith('.py')).sort();
      } catch {
        return [];
      }
      const out: DemoInfo[] = [];
      for (const n of names) {
        const id = n.slice(0, -3);
        const text = await readFile(join(dir, n), 'utf8').catch(() => '');
        out.push({ id, ...describeDemo(id, text) });
      }
      return out;
    },
  };
}

/** "# leak.py - HeapScope demo: a history list…" → title and description. */
export function describeDemo(id: string, source: string): { title: string; description: string } {
  const comment: string[] = [];
  for (const line of source.split(/\r?\n/)) {
    if (!line.startsWith('#')) break;
    const t = line.replace(/^#\s?/, '');
    if (t.trim() === '') break;
    comment.push(t.trim());
  }
  let text = comment.join(' ');
  text = text.replace(new RegExp(`^${id}\\.py\\s*[-–:]\\s*`), '').replace(/^HeapScope demo:\s*/i, '');
  // The first sentence (or two, if the first is only a word or two) is the description.
  const sentences = text.match(/[^.!?]+[.!?]+(\s|$)/g) ?? [text];
  let d = '';
  for (const sn of sentences) {
    d += sn;
    if (d.trim().length >= 40) break;
  }
  text = d.trim();
  text = text.charAt(0).toUpperCase() + text.slice(1);
  const title = id.charAt(0).toUpperCase() + id.slice(1);
  return { title, description: text || `The ${id} demo.` };
}

/**
 * Serial ports through the serialport driver. If the driver (its native binding) fails to load,
 * the list still offers the virtual board, saying on it that serial ports are missing and why.
 */
export function serialPortLister(load: () => Promise<typeof import('../board/serial/ports')> = () => import('../board/serial/ports')): PortLister {
  return {
    async list(): Promise<PortInfo[]> {
      let ports: typeof import('../board/serial/ports');
      try {
        ports = await load();
      } catch (err) {
        const reason = String((err as Error)?.message ?? err).split('\n')[0].slice(0, 300);
        return [
          {
            path: 'virtual',
            name: 'Virtual board (MicroPython in WebAssembly, no hardware)',
            kind: 'virtual',
            problem: `Serial ports cannot be listed: the serial port driver failed to load (${reason}).`,
          },
        ];
      }
      const entries = await ports.listPorts();
      return entries.map((e) => {
        const p: PortInfo = { path: e.path, name: e.friendlyName, kind: e.kind === 'virtual' ? 'virtual' : 'serial', known: e.known };
        if (e.manufacturer) p.manufacturer = e.manufacturer;
        if (e.serialNumber) p.serialNumber = e.serialNumber;
        if (e.vendorId) p.vendorId = e.vendorId;
        if (e.productId) p.productId = e.productId;
        return p;
      });
    },
  };
}

/** The virtual board's link (src/main/board/serial/virtualLink), with a demo as its main.py. */
async function defaultOpenVirtual(demo: string | undefined): Promise<import('../board/serial/link').Link> {
  const { openVirtualLink } = await import('../board/serial/virtualLink');
  return openVirtualLink(demo ? { demo } : {});
}

/** The board recorder (src/main/record) behind the service's Recorder interface. */
export function boardRecorder(opts: { demosDir: string; openVirtual?: (demo: string | undefined) => Promise<import('../board/serial/link').Link> }): Recorder {
  const openVirtual = opts.openVirtual ?? defaultOpenVirtual;
  return {
    async start(req, hooks, signal): Promise<RecorderHandle> {
      const { startRecording } = await import('../record/recorder');
      const { describeDumpCost } = await import('../record/dumpCost');
      let run: import('../record/recorder').RecordRun;
      let demo: string | undefined;
      if (req.demo) {
        if (req.port !== 'virtual') throw apiError('BAD_REQUEST', 'Demos run on the virtual board.', 'Pick the virtual board, or choose what to run on your board.');
        if (!/^[A-Za-z0-9_-]+$/.test(req.demo) || !existsSync(join(opts.demosDir, `${req.demo}.py`))) {
          throw apiError('NOT_FOUND', `There is no demo "${req.demo}".`, 'Pick one from the list of demos.');
        }
        demo = req.demo;
        // The demo is the virtual board's main.py.
        run = { kind: 'main' };
      } else {
        run = req.run.kind === 'script' ? { kind: 'script', path: req.run.path } : req.run.kind === 'main' ? { kind: 'main' } : { kind: 'attach' };
      }
      const h = startRecording(
        {
          port: req.port,
          run,
          periodMs: req.periodMs,
          collect: req.collect,
          dumps: req.dumps ?? 'auto',
          openVirtual: () => openVirtual(demo),
        },
        {
          phase: (phase, message, progress) => {
            // 'reconnecting' is shown as recording with its message; stopped/failed come from `done`.
            if (phase === 'stopped' || phase === 'failed') return;
            hooks.phase(phase === 'reconnecting' ? 'recording' : phase, message, progress);
          },
          data: (chunk, hostMs) => hooks.data(chunk, hostMs),
          gap: (reason, a, b) => hooks.gap(reason, a, b),
          board: (info) => hooks.board(info),
          dumping: ({ mode, cost, tooSlow }) =>
            hooks.dumping?.({ mode, cost: cost && { bytes: cost.bytes, boardMs: cost.boardMs }, warning: tooSlow && cost ? describeDumpCost(cost, req.periodMs).text : null }),
        },
      );
      const onAbort = () => void h.stop();
      signal.addEventListener('abort', onAbort, { once: true });
      void h.done.then((summary) => {
        signal.removeEventListener('abort', onAbort);
        hooks.ended(summary.endedBy === 'failed' ? (summary.error ?? new Error('The recording failed.')) : undefined);
      });
      await h.started;
      return {
        stop: async () => {
          await h.stop();
        },
      };
    },
  };
}

export interface DefaultServiceOptions extends Partial<ServiceOptions> {
  root?: string;
  openVirtual?: (demo: string | undefined) => Promise<import('../board/serial/link').Link>;
}

/** The service with every real back end. */
export function createDefaultService(o: DefaultServiceOptions = {}): HeapScopeService {
  const root = o.root ?? findProjectRoot();
  const demosDir = join(root, 'device', 'demos');
  const store: SessionStore = o.store ?? new SessionFileStore();
  return new HeapScopeService({
    ...o,
    store,
    captureStore: o.captureStore ?? new RawCaptureStore(),
    isSessionFile: o.isSessionFile ?? (async (p) => looksLikeSession(p)),
    recorder: o.recorder ?? boardRecorder({ demosDir, ...(o.openVirtual ? { openVirtual: o.openVirtual } : {}) }),
    ports: o.ports ?? serialPortLister(),
    demos: o.demos ?? fileDemoLister(demosDir),
  });
}
