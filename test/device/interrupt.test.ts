import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createBoardControl, requestInterrupt } from '../../src/main/board/virtual/micropython';

type Msg = { type: 'ready' | 'out' | 'done'; text?: string; ok?: boolean; at?: number };

/** A board in a worker; `waitFor` resolves on the first message that matches. */
function startBoard() {
  const control = createBoardControl();
  const worker = new Worker(new URL('./boardWorker.mjs', import.meta.url), {
    workerData: { control },
  });
  let text = '';
  const waiters: { test: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  worker.on('message', (m: Msg) => {
    if (m.type === 'out') text += m.text;
    for (const w of [...waiters]) {
      if (w.test(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const waitFor = (test: (m: Msg) => boolean, ms = 20_000) =>
    new Promise<Msg>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out; output so far:\n${text}`)), ms);
      waiters.push({ test, resolve: (m) => (clearTimeout(t), resolve(m)) });
    });
  return { worker, control, waitFor, text: () => text };
}

let worker: Worker | null = null;
afterEach(async () => {
  await worker?.terminate();
  worker = null;
});

describe('Ctrl-C on the virtual board', () => {
  it('interrupts a program sleeping in time.sleep within 100 ms', async () => {
    const b = startBoard();
    worker = b.worker;
    await b.waitFor((m) => m.type === 'ready');
    b.worker.postMessage({ code: "import time\nprint('sleeping')\ntime.sleep(30)\nprint('woke')" });
    await b.waitFor((m) => m.type === 'out' && /sleeping/.test(b.text()));
    await new Promise((r) => setTimeout(r, 300)); // well inside the sleep
    const t0 = Date.now();
    requestInterrupt(b.control);
    const done = await b.waitFor((m) => m.type === 'done');
    const latency = done.at! - t0;
    expect(done.ok).toBe(false);
    expect(b.text()).toMatch(/KeyboardInterrupt/);
    expect(b.text()).not.toMatch(/woke/);
    expect(latency).toBeLessThan(100);
    console.log(`Ctrl-C → KeyboardInterrupt in ${latency} ms (sleeping program)`);
  });

  it('interrupts a loop that prints without sleeping, and the board stays usable', async () => {
    const b = startBoard();
    worker = b.worker;
    await b.waitFor((m) => m.type === 'ready');
    b.worker.postMessage({ code: "i = 0\nwhile True:\n    print('tick', i)\n    i += 1" });
    await b.waitFor((m) => m.type === 'out' && /tick 100\b/.test(b.text()));
    const t0 = Date.now();
    requestInterrupt(b.control);
    const done = await b.waitFor((m) => m.type === 'done');
    expect(done.ok).toBe(false);
    expect(done.at! - t0).toBeLessThan(100);
    b.worker.postMessage({ code: "print('still', 'alive')" });
    const again = await b.waitFor((m) => m.type === 'done');
    expect(again.ok).toBe(true);
    expect(b.text()).toMatch(/still alive\r\n/);
  });

  it('interrupts asyncio and timer-driven programs sleeping in the helper-free loop', async () => {
    const b = startBoard();
    worker = b.worker;
    await b.waitFor((m) => m.type === 'ready');
    b.worker.postMessage({
      code: [
        'import asyncio, machine',
        'n = [0]',
        'def cb(t):',
        '    n[0] += 1',
        'tm = machine.Timer(-1, period=20, mode=machine.Timer.PERIODIC, callback=cb)',
        'async def main():',
        "    print('running')",
        '    while True:',
        '        await asyncio.sleep(5)',
        'try:',
        '    asyncio.run(main())',
        'finally:',
        '    tm.deinit()',
        "    print('timer ran', n[0] > 3)",
      ].join('\n'),
    });
    await b.waitFor((m) => m.type === 'out' && /running/.test(b.text()));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    requestInterrupt(b.control);
    const done = await b.waitFor((m) => m.type === 'done');
    expect(done.ok).toBe(false);
    expect(done.at! - t0).toBeLessThan(100);
    expect(b.text()).toMatch(/timer ran True/);
    expect(b.text()).toMatch(/KeyboardInterrupt/);
  });
});
