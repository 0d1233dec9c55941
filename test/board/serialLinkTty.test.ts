/**
 * The serial link's read path on a terminal (Linux, macOS): the device opened a second time
 * and read on the event loop (a tty.ReadStream) instead of serialport's thread-pool reads,
 * over a real socat PTY pair. Both descriptors must be closed exactly once and the port free
 * to open again.
 */
import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openSerialLink, type SerialLink } from '../../src/main/board/serial/serialLink';
import { ptyPair, type PtyPair } from './support/pty';

let pair: PtyPair | null = null;
afterEach(async () => {
  await pair?.close();
  pair = null;
});

/** serialport's binding under the link (the descriptor it opened). */
const bindingOf = (l: SerialLink) => (l as unknown as { port: { port: { fd: number | null } } }).port.port;
/** The link's own reader (null: serialport reads). */
const readerOf = (l: SerialLink) => (l as unknown as { reader: { _handle: { fd: number } | null; destroyed: boolean } | null }).reader;

async function received(l: SerialLink, want: string, ms = 5000): Promise<string> {
  let got = '';
  const off = l.onData((c) => (got += Buffer.from(c).toString('latin1')));
  const end = Date.now() + ms;
  while (!got.includes(want) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  off();
  return got;
}

/** Reads the other end until `want`, yielding so the link's pending write can go on. */
async function readAll(fd: number, want: string, ms = 10000): Promise<string> {
  let got = '';
  const buf = Buffer.alloc(4096);
  const end = Date.now() + ms;
  while (!got.includes(want) && Date.now() < end) {
    try {
      const n = readSync(fd, buf, 0, buf.length, null);
      got += buf.toString('latin1', 0, n);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  return got;
}

describe.skipIf(process.platform === 'win32')('a serial link on a terminal', () => {
  it('moves bytes both ways, closes its descriptor once, and leaves the port free to open again', async () => {
    pair = await ptyPair();
    const other = openSync(pair.a, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    try {
      for (let round = 0; round < 2; round++) {
        const link = await openSerialLink(pair.b);
        const fd = bindingOf(link).fd!;
        expect(typeof fd).toBe('number');
        const reader = readerOf(link);
        expect(reader, 'a terminal is read on the event loop').not.toBe(null);
        const readFd = reader!._handle!.fd;
        expect(typeof readFd).toBe('number');
        expect(readFd).not.toBe(fd);
        const got = received(link, `board ${round}\n`);
        writeSync(other, `board ${round}\n`);
        expect(await got).toContain(`board ${round}\n`);
        // 64 KiB: more than a PTY buffers, so the write waits for the other end to read.
        const big = 'x'.repeat(65536) + `end ${round}\n`;
        const written = link.write(big);
        expect((await readAll(other, `end ${round}\n`)).length).toBe(big.length);
        await written;
        await link.close();
        expect(link.closed).toBe(true);
        expect(bindingOf(link).fd).toBe(null);
        expect(reader!.destroyed).toBe(true);
        // The reader's descriptor closes as its stream is destroyed (after this tick).
        await new Promise((r) => setTimeout(r, 50));
        for (const d of [fd, readFd]) expect(() => fstatSync(d)).toThrow(/EBADF/);
      }
    } finally {
      closeSync(other);
    }
  });

  it('hands a fast stream on, every byte in order', async () => {
    pair = await ptyPair();
    const other = openSync(pair.a, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    const link = await openSerialLink(pair.b);
    try {
      const chunks: Uint8Array[] = [];
      link.onData((c) => chunks.push(c));
      // 512 KB as a board at full-speed USB sends it: as fast as the terminal takes it.
      const sent = Buffer.alloc(512 << 10);
      for (let i = 0; i < sent.length; i++) sent[i] = 0x20 + ((i * 7 + (i >> 9)) % 90);
      let at = 0;
      const end = Date.now() + 30_000;
      while (at < sent.length && Date.now() < end) {
        try {
          at += writeSync(other, sent, at, Math.min(65536, sent.length - at));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
          await new Promise((r) => setTimeout(r, 1));
        }
      }
      let got = 0;
      while (got < sent.length && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 20));
        got = chunks.reduce((n, c) => n + c.length, 0);
      }
      expect(Buffer.concat(chunks).equals(sent)).toBe(true);
    } finally {
      await link.close();
      closeSync(other);
    }
  });

  it('reports the other end going away as a disconnect', async () => {
    pair = await ptyPair();
    const link = await openSerialLink(pair.b);
    const closed = new Promise<{ disconnected: boolean }>((r) => link.onClose(r));
    await pair.cut();
    expect((await closed).disconnected).toBe(true);
    expect(bindingOf(link).fd).toBe(null);
    expect(readerOf(link)!.destroyed).toBe(true);
  });
});
