/**
 * The 24-hour soak (bench/soakGen.ts): session size beside gzip -6 of its raw text, how long the
 * session takes to open and to serve a random snapshot, the reader's memory, and the CLI's
 * `inspect` on it as a whole command, and the service's open (what the window waits for) with
 * the per-frame series a whole-day timeline draws from. HEAPSCOPE_SOAK_DUMPS picks a shorter soak (the default
 * is the day: 250,000 dumps); HEAPSCOPE_SOAK_REMAKE=1 makes it again (after a format change).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SessionReader } from '../src/main/session';
import { HeapScopeService, SessionFileStore } from '../src/main/service';
import { mkdtempSync, rmSync } from 'node:fs';
import { forgetSoak, soakSession } from './soakGen';
import { breakdown } from './session';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** CPU (user + system) ms since `c0`: the figure that holds when other work shares the machine. */
const cpuMs = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};

export async function benchSoak(): Promise<Record<string, string | number>> {
  const dumps = Number(process.env.HEAPSCOPE_SOAK_DUMPS ?? 250_000);
  if (process.env.HEAPSCOPE_SOAK_REMAKE) forgetSoak(dumps);
  const { file, figures } = await soakSession(dumps, (s) => process.stdout.write(`  (${s})\n`));
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const opens: number[] = [];
  const openCpu: number[] = [];
  let reader: SessionReader | null = null;
  for (let i = 0; i < 3; i++) {
    reader?.close();
    reader = null;
    gc?.();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    reader = SessionReader.open(file);
    opens.push(performance.now() - t0);
    openCpu.push(cpuMs(c0));
  }
  const r = reader!;
  gc?.();
  const readerMB = (process.memoryUsage().heapUsed - heap0) / 1048576;
  const n = r.snapshotCount;
  const fetches: number[] = [];
  const fetchCpu: number[] = [];
  let x = 4242;
  for (let k = 0; k < 60; k++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    r.getSnapshot(x % n);
    fetches.push(performance.now() - t0);
    fetchCpu.push(cpuMs(c0));
  }
  // Every entry once, a page at a time (what a timeline over the whole day reads).
  const cw = process.cpuUsage();
  const tw = performance.now();
  let peakUsed = 0;
  for (let i = 0; i < n; i++) peakUsed = Math.max(peakUsed, r.entry(i).printed?.used ?? 0);
  const walkMs = performance.now() - tw;
  const walkCpu = cpuMs(cw);
  gc?.();
  const walkMB = (process.memoryUsage().heapUsed - heap0) / 1048576;
  r.close();
  const svc = await serviceOpen(file);
  // The child reports its own CPU and peak RSS as it exits (stderr's last line).
  const usage = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nUSAGE '+(u.userCPUTime+u.systemCPUTime)/1e6+' '+u.maxRSS/1024+'\\n')})`;
  // Both ways, whatever the load average would choose: one thread, and the raw bytes decoded
  // ahead in a worker (with each thread's CPU, HEAPSCOPE_DEBUG_PASS). Their JSON must be the same.
  const inspect = (threads: '1' | '2') => {
    const t0 = performance.now();
    const child = spawnSync(process.execPath, ['--import', usage, path.join(root, 'bin/heapscope.mjs'), 'inspect', file, '--json', '--threads', threads], {
      maxBuffer: 1 << 30,
      encoding: 'utf8',
      env: { ...process.env, HEAPSCOPE_DEBUG_PASS: '1' },
    });
    const wallS = (performance.now() - t0) / 1000;
    if (child.status !== 0) throw new Error(`inspect --threads ${threads} failed (${child.status}): ${child.stderr}`);
    const used = /USAGE (\S+) (\S+)/.exec(child.stderr);
    const pass = /pass: (\{.*\})/.exec(child.stderr);
    const t = pass ? (JSON.parse(pass[1]) as { passCpuMs?: number | null; workerCpuMs?: number | null }) : {};
    const threadCpu = t.workerCpuMs != null ? `; pass thread ${(t.passCpuMs! / 1000).toFixed(1)} s, worker ${(t.workerCpuMs / 1000).toFixed(1)} s CPU` : t.passCpuMs != null ? `; pass thread ${(t.passCpuMs / 1000).toFixed(1)} s CPU` : '';
    const text = `${wallS.toFixed(1)} s wall, ${used ? `${Number(used[1]).toFixed(1)} s CPU, peak RSS ${Number(used[2]).toFixed(0)} MB` : 'CPU and RSS not reported'}${threadCpu}`;
    return { text, stdout: child.stdout };
  };
  const one = inspect('1');
  const two = inspect('2');
  if (one.stdout !== two.stdout) throw new Error('inspect --json differs between --threads 1 and --threads 2');
  const leak = (JSON.parse(two.stdout) as { leak: { verdict: string; bytesPerMinute: number | null; reason: string } }).leak;
  return {
    dumps: `${n} (${((n * 350) / 3.6e6).toFixed(1)} h at 350 ms), spikes at ${figures.spikes.join(', ')}`,
    'raw text (never on disk)': `${(figures.rawBytes / 1e9).toFixed(2)} GB`,
    'made in (generate + session writer + gzip)': `${figures.makeS.toFixed(0)} s`,
    'session ÷ gzip -6 of the raw text': `${figures.sessionBytes} / ${figures.gzipBytes} = ${(figures.sessionBytes / figures.gzipBytes).toFixed(3)} (goal ≤ 0.25)`,
    'of which raw / index records, bytes per dump': (() => {
      const b = breakdown(file);
      return `${((b.raw ?? 0) / n).toFixed(1)} / ${((b.index ?? 0) / n).toFixed(1)} (index goal ≤ 6)`;
    })(),
    'open ms (median of 3)': `${q(opens, 0.5).toFixed(0)} wall, ${q(openCpu, 0.5).toFixed(0)} CPU (goal ≤ 1000)`,
    'reader heap after open, MB': readerMB.toFixed(1),
    'every index entry once, a page at a time (entry(i)), ms': `${walkMs.toFixed(0)} wall, ${walkCpu.toFixed(0)} CPU (reader heap after: ${walkMB.toFixed(1)} MB; peak used ${peakUsed})`,
    'fetch a random snapshot ms (median / 95th percentile of 60)': `${q(fetches, 0.5).toFixed(1)} / ${q(fetches, 0.95).toFixed(1)} wall, ${q(fetchCpu, 0.5).toFixed(1)} / ${q(fetchCpu, 0.95).toFixed(1)} CPU`,
    'service open (openSession, what the window waits for), ms': `${svc.wallMs.toFixed(0)} wall, ${svc.cpuMs.toFixed(0)} CPU (goal ≤ 1000); service heap after open ${svc.openMB.toFixed(1)} MB`,
    'service: frame figures for the whole day (frameSeries), ms': `${svc.seriesMs.toFixed(0)} wall, ${svc.seriesCpu.toFixed(0)} CPU (open + series goal ≤ 1000); service heap after ${svc.seriesMB.toFixed(1)} MB`,
    'service: film strip of the day, first time (getFilmStrip, 256 rows), ms': `${svc.strip1.wall.toFixed(0)} wall, ${svc.strip1.cpu.toFixed(0)} CPU for ${svc.strip1.columns} columns (asked ${STRIP_COLUMNS})`,
    'service: the same strip’s used part (1024 rows), ms': `${svc.strip2.wall.toFixed(0)} wall, ${svc.strip2.cpu.toFixed(0)} CPU for ${svc.strip2.columns} columns`,
    'service: seek, a random snapshot (getSnapshot), ms (median / 95th percentile of 60)': `${q(svc.seeks, 0.5).toFixed(1)} / ${q(svc.seeks, 0.95).toFixed(1)} wall, ${q(svc.seekCpu, 0.5).toFixed(1)} / ${q(svc.seekCpu, 0.95).toFixed(1)} CPU (goal ≤ 16)`,
    'heapscope inspect --json, whole command, --threads 1': one.text,
    'heapscope inspect --json, whole command, --threads 2 (worker decodes ahead)': two.text,
    'leak verdict': `${leak.verdict} (${leak.bytesPerMinute ?? '?'} B/min): ${leak.reason}`,
    'load average at the end': os.loadavg().map((v) => v.toFixed(1)).join(' '),
  };
}

/**
 * The service's open as the window sees it: HeapScopeService.openSession on the file (index,
 * summary for the recent list), then the per-frame figures a whole-day timeline draws from.
 */
type StripTime = { wall: number; cpu: number; columns: number };

/** Columns of the window's film strip at 1440×900 (its pane's width in device pixels, about). */
const STRIP_COLUMNS = 420;

async function serviceOpen(file: string): Promise<{
  wallMs: number;
  cpuMs: number;
  openMB: number;
  seriesMs: number;
  seriesCpu: number;
  seriesMB: number;
  strip1: StripTime;
  strip2: StripTime;
  seeks: number[];
  seekCpu: number[];
}> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const home = mkdtempSync(path.join(os.tmpdir(), 'hs-soak-svc-'));
  const svc = new HeapScopeService({ dataDir: home, store: new SessionFileStore() });
  try {
    gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await svc.openSession(file);
    const wallMs = performance.now() - t0;
    const cpu = cpuMs(c0);
    gc?.();
    const openMB = (process.memoryUsage().heapUsed - heap0) / 1048576;
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    await svc.getFrameSeries();
    const seriesMs = performance.now() - t1;
    const seriesCpu = cpuMs(c1);
    gc?.();
    const seriesMB = (process.memoryUsage().heapUsed - heap0) / 1048576;
    // The film strip as the window asks for it the first time: the whole heap, then its used
    // part in more rows (the frames read once: the second is binned from what the first read).
    const strip = async (rows: number) => {
      const c = process.cpuUsage();
      const t = performance.now();
      const st = await svc.getFilmStrip({ columns: STRIP_COLUMNS, rows });
      return { wall: performance.now() - t, cpu: cpuMs(c), columns: st.frames.length };
    };
    const strip1 = await strip(256);
    const strip2 = await strip(1024);
    // Seek: random snapshots through the service (what a key press waits for before drawing).
    const n = (await svc.getFrameSeries()).usedBytes.length;
    const seeks: number[] = [];
    const seekCpu: number[] = [];
    let x = 777;
    for (let k = 0; k < 60 && n > 0; k++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const c = process.cpuUsage();
      const t = performance.now();
      await svc.getSnapshot(x % n);
      seeks.push(performance.now() - t);
      seekCpu.push(cpuMs(c));
    }
    return { wallMs, cpuMs: cpu, openMB, seriesMs, seriesCpu, seriesMB, strip1, strip2, seeks, seekCpu };
  } finally {
    await svc.closeSession();
    rmSync(home, { recursive: true, force: true });
  }
}
