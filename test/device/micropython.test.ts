import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { loadBoardMicroPython, type BoardMicroPython } from '../../src/main/board/virtual/micropython';

async function board(heapBytes = 192 * 1024) {
  const out: Buffer[] = [];
  const b = await loadBoardMicroPython({ heapBytes, onStdout: (x) => out.push(Buffer.from(x)) });
  const text = () => Buffer.concat(out).toString('latin1');
  const run = (code: string) => {
    out.length = 0;
    const ok = b.exec(code);
    return { ok, text: text() };
  };
  return { b, run, text };
}

/** Values a program prints as `KEY=value` lines. */
function values(text: string): Record<string, string> {
  const v: Record<string, string> = {};
  for (const m of text.matchAll(/^(\w+)=(.*)\r$/gm)) v[m[1]] = m[2];
  return v;
}

describe('fixed-heap MicroPython (virtual board)', () => {
  it.each([192 * 1024, 64 * 1024])('has one heap area of about %i bytes that does not grow', async (heapBytes) => {
    const { b, run } = await board(heapBytes);
    expect(b.midRunCollect).toBe(true);
    const r = run(`import micropython, gc
try:
    x = bytearray(${heapBytes * 2})
    print('GREW')
except MemoryError as e:
    print('ERR=' + str(e))
try:
    x = bytearray(${Math.floor(heapBytes * 0.6)})
    print('BIG=ok')
except MemoryError:
    print('BIG=failed')
x = None
f, a = gc.mem_free(), gc.mem_alloc()
print('FREE=%d' % f)
print('ALLOC=%d' % a)
micropython.mem_info(1)
`);
    expect(r.text).not.toMatch(/GREW/);
    const v = values(r.text);
    expect(v.ERR).toBe(`memory allocation failed, allocating ${heapBytes * 2} bytes`);
    expect(v.BIG).toBe('ok');
    const gcLine = /^GC: total: (\d+), used: (\d+), free: (\d+)\r$/m.exec(r.text);
    expect(gcLine, r.text.slice(0, 400)).not.toBeNull();
    const total = Number(gcLine![1]);
    expect(total).toBe(b.gcTotal);
    expect(total).toBeGreaterThan(heapBytes * 0.95);
    expect(total).toBeLessThanOrEqual(heapBytes);
    expect(r.text).not.toMatch(/max new split/);
    expect(r.text.match(/GC memory layout; from /g)).toHaveLength(1);
    // gc.mem_free() no longer counts the 128 MiB the npm build could grow by.
    expect(Number(v.FREE) + Number(v.ALLOC)).toBe(total);
  });

  it('sends \\r\\n line endings like a board, for print and mem_info alike', async () => {
    const { run } = await board();
    const r = run("print('a')\nprint('b\\nc', end='\\n')\nimport micropython\nmicropython.mem_info()");
    expect(r.text).toMatch(/^a\r\nb\r\nc\r\nstack: \d+ out of \d+\r\nGC: total/);
    expect(r.text).not.toMatch(/[^\r]\n/);
    expect(r.text).not.toMatch(/\r\r/);
  });

  it('collects garbage while a program runs (at sleep points and gc.collect())', async () => {
    const { run } = await board(64 * 1024);
    // 100 x 200 x 100 B = 2 MB of garbage through a 64 KB heap, in one program. (Between two
    // sleeps the garbage must fit in the heap: the port cannot collect elsewhere.)
    const r = run(`import gc, time
for i in range(100):
    for j in range(200):
        x = bytearray(100)
    time.sleep_ms(1)
x = None
a = gc.mem_alloc()
for j in range(100):
    y = bytearray(300)
y = None
b = gc.mem_alloc()
gc.collect()
print('DROP=%d' % (b - gc.mem_alloc()))
print('DONE=1')
`);
    expect(r.text).not.toMatch(/MemoryError/);
    expect(values(r.text).DONE).toBe('1');
    expect(Number(values(r.text).DROP)).toBeGreaterThanOrEqual(300);
  });

  it('has machine.Timer (periodic and one-shot) firing at sleep points, and time.sleep really waits', async () => {
    const { run } = await board();
    const r = run(`import machine, time
hits = []
ones = []
t = machine.Timer(-1, period=50, mode=machine.Timer.PERIODIC, callback=lambda t: hits.append(time.ticks_ms()))
o = machine.Timer(0)
o.init(period=120, mode=machine.Timer.ONE_SHOT, callback=lambda t: ones.append(1))
t0 = time.ticks_ms()
time.sleep(0.5)
print('SLEPT=%d' % time.ticks_diff(time.ticks_ms(), t0))
t.deinit()
n = len(hits)
time.sleep_ms(200)
print('HITS=%d' % n)
print('AFTER=%d' % (len(hits) - n))
print('ONES=%d' % len(ones))
print('CONST=%d %d' % (machine.Timer.PERIODIC, machine.Timer.ONE_SHOT))
`);
    const v = values(r.text);
    expect(Number(v.SLEPT)).toBeGreaterThanOrEqual(500);
    expect(Number(v.SLEPT)).toBeLessThan(700);
    expect(Number(v.HITS)).toBeGreaterThanOrEqual(8);
    expect(Number(v.HITS)).toBeLessThanOrEqual(11);
    expect(v.AFTER).toBe('0');
    expect(v.ONES).toBe('1');
    expect(v.CONST).toBe('1 0');
  });

  it('prints an uncaught exception like the firmware and stays usable, even on a full heap', async () => {
    const { run } = await board(32 * 1024);
    const r = run(`def fill():
    keep = []
    while True:
        keep.append(bytearray(64))
fill()`);
    expect(r.ok).toBe(false);
    // With no sleep there was no collection, and on a completely full heap this build has no
    // room for the traceback or the message: a board (which collects first) prints both.
    expect(r.text).toMatch(/^(Traceback \(most recent call last\):\r\n.*)?MemoryError: .*\r\n$/s);
    // `keep` died with fill(): the next program runs (its source is compiled after a collection).
    const again = run('import gc\nprint("OK=%d" % (gc.mem_free() > 20000))');
    expect(again.ok, again.text).toBe(true);
    expect(values(again.text).OK).toBe('1');
    // A heap full of live data: every command fails, as on a board, but it reports and returns.
    const full = run('keep = []\nwhile True:\n    keep.append(bytearray(64))');
    expect(full.ok).toBe(false);
    const next = run('print(1)');
    expect(next.ok).toBe(false);
    expect(next.text).toMatch(/MemoryError/);
  });

  it('soft reset gives a fresh heap and keeps the files', async () => {
    const { b, run } = await board();
    b.writeFile('/lib/util.py', 'X = 42\n');
    run("big = [bytearray(1000) for i in range(50)]\nf = open('data.txt', 'w')\nf.write('kept')\nf.close()");
    const before = values(run("import gc\nprint('USED=%d' % gc.mem_alloc())").text);
    expect(Number(before.USED)).toBeGreaterThan(50_000);
    await b.reset();
    const after = values(run(`import gc, util
print('USED=%d' % gc.mem_alloc())
print('DATA=' + open('data.txt').read())
print('X=%d' % util.X)
print('BIG=' + str('big' in globals()))
`).text);
    expect(Number(after.USED)).toBeLessThan(20_000);
    expect(after.DATA).toBe('kept');
    expect(after.X).toBe('42');
    expect(after.BIG).toBe('False');
    expect(b.midRunCollect).toBe(true);
    expect([...b.listFiles().keys()].sort()).toEqual(expect.arrayContaining(['/data.txt', '/lib/util.py']));
    expect([...b.listFiles().keys()].some((p) => p.startsWith('/.vboard') || p.startsWith('/dev'))).toBe(false);
  });

  it('keeps two instances in one thread apart', async () => {
    const one = await board(64 * 1024);
    const two = await board(128 * 1024);
    one.run('who = "one"');
    two.run('who = "two"');
    expect(values(one.run('import gc\nprint("W=" + who)\nprint("T=%d" % (gc.mem_free() + gc.mem_alloc()))').text)).toEqual({
      W: 'one',
      T: String(one.b.gcTotal),
    });
    expect(values(two.run('print("W=" + who)').text).W).toBe('two');
    expect(one.b.gcTotal).not.toBe(two.b.gcTotal);
    // Dropped PyProxies are finalized by JS's GC at any time: each must free its object in its
    // own instance, whichever is current then (else the other's references get freed).
    v8.setFlagsFromString('--expose_gc');
    const collectJs = vm.runInNewContext('gc') as () => void;
    await one.b.reset();
    for (let round = 0; round < 20; round++) {
      for (const x of [one, two]) for (let i = 0; i < 20; i++) void x.b.mp.pyimport('sys').modules;
      collectJs();
      await new Promise((r) => setTimeout(r, 1));
      expect(values(one.run('who = "one"\nprint("W=" + who)').text).W).toBe('one');
      expect(values(two.run('print("W=" + who)').text).W).toBe('two');
    }
  });

  it('runs firmware-style asyncio (asyncio.run blocks; gather, Event, wait_for)', async () => {
    const { run } = await board();
    const r = run(`import asyncio, functools, logging
print('FILE=' + asyncio.__file__)
async def worker(n, ev):
    await ev.wait()
    await asyncio.sleep_ms(10 * n)
    return n * n
async def slow():
    await asyncio.sleep(5)
async def main():
    ev = asyncio.Event()
    tasks = [worker(i, ev) for i in range(3)]
    asyncio.create_task(setter(ev))
    print('SQ=' + str(await asyncio.gather(*tasks)))
    try:
        await asyncio.wait_for(slow(), 0.05)
    except asyncio.TimeoutError:
        print('TIMEOUT=yes')
    return 7
async def setter(ev):
    await asyncio.sleep_ms(20)
    ev.set()
print('RET=%d' % asyncio.run(main()))
`);
    const v = values(r.text);
    expect(r.ok, r.text).toBe(true);
    expect(v.SQ).toBe('[0, 1, 4]');
    expect(v.TIMEOUT).toBe('yes');
    expect(v.RET).toBe('7');
    expect(v.FILE).toBe('/.vboard/asyncio.py'); // ours; the build's other frozen modules still import
  });

  it('refuses source too long for the glue with a clear error', async () => {
    const { b } = await board(32 * 1024);
    expect(() => b.exec('#'.repeat(b.maxCodeBytes + 1))).toThrow(/too long/);
  });
});

export type { BoardMicroPython };
