import { describe, expect, it } from 'vitest';
import { LogStore } from '../../src/main/service/logStore';
import { IndexBuilder } from '../../src/main/service/indexBuilder';
import { CaptureReader } from '../../src/shared/capture/captureReader';
import { MemorySession } from '../../src/main/service/sessionView';

describe('LogStore (log lines in typed columns, text made on demand)', () => {
  it('gives back every field as pushed, across column and pool chunks, non-ASCII included', () => {
    const s = new LogStore();
    const n = 200_000; // past several column chunks (65536 rows) and pool chunks (1 MB)
    const textOf = (i: number) => (i % 7 === 0 ? `é€😀 line ${i}` : i % 5 === 0 ? '' : `l${i}`);
    for (let i = 0; i < n; i++) s.push(textOf(i), i * 2 + 1, i >> 4, i % 3 === 0 ? null : i + 0.5);
    // One line longer than a pool chunk gets a chunk of its own.
    const long = 'x'.repeat(3 << 20);
    s.push(long, 1, 2, null);
    expect(s.length).toBe(n + 1);
    for (const i of [0, 1, 5, 7, 65535, 65536, 65537, n - 1]) {
      expect(s.at(i)).toEqual({ n: i, text: textOf(i), line: i * 2 + 1, snapshot: i >> 4, hostMs: i % 3 === 0 ? null : i + 0.5 });
      expect(s.text(i)).toBe(textOf(i));
    }
    for (let i = 0; i < n; i++) if (s.text(i) !== textOf(i)) expect.fail(`line ${i}: ${s.text(i)}`);
    expect(s.text(n)).toBe(long);
    expect(s.slice(n - 2, n + 5).map((l) => l.n)).toEqual([n - 2, n - 1, n]);
    expect(s.slice(-3, 2).map((l) => l.n)).toEqual([0, 1]);
    expect(s.slice(1.7, 3.2).map((l) => l.n)).toEqual([1, 2]);
    expect(() => s.at(n + 1)).toThrow(RangeError);
    expect(() => s.at(0.5)).toThrow(RangeError);
  });

  it('marks a line as a device event, and a cached object follows the mark', () => {
    const s = new LogStore();
    s.push('Traceback (most recent call last):', 3, 0, null);
    expect(s.at(0).device).toBeUndefined();
    s.setDevice(0, 'traceback');
    expect(s.at(0).device).toBe('traceback');
    expect(s.deviceOf(0)).toBe('traceback');
  });

  it('slice gives objects a caller can change without changing the store', () => {
    const s = new LogStore();
    s.push('a', 1, 0, null);
    s.slice(0, 1)[0].text = 'changed';
    expect(s.at(0).text).toBe('a');
  });

  it('an index of a capture serves the lines the parser read, device marks included', () => {
    const bytes = Buffer.from('hello\nTraceback (most recent call last):\n  File "<stdin>", line 1\nMemoryError: memory allocation failed, allocating 64 bytes\nbye\n');
    const r = new CaptureReader();
    const all = [...r.feed(bytes), ...r.end()];
    const b = new IndexBuilder();
    const delta = b.add(all);
    const logs = all.filter((e) => e.type === 'log');
    expect(b.lines.length).toBe(logs.length);
    expect(b.lines.slice().map((l) => l.text)).toEqual(logs.map((e) => (e as { text: string }).text));
    // What was pushed to clients and what is served later agree, device marks included.
    expect(b.lines.slice()).toEqual(delta.lines);
    expect(delta.lines.some((l) => l.device)).toBe(true);
  });

  it('with the raw bytes in memory, a line that is its bytes points into them; others are copied; all read back the same', () => {
    const parts: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      if (i % 1000 === 1) parts.push(`é non-ASCII ${i}`);
      else if (i % 1000 === 2) parts.push(`bell\x07 stripped ${i}`);
      else if (i % 5000 === 3) parts.push('x'.repeat(70_000)); // cut at 64 KiB: its text is not its bytes
      else if (i % 1000 === 4) parts.push('');
      else parts.push(`l${i} plain`);
    }
    const bytes = Buffer.from(parts.join('\r\n') + '\n', 'utf8');
    const events = (() => {
      const r = new CaptureReader();
      const out = [];
      for (let o = 0; o < bytes.length; o += 65536) out.push(...r.feed(bytes.subarray(o, o + 65536)));
      out.push(...r.end());
      return out;
    })();
    // The same events indexed without the raw bytes: every text copied.
    const copied = new IndexBuilder();
    copied.add(events);
    const m = new MemorySession({ path: 'x', name: 'x', source: 'import', createdAt: 0, rawBytes: 0, live: false }, bytes);
    for (let o = 0; o < bytes.length; o += 65536) m.feed(bytes.subarray(o, o + 65536));
    m.end();
    const n = copied.lines.length;
    expect(m.logCount()).toBe(n);
    for (let i = 0; i < n; i++) if (m.index.lines.text(i) !== copied.lines.text(i)) expect.fail(`line ${i}: ${m.index.lines.text(i)}`);
    expect(JSON.stringify(m.logLines(0, n))).toBe(JSON.stringify(copied.lines.slice(0, n)));
    // Only the lines that are not their bytes went into the pool.
    // (the plain ones: ~97,000 lines of 10–13 bytes; the 20 cut lines alone are 1.3 MB).
    expect(copied.lines.poolBytes - m.index.lines.poolBytes).toBeGreaterThan(97_000 * 10);
    expect(m.index.lines.poolBytes).toBeGreaterThan(20 * 65_000);
    expect(m.index.lines.poolBytes).toBeLessThan(20 * 65_600 + 2_000 * 30);
  });
});
