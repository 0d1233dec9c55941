/**
 * The host side of a serial console, for tests: a byte reader with deadlines, and the exact
 * exchanges mpremote makes (tools/mpremote/mpremote/transport_serial.py: enter_raw_repl,
 * exec_raw_no_follow with raw-paste, follow, eval, fs_writefile, fs_readfile).
 */
export interface ByteTransport {
  write(bytes: Uint8Array): void;
  onData(listener: (bytes: Uint8Array) => void): void;
}

export class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  /** Every byte ever received, for diagnostics. */
  log: Buffer[] = [];

  push(bytes: Uint8Array): void {
    const b = Buffer.from(bytes);
    this.log.push(b);
    this.buf = this.buf.length ? Buffer.concat([this.buf, b]) : b;
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Put bytes back in front (to leave a prompt for the next exchange after checking it). */
  unread(bytes: string | Buffer): void {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    this.buf = Buffer.concat([b, this.buf]);
  }

  inWaiting(): number {
    return this.buf.length;
  }

  /** Everything received so far. */
  take(): Buffer {
    const b = this.buf;
    this.buf = Buffer.alloc(0);
    return b;
  }

  private waitForData(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve(true);
      };
    });
  }

  /** Exactly n bytes (pyserial's read(n) without a timeout, bounded here by `timeoutMs`). */
  async read(n: number, timeoutMs = 10_000): Promise<Buffer> {
    const end = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      const left = end - Date.now();
      if (left <= 0 || !(await this.waitForData(left))) {
        throw new Error(`timeout reading ${n} bytes; have ${JSON.stringify(this.buf.toString('latin1'))}`);
      }
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return Buffer.from(out);
  }

  /**
   * mpremote's read_until: consume bytes until the data ends with `ending`; fails after
   * `timeoutMs` without a new byte.
   */
  async readUntil(ending: string | Buffer, timeoutMs = 10_000): Promise<Buffer> {
    const end = typeof ending === 'string' ? Buffer.from(ending, 'latin1') : ending;
    let scanned = 0;
    for (;;) {
      const at = this.buf.indexOf(end, Math.max(0, scanned - end.length + 1));
      if (at >= 0) {
        const out = this.buf.subarray(0, at + end.length);
        this.buf = this.buf.subarray(at + end.length);
        return Buffer.from(out);
      }
      scanned = this.buf.length;
      if (!(await this.waitForData(timeoutMs))) {
        throw new Error(`timeout waiting for ${JSON.stringify(end.toString('latin1'))}; have ${JSON.stringify(this.buf.toString('latin1').slice(-400))}`);
      }
    }
  }
}

export class TransportError extends Error {}

/** An exec that printed a traceback (mpremote's TransportExecError). */
export class ExecError extends Error {
  constructor(
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(stderr);
  }
}

/** mpremote's SerialTransport, byte for byte, over any transport. */
export class MpremoteHost {
  readonly reader = new ByteReader();
  useRawPaste = true;
  /** Raw-paste statistics of the last exec: window size, credits received, max outstanding. */
  pasteStats = { window: 0, credits: 0, maxOutstanding: 0, abortedAt: -1 };

  constructor(private readonly t: ByteTransport) {
    t.onData((b) => this.reader.push(b));
  }

  write(data: string | Uint8Array): void {
    this.t.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async enterRawRepl(softReset = true): Promise<void> {
    this.write('\r\x03');
    this.reader.take();
    this.write('\r\x01');
    if (softReset) {
      await this.reader.readUntil('raw REPL; CTRL-B to exit\r\n>');
      this.write('\x04');
      await this.reader.readUntil('soft reboot\r\n');
    }
    await this.reader.readUntil('raw REPL; CTRL-B to exit\r\n');
  }

  exitRawRepl(): void {
    this.write('\r\x02');
  }

  async follow(timeoutMs = 10_000): Promise<[Buffer, Buffer]> {
    const out = await this.reader.readUntil('\x04', timeoutMs);
    const err = await this.reader.readUntil('\x04', timeoutMs);
    return [out.subarray(0, -1), err.subarray(0, -1)];
  }

  async rawPasteWrite(code: Buffer): Promise<void> {
    const header = await this.reader.read(2);
    const window = header.readUInt16LE(0);
    this.pasteStats = { window, credits: 0, maxOutstanding: 0, abortedAt: -1 };
    let remain = window;
    let i = 0;
    while (i < code.length) {
      while (remain === 0 || this.reader.inWaiting()) {
        const d = await this.reader.read(1);
        if (d[0] === 0x01) {
          remain += window;
          this.pasteStats.credits++;
        } else if (d[0] === 0x04) {
          this.pasteStats.abortedAt = i;
          this.write('\x04');
          return;
        } else {
          throw new TransportError(`unexpected read during raw paste: ${JSON.stringify(d.toString('latin1'))}`);
        }
      }
      const chunk = code.subarray(i, Math.min(i + remain, code.length));
      this.write(chunk);
      remain -= chunk.length;
      i += chunk.length;
      // What the host has sent beyond the credits it was given: never more than the window.
      this.pasteStats.maxOutstanding = Math.max(this.pasteStats.maxOutstanding, window - remain);
      // Let the board catch up now and then, as a real serial line would.
      if (chunk.length) await new Promise((r) => setImmediate(r));
    }
    this.write('\x04');
    const data = await this.reader.readUntil('\x04');
    if (!data.subarray(-1).equals(Buffer.of(0x04))) throw new TransportError('could not complete raw paste');
  }

  async execRawNoFollow(command: string | Buffer): Promise<void> {
    const code = typeof command === 'string' ? Buffer.from(command, 'utf8') : command;
    await this.reader.readUntil('>');
    if (this.useRawPaste) {
      this.write('\x05A\x01');
      const data = await this.reader.read(2);
      if (data.equals(Buffer.from('R\x01', 'latin1'))) return this.rawPasteWrite(code);
      if (!data.equals(Buffer.from('R\x00', 'latin1'))) await this.reader.readUntil('w REPL; CTRL-B to exit\r\n>');
      this.useRawPaste = false;
    }
    for (let i = 0; i < code.length; i += 256) {
      this.write(code.subarray(i, Math.min(i + 256, code.length)));
      await new Promise((r) => setTimeout(r, 10));
    }
    this.write('\x04');
    const ok = await this.reader.read(2);
    if (ok.toString('latin1') !== 'OK') throw new TransportError(`could not exec command (response: ${JSON.stringify(ok.toString('latin1'))})`);
  }

  async execRaw(command: string | Buffer, timeoutMs = 10_000): Promise<[Buffer, Buffer]> {
    await this.execRawNoFollow(command);
    return this.follow(timeoutMs);
  }

  async exec(command: string | Buffer): Promise<string> {
    const [out, err] = await this.execRaw(command);
    if (err.length) throw new ExecError(out.toString('utf8'), err.toString('utf8'));
    return out.toString('utf8');
  }

  async eval(expression: string): Promise<string> {
    return (await this.exec(`print(repr(${expression}))`)).trim();
  }

  /** mpremote's fs_writefile: open, then one `w(b'…')` exec per chunk, then close. */
  async fsWritefile(dest: string, data: Uint8Array, chunkSize = 256): Promise<void> {
    await this.exec(`f=open('${dest}','wb')\nw=f.write`);
    for (let i = 0; i < data.length; i += chunkSize) {
      await this.exec('w(' + pyBytesRepr(data.subarray(i, i + chunkSize)) + ')');
    }
    await this.exec('f.close()');
  }

  /** mpremote's fs_readfile: open, then `print(repr(r(256)))` until empty, then close. */
  async fsReadfile(src: string, chunkSize = 256): Promise<Buffer> {
    const parts: Buffer[] = [];
    await this.exec(`f=open('${src}','rb')\nr=f.read`);
    for (;;) {
      const chunk = parsePyBytes(await this.eval(`r(${chunkSize})`));
      if (!chunk.length) break;
      parts.push(chunk);
    }
    await this.exec('f.close()');
    return Buffer.concat(parts);
  }
}

/** Python's repr() of bytes. */
export function pyBytesRepr(data: Uint8Array): string {
  const hasSingle = data.includes(0x27);
  const hasDouble = data.includes(0x22);
  const q = hasSingle && !hasDouble ? 0x22 : 0x27;
  let s = 'b' + String.fromCharCode(q);
  for (const c of data) {
    if (c === q || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c === 0x09) s += '\\t';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\x' + c.toString(16).padStart(2, '0');
  }
  return s + String.fromCharCode(q);
}

/** Parse a bytes repr as MicroPython prints it. */
export function parsePyBytes(text: string): Buffer {
  const m = /^b(['"])([\s\S]*)\1$/.exec(text.trim());
  if (!m) throw new Error(`not a bytes repr: ${text.slice(0, 80)}`);
  const body = m[2];
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      out.push(ch.charCodeAt(0));
      continue;
    }
    const n = body[++i];
    if (n === 'x') {
      out.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (n === 'n') out.push(10);
    else if (n === 'r') out.push(13);
    else if (n === 't') out.push(9);
    else out.push(n.charCodeAt(0));
  }
  return Buffer.from(out);
}

/** Read through the end of an exec (`…\x04…\x04>`), leaving the `>` for the next exec. */
export async function readExecEnd(host: MpremoteHost): Promise<string> {
  const text = (await host.reader.readUntil('\x04>')).toString('latin1');
  host.reader.unread('>');
  return text;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
