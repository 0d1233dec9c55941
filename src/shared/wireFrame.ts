/**
 * How the WebSocket bridge carries a message that holds bytes (a snapshot's block kinds, the
 * frame series, a film strip): one binary WebSocket message, the JSON with every typed array
 * replaced by where its bytes lie, then the bytes. As base64 inside JSON they cost a third more
 * on the wire and a decode on each side (the soak's frame series: 7 MB of arrays, 9.3 MB of
 * text). Electron's IPC does not need this: its structured clone carries typed arrays as they are.
 *
 * Layout: `u32 LE` length of the JSON, the JSON (UTF-8), then from the next multiple of 8 the
 * body: each array's bytes at a multiple of 8, so the receiver views them in place (a
 * Float64Array needs 8-byte alignment). In the JSON an array is `{"$bytes":[type,offset,length]}`
 * (offset in the body, length in elements); a value that holds a key `$bytes` itself is refused.
 */

const TYPES = {
  u8: Uint8Array,
  u16: Uint16Array,
  u32: Uint32Array,
  i32: Int32Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;
type TypeName = keyof typeof TYPES;
type Typed = InstanceType<(typeof TYPES)[TypeName]>;

function typeNameOf(v: ArrayBufferView): TypeName | null {
  for (const k of Object.keys(TYPES) as TypeName[]) if (v instanceof TYPES[k]) return k;
  return null;
}

const ALIGN = 8;
const up = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/**
 * `value` as a WebSocket message: a JSON string when it holds no typed array, else the binary
 * message described above.
 */
export function packMessage(value: unknown): string | Uint8Array {
  const arrays: Typed[] = [];
  const offsets: number[] = [];
  let body = 0;
  // The holder's own value, not `v`: a Node Buffer (a Uint8Array) has turned itself into
  // `{type, data}` through its toJSON before a replacer sees it.
  const json = JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const own = this[key];
    if (!ArrayBuffer.isView(own)) {
      // Text from a board (an event's payload) must never read back as a byte array.
      if (own !== null && typeof own === 'object' && Object.prototype.hasOwnProperty.call(own, '$bytes')) throw new TypeError('a value holds the key "$bytes", which the bridge keeps for byte arrays');
      return v;
    }
    const t = typeNameOf(own);
    if (t === null) throw new TypeError(`the bridge carries no ${own.constructor.name}`);
    const a = own as Typed;
    arrays.push(a);
    offsets.push(body);
    const at = body;
    body = up(body + a.byteLength);
    return { $bytes: [t, at, a.length] };
  });
  if (arrays.length === 0) return json;
  const head = new TextEncoder().encode(json);
  const bodyAt = up(4 + head.length);
  const out = new Uint8Array(bodyAt + body);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  arrays.forEach((a, i) => out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), bodyAt + offsets[i]));
  return out;
}

/** Thrown for a binary message that does not hold what its header says. */
export class WireFrameError extends Error {}

/**
 * A binary message back to its value: each array a view of `buf` (no copy). Throws
 * WireFrameError on a message that is not one of ours.
 */
export function unpackMessage(buf: ArrayBuffer): unknown {
  if (buf.byteLength < 4) throw new WireFrameError('a binary message shorter than its header');
  const n = new DataView(buf).getUint32(0, true);
  if (4 + n > buf.byteLength) throw new WireFrameError('a binary message whose header runs past its end');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, n)));
  } catch {
    throw new WireFrameError('a binary message whose header is not JSON');
  }
  return revive(value, buf, up(4 + n));
}

function revive(v: unknown, buf: ArrayBuffer, bodyAt: number): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = revive(v[i], buf, bodyAt);
    return v;
  }
  const o = v as Record<string, unknown>;
  const b = o.$bytes;
  if (b !== undefined) {
    if (!Array.isArray(b) || b.length !== 3 || typeof b[0] !== 'string' || !Object.prototype.hasOwnProperty.call(TYPES, b[0])) throw new WireFrameError('a byte array of no known type');
    const T = TYPES[b[0] as TypeName];
    const [off, len] = [b[1], b[2]];
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len) || off < 0 || len < 0 || off % ALIGN !== 0 || bodyAt + off + len * T.BYTES_PER_ELEMENT > buf.byteLength) {
      throw new WireFrameError('a byte array outside its message');
    }
    return new T(buf, bodyAt + off, len);
  }
  for (const k of Object.keys(o)) o[k] = revive(o[k], buf, bodyAt);
  return o;
}
