import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBoardMicroPython } from '../../src/main/board/virtual/micropython';
import { measureHelperFootprint } from '../../src/main/board/virtual/helperFootprint';
import { HELPER } from './boardHarness';
import { parseFrames } from './frames';

async function board(heapBytes = 192 * 1024) {
  const out: Buffer[] = [];
  const b = await loadBoardMicroPython({ heapBytes, onStdout: (x) => out.push(Buffer.from(x)) });
  b.writeFile('/mem_dump.py', Buffer.from(HELPER, 'latin1'));
  const run = (code: string) => {
    out.length = 0;
    const ok = b.exec(code);
    return { ok, text: Buffer.concat(out).toString('latin1') };
  };
  return { b, run };
}

const values = (text: string) => Object.fromEntries([...text.matchAll(/^(\w+)=(.*)\r$/gm)].map((m) => [m[1], m[2]]));

/** Stand-in for CircuitPython: a `micropython` module without mem_info (or schedule). */
const WITHOUT_MEM_INFO = `import sys, micropython
class _NoMemInfo:
    pass
_shim = _NoMemInfo()
sys.modules['micropython'] = _shim
sys.modules.pop('mem_dump', None)
import mem_dump
sys.modules['micropython'] = micropython
`;

describe('device/mem_dump.py on real MicroPython', () => {
  it('frames dumps and marks as docs/helper-frames.md says, with one seq counter', async () => {
    const { b, run } = await board();
    const r = run(`import mem_dump
mem_dump.dump()
mem_dump.mark('phase one')
mem_dump.dump(True)
mem_dump.mark('bad\\x04label\\nsplit')
print('partial line', end='')
mem_dump.dump()
`);
    expect(r.ok, r.text).toBe(true);
    const f = parseFrames(r.text);
    expect(f.problems).toEqual([]);
    expect(f.hello).toEqual([{ period: 0, mode: 'manual', collect: 0, impl: 'micropython' }]);
    expect(f.frames.map((x) => `${x.kind}${x.seq}`)).toEqual(['B0', 'K1', 'B2', 'K3', 'B4']);
    expect(f.frames[1].rest).toEqual(['phase one']);
    expect(f.frames[3].rest).toEqual(['badlabel split']);
    expect(f.frames[2].rest).toEqual(['1']); // collected
    expect(r.text).toMatch(/partial line@@HS:B 4 \d+ 0\r\n/); // the host splits such lines
    for (const d of f.dumps) {
      expect(d).toMatch(new RegExp(`GC: total: ${b.gcTotal}, used: \\d+, free: \\d+`));
      expect(d.match(/GC memory layout; from/g)).toHaveLength(1);
    }
  });

  it('dumps on a machine.Timer while the program sleeps, through micropython.schedule', async () => {
    const { run } = await board();
    const r = run(`import mem_dump, time
mem_dump.start_timer(100)
for i in range(12):
    x = [bytearray(200) for j in range(20)]
    time.sleep_ms(100)
mem_dump.stop()
time.sleep_ms(300)
print('END')
`);
    expect(r.ok, r.text).toBe(true);
    const f = parseFrames(r.text);
    expect(f.problems).toEqual([]);
    expect(f.hello).toEqual([{ period: 100, mode: 'timer', collect: 0, impl: 'micropython' }]);
    const dumps = f.frames.filter((x) => x.kind === 'B');
    expect(dumps.length).toBeGreaterThanOrEqual(10); // one at start + one per 100 ms over 1.2 s
    // One per tick, not more: a loaded machine stretches the run, so the bound is the run's own span.
    const span = dumps[dumps.length - 1].ms - dumps[0].ms;
    expect(dumps.length).toBeLessThanOrEqual(Math.floor(span / 100) + 2);
    const gaps = dumps.slice(1).map((d, i) => d.ms - dumps[i].ms);
    expect(Math.max(...gaps.slice(1))).toBeLessThan(250);
    // Nothing after stop().
    expect(r.text.slice(r.text.lastIndexOf('@@HS:E'))).not.toMatch(/@@HS:B/);
  });

  it('dumps from an asyncio task with start_async', async () => {
    const { run } = await board();
    const r = run(`import asyncio, mem_dump
async def main():
    t = mem_dump.start_async(100, True)
    for i in range(5):
        x = [bytearray(100) for j in range(10)]
        await asyncio.sleep_ms(100)
    mem_dump.stop()
    await asyncio.sleep_ms(250)
    print('TASK=' + str(type(t).__name__))
asyncio.run(main())
`);
    expect(r.ok, r.text).toBe(true);
    const f = parseFrames(r.text);
    expect(f.problems).toEqual([]);
    expect(f.hello).toEqual([{ period: 100, mode: 'async', collect: 1, impl: 'micropython' }]);
    const dumps = f.frames.filter((x) => x.kind === 'B');
    expect(dumps.length).toBeGreaterThanOrEqual(5);
    expect(dumps.length).toBeLessThanOrEqual(7);
    expect(dumps.every((d) => d.rest[0] === '1')).toBe(true);
    expect(values(r.text).TASK).toBe('Task');
  });

  it('prints stats-only frames where micropython.mem_info is missing (CircuitPython)', async () => {
    const { b, run } = await board();
    const r = run(`${WITHOUT_MEM_INFO}
import gc
mem_dump.dump()
mem_dump.mark('m')
mem_dump.dump(True)
`);
    expect(r.ok, r.text).toBe(true);
    const f = parseFrames(r.text);
    expect(f.problems).toEqual([]);
    expect(f.frames.map((x) => `${x.kind}${x.seq}`)).toEqual(['S0', 'K1', 'S2']);
    expect(r.text).not.toMatch(/GC: total|GC memory layout/);
    for (const s of f.frames.filter((x) => x.kind === 'S')) {
      const [, alloc, free] = s.rest.map(Number);
      expect(alloc).toBeGreaterThan(0);
      expect(alloc + free).toBe(b.gcTotal);
    }
    // No schedule either: the timer mode says so instead of failing later in an IRQ.
    const t = run('mem_dump.start_timer(100)');
    expect(t.ok).toBe(false);
    expect(t.text).toMatch(/OSError: no micropython.schedule/);
  });

  it('allocates nothing per dump in steady state (gc.mem_alloc before/after, gc disabled)', async () => {
    const { run } = await board();
    const r = run(`import gc, mem_dump
def measure(n, col):
    d = mem_dump.dump
    a = gc.mem_alloc
    i = 0
    d(col)
    gc.collect()
    gc.disable()
    x = a()
    while i < n:
        d(col)
        i += 1
    y = a()
    gc.enable()
    return y - x
def control(n):
    a = gc.mem_alloc
    i = 0
    gc.collect()
    gc.disable()
    x = a()
    while i < n:
        b = bytearray(8)
        i += 1
    y = a()
    gc.enable()
    return y - x
r100 = measure(100, False)
r1000 = measure(1000, False)
rcol = measure(20, True)
ctl = control(100)
print('R100=%d' % r100)
print('R1000=%d' % r1000)
print('RCOL=%d' % rcol)
print('CTL=%d' % ctl)
`);
    expect(r.ok, r.text.slice(-500)).toBe(true);
    const v = values(r.text);
    // The measurement can see allocation: 100 bytearray(8) are at least 100 x 16 B.
    expect(Number(v.CTL)).toBeGreaterThanOrEqual(1600);
    expect(v.R100).toBe('0');
    expect(v.R1000).toBe('0');
    expect(v.RCOL).toBe('0');
  });

  it('skips a timer tick when the schedule queue is full, without raising', async () => {
    const { run } = await board();
    const r = run(`import micropython, mem_dump
res = []
def noop(_):
    pass
def filler(_):
    n = 0
    try:
        while n < 1000:
            micropython.schedule(noop, 0)
            n += 1
    except RuntimeError:
        pass
    res.append(n)
    mem_dump._irq(None)   # the timer callback, with the queue full
    res.append('survived')
micropython.schedule(filler, 0)
for i in range(100):
    pass
print('RES=' + str(res))
`);
    expect(r.ok, r.text).toBe(true);
    const m = /^RES=\[(\d+), 'survived'\]\r$/m.exec(r.text);
    expect(m, r.text).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(1000); // the queue really was full
    expect(parseFrames(r.text).frames.filter((x) => x.kind === 'B')).toHaveLength(0); // tick skipped
  });

  it('reports its footprint: import bytes, bytes per dump, ms per dump', async () => {
    const fp = await measureHelperFootprint({ dumps: 50 });
    console.log('helper footprint', JSON.stringify(fp));
    expect(fp.bytesPerDump).toBe(0);
    expect(fp.bytesPerCollectDump).toBe(0);
    expect(fp.importBytes).toBeGreaterThan(500);
    expect(fp.importBytes).toBeLessThan(4096);
    expect(fp.msPerDump).toBeGreaterThan(0);
    expect(fp.outputBytesPerDump).toBeGreaterThan(3000);
    expect(fp.heapUsedBytes).toBeGreaterThan(fp.gcTotal * 0.35);
  });
});

const READER = new URL('../../src/shared/capture/captureReader.ts', import.meta.url);

describe.runIf(existsSync(READER))('helper output read back by the capture reader', () => {
  it('parses into complete, consistent snapshots that match what the firmware printed', async () => {
    const { readCapture } = await import('../../src/shared/capture/captureReader');
    const { b, run } = await board();
    const r = run(`import mem_dump, time, gc
mem_dump.start_timer(80)
keep = []
for i in range(10):
    keep.append([bytearray(64 + i) for j in range(30)])
    x = [str(j) for j in range(50)]
    time.sleep_ms(80)
    if i == 5:
        mem_dump.mark('half way')
mem_dump.stop()
mem_dump.dump(True)
`);
    expect(r.ok, r.text.slice(-400)).toBe(true);
    const f = parseFrames(r.text);
    expect(f.problems).toEqual([]);
    const events = readCapture(new Uint8Array(Buffer.from(r.text, 'latin1')));
    const snaps = events.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : []));
    const dumps = f.frames.filter((x) => x.kind === 'B');
    expect(snaps.map((s) => s.seq)).toEqual(dumps.map((d) => d.seq));
    snaps.forEach((s, i) => {
      const printed = /GC: total: (\d+), used: (\d+), free: (\d+)/.exec(f.dumps[i])!.slice(1).map(Number);
      expect(s.problems).toEqual([]);
      expect(s.complete).toBe(true);
      expect(s.consistent).toBe(true);
      expect(s.framing).toBe('helper');
      expect(s.deviceMs).toBe(dumps[i].ms);
      expect(s.collected).toBe(dumps[i].rest[0] === '1');
      expect([s.printed?.total, s.printed?.used, s.printed?.free]).toEqual(printed);
      expect(s.printed?.total).toBe(b.gcTotal);
      expect(s.blockSize).toBe(16);
      expect(s.areas).toHaveLength(1);
      expect(s.areas[0].blocks * 16).toBe(printed[0]);
    });
    expect(events.some((e) => e.type === 'device' && e.kind === 'helperStart')).toBe(true);
    expect(events.some((e) => e.type === 'mark' && e.label === 'half way')).toBe(true);
    expect(events.some((e) => e.type === 'device' && e.kind === 'frameLost')).toBe(false);
  });
});
