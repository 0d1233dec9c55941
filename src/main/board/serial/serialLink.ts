/**
 * A Link over a real serial port (node serialport). Opening never resets an ESP32: DTR and
 * RTS are always set together (serialport fills a missing flag with its default, which can
 * pull EN low through the auto-reset circuit), and DTR stays asserted so native-USB boards
 * (TinyUSB, CircuitPython) talk at all.
 */
import { closeSync } from 'node:fs';
import tty from 'node:tty';
import { SerialPort } from 'serialport';
import { BoardError, describeOpenError } from './errors';
import { LinkBase, toBytes } from './link';

export interface SerialLinkOptions {
  baudRate?: number;
  /** Modem lines after opening; both default to asserted (no reset, no boot mode, DTR on). */
  dtr?: boolean;
  rts?: boolean;
}

/** serialport's POSIX binding, as far as handing its descriptor over needs it. */
interface PosixBinding {
  fd: number | null;
  poller: { stop(): void; destroy(): void };
}

/**
 * The port's descriptor as a TTY stream (Linux, macOS): bytes are read on the event loop when
 * the descriptor is readable, instead of serialport's reads through the thread pool, which
 * cost about 3× the CPU per MB at full-speed USB rates (`npm run bench -- attach`, its
 * read-only baselines). Null where that does not apply (Windows, not a terminal, a binding
 * of another shape); HEAPSCOPE_SERIALPORT_READS=1 keeps serialport's reads.
 */
function ttyStreamOf(port: SerialPort): { stream: tty.ReadStream; binding: PosixBinding } | null {
  if (process.platform === 'win32' || process.env.HEAPSCOPE_SERIALPORT_READS) return null;
  const binding = port.port as unknown as Partial<PosixBinding> | undefined;
  const fd = binding?.fd;
  if (typeof fd !== 'number' || typeof binding?.poller?.stop !== 'function' || typeof binding.poller.destroy !== 'function' || !tty.isatty(fd)) return null;
  try {
    return { stream: new tty.ReadStream(fd), binding: binding as PosixBinding };
  } catch {
    return null;
  }
}

export class SerialLink extends LinkBase {
  readonly label: string;
  private closing = false;
  /** Reads and writes go through this when set; serialport only opened and set up the port. */
  private readonly tty: { stream: tty.ReadStream; binding: PosixBinding } | null;

  private constructor(
    private readonly port: SerialPort,
    readonly path: string,
  ) {
    super();
    this.label = path;
    this.tty = ttyStreamOf(port);
    const onData = (chunk: Buffer) => this.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    if (this.tty) {
      const s = this.tty.stream;
      s.on('data', onData);
      // A PTY whose other end went away, an unplugged adapter: EIO, or end of file.
      s.on('end', () => this.lost(new Error('the port reached end of file')));
      s.on('error', (err: Error) => this.lost(err));
    } else port.on('data', onData);
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      this.emitClose({ disconnected: !this.closing || !!err?.disconnected, error: err ?? undefined });
    });
    // A PTY whose other end went away reads end-of-file instead of failing.
    port.on('end', () => this.lost(new Error('the port reached end of file')));
    port.on('error', (err: Error) => this.lost(err));
  }

  static async open(path: string, opts: SerialLinkOptions = {}): Promise<SerialLink> {
    const port = new SerialPort({ path, baudRate: opts.baudRate ?? 115200, autoOpen: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      throw describeOpenError(err, path);
    }
    const link = new SerialLink(port, path);
    await link.setLines(opts.dtr ?? true, opts.rts ?? true);
    return link;
  }

  /** Sets DTR and RTS in one call. Ports without modem lines (PTYs, some adapters) are fine. */
  async setLines(dtr: boolean, rts: boolean): Promise<void> {
    await new Promise<void>((resolve) =>
      this.port.set({ dtr, rts }, () => {
        // ENOTTY ("Inappropriate ioctl") on PTYs and pipes: no modem lines to set.
        resolve();
      }),
    );
  }

  write(data: Uint8Array | string): Promise<void> {
    if (this.closed) return Promise.reject(new BoardError('disconnected', `${this.label} is closed.`));
    const bytes = toBytes(data);
    const t = this.tty;
    // One handle per descriptor: serialport's writes would poll the same descriptor from a second one.
    if (t)
      return new Promise((resolve, reject) => {
        t.stream.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), (err) =>
          err ? reject(new BoardError('disconnected', `Could not write to ${this.label}: ${err.message}`)) : resolve(),
        );
      });
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), (err) =>
        err ? reject(new BoardError('disconnected', `Could not write to ${this.label}: ${err.message}`)) : resolve(),
      );
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    if (this.tty) {
      this.releaseTty();
      this.emitClose({ disconnected: false });
      return;
    }
    if (!this.port.isOpen) {
      this.emitClose({ disconnected: false });
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.port.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.emitClose({ disconnected: false });
  }

  /**
   * Closes the descriptor once, through the TTY stream: serialport's binding first forgets it
   * (its poller stopped while the descriptor is still open, as its own close does), so nothing
   * closes or polls that number again after the system hands it to another file.
   */
  private releaseTty(): void {
    const t = this.tty!;
    const fd = t.binding.fd;
    if (fd !== null) {
      t.binding.poller.stop();
      t.binding.poller.destroy();
      t.binding.fd = null;
      // On a PTY, libuv reopens the terminal for its handle and leaves ours on the same
      // file: both are closed, each once.
      const own = (t.stream as unknown as { _handle?: { fd?: number } })._handle?.fd;
      if (typeof own === 'number' && own !== fd) {
        try {
          closeSync(fd);
        } catch {
          /* already gone */
        }
      }
    }
    t.stream.destroy();
  }

  private lost(err: Error): void {
    if (this.closed) return;
    if (this.tty) {
      this.releaseTty();
      this.emitClose({ disconnected: !this.closing, error: err });
      return;
    }
    if (this.port.isOpen && !this.closing) {
      this.port.close(() => {});
    }
    this.emitClose({ disconnected: !this.closing, error: err });
  }
}

export function openSerialLink(path: string, opts: SerialLinkOptions = {}): Promise<SerialLink> {
  return SerialLink.open(path, opts);
}
