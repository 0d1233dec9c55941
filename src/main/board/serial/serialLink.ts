/**
 * A Link over a real serial port (node serialport). Opening never resets an ESP32: DTR and
 * RTS are always set together (serialport fills a missing flag with its default, which can
 * pull EN low through the auto-reset circuit), and DTR stays asserted so native-USB boards
 * (TinyUSB, CircuitPython) talk at all.
 */
import { closeSync, constants, openSync } from 'node:fs';
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

/**
 * A reader of the port's own (Linux, macOS): the device opened a second time, read-only and
 * non-blocking, read by libuv on the event loop (a tty.ReadStream), instead of serialport's
 * reads through the thread pool, which cost 2-3× the CPU per MB at full-speed USB rates
 * (`npm run bench -- attach`, its read-only baselines). Opened after serialport, so the line
 * settings (raw, the baud rate) are serialport's and its lock is taken first; opened
 * non-blocking as serialport opens it, and before setLines, so the modem lines end as asked
 * (an open raises DTR and RTS together, which resets nothing). Writes stay serialport's, on
 * its own descriptor. Null where that does not apply (Windows, not a terminal, the open failed);
 * HEAPSCOPE_SERIALPORT_READS=1 keeps serialport's reads.
 */
function ownReader(path: string): tty.ReadStream | null {
  if (process.platform === 'win32' || process.env.HEAPSCOPE_SERIALPORT_READS) return null;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (!tty.isatty(fd)) throw new Error('not a terminal');
    // Closes fd when destroyed.
    return new tty.ReadStream(fd);
  } catch {
    closeSync(fd);
    return null;
  }
}

export class SerialLink extends LinkBase {
  readonly label: string;
  private closing = false;
  /** Reads go through this when set; serialport only opened the port and writes. */
  private readonly reader: tty.ReadStream | null;

  private constructor(
    private readonly port: SerialPort,
    readonly path: string,
  ) {
    super();
    this.label = path;
    const onData = (chunk: Buffer) => this.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    this.reader = ownReader(path);
    if (this.reader) {
      this.reader.on('data', onData);
      // A PTY whose other end went away, an unplugged adapter: EIO, or end of file.
      this.reader.on('error', (err: Error) => this.lost(err));
      this.reader.on('end', () => this.lost(new Error('the port reached end of file')));
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
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), (err) =>
        err ? reject(new BoardError('disconnected', `Could not write to ${this.label}: ${err.message}`)) : resolve(),
      );
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    this.reader?.destroy();
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

  private lost(err: Error): void {
    if (this.closed) return;
    this.reader?.destroy();
    if (this.port.isOpen && !this.closing) {
      this.port.close(() => {});
    }
    this.emitClose({ disconnected: !this.closing, error: err });
  }
}

export function openSerialLink(path: string, opts: SerialLinkOptions = {}): Promise<SerialLink> {
  return SerialLink.open(path, opts);
}
