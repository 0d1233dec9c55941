// Profiling aid: `node --cpu-prof --import tsx bench/profileRawCoding.ts [capture] [rounds]`: the
// line-delta encoder with the heap model (format 3's RAW coding, without deflate, the parser or
// the index) over a capture fed as an import feeds it, then the decoder over what it made;
// best CPU of the rounds for each, and the bytes made.
import { readFileSync } from 'node:fs';
import { LineDeltaDecoder, LineDeltaEncoder } from '../src/main/session/lineDelta';

const buf = readFileSync(process.argv[2] ?? 'bench/data/pimst-40mb.txt');
const rounds = Number(process.argv[3] ?? 3);
const SLICE = 1 << 16;
const RECORD = 1 << 20;
const SEGMENT = 4 << 20;
let best = Infinity;
let bestDec = Infinity;
let records: Array<[Uint8Array, Uint8Array, boolean]> = [];
for (let k = 0; k < rounds; k++) {
  records = [];
  const c0 = process.cpuUsage();
  const enc = new LineDeltaEncoder({ cells: true });
  let segStart = 0;
  for (let i = 0; i < buf.length; i += SLICE) {
    enc.push(buf.subarray(i, Math.min(buf.length, i + SLICE)));
    if (enc.pending >= RECORD || i + SLICE >= buf.length) {
      enc.flushPartial();
      records.push([enc.take(), enc.takeCells(), false]);
    }
    if (enc.codedEnd - segStart >= SEGMENT) {
      enc.flushPartial();
      records.push([enc.take(), enc.takeCells(), true]);
      enc.clearTables();
      segStart = enc.codedEnd;
    }
  }
  const c = process.cpuUsage(c0);
  best = Math.min(best, (c.user + c.system) / 1e6);
  const d0 = process.cpuUsage();
  let dec = new LineDeltaDecoder();
  let out = 0;
  for (const [ops, cells, cut] of records) {
    dec.decode(ops, cells);
    const got = dec.take();
    if (Buffer.compare(got, buf.subarray(out, out + got.length)) !== 0) throw new Error(`decoded bytes differ near ${out}`);
    out += got.length;
    if (cut) dec = new LineDeltaDecoder();
  }
  const d = process.cpuUsage(d0);
  bestDec = Math.min(bestDec, (d.user + d.system) / 1e6);
  if (out !== buf.length) throw new Error(`decoded ${out} of ${buf.length} bytes`);
}
let ops = 0;
let cells = 0;
for (const [o, c] of records) {
  ops += o.length;
  cells += c.length;
}
console.log(`encode ${best.toFixed(3)} s CPU, decode ${bestDec.toFixed(3)} s CPU (best of ${rounds}); ops ${ops} B, cells ${cells} B`);
