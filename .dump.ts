import { SessionReader } from './src/main/session/reader';
const r = SessionReader.open(process.argv[2]);
console.log('complete', r.complete, 'snapshots', r.snapshots.length, 'raw', r.rawLength, 'events', r.events.length);
const raw = Buffer.from(r.readRaw(0, r.rawLength)).toString('latin1');
const lines = raw.split('\n').filter(l => !/^[0-9a-f]{5,8}: /.test(l) && !/^\s*\(\d+ lines all free\)/.test(l));
console.log(lines.slice(0, Number(process.argv[3] ?? 80)).join('\n'));
