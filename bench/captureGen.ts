/**
 * Makes the bench's captures with real MicroPython (the WebAssembly build from npm), cached
 * under bench/data/ (git-ignored):
 * - a 100 MB capture: a churning population of objects on a 192 KB heap, a log line and
 *   `micropython.mem_info(1)` at every step;
 * - a 40 MB capture in pi-mst's framing (`@@@ <ticks_ms>` … `@@@`, as its mem_dump.py prints
 *   at a 350 ms period): ~4.4 KB dumps of a 96 KB heap where a few % of the blocks change
 *   from one dump to the next.
 */
import { existsSync, mkdirSync, openSync, closeSync, writeSync, statSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DATA_DIR = path.join(here, 'data');

const PROGRAM = (steps: number) => `
import micropython, gc, random
random.seed(7)
slots = [None] * 180
for step in range(${steps}):
    i = random.getrandbits(8) % len(slots)
    r = random.getrandbits(4)
    if r < 6:
        slots[i] = bytearray(random.getrandbits(9) + 8)
    elif r < 10:
        slots[i] = 'x' * (random.getrandbits(7) + 1)
    elif r < 13:
        slots[i] = [j for j in range(random.getrandbits(4))]
    else:
        slots[i] = {'k': step, 'v': (step, i)}
    if step % 40 == 0:
        gc.collect()
    print('step', step, 'slot', i, 'alloc', gc.mem_alloc())
    micropython.mem_info(1)
`;

// pi-mst's mem_dump.py prints `@@@ <ticks_ms> (<localtime>)` on its first dump, `@@@ <ticks_ms>`
// on the others, then mem_info(1) and `@@@`. Ticks are simulated (350 ms period) so the
// capture is the same on every run. Each step replaces a few dozen objects, so a few % of the
// heap's blocks change per dump. One step per runPython: this build collects only when control
// returns to JS at the top level (gc.collect() sets a flag), as the virtual board notes say.
const PIMST_PROGRAM = (step: number) => `
import micropython, gc, random
if ${step} == 0:
    random.seed(11)
    slots = [None] * 300
for _ in range(10):
    i = random.getrandbits(9) % len(slots)
    r = random.getrandbits(4)
    if r < 6:
        slots[i] = bytearray(random.getrandbits(7) + 8)
    elif r < 10:
        slots[i] = 'x' * (random.getrandbits(6) + 1)
    elif r < 13:
        slots[i] = [j for j in range(random.getrandbits(3))]
    else:
        slots[i] = {'k': ${step}, 'v': (${step}, i)}
if ${step} % 4 == 0:
    gc.collect()
if ${step} % 5 == 0:
    print('sensor', ${step} % 97, 'queue', ${step} % 13)
print(${step} and '@@@ ${step * 350}' or '@@@ 0 (2026, 12, 2, 9, 0, 0, 2, 336)')
micropython.mem_info(1)
print('@@@')
`;

/** Path of the 100 MB capture, made once and reused. */
export async function benchCapture(minBytes = 100 * 1024 * 1024): Promise<string> {
  const file = path.join(DATA_DIR, `micropython-${Math.round(minBytes / 1048576)}mb.txt`);
  return makeCapture(file, minBytes, 192, (n) => PROGRAM(500));
}

/** Path of the pi-mst-framed capture (~40 MB, ~9,400 dumps of ~4.4 KB), made once and reused. */
export async function benchPimstCapture(minBytes = 40 * 1024 * 1024): Promise<string> {
  const file = path.join(DATA_DIR, `pimst-${Math.round(minBytes / 1048576)}mb.txt`);
  return makeCapture(file, minBytes, 96, PIMST_PROGRAM);
}

/** Runs `program(n)` for n = 0, 1, … on a fresh MicroPython until `minBytes` are printed. */
async function makeCapture(file: string, minBytes: number, heapKB: number, program: (n: number) => string): Promise<string> {
  if (existsSync(file) && statSync(file).size >= minBytes) return file;
  mkdirSync(DATA_DIR, { recursive: true });
  const { loadMicroPython } = await import('@micropython/micropython-webassembly-pyscript');
  const tmp = `${file}.partial`;
  const fd = openSync(tmp, 'w');
  let written = 0;
  let pendingCR = false;
  // Output comes a few bytes per call: gathered and written 1 MiB at a time.
  const buf = Buffer.alloc(1 << 20);
  let used = 0;
  const put = (c: number) => {
    if (used === buf.length) {
      writeSync(fd, buf, 0, used);
      used = 0;
    }
    buf[used++] = c;
    written++;
  };
  // Boards send `\r\n` for print's `\n` too; the WebAssembly port sends bare `\n`.
  const stdout = (data: string | Uint8Array) => {
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    for (const c of b) {
      if (c === 0x0a && !pendingCR) put(0x0d);
      put(c);
      pendingCR = c === 0x0d;
    }
  };
  const mp = await loadMicroPython({ heapsize: heapKB * 1024, linebuffer: false, stdout });
  for (let n = 0; written < minBytes; n++) mp.runPython(program(n));
  writeSync(fd, buf, 0, used);
  closeSync(fd);
  renameSync(tmp, file);
  return file;
}
