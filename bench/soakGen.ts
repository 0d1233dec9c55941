/**
 * The 24-hour soak recording: 250,000 dumps of an RP2040-sized heap at pi-mst's 350 ms period,
 * streamed into the session writer (and into gzip -6, for the size baseline) so its ~3 GB of
 * raw text never sits on disk.
 *
 * Made from real MicroPython: a bank of consecutive `mem_info(1)` dumps of a churning program on
 * a 192 KB heap (the WebAssembly build, one step per runPython so it collects as a board would),
 * played forward and backward (so consecutive dumps stay consecutive real dumps). On top, above
 * the highest block the bank ever uses, a slow leak grows from the heap's end down (a small
 * object every ~50 s, 40 % of that space by the end of the day), and now and then a spike: a
 * large buffer held for a single dump. Header figures are recomputed from the map, as the
 * firmware computes them. Cached: bench/data/soak-<dumps>.hss and its .json figures.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { SessionWriter } from '../src/main/session';
import { DATA_DIR } from './captureGen';

const BANK_DUMPS = 1200;
export const SOAK_PERIOD_MS = 350;

const BANK_PROGRAM = (step: number) => `
import micropython, gc, random
if ${step} == 0:
    random.seed(5)
    keep = [bytearray(24 + k % 180) for k in range(420)]
    slots = [None] * 300
for _ in range(3):
    i = random.getrandbits(8) % len(slots)
    r = random.getrandbits(4)
    if r < 6:
        slots[i] = bytearray(random.getrandbits(7) + 8)
    elif r < 10:
        slots[i] = 'x' * (random.getrandbits(6) + 1)
    elif r < 13:
        slots[i] = [j for j in range(random.getrandbits(3))]
    else:
        slots[i] = {'k': ${step}, 'v': (${step}, i)}
if ${step} % 6 == 0:
    gc.collect()
print('tick', ${step}, 'rx', ${step} % 41, 'queue', ${step} % 7)
micropython.mem_info(1)
`;

interface BankDump {
  stackLine: string;
  log: string;
  map: Uint8Array;
}

interface Bank {
  pool: string;
  blocks: number;
  /** Highest block any bank dump uses, + 1. */
  highWater: number;
  dumps: BankDump[];
}

/** Runs the bank program on real MicroPython and splits its output into dumps. */
async function makeBank(): Promise<Bank> {
  const { loadMicroPython } = await import('@micropython/micropython-webassembly-pyscript');
  let text = '';
  const mp = await loadMicroPython({
    heapsize: 192 * 1024,
    linebuffer: false,
    stdout: (d: string | Uint8Array) => {
      text += typeof d === 'string' ? d : Buffer.from(d).toString('latin1');
    },
  });
  const dumps: BankDump[] = [];
  let pool = '';
  let blocks = 0;
  let highWater = 0;
  for (let step = 0; step < BANK_DUMPS; step++) {
    text = '';
    mp.runPython(BANK_PROGRAM(step));
    const lines = text.split(/\r?\n/);
    const total = Number(/GC: total: (\d+)/.exec(text)?.[1]);
    blocks = total / 16;
    pool = /GC memory layout; from ([0-9a-f]+):/.exec(text)![1];
    const map = new Uint8Array(blocks).fill(0x2e);
    for (const line of lines) {
      const m = /^([0-9a-f]{8}): (.*)$/.exec(line);
      if (!m) continue;
      const at = parseInt(m[1], 16) / 16;
      for (let k = 0; k < m[2].length && at + k < blocks; k++) map[at + k] = m[2].charCodeAt(k);
    }
    for (let b = blocks - 1; b >= 0; b--) {
      if (map[b] !== 0x2e) {
        highWater = Math.max(highWater, b + 1);
        break;
      }
    }
    dumps.push({ stackLine: lines.find((l) => l.startsWith('stack:'))!, log: lines[0], map });
  }
  return { pool, blocks, highWater, dumps };
}

/** mem_info(1) as v1.20+ firmware on a fixed heap prints it, figures computed from the map. */
function render(map: Uint8Array, pool: string, stackLine: string): string {
  const n = map.length;
  let free = 0;
  let one = 0;
  let two = 0;
  let maxBlk = 0;
  let maxFree = 0;
  let run = 0;
  let alloc = 0;
  const endAlloc = () => {
    if (alloc === 1) one++;
    else if (alloc === 2) two++;
    if (alloc > maxBlk) maxBlk = alloc;
    alloc = 0;
  };
  for (let i = 0; i < n; i++) {
    const c = map[i];
    if (c === 0x2e) {
      free++;
      run++;
      if (run > maxFree) maxFree = run;
      if (alloc) endAlloc();
    } else {
      run = 0;
      if (c === 0x3d) alloc++;
      else {
        if (alloc) endAlloc();
        alloc = 1;
      }
    }
  }
  if (alloc) endAlloc();
  const lines: string[] = [stackLine];
  lines.push(`GC: total: ${n * 16}, used: ${(n - free) * 16}, free: ${free * 16}`);
  lines.push(` No. of 1-blocks: ${one}, 2-blocks: ${two}, max blk sz: ${maxBlk}, max free sz: ${maxFree}`);
  lines.push(`GC memory layout; from ${pool}:`);
  const text = Buffer.from(map.buffer, map.byteOffset, map.length).toString('latin1');
  for (let bl = 0; bl < n; bl += 64) {
    let bl2 = bl;
    while (bl2 < n && map[bl2] === 0x2e) bl2++;
    if (bl2 - bl >= 128) {
      lines.push(`       (${Math.floor((bl2 - bl) / 64)} lines all free)`);
      bl = (bl2 & ~63) - 64;
      if (bl + 64 >= n) break;
      continue;
    }
    lines.push(`${(bl * 16).toString(16).padStart(8, '0')}: ${text.slice(bl, bl + 64)}`);
  }
  return lines.join('\r\n') + '\r\n';
}

export interface SoakFigures {
  dumps: number;
  rawBytes: number;
  gzipBytes: number;
  sessionBytes: number;
  /** Dump indices of the one-dump spikes. */
  spikes: number[];
  /** Seconds to generate, write the session and gzip, in one pass. */
  makeS: number;
}

/**
 * Yields the soak's raw text in ~1 MiB chunks. `spikes` receives the dump index of each spike.
 */
export function* soakChunks(bank: Bank, dumps: number, spikes: number[]): Generator<Buffer> {
  const { blocks, highWater, pool } = bank;
  const room = blocks - highWater;
  const leakTarget = Math.floor(room * 0.4);
  const map = new Uint8Array(blocks);
  const leakHeads = 'hSAhhL';
  let leakFront = blocks; // lowest leaked block
  let leakCount = 0;
  /** Lengths of the leaked objects, from the heap's end down. */
  const leakLens: number[] = [];
  let x = 99;
  const rnd = () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const spikeEvery = Math.max(2, Math.floor(dumps / 7));
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; i < dumps; i++) {
    const cycle = i % (2 * BANK_DUMPS);
    const b = bank.dumps[cycle < BANK_DUMPS ? cycle : 2 * BANK_DUMPS - 1 - cycle];
    map.set(b.map);
    // The leak: a 1–4 block object from the end down, at the pace that reaches its target.
    const due = Math.floor((leakTarget * (i + 1)) / dumps);
    while (blocks - leakFront < due) {
      const len = Math.min(1 + Math.floor(rnd() * 4), leakFront - highWater);
      if (len <= 0) break;
      leakFront -= len;
      leakLens.push(len);
      leakCount++;
    }
    // Leaked objects keep their place, kind and length every dump (so lifetimes can follow them:
    // shapes recomputed from the front would re-cut every leaked object as the front moves).
    for (let at = blocks, k = 0; k < leakLens.length; k++) {
      at -= leakLens[k];
      map[at] = leakHeads.charCodeAt(at % leakHeads.length);
      map.fill(0x3d, at + 1, at + leakLens[k]);
    }
    const spike = i % spikeEvery === Math.floor(spikeEvery / 2);
    if (spike) {
      // A large buffer, held for this dump only, in the free room under the leak.
      const len = Math.floor((leakFront - highWater) * 0.6);
      if (len > 1) {
        map[highWater] = 0x42; // 'B': a bytearray's head
        map.fill(0x3d, highWater + 1, highWater + len);
        spikes.push(i);
      }
    }
    const step = i;
    const log = b.log.replace(/^tick \d+/, `tick ${step}`);
    const head = i === 0 ? '@@@ 0 (2026, 12, 2, 9, 0, 0, 2, 336)' : `@@@ ${i * SOAK_PERIOD_MS}`;
    const text = `${log}\r\n${head}\r\n${render(map, pool, b.stackLine)}@@@\r\n`;
    parts.push(text);
    size += text.length;
    if (size >= 1 << 20) {
      yield Buffer.from(parts.join(''), 'latin1');
      parts.length = 0;
      size = 0;
    }
  }
  if (parts.length) yield Buffer.from(parts.join(''), 'latin1');
}

/** Makes (or reuses) the soak session; returns its path and figures. */
export async function soakSession(dumps = 250_000, log: (s: string) => void = () => {}): Promise<{ file: string; figures: SoakFigures }> {
  const file = path.join(DATA_DIR, `soak-${dumps}.hss`);
  const json = `${file}.json`;
  if (existsSync(file) && existsSync(json)) return { file, figures: JSON.parse(readFileSync(json, 'utf8')) };
  mkdirSync(DATA_DIR, { recursive: true });
  const t0 = Date.now();
  const bank = await makeBank();
  log(`bank of ${bank.dumps.length} real dumps: ${bank.blocks} blocks, highest used ${bank.highWater} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const tmp = `${file}.partial`;
  const w = SessionWriter.create(tmp, { title: `soak: ${dumps} dumps at ${SOAK_PERIOD_MS} ms`, source: 'bench:soak' });
  const gz = zlib.createGzip({ level: 6 });
  let gzipBytes = 0;
  gz.on('data', (c: Buffer) => (gzipBytes += c.length));
  const gzDone = new Promise((resolve, reject) => gz.on('end', resolve).on('error', reject));
  let rawBytes = 0;
  const spikes: number[] = [];
  let n = 0;
  for (const chunk of soakChunks(bank, dumps, spikes)) {
    rawBytes += chunk.length;
    w.appendRaw(chunk, null);
    if (!gz.write(chunk)) await new Promise((r) => gz.once('drain', r));
    if (++n % 256 === 0) log(`  ${(rawBytes / 1e9).toFixed(2)} GB…`);
  }
  gz.end();
  await gzDone;
  const summary = w.close();
  renameSync(tmp, file);
  const figures: SoakFigures = {
    dumps: summary.snapshots,
    rawBytes,
    gzipBytes,
    sessionBytes: statSync(file).size,
    spikes,
    makeS: (Date.now() - t0) / 1000,
  };
  writeFileSync(json, JSON.stringify(figures));
  return { file, figures };
}

/** Removes a cached soak (the bench makes it again). */
export function forgetSoak(dumps: number): void {
  const file = path.join(DATA_DIR, `soak-${dumps}.hss`);
  rmSync(file, { force: true });
  rmSync(`${file}.json`, { force: true });
}
