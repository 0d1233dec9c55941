/**
 * The virtual board's worker thread: one MicroPython and its serial console. Python runs
 * synchronously here, so the thread that owns the board never blocks.
 *
 * Messages in:  { t: 'in', data: Uint8Array }       host → board bytes
 * Messages out: { t: 'out', data: Uint8Array }      board → host bytes
 *               { t: 'files', snapshot }            the filesystem after a command changed it
 *               { t: 'ready' }                      booted: main.py runs, or the prompt is out
 *               { t: 'fatal', message }             could not start
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BoardConsole } from './boardConsole';
import { loadBoardMicroPython } from './micropython';

export interface WorkerInit {
  heapBytes: number;
  files: [string, Uint8Array][];
  dirs: string[];
  control: SharedArrayBuffer;
  flags: SharedArrayBuffer;
  machine: string;
}

const init = workerData as WorkerInit;
const port = parentPort!;

const console_ = new BoardConsole({
  load: async (onStdout) => {
    const mp = await loadBoardMicroPython({
      heapBytes: init.heapBytes,
      control: init.control,
      files: new Map(init.files),
      onStdout,
    });
    for (const d of init.dirs) {
      let dir = '';
      for (const part of d.split('/').filter(Boolean)) {
        dir += '/' + part;
        try {
          mp.FS.mkdir(dir);
        } catch {
          /* exists */
        }
      }
    }
    return mp;
  },
  send: (bytes) => {
    const copy = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    port.postMessage({ t: 'out', data: copy }, [copy.buffer as ArrayBuffer]);
  },
  filesChanged: (snapshot) => port.postMessage({ t: 'files', snapshot }),
  flags: new Int32Array(init.flags),
  control: new Int32Array(init.control),
  machine: init.machine,
  onPoweredOn: () => port.postMessage({ t: 'ready' }),
});

port.on('message', (m: { t: string; data?: Uint8Array }) => {
  if (m.t === 'in' && m.data) console_.input(m.data);
});

console_.start().catch((err: Error) => port.postMessage({ t: 'fatal', message: err?.stack ?? String(err) }));
