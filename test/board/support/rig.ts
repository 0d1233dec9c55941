/**
 * The test rig: a real virtual board (MicroPython in WebAssembly) → a fault proxy → one end of
 * a socat PTY pair; the code under test opens the other end with the real serialport binding.
 */
import { VirtualBoard, type VirtualBoardOptions } from '../../../src/main/board/virtual/virtualBoard';
import { openSerialLink, type SerialLink } from '../../../src/main/board/serial/serialLink';
import { FaultProxy } from './faultProxy';
import { ptyPair, type PtyPair } from './pty';

export interface Rig {
  board: VirtualBoard;
  pair: PtyPair;
  proxy: FaultProxy;
  /** The path the host opens. */
  port: string;
  open(): Promise<SerialLink>;
  /** Cut the PTY (the host sees a disconnect) and bring it back after `ms`. */
  cutFor(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function makeRig(opts: VirtualBoardOptions & { seed?: number } = {}): Promise<Rig> {
  const { seed, ...boardOpts } = opts;
  const board = new VirtualBoard({ stuckResetMs: 2000, ...boardOpts });
  board.on('error', () => {});
  const pair = await ptyPair();
  const proxy = new FaultProxy({ write: (b) => board.write(b), onData: (l) => board.on('data', l) }, pair.a, seed ?? 1);
  await proxy.open();
  const links: SerialLink[] = [];
  return {
    board,
    pair,
    proxy,
    port: pair.b,
    open: async () => {
      const l = await openSerialLink(pair.b);
      links.push(l);
      return l;
    },
    cutFor: async (ms) => {
      await proxy.close();
      await pair.cut();
      await new Promise((r) => setTimeout(r, ms));
      await pair.restore();
      await proxy.open();
    },
    close: async () => {
      for (const l of links) await l.close().catch(() => {});
      await proxy.close();
      await pair.close();
      await board.close();
    },
  };
}

/** A program that runs until stopped: a few allocations and a line every 30 ms (recording through faults, full disks). */
export const STEADY = `import time
n = 0
while True:
    n += 1
    x = [bytearray(64) for i in range(10)]
    print("tick", n)
    time.sleep_ms(30)
`;

/** Waits until `cond()` holds, polling; fails after `ms`. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
