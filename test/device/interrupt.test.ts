import { afterEach, describe, expect, it } from 'vitest';
import { startBoard, type WorkerBoard } from './boardHarness';

let board: WorkerBoard | null = null;
afterEach(async () => {
  await board?.close();
  board = null;
});

describe('Ctrl-C on the virtual board', () => {
  it('interrupts a program sleeping in time.sleep within 100 ms', async () => {
    board = await startBoard();
    const b = board;
    const done = b.exec("import time\nprint('sleeping')\ntime.sleep(30)\nprint('woke')");
    await b.waitFor(() => /sleeping/.test(b.text()));
    await new Promise((r) => setTimeout(r, 300)); // well inside the sleep
    const t0 = Date.now();
    b.interrupt();
    const end = await done;
    const latency = end.at! - t0;
    expect(end.ok).toBe(false);
    expect(b.text()).toMatch(/Traceback \(most recent call last\):\r\n {2}File "<stdin>", line 3, in <module>\r\nKeyboardInterrupt: \r\n/);
    expect(b.text()).not.toMatch(/woke/);
    expect(latency).toBeLessThan(100);
    console.log(`Ctrl-C → KeyboardInterrupt in ${latency} ms (program in time.sleep)`);
  });

  it('interrupts a loop that prints without sleeping, and the board stays usable', async () => {
    board = await startBoard();
    const b = board;
    const done = b.exec("i = 0\nwhile True:\n    print('tick', i)\n    i += 1");
    await b.waitFor(() => /tick 100\b/.test(b.text()));
    const t0 = Date.now();
    b.interrupt();
    const end = await done;
    expect(end.ok).toBe(false);
    expect(end.at! - t0).toBeLessThan(100);
    const again = await b.exec("print('still', 'alive', i > 100)");
    expect(again.ok).toBe(true);
    expect(b.text()).toMatch(/still alive True\r\n$/);
  });

  it('interrupts an asyncio program while a machine.Timer runs', async () => {
    board = await startBoard();
    const b = board;
    const done = b.exec(
      [
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
    );
    await b.waitFor(() => /running/.test(b.text()));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    b.interrupt();
    const end = await done;
    expect(end.ok).toBe(false);
    expect(end.at! - t0).toBeLessThan(100);
    expect(b.text()).toMatch(/timer ran True/);
    expect(b.text()).toMatch(/KeyboardInterrupt/);
  });
});
