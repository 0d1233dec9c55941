/**
 * A byte link to a board: a serial port, or an in-process virtual board. The REPL protocol
 * runs over this and nothing else, so it behaves the same over both.
 */

/** Why a link closed. `disconnected` means it went away on its own (unplugged, reset, cut). */
export interface LinkCloseInfo {
  disconnected: boolean;
  error?: Error;
}

export interface Link {
  /** What to call it in messages: the port path, or "virtual board". */
  readonly label: string;
  readonly closed: boolean;
  /** Resolves once the bytes are handed to the operating system (or the board). */
  write(data: Uint8Array | string): Promise<void>;
  /** Every chunk the board sends, in order. Returns a function that unsubscribes. */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Called once when the link closes, for whatever reason. Returns an unsubscribe function. */
  onClose(listener: (info: LinkCloseInfo) => void): () => void;
  /** Closes the link; idempotent. */
  close(): Promise<void>;
}

/** A small base that keeps listener lists, so each kind of link only moves bytes. */
export abstract class LinkBase implements Link {
  abstract readonly label: string;
  private dataListeners: ((chunk: Uint8Array) => void)[] = [];
  private closeListeners: ((info: LinkCloseInfo) => void)[] = [];
  private closedInfo: LinkCloseInfo | null = null;

  get closed(): boolean {
    return this.closedInfo !== null;
  }

  abstract write(data: Uint8Array | string): Promise<void>;
  abstract close(): Promise<void>;

  onData(listener: (chunk: Uint8Array) => void): () => void {
    this.dataListeners.push(listener);
    return () => {
      this.dataListeners = this.dataListeners.filter((l) => l !== listener);
    };
  }

  onClose(listener: (info: LinkCloseInfo) => void): () => void {
    if (this.closedInfo) {
      const info = this.closedInfo;
      queueMicrotask(() => listener(info));
      return () => {};
    }
    this.closeListeners.push(listener);
    return () => {
      this.closeListeners = this.closeListeners.filter((l) => l !== listener);
    };
  }

  protected emitData(chunk: Uint8Array): void {
    if (this.closedInfo || chunk.length === 0) return;
    for (const l of this.dataListeners.slice()) l(chunk);
  }

  protected emitClose(info: LinkCloseInfo): void {
    if (this.closedInfo) return;
    this.closedInfo = info;
    const listeners = this.closeListeners;
    this.closeListeners = [];
    this.dataListeners = [];
    for (const l of listeners) l(info);
  }
}

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}
