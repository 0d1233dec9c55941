/**
 * Opens a session file: scans its records (skipping raw payloads by seeking), reads the index,
 * and serves any snapshot by decoding only its segment and re-reading the dump's raw bytes
 * with the capture parser. A file cut short by a crash opens with everything up to the cut:
 * what the index had not recorded yet is re-read from the raw bytes.
 */
import { closeSync, createWriteStream, fstatSync, readSync } from 'node:fs';
import { FileRefusedError, openRegularSync } from './files';
import { once } from 'node:events';
import zlib from 'node:zlib';
import { CaptureReader } from '../../shared/capture/captureReader';
import type { CaptureEvent } from '../../shared/capture/events';
import { lineText } from '../../shared/capture/text';
import { metricsOf } from '../../shared/heap/metrics';
import type { HeapSnapshot } from '../../shared/heap/snapshot';
import { ByteSource, MalformedError, windowTail } from './bytes';
import {
  HEADER_SIZE,
  MAGIC,
  MAX_RECORD,
  OPTIONAL_RECORD,
  parseJson,
  READS_UP_TO,
  RECORD_HEADER_SIZE,
  recordCrc,
  RecordType,
  SessionFormatError,
} from './format';
import { IndexShapeError, IndexUnpacker, type SessionEvent, type SnapshotIndexEntry } from './indexCodec';
import { LineDeltaDecoder, LineDeltaError } from './lineDelta';
import type { SegmentInfo, SessionMeta, StoredMeta } from './writer';

export interface OpenOptions {
  /** Throw the damage error instead of opening what comes before the damage. */
  strict?: boolean;
  /** Re-read from the raw bytes what a crash kept out of the index (default true). */
  recover?: boolean;
}

interface RawRecord {
  /** File offset of the record's payload. */
  at: number;
  length: number;
  crc: number;
  head5: Uint8Array;
  rawStart: number;
  rawLength: number;
  opLength: number;
  hostMs: number | null;
  /** Offset in the payload where the deflated ops begin. */
  dataAt: number;
}

interface Segment {
  info: SegmentInfo;
  /** File offset of the SEGMENT record. */
  at: number;
  records: RawRecord[];
  rawEnd: number;
}

/** A segment being decoded, kept so that the next fetch nearby continues from it. */
class SegmentCursor {
  readonly decoder: LineDeltaDecoder;
  next = 0;
  dict: Uint8Array = new Uint8Array(0);

  constructor(readonly seg: Segment) {
    this.decoder = new LineDeltaDecoder(Math.min(1 << 24, Math.max(1 << 16, seg.rawEnd - seg.info.rawStart)));
  }

  get rawEnd(): number {
    return this.seg.info.rawStart + this.decoder.length;
  }
}

const CACHE = 4;

export class SessionReader {
  readonly meta: SessionMeta;
  readonly info: Omit<StoredMeta, 'meta'>;
  readonly snapshots: SnapshotIndexEntry[] = [];
  /** Every event but snapshots, in arrival order. */
  readonly events: SessionEvent[] = [];
  /** Length of the raw capture kept in the file. */
  rawLength = 0;
  /** The writer closed the session (an end record is present). */
  complete = false;
  /** Snapshots and events re-read from raw bytes because the index stopped short of them. */
  readonly recovered = { snapshots: 0, events: 0 };
  /** Damage that stopped the scan before the end of the file, if any. */
  damage: SessionFormatError | null = null;
  /** The file ended in the middle of a record (a crash while writing). */
  torn = false;

  private fd: number | null;
  private readonly size: number;
  private readonly segments: Segment[] = [];
  private cursors: SegmentCursor[] = [];
  private parsedThrough = 0;
  private parserEnded = false;

  private constructor(
    readonly path: string,
    fd: number,
    options: OpenOptions,
  ) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
    const stored = this.readHeaderAndMeta();
    const { meta, ...info } = stored;
    this.meta = meta ?? {};
    this.info = info;
    this.scan();
    if (!this.complete && !this.parserEnded && options.recover !== false) this.recover();
    if (this.stoppedAt) {
      // Said once everything before the damage is counted (the index and what was re-read).
      this.damage = SessionFormatError.damaged(this.path, this.stoppedAt.at, this.stoppedAt.what, this.snapshots.length);
    }
    if (this.damage && options.strict) throw this.damage;
  }

  private stoppedAt: { at: number; what: string } | null = null;

  /** Opens a session file. Throws SessionFormatError for anything that is not a readable session. */
  static open(path: string, options: OpenOptions = {}): SessionReader {
    let fd: number;
    try {
      fd = openRegularSync(path).fd;
    } catch (err) {
      if (err instanceof FileRefusedError) throw new SessionFormatError('io', err.message);
      throw new SessionFormatError('io', `cannot open ${path}: ${(err as Error).message}`);
    }
    try {
      return new SessionReader(path, fd, options);
    } catch (err) {
      closeSync(fd);
      if (err instanceof SessionFormatError) throw err;
      throw new SessionFormatError('damaged', `${path} could not be read: ${(err as Error).message}`);
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.cursors = [];
  }

  /** The snapshot with its maps: its segment decoded, its dump's bytes read again. */
  getSnapshot(i: number): HeapSnapshot {
    const e = this.snapshots[i];
    if (!e) throw new RangeError(`no snapshot ${i} (the session has ${this.snapshots.length})`);
    const bytes = this.readRaw(e.byteStart, e.byteEnd);
    const r = new CaptureReader();
    const evs = r.feed(bytes);
    for (const ev of r.end()) evs.push(ev);
    // The dump is the snapshot that starts at the first byte (foreign text inside a frame may
    // come out as log lines around it).
    let s: HeapSnapshot | null = null;
    for (const ev of evs) {
      if (ev.type === 'snapshot' && (s === null || (ev.snapshot.byteStart === 0 && s.byteStart !== 0))) s = ev.snapshot;
    }
    if (s === null) {
      throw SessionFormatError.damaged(this.path, e.byteStart, `the bytes of snapshot ${i} hold no heap dump`, i);
    }
    return {
      ...s,
      index: e.index,
      line: e.line,
      byteStart: e.byteStart,
      byteEnd: e.byteEnd,
      framing: e.framing,
      seq: e.seq,
      deviceMs: e.deviceMs,
      collected: e.collected,
      complete: e.complete,
      consistent: e.consistent,
      problems: e.problems,
    };
  }

  /** Raw capture bytes [start, end). */
  readRaw(start: number, end: number): Uint8Array {
    start = Math.max(0, start);
    end = Math.min(end, this.rawLength);
    if (end <= start) return new Uint8Array(0);
    const parts: Uint8Array[] = [];
    for (let k = this.segmentAt(start); k < this.segments.length; k++) {
      const seg = this.segments[k];
      if (seg.info.rawStart >= end) break;
      const c = this.decodeThrough(seg, end);
      const from = Math.max(start, seg.info.rawStart) - seg.info.rawStart;
      const to = Math.min(end, seg.rawEnd) - seg.info.rawStart;
      parts.push(c.decoder.view().slice(from, to));
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(end - start);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** The whole raw capture, a segment at a time (for export). */
  *rawChunks(): Generator<Uint8Array> {
    for (const seg of this.segments) {
      if (seg.rawEnd === seg.info.rawStart) continue;
      const c = new SegmentCursor(seg);
      this.advance(c, seg.rawEnd);
      yield c.decoder.view();
    }
  }

  /** The raw capture as an async stream of chunks. */
  async *rawStream(): AsyncGenerator<Uint8Array> {
    for (const chunk of this.rawChunks()) yield chunk;
  }

  /** Writes the raw capture, byte for byte as it arrived, to a file. */
  async exportRaw(outPath: string): Promise<number> {
    const ws = createWriteStream(outPath);
    let n = 0;
    try {
      for (const chunk of this.rawChunks()) {
        n += chunk.length;
        if (!ws.write(Buffer.from(chunk))) await once(ws, 'drain');
      }
    } finally {
      ws.end();
      await once(ws, 'close');
    }
    return n;
  }

  // ---- scanning ----

  private read(at: number, n: number): Uint8Array {
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const k = readSync(this.fd!, buf, got, n - got, at + got);
      if (k === 0) break;
      got += k;
    }
    return got === n ? buf : buf.subarray(0, got);
  }

  private readHeaderAndMeta(): StoredMeta {
    const p = this.path;
    const head = this.read(0, Math.min(this.size, HEADER_SIZE));
    const magicPart = head.subarray(0, Math.min(head.length, MAGIC.length));
    for (let i = 0; i < magicPart.length; i++) {
      if (magicPart[i] !== MAGIC[i]) throw SessionFormatError.notASession(p, 'it does not start with the HeapScope session header');
    }
    if (head.length < HEADER_SIZE) {
      throw new SessionFormatError('empty', `${p} is empty or ends inside its header: the recording stopped before anything was written`);
    }
    const v = new DataView(head.buffer, head.byteOffset, head.length);
    const version = v.getUint16(8, true);
    const minReader = v.getUint16(10, true);
    if (minReader > READS_UP_TO || version === 0 || minReader === 0) {
      if (version === 0 || minReader === 0) throw SessionFormatError.damaged(p, 8, 'its header names no format version', 0);
      throw SessionFormatError.newer(p, version, minReader);
    }
    const rec = this.readRecordAt(HEADER_SIZE);
    if (rec === 'torn') {
      throw new SessionFormatError('empty', `${p} ends before the session's description: the recording stopped before anything was written`);
    }
    if (typeof rec === 'string' || rec.type !== RecordType.Meta) {
      throw SessionFormatError.damaged(p, HEADER_SIZE, typeof rec === 'string' ? `its description is unreadable (${rec})` : 'its first record is not the session description', 0);
    }
    try {
      const m = parseJson(rec.payload) as StoredMeta;
      if (m === null || typeof m !== 'object') throw new Error('not an object');
      return m;
    } catch (err) {
      throw SessionFormatError.damaged(p, HEADER_SIZE, `its description is not valid JSON (${(err as Error).message})`, 0);
    }
  }

  /**
   * The record at a file offset, fully read and checked: 'torn' when the file ends inside it,
   * a string saying what is wrong when it is damaged.
   */
  private readRecordAt(at: number): { type: number; payload: Uint8Array; next: number } | 'torn' | string {
    const h = this.readRecordHead(at);
    if (typeof h === 'string') return h;
    const payload = this.read(at + RECORD_HEADER_SIZE, h.length);
    if (recordCrc(h.head5, payload) !== h.crc) return at + RECORD_HEADER_SIZE + h.length >= this.size ? 'torn' : 'its checksum does not match';
    return { type: h.type, payload, next: at + RECORD_HEADER_SIZE + h.length };
  }

  private readRecordHead(at: number): { type: number; length: number; crc: number; head5: Uint8Array } | 'torn' | string {
    if (at + RECORD_HEADER_SIZE > this.size) return 'torn';
    const h = this.read(at, RECORD_HEADER_SIZE);
    const v = new DataView(h.buffer, h.byteOffset, h.length);
    const type = h[0];
    const length = v.getUint32(1, true);
    if (at + RECORD_HEADER_SIZE + length > this.size) return 'torn';
    if (length > MAX_RECORD) return `a record claims ${length} bytes`;
    return { type, length, crc: v.getUint32(5, true), head5: h.subarray(0, 5) };
  }

  private scan(): void {
    let at = HEADER_SIZE;
    // Skip the META record (already read).
    const meta = this.readRecordHead(at);
    if (typeof meta === 'string') return;
    at += RECORD_HEADER_SIZE + meta.length;
    const unpacker = new IndexUnpacker();
    let indexDict: Uint8Array = new Uint8Array(0);
    // Segment 0 is implied: it starts at raw offset 0, where line 1 starts.
    let seg: Segment = { info: { n: 0, rawStart: 0, clean: true, anchor: [1, 0], snapshotsBefore: 0 }, at, records: [], rawEnd: 0 };
    this.segments.push(seg);
    let rawEnd = 0;
    // Raw payloads are checked when decoded, except in the last stretch of the file, where a
    // crash or power loss leaves its marks: there their checksums are checked now.
    const checkFrom = Math.max(0, this.size - (1 << 20));
    const stop = (at: number, what: string) => {
      this.stoppedAt = { at, what };
    };
    while (at < this.size) {
      const h = this.readRecordHead(at);
      if (h === 'torn') {
        this.torn = true;
        break;
      }
      if (typeof h === 'string') {
        if (this.zerosFrom(at)) this.torn = true;
        else stop(at, h);
        break;
      }
      const payloadAt = at + RECORD_HEADER_SIZE;
      const next = payloadAt + h.length;
      const last = next >= this.size;
      if (h.type === RecordType.Raw && at < checkFrom) {
        // Only the small varint header: the data is read when a snapshot needs it.
        const head = this.read(payloadAt, Math.min(h.length, 40));
        const r = this.rawRecord(head, payloadAt, h);
        if (typeof r === 'string' || r.rawStart !== rawEnd) {
          stop(at, typeof r === 'string' ? r : `raw bytes out of order (${r.rawStart}, expected ${rawEnd})`);
          break;
        }
        seg.records.push(r);
        rawEnd += r.rawLength;
        seg.rawEnd = rawEnd;
        at = next;
        continue;
      }
      const payload = this.read(payloadAt, h.length);
      if (recordCrc(h.head5, payload) !== h.crc) {
        if (last || this.zerosFrom(at)) this.torn = true;
        else stop(at, 'a record’s checksum does not match');
        break;
      }
      try {
        switch (h.type) {
          case RecordType.Segment: {
            const info = parseJson(payload) as SegmentInfo;
            if (!info || typeof info.rawStart !== 'number' || info.rawStart !== rawEnd) throw new MalformedError('a segment that does not start where the raw bytes end');
            seg = { info, at, records: [], rawEnd };
            this.segments.push(seg);
            indexDict = new Uint8Array(0);
            unpacker.reset();
            break;
          }
          case RecordType.Raw: {
            const r = this.rawRecord(payload, payloadAt, h);
            if (typeof r === 'string') throw new MalformedError(r);
            if (r.rawStart !== rawEnd) throw new MalformedError(`raw bytes out of order (${r.rawStart}, expected ${rawEnd})`);
            seg.records.push(r);
            rawEnd += r.rawLength;
            seg.rawEnd = rawEnd;
            break;
          }
          case RecordType.Index: {
            const src = new ByteSource(payload);
            const textLength = src.uvar();
            const opts: zlib.ZlibOptions = {};
            if (indexDict.length) opts.dictionary = indexDict;
            const text = zlib.inflateRawSync(payload.subarray(src.pos), opts);
            if (text.length !== textLength) throw new MalformedError('index record of the wrong length');
            indexDict = windowTail(indexDict, text);
            const body = parseJson(text) as { p: number; e: unknown[]; x?: number };
            if (!body || !Array.isArray(body.e) || typeof body.p !== 'number') throw new MalformedError('index record without events');
            const snaps: SnapshotIndexEntry[] = [];
            const evs: SessionEvent[] = [];
            let n = this.snapshots.length;
            for (const item of body.e) {
              const it = unpacker.item(item, n);
              if ('snapshot' in it) {
                snaps.push(it.snapshot);
                n++;
              } else if ('event' in it) {
                evs.push(it.event);
              } else {
                evs.push(this.lazyLog(it.logAt));
              }
            }
            for (const s of snaps) this.snapshots.push(s);
            for (const e of evs) this.events.push(e);
            this.parsedThrough = body.p;
            if (body.x === 1) this.parserEnded = true;
            break;
          }
          case RecordType.End:
            this.complete = true;
            break;
          case RecordType.Meta:
            throw new MalformedError('a second session description');
          default:
            if ((h.type & OPTIONAL_RECORD) === 0) {
              throw new MalformedError(`a record of unknown type ${h.type} (written by a newer HeapScope?)`);
            }
        }
      } catch (err) {
        if (err instanceof MalformedError || err instanceof IndexShapeError || err instanceof SyntaxError || err instanceof TypeError || isZlibError(err)) {
          stop(at, (err as Error).message);
          break;
        }
        throw err;
      }
      at = next;
    }
    this.rawLength = rawEnd;
    // Anything the index says beyond the raw bytes kept cannot be served.
    while (this.snapshots.length && this.snapshots[this.snapshots.length - 1].byteEnd > this.rawLength) this.snapshots.pop();
    if (this.parsedThrough > this.rawLength) {
      this.parsedThrough = this.rawLength;
      this.parserEnded = false;
    }
  }

  /** The file holds only zero bytes from `at` on (what a power loss can leave at the end). */
  private zerosFrom(at: number): boolean {
    if (this.size - at > 1 << 22) return false;
    const b = this.read(at, this.size - at);
    for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
    return true;
  }

  private rawRecord(payload: Uint8Array, at: number, h: { length: number; crc: number; head5: Uint8Array }): RawRecord | string {
    try {
      const src = new ByteSource(payload);
      const rawStart = src.uvar();
      const rawLength = src.uvar();
      const opLength = src.uvar();
      const host = src.uvar();
      return { at, length: h.length, crc: h.crc, head5: h.head5, rawStart, rawLength, opLength, hostMs: host === 0 ? null : host - 1, dataAt: src.pos };
    } catch (err) {
      return `a raw record's header is unreadable (${(err as Error).message})`;
    }
  }

  /**
   * A log event whose text the index left in the raw bytes: it is read (its segment decoded)
   * the first time someone looks at it, and then kept.
   */
  private lazyLog(at: { line: number; byteOffset: number; hostMs: number | null; length: number }): SessionEvent {
    const ev = { type: 'log', line: at.line, byteOffset: at.byteOffset, hostMs: at.hostMs } as SessionEvent & { text: string };
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const reader = this;
    Object.defineProperty(ev, 'text', {
      enumerable: true,
      configurable: true,
      get(this: typeof ev): string {
        let text: string;
        try {
          text = lineText(reader.readRaw(at.byteOffset, at.byteOffset + at.length), 0, at.length);
        } catch (err) {
          text = `(text unreadable: ${(err as Error).message})`;
        }
        Object.defineProperty(this, 'text', { value: text, enumerable: true, writable: true, configurable: true });
        return text;
      },
    });
    return ev;
  }

  // ---- decoding ----

  private segmentAt(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid].info.rawStart <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** A cursor on the segment decoded at least through raw offset `end`. */
  private decodeThrough(seg: Segment, end: number): SegmentCursor {
    let c = this.cursors.find((x) => x.seg === seg);
    if (c) {
      this.cursors = [c, ...this.cursors.filter((x) => x !== c)];
    } else {
      c = new SegmentCursor(seg);
      this.cursors.unshift(c);
      if (this.cursors.length > CACHE) this.cursors.pop();
    }
    this.advance(c, Math.min(end, seg.rawEnd));
    return c;
  }

  /** Decodes records of the cursor's segment until it covers raw offset `end`. */
  private advance(c: SegmentCursor, end: number): void {
    const seg = c.seg;
    while (c.rawEnd < end && c.next < seg.records.length) {
      const r = seg.records[c.next];
      const payload = this.read(r.at, r.length);
      const where = r.at - RECORD_HEADER_SIZE;
      const before = () => this.snapshotsEndingBy(r.rawStart);
      if (payload.length !== r.length || recordCrc(r.head5, payload) !== r.crc) {
        throw SessionFormatError.damaged(this.path, where, 'the checksum of a raw record does not match', before());
      }
      let ops: Uint8Array;
      try {
        const opts: zlib.ZlibOptions = {};
        if (c.dict.length) opts.dictionary = c.dict;
        ops = zlib.inflateRawSync(payload.subarray(r.dataAt), opts);
      } catch (err) {
        throw SessionFormatError.damaged(this.path, where, `raw bytes that do not inflate (${(err as Error).message})`, before());
      }
      if (ops.length !== r.opLength) throw SessionFormatError.damaged(this.path, where, 'raw bytes of the wrong length', before());
      const len0 = c.decoder.length;
      try {
        c.decoder.decode(ops);
      } catch (err) {
        if (err instanceof LineDeltaError) throw SessionFormatError.damaged(this.path, where, `raw bytes that do not decode (${err.message})`, before());
        throw err;
      }
      if (c.decoder.length - len0 !== r.rawLength) throw SessionFormatError.damaged(this.path, where, 'raw bytes that decode to the wrong length', before());
      c.dict = windowTail(c.dict, ops);
      c.next++;
    }
  }

  /** Snapshots whose bytes all lie before raw offset `at`. */
  private snapshotsEndingBy(at: number): number {
    let n = 0;
    for (const s of this.snapshots) if (s.byteEnd <= at) n++;
    return n;
  }

  // ---- recovery ----

  /**
   * The index stops at `parsedThrough`; raw bytes may go further (a crash between the two
   * records of a flush, or a dump still in progress). Re-read them: a fresh capture parser from
   * the last clean segment start before that point, fed the same bytes, is in the same state
   * there; the events it finds after it are the ones the index is missing.
   */
  private recover(): void {
    if (this.segments.length === 0) return;
    const P = this.parsedThrough;
    let k = this.segmentAt(P);
    while (k > 0 && !this.segments[k].info.clean) k--;
    const S = this.segments[k].info.rawStart;
    let lineBase: number;
    let replay: Uint8Array;
    let tailBytes: Uint8Array;
    try {
      lineBase = this.linesBefore(S, this.segments[k].info.anchor);
      replay = this.readRaw(S, P);
      tailBytes = this.readRaw(P, this.rawLength);
    } catch (err) {
      if (err instanceof SessionFormatError) {
        this.damage ??= err;
        return;
      }
      throw err;
    }
    const r = new CaptureReader();
    r.feed(replay);
    const found: CaptureEvent[] = r.feed(tailBytes);
    for (const ev of r.end()) found.push(ev);
    const fix = (line: number) => (line > 0 ? line + lineBase : line);
    const fixText = (t: string) => t.replace(/\bline (\d+)/g, (_, n: string) => `line ${Number(n) + lineBase}`);
    for (const ev of found) {
      if (ev.type === 'snapshot') {
        const s = ev.snapshot;
        const byteStart = s.byteStart + S;
        const byteEnd = s.byteEnd + S;
        const fixed: HeapSnapshot = { ...s, index: this.snapshots.length, line: fix(s.line), byteStart, byteEnd, problems: s.problems.map(fixText) };
        this.snapshots.push({
          index: fixed.index,
          line: fixed.line,
          byteStart,
          byteEnd,
          framing: s.framing,
          seq: s.seq,
          deviceMs: s.deviceMs,
          hostMs: this.hostMsAt(byteEnd),
          collected: s.collected,
          printed: s.printed,
          blockSize: s.blockSize,
          addressStyle: s.addressStyle,
          areas: s.areas.map((a) => ({ address: a.address, blocks: a.blocks })),
          stats: s.stats,
          complete: s.complete,
          consistent: s.consistent,
          problems: fixed.problems,
          metrics: metricsOf(s),
        });
        this.recovered.snapshots++;
      } else {
        const byteOffset = ev.byteOffset + S;
        const e = { ...ev, line: fix(ev.line), byteOffset, hostMs: this.hostMsAt(byteOffset) } as SessionEvent;
        if (e.type === 'device' && e.kind === 'traceback') e.text = fixText(e.text);
        this.events.push(e);
        this.recovered.events++;
      }
    }
  }

  /** Line terminators before raw offset `at`, counted from a known line start (the anchor). */
  private linesBefore(at: number, anchor: [number, number]): number {
    let [line, from] = anchor;
    if (!(from <= at) || line < 1) {
      line = 1;
      from = 0;
    }
    let n = line - 1;
    const CHUNK = 1 << 22;
    let prevCR = false;
    for (let o = from; o < at; o += CHUNK) {
      const b = this.readRaw(o, Math.min(at, o + CHUNK));
      for (let i = 0; i < b.length; i++) {
        const c = b[i];
        if (c === 0x0a) {
          if (!prevCR) n++;
          prevCR = false;
        } else if (c === 0x0d) {
          n++;
          prevCR = true;
        } else {
          prevCR = false;
        }
      }
    }
    return n;
  }

  /** Host time of the flush that wrote the raw byte at `offset` (arrival within a flush period). */
  private hostMsAt(offset: number): number | null {
    for (let k = this.segmentAt(offset); k < this.segments.length; k++) {
      for (const r of this.segments[k].records) if (r.rawStart + r.rawLength >= offset) return r.hostMs;
    }
    return null;
  }
}

function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('Z_');
}
