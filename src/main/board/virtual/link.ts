/**
 * The virtual board as a `Link` (the byte link the REPL protocol runs over), in process.
 */
import { LinkBase, toBytes } from '../serial/link';
import { VirtualBoard, type VirtualBoardOptions } from './virtualBoard';

export class VirtualBoardLink extends LinkBase {
  readonly label = 'virtual board';

  constructor(readonly board: VirtualBoard) {
    super();
    board.on('data', (bytes) => this.emitData(bytes));
    board.on('close', () => this.emitClose({ disconnected: false }));
    board.on('error', (error) => this.emitClose({ disconnected: true, error }));
  }

  write(data: Uint8Array | string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the virtual board is closed'));
    this.board.write(toBytes(data));
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.board.close();
  }
}

/** A booted virtual board behind a Link. */
export async function openVirtualBoardLink(opts: VirtualBoardOptions = {}): Promise<VirtualBoardLink> {
  const board = new VirtualBoard(opts);
  try {
    await board.ready;
  } catch (err) {
    await board.close();
    throw err;
  }
  return new VirtualBoardLink(board);
}
