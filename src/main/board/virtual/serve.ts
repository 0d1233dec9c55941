/**
 * Serve a virtual board on a PTY: `path` becomes a serial port that standard tools (HeapScope,
 * mpremote, pyboard.py, picocom) open as if a MicroPython board were plugged in. socat makes
 * the PTY pair; the board serves the other end through the `serialport` package, as a host
 * program would talk to a real port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { openPtyPair, type PtyPair } from './ptyPair';
import { VirtualBoard, type VirtualBoardOptions } from './virtualBoard';

export interface ServeOptions extends VirtualBoardOptions {
  /** Diagnostics (resets, dropped output, socat exiting). */
  log?: (line: string) => void;
  /**
   * Board output waiting for the port beyond this many bytes is dropped, as a board's USB
   * console drops output nobody reads (default 1 MiB).
   */
  maxQueuedBytes?: number;
}

export interface VirtualBoardServer {
  /** The port to open (the link given). */
  readonly path: string;
  /** The end the board serves. */
  readonly boardPath: string;
  readonly board: VirtualBoard;
  /** Resolves when the server stops (closed, or socat or the board went away). */
  readonly done: Promise<void>;
  /** Stops the board and socat and removes the link; idempotent. */
  close(): Promise<void>;
}

export async function serveVirtualBoardOnPath(linkPath: string, opts: ServeOptions = {}): Promise<VirtualBoardServer> {
  const log = opts.log ?? (() => undefined);
  const dir = await mkdtemp(path.join(tmpdir(), 'heapscope-vboard-'));
  let pty: PtyPair;
  try {
    pty = await openPtyPair({ linkA: linkPath, linkB: path.join(dir, 'board') });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const port = new SerialPort({ path: pty.b, baudRate: 115200, autoOpen: false });
  try {
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    await pty.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const board = new VirtualBoard(opts);
  const maxQueued = opts.maxQueuedBytes ?? 1 << 20;
  let dropped = 0;
  board.on('data', (bytes) => {
    if (port.writableLength > maxQueued) {
      if (dropped === 0) log(`nobody is reading ${linkPath}: dropping board output`);
      dropped += bytes.length;
      return;
    }
    if (dropped) {
      log(`dropped ${dropped} bytes of board output`);
      dropped = 0;
    }
    port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
  board.on('reset', (reason) => log(`board reset: ${reason}`));
  board.on('error', (err) => log(`board error: ${err.message}`));
  port.on('data', (chunk: Buffer) => {
    if (!board.closed) board.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
  });
  port.on('error', (err) => log(`port error: ${err.message}`));

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await board.close();
      if (port.isOpen) await new Promise<void>((r) => port.close(() => r()));
      await pty.close();
      await rm(dir, { recursive: true, force: true });
      resolveDone();
    })());
  void pty.exited.then(({ code, signal }) => {
    if (!closing) {
      log(`socat exited (${signal ?? `code ${code}`}): stopping`);
      void close();
    }
  });
  port.on('close', () => {
    if (!closing) {
      log('the board end of the PTY closed: stopping');
      void close();
    }
  });

  try {
    await board.ready;
  } catch (err) {
    await close();
    throw err;
  }
  return { path: pty.a, boardPath: pty.b, board, done, close };
}
