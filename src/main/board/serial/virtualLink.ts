/**
 * A Link over the in-process virtual board (real MicroPython in WebAssembly, in a worker
 * thread): the same protocol code runs over it as over a serial port.
 */
import { DEMO_NAMES, VirtualBoard, type VirtualBoardOptions } from '../virtual/virtualBoard';
import { BoardError } from './errors';
import { LinkBase, toBytes } from './link';

export interface VirtualLinkOptions extends Omit<VirtualBoardOptions, 'demo'> {
  /** A demo installed as the board's main.py. */
  demo?: string;
}

export function virtualDemoNames(): string[] {
  return [...DEMO_NAMES];
}

/** The structural part of a VirtualBoard a link needs (tests may pass a proxy). */
export interface VirtualBoardLike {
  write(data: Uint8Array | string): void;
  on(event: 'data', listener: (bytes: Uint8Array) => void): unknown;
  off(event: 'data', listener: (bytes: Uint8Array) => void): unknown;
  close(): Promise<void>;
}

export class VirtualLink extends LinkBase {
  readonly label = 'virtual board';
  private readonly onBoardData = (bytes: Uint8Array) => this.emitData(bytes);

  constructor(
    readonly board: VirtualBoardLike,
    /** Close the board with the link (it belongs to the link). */
    private readonly owns = true,
  ) {
    super();
    board.on('data', this.onBoardData);
  }

  async write(data: Uint8Array | string): Promise<void> {
    if (this.closed) throw new BoardError('disconnected', 'The virtual board is closed.');
    this.board.write(toBytes(data));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.board.off('data', this.onBoardData);
    this.emitClose({ disconnected: false });
    if (this.owns) await this.board.close().catch(() => {});
  }
}

/** Starts a virtual board (optionally with a demo as main.py) and returns a link to it. */
export async function openVirtualLink(opts: VirtualLinkOptions = {}): Promise<VirtualLink> {
  const { demo, ...rest } = opts;
  if (demo !== undefined && !virtualDemoNames().includes(demo)) {
    throw new Error(`unknown demo "${demo}": choose one of ${virtualDemoNames().join(', ')}`);
  }
  const board = new VirtualBoard({ ...rest, demo: demo as VirtualBoardOptions['demo'] });
  // `ready` waits for the banner, which comes only after main.py (a running demo never ends):
  // like a real port, the link is usable at once; a board that cannot start fails quickly.
  let failed: unknown = null;
  board.ready.catch((err) => (failed = err));
  await Promise.race([board.ready, new Promise((r) => setTimeout(r, 300))]);
  if (failed) throw failed;
  board.on('error', () => {});
  return new VirtualLink(board);
}
