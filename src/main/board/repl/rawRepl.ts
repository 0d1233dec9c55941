/**
 * The raw-REPL protocol of MicroPython (and CircuitPython) boards, as in BOARD-PROTOCOL.md:
 * taking control, exec with stdout and stderr kept apart, raw-paste with flow control and a
 * fallback to plain raw mode, soft reset, and running a program while streaming its output.
 * Every read has a deadline except the output of a running user program; one transaction
 * runs at a time.
 */
import { BoardError, BoardExecError, noAnswerError } from '../serial/errors';
import type { Link } from '../serial/link';
import { DEFAULT_SILENCE_MS, LinkReader, sleep } from './linkReader';
import { Mutex } from './mutex';
import { decodeUtf8 } from './utf8';

export const RAW_BANNER = 'raw REPL; CTRL-B to exit\r\n>';
const RAW_BANNER_TAIL = 'w REPL; CTRL-B to exit\r\n>';
const FRIENDLY_BANNER_END = 'for more information.\r\n>>> ';
/** An ESP32/ESP8266 boot ROM line after a reset: `rst:0x1 (POWERON_RESET),boot:0x13 …`. */
const ESP_ROM_RESET = /(^|\n)rst:0x[0-9a-f]+ \([A-Z_]+\),boot:0x/;
const CTRL_C = '\r\x03';
const EOT = 0x04;

export interface ExecResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** Decoded for display (UTF-8, invalid bytes replaced). */
  stdoutText: string;
  stderrText: string;
}

export interface RunResult {
  /**
   * finished: the program ended (stderr says how);
   * reset: the board soft-reset or rebooted under it (a banner appeared);
   * cancelled: the caller's signal fired before the program ended.
   */
  end: 'finished' | 'reset' | 'cancelled';
  stderr: Uint8Array;
  stderrText: string;
}

export interface RawReplOptions {
  /** Silence allowed on a management read (default 10 s). */
  silenceMs?: number;
  /** Never try raw-paste (use plain raw mode). */
  noRawPaste?: boolean;
  /** Plain raw mode pacing: bytes per write and the pause between writes. */
  plainChunk?: number;
  plainPauseMs?: number;
  /** Protocol trace, one line per step. */
  log?: (line: string) => void;
}

export interface TakeControlOptions {
  /** Keep trying this long in all (default 15 s). */
  totalMs?: number;
  /** How long to wait for the raw banner after each Ctrl-A (default 2 s). */
  attemptMs?: number;
  /** Pause after each Ctrl-C before discarding what arrived (default 175 ms). */
  drainMs?: number;
  /** Soft-reset once in control (clears timers and the heap). */
  softReset?: boolean;
  onAttempt?: (attempt: number) => void;
  signal?: AbortSignal;
}

export interface RunOptions {
  onStdout: (chunk: Uint8Array) => void;
  onStderr?: (chunk: Uint8Array) => void;
  /** Called once the board has the whole program and starts it. */
  onStarted?: () => void;
  signal?: AbortSignal;
}

export class RawRepl {
  readonly reader: LinkReader;
  private readonly lock = new Mutex();
  private readonly silenceMs: number;
  private inRaw = false;
  /** null: not tried yet on this connection. */
  private rawPaste: boolean | null;
  private readonly log: (line: string) => void;

  constructor(
    readonly link: Link,
    private readonly opts: RawReplOptions = {},
  ) {
    this.reader = new LinkReader(link);
    this.silenceMs = opts.silenceMs ?? DEFAULT_SILENCE_MS;
    this.rawPaste = opts.noRawPaste ? false : null;
    this.log = opts.log ?? (() => {});
  }

  /** True while a transaction runs (terminal keystrokes must wait). */
  get busy(): boolean {
    return this.lock.busy;
  }

  get inRawRepl(): boolean {
    return this.inRaw;
  }

  /** Whether this board took raw-paste (null: not tried yet). */
  get rawPasteSupported(): boolean | null {
    return this.rawPaste;
  }

  /** Runs `fn` as one transaction: nothing else talks to the board meanwhile. */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(fn);
  }

  dispose(): void {
    this.reader.dispose();
  }

  /**
   * Interrupts whatever runs and enters the raw REPL: `\r\x03` alone in its write, a pause,
   * what arrived discarded (up to three times while the board keeps printing), then `\r\x01`
   * and the raw banner. Retries for `totalMs`, then fails with advice.
   */
  takeControl(opts: TakeControlOptions = {}): Promise<void> {
    return this.lock.run(async () => {
      const totalMs = opts.totalMs ?? 15_000;
      const attemptMs = opts.attemptMs ?? 2000;
      const drainMs = opts.drainMs ?? 175;
      const deadline = Date.now() + totalMs;
      let seen: Uint8Array = new Uint8Array(0);
      this.inRaw = false;
      for (let attempt = 1; Date.now() < deadline; attempt++) {
        if (opts.signal?.aborted) throw new BoardError('cancelled', 'Stopped before taking control.');
        opts.onAttempt?.(attempt);
        for (let i = 0; i < 3; i++) {
          await this.link.write(CTRL_C);
          const got = await this.reader.drain(drainMs);
          if (got.length) seen = got;
          this.log(`ctrl-C ${i + 1}: ${got.length} bytes back`);
          if (!got.length || endsAtPrompt(got)) break;
        }
        await this.link.write('\r\x01');
        try {
          await this.reader.readUntil(RAW_BANNER, {
            // A board at a prompt answers Ctrl-A at once; one that says nothing at all is busy
            // (booting, or a program that took no Ctrl-C yet): try again sooner.
            silenceMs: Math.min(600, attemptMs),
            totalMs: Math.max(50, Math.min(attemptMs, deadline - Date.now())),
            signal: opts.signal,
            what: 'the raw REPL banner',
          });
          this.inRaw = true;
          this.log(`in the raw REPL after ${attempt} attempt(s)`);
          // Bytes of an earlier attempt (a late banner) must not be taken for later answers.
          if (attempt > 1) await this.reader.drainQuiet(100, 600);
          break;
        } catch (err) {
          if (!(err instanceof BoardError) || err.kind !== 'timeout') throw err;
          if (err.received?.length) seen = err.received;
          this.log(`attempt ${attempt}: no raw banner`);
        }
      }
      if (!this.inRaw) throw noAnswerError(this.link.label, seen);
      if (opts.softReset) await this.softResetLocked();
    });
  }

  /** Runs code and returns stdout and stderr apart (stderr non-empty means it raised). */
  exec(code: string | Uint8Array, opts: { silenceMs?: number; signal?: AbortSignal } = {}): Promise<ExecResult> {
    return this.lock.run(() => this.execLocked(code, opts));
  }

  /** Like exec, but throws BoardExecError when the code raised; returns stdout as text. */
  async execOk(code: string | Uint8Array, opts: { silenceMs?: number; signal?: AbortSignal } = {}): Promise<string> {
    const r = await this.exec(code, opts);
    if (r.stderr.length) throw new BoardExecError(r.stdoutText, r.stderrText);
    return r.stdoutText;
  }

  /**
   * Soft reset in the raw REPL (a clean heap; boot.py runs, main.py does not). Waits for the
   * raw banner, not for "soft reboot" (translated on some builds). Returns what the board
   * printed in between (boot.py output).
   */
  softReset(opts: { silenceMs?: number } = {}): Promise<Uint8Array> {
    return this.lock.run(() => this.softResetLocked(opts));
  }

  /**
   * Sends a program and streams its output with no deadline (the user stops it), until it
   * ends, the board resets under it, or `signal` fires. Management deadlines still apply to
   * sending the program.
   */
  run(code: string | Uint8Array, opts: RunOptions): Promise<RunResult> {
    return this.lock.run(async () => {
      await this.send(toUtf8(code), opts.signal);
      opts.onStarted?.();
      return this.followLocked(opts);
    });
  }

  /**
   * Keeps reading a program that is already running (the link came back while it ran): its
   * output until it ends, as `run` does after sending.
   */
  follow(opts: RunOptions): Promise<RunResult> {
    return this.lock.run(async () => {
      opts.onStarted?.();
      return this.followLocked(opts);
    });
  }

  private async followLocked(opts: RunOptions): Promise<RunResult> {
    const watch = new BannerWatch();
    let reset = false;
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    if (opts.signal?.aborted) ac.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    this.inRaw = false;
    try {
      await this.reader.stream(
        EOT,
        (chunk) => {
          opts.onStdout(chunk);
          if (watch.push(chunk)) {
            reset = true;
            ac.abort();
          }
        },
        { silenceMs: null, signal: ac.signal, what: 'the program to end' },
      );
    } catch (err) {
      if (err instanceof BoardError && err.kind === 'cancelled') {
        if (reset) {
          // The board is back at a prompt: the raw one if the banner was the raw one.
          this.inRaw = watch.raw;
          this.reader.take();
          return { end: 'reset', stderr: new Uint8Array(0), stderrText: '' };
        }
        // The program may still run; the caller interrupts and takes control again.
        return { end: 'cancelled', stderr: new Uint8Array(0), stderrText: '' };
      }
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    const parts: Uint8Array[] = [];
    await this.reader.stream(
      EOT,
      (chunk) => {
        parts.push(chunk);
        opts.onStderr?.(chunk);
      },
      { silenceMs: this.silenceMs, what: 'the end of the error output' },
    );
    const tail = await this.reader.readUntil('>', { silenceMs: this.silenceMs, what: 'the raw REPL prompt' });
    this.inRaw = true;
    const stderr = Buffer.concat(parts);
    if (tail.length > 1) {
      // Not just the prompt: the program asked for a soft reset (machine.soft_reset(),
      // sys.exit()), and the board rebooted in raw mode. Keep what it printed.
      opts.onStdout(tail);
      if (Buffer.from(tail).indexOf(RAW_BANNER) >= 0) return { end: 'reset', stderr, stderrText: decodeUtf8(stderr) };
    }
    return { end: 'finished', stderr, stderrText: decodeUtf8(stderr) };
  }

  /** Ctrl-C, alone in its write: interrupts a running program. Not queued behind `run`. */
  async interrupt(): Promise<void> {
    await this.link.write('\x03');
  }

  /** Leaves the raw REPL for the friendly one (Ctrl-B). */
  exitRaw(): Promise<void> {
    return this.lock.run(async () => {
      await this.link.write('\r\x02');
      this.inRaw = false;
    });
  }

  // ---- inside a transaction ----

  private async execLocked(code: string | Uint8Array, opts: { silenceMs?: number; signal?: AbortSignal }): Promise<ExecResult> {
    const silenceMs = opts.silenceMs ?? this.silenceMs;
    await this.send(toUtf8(code), opts.signal, silenceMs);
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    await this.reader.stream(EOT, (c) => out.push(c), { silenceMs, signal: opts.signal, what: 'the output of the code' });
    await this.reader.stream(EOT, (c) => err.push(c), { silenceMs, signal: opts.signal, what: 'the end of the error output' });
    await this.reader.readUntil('>', { silenceMs, what: 'the raw REPL prompt' });
    const stdout = Buffer.concat(out);
    const stderr = Buffer.concat(err);
    return { stdout, stderr, stdoutText: decodeUtf8(stdout), stderrText: decodeUtf8(stderr) };
  }

  private async softResetLocked(opts: { silenceMs?: number } = {}): Promise<Uint8Array> {
    this.requireRaw();
    const silenceMs = opts.silenceMs ?? this.silenceMs;
    this.discardIdle();
    await this.link.write('\x04');
    const got = await this.reader.readUntil(RAW_BANNER, { silenceMs, what: 'the raw REPL banner after a soft reset' });
    this.log(`soft reset: ${got.length} bytes`);
    // Drop `OK\r\n` at the start and the banner at the end.
    let text = Buffer.from(got.subarray(0, got.length - RAW_BANNER.length));
    if (text.subarray(0, 2).toString('latin1') === 'OK') text = text.subarray(2);
    return text;
  }

  /** Sends code at the raw prompt: raw-paste when the board has it, plain raw mode otherwise. */
  private async send(code: Uint8Array, signal?: AbortSignal, silenceMs = this.silenceMs): Promise<void> {
    this.requireRaw();
    this.discardIdle();
    if (this.rawPaste !== false) {
      await this.link.write('\x05A\x01');
      const reply = await this.reader.readExactly(2, { silenceMs, signal, what: 'the answer to the raw-paste request' });
      if (reply[0] === 0x52 && reply[1] === 0x01) {
        this.rawPaste = true;
        const w = await this.reader.readExactly(2, { silenceMs, signal, what: 'the raw-paste window size' });
        const window = w[0] | (w[1] << 8);
        if (window === 0) throw new BoardError('protocol', 'The board offered a raw-paste window of 0 bytes.');
        await this.pasteWrite(code, window, silenceMs, signal);
        return;
      }
      this.rawPaste = false;
      if (reply[0] === 0x52 && reply[1] === 0x00) {
        this.log('raw-paste: not supported (R\\x00); plain raw mode from now on');
        await this.reader.readUntil('>', { silenceMs, signal, what: 'the raw REPL prompt' });
      } else {
        // Old firmware: Ctrl-A reset the raw REPL and reprinted the banner.
        this.log('raw-paste: not understood; plain raw mode from now on');
        const rest = await this.reader.readUntil(RAW_BANNER_TAIL, { silenceMs, signal, what: 'the raw REPL banner' });
        void rest;
      }
    }
    await this.plainWrite(code, silenceMs, signal);
  }

  private async pasteWrite(code: Uint8Array, window: number, silenceMs: number, signal?: AbortSignal): Promise<void> {
    let remain = window;
    let i = 0;
    while (i < code.length) {
      while (remain === 0 || this.reader.available > 0) {
        const b = (await this.reader.readExactly(1, { silenceMs, signal, what: 'a raw-paste flow-control byte' }))[0];
        if (b === 0x01) {
          remain += window;
        } else if (b === EOT) {
          // The board stopped reading (a syntax error while compiling): acknowledge, stop sending.
          this.log(`raw-paste: board ended early at byte ${i}`);
          await this.link.write('\x04');
          return;
        } else {
          throw new BoardError('protocol', `Unexpected byte 0x${b.toString(16).padStart(2, '0')} from the board during raw-paste.`);
        }
      }
      const n = Math.min(remain, code.length - i);
      await this.link.write(code.subarray(i, i + n));
      remain -= n;
      i += n;
    }
    await this.link.write('\x04');
    // Further window credits may come before the board's end-of-data acknowledgement.
    const ack = await this.reader.readUntil(new Uint8Array([EOT]), { silenceMs, signal, what: 'the board to finish compiling' });
    for (let k = 0; k < ack.length - 1; k++) {
      if (ack[k] !== 0x01) {
        this.log(`raw-paste: ${ack.length - 1} unexpected bytes before the acknowledgement`);
        break;
      }
    }
  }

  private async plainWrite(code: Uint8Array, silenceMs: number, signal?: AbortSignal): Promise<void> {
    const chunk = this.opts.plainChunk ?? 256;
    const pause = this.opts.plainPauseMs ?? 10;
    for (let i = 0; i < code.length; i += chunk) {
      if (signal?.aborted) throw new BoardError('cancelled', 'Stopped while sending code.');
      await this.link.write(code.subarray(i, Math.min(i + chunk, code.length)));
      await sleep(pause);
    }
    await this.link.write('\x04');
    const ok = await this.reader.readExactly(2, { silenceMs, signal, what: 'OK from the raw REPL' });
    if (ok[0] !== 0x4f || ok[1] !== 0x4b) {
      throw new BoardError('protocol', `The board did not take the code (it answered ${JSON.stringify(Buffer.from(ok).toString('latin1'))}, not OK).`);
    }
  }

  private requireRaw(): void {
    if (!this.inRaw) throw new BoardError('protocol', 'Not in the raw REPL: take control of the board first.');
  }

  /** Bytes that arrived while nobody was reading (a timer printing at the prompt). */
  private discardIdle(): void {
    const junk = this.reader.take();
    if (junk.length) this.log(`discarded ${junk.length} idle bytes`);
  }
}

function toUtf8(code: string | Uint8Array): Uint8Array {
  return typeof code === 'string' ? Buffer.from(code, 'utf8') : code;
}

/** True when what arrived ends at a prompt: friendly `>>> `, raw `>`, or paste `=== `. */
function endsAtPrompt(bytes: Uint8Array): boolean {
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 8))).toString('latin1');
  return tail.endsWith('>>> ') || tail.endsWith('>') || tail.endsWith('=== ');
}

/** Spots a banner in a running program's output: the board reset under it. */
class BannerWatch {
  private tail = '';
  raw = false;

  push(chunk: Uint8Array): boolean {
    const s = this.tail + Buffer.from(chunk).toString('latin1');
    if (s.includes(RAW_BANNER)) {
      this.raw = true;
      return true;
    }
    if (s.includes(FRIENDLY_BANNER_END) || ESP_ROM_RESET.test(s)) {
      this.raw = false;
      return true;
    }
    this.tail = s.slice(-64);
    return false;
  }
}
