/**
 * A MicroPython that behaves like a board's, for the virtual board.
 *
 * Wraps `@micropython/micropython-webassembly-pyscript` (real MicroPython 1.27: real GC, real
 * `micropython.mem_info(1)`) and changes what differs from hardware:
 *
 * - **Fixed heap.** The npm build grows its heap on demand (split heap, "max new split: 128 MiB").
 *   We refuse Emscripten's memory growth (its `emscripten_resize_heap` import answers "no") and
 *   reserve the rest of Emscripten's malloc arena, so MicroPython cannot add an area: an
 *   allocation past the heap raises `MemoryError` as on a board. A small slack is left for the
 *   JS glue's own mallocs (the source text of `runPython`), always smaller than what
 *   MicroPython would ask for a new area (at least the current heap size).
 * - **Garbage collection while a program runs.** This build only collects when control returns to
 *   JS at the top level (`gc.collect()` merely sets a flag), so a long-running program on a fixed
 *   heap would fill up with garbage. We locate the port's `external_call_depth` counter and, at
 *   safe points (the program's sleeps and explicit `gc.collect()`), zero it around an empty
 *   `mp_js_do_exec` so the port runs its top-level collection. Roots then are MicroPython's root
 *   pointers and the Python stack (pystack); the program is parked inside a call to JS, so no
 *   object lives only in a C local. Between safe points garbage is not collected: an allocation
 *   that needs a collection there raises `MemoryError` earlier than on a board. To keep that rare
 *   the sleeps collect once the heap is `autoCollectFraction` full (unless `gc.disable()`).
 * - **Line endings.** `print` writes `\n`; boards send `\r\n`. Lone `\n` become `\r\n`. The
 *   `GC:` line loses `, max new split: N` (a fixed heap cannot split).
 * - **machine, time, asyncio.** There is no `machine` module: one is provided with
 *   `Timer(id, mode=, period=, freq=, callback=)`, whose callbacks run at the program's sleep
 *   points. `time.sleep*` really waits (Atomics.wait), runs due timers and wakes at once on Ctrl-C.
 *   `gc.mem_free()` no longer counts the 128 MiB the heap could grow by. The build's `asyncio`
 *   runs on the JS event loop and has no `asyncio.run`; a blocking one like the firmware's
 *   replaces it.
 * - **Running programs.** `exec(code)` runs source as a board runs a program (traceback printed,
 *   never a hang). The package's `runPython` (kept as `runPython`) hangs the port for good if an
 *   uncaught exception meets a full heap (its glue cannot allocate the error report).
 * - **Ctrl-C.** `interrupt()` (same thread) or `requestInterrupt(control)` (any thread, through
 *   a SharedArrayBuffer) schedules `KeyboardInterrupt`, seen within one sleep slice or one
 *   printed byte. A loop that neither prints nor sleeps can only be stopped by ending the worker.
 *
 * Python runs synchronously on the calling thread: run the board in a worker thread.
 *
 * The package keeps its JS-side proxy tables in globals (`globalThis.Module`, `proxy_js_ref`…),
 * so two instances in one JS realm would trample each other. Each call into an instance first
 * swaps its own globals back in, which makes several instances per realm safe (one at a time).
 */

import { translateFsErrno } from './boardErrno';

const PKG = '@micropython/micropython-webassembly-pyscript';

/** Cells of the control SharedArrayBuffer (Int32). */
const CTL_INTERRUPT = 0;
const CTL_WAKE = 1;
const CTL_CELLS = 4;

/** Where the virtual board's own Python modules live in its filesystem (on `sys.path`). */
export const VBOARD_LIB_DIR = '/.vboard';

/** Directories of the Emscripten filesystem that are not the board's files. */
const NOT_BOARD_FILES = new Set(['/dev', '/proc', VBOARD_LIB_DIR]);

export interface BoardMicroPythonOptions {
  /** Size of MicroPython's GC heap in bytes (the `GC: total:` figure is slightly less). */
  heapBytes?: number;
  /** Console output, as a board sends it (`\r\n` line endings). Called in batches. */
  onStdout?: (bytes: Uint8Array) => void;
  /**
   * Control cells shared with the thread that owns the board (see `createBoardControl`), so that
   * thread can interrupt a program that runs here. Created if not given.
   */
  control?: SharedArrayBuffer;
  /** Python stack size in words (the package's default is 2048). */
  pystackWords?: number;
  /**
   * Collect at a sleep point when `gc.mem_alloc()` exceeds this fraction of the heap. A board
   * collects only when an allocation fails; this build cannot collect there (see above).
   */
  autoCollectFraction?: number;
  /** Files to put in the filesystem before boot (path → contents), e.g. kept across a reset. */
  files?: Map<string, Uint8Array>;
}

/** What the package's `loadMicroPython` returns (only the parts we use are typed). */
export interface RawMicroPython {
  _module: any;
  FS: any;
  runPython(code: string): unknown;
  runPythonAsync(code: string): Promise<unknown> | unknown;
  registerJsModule(name: string, module: object): void;
  pyimport(name: string): any;
  globals: { get(k: string): any; set(k: string, v: unknown): void; delete(k: string): void };
  replInit(): void;
  replProcessChar(chr: number): number;
}

/** Shared cells to interrupt a board running in another thread. */
export function createBoardControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(CTL_CELLS * 4);
}

/**
 * Ask the board that owns `control` for a KeyboardInterrupt (Ctrl-C). Safe from any thread; the
 * board notices it in its next sleep slice or printed byte. Ignored while no Python code runs.
 */
export function requestInterrupt(control: SharedArrayBuffer): void {
  const ctl = new Int32Array(control);
  Atomics.store(ctl, CTL_INTERRUPT, 1);
  Atomics.add(ctl, CTL_WAKE, 1);
  Atomics.notify(ctl, CTL_WAKE);
}

/** Globals the package's JS glue keeps per instance. */
const GLUE_GLOBALS = [
  'Module',
  'proxy_js_ref',
  'proxy_js_ref_next',
  'proxy_js_ref_map',
  'proxy_js_map',
  'proxy_js_existing',
  'pyProxyFinalizationRegistry',
] as const;

let activeGlue: BoardMicroPython | null = null;
let loadLock: Promise<unknown> = Promise.resolve();

type Finalizer = (free: (cRef: number) => void, cRef: number) => void;

interface Instantiated {
  mp: RawMicroPython;
  exports: any;
  setGrowthAllowed(allowed: boolean): void;
  /** Route the finalizers of the registries this load created through `f`. */
  setFinalizer(f: Finalizer): void;
}

/** Load one package instance, capturing its wasm exports and gating its memory growth. */
async function instantiate(opts: {
  heapBytes: number;
  pystackWords: number;
  onByte: (c: number) => void;
}): Promise<Instantiated> {
  const run = async (): Promise<Instantiated> => {
    const { loadMicroPython } = await import(/* @vite-ignore */ PKG);
    let exports: any = null;
    let growthAllowed = true;
    const original = WebAssembly.instantiate;
    // Emscripten instantiates through WebAssembly.instantiate(bytes, imports): wrap it for this
    // load only, to see the exports (memory, malloc, mp_js_do_exec) and to gate heap growth.
    (WebAssembly as any).instantiate = async (bin: any, imports: any) => {
      const env = imports?.env;
      if (env && typeof env.emscripten_resize_heap === 'function') {
        const resize = env.emscripten_resize_heap;
        env.emscripten_resize_heap = (n: number) => (growthAllowed ? resize(n) : 0);
      }
      // A board's errno values, not Emscripten's (see boardErrno.ts). env and
      // wasi_snapshot_preview1 may be one object: wrap each object once.
      const spaces = new Set<Record<string, unknown>>([imports?.env, imports?.wasi_snapshot_preview1].filter(Boolean));
      for (const space of spaces) translateFsErrno(space);
      const result = await original.call(WebAssembly, bin, imports);
      exports = (result as any).instance?.exports ?? exports;
      return result;
    };
    // The glue's FinalizationRegistry callback uses globalThis.Module when JS's GC runs it,
    // which may by then be another instance: let the board route it (see setFinalizer).
    let finalizer: Finalizer | null = null;
    const OriginalRegistry = globalThis.FinalizationRegistry;
    (globalThis as any).FinalizationRegistry = class<T> extends OriginalRegistry<T> {
      constructor(free: (held: T) => void) {
        super((held: T) => (finalizer ? finalizer(free as any, held as any) : free(held)));
      }
    };
    let mp: RawMicroPython;
    try {
      mp = await loadMicroPython({
        heapsize: opts.heapBytes,
        pystack: opts.pystackWords,
        linebuffer: false,
        // Raw bytes, one at a time (the package calls these per byte when linebuffer is false).
        stdout: (b: Uint8Array) => opts.onByte(b[0]),
        stderr: (b: Uint8Array) => opts.onByte(b[0]),
      });
    } finally {
      (WebAssembly as any).instantiate = original;
      (globalThis as any).FinalizationRegistry = OriginalRegistry;
    }
    if (!exports?.memory || !exports.malloc) throw new Error('MicroPython wasm exports not captured');
    return {
      mp,
      exports,
      setGrowthAllowed: (a) => (growthAllowed = a),
      setFinalizer: (f) => (finalizer = f),
    };
  };
  const p = loadLock.then(run, run);
  loadLock = p.catch(() => undefined);
  return p;
}

/** Python for the always-loaded core of the virtual board (kept tiny: it lives on the heap). */
function corePy(gcTotal: number, autoCollectBytes: number): string {
  return `from time import ticks_ms, ticks_diff, ticks_add
import gc as _g
import sys as _s
import __main__
import _vbjs
_w = _vbjs.wait
_c = _vbjs.collect
_src = _vbjs.src
_M = __main__.__dict__
T = []
SPLIT = _g.mem_free() + _g.mem_alloc() - ${gcTotal}
AUTO = ${autoCollectBytes}
def collect():
    _g.collect()
    _c()
def mem_free():
    return _g.mem_free() - SPLIT
def timers():
    # Run due Timer callbacks; return ms until the next one is due (at most 1000).
    n = 1000
    if T:
        now = ticks_ms()
        i = 0
        while i < len(T):
            t = T[i]
            i += 1
            d = ticks_diff(t._due, now)
            if d <= 0:
                if t._per:
                    t._due = ticks_add(t._due, t._per)
                    if ticks_diff(t._due, now) <= 0:
                        t._due = ticks_add(now, t._per)
                else:
                    T.remove(t)
                    i -= 1
                t._cb and t._cb(t)
                now = ticks_ms()
                d = ticks_diff(t._due, now)
            if d < n:
                n = d
    return n
def sleep_ms(ms):
    end = ticks_add(ticks_ms(), ms)
    while 1:
        if _g.isenabled() and _g.mem_alloc() > AUTO:
            collect()
        n = timers()
        r = ticks_diff(end, ticks_ms())
        if r <= 0:
            return
        _w(n if n < r else r)
def exe():
    # Run the source JS holds in __main__, printing an uncaught exception as the firmware does.
    # Called through a pre-bound proxy: nothing is compiled before the try, and printing the
    # traceback allocates nothing, so this works on a full heap.
    try:
        if _g.mem_alloc() > AUTO:
            collect()
        exec(compile(_src(), '<stdin>', 'exec'), _M)
        return 1
    except BaseException as e:
        _s.print_exception(e)
        return 0
def sleep(s):
    sleep_ms(int(s * 1000))
def sleep_us(us):
    sleep_ms(us // 1000)
`;
}

const TIME_PY = `from time import *
from _vb import sleep, sleep_ms, sleep_us
`;

const GC_PY = `from gc import *
from _vb import collect, mem_free
`;

const MACHINE_PY = `# machine for HeapScope's virtual board: Timer callbacks run at the program's sleep points.
from _vb import T, sleep_ms, ticks_ms, ticks_add
class Timer:
    ONE_SHOT = 0
    PERIODIC = 1
    def __init__(self, id=-1, *a, **k):
        self._id = id
        self._cb = None
        self._per = 0
        self._due = 0
        if a or k:
            self.init(*a, **k)
    def init(self, mode=1, period=-1, callback=None, freq=-1, tick_hz=1000):
        self.deinit()
        if freq > 0:
            period = 1000 / freq
        elif tick_hz != 1000 and period > 0:
            period = period * 1000 / tick_hz
        if period < 0:
            raise ValueError('period')
        p = max(1, int(period))
        self._per = p if mode == 1 else 0
        self._cb = callback
        self._due = ticks_add(ticks_ms(), p)
        T.append(self)
    def deinit(self):
        if self in T:
            T.remove(self)
    def __repr__(self):
        return 'Timer(%d, period=%d)' % (self._id, self._per)
def idle():
    sleep_ms(1)
def freq():
    return 160000000
def unique_id():
    return b'HSvirt01'
def reset_cause():
    return 4
`;

/**
 * asyncio like the firmware's (extmod/asyncio): a blocking `run`, built on the `_asyncio` C
 * module that this build has. Idle waits go through `time.sleep_ms`, so timers and Ctrl-C work.
 * No stream I/O (the virtual board has no sockets/UART).
 */
const ASYNCIO_PY = `# asyncio for HeapScope's virtual board (blocking run loop, like the firmware's).
from time import ticks_ms as ticks, ticks_diff, ticks_add, sleep_ms as _sleep
from _asyncio import TaskQueue, Task
__version__ = (3, 0, 0)
class CancelledError(BaseException):
    pass
class TimeoutError(Exception):
    pass
_task_queue = TaskQueue()  # this name: _asyncio.Task looks it up in these globals
_exc = {'message': 'Task exception wasn\\'t retrieved', 'exception': None, 'future': None}
cur_task = None
_stop = None
class SingletonGenerator:
    def __init__(self):
        self.state = None
        self.exc = StopIteration()
    def __iter__(self):
        return self
    def __next__(self):
        if self.state is not None:
            _task_queue.push(cur_task, self.state)
            self.state = None
            return None
        self.exc.__traceback__ = None
        raise self.exc
def sleep_ms(t, sgen=SingletonGenerator()):
    assert sgen.state is None
    sgen.state = ticks_add(ticks(), max(0, t))
    return sgen
def sleep(t):
    return sleep_ms(int(t * 1000))
def _promote(aw):
    return aw if isinstance(aw, Task) else create_task(aw)
def create_task(coro):
    if not hasattr(coro, 'send'):
        raise TypeError('coroutine expected')
    t = Task(coro, globals())
    _task_queue.push(t)
    return t
def current_task():
    if cur_task is None:
        raise RuntimeError('no running event loop')
    return cur_task
def run_until_complete(main_task=None):
    global cur_task
    excs_all = (CancelledError, Exception)
    excs_stop = (CancelledError, StopIteration)
    while True:
        t = _task_queue.peek()
        while t is None or ticks_diff(t.ph_key, ticks()) > 0:
            dt = 1000 if t is None else max(0, ticks_diff(t.ph_key, ticks()))
            _sleep(dt)
            t = _task_queue.peek()
        _task_queue.pop()
        cur_task = t
        try:
            exc = t.data
            if not exc:
                t.coro.send(None)
            else:
                t.data = None
                t.coro.throw(exc)
        except excs_all as er:
            if main_task is t:
                if isinstance(er, StopIteration):
                    return er.value
                raise er
            if t.state:
                waiting = False
                if t.state is True:
                    t.state = None
                elif callable(t.state):
                    t.state(t, er)
                    t.state = False
                    waiting = True
                else:
                    while t.state.peek():
                        _task_queue.push(t.state.pop())
                        waiting = True
                    t.state = False
                if not waiting and not isinstance(er, excs_stop):
                    _task_queue.push(t)
                t.data = er
            elif t.state is None:
                t.data = er
                if not isinstance(er, excs_stop):
                    _exc['exception'] = er
                    _exc['future'] = t
                    Loop.call_exception_handler(_exc)
def run(coro):
    return run_until_complete(create_task(coro))
class Loop:
    _exc_handler = None
    def create_task(coro):
        return create_task(coro)
    def run_forever():
        global _stop
        _stop = Task(_stopper(), globals())
        run_until_complete(_stop)
    def run_until_complete(aw):
        return run_until_complete(_promote(aw))
    def stop():
        global _stop
        if _stop is not None:
            _task_queue.push(_stop)
            _stop = None
    def close():
        pass
    def set_exception_handler(handler):
        Loop._exc_handler = handler
    def get_exception_handler():
        return Loop._exc_handler
    def default_exception_handler(loop, context):
        print(context['message'])
        print('future:', context['future'], 'coro=', context['future'].coro)
        import sys
        sys.print_exception(context['exception'])
    def call_exception_handler(context):
        (Loop._exc_handler or Loop.default_exception_handler)(Loop, context)
async def _stopper():
    pass
def get_event_loop(runq_len=0, waitq_len=0):
    return Loop
def new_event_loop():
    global _task_queue
    _task_queue = TaskQueue()
    return Loop
class Event:
    def __init__(self):
        self.state = False
        self.waiting = TaskQueue()
    def is_set(self):
        return self.state
    def set(self):
        while self.waiting.peek():
            _task_queue.push(self.waiting.pop())
        self.state = True
    def clear(self):
        self.state = False
    async def wait(self):
        if not self.state:
            self.waiting.push(cur_task)
            cur_task.data = self.waiting
            yield
        return True
class ThreadSafeFlag(Event):
    async def wait(self):
        await Event.wait(self)
        self.state = False
class Lock:
    def __init__(self):
        self.state = 0
        self.waiting = TaskQueue()
    def locked(self):
        return self.state == 1
    def release(self):
        if self.state != 1:
            raise RuntimeError('Lock not acquired')
        if self.waiting.peek():
            self.state = self.waiting.pop()
            _task_queue.push(self.state)
        else:
            self.state = 0
    async def acquire(self):
        if self.state != 0:
            self.waiting.push(cur_task)
            cur_task.data = self.waiting
            try:
                yield
            except CancelledError as e:
                if self.state == cur_task:
                    self.state = 1
                    self.release()
                raise e
        self.state = 1
        return True
    async def __aenter__(self):
        return await self.acquire()
    async def __aexit__(self, a, b, c):
        return self.release()
async def wait_for(aw, timeout, sleep=sleep):
    aw = _promote(aw)
    if timeout is None:
        return await aw
    res = [None, None]  # [status, result]: status None while waiting, True if done, else the exception
    async def runner(waiter, aw):
        try:
            r = await aw
            s = True
        except BaseException as er:
            s = er
            r = None
        if res[0] is None:
            res[0] = s
            res[1] = r
            waiter.cancel()
    rt = create_task(runner(cur_task, aw))
    try:
        await sleep(timeout)
    except CancelledError as er:
        if res[0] is True:
            return res[1]
        if res[0] is None:
            res[0] = True
            rt.cancel()
            raise er
        raise res[0]
    res[0] = True
    rt.cancel()
    await rt
    raise TimeoutError
def wait_for_ms(aw, timeout):
    return wait_for(aw, timeout, sleep_ms)
class _Remove:
    @staticmethod
    def remove(t):
        pass
async def gather(*aws, return_exceptions=False):
    if not aws:
        return []
    def done(t, er):
        if gather_task.data is not _Remove:
            return
        if not return_exceptions and not isinstance(er, StopIteration):
            gather_task.data = er
        else:
            state[0] -= 1
            if state[0]:
                return
            gather_task.data = None
        _task_queue.push(gather_task)
    ts = [_promote(aw) for aw in aws]
    state = [0]
    for i in range(len(ts)):
        if ts[i].state is True:
            ts[i].state = done
            state[0] += 1
        elif not ts[i].state:
            if not isinstance(ts[i].data, StopIteration) and not return_exceptions:
                raise ts[i].data
        else:
            raise RuntimeError("can't gather")
    cancel_all = False
    if state[0]:
        gather_task = cur_task
        cur_task.data = _Remove
        try:
            yield
        except CancelledError as er:
            cancel_all = True
            state[0] = er
    for i in range(len(ts)):
        if ts[i].state is done:
            ts[i].state = True
            if cancel_all:
                ts[i].cancel()
        elif isinstance(ts[i].data, StopIteration):
            ts[i] = ts[i].data.value
        else:
            ts[i] = ts[i].data
    if cancel_all:
        raise state[0]
    return ts
`;

const HIDDEN_FRAME_TEXT = `  File "${VBOARD_LIB_DIR}/_vb.py"`;
const HIDDEN_FRAME = Buffer.from(HIDDEN_FRAME_TEXT, 'latin1');

/**
 * Lone `\n` → `\r\n`; drop `, max new split: N` from the `GC:` line and traceback lines of
 * `_vb.py` (time.sleep and the program runner, C code on a board); batch the output.
 */
class ConsoleOut {
  private buf = new Uint8Array(8192);
  private len = 0;
  private lineStart = 0;
  private last = 0;
  constructor(private sink: ((bytes: Uint8Array) => void) | undefined) {}

  byte(c: number): void {
    if (c === 0x0a && this.last !== 0x0d) this.put(0x0d);
    this.put(c);
    this.last = c;
    if (c === 0x0a) {
      this.endLine();
      if (this.len >= 4096) this.flush();
    }
  }

  private put(c: number): void {
    if (this.len === this.buf.length) {
      const b = new Uint8Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.len++] = c;
  }

  private endLine(): void {
    const s = this.lineStart;
    // Traceback lines of the virtual board's own sleep/run code (C functions on a board).
    if (this.startsWith(s, HIDDEN_FRAME)) {
      this.len = s;
      return;
    }
    // "GC: total: 192064, used: …, free: …, max new split: 134217728\r\n"
    if (this.len - s > 12 && this.buf[s] === 0x47 && this.buf[s + 1] === 0x43 && this.buf[s + 2] === 0x3a) {
      const line = Buffer.from(this.buf.subarray(s, this.len)).toString('latin1');
      const fixed = line.replace(/, max new split: \d+/, '');
      if (fixed !== line) {
        this.len = s;
        for (let i = 0; i < fixed.length; i++) this.put(fixed.charCodeAt(i));
      }
    }
    this.lineStart = this.len;
  }

  private startsWith(at: number, prefix: Uint8Array): boolean {
    if (this.len - at < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) if (this.buf[at + i] !== prefix[i]) return false;
    return true;
  }

  /**
   * Hand over the output. Unless `everything`, a partial line that may yet be rewritten or
   * dropped (a `GC:` line, a hidden traceback line) is held back until it is complete.
   */
  flush(everything = false): void {
    let end = this.len;
    const partial = Buffer.from(this.buf.subarray(this.lineStart, this.len)).toString('latin1');
    if (
      !everything &&
      partial &&
      ('GC:'.startsWith(partial.slice(0, 3)) || HIDDEN_FRAME_TEXT.startsWith(partial.slice(0, HIDDEN_FRAME_TEXT.length)))
    ) {
      end = this.lineStart;
    }
    if (end === 0) return;
    const out = this.buf.slice(0, end);
    this.buf.copyWithin(0, end, this.len);
    this.len -= end;
    this.lineStart -= end;
    this.sink?.(out);
  }
}

/**
 * One MicroPython board. `reset()` replaces the interpreter (fresh heap) and keeps the files.
 */
export class BoardMicroPython {
  readonly heapBytes: number;
  /** Shared control cells; pass to the owning thread for `requestInterrupt`. */
  readonly control: SharedArrayBuffer;
  /** `GC: total:` bytes as MicroPython reports them. */
  gcTotal = 0;
  /** Whether collections at sleep points work (the call-depth counter was found). */
  midRunCollect = false;
  private raw!: RawMicroPython;
  private exports: any;
  private ctl: Int32Array;
  private out: ConsoleOut;
  private depthAddr = -1;
  private generation = 0;
  private runFn: any = null;
  private pendingSource = '';
  private nop: any = null;
  private nopOut = 0;
  private running = 0;
  private glue: Record<string, unknown> = {};
  private disposed = false;

  private constructor(private opts: Required<Omit<BoardMicroPythonOptions, 'onStdout' | 'files' | 'control'>> & BoardMicroPythonOptions) {
    this.heapBytes = opts.heapBytes;
    this.control = opts.control ?? createBoardControl();
    this.ctl = new Int32Array(this.control);
    this.out = new ConsoleOut(opts.onStdout);
  }

  static async load(options: BoardMicroPythonOptions = {}): Promise<BoardMicroPython> {
    const b = new BoardMicroPython({
      heapBytes: 192 * 1024,
      pystackWords: 2048,
      autoCollectFraction: 0.5,
      ...options,
    });
    await b.boot(options.files);
    return b;
  }

  /** The package's instance (`runPython`, `FS`, `replInit`, `_module`…). */
  get mp(): RawMicroPython {
    this.enter();
    return this.raw;
  }
  /** The Emscripten module. */
  get module(): any {
    return this.mp._module;
  }
  /** Emscripten's in-memory filesystem (`writeFile`, `readFile`, `readdir`…). */
  get FS(): any {
    return this.mp.FS;
  }

  private async boot(files?: Map<string, Uint8Array>): Promise<void> {
    // Loading replaces the glue globals: keep the current instance's first.
    if (activeGlue) for (const k of GLUE_GLOBALS) activeGlue.glue[k] = (globalThis as any)[k];
    const inst = await instantiate({
      heapBytes: this.heapBytes,
      pystackWords: this.opts.pystackWords,
      onByte: (c) => this.onByte(c),
    });
    this.raw = inst.mp;
    this.exports = inst.exports;
    const generation = ++this.generation;
    inst.setFinalizer((free, cRef) => {
      // The package's finalizer frees the Python object a dropped PyProxy kept alive, through
      // `globalThis.Module`: run it with this instance's globals in place, never another's
      // (nor those of the interpreter that replaced this one at a reset).
      if (this.disposed || generation !== this.generation) return;
      const prev = activeGlue;
      this.enter();
      try {
        free(cRef);
      } finally {
        if (prev && prev !== this && !prev.disposed) prev.enter();
      }
    });
    this.saveGlue();
    activeGlue = this;
    // Fix the heap: no more wasm memory, and Emscripten's free memory reserved except a slack
    // smaller than any area MicroPython would add (it asks for at least the current heap size).
    inst.setGrowthAllowed(false);
    const slackBytes = Math.max(4096, Math.min(128 * 1024, Math.floor(this.heapBytes / 2)));
    const slack = this.exports.malloc(slackBytes);
    for (let size = 1 << 30; size >= 64; ) {
      if (!this.exports.malloc(size)) size >>= 1;
    }
    if (slack) this.exports.free(slack);
    this.maxCodeBytes = Math.floor(slackBytes / 2);

    if (files) for (const [path, data] of files) this.writeFile(path, data);
    this.findDepthCounter();

    const figures = this.captureText('import micropython\nmicropython.mem_info()\ndel micropython');
    const total = /GC: total: (\d+)/.exec(figures);
    this.gcTotal = total ? Number(total[1]) : this.heapBytes;
    const autoBytes = Math.floor(this.gcTotal * this.opts.autoCollectFraction);

    const FS = this.raw.FS;
    try {
      FS.mkdir(VBOARD_LIB_DIR);
    } catch {
      /* exists */
    }
    FS.writeFile(`${VBOARD_LIB_DIR}/_vb.py`, corePy(this.gcTotal, autoBytes));
    FS.writeFile(`${VBOARD_LIB_DIR}/machine.py`, MACHINE_PY);
    FS.writeFile(`${VBOARD_LIB_DIR}/asyncio.py`, ASYNCIO_PY);
    const self = this;
    this.raw.registerJsModule('_vbjs', {
      wait: (ms: number) => self.wait(ms),
      collect: () => self.collectNow(),
      src: () => {
        const code = self.pendingSource;
        self.pendingSource = '';
        return code;
      },
    });
    // time and gc are built in: replace them in sys.modules. machine and asyncio are found on
    // sys.path (VBOARD_LIB_DIR before '.frozen', whose asyncio needs the JS event loop; the
    // other frozen modules stay importable), and so cost heap only when a program imports them.
    this.run(`import sys
sys.path[:] = ['', '${VBOARD_LIB_DIR}', '.frozen', '/lib']
import _vb
def _vbmod(name, src):
    f = open('${VBOARD_LIB_DIR}/_vbtmp.py', 'w')
    f.write(src)
    f.close()
    __import__('_vbtmp')
    m = sys.modules.pop('_vbtmp')
    m.__name__ = name
    sys.modules[name] = m
_vbmod('time', ${JSON.stringify(TIME_PY)})
_vbmod('utime', ${JSON.stringify(TIME_PY)})
_vbmod('gc', ${JSON.stringify(GC_PY)})
import os
os.remove('${VBOARD_LIB_DIR}/_vbtmp.py')
del _vbmod, os, sys, _vb
`);
    this.runFn = this.raw.pyimport('_vb').exe;
    this.flush();
  }

  /** Largest `runPython` source the JS glue can copy into wasm memory (see the slack above). */
  maxCodeBytes = 0;

  /**
   * Run Python source like the package's `runPython` (raises a `PythonError` for an uncaught
   * exception; the traceback is in `.message`, not on the console). Output is flushed after.
   */
  runPython(code: string): unknown {
    this.checkSize(code);
    return this.run(code);
  }

  private checkSize(code: string): void {
    const len = Buffer.byteLength(code);
    if (len > this.maxCodeBytes) {
      throw new Error(`source too long for the virtual board's glue (${len} > ${this.maxCodeBytes} bytes): put it in a file and import it`);
    }
  }

  private run(code: string): unknown {
    this.enter();
    Atomics.store(this.ctl, CTL_INTERRUPT, 0);
    this.running++;
    try {
      return this.raw.runPython(code);
    } finally {
      this.running--;
      this.flush(true);
    }
  }

  /**
   * Run source in `__main__` as a board runs a program: an uncaught exception's traceback goes
   * to the console (`Traceback (most recent call last):` … `MemoryError: …`) and the result is
   * false. Prefer this to `runPython` for user code: the source is compiled by Python inside a
   * try, so even a full heap ends in a printed MemoryError. (With `runPython`, an exception the
   * package's glue cannot allocate memory to report hangs the port for good.)
   */
  exec(code: string): boolean {
    this.checkSize(code);
    this.enter();
    Atomics.store(this.ctl, CTL_INTERRUPT, 0);
    this.pendingSource = code;
    this.running++;
    try {
      return Boolean(this.runFn());
    } catch (e: any) {
      // Only if printing the traceback itself failed (e.g. Ctrl-C during it).
      if (e?.name !== 'PythonError') throw e;
      const text = String(e.message ?? '');
      for (let i = 0; i < text.length; i++) this.onByte(text.charCodeAt(i) & 0xff);
      if (!text.endsWith('\n')) this.onByte(0x0a);
      return false;
    } finally {
      this.running--;
      this.pendingSource = '';
      this.flush(true);
    }
  }

  /** The REPL of the build (`replInit`/`replProcessChar`), with our console output handling. */
  replInit(): void {
    this.enter();
    this.raw.replInit();
    this.flush(true);
  }
  replProcessChar(chr: number): number {
    this.enter();
    this.running++;
    try {
      return this.raw.replProcessChar(chr);
    } finally {
      this.running--;
      this.flush(true);
    }
  }

  /**
   * Ctrl-C. While Python runs on this thread (i.e. from a callback it made, like console output)
   * the KeyboardInterrupt is scheduled at once; otherwise this is `requestInterrupt(control)`.
   */
  interrupt(): void {
    if (this.running > 0) {
      this.enter();
      this.exports.mp_sched_keyboard_interrupt();
    } else requestInterrupt(this.control);
  }

  /**
   * Hand pending console output to `onStdout`. A partial line that could still become a `GC:`
   * line (rewritten when complete) is held back unless `everything` is true: pass true when
   * the interpreter is idle and the output must be complete (e.g. before your own framing).
   */
  flush(everything = false): void {
    this.out.flush(everything);
  }

  writeFile(path: string, data: string | Uint8Array): void {
    const FS = this.FS;
    const parts = path.split('/').filter(Boolean);
    let dir = '';
    for (const p of parts.slice(0, -1)) {
      dir += '/' + p;
      try {
        FS.mkdir(dir);
      } catch {
        /* exists */
      }
    }
    FS.writeFile(path, data);
  }

  readFile(path: string): Uint8Array {
    return this.FS.readFile(path);
  }

  /** The board's files (path → contents), without the Emscripten and virtual-board internals. */
  listFiles(): Map<string, Uint8Array> {
    const FS = this.FS;
    const files = new Map<string, Uint8Array>();
    const walk = (dir: string) => {
      for (const name of FS.readdir(dir) as string[]) {
        if (name === '.' || name === '..') continue;
        const path = (dir === '/' ? '' : dir) + '/' + name;
        if (NOT_BOARD_FILES.has(path)) continue;
        const st = FS.stat(path);
        if (FS.isDir(st.mode)) walk(path);
        else if (FS.isFile(st.mode)) files.set(path, FS.readFile(path));
      }
    };
    walk('/');
    return files;
  }

  /**
   * Soft reset: a new interpreter with a fresh heap; the files survive, as on a board. Pending
   * output of the old one is flushed; timers and Python state are gone.
   */
  async reset(): Promise<void> {
    const files = this.listFiles();
    this.flush(true);
    this.releaseGlue();
    this.depthAddr = -1;
    this.midRunCollect = false;
    this.out = new ConsoleOut(this.opts.onStdout);
    await this.boot(files);
  }

  /** Forget the instance (its memory is freed when nothing else refers to it). */
  dispose(): void {
    this.flush(true);
    this.releaseGlue();
    this.disposed = true;
  }

  /** Collect now as at a sleep point; false if this build's depth counter was not found. */
  collectGarbage(): boolean {
    this.run('import gc\ngc.collect()\ndel gc');
    return this.midRunCollect;
  }

  // --- internals ---------------------------------------------------------------------------

  private onByte(c: number): void {
    this.out.byte(c);
    // A print point: notice Ctrl-C from another thread.
    if (this.running > 0 && Atomics.load(this.ctl, CTL_INTERRUPT)) this.takeInterrupt();
  }

  private takeInterrupt(): void {
    Atomics.store(this.ctl, CTL_INTERRUPT, 0);
    this.exports.mp_sched_keyboard_interrupt();
  }

  /** time.sleep's wait: up to `ms`, waking at once on Ctrl-C. Returns 1 if interrupted. */
  private wait(ms: number): number {
    this.flush();
    const end = performance.now() + Math.max(0, Number(ms) || 0);
    for (;;) {
      if (Atomics.load(this.ctl, CTL_INTERRUPT)) {
        this.takeInterrupt();
        return 1;
      }
      const rest = end - performance.now();
      if (rest <= 0) return 0;
      const seq = Atomics.load(this.ctl, CTL_WAKE);
      Atomics.wait(this.ctl, CTL_WAKE, seq, rest);
    }
  }

  /**
   * The port collects when its count of nested JS→C calls drops to 0. Called from Python parked
   * in a JS call (a sleep, gc.collect()), with the collection already requested by gc.collect():
   * pretend to be at the top level for one empty exec, then restore the count.
   */
  private collectNow(): void {
    if (this.depthAddr < 0 || !this.nop) return;
    const h32 = () => new Int32Array(this.exports.memory.buffer);
    const saved = h32()[this.depthAddr >> 2];
    h32()[this.depthAddr >> 2] = 0;
    try {
      // Call gc.isenabled() from "the top level": it allocates nothing, so this is safe on a
      // full heap (an allocation failing in the glue's error path would hang the port).
      this.exports.proxy_c_to_js_call(this.nop._ref, 0, 0, this.nopOut);
    } finally {
      h32()[this.depthAddr >> 2] = saved;
    }
  }

  /**
   * Find `external_call_depth` (a static in the data segment): the one word that reads 0 when
   * idle, 1, 2, 3 in nested JS→Python→JS calls and 0 again after. Then check a collection works.
   */
  private findDepthCounter(): void {
    const words = 1 << 18; // the first MiB holds the data segment and the C stack
    const snap = () => new Int32Array(this.exports.memory.buffer.slice(0, words * 4));
    const snaps: Int32Array[] = [snap()];
    const raw = this.raw;
    raw.registerJsModule('_vbprobe', {
      f: (n: number) => {
        snaps.push(snap());
        if (n < 3) raw.runPython(`_vbprobe.f(${n + 1})`);
      },
    });
    raw.runPython('import _vbprobe\n_vbprobe.f(1)\ndel _vbprobe\nimport sys\nsys.modules.pop("_vbprobe")\ndel sys');
    snaps.push(snap());
    const found: number[] = [];
    const [s0, s1, s2, s3, s4] = snaps;
    if (!s4) return;
    for (let i = 0; i < words; i++) {
      if (s0[i] === 0 && s1[i] === 1 && s2[i] === 2 && s3[i] === 3 && s4[i] === 0) found.push(i * 4);
    }
    if (found.length !== 1) return;
    this.depthAddr = found[0];
    // A builtin that allocates nothing, and a result buffer, for collectNow.
    this.nop = raw.pyimport('gc').isenabled;
    this.nopOut = this.exports.malloc(16);
    if (!this.nop || typeof this.nop._ref !== 'number' || !this.nopOut) {
      this.depthAddr = -1;
      return;
    }
    // Verify: garbage made in one run must be freed by a mid-run collection.
    const sink: number[] = [];
    raw.registerJsModule('_vbprobe2', {
      collect: () => this.collectNow(),
      note: (n: number) => sink.push(n),
    });
    try {
      raw.runPython(`import gc, _vbprobe2
for _i in range(64):
    bytearray(256)
_vbprobe2.note(gc.mem_alloc())
gc.collect()
_vbprobe2.collect()
_vbprobe2.note(gc.mem_alloc())
del _i, _vbprobe2, gc
import sys
sys.modules.pop('_vbprobe2')
del sys
`);
    } catch {
      /* keep sink as is */
    }
    this.midRunCollect = sink.length === 2 && sink[0] - sink[1] >= 64 * 256;
    if (!this.midRunCollect) this.depthAddr = -1;
  }

  /** Run code and return what it printed (used at boot, before the console is handed out). */
  private captureText(code: string): string {
    const chunks: Uint8Array[] = [];
    const sink = this.opts.onStdout;
    this.flush();
    this.out = new ConsoleOut((b) => chunks.push(b));
    try {
      this.run(code);
    } finally {
      this.out = new ConsoleOut(sink);
    }
    return Buffer.concat(chunks).toString('latin1');
  }

  private saveGlue(): void {
    const g = globalThis as any;
    for (const k of GLUE_GLOBALS) this.glue[k] = g[k];
  }

  /** Make this instance's JS-glue globals current (another instance may have replaced them). */
  private enter(): void {
    if (this.disposed) throw new Error('this MicroPython instance was disposed');
    if (activeGlue === this) return;
    const g = globalThis as any;
    if (activeGlue) for (const k of GLUE_GLOBALS) activeGlue.glue[k] = g[k];
    for (const k of GLUE_GLOBALS) g[k] = this.glue[k];
    activeGlue = this;
  }

  private releaseGlue(): void {
    if (activeGlue === this) activeGlue = null;
  }
}

/**
 * Load a MicroPython with a board-like fixed heap (see the top of this file for what differs
 * from the npm build and why).
 */
export function loadBoardMicroPython(options: BoardMicroPythonOptions = {}): Promise<BoardMicroPython> {
  return BoardMicroPython.load(options);
}
