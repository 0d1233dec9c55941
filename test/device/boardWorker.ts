/**
 * A virtual-board MicroPython in a worker thread (see boardHarness.ts). Messages in: { code }.
 * Messages out: { type: 'out', text, at } per console batch, { type: 'done', ok, at } when the
 * code ends. `at` is Date.now() in the worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadBoardMicroPython } from '../../src/main/board/virtual/micropython';

const port = parentPort!;
const board = await loadBoardMicroPython({
  heapBytes: workerData.heapBytes ?? 192 * 1024,
  control: workerData.control,
  onStdout: (b) => port.postMessage({ type: 'out', text: Buffer.from(b).toString('latin1'), at: Date.now() }),
});
for (const [path, data] of Object.entries((workerData.files ?? {}) as Record<string, string>)) {
  board.writeFile(path, Buffer.from(data, 'latin1'));
}
port.on('message', (m: { code: string }) => {
  const ok = board.exec(m.code);
  port.postMessage({ type: 'done', ok, at: Date.now() });
});
port.postMessage({ type: 'ready' });
