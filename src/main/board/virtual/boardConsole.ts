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
 * thread sees the byte while `interruptEnabled` is set and calls `requestInterrupt(control)`.
 */
import type { BoardMicroPython } from './micropython';
import { CleanBoundaryScanner, syntaxCheckSource } from './pasteScan';

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

  constructor(private readonly opts: BoardConsoleOptions) {}

  /** Power on: load MicroPython, run boot.py and main.py, print the banner and `>>> `. */
  async start(): Promise<void> {
    this.mp = await this.opts.load((bytes) => this.onBoardOutput(bytes));
    this.tidyFilesystem();
    this.fingerprint = this.filesFingerprint();
    await this.afterBoot();
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
        const wait = this.handle(c);
        if (wait) await wait;
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
    if (mayRun) this.setInterruptible(true);
    try {
      ret = this.mp.replProcessChar(c);
    } catch (err) {
      this.internalError(err);
    } finally {
      if (mayRun) this.setInterruptible(false);
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
    if (end - this.pasteChecked < PASTE_CHECK_STEP) return;
    this.pasteChecked = end;
    const prefix = Buffer.from(this.paste.buf.subarray(0, end)).toString('utf8');
    const source = syntaxCheckSource(prefix);
    if (Buffer.byteLength(source) > this.mp.maxCodeBytes) return;
    try {
      this.mp.runPython(source);
    } catch (err: any) {
      if (err?.name !== 'PythonError' || !/^(SyntaxError|IndentationError)$/.test(String(err.type))) return;
      const text = String(err.message ?? '');
      const m = /, line (\d+)/.exec(text);
      const line = m ? Number(m[1]) - 1 : NaN;
      // An error at the end of the prefix may only mean "more to come".
      if (!(line >= 1 && line < this.scanner.cleanLines)) return;
      this.drainError = text.replace(/, line \d+/, `, line ${line}`);
      this.send(Uint8Array.of(0x04));
      this.mode = 'drain';
    }
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
    const { error, exit } = this.runCode(Buffer.from(code).toString('utf8'), '<stdin>');
    this.mp.flush();
    this.sendText('\x04' + (error ? crlf(error) : '') + '\x04');
    this.syncFiles();
    return exit ? 'exit' : 'ok';
  }

  /** pyexec_file_if_exists: run a file of the board, tracebacks straight to the console. */
  private runFile(name: string): ExecEnd {
    const path = '/' + name;
    let source: string;
    try {
      if (!this.mp.FS.analyzePath(path).exists) return 'ok';
      source = this.mp.FS.readFile(path, { encoding: 'utf8' }) as string;
    } catch {
      return 'ok';
    }
    const { error, exit } = this.runCode(source, name);
    this.mp.flush();
    if (error) this.sendText(crlf(error));
    this.syncFiles();
    return exit ? 'exit' : 'ok';
  }

  private runCode(source: string, name: string): { error: string | null; exit: boolean } {
    let error: string | null = null;
    let exit = false;
    this.setInterruptible(true);
    try {
      if (Buffer.byteLength(source) <= this.mp.maxCodeBytes) {
        this.mp.runPython(source);
      } else {
        this.runLarge(source);
      }
    } catch (err: any) {
      if (err?.name === 'PythonError') {
        if (err.type === 'SystemExit') exit = true;
        else error = String(err.message ?? '');
      } else {
        error = `RuntimeError: virtual board: ${err?.message ?? String(err)}\n`;
      }
    } finally {
      this.setInterruptible(false);
    }
    if (error) error = error.replace(/^  File "\/\.vboard\/[^\n]*\n/gm, '');
    if (error && name !== '<stdin>') error = error.split('File "<stdin>"').join(`File "${name}"`);
    return { error, exit };
  }

  /**
   * Source longer than the loader's copy buffer: store it in a file and compile it from there
   * (the text then sits on the GC heap while it compiles). Drop the wrapper's traceback entry.
   */
  private runLarge(source: string): void {
    const path = '/.vboard/_hs_src.py';
    this.mp.FS.writeFile(path, source);
    try {
      this.mp.runPython(`exec(compile(open('${path}').read(),'<stdin>','exec'))`);
    } catch (err: any) {
      if (err?.name === 'PythonError' && typeof err.message === 'string') {
        err.message = err.message.replace(/^(Traceback \(most recent call last\):\n)  File "<stdin>", line 1, in <module>\n/, '$1');
      }
      throw err;
    } finally {
      try {
        this.mp.FS.unlink(path);
      } catch {
        /* gone */
      }
    }
  }

  private internalError(err: unknown): void {
    this.mp.flush();
    this.sendText(`\r\nRuntimeError: virtual board: ${(err as Error)?.message ?? String(err)}\r\n`);
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
    const out = this.frames.feed(bytes);
    if (out.length) this.deliver(out);
  }

  private deliver(bytes: Uint8Array): void {
    if (this.capture) this.capture.push(bytes.slice());
    else this.opts.send(bytes);
  }

  /** Our own protocol bytes, after whatever the interpreter printed before them. */
  private send(bytes: Uint8Array): void {
    this.mp?.flush();
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
    Atomics.store(this.opts.flags, FLAG_INTERRUPT_ENABLED, on ? 1 : 0);
    // A Ctrl-C that came as the code ended is dropped, as pyexec clears pending exceptions.
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
