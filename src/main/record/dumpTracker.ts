/**
 * Follows the helper's frame markers in the board's output as it streams: whether a dump is
 * printing now (an `@@HS:B` with no `@@HS:E` yet) and how many dumps have ended. The stop
 * sends Ctrl-C by it. Markers split across chunks are found (a few bytes are carried over).
 */
const BEGIN = Buffer.from('@@HS:B');
const END = Buffer.from('@@HS:E');
const CARRY = BEGIN.length - 1;

export class DumpTracker {
  inDump = false;
  ends = 0;
  private carry: Buffer = Buffer.alloc(0);

  reset(): void {
    this.inDump = false;
    this.carry = Buffer.alloc(0);
  }

  push(chunk: Uint8Array): void {
    const b = this.carry.length ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let at = 0;
    for (;;) {
      const i = b.indexOf('@@HS:', at);
      if (i < 0 || i + BEGIN.length > b.length) break;
      if (b.compare(BEGIN, 0, BEGIN.length, i, i + BEGIN.length) === 0) this.inDump = true;
      else if (b.compare(END, 0, END.length, i, i + END.length) === 0) {
        this.inDump = false;
        this.ends++;
      }
      at = i + 1;
    }
    // Keep what could be the start of a marker cut by the chunk's end.
    const keepFrom = Math.max(at, b.length - CARRY);
    this.carry = Buffer.from(b.subarray(keepFrom));
  }
}
