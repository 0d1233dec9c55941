import { describe, expect, it } from 'vitest';
import { CaptureReader, readCapture } from '../../src/shared/capture/captureReader';
import type { CaptureEvent, DeviceEvent } from '../../src/shared/capture/events';
import { computeMetrics } from '../../src/shared/heap/metrics';
import { enc, snapshotsOf } from '../support/corpus';
import { randomMap, renderDump, type RenderOptions } from '../support/renderDump';

const base: RenderOptions = { style: 'off8', pool: 0x20008b00, blockSize: 16, tail: '=', fold: true, eol: '\r\n', header: true };
const kindsText = (k: Uint8Array) => Buffer.from(k).toString('latin1');

describe('every format era reads back the same map', () => {
  const map = randomMap(5000, 7) + '.'.repeat(3000) + randomMap(700, 9);
  const cases: Array<[string, Partial<RenderOptions>]> = [
    ['v1.0 block index, t tails, no folding, no header', { style: 'index4', tail: 't', fold: false, header: false }],
    ['v1.0 block index with its header', { style: 'index4', tail: 't', fold: false }],
    ['v1.3.5 absolute 20-bit pointers, t tails', { style: 'abs5', tail: 't', pool: 0x20003600 }],
    ['v1.8.1 5-digit offsets', { style: 'off5' }],
    ['v1.20 8-digit offsets', { style: 'off8' }],
    ['unix 64-bit blocks of 32 bytes, LF', { blockSize: 32, eol: '\n', pool: 0x7f2951dbdde0 }],
    ['lone CR line ends', { eol: '\r' }],
  ];
  for (const [name, opts] of cases) {
    it(name, () => {
      const o = { ...base, ...opts };
      const [s] = snapshotsOf(readCapture(enc(renderDump([map], o))));
      expect(kindsText(s.areas[0].kinds)).toBe(map);
      expect(s.addressStyle).toBe(o.style);
      if (o.style !== 'index4' || o.header) {
        expect(s.blockSize).toBe(o.blockSize);
        expect(s.problems).toEqual([]);
      } else {
        // A block-index map with no header says nothing about bytes: never assume a size.
        expect(s.blockSize).toBeNull();
        expect(s.problems).toEqual(['block size unknown: the map has too few lines and no total to infer it from']);
      }
    });
  }

  it('5-digit offsets that wrap past 1 MiB (8 MB PSRAM on v1.19)', () => {
    const big = randomMap(70000, 3) + '.'.repeat(200) + randomMap(30000, 4);
    const [s] = snapshotsOf(readCapture(enc(renderDump([big], { ...base, style: 'off5' }))));
    expect(kindsText(s.areas[0].kinds)).toBe(big);
    expect(s.complete && s.consistent).toBe(true);
  });

  it('several areas keyed by pool address, one starting and one ending folded', () => {
    const a1 = randomMap(896, 1) + '.'.repeat(384);
    const a2 = '.'.repeat(400) + randomMap(700, 2);
    const text = renderDump([a1, a2], base);
    expect(text).toMatch(/lines all free\)\r\nGC memory layout; from 20018b00:\r\n {7}\(/);
    const [s] = snapshotsOf(readCapture(enc(text)));
    expect(s.areas.map((a) => a.address)).toEqual(['20008b00', '20018b00']);
    expect(s.areas.map((a) => kindsText(a.kinds))).toEqual([a1, a2]);
    expect(s.complete && s.consistent).toBe(true);
  });

  it('unknown head letters from forks are kept', () => {
    const map = 'hIGEQ==...' + '.'.repeat(54);
    const [s] = snapshotsOf(readCapture(enc(renderDump([map], base))));
    expect(computeMetrics(s).kinds).toMatchObject({ h: 1, I: 1, G: 1, E: 1, Q: 1 });
  });

  it('optional header lines: mem:, stack without a limit, max new split, no max free sz', () => {
    const text =
      'mem: total=77932, current=44073, peak=44073\nstack: 7328\nGC: total: 2048, used: 64, free: 1984, max new split: 110592\n' +
      ' No. of 1-blocks: 0, 2-blocks: 1, max blk sz: 2\nGC memory layout; from 7f2951dbdde0:\n00000000: h=' + '.'.repeat(62) + '\n';
    const [s] = snapshotsOf(readCapture(enc(text)));
    expect(s.printed).toMatchObject({ mem: { total: 77932, current: 44073, peak: 44073 }, stackUsed: 7328, stackLimit: null, maxNewSplit: 110592, maxFreeSize: null });
    expect(s.blockSize).toBe(32);
    expect(s.complete && s.consistent).toBe(true);
  });
});

describe('framing and interleaving', () => {
  const dump = renderDump([randomMap(640, 5)], base);

  it("the helper's frames: sequence, ticks, collect flag, marks, stats-only, lost frames", () => {
    const text =
      '@@HS:H 1 350 timer 1 micropython\r\n' +
      `@@HS:B 0 1000 1\r\n${dump}@@HS:E 0\r\n` +
      'program says hi\r\n@@HS:K 1 1100 before load\r\n' +
      `@@HS:B 4 1400 0\r\n${dump}@@HS:E 4\r\n` +
      '@@HS:S 5 1750 0 20480 171520\r\n';
    const events = readCapture(enc(text));
    const snaps = snapshotsOf(events);
    expect(snaps.map((s) => [s.seq, s.deviceMs, s.collected, s.framing])).toEqual([
      [0, 1000, true, 'helper'],
      [4, 1400, false, 'helper'],
      [5, 1750, false, 'helper'],
    ]);
    expect(snaps[2].stats).toEqual({ alloc: 20480, free: 171520 });
    expect(computeMetrics(snaps[2])).toMatchObject({ usedBytes: 20480, freeBytes: 171520 });
    expect(events.find((e) => e.type === 'mark')).toMatchObject({ label: 'before load', deviceMs: 1100 });
    const lost = events.find((e) => e.type === 'device' && e.kind === 'frameLost') as DeviceEvent;
    expect(lost.lost).toBe(2);
    expect(events.filter((e) => e.type === 'log').map((e) => (e as { text: string }).text)).toEqual(['program says hi']);
    // The frame's byte range covers its markers, so it can be re-read on its own.
    const first = snaps[0];
    expect(text.slice(first.byteStart, first.byteEnd)).toBe(`@@HS:B 0 1000 1\r\n${dump}@@HS:E 0\r\n`);
    expect(snapshotsOf(readCapture(enc(text.slice(first.byteStart, first.byteEnd))))[0].seq).toBe(0);
  });

  it('a dump that begins in the middle of a line the program was printing', () => {
    const framed = `counting: 1 2 3@@HS:B 7 500 0\r\n${dump}@@HS:E 7\r\n 4 5\r\n`;
    const events = readCapture(enc(framed));
    expect(events.filter((e) => e.type === 'log').map((e) => (e as { text: string }).text)).toEqual(['counting: 1 2 3', ' 4 5']);
    expect(snapshotsOf(events)[0].complete).toBe(true);
    const bare = `counting: 1 2 3${dump}done\r\n`;
    const ev2 = readCapture(enc(bare));
    expect(ev2.filter((e) => e.type === 'log').map((e) => (e as { text: string }).text)).toEqual(['counting: 1 2 3', 'done']);
    expect(snapshotsOf(ev2)[0]).toMatchObject({ complete: true, consistent: true, line: 1 });
  });

  it("pi-mst's @@@ framing with its wall-clock first line", () => {
    const text = `@@@ 5000 (2024, 3, 1, 12, 0, 0, 4, 61)\n${dump}@@@\nlog\n@@@ 5350\n${dump}@@@\n`;
    const events = readCapture(enc(text));
    const snaps = snapshotsOf(events);
    expect(snaps.map((s) => [s.framing, s.deviceMs])).toEqual([
      ['pimst', 5000],
      ['pimst', 5350],
    ]);
    expect(events.some((e) => e.type === 'device' && e.kind === 'helperStart')).toBe(true);
  });

  it('a framed dump cut short is flagged incomplete and keeps what arrived', () => {
    const cut = dump.slice(0, dump.length - 100);
    const events = readCapture(enc(`@@HS:B 0 10 0\r\n${cut}`));
    const [s] = snapshotsOf(events);
    expect(s.complete).toBe(false);
    expect(s.problems.join()).toMatch(/ends before the dump/);
    expect(s.areas[0].blocks).toBeGreaterThan(200);
    expect(s.areas[0].blocks).toBeLessThan(640);
  });

  it('terminal escape sequences and control bytes are removed from log lines', () => {
    const events = readCapture(enc('\x1b]0;🐍 code.py | 8.2.0\x1b\\Hello \x1b[1mworld\x1b[0m\x04\r\n'));
    expect(events).toEqual([{ type: 'log', text: 'Hello world', line: 1, byteOffset: 0 }]);
  });

  it('device events: soft reboot, traceback, MemoryError with its size, banner', () => {
    const text = [
      'MPY: soft reboot',
      'MicroPython v1.23.0 on 2024-06-02; Raspberry Pi Pico W with RP2040',
      'Traceback (most recent call last):',
      '  File "main.py", line 12, in <module>',
      'MemoryError: memory allocation failed, allocating 582 bytes',
      'MemoryError: memory allocation failed, heap is locked',
    ].join('\r\n');
    const dev = readCapture(enc(text + '\r\n')).filter((e): e is DeviceEvent => e.type === 'device');
    expect(dev.map((e) => [e.kind, e.bytes, e.line])).toEqual([
      ['softReboot', undefined, 1],
      ['banner', undefined, 2],
      ['traceback', undefined, 3],
      ['memoryError', 582, 5],
      ['memoryError', undefined, 6],
    ]);
    expect(dev[1].detail).toMatchObject({ implementation: 'MicroPython', version: 'v1.23.0', board: 'Raspberry Pi Pico W with RP2040' });
  });

  it('a map line lost on the link leaves a hole of unknown blocks, never invented ones', () => {
    const map = randomMap(640, 11);
    const lines = renderDump([map], { ...base, fold: false }).split('\r\n');
    const i = lines.findIndex((l) => l.startsWith('00000400:'));
    lines.splice(i, 1);
    const [s] = snapshotsOf(readCapture(enc(lines.join('\r\n'))));
    expect(s.complete).toBe(false);
    expect(s.problems.join()).toMatch(/1 map lines missing/);
    const m = computeMetrics(s);
    expect(m.unknownBlocks).toBe(64);
    const k = kindsText(s.areas[0].kinds);
    expect(k.slice(0, 64)).toBe(map.slice(0, 64));
    expect(k.slice(128)).toBe(map.slice(128));
  });
});

describe('streaming', () => {
  it('events come out as soon as their bytes are in', () => {
    const r = new CaptureReader();
    const out: CaptureEvent[] = [];
    out.push(...r.feed(enc('hello\r')));
    expect(out).toEqual([]); // `\r` might be the start of `\r\n`
    out.push(...r.feed(enc('\nworld')));
    expect(out.map((e) => e.type)).toEqual(['log']);
    out.push(...r.end());
    expect(out.map((e) => (e as { text: string }).text)).toEqual(['hello', 'world']);
  });
});
