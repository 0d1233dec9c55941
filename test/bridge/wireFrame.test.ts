import { describe, expect, it } from 'vitest';
import { packMessage, unpackMessage, WireFrameError } from '../../src/shared/wireFrame';

/** What a receiver gets: the message's bytes in an ArrayBuffer of their own. */
const received = (m: Uint8Array) => m.slice().buffer;

describe('binary bridge messages (wireFrame)', () => {
  it('sends a value with no typed array as plain JSON text', () => {
    const v = { id: 3, ok: true, result: { a: [1, 'x', null], b: { c: 2 } } };
    const m = packMessage(v);
    expect(typeof m).toBe('string');
    expect(JSON.parse(m as string)).toEqual(v);
  });

  it('round-trips typed arrays of every width, views at odd offsets and Node Buffers, in place', () => {
    const whole = Uint8Array.from({ length: 40 }, (_, i) => i * 7);
    const v = {
      id: 9,
      result: {
        kinds: whole.subarray(3, 14),
        buf: Buffer.from([5, 6, 7]),
        f32: Float32Array.of(1.5, -2, NaN),
        f64: Float64Array.of(1e300, -0.25),
        u32: Uint32Array.of(0, 4294967295),
        u16: Uint16Array.of(65535),
        i32: Int32Array.of(-7),
        empty: new Uint8Array(0),
        nested: [{ k: Uint8Array.of(9) }, 'text'],
      },
    };
    const m = packMessage(v);
    expect(m).toBeInstanceOf(Uint8Array);
    const out = unpackMessage(received(m as Uint8Array)) as typeof v;
    expect(out.id).toBe(9);
    expect([...out.result.kinds]).toEqual([...whole.subarray(3, 14)]);
    expect(out.result.buf).toBeInstanceOf(Uint8Array);
    expect([...out.result.buf]).toEqual([5, 6, 7]);
    expect(out.result.f32).toBeInstanceOf(Float32Array);
    expect([...out.result.f32]).toEqual([1.5, -2, NaN]);
    expect([...out.result.f64]).toEqual([1e300, -0.25]);
    expect([...out.result.u32]).toEqual([0, 4294967295]);
    expect([...out.result.u16]).toEqual([65535]);
    expect([...out.result.i32]).toEqual([-7]);
    expect(out.result.empty.length).toBe(0);
    expect([...(out.result.nested[0] as { k: Uint8Array }).k]).toEqual([9]);
    expect(out.result.nested[1]).toBe('text');
    // Views of the message, every one aligned for its type: nothing was copied.
    for (const a of [out.result.kinds, out.result.f64, out.result.u32]) expect(a.byteOffset % 8).toBe(0);
  });

  it('refuses, in words, a binary message that is not one of ours', () => {
    const good = packMessage({ r: Float64Array.of(1, 2) }) as Uint8Array;
    const headLen = new DataView(good.buffer).getUint32(0, true);
    const withHeader = (json: string, body = 16) => {
      const h = new TextEncoder().encode(json);
      const out = new Uint8Array(Math.ceil((4 + h.length) / 8) * 8 + body);
      new DataView(out.buffer).setUint32(0, h.length, true);
      out.set(h, 4);
      return out.buffer;
    };
    const cases: ArrayBuffer[] = [
      new ArrayBuffer(0),
      new Uint8Array([1, 0, 0]).buffer,
      // A header that runs past the end.
      (() => {
        const b = good.slice();
        new DataView(b.buffer).setUint32(0, headLen + 1000, true);
        return b.buffer;
      })(),
      withHeader('{not json'),
      withHeader('{"a":{"$bytes":["f128",0,1]}}'),
      withHeader('{"a":{"$bytes":["u8",0,17]}}'),
      withHeader('{"a":{"$bytes":["f64",4,1]}}'),
      withHeader('{"a":{"$bytes":["u8",-8,1]}}'),
      withHeader('{"a":{"$bytes":["u8",0]}}'),
      withHeader('{"a":{"$bytes":"x"}}'),
    ];
    for (const c of cases) expect(() => unpackMessage(c)).toThrow(WireFrameError);
    // A well-formed one at the edge of its body is fine.
    expect([...(unpackMessage(withHeader('{"a":{"$bytes":["u8",0,16]}}')) as { a: Uint8Array }).a].length).toBe(16);
  });
});

describe('binary bridge messages: text that looks like ours', () => {
  it('refuses to pack a value holding the key $bytes (a board could print it), so it never reads back as bytes', () => {
    expect(() => packMessage({ kinds: Uint8Array.of(1), events: [{ payload: { $bytes: ['u8', 0, 1] } }] })).toThrow(/\$bytes/);
  });
});
