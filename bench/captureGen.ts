/**
 * Makes the bench's capture with real MicroPython (the WebAssembly build from npm): a program
 * that keeps a churning population of objects on a 192 KB heap and prints a log line and
 * `micropython.mem_info(1)` at every step. Cached under bench/data/ (git-ignored).
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

/** Path of a capture of at least `minBytes`, made once and reused. */
export async function benchCapture(minBytes = 100 * 1024 * 1024): Promise<string> {
  const file = path.join(DATA_DIR, `micropython-${Math.round(minBytes / 1048576)}mb.txt`);
  if (existsSync(file) && statSync(file).size >= minBytes) return file;
  mkdirSync(DATA_DIR, { recursive: true });
  const { loadMicroPython } = await import('@micropython/micropython-webassembly-pyscript');
  const tmp = `${file}.partial`;
  const fd = openSync(tmp, 'w');
  let written = 0;
  let pendingCR = false;
  // Boards send `\r\n` for print's `\n` too; the WebAssembly port sends bare `\n`.
  const stdout = (data: string | Uint8Array) => {
    const b = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const out: number[] = [];
    for (const c of b) {
      if (c === 0x0a && !pendingCR) out.push(0x0d);
      out.push(c);
      pendingCR = c === 0x0d;
    }
    written += out.length;
    writeSync(fd, Uint8Array.from(out));
  };
  const mp = await loadMicroPython({ heapsize: 192 * 1024, linebuffer: false, stdout });
  while (written < minBytes) mp.runPython(PROGRAM(500));
  closeSync(fd);
  renameSync(tmp, file);
  return file;
}
