/**
 * Issue 9, point 9: "a 1 MB session whose record inflates to 1 GiB takes 2.2 GB". A record is
 * inflated only up to the length it declares: a raw record and an index record whose deflate
 * streams hold 1 GiB of zeros (1 MB in the file) are refused as damage, in words, and the peak
 * memory of the process does not grow by anything like the GiB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { SessionWriter } from '../../src/main/session';
import { ByteSource } from '../../src/main/session/bytes';
import { HEADER_SIZE, RECORD_HEADER_SIZE, RecordType, recordCrc } from '../../src/main/session/format';
import { spawnSync } from 'node:child_process';
import { FIXTURES, ROOT } from './support';

const GIB = 1 << 30;
let dir = '';
let good: Buffer;
let bomb: Buffer;

/**
 * 1 GiB of zeros as one raw deflate stream, never held: a MiB of zeros deflated to a non-final
 * block (a sync flush) decodes the same wherever it comes, so it is repeated, then ended.
 */
function deflatedGiB(): Buffer {
  const block = zlib.deflateRawSync(Buffer.alloc(1 << 20), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const parts: Buffer[] = [];
  for (let i = 0; i < GIB >> 20; i++) parts.push(block);
  parts.push(zlib.deflateRawSync(Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/** Records of a session file: [type, start, payload start, end]. */
function records(b: Buffer): Array<[number, number, number, number]> {
  const out: Array<[number, number, number, number]> = [];
  for (let at = HEADER_SIZE; at + RECORD_HEADER_SIZE <= b.length; ) {
    const end = at + RECORD_HEADER_SIZE + b.readUInt32LE(at + 1);
    out.push([b[at], at, at + RECORD_HEADER_SIZE, end]);
    at = end;
  }
  return out;
}

/** The file with record `at`'s payload replaced (its length and checksum made right). */
function withPayload(b: Buffer, at: number, end: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(RECORD_HEADER_SIZE);
  head[0] = b[at];
  head.writeUInt32LE(payload.length, 1);
  head.writeUInt32LE(recordCrc(head.subarray(0, 5), payload), 5);
  return Buffer.concat([b.subarray(0, at), head, payload, b.subarray(end)]);
}

/**
 * Opens `file` in a child process, reads every raw byte and every entry: the error it met
 * and its peak RSS (its own, whatever this process did before).
 */
function openInChild(file: string): { error: string; name: string; peakMB: number } {
  const script = `
    const { SessionReader } = await import(${JSON.stringify(join(ROOT, 'src/main/session/index.ts'))});
    let error = '', name = '';
    try {
      const r = SessionReader.open(process.argv[1], { checkTail: 0 });
      try {
        void r.snapshots;
        if (r.damage) throw r.damage;
        r.readRaw(0, r.rawLength);
      } finally {
        r.close();
      }
    } catch (e) {
      error = e.message;
      name = e.constructor.name;
    }
    console.log(JSON.stringify({ error, name, peakMB: process.resourceUsage().maxRSS / 1024 }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hs-hostile-bomb-'));
  const p = join(dir, 'good.hss');
  const w = SessionWriter.create(p, { source: 'import' });
  w.appendRaw(readFileSync(join(FIXTURES, 'full.txt')), null);
  w.appendRaw(Buffer.from('a line\n'.repeat(100)), null);
  w.close();
  good = readFileSync(p);
  bomb = deflatedGiB();
  expect(bomb.length).toBeLessThan(2 << 20);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a record that inflates past what it declares', () => {
  it('a raw record: damage in words, no GiB allocated', () => {
    const [, at, pay, end] = records(good).find(([t]) => t === RecordType.Raw)!;
    // Keep the record's header (offsets, lengths, cell stream); the ops become the bomb.
    const src = new ByteSource(good.subarray(pay, end));
    for (let k = 0; k < 5; k++) src.uvar();
    const cellsLength = (() => {
      const s2 = new ByteSource(good.subarray(pay, end));
      for (let k = 0; k < 4; k++) s2.uvar();
      return s2.uvar();
    })();
    const keep = good.subarray(pay, pay + src.pos + cellsLength);
    const file = join(dir, 'raw-bomb.hss');
    writeFileSync(file, withPayload(good, at, end, Buffer.concat([keep, bomb])));
    const got = openInChild(file);
    expect(got.name).toBe('SessionFormatError');
    expect(got.error).toMatch(/raw-bomb\.hss is damaged at byte \d+: raw bytes that do not inflate/);
    // Without the cap: the whole GiB (and a copy) before the length is checked.
    expect(got.peakMB, 'peak RSS of the reader').toBeLessThan(300);
  }, 120_000);

  it('an index record: damage in words, no GiB allocated', () => {
    const [, at, pay, end] = records(good).find(([t]) => t === RecordType.Columns)!;
    // Its declared text length and coder stay; the deflated text becomes the bomb.
    const src = new ByteSource(good.subarray(pay, end));
    src.uvar();
    const coder = src.uvar();
    expect(coder).toBeGreaterThanOrEqual(0);
    const file = join(dir, 'index-bomb.hss');
    writeFileSync(file, withPayload(good, at, end, Buffer.concat([good.subarray(pay, pay + src.pos), bomb])));
    const got = openInChild(file);
    expect(got.name).toBe('SessionFormatError');
    expect(got.error).toMatch(/index-bomb\.hss is damaged at byte \d+/);
    expect(got.peakMB, 'peak RSS of the reader').toBeLessThan(300);
  }, 120_000);
});
