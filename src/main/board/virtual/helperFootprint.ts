/**
 * What HeapScope's on-device helper (`device/mem_dump.py`) costs, measured on real MicroPython
 * (the virtual board's fixed-heap WebAssembly build), for the bench and the docs.
 */
import { readHelperSource } from '../install/installHelper';
import { loadBoardMicroPython } from './micropython';

export interface HelperFootprint {
  heapBytes: number;
  /** `GC: total:` of that heap. */
  gcTotal: number;
  /** `gc.mem_alloc()` growth from `import mem_dump` (after gc.collect() on both sides). */
  importBytes: number;
  /** `gc.mem_alloc()` growth per `dump()` with gc disabled over `dumps` calls (0 = allocates nothing). */
  bytesPerDump: number;
  /** Same for `dump(collect=True)`. */
  bytesPerCollectDump: number;
  dumps: number;
  /** Heap in use while dumping (the test fills it with small live objects). */
  heapUsedBytes: number;
  /** Wall time per `dump()`, including the host's handling of the output. */
  msPerDump: number;
  /** Console bytes per dump. */
  outputBytesPerDump: number;
}

/** The helper's source as shipped (device/mem_dump.py), found the one way the recorder finds it. */
export { readHelperSource };

/**
 * Measure the helper on a fresh fixed-heap MicroPython: import footprint, bytes allocated per
 * dump, and ms per dump with the heap about `fillFraction` full of small live objects (so the
 * map has few folded lines, like a busy board).
 */
export async function measureHelperFootprint(
  options: { heapBytes?: number; dumps?: number; fillFraction?: number; helperSource?: string | Uint8Array } = {},
): Promise<HelperFootprint> {
  const heapBytes = options.heapBytes ?? 192 * 1024;
  const dumps = options.dumps ?? 100;
  const fill = options.fillFraction ?? 0.4;
  let outBytes = 0;
  const board = await loadBoardMicroPython({ heapBytes, onStdout: (b) => (outBytes += b.length) });
  try {
    board.writeFile('/mem_dump.py', options.helperSource ?? readHelperSource());
    const figures: Record<string, number> = {};
    board.mp.registerJsModule('_hsfp', { put: (k: string, v: number) => (figures[k] = v) });
    board.runPython(`
import gc, _hsfp
gc.collect()
_a = gc.mem_alloc()
import mem_dump
gc.collect()
_hsfp.put('import', gc.mem_alloc() - _a)
def _measure(n, col):
    d = mem_dump.dump
    a = gc.mem_alloc
    i = 0
    d(col)
    gc.collect()
    gc.disable()
    x = a()
    while i < n:
        d(col)
        i += 1
    y = a()
    gc.enable()
    return y - x
_hsfp.put('plain', _measure(${dumps}, False))
_hsfp.put('collect', _measure(10, True))
_keep = []
while gc.mem_alloc() < ${Math.floor(board.gcTotal * fill)}:
    _keep.append(('x', len(_keep)))
gc.collect()
_hsfp.put('used', gc.mem_alloc())
`);
    board.flush();
    const before = outBytes;
    const t0 = performance.now();
    board.runPython(`_i = 0\nwhile _i < ${dumps}:\n    mem_dump.dump()\n    _i += 1\n`);
    const ms = performance.now() - t0;
    return {
      heapBytes,
      gcTotal: board.gcTotal,
      importBytes: figures.import,
      bytesPerDump: figures.plain / dumps,
      bytesPerCollectDump: figures.collect / 10,
      dumps,
      heapUsedBytes: figures.used,
      msPerDump: ms / dumps,
      outputBytesPerDump: (outBytes - before) / dumps,
    };
  } finally {
    board.dispose();
  }
}
