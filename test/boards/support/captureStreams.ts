/**
 * Makes the real-firmware stream fixtures in test/fixtures/boards/: records a short program on
 * the QEMU board and on the Pico (MicroPython) exactly as `record` does, through a tap between
 * the board's serial port and a socat PTY, and keeps every byte the firmware sent (raw REPL
 * replies, helper, dumps, program lines) with a JSON note of where it came from and what the
 * live recording saw. The fault tests replay these streams, so they run with no ../shared.
 *
 *   node --import tsx test/boards/support/captureStreams.ts [qemu|pico|circuitpython ...]
 *
 * Never overwrites a fixture: delete it first to make it again.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSerialLink } from '../../../src/main/board/serial/serialLink';
import { recordToSession } from '../../../src/main/record/toSession';
import { SessionReader } from '../../../src/main/session/reader';
import { FaultProxy } from '../../board/support/faultProxy';
import { ptyPair } from '../../board/support/pty';
import { startBoard, type BoardKind } from './boards';

export const STREAMS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/boards');

const CALLS = `import mem_dump
keep = []
for i in range(4):
    keep.append(bytearray(200 * (i + 1)))
    print("step", i, len(keep))
    mem_dump.dump()
    if i == 1:
        mem_dump.mark("half")
print("done", len(keep))
`;

const TIMER = `import time
keep = []
n = 0
while n < 60:
    n += 1
    keep.append(bytearray(64 + n % 300))
    if len(keep) > 40:
        keep = keep[20:]
    if n % 10 == 0:
        print("tick", n)
    time.sleep_ms(25)
print("done", n)
`;

// CircuitPython has no mem_info: its dumps are stats-only frames (used and free, no map).
const CP_CALLS = `import mem_dump, time
keep = []
for i in range(10):
    keep.append(bytearray(700 * (i + 1)))
    if i % 4 == 3:
        keep = keep[2:]
    print("step", i, len(keep))
    mem_dump.dump()
    time.sleep(0.05)
print("done", len(keep))
`;

const PLANS: Record<string, { kind: BoardKind; program: string; name: string; periodMs: number }> = {
  qemu: { kind: 'qemu', program: CALLS, name: 'calls.py', periodMs: 200 },
  pico: { kind: 'pico', program: TIMER, name: 'timer.py', periodMs: 400 },
  circuitpython: { kind: 'circuitpython', program: CP_CALLS, name: 'calls.py', periodMs: 500 },
};

const FIRMWARE: Record<string, string> = {
  qemu: '../shared/boards/qemu/qemu-mps2-an385.elf (MicroPython v1.29.0-preview, ports/qemu, qemu-system-arm mps2-an385)',
  pico: '../shared/boards/pico/micropython-rpi-pico.uf2 (MicroPython v1.29.0-preview-585 RPI_PICO on rp2040js 1.4.1)',
  circuitpython: '../shared/boards/pico/circuitpython-rpi-pico.uf2 (CircuitPython 10.2.1 raspberry_pi_pico on rp2040js 1.4.1)',
};

async function capture(which: string): Promise<void> {
  const plan = PLANS[which];
  if (!plan) throw new Error(`no plan for ${which} (qemu, pico or circuitpython)`);
  const rawPath = path.join(STREAMS_DIR, `${which}-stream.bin`);
  const notePath = path.join(STREAMS_DIR, `${which}-stream.json`);
  if (existsSync(rawPath) || existsSync(notePath)) throw new Error(`${rawPath} or its note exists: delete both to capture again`);
  const board = await startBoard(plan.kind);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hs-capture-'));
  const pair = await ptyPair();
  try {
    const tap = await openSerialLink(board.port);
    const proxy = new FaultProxy({ write: (b) => void tap.write(b), onData: (l) => tap.onData(l) }, pair.a);
    await proxy.open();
    const out = path.join(tmp, 's.hss');
    const { summary } = await recordToSession(
      { port: pair.b, run: { kind: 'script', path: plan.name, source: Buffer.from(plan.program) }, periodMs: plan.periodMs, collect: false, sessionPath: out },
    ).done;
    await new Promise((r) => setTimeout(r, 300));
    await proxy.close();
    await tap.close();
    const s = SessionReader.open(out);
    const note = {
      board: plan.kind,
      firmware: FIRMWARE[which],
      // What the recorder's identification read from the board (its `key=value` lines).
      identity: Object.fromEntries([...proxy.boardBytes.toString('latin1').matchAll(/(?:^|\x04)(impl|version|platform|machine|meminfo|timer|asyncio|readonly|heap)=([^\r\n]*)\r\n/gm)].map((m) => [m[1], m[2]]).reverse()),
      program: plan.program,
      periodMs: plan.periodMs,
      capturedAt: new Date().toISOString(),
      how: 'test/boards/support/captureStreams.ts: every byte the firmware sent while `record --script` ran the program (tap between the board port and a socat PTY)',
      live: {
        endedBy: summary.endedBy,
        dumps: summary.dumps,
        helper: summary.helper,
        snapshots: s.snapshots.map((x) => ({ seq: x.seq, blocks: x.areas.reduce((n, a) => n + a.blocks, 0), complete: x.complete, consistent: x.consistent, problems: x.problems })),
        logs: s.events.filter((e) => e.type === 'log').map((e) => (e as { text: string }).text),
      },
    };
    s.close();
    mkdirSync(STREAMS_DIR, { recursive: true });
    writeFileSync(rawPath, proxy.boardBytes, { flag: 'wx' });
    writeFileSync(notePath, JSON.stringify(note, null, 2) + '\n', { flag: 'wx' });
    console.log(`${which}: ${proxy.boardBytes.length} bytes, ${note.live.snapshots.length} dumps, ended by ${summary.endedBy} → ${rawPath}`);
  } finally {
    await pair.close();
    await board.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const which = process.argv.slice(2);
  for (const w of which.length ? which : Object.keys(PLANS)) await capture(w);
}
