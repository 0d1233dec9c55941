/**
 * `heapscope record --attach` of a 1 MB/s stream over a PTY (full-speed USB's rate): a
 * PTY whose master a paced writer in its own process fills with the pi-mst capture at 1 MB/s, the
 * recorder on the other end. Figures: CPU of the whole command (start-up included, from
 * /usr/bin/time) as % of one core over the recording's length; the in-process recording's CPU
 * without start-up, per MB; and, as the floor and baselines from the same run: `cat` (C)
 * copying the stream to a file, and node reading it with serialport's own reads, with a
 * tty.ReadStream (bytes discarded, then through the line splitter), and with the SerialLink
 * the recorder uses.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tty from 'node:tty';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { openSerialLink } from '../src/main/board/serial/serialLink';
import { recordToSession } from '../src/main/record/toSession';
import { SessionWriter } from '../src/main/session/writer';
import { CaptureReader } from '../src/shared/capture/captureReader';
import { LineSplitter } from '../src/shared/capture/lineSplitter';
import { metricsOf } from '../src/shared/heap/metrics';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const RATE = 1_000_000;

/**
 * The board's side: a PTY of its own (python3's pty module: node has no openpty), its far end
 * linked at `port`, and the capture written into its master at `rate` bytes/s from the start.
 * Writes are non-blocking: when the reader lags, the PTY fills and the writer waits (EAGAIN)
 * and catches up, as a USB CDC device is held back, never dropping a byte.
 */
const PACER = `
import os, pty, sys, time, tty
port, capture, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
m, s = pty.openpty()
tty.setraw(s)
os.set_blocking(m, False)
os.symlink(os.ttyname(s), port)
data = open(capture, 'rb').read()
at = sent = 0
t0 = time.time()
while time.time() - t0 < seconds:
    due = int((time.time() - t0) * rate)
    while sent < due:
        n = min(due - sent, len(data) - at, 65536)
        try:
            k = os.write(m, data[at:at + n])
        except BlockingIOError:
            break
        sent += k
        at = (at + k) % len(data)
    time.sleep(0.01)
`;

/**
 * A 1 MB/s stream on a fresh PTY (see PACER). Not socat: at this rate socat lost bytes here
 * without a word, PTY to PTY (half the dumps damaged, even for \`cat\`) and pipe to PTY when
 * the reader lagged; the PTY alone holds the writer back instead. The floor checks every byte.
 */
export async function stream(dir: string, capture: string, seconds: number): Promise<{ port: string; stop: () => Promise<void> }> {
  const port = path.join(dir, `pty-${++streams}`);
  const proc = spawn('python3', ['-c', PACER, port, capture, String(RATE), String(seconds)], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  for (let i = 0; i < 100 && !existsSync(port); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(port)) throw new Error('the pacer made no PTY (is python3 installed?)');
  return {
    port,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill();
      await exited;
    },
  };
}
let streams = 0;

/** CPU ms of this process while `body` runs. */
async function cpuOf(body: () => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  await body();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/**
 * The floor: `cat` (C, a read per readiness into a 128 KB buffer) copying the PTY to a file, its
 * CPU from /usr/bin/time over `seconds` of the paced stream.
 */
function catFloor(port: string, dir: string, seconds: number, capture: string): { cpuMs: number; bytes: number; intact: boolean } {
  const file = path.join(dir, 'cat.out');
  const timing = execFileSync('/bin/sh', ['-c', `/usr/bin/time -f '@@T %e %U %S' timeout -s INT ${seconds} cat ${port} > ${file} 2>${file}.time; cat ${file}.time | grep '^@@T'; true`]).toString();
  const m = /@@T ([\d.]+) ([\d.]+) ([\d.]+)/.exec(timing);
  if (!m) throw new Error(`no timing from cat: ${timing}`);
  // The stream is the capture from its start: what arrived must be its first bytes, exactly.
  const got = readFileSync(file);
  const want = Buffer.alloc(got.length);
  const fd = openSync(capture, 'r');
  readSync(fd, want, 0, want.length, 0);
  closeSync(fd);
  return { cpuMs: (Number(m[2]) + Number(m[3])) * 1000, bytes: got.length, intact: got.length > 0 && got.equals(want) };
}

async function readOnly(port: string, kind: 'serialport' | 'tty' | 'tty+split' | 'link', seconds: number): Promise<{ cpuMs: number; bytes: number; chunks: number }> {
  if (kind === 'link') {
    const link = await openSerialLink(port);
    let bytes = 0;
    let chunks = 0;
    const cpuMs = await cpuOf(async () => {
      link.onData((b) => {
        bytes += b.length;
        chunks++;
      });
      await new Promise((r) => setTimeout(r, seconds * 1000));
    });
    await link.close();
    return { cpuMs, bytes, chunks };
  }
  const sp = new SerialPort({ path: port, baudRate: 115200, autoOpen: false });
  await new Promise<void>((r, j) => sp.open((e) => (e ? j(e) : r())));
  let bytes = 0;
  let chunks = 0;
  let lines = 0;
  const splitter = new LineSplitter({ line: () => void lines++ });
  const onData = (b: Uint8Array) => {
    bytes += b.length;
    chunks++;
    if (kind === 'tty+split') splitter.push(b);
  };
  let stream: tty.ReadStream | null = null;
  const cpuMs = await cpuOf(async () => {
    if (kind === 'serialport') sp.on('data', onData);
    else {
      stream = new tty.ReadStream((sp.port as unknown as { fd: number }).fd);
      stream.on('data', onData);
      stream.on('error', () => {});
    }
    await new Promise((r) => setTimeout(r, seconds * 1000));
  });
  (stream as tty.ReadStream | null)?.destroy();
  await new Promise<void>((r) => sp.close(() => r()));
  return { cpuMs, bytes, chunks };
}

/**
 * What the recording does with the bytes once read, without the port: the first `mb` MB of
 * the capture fed in chunks of `chunk` bytes (about what the link hands on per burst at
 * 1 MB/s) to the capture reader alone, and to a session writer (parse, raw coding, index,
 * file). CPU ms per MB, the second of two runs (the first warms the JIT up, as a recording
 * minutes long is).
 */
function offlineCosts(capture: string, dir: string, mb = 8, chunk = 14 << 10): { parseMsPerMB: number; writerMsPerMB: number } {
  const fd = openSync(capture, 'r');
  const bytes = new Uint8Array(mb * 1e6);
  const got = readSync(fd, bytes, 0, bytes.length, 0);
  closeSync(fd);
  const data = bytes.subarray(0, got);
  const run = (fn: () => void) => {
    let ms = 0;
    for (let i = 0; i < 2; i++) {
      const c0 = process.cpuUsage();
      fn();
      const c = process.cpuUsage(c0);
      ms = (c.user + c.system) / 1000;
    }
    return ms / (got / 1e6);
  };
  const parseMsPerMB = run(() => {
    const r = new CaptureReader();
    for (let i = 0; i < data.length; i += chunk) for (const e of r.feed(data.slice(i, i + chunk))) if (e.type === 'snapshot') metricsOf(e.snapshot);
    r.end();
  });
  const writerMsPerMB = run(() => {
    const file = path.join(dir, 'offline.hss');
    rmSync(file, { force: true });
    const w = SessionWriter.create(file, { source: 'bench' });
    for (let i = 0; i < data.length; i += chunk) w.appendRaw(data.slice(i, i + chunk));
    w.close();
  });
  return { parseMsPerMB, writerMsPerMB };
}

export async function benchRecordAttach(capture: string): Promise<Record<string, string | number>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-bench-attach-'));
  const seconds = 10;
  const out: Record<string, string | number> = {};
  const pct = (cpuMs: number, s: number) => `${((cpuMs / 10 / s)).toFixed(1)} % of one core`;
  try {
    {
      // The floor: C reading the same stream and writing it to a file.
      {
        const { port: a, stop } = await stream(dir, capture, seconds + 1);
        const r = catFloor(a, dir, seconds, capture);
        await stop();
        out['floor: cat of the PTY to a file (C)'] = `${pct(r.cpuMs, seconds)}, ${(r.cpuMs / (r.bytes / 1e6)).toFixed(0)} ms CPU per MB (${(r.bytes / 1e6 / seconds).toFixed(2)} MB/s, ${r.intact ? 'every byte as sent' : 'BYTES LOST OR CHANGED on the way: the rig is broken'})`;
        await new Promise((r2) => setTimeout(r2, 300));
      }
      // Baselines: the read path alone, then with the line splitter.
      const words = {
        serialport: "serialport's reads",
        tty: 'tty.ReadStream, a read per readiness, bytes discarded',
        'tty+split': 'tty.ReadStream + the line splitter',
        link: 'SerialLink, as the recorder reads',
      };
      for (const kind of ['serialport', 'tty', 'tty+split', 'link'] as const) {
        const { port: a, stop } = await stream(dir, capture, seconds + 1);
        const r = await readOnly(a, kind, seconds);
        await stop();
        out[`baseline: node, read only (${words[kind]})`] =
          `${pct(r.cpuMs, seconds)}, ${(r.cpuMs / (r.bytes / 1e6)).toFixed(0)} ms CPU per MB, ${r.chunks} chunks of ${(r.bytes / r.chunks / 1024).toFixed(1)} KB`;
        await new Promise((r2) => setTimeout(r2, 300));
      }
      // The recording in this process, start-up excluded; and its steady state: the CPU of
      // `seconds` after 5 s of warming up (JIT), then of `seconds` more after that. V8 takes
      // several MB of this stream to optimise the parser and the coders: the first MB costs
      // 10× what a warm one does, so a long recording spends what the last window shows.
      {
        const marks = [5, 5 + seconds];
        const total = 5 + 2 * seconds;
        const { port: a, stop } = await stream(dir, capture, total + 2);
        const file = path.join(dir, 'in.hss');
        let bytes = 0;
        let dumps = 0;
        let damaged = 0;
        const at: Array<{ cpu: number; bytes: number }> = [];
        const cpuMs = await cpuOf(async () => {
          const c0 = process.cpuUsage();
          const h = recordToSession(
            { port: a, run: { kind: 'attach' }, periodMs: 350, collect: false, durationMs: total * 1000, sessionPath: file },
            {
              events: (evs) => {
                for (const ev of evs) if (ev.type === 'snapshot' && ev.snapshot.problems.length) damaged++;
              },
            },
          );
          const ts = marks.map((s2) =>
            setTimeout(() => {
              const c = process.cpuUsage(c0);
              at.push({ cpu: (c.user + c.system) / 1000, bytes: h.counts.bytes });
            }, s2 * 1000),
          );
          const res = await h.done;
          for (const t of ts) clearTimeout(t);
          bytes = res.counts.bytes;
          dumps = res.counts.snapshots;
          if (res.summary.error) throw res.summary.error;
        });
        await stop();
        out[`record --attach in-process (no start-up), ${total} s`] = `${pct(cpuMs, total)}, ${(cpuMs / (bytes / 1e6)).toFixed(0)} ms CPU per MB, ${(bytes / 1e6 / total).toFixed(2)} MB/s received, ${dumps} dumps, ${damaged} damaged (goal ≤ 3 %)`;
        const ends = [...at.slice(1), { cpu: cpuMs, bytes }];
        for (let k = 0; k < at.length; k++) {
          const dc = ends[k].cpu - at[k].cpu;
          out[`record --attach in-process, steady state (${marks[k]}-${marks[k] + seconds} s)`] = `${pct(dc, seconds)}, ${(dc / ((ends[k].bytes - at[k].bytes) / 1e6)).toFixed(0)} ms CPU per MB`;
        }
        await new Promise((r2) => setTimeout(r2, 300));
      }
      // The whole command, as a user runs it.
      {
        const { port: a, stop } = await stream(dir, capture, seconds + 8);
        const file = path.join(dir, 'cli.hss');
        const timing = execFileSync('/bin/sh', ['-c', `/usr/bin/time -f '@@T %e %U %S' ${process.execPath} ${path.join(root, 'bin/heapscope.mjs')} record --port ${a} --attach -o ${file} --duration ${seconds}s -q 2>&1 | grep '^@@T'`]).toString();
        await stop();
        const m = /@@T ([\d.]+) ([\d.]+) ([\d.]+)/.exec(timing)!;
        const cpu = (Number(m[2]) + Number(m[3])) * 1000;
        out['heapscope record --attach, whole command (start-up included)'] = `${pct(cpu, seconds)} over the ${seconds} s recorded (${m[1]} s wall, ${(cpu / 1000).toFixed(2)} s CPU; session ${statSync(file).size} bytes) (goal ≤ 3 %)`;
      }
    }
    const off = offlineCosts(capture, dir);
    out['offline, same bytes in 14 KB chunks: parse (reader + metrics)'] = `${off.parseMsPerMB.toFixed(0)} ms CPU per MB`;
    out['offline, same bytes in 14 KB chunks: session writer (parse, raw coding, index, file)'] = `${off.writerMsPerMB.toFixed(0)} ms CPU per MB`;
    out['load average at the end'] = os.loadavg().map((v) => v.toFixed(1)).join(' ');
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
