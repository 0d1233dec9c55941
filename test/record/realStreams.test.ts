/**
 * Faults on REAL firmware output. test/fixtures/boards/ holds every byte MicroPython's QEMU
 * port and the Raspberry Pi Pico firmware sent while `record` ran a program on them (see the
 * .json beside each stream, and test/boards/support/captureStreams.ts). Here each stream is
 * replayed as a board would send it, through the fault proxy and a socat PTY, into the real
 * recorder (attach mode: it records what the board prints) opened with the real serialport
 * binding. The same stream imported clean is the reference. Runs in a fresh clone: the
 * streams are fixtures, no ../shared needed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordToSession } from '../../src/main/record/toSession';
import { importCapture } from '../../src/main/session/importCapture';
import type { SessionReader } from '../../src/main/session/reader';
import { FaultProxy, rng, type BoardEnd, type FaultSettings } from '../board/support/faultProxy';
import { ptyPair, type PtyPair } from '../board/support/pty';
import { until } from '../board/support/rig';
import { openSession, sleep } from './support';

const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../fixtures/boards');
const BOARDS = ['qemu', 'pico'] as const;

function stream(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, `${name}-stream.bin`));
}

/** A board that says exactly what the real firmware said, in chunks, when told to. */
class ReplayBoard implements BoardEnd {
  private listeners: Array<(b: Uint8Array) => void> = [];
  write(): void {}
  onData(l: (b: Uint8Array) => void): void {
    this.listeners.push(l);
  }
  async play(bytes: Uint8Array, chunk = 200): Promise<void> {
    for (let i = 0; i < bytes.length; i += chunk) {
      const part = bytes.subarray(i, Math.min(bytes.length, i + chunk));
      for (const l of this.listeners) l(part);
      await sleep(1);
    }
  }
}

let dir = '';
let pair: PtyPair | null = null;
let proxy: FaultProxy | null = null;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hs-real-faults-'));
});
afterEach(async () => {
  await proxy?.close();
  await pair?.close();
  proxy = null;
  pair = null;
  rmSync(dir, { recursive: true, force: true });
});

interface Shape {
  seq: number | null;
  blocks: number;
  complete: boolean;
  consistent: boolean;
  problems: string[];
}
interface Seen {
  snaps: Shape[];
  logs: string[];
  /** Every non-log event as `type:kind`, in order. */
  others: string[];
}

function seen(s: SessionReader): Seen {
  return {
    snaps: s.snapshots.map((x) => ({ seq: x.seq, blocks: x.areas.reduce((n, a) => n + a.blocks, 0), complete: x.complete, consistent: x.consistent, problems: x.problems })),
    logs: s.events.filter((e) => e.type === 'log').map((e) => (e as { text: string }).text),
    others: s.events.filter((e) => e.type !== 'log').map((e) => `${e.type}:${(e as { kind?: string }).kind ?? (e as { label?: string }).label ?? ''}`),
  };
}

async function reference(bytes: Uint8Array, name: string): Promise<Seen> {
  const p = path.join(dir, `${name}-ref.hss`);
  await importCapture(bytes, p);
  const s = openSession(p);
  const r = seen(s);
  s.close();
  return r;
}

/**
 * Plays `bytes` through the fault proxy (with `settings`) into the real recorder on a PTY, and
 * returns what the session holds once everything forwarded has been written.
 */
async function replay(bytes: Uint8Array, settings: FaultSettings, seed = 1, during?: (p: FaultProxy) => Promise<void>): Promise<Seen> {
  pair = await ptyPair();
  const board = new ReplayBoard();
  proxy = new FaultProxy(board, pair.a, seed);
  await proxy.open();
  const out = path.join(dir, 'replay.hss');
  const h = recordToSession({ port: pair.b, run: { kind: 'attach' }, periodMs: 500, collect: false, sessionPath: out });
  await h.started;
  proxy.settings = settings;
  const playing = board.play(bytes);
  if (during) await during(proxy);
  await playing;
  const p = proxy;
  await until(() => h.counts.bytes >= p.forwardedBytes.length, 20_000, `the recorder to get all ${p.forwardedBytes.length} bytes (has ${h.counts.bytes})`);
  const { summary } = await h.stop();
  expect(summary.error).toBeUndefined();
  const s = openSession(out);
  expect(s.complete).toBe(true);
  const r = seen(s);
  s.close();
  return r;
}

/** [start, end) of the cells of every map line (`XXXXXXXX: cells`) in a stream. */
function mapCells(b: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = /(?:^|\n)([0-9a-f]{8}: )([^\r\n]+)/g;
  const text = b.toString('latin1');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + (m[0].startsWith('\n') ? 1 : 0) + m[1].length;
    out.push([start, start + m[2].length]);
  }
  return out;
}

/** Each dump's stretch of the stream: from its `GC memory layout` line to the next one. */
function dumpRanges(b: Buffer): Array<[number, number]> {
  const starts: number[] = [];
  for (let at = b.indexOf('GC memory layout'); at >= 0; at = b.indexOf('GC memory layout', at + 1)) starts.push(at);
  return starts.map((s, i) => [s, starts[i + 1] ?? b.length]);
}

const NOISE = [0x2d, 0x3f, 0x23, 0x7e, 0x00, 0xff]; // - ? # ~ NUL 0xff: what a UART makes

/** 1 to 3 cells of every dump's map replaced by noise bytes (a flipped byte, not a lost one). */
function noisyMaps(b: Buffer, seed: number): { bytes: Buffer; hit: number } {
  const r = rng(seed);
  const out = Buffer.from(b);
  const cells = mapCells(b);
  let hit = 0;
  for (const [ds, de] of dumpRanges(b)) {
    const mine = cells.filter(([s]) => s > ds && s < de);
    const n = 1 + Math.floor(r() * 3);
    for (let k = 0; k < n; k++) {
      const [s, e] = mine[Math.floor(r() * mine.length)];
      out[s + Math.floor(r() * (e - s))] = NOISE[Math.floor(r() * NOISE.length)];
      hit++;
    }
  }
  return { bytes: out, hit };
}

describe.each(BOARDS)('real %s firmware output, replayed through faults into the recorder', (name) => {
  const note = JSON.parse(readFileSync(path.join(FIXTURES, `${name}-stream.json`), 'utf8')) as { board: string; live: { snapshots: Shape[]; logs: string[] } };

  it('clean: the recorder reads it as the live recording did, every dump whole', async () => {
    const bytes = stream(name);
    const ref = await reference(bytes, name);
    const got = await replay(bytes, {});
    expect(got).toEqual(ref);
    // What the live recording on the board kept (it began after the handshake, so the
    // stream's extra first dump, the cost measurement, is not in it).
    const helperDumps = got.snaps.filter((s) => s.seq !== null);
    expect(helperDumps).toEqual(note.live.snapshots);
    for (const l of note.live.logs) expect(got.logs).toContain(l);
    expect(got.snaps.every((s) => s.complete && s.consistent)).toBe(true);
  }, 60_000);

  it('1 to 3 noisy bytes in each dump map: same dumps, same block counts, noisy dumps flagged not dropped, nothing invented', async () => {
    const clean = stream(name);
    const ref = await reference(clean, name);
    for (const seed of [1, 2, 3]) {
      const { bytes, hit } = noisyMaps(clean, seed);
      expect(hit).toBeGreaterThanOrEqual(ref.snaps.length);
      // Every byte in its own write too: the PTY and the serialport binding see the worst framing.
      const got = await replay(bytes, { split: seed === 3 }, seed);
      await proxy?.close();
      await pair?.close();
      pair = null;
      proxy = null;
      expect(got.snaps.map((s) => [s.seq, s.blocks]), `seed ${seed}`).toEqual(ref.snaps.map((s) => [s.seq, s.blocks]));
      for (const s of got.snaps) {
        // Still one snapshot of the whole heap's blocks, flagged (the noisy cells are unknown
        // blocks, so it is not passed off as whole), with the problem in words.
        expect(s.complete && s.consistent, JSON.stringify(s)).toBe(false);
        expect(s.problems.join(' ')).toMatch(/noise on the link/);
      }
      expect(got.others).toEqual(ref.others);
      expect(got.logs).toEqual(ref.logs);
    }
  }, 120_000);

  it('random noise, drops and duplicates: no crash, no invented dump or event, whole dumps read true', async () => {
    const clean = stream(name);
    const ref = await reference(clean, name);
    const refBlocks = new Set(ref.snaps.map((s) => s.blocks));
    for (const seed of [11, 12]) {
      const got = await replay(clean, { noise: 0.001, drop: 0.001, dup: 0.001 }, seed);
      await proxy?.close();
      await pair?.close();
      pair = null;
      proxy = null;
      // A damaged dump is one snapshot (flagged), never two: no more snapshots than dumps sent.
      expect(got.snaps.length, `seed ${seed}`).toBeLessThanOrEqual(ref.snaps.length);
      // A dump the parser calls complete and consistent has the heap's real size.
      for (const s of got.snaps.filter((x) => x.complete && x.consistent)) expect(refBlocks.has(s.blocks)).toBe(true);
      expect(got.others.filter((e) => e.endsWith(':traceback'))).toEqual([]);
      expect(got.others.filter((e) => e.startsWith('mark')).length).toBeLessThanOrEqual(ref.others.filter((e) => e.startsWith('mark')).length);
    }
  }, 120_000);

  it('the link lost in the middle of a dump: that dump is not passed off as whole, the others are untouched', async () => {
    const clean = stream(name);
    const ref = await reference(clean, name);
    // Lose 200 bytes, 300 bytes into the second helper dump's frame.
    const begins: number[] = [];
    for (let at = clean.indexOf('@@HS:B'); at >= 0; at = clean.indexOf('@@HS:B', at + 1)) begins.push(at);
    expect(begins.length).toBeGreaterThanOrEqual(3);
    const cutAt = begins[1] + 300;
    const bytes = Buffer.concat([clean.subarray(0, cutAt), clean.subarray(cutAt + 200)]);
    const got = await replay(bytes, {});
    expect(got.snaps.length).toBe(ref.snaps.length);
    const hurt = got.snaps.filter((s, i) => JSON.stringify(s) !== JSON.stringify(ref.snaps[i]));
    expect(hurt.length).toBe(1);
    expect(hurt[0].complete && hurt[0].consistent).toBe(false);
    expect(hurt[0].problems.join(' ')).toMatch(/\S/);
    expect(got.others).toEqual(ref.others);
  }, 60_000);

  it('the board resets in the middle of a dump and starts again: the cut dump is flagged, every dump after the reset is whole', async () => {
    const clean = stream(name);
    const ref = await reference(clean, name);
    const hello = clean.indexOf('@@HS:H');
    const begins: number[] = [];
    for (let at = clean.indexOf('@@HS:B', hello); at >= 0; at = clean.indexOf('@@HS:B', at + 1)) begins.push(at);
    // The board's own words for a reset (in the stream already), then the helper starts over.
    const reboot = Buffer.from('\r\nMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>');
    const bytes = Buffer.concat([clean.subarray(0, begins[1] + 300), reboot, clean.subarray(hello)]);
    const got = await replay(bytes, {});
    const helperRef = ref.snaps.filter((s) => s.seq !== null);
    const before = ref.snaps.length - helperRef.length + 1; // the cost dump, helper dump 0
    // Before the reset: the dumps up to the cut one, which is flagged.
    expect(got.snaps.slice(0, before)).toEqual(ref.snaps.slice(0, before));
    const cut = got.snaps[before];
    expect(cut.complete && cut.consistent).toBe(false);
    // After it: all the helper's dumps again, whole, seq from 0.
    expect(got.snaps.slice(before + 1)).toEqual(helperRef);
    expect(got.others.filter((e) => e === 'device:softReboot').length).toBe(ref.others.filter((e) => e === 'device:softReboot').length + 1);
    expect(got.others.filter((e) => e === 'device:helperStart').length).toBe(2);
  }, 60_000);
});
