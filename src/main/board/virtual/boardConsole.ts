/**
 * The USB serial console of the virtual board: MicroPython's REPL byte protocol (as in
 * `shared/runtime/pyexec.c`) around a `BoardMicroPython`. Runs in the board's worker thread.
 *
 * - Friendly REPL: the build's own event-driven REPL (`replProcessChar`: readline editing,
 *   history, auto-indent, paste mode, expression echo), with the banner rewritten to say the
 *   board is virtual.
 * - Raw REPL, raw-paste, soft reset, boot.py/main.py: served here, byte for byte as pyexec.c
 *   does, because the build's REPL has no raw-paste and no soft reset.
 *
 * Input arrives in chunks (`input`); bytes are consumed one at a time, and Python runs
 * synchronously while they are. Ctrl-C while code runs does not come through `input`: the owning
 * thread sees the byte while FLAG_INTERRUPT_ENABLED is set and calls `requestInterrupt(control)`.
 */
import type { BoardMicroPython } from './micropython';
import { CleanBoundaryScanner, syntaxCheckSource } from './pasteScan';

/** Where the console's files live in the interpreter's filesystem (the loader's own directory). */
const LIB = '/.vboard';
/** Code from the host is written here and run with `execfile`; tracebacks say `<stdin>`. */
const STDIN_SOURCE = `${LIB}/_hs_stdin.py`;
/** A raw-paste prefix to syntax-check. */
const CHECK_SOURCE = `${LIB}/_hs_check.py`;

/**
 * The console's runner, on the board's Python: runs a file in `__main__` with `execfile`, which
 * compiles while it reads the file, as a board compiles raw-paste code while receiving it (the
 * source never sits on the GC heap). Called through pre-bound references, and printing the
 * traceback allocates nothing, so it works on a full heap. (Letting an exception out to the
 * package's JS glue instead can hang the port when the glue cannot allocate to report it.)
 * `run(0)`: host code with pyexec's framing (`\x04` before the traceback); 1: main.py; 2: boot.py.
 */
const RUNNER_PY = `import sys
import __main__
import _hsjs
_st = _hsjs.status
_pe = sys.print_exception
_M = __main__.__dict__
_P = ('${STDIN_SOURCE}', 'main.py', 'boot.py')
def run(k):
    try:
        execfile(_P[k], _M)
        _st(1)
    except SystemExit:
        _st(2)
    except BaseException as e:
        if k == 0:
            print('\\x04', end='')
        _pe(e)
        _st(0)
def check():
    try:
        execfile('${CHECK_SOURCE}', {})
    except SyntaxError as e:
        _pe(e)
    except BaseException:
        pass
del sys, __main__, _hsjs
`;

/** How the runner ended: 1 normally, 2 SystemExit, 0 an exception (printed), -1 not at all. */
type RunStatus = -1 | 0 | 1 | 2;
/** pyexec's PYEXEC_FORCED_EXIT: a soft reset is wanted. */
const FORCED_EXIT = 0x100;
/** MICROPY_REPL_STDIN_BUFFER_MAX / 2 on most ports. */
export const RAW_PASTE_WINDOW = 128;
/** How many new bytes of complete lines trigger a syntax check during raw-paste. */
const PASTE_CHECK_STEP = 256;

export const RAW_BANNER = 'raw REPL; CTRL-B to exit\r\n';
const BUILD_MACHINE = '; JS with Emscripten';

/** Cells of the console's own shared flags (Int32). */
export const FLAG_INTERRUPT_ENABLED = 0;
export const FLAG_CELLS = 4;

/** Cell of the loader's control buffer that holds a pending Ctrl-C (see `requestInterrupt`). */
const CTL_INTERRUPT = 0;

type Mode = 'friendly' | 'raw' | 'paste' | 'drain';
type ExecEnd = 'ok' | 'exit';

export interface FilesSnapshot {
  files: [string, Uint8Array][];
  dirs: string[];
}

export interface BoardConsoleOptions {
  /** The interpreter (already loaded; its `onStdout` must be wired to `onBoardOutput`). */
  load(onStdout: (bytes: Uint8Array) => void): Promise<BoardMicroPython>;
  /** Board → host bytes. */
  send(bytes: Uint8Array): void;
  /** The filesystem changed (after a command ran): what it holds now. */
  filesChanged?(snapshot: FilesSnapshot): void;
  /** Shared flags (FLAG_*), read by the thread that forwards host bytes. */
  flags: Int32Array;
  /** The loader's control cells (its `control` buffer). */
  control: Int32Array;
  /** What the banner says after `MicroPython vX on DATE; `. */
  machine: string;
  /** Booted: main.py is running (Ctrl-C can stop it) or the REPL prompt is out. Once. */
  onPoweredOn?(): void;
}

export class BoardConsole {
  private mp!: BoardMicroPython;
  private mode: Mode = 'friendly';
  private queue: Uint8Array[] = [];
  private queuePos = 0;
  private pumping = false;
  private line = new Growable();
  private paste = new Growable();
  private pasteRemain = 0;
  private scanner = new CleanBoundaryScanner();
  private pasteChecked = 0;
  private drainError = '';
  private capture: Uint8Array[] | null = null;
  private fingerprint = '';
  private closed = false;
  private frames = new HiddenFrameFilter();
  private runner: { run(which: number): unknown; check(): unknown } | null = null;
  private status: RunStatus = -1;
  private executing = false;
  private holdPrompt = false;
  private heldPrompt: Uint8Array | null = null;

  constructor(private readonly opts: BoardConsoleOptions) {}

  /** Power on: load MicroPython, run boot.py and main.py, print the banner and `>>> `. */
  async start(): Promise<void> {
    this.mp = await this.opts.load((bytes) => this.onBoardOutput(bytes));
    this.tidyFilesystem();
    this.installRunner();
    this.fingerprint = this.filesFingerprint();
    await this.afterBoot();
    this.poweredOn();
    void this.pump();
  }

  /** Host → board bytes. */
  input(bytes: Uint8Array): void {
    if (this.closed || bytes.length === 0) return;
    this.queue.push(bytes);
    void this.pump();
  }

  close(): void {
    this.closed = true;
    this.queue = [];
  }

  // --- input loop --------------------------------------------------------------------------

  private async pump(): Promise<void> {
    if (this.pumping || !this.mp) return;
    this.pumping = true;
    try {
      for (;;) {
        const c = this.nextByte();
        if (c < 0 || this.closed) break;
        try {
          const wait = this.handle(c);
          if (wait) await wait;
        } catch (err) {
          // A bug here must not take the console down: say so, as a board prints a fault.
          this.internalError(err);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private nextByte(): number {
    while (this.queue.length) {
      const head = this.queue[0];
      if (this.queuePos < head.length) return head[this.queuePos++];
      this.queue.shift();
      this.queuePos = 0;
    }
    return -1;
  }

  private handle(c: number): Promise<void> | void {
    switch (this.mode) {
      case 'friendly':
        return this.friendlyByte(c);
      case 'raw':
        return this.rawByte(c);
      case 'paste':
        return this.pasteByte(c);
      case 'drain':
        return this.drainByte(c);
    }
  }

  // --- friendly REPL -------------------------------------------------------------------------

  private friendlyByte(c: number): Promise<void> | void {
    if (c === 0x01 || c === 0x02) {
      // Ctrl-A (raw REPL) / Ctrl-B (banner) on an empty line; elsewhere cursor movement.
      const text = this.captured(() => this.mp.replProcessChar(c));
      if (c === 0x01 && text.endsWith(RAW_BANNER + '>')) {
        this.mode = 'raw';
        this.line.clear();
      }
      this.sendText(this.fixBanner(text));
      return;
    }
    // Enter (and Ctrl-D in paste mode / continuation lines) may run code: let Ctrl-C through.
    const mayRun = c === 0x0d || c === 0x0a || c === 0x04;
    let ret = 0;
    if (mayRun) {
      this.setInterruptible(true);
      this.holdPrompt = true;
    }
    try {
      ret = this.mp.replProcessChar(c);
    } catch (err) {
      this.internalError(err);
    } finally {
      if (mayRun) {
        this.mp.flush();
        this.setInterruptible(false);
        this.holdPrompt = false;
        this.releasePrompt();
      }
    }
    if (mayRun) this.syncFiles();
    if (ret & FORCED_EXIT) return this.softReset();
  }

  // --- raw REPL ------------------------------------------------------------------------------

  private rawByte(c: number): Promise<void> | void {
    if (c === 0x01) {
      if (this.line.length === 2 && this.line.buf[0] === 0x05) return this.startPaste(this.line.buf[1]);
      this.line.clear();
      this.sendText(RAW_BANNER + '>');
      return;
    }
    if (c === 0x02) {
      // Back to the friendly REPL: the build's REPL is still in raw mode; its Ctrl-B prints
      // "\r\n" + banner + ">>> ", exactly what a board prints here.
      this.line.clear();
      this.mode = 'friendly';
      const text = this.captured(() => this.mp.replProcessChar(0x02));
      this.sendText(this.fixBanner(text));
      return;
    }
    if (c === 0x03) {
      this.line.clear();
      return;
    }
    if (c !== 0x04) {
      this.line.push(c);
      return;
    }
    this.sendText('OK');
    if (this.line.length === 0) {
      this.sendText('\r\n');
      return this.softReset();
    }
    const code = this.line.take();
    if (this.execSource(code) === 'exit') return this.softReset();
    this.sendText('>');
  }

  private startPaste(kind: number): void {
    this.line.clear();
    if (kind !== 0x41 /* A */) {
      this.sendText('R\x00>');
      return;
    }
    // "R\x01", the window size (u16 LE), and a first window credit.
    this.send(Uint8Array.of(0x52, 0x01, RAW_PASTE_WINDOW & 0xff, RAW_PASTE_WINDOW >> 8, 0x01));
    this.mode = 'paste';
    this.paste.clear();
    this.pasteRemain = RAW_PASTE_WINDOW;
    this.scanner = new CleanBoundaryScanner();
    this.pasteChecked = 0;
  }

  private pasteByte(c: number): Promise<void> | void {
    if (c === 0x03 || c === 0x04) {
      this.send(Uint8Array.of(0x04)); // end of data acknowledged
      this.mode = 'raw';
      const code = this.paste.take();
      if (c === 0x03) {
        // The reader raises KeyboardInterrupt (no traceback: no code ran).
        this.sendText('\x04KeyboardInterrupt: \r\n\x04>');
        return;
      }
      if (this.execSource(code) === 'exit') return this.softReset();
      this.sendText('>');
      return;
    }
    this.paste.push(c);
    if (--this.pasteRemain === 0) {
      this.send(Uint8Array.of(0x01));
      this.pasteRemain = RAW_PASTE_WINDOW;
      this.checkPastePrefix();
    }
  }

  /**
   * A board's parser reads raw-paste code as it arrives and stops the transfer at a syntax
   * error. Check the complete lines received so far; on an error in them, end the transfer as a
   * board does: `\x04` now, then wait for the host's `\x04`, then report the error.
   */
  private checkPastePrefix(): void {
    this.scanner.scan(this.paste.buf, this.paste.length);
    const end = this.scanner.clean;
    // Check every PASTE_CHECK_STEP bytes at first, then every quarter more: each check
    // compiles the whole prefix, so this keeps the total work linear in the code's size.
    if (end - this.pasteChecked < Math.max(PASTE_CHECK_STEP, this.pasteChecked / 4)) return;
    this.pasteChecked = end;
    const prefix = Buffer.from(this.paste.buf.subarray(0, end)).toString('utf8');
    let text: string;
    try {
      this.mp.FS.writeFile(CHECK_SOURCE, syntaxCheckSource(prefix));
      text = this.captured(() => this.runner?.check());
    } catch {
      return;
    }
    const m = /^Traceback \(most recent call last\):\r\n {2}File "<stdin>", line (\d+)\r\n(?:SyntaxError|IndentationError)/.exec(text);
    if (!m) return;
    const line = Number(m[1]) - 1;
    // An error at the end of the prefix may only mean "more to come".
    if (!(line >= 1 && line < this.scanner.cleanLines)) return;
    this.drainError = text.replace(/, line \d+/, `, line ${line}`);
    this.send(Uint8Array.of(0x04));
    this.mode = 'drain';
  }

  private drainByte(c: number): void {
    if (c !== 0x03 && c !== 0x04) return;
    this.paste.clear();
    this.mode = 'raw';
    this.sendText('\x04' + crlf(this.drainError) + '\x04>');
    this.drainError = '';
  }

  // --- running code --------------------------------------------------------------------------

  /**
   * pyexec's parse_compile_execute with EXEC_FLAG_PRINT_EOF: the program's output, `\x04`, the
   * traceback if any, `\x04`. Returns 'exit' for SystemExit (the caller soft-resets).
   */
  private execSource(code: Uint8Array): ExecEnd {
    this.mp.FS.writeFile(STDIN_SOURCE, code);
    const status = this.runCode(0);
    try {
      this.mp.FS.unlink(STDIN_SOURCE);
    } catch {
      /* gone */
    }
    // The runner printed the first \x04 itself before a traceback.
    this.sendText(status === 0 ? '\x04' : '\x04\x04');
    this.syncFiles();
    return status === 2 ? 'exit' : 'ok';
  }

  /** pyexec_file_if_exists: run a file of the board, tracebacks straight to the console. */
  private runFile(name: 'main.py' | 'boot.py'): ExecEnd {
    try {
      if (!this.mp.FS.analyzePath('/' + name).exists) return 'ok';
    } catch {
      return 'ok';
    }
    const status = this.runCode(name === 'main.py' ? 1 : 2);
    this.syncFiles();
    return status === 2 ? 'exit' : 'ok';
  }

  private runCode(which: 0 | 1 | 2): RunStatus {
    this.status = -1;
    this.setInterruptible(true);
    if (which === 1) this.poweredOn();
    this.executing = true;
    try {
      if (!this.runner) throw new Error('the runner is not loaded');
      this.runner.run(which);
    } catch (err) {
      this.internalError(err);
    } finally {
      this.executing = false;
      this.mp.flush();
      this.setInterruptible(false);
    }
    return this.status;
  }

  /** Load the runner into a freshly booted interpreter. */
  private installRunner(): void {
    const raw = this.mp.mp;
    raw.registerJsModule('_hsjs', {
      status: (n: number) => {
        this.status = n as RunStatus;
      },
    });
    try {
      this.mp.FS.mkdir(LIB);
    } catch {
      /* exists */
    }
    this.mp.FS.writeFile(`${LIB}/_hsrun.py`, RUNNER_PY);
    const mod = raw.pyimport('_hsrun');
    this.runner = { run: mod.run, check: mod.check };
  }

  private internalError(err: unknown): void {
    this.mp.flush();
    this.sendText(`\r\nRuntimeError: virtual board: ${(err as Error)?.message ?? String(err)}\r\n`);
  }

  private poweredOnSent = false;
  private poweredOn(): void {
    if (this.poweredOnSent) return;
    this.poweredOnSent = true;
    this.opts.onPoweredOn?.();
  }

  // --- reset ---------------------------------------------------------------------------------

  /** Soft reset: fresh interpreter and heap, files kept; boot.py, then main.py (friendly only). */
  private async softReset(): Promise<void> {
    const rawMode = this.mode !== 'friendly';
    this.mode = rawMode ? 'raw' : 'friendly';
    this.line.clear();
    this.paste.clear();
    this.sendText('MPY: soft reboot\r\n');
    const dirs = this.listDirs();
    await this.mp.reset();
    for (const d of dirs) this.mkdirs(d);
    this.tidyFilesystem();
    this.installRunner();
    await this.afterBoot();
  }

  /** What a port's main() does after (re)initialising: boot.py, main.py, then the REPL prompt. */
  private async afterBoot(): Promise<void> {
    const raw = this.mode !== 'friendly';
    this.runFile('boot.py');
    if (!raw) this.runFile('main.py');
    const banner = this.captured(() => this.mp.replInit());
    if (raw) {
      this.captured(() => this.mp.replProcessChar(0x01));
      this.sendText(RAW_BANNER + '>');
    } else {
      // The build prints "\r\n" before its banner; a board after boot does not.
      this.sendText(this.fixBanner(banner).replace(/^\r\n/, ''));
    }
  }

  // --- output --------------------------------------------------------------------------------

  /** What the interpreter prints, minus the virtual board's own traceback entries. */
  private onBoardOutput(bytes: Uint8Array): void {
    // A print point of a program the runner runs: notice Ctrl-C (sleeps notice it themselves).
    if (this.executing && Atomics.load(this.opts.control, CTL_INTERRUPT) === 1) {
      Atomics.store(this.opts.control, CTL_INTERRUPT, 0);
      this.mp.module._mp_sched_keyboard_interrupt();
    }
    const out = this.frames.feed(bytes);
    if (out.length) this.deliver(out);
  }

  /**
   * Everything the interpreter printed, including a partial last line. The loader's `flush()`
   * holds back a partial line that could still become a `GC:` line (to rewrite it when
   * complete); our framing bytes must not overtake it, so take it from the loader's console
   * buffer. TODO: a public "flush everything" on BoardMicroPython would replace this.
   */
  private flushAll(): void {
    if (!this.mp) return;
    this.mp.flush();
    const out = (this.mp as unknown as { out?: { buf?: unknown; len?: unknown; lineStart?: unknown } }).out;
    if (out && out.buf instanceof Uint8Array && typeof out.len === 'number' && typeof out.lineStart === 'number' && out.len > 0) {
      const rest = out.buf.slice(0, out.len);
      out.len = 0;
      out.lineStart = 0;
      this.onBoardOutput(rest);
    }
  }

  private deliver(bytes: Uint8Array): void {
    if (this.capture) {
      this.capture.push(bytes.slice());
      return;
    }
    this.releasePrompt();
    if (this.holdPrompt && bytes.length >= 4) {
      // The build's REPL prints its next prompt before the code's section ends. Hold it until
      // Ctrl-C stops being an interrupt, or a host that answers the prompt with Ctrl-C at once
      // would interrupt nothing (and lose its Ctrl-C).
      const tail = Buffer.from(bytes.subarray(bytes.length - 4)).toString('latin1');
      if (tail === '>>> ' || tail === '... ' || tail === '=== ') {
        this.heldPrompt = bytes.slice(bytes.length - 4);
        bytes = bytes.subarray(0, bytes.length - 4);
        if (!bytes.length) return;
      }
    }
    this.opts.send(bytes);
  }

  private releasePrompt(): void {
    const held = this.heldPrompt;
    if (!held) return;
    this.heldPrompt = null;
    this.opts.send(held);
  }

  /** Our own protocol bytes, after whatever the interpreter printed before them. */
  private send(bytes: Uint8Array): void {
    this.flushAll();
    const held = this.frames.release();
    if (held.length) this.deliver(held);
    this.deliver(bytes);
  }

  private sendText(text: string): void {
    if (text) this.send(Buffer.from(text, 'latin1'));
  }

  /** Run `fn` and return what the interpreter printed meanwhile instead of sending it. */
  private captured(fn: () => unknown): string {
    this.mp.flush();
    const saved = this.capture;
    const chunks: Uint8Array[] = [];
    this.capture = chunks;
    try {
      fn();
      this.mp.flush();
    } finally {
      this.capture = saved;
    }
    return Buffer.concat(chunks).toString('latin1');
  }

  private fixBanner(text: string): string {
    return text.split(BUILD_MACHINE).join('; ' + this.opts.machine);
  }

  // --- Ctrl-C --------------------------------------------------------------------------------

  private setInterruptible(on: boolean): void {
    // Any Ctrl-C left from before belongs to no code: drop it (the owner only requests an
    // interrupt while the flag is set). One that came as the code ended is dropped too, as
    // pyexec clears pending exceptions.
    if (on) Atomics.store(this.opts.control, CTL_INTERRUPT, 0);
    Atomics.store(this.opts.flags, FLAG_INTERRUPT_ENABLED, on ? 1 : 0);
    if (!on) Atomics.store(this.opts.control, CTL_INTERRUPT, 0);
  }

  // --- filesystem ----------------------------------------------------------------------------

  /** Emscripten's default /tmp and /home are no board's: remove them while empty. */
  private tidyFilesystem(): void {
    const FS = this.mp.FS;
    for (const d of ['/home/web_user', '/home', '/tmp']) {
      try {
        FS.rmdir(d);
      } catch {
        /* not empty or gone */
      }
    }
  }

  private walk(visit: (path: string, st: any, isDir: boolean) => void): void {
    const FS = this.mp.FS;
    const skip = new Set(['/dev', '/proc', '/.vboard']);
    const rec = (dir: string) => {
      let names: string[];
      try {
        names = FS.readdir(dir);
      } catch {
        return;
      }
      for (const name of names) {
        if (name === '.' || name === '..') continue;
        const path = (dir === '/' ? '' : dir) + '/' + name;
        if (skip.has(path)) continue;
        let st: any;
        try {
          st = FS.stat(path);
        } catch {
          continue;
        }
        const isDir = FS.isDir(st.mode);
        visit(path, st, isDir);
        if (isDir) rec(path);
      }
    };
    rec('/');
  }

  private listDirs(): string[] {
    const dirs: string[] = [];
    this.walk((p, _st, isDir) => isDir && dirs.push(p));
    return dirs;
  }

  private mkdirs(path: string): void {
    let dir = '';
    for (const part of path.split('/').filter(Boolean)) {
      dir += '/' + part;
      try {
        this.mp.FS.mkdir(dir);
      } catch {
        /* exists */
      }
    }
  }

  private filesFingerprint(): string {
    const parts: string[] = [];
    this.walk((p, st, isDir) => {
      const m = st.mtime instanceof Date ? st.mtime.getTime() : Number(st.mtime ?? 0);
      parts.push(isDir ? `${p}/` : `${p}:${st.size}:${m}`);
    });
    return parts.join('\n');
  }

  /** Tell the owner about changed files, so they survive a hard reset of the worker. */
  private syncFiles(): void {
    if (!this.opts.filesChanged) return;
    const fp = this.filesFingerprint();
    if (fp === this.fingerprint) return;
    this.fingerprint = fp;
    const snapshot: FilesSnapshot = { files: [], dirs: [] };
    this.walk((p, _st, isDir) => {
      if (isDir) snapshot.dirs.push(p);
      else snapshot.files.push([p, this.mp.FS.readFile(p) as Uint8Array]);
    });
    this.opts.filesChanged(snapshot);
  }
}

/**
 * Drops traceback entries of the virtual board's own Python (`/.vboard/…`: its `time.sleep`,
 * `machine.Timer`, `asyncio`), which are C functions on a board and show no frame there:
 * lines `  File "/.vboard/…", line N, in f` and the source line some builds print under them.
 * Streaming: a partial line that could still become such an entry is held back.
 */
export class HiddenFrameFilter {
  private static readonly PREFIX = '  File "/.vboard/';
  /** Files that hold code from the host: their entries are the host's `<stdin>`. */
  private static readonly STDIN_FILES = ['  File "/.vboard/_hs_stdin.py"', '  File "/.vboard/_hs_check.py"'];

  private static rename(line: string): string | null {
    for (const f of HiddenFrameFilter.STDIN_FILES) if (line.startsWith(f)) return '  File "<stdin>"' + line.slice(f.length);
    return null;
  }
  private held = '';
  private atLineStart = true;

  feed(bytes: Uint8Array): Uint8Array {
    let text = this.held + Buffer.from(bytes).toString('latin1');
    this.held = '';
    let out = '';
    const P = HiddenFrameFilter.PREFIX;
    while (text.length) {
      if (!this.atLineStart) {
        const nl = text.indexOf('\n');
        if (nl < 0) {
          out += text;
          text = '';
          break;
        }
        out += text.slice(0, nl + 1);
        text = text.slice(nl + 1);
        this.atLineStart = true;
        continue;
      }
      const nl = text.indexOf('\n');
      const line = nl < 0 ? text : text.slice(0, nl + 1);
      if (nl < 0) {
        if (P.startsWith(line) || line.startsWith(P)) {
          this.held = text;
          text = '';
          break;
        }
      } else if (line.startsWith(P)) {
        const renamed = HiddenFrameFilter.rename(line);
        if (renamed) out += renamed;
        text = text.slice(nl + 1);
        continue;
      }
      out += line;
      text = nl < 0 ? '' : text.slice(nl + 1);
      this.atLineStart = nl >= 0;
    }
    return Buffer.from(out, 'latin1');
  }

  /** Whatever is held back, when more output is known not to follow on that line. */
  release(): Uint8Array {
    const held = this.held;
    this.held = '';
    if (held) this.atLineStart = held.endsWith('\n');
    return Buffer.from(held, 'latin1');
  }
}

/** A byte buffer that grows. */
class Growable {
  buf = new Uint8Array(256);
  length = 0;
  push(c: number): void {
    if (this.length === this.buf.length) {
      const b = new Uint8Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.length++] = c;
  }
  clear(): void {
    this.length = 0;
    if (this.buf.length > 64 * 1024) this.buf = new Uint8Array(256);
  }
  /** The contents (a copy), then clear. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.clear();
    return out;
  }
}

/** Board consoles end lines with \r\n. */
function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
