/**
 * The `.hss` session file: constants, record framing and the error every reader failure
 * becomes. The layout is described for people in docs/session-format.md; keep the two in step.
 */
import { ByteSink, ByteSource, crc32, MalformedError } from './bytes';

/** `\x89HSS\r\n\x1a\n`: the high byte and the line endings catch text-mode and 7-bit damage. */
export const MAGIC = Uint8Array.from([0x89, 0x48, 0x53, 0x53, 0x0d, 0x0a, 0x1a, 0x0a]);
/**
 * The format this code writes. 2 adds INDEX_COUNTS records (optional: format-1 readers skip
 * them). 3 codes map lines' cells with the heap model (a cell stream in each RAW record, MAP
 * ops) and writes the index as columns (COLUMNS records, indexColumns.ts): a reader of format
 * 2 can read neither, so the header says a reader of format 3 is needed (MIN_READER).
 */
export const FORMAT_VERSION = 3;
/** The newest format this code reads. */
export const READS_UP_TO = 3;
/** The oldest reader that can read what this code writes (the header's second field). */
export const MIN_READER = 3;
/** The first format whose RAW records carry a cell stream and whose index is columns. */
export const CELLS_FROM = 3;
/** Header: magic, u16 format, u16 oldest format a reader must know to read the file, u32 0. */
export const HEADER_SIZE = 16;
/** Record header: u8 type, u32 LE payload length, u32 LE CRC-32 of type, length and payload. */
export const RECORD_HEADER_SIZE = 9;
/** No record is larger than this; a larger length means damage. */
export const MAX_RECORD = 1 << 28;
/** Deflate's window: the dictionary each compressed record is primed with. */
export const WINDOW = 32 * 1024;

export const enum RecordType {
  /** JSON: the session's description (always the first record). */
  Meta = 0x01,
  /** JSON: a new segment of the raw stream begins (line-delta tables and dictionaries reset). */
  Segment = 0x02,
  /** Raw bytes: varint header, (format 3) the cell stream, then the line-delta ops, deflated. */
  Raw = 0x03,
  /** Index: varint header, then JSON of the events since the last index record, deflated. */
  Index = 0x04,
  /** JSON: the writer closed the session cleanly. */
  End = 0x05,
  /**
   * Index, format 3: varint length of the columns, varint coder (INDEX_DEFLATE: raw deflate
   * primed with the segment's last 32 KiB of columns; INDEX_BROTLI), then the events since the
   * last index record as columns (indexColumns.ts), compressed. Replaces INDEX (0x04).
   */
  Columns = 0x06,
  /**
   * Optional (format 2): the counts of the INDEX record that follows it (snapshots, other
   * events, its `p`, whether it holds the parser's last events), so that a reader can open a
   * long session without inflating its whole index, and decode a segment's index when asked.
   */
  IndexCounts = 0x81,
}

/** How a COLUMNS record's columns are compressed (the varint after their length). */
export const INDEX_DEFLATE = 0;
export const INDEX_BROTLI = 1;

/** Record types from this bit up may be skipped by a reader that does not know them. */
export const OPTIONAL_RECORD = 0x80;

export type SessionErrorCode = 'not-a-session' | 'newer' | 'damaged' | 'empty' | 'io';

/** Every way a session file can fail to open or read, in words a user can act on. */
export class SessionFormatError extends Error {
  override readonly name = 'SessionFormatError';

  constructor(
    readonly code: SessionErrorCode,
    message: string,
    /** File offset of the damage, when known. */
    readonly byteOffset: number | null = null,
    /** Snapshots readable before the damage, when known. */
    readonly snapshotsBefore: number | null = null,
  ) {
    super(message);
  }

  static notASession(path: string, why: string): SessionFormatError {
    return new SessionFormatError('not-a-session', `${path} is not a HeapScope session (${why})`);
  }

  static newer(path: string, version: number, minReader: number): SessionFormatError {
    return new SessionFormatError(
      'newer',
      `${path} was written by a newer HeapScope (format ${version}, which needs a reader of format ${minReader}; this version reads up to ${READS_UP_TO}): update HeapScope to open it`,
    );
  }

  static damaged(path: string, at: number, what: string, snapshotsBefore: number): SessionFormatError {
    // An offset read from the damaged file itself can be anything: say "at byte" only for a real one.
    const where = Number.isSafeInteger(at) && at >= 0 ? ` at byte ${at}` : '';
    return new SessionFormatError(
      'damaged',
      `${path} is damaged${where}: ${what}; ${snapshotsBefore} snapshot${snapshotsBefore === 1 ? '' : 's'} before it ${snapshotsBefore === 1 ? 'is' : 'are'} readable`,
      at,
      snapshotsBefore,
    );
  }
}

/** What an INDEX_COUNTS record says of the INDEX record after it. */
export interface IndexCounts {
  snapshots: number;
  events: number;
  /** The index accounts for raw bytes [0, p). */
  p: number;
  /** The parser's last events are in it (the capture ended). */
  ended: boolean;
}

export function encodeIndexCounts(c: IndexCounts): Uint8Array {
  const sink = new ByteSink(32);
  sink.uvar(c.snapshots);
  sink.uvar(c.events);
  sink.uvar(c.p);
  sink.uvar(c.ended ? 1 : 0);
  return encodeRecord(RecordType.IndexCounts, sink.view());
}

/** Throws MalformedError when the payload is not four varints of sane size. */
export function decodeIndexCounts(payload: Uint8Array): IndexCounts {
  const src = new ByteSource(payload);
  const snapshots = src.uvar();
  const events = src.uvar();
  const p = src.uvar();
  const flags = src.uvar();
  if (!src.done || flags > 1 || snapshots + events > 1 << 24) throw new MalformedError('an index-counts record that makes no sense');
  return { snapshots, events, p, ended: flags === 1 };
}

/** The header of a file in `format` (this code's, or 2: no cell streams, read by format-1 readers). */
export function encodeHeader(format: number = FORMAT_VERSION): Uint8Array {
  const h = new Uint8Array(HEADER_SIZE);
  h.set(MAGIC, 0);
  const v = new DataView(h.buffer);
  v.setUint16(8, format, true);
  v.setUint16(10, format >= CELLS_FROM ? MIN_READER : 1, true);
  v.setUint32(12, 0, true);
  return h;
}

/** A record, framed and checksummed. */
export function encodeRecord(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_SIZE + payload.length);
  const v = new DataView(out.buffer);
  out[0] = type;
  v.setUint32(1, payload.length, true);
  out.set(payload, RECORD_HEADER_SIZE);
  v.setUint32(5, recordCrc(out.subarray(0, 5), payload), true);
  return out;
}

export function recordCrc(head5: Uint8Array, payload: Uint8Array): number {
  return crc32(payload, crc32(head5)) >>> 0;
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });

export function jsonBytes(value: unknown): Uint8Array {
  return utf8.encode(JSON.stringify(value));
}

export function parseJson(bytes: Uint8Array): unknown {
  return JSON.parse(utf8d.decode(bytes));
}
