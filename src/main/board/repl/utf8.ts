/**
 * Bytes to text for display only: a multibyte character split across two reads decodes
 * whole, and invalid bytes become U+FFFD instead of throwing. The protocol itself never
 * decodes: it matches bytes.
 */
export class Utf8Stream {
  private decoder = new TextDecoder('utf-8', { fatal: false });

  /** Decodes a chunk; an incomplete character at its end waits for the next chunk. */
  push(chunk: Uint8Array): string {
    return this.decoder.decode(chunk, { stream: true });
  }

  /** Flushes an incomplete trailing character (as U+FFFD). */
  end(): string {
    return this.decoder.decode();
  }
}

export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}
