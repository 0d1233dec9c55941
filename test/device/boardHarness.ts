/**
 * Test harness: a virtual-board MicroPython (src/main/board/virtual/micropython.ts) in a worker
 * thread, so a test can press Ctrl-C while Python runs and can end a board that hangs.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createBoardControl, requestInterrupt } from '../../src/main/board/virtual/micropython';

export type BoardMsg = { type: 'ready' | 'out' | 'done'; text?: string; ok?: boolean; at?: number };

export const HELPER = readFileSync(new URL('../../device/mem_dump.py', import.meta.url), 'latin1');
export const demoSource = (name: string) =>
  readFileSync(new URL(`../../device/demos/${name}.py`, import.meta.url), 'latin1');

/** What HeapScope's launcher sends: install the dump timer, then run main.py. */
export const launcher = (period = 350, collect = false) =>
  `import mem_dump\nmem_dump.start_timer(${period}, ${collect ? 'True' : 'False'})\n` +
  `exec(open('main.py').read(), {'__name__': '__main__'})`;

export interface WorkerBoard {
  worker: Worker;
  control: SharedArrayBuffer;
  /** Everything the board printed so far. */
  text(): string;
  /** Resolves on the first message (from now on) that passes `test`. */
  waitFor(test: (m: BoardMsg) => boolean, ms?: number): Promise<BoardMsg>;
  /** Run code (BoardMicroPython.exec); resolves when it ends. */
  exec(code: string, ms?: number): Promise<BoardMsg>;
  /** Run code, press Ctrl-C after `afterMs` unless it ended; resolves when it ends. */
  execFor(code: string, afterMs: number): Promise<BoardMsg>;
  interrupt(): void;
  close(): Promise<number>;
}

export async function startBoard(opts: { heapBytes?: number; files?: Record<string, string> } = {}): Promise<WorkerBoard> {
  const control = createBoardControl();
  const worker = new Worker(new URL('./boardWorker.mjs', import.meta.url), {
    workerData: { control, heapBytes: opts.heapBytes, files: opts.files },
  });
  let text = '';
  const waiters: { test: (m: BoardMsg) => boolean; resolve: (m: BoardMsg) => void }[] = [];
  worker.on('message', (m: BoardMsg) => {
    if (m.type === 'out') text += m.text;
    for (const w of [...waiters]) {
      if (w.test(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const waitFor = (test: (m: BoardMsg) => boolean, ms = 30_000) =>
    new Promise<BoardMsg>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms; output so far:\n${text.slice(-3000)}`)), ms);
      waiters.push({ test, resolve: (m) => (clearTimeout(t), resolve(m)) });
    });
  await waitFor((m) => m.type === 'ready');
  const board: WorkerBoard = {
    worker,
    control,
    text: () => text,
    waitFor,
    exec(code, ms) {
      const done = waitFor((m) => m.type === 'done', ms);
      worker.postMessage({ code });
      return done;
    },
    async execFor(code, afterMs) {
      const done = board.exec(code, afterMs + 30_000);
      let ended = false;
      void done.then(() => (ended = true));
      const t = setTimeout(() => ended || requestInterrupt(control), afterMs);
      try {
        return await done;
      } finally {
        clearTimeout(t);
      }
    },
    interrupt: () => requestInterrupt(control),
    close: () => worker.terminate(),
  };
  return board;
}
